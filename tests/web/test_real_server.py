"""A real server process on loopback, driven by real clients.

SPARQLWrapper (every query form in every return format), rdflib's SPARQLStore and raw HTTP
(httpx): status codes, awkward Accept headers, a runaway query that is stopped while other
clients keep being answered, and an update refused without changing the data.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.dom.minidom import Document

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore

from fazhi_graph.store import build_store
from tests.loopback import free_port

from .conftest import CARTESIAN, OBSERVATIONS_A, OBSERVATIONS_B, REPORT_B

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from SPARQLWrapper import (
        CSV,
        JSON,
        JSONLD,
        N3,
        POST,
        RDFXML,
        TSV,
        TURTLE,
        XML,
        SPARQLWrapper,
    )
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

pytestmark = pytest.mark.slow

PREFIXES = (
    "PREFIX qb: <http://purl.org/linked-data/cube#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
)
SELECT = PREFIXES + (
    "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(lang(?l) = 'en') } ORDER BY ?c"
)
ASK = PREFIXES + "ASK { ?o a qb:Observation }"
CONSTRUCT = PREFIXES + "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c skos:prefLabel ?l }"
DESCRIBE = "DESCRIBE <https://w3id.org/fazhi-graph/id/indicator/1>"
COUNT = PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation }"
TOTAL = OBSERVATIONS_A + OBSERVATIONS_B


LOGS: list[Path] = []


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, web_graphs: list[tuple[str, rdflib.Graph]]
) -> Iterator[str]:
    """Start ``python -m fazhi_graph.web.server`` on a free port; always stop it."""
    path = tmp_path_factory.mktemp("server") / "store"
    build_store(path, web_graphs)
    port = free_port()
    LOGS.append(path.parent / "server.log")
    log = (path.parent / "server.log").open("wb")
    env = {**os.environ, "FAZHI_WRITE_TOKEN": ""}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fazhi_graph.web.server",
            "--store",
            str(path),
            "--port",
            str(port),
            "--timeout",
            "2",
            "--max-rows",
            "100",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError((path.parent / "server.log").read_text())
            try:
                if (
                    httpx.get(f"{base}/sparql", params={"query": "ASK {}"}, timeout=5).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not become ready in 30 s")
            time.sleep(0.1)
        yield f"{base}/sparql"
    finally:
        workers = _worker_pids(base)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        _wait_gone(workers)


def _worker_pids(base: str) -> list[int]:
    try:
        status = httpx.get(f"{base}/-/status", timeout=5).json()
    except (httpx.HTTPError, ValueError):
        return []
    return [w["pid"] for w in status["executor"]["workers"]]


def _wait_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)


def wrapper(endpoint: str, query: str, fmt: str, *, post: bool = False) -> Any:
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(query)
    sparql.setReturnFormat(fmt)
    if post:
        sparql.setMethod(POST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sparql.queryAndConvert()


# ------------------------------------------------------------------ SPARQLWrapper


@pytest.mark.parametrize("post", [False, True])
def test_sparqlwrapper_select_in_every_format(server: str, post: bool) -> None:
    as_json = wrapper(server, SELECT, JSON, post=post)
    assert [b["l"]["value"] for b in as_json["results"]["bindings"]] == [
        f"Indicator {i}" for i in range(5)
    ]
    as_xml = wrapper(server, SELECT, XML, post=post)
    assert isinstance(as_xml, Document)
    assert len(as_xml.getElementsByTagName("result")) == 5
    as_csv = wrapper(server, SELECT, CSV, post=post)
    assert as_csv.decode().splitlines()[0] == "c,l" and len(as_csv.decode().splitlines()) == 6
    as_tsv = wrapper(server, SELECT, TSV, post=post)
    assert as_tsv.decode().splitlines()[0] == "?c\t?l"


def test_sparqlwrapper_ask_in_every_format(server: str) -> None:
    assert wrapper(server, ASK, JSON)["boolean"] is True
    xml = wrapper(server, ASK, XML)
    assert xml.getElementsByTagName("boolean")[0].firstChild.data == "true"
    assert wrapper(server, ASK, CSV).decode().strip() == "true"
    assert wrapper(server, ASK, TSV).decode().strip() == "true"


@pytest.mark.parametrize(("query", "size"), [(CONSTRUCT, 10), (DESCRIBE, 3)])
def test_sparqlwrapper_graphs_in_every_format(server: str, query: str, size: int) -> None:
    for fmt in (XML, RDFXML, JSONLD):
        graph = wrapper(server, query, fmt)
        assert isinstance(graph, rdflib.Graph) and len(graph) == size, fmt
    for fmt, parser in ((TURTLE, "turtle"), (N3, "n3")):
        data = wrapper(server, query, fmt)
        assert len(rdflib.Graph().parse(data=data, format=parser)) == size, fmt
    as_json = wrapper(server, query, JSON)  # served as JSON-LD, which SPARQLWrapper parses
    assert isinstance(as_json, rdflib.Graph) and len(as_json) == size


def test_sparqlwrapper_sees_a_syntax_error(server: str) -> None:
    with pytest.raises(QueryBadFormed, match="parse"):
        wrapper(server, "SELECT * WHERE { ?s ?p }", JSON)


# ------------------------------------------------------------------ rdflib SPARQLStore


def test_rdflib_sparqlstore(server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(server))
    rows = list(graph.query(SELECT))
    assert [str(r[1]) for r in rows] == [f"Indicator {i}" for i in range(5)]  # type: ignore[index]
    assert graph.query(ASK).askAnswer is True
    constructed = graph.query(CONSTRUCT).graph
    assert constructed is not None and len(constructed) == 10
    counted = list(graph.query(COUNT))
    assert int(counted[0][0]) == TOTAL  # type: ignore[index]


def test_rdflib_sparqlstore_json(server: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(server, returnFormat="json", method="POST"))
    assert len(list(graph.query(SELECT))) == 5


# ------------------------------------------------------------------ raw HTTP


def test_raw_http_status_codes(server: str) -> None:
    with httpx.Client(timeout=30) as http:
        ok = http.get(server, params={"query": SELECT})
        assert ok.status_code == 200
        assert (
            http.get(
                server, params={"query": SELECT}, headers={"If-None-Match": ok.headers["etag"]}
            ).status_code
            == 304
        )
        assert http.get(server, params={"query": "SELECT * {"}).status_code == 400
        assert (
            http.get(server, params={"query": "SELECT * { SERVICE <http://x/> {} }"}).status_code
            == 400
        )
        assert (
            http.post(
                server, content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
            ).status_code
            == 403
        )
        assert (
            http.get(
                server.replace("/sparql", "/store"), params={"graph": "http://nope/"}
            ).status_code
            == 404
        )
        assert http.delete(server).status_code == 405
        assert (
            http.get(server, params={"query": ASK}, headers={"Accept": "text/html"}).status_code
            == 406
        )
        assert (
            http.post(
                server,
                content=b"x" * 2_000_000,
                headers={"Content-Type": "application/sparql-query"},
            ).status_code
            == 413
        )
        assert (
            http.post(server, content=b"ASK {}", headers={"Content-Type": "text/plain"}).status_code
            == 415
        )
        error = http.get(server, params={"query": "SELECT * {"}).json()
        assert error["ok"] is False and error["status"] == 400 and "1:" in error["error"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        (
            "application/sparql-results+xml;q=0.1, text/tab-separated-values;q=0.2",
            "text/tab-separated-values",
        ),
        ("text/*", "text/csv"),
    ],
)
def test_raw_http_awkward_accept(server: str, accept: str | None, expected: str) -> None:
    headers = {} if accept is None else {"Accept": accept}
    with httpx.Client(timeout=30) as http:
        request = http.build_request("GET", server, params={"query": SELECT}, headers=headers)
        if accept is None:
            del request.headers["accept"]
        response = http.send(request)
    assert response.headers["content-type"].split(";")[0] == expected


def test_truncation_header(server: str) -> None:
    query = PREFIXES + "SELECT ?o WHERE { ?o rdf:value ?v }"
    response = httpx.get(server, params={"query": query}, timeout=30)
    assert response.headers["x-fazhi-truncated"] == "true"
    assert response.json()["truncated"] is True
    assert len(response.json()["results"]["bindings"]) == 100


def test_graph_store_dataset(server: str) -> None:
    response = httpx.get(
        server.replace("/sparql", "/store"), timeout=30, headers={"Accept": "application/n-quads"}
    )
    assert response.status_code == 200
    dataset = rdflib.Dataset().parse(data=response.content, format="nquads")
    assert REPORT_B in {str(g.identifier) for g in dataset.graphs()}


# ------------------------------------------------------------------ safety


def test_runaway_query_times_out_while_others_are_answered(server: str) -> None:
    outcome: dict[str, Any] = {}

    def runaway() -> None:
        with httpx.Client(timeout=60) as http:
            outcome["response"] = http.post(server, data={"query": CARTESIAN})
            outcome["finished"] = time.monotonic()

    thread = threading.Thread(target=runaway)
    started = time.monotonic()
    thread.start()
    time.sleep(0.3)
    answers = []
    with httpx.Client(timeout=60) as http:
        for _ in range(3):
            response = http.get(server, params={"query": COUNT, "max-rows": "7"})
            answers.append((time.monotonic(), response))
    thread.join(timeout=60)
    assert outcome["response"].status_code == 503
    assert "time limit of 2 s" in outcome["response"].json()["error"]
    assert outcome["finished"] - started < 30  # it stopped (the limit is 2 s)
    first_answer, first = answers[0]
    assert first.status_code == 200
    assert int(first.json()["results"]["bindings"][0]["n"]["value"]) == TOTAL
    assert first_answer < outcome["finished"], "a simple query waited for the runaway one"
    # and the server is healthy afterwards
    assert httpx.get(server, params={"query": ASK}, timeout=30).status_code == 200


def test_update_without_token_is_refused_and_nothing_changes(server: str) -> None:
    def total() -> int:
        response = httpx.get(server, params={"query": COUNT, "max-rows": "3"}, timeout=30)
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    before = total()
    update = PREFIXES + (
        "INSERT DATA { GRAPH <http://x.org/g> { <http://x.org/o> a qb:Observation } }"
    )
    for response in (
        httpx.post(server, data={"update": update}, timeout=30),
        httpx.post(
            server,
            content=update.encode(),
            timeout=30,
            headers={"Content-Type": "application/sparql-update"},
        ),
        httpx.post(
            server,
            content=update.encode(),
            timeout=30,
            headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer guess"},
        ),
    ):
        assert response.status_code == 403
        assert response.json() == {"ok": False, "status": 403, "error": response.json()["error"]}
    assert total() == before == TOTAL


def test_service_description_over_http(server: str) -> None:
    response = httpx.get(server, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert "UnionDefaultGraph" in response.text


def test_a_client_that_gives_up_stops_its_query(server: str) -> None:
    with pytest.raises(httpx.TimeoutException):
        httpx.post(server, data={"query": CARTESIAN + " # abandoned"}, timeout=1.3)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "its client left during a long query" in LOGS[-1].read_text():
            break
        time.sleep(0.1)
    assert "its client left during a long query" in LOGS[-1].read_text()
    assert httpx.get(server, params={"query": ASK}, timeout=30).status_code == 200
