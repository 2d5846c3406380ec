"""``fazhi-graph serve --store remote``: the endpoint and the explorer over an external engine.

A real ``oxigraph serve`` holds the pushed dataset; a real ``fazhi-graph serve`` process serves
it on a free loopback port with the usual limits. Both are stopped by their process ids. The
engine is started for this test alone, so the runaway query of the time-limit check dies with
it (the time-limit check comes last) instead of loading the machine for the rest of the run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from fazhi_graph.push import push
from fazhi_graph.remote import RemoteConfig, RemoteStore
from fazhi_graph.store import Store
from tests.loopback import free_port, stop, wait_until_up
from tests.remote_servers import Server, ServerUnavailableError, start_oxigraph
from tests.test_store import report_graph

pytestmark = pytest.mark.slow

SEED_GRAPH = "https://w3id.org/fazhi-graph/graph/report/chengdongqu-2020"
EXTRA_GRAPH = "https://w3id.org/fazhi-graph/graph/report/extra-2024"
JSON = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, four_report_store: Store) -> Iterator[Server]:
    try:
        server = start_oxigraph(tmp_path_factory.mktemp("engine"))
    except ServerUnavailableError as exc:
        pytest.skip(f"oxigraph cannot be started here: {exc}")
    try:
        config = RemoteConfig(
            server.query,
            update_endpoint=server.update,
            graph_store=server.graph_store,
            atomic_put=True,
        )
        with RemoteStore(config) as target:
            push(four_report_store, target)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def served(engine: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp_path = tmp_path_factory.mktemp("serve")
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "fazhi_graph.cli",
        "serve",
        "--store",
        "remote",
        "--endpoint",
        engine.query,
        "--port",
        str(port),
        "--timeout",
        "2",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_REMOTE_")}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base, tmp_path / "serve.log", poll=0.1)
        yield base
    finally:
        stop(process)
        log.close()


def test_explorer_and_graph_store_over_a_remote_engine(served: str) -> None:
    for path in ("/", "/reports/chengdongqu-2020", "/search?q=调解", "/id/report/chengdongqu-2020"):
        page = httpx.get(served + path, timeout=60)
        assert page.status_code == 200, path
    home = httpx.get(served + "/", timeout=60).text
    assert "城东区" in home
    dump = httpx.get(
        f"{served}/store",
        params={"graph": SEED_GRAPH},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    assert dump.status_code == 200 and "城东区人民政府" in dump.text
    missing = httpx.get(f"{served}/store", params={"graph": SEED_GRAPH + "-nope"})
    assert missing.status_code == 404


def test_a_push_while_serving_is_seen_within_seconds(engine: Server, served: str) -> None:
    """The engine changes behind the server's back: the version (and so the result cache and
    the ETag) is re-read after RemoteStore.version_ttl_s."""
    query = {"query": f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{EXTRA_GRAPH}> {{ ?s ?p ?o }} }}"}

    def count() -> str:
        response = httpx.get(f"{served}/sparql", params=query, headers=JSON)
        return str(response.json()["results"]["bindings"][0]["n"]["value"])

    assert count() == "0"
    config = RemoteConfig(engine.query, update_endpoint=engine.update)
    with RemoteStore(config) as target:
        target.replace_graph(EXTRA_GRAPH, report_graph("extra"))
    deadline = time.monotonic() + 2 * RemoteStore.version_ttl_s + 5
    while count() == "0" and time.monotonic() < deadline:
        time.sleep(0.5)
    assert count() == str(len(report_graph("extra")))


def test_endpoint_over_a_remote_engine_keeps_its_limits(
    served: str, four_report_store: Store
) -> None:
    in_seed = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{SEED_GRAPH}> {{ ?s ?p ?o }} }}"
    count = httpx.get(f"{served}/sparql", params={"query": in_seed}, headers=JSON)
    assert count.status_code == 200
    expected = str(four_report_store.count(SEED_GRAPH))
    assert count.json()["results"]["bindings"][0]["n"]["value"] == expected

    capped = httpx.get(
        f"{served}/sparql", headers=JSON, params={"query": "SELECT * { ?s ?p ?o }", "max-rows": "3"}
    )
    assert capped.headers["X-Fazhi-Truncated"] == "true"
    assert len(capped.json()["results"]["bindings"]) == 3

    service = httpx.get(
        f"{served}/sparql",
        params={"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"},
    )
    assert service.status_code == 400 and "SERVICE" in service.json()["error"]

    update = httpx.post(f"{served}/sparql", data={"update": "DROP ALL"})
    assert update.status_code == 403

    slow = httpx.get(
        f"{served}/sparql",
        headers=JSON,
        timeout=60,
        params={"query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"},
    )
    assert slow.status_code == 503 and "time limit" in slow.json()["error"]

    after = httpx.get(f"{served}/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers=JSON)
    assert after.json()["boolean"] is True  # a fresh worker answers after the kill
