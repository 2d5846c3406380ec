"""``query``, ``stats``, ``export`` and ``check`` with ``--store remote``: the local answers.

The test dataset (the ontology, the vocabularies, the seed and the three sample reports) is
built into an on-disk store once, and pushed once per engine to a real ``oxigraph serve`` and
a real Virtuoso (the session's servers, ``tests/conftest.py``). Each command then runs through
the CLI twice, with ``--store PATH`` and with ``--store remote --endpoint URL``, and the two
outputs are compared: byte for byte, except where Virtuoso differs from the SPARQL standard
(``docs/scaling.md``): it returns booleans as ``0``/``1``, so its N-Quads export is compared
with those normalised, and only the saved queries it answers alike are run there.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fazhi_graph.checks import CHECKS_GRAPH, run_checks, write_findings
from fazhi_graph.cli import app
from fazhi_graph.push import push
from fazhi_graph.remote import RemoteStore
from fazhi_graph.remote_http import (
    ENV_AUTH,
    ENV_ENDPOINT,
    ENV_GRAPH_STORE,
    ENV_PASSWORD,
    ENV_TOKEN,
    ENV_UPDATE_ENDPOINT,
    ENV_USER,
)
from fazhi_graph.store import META_GRAPH, build_store, open_store
from tests.conftest import four_report_graphs
from tests.remote_servers import Server
from tests.test_remote_store import clear, comparable, config

pytestmark = pytest.mark.slow

SEED_GRAPH = "https://w3id.org/fazhi-graph/graph/report/chengdongqu-2020"
REMOTE_VARIABLES = (ENV_ENDPOINT, ENV_UPDATE_ENDPOINT, ENV_GRAPH_STORE, ENV_USER, ENV_PASSWORD)
REMOTE_ENV: dict[str, str | None] = dict.fromkeys((*REMOTE_VARIABLES, ENV_TOKEN, ENV_AUTH))
"""No FAZHI_REMOTE_* variable from the surroundings: each test sets what it means."""
XSD_BOOLEAN = b"^^<http://www.w3.org/2001/XMLSchema#boolean>"

runner = CliRunner()


def cli(*args: str, env: dict[str, str | None] | None = None) -> Any:
    return runner.invoke(
        app, list(args), env={"COLUMNS": "200", "FAZHI_STORE": None, **REMOTE_ENV, **(env or {})}
    )


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test dataset in an on-disk store (the CLI's local side)."""
    path = tmp_path_factory.mktemp("remote-cli") / "store"
    build_store(path, four_report_graphs())
    return path


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def engine(request: pytest.FixtureRequest, local: Path) -> Server:
    """A real engine holding the pushed dataset (one push per engine and module)."""
    server: Server = request.getfixturevalue(f"{request.param}_server")
    repush(server, local)
    return server


def repush(server: Server, local: Path) -> None:
    with (
        open_store(local, read_only=True) as source,
        RemoteStore(config(server, gsp=True)) as target,
    ):
        clear(target)
        push(source, target)


def both(engine: Server, local: Path, *args: str) -> tuple[Any, Any]:
    """The command on the local store, then on the engine."""
    here = cli(*args, "--store", str(local))
    there = cli(*args, "--store", "remote", "--endpoint", engine.query)
    assert "Traceback" not in there.output, there.output
    return here, there


def standard(engine: Server, data: bytes) -> bytes:
    """``data`` (N-Triples or N-Quads) with Virtuoso's ``"0"``/``"1"`` booleans written as
    ``false``/``true`` again (the one difference in its dump of this dataset)."""
    if engine.name != "virtuoso":
        return data
    data = data.replace(b'"0"' + XSD_BOOLEAN, b'"false"' + XSD_BOOLEAN)
    data = data.replace(b'"1"' + XSD_BOOLEAN, b'"true"' + XSD_BOOLEAN)
    return b"\n".join(sorted(data.split(b"\n")))


def table(text: str) -> list[list[str]]:
    """A CSV result: its header, then its rows sorted (the order a query does not fix)."""
    rows = list(csv.reader(io.StringIO(text)))
    return rows[:1] + sorted(rows[1:])


# --------------------------------------------------------------------------- query


def test_query_expression_as_csv(engine: Server, local: Path) -> None:
    text = (
        "SELECT ?report ?area ?year { ?report a fz:AnnualReport ; fz:reportingArea ?a ; "
        "fz:reportingYear ?year . ?a skos:prefLabel ?area FILTER(LANG(?area) = 'zh') } "
        "ORDER BY ?report"
    )
    here, there = both(engine, local, "query", "-e", text, "--format", "csv")
    assert here.exit_code == 0, here.output
    assert there.exit_code == 0, there.output
    assert there.stdout == here.stdout
    assert here.stdout.startswith("report,area,year") and "城东区" in here.stdout


def test_saved_queries_as_csv(engine: Server, local: Path) -> None:
    names = comparable(f"{engine.name}-gsp")
    assert names
    for name in names:
        here, there = both(engine, local, "query", name, "--format", "csv")
        assert here.exit_code == there.exit_code == 0, (name, there.output)
        assert table(there.stdout) == table(here.stdout), name


def test_query_tables_with_a_parameter_and_a_row_cap(engine: Server, local: Path) -> None:
    for args in (("reports", "--param", "area=城东区"), ("documents", "--max-rows", "5")):
        here, there = both(engine, local, "query", *args)
        assert here.exit_code == there.exit_code == 0, there.output
        assert there.stdout == here.stdout, args
    assert "城东区" in here.stdout and "5 rows" in here.stdout


# --------------------------------------------------------------------------- stats


def test_stats_json(engine: Server, local: Path) -> None:
    here, there = both(engine, local, "stats", "--json")
    assert here.exit_code == there.exit_code == 0, there.output
    assert json.loads(there.stdout) == json.loads(here.stdout)
    counted = json.loads(there.stdout)
    assert META_GRAPH in counted["graphs"] and len(counted["reports"]) == 4
    text_here, text_there = both(engine, local, "stats")
    assert text_there.stdout == text_here.stdout and "Instances per class" in text_here.stdout


# --------------------------------------------------------------------------- export


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "nquads"),
        ("--format", "ntriples", "--graph", SEED_GRAPH),
        ("--format", "csv"),
        ("--format", "graphml", "--graph", SEED_GRAPH),
    ],
    ids=["nquads", "ntriples-one-graph", "csv", "graphml-one-report"],
)
def test_export(engine: Server, local: Path, args: tuple[str, ...]) -> None:
    here, there = both(engine, local, "export", *args)
    assert here.exit_code == there.exit_code == 0, there.output
    assert len(here.stdout_bytes) > 10_000
    if args[1] in ("nquads", "ntriples"):
        assert standard(engine, there.stdout_bytes) == standard(engine, here.stdout_bytes)
    else:
        assert there.stdout_bytes == here.stdout_bytes


def test_export_turtle_to_a_file(engine: Server, local: Path, tmp_path: Path) -> None:
    import rdflib
    from rdflib.compare import isomorphic

    files = tmp_path / "here.ttl", tmp_path / "there.ttl"
    here = cli(
        "export", "-f", "turtle", "-g", SEED_GRAPH, "-o", str(files[0]), "--store", str(local)
    )
    there = cli(
        "export", "-f", "ttl", "-g", SEED_GRAPH, "-o", str(files[1]),
        "--store", "remote", "--endpoint", engine.query,
    )  # fmt: skip
    assert here.exit_code == there.exit_code == 0, there.output
    graphs = [rdflib.Graph().parse(f, format="turtle") for f in files]
    assert len(graphs[0]) > 1000 and isomorphic(graphs[1], graphs[0])


def test_export_of_a_missing_graph_names_the_remote_graphs(engine: Server, local: Path) -> None:
    missing = SEED_GRAPH + "-nope"
    here, there = both(engine, local, "export", "--graph", missing)
    assert here.exit_code == there.exit_code == 1
    assert f"no graph <{missing}>" in there.stderr and SEED_GRAPH in there.stderr


# --------------------------------------------------------------------------- check


def test_check_json(engine: Server, local: Path) -> None:
    here, there = both(engine, local, "check", "--json")
    assert here.exit_code == there.exit_code == 1  # the test reports have findings
    assert json.loads(there.stdout) == json.loads(here.stdout)
    assert json.loads(here.stdout)["count"] > 0
    one = both(engine, local, "check", "--json", "--report", "chengdongqu-2020")
    assert one[1].stdout == one[0].stdout


def test_check_write_without_an_update_endpoint_says_what_to_do(
    engine: Server, local: Path
) -> None:
    """Updates go to the query endpoint unless told otherwise: both engines refuse them there
    (and Virtuoso wants credentials); nothing is written and the message says what to set."""
    result = cli("check", "--write", "--store", "remote", "--endpoint", engine.query)
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: the findings were not stored")
    for hint in (ENV_UPDATE_ENDPOINT, ENV_USER, ENV_PASSWORD, "without --write"):
        assert hint in lines[0]
    assert "Traceback" not in result.output
    with RemoteStore(config(engine, gsp=False)) as target:
        assert CHECKS_GRAPH not in target.graph_names()


@pytest.fixture
def restored(engine: Server, local: Path) -> Iterator[Server]:
    """The engine, given back with the pushed dataset alone after the test wrote to it."""
    try:
        yield engine
    finally:
        repush(engine, local)


def test_check_write_stores_the_findings_on_the_engine(restored: Server, local: Path) -> None:
    engine = restored
    env: dict[str, str | None] = {ENV_ENDPOINT: engine.query, ENV_UPDATE_ENDPOINT: engine.update}
    if engine.user is not None:
        env |= {ENV_USER: engine.user, ENV_PASSWORD: engine.password, ENV_AUTH: engine.auth}
    result = cli("check", "--write", "--json", "--store", "remote", env=env)
    assert result.exit_code == 1, result.output  # findings
    count = json.loads(result.stdout)["count"]
    assert f"stored {count} finding(s) in {CHECKS_GRAPH}" in result.stderr

    with open_store(local, read_only=True) as source:
        expected = source.load_into_memory()
        version = source.version()
    write_findings(expected, run_checks(expected))  # what check --write does on a local store
    there = cli("export", "-f", "nt", "-g", CHECKS_GRAPH, "--store", "remote", env=env)
    assert there.exit_code == 0, there.output
    assert standard(engine, there.stdout_bytes) == standard(engine, _ntriples(expected))

    counted = json.loads(cli("stats", "--json", "--store", "remote", env=env).stdout)
    assert counted["graphs"][CHECKS_GRAPH] == expected.count(CHECKS_GRAPH)
    assert counted["version"] != version  # a write gives the engine's dataset a new version


def _ntriples(store: Any) -> bytes:
    from fazhi_graph.export import export

    out = io.BytesIO()
    export(store, "ntriples", graph=CHECKS_GRAPH, out=out)
    return out.getvalue()
