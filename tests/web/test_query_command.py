"""``fazhi-graph query`` as a library (fazhi_graph.sparql) and as a Typer command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
import typer
from typer.testing import CliRunner

from fazhi_graph.errors import FormatError, QueryError, QuerySyntaxError
from fazhi_graph.sparql import load_query, parse_header, run_query, saved_queries
from fazhi_graph.store import Store, build_store
from fazhi_graph.web.cli_query import query_command

from .conftest import OBSERVATIONS_A, OBSERVATIONS_B

SAVED = """# title@zh: 各指标观测数
# title@en: Observations per indicator
# description: Counts observations per indicator, most first.
SELECT ?indicator (COUNT(*) AS ?n) WHERE { ?o fz:indicator ?indicator }
GROUP BY ?indicator ORDER BY DESC(?n) ?indicator
"""


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, web_graphs: list[tuple[str, rdflib.Graph]]
) -> Path:
    root = tmp_path_factory.mktemp("project")
    (root / "queries").mkdir()
    (root / "queries" / "per_indicator.rq").write_text(SAVED, encoding="utf-8")
    build_store(root / "var" / "store", web_graphs)
    return root


def test_saved_queries_and_headers(project: Path) -> None:
    saved = saved_queries(project / "queries")
    query = saved["per_indicator"]
    assert (query.title_zh, query.title_en) == ("各指标观测数", "Observations per indicator")
    assert query.description == "Counts observations per indicator, most first."
    assert load_query("per_indicator", project / "queries") == query
    assert load_query(str(query.path), project / "queries").name == "per_indicator"
    with pytest.raises(QueryError, match="saved queries: per_indicator"):
        load_query("nope", project / "queries")
    assert parse_header("SELECT * {}") == {}


def test_run_query_formats(memory_store: Store) -> None:
    table = run_query(memory_store, SAVED)
    assert "fzd:indicator/0" in table and table.endswith("5 rows\n")
    csv_text = run_query(memory_store, SAVED, fmt="csv")
    assert csv_text.splitlines()[0] == "indicator,n"
    assert run_query(memory_store, SAVED, fmt="tsv").splitlines()[0] == "?indicator\t?n"
    data = json.loads(run_query(memory_store, SAVED, fmt="json"))
    assert sum(int(b["n"]["value"]) for b in data["results"]["bindings"]) == (
        OBSERVATIONS_A + OBSERVATIONS_B
    )
    assert run_query(memory_store, "ASK { ?s ?p ?o }") == "true\n"
    turtle = run_query(memory_store, "CONSTRUCT WHERE { ?c a skos:Concept }", fmt="turtle")
    assert "@prefix skos:" in turtle and len(rdflib.Graph().parse(data=turtle)) == 5
    assert "5 rows" in run_query(memory_store, "CONSTRUCT WHERE { ?c a skos:Concept }")
    assert run_query(memory_store, SAVED, max_rows=2).endswith("2 rows\n")


def test_run_query_errors(memory_store: Store) -> None:
    with pytest.raises(FormatError, match="available formats"):
        run_query(memory_store, SAVED, fmt="turtle")
    with pytest.raises(FormatError):
        run_query(memory_store, "CONSTRUCT WHERE { ?s ?p ?o }", fmt="csv")
    with pytest.raises(FormatError):
        run_query(memory_store, SAVED, fmt="xlsx")
    with pytest.raises(QuerySyntaxError, match="1:"):
        run_query(memory_store, "SELECT ?x WHERE {")


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    app.command("query")(query_command)

    @app.command("version")
    def version() -> None:  # a second command, so "query" stays a subcommand
        """Print nothing."""

    return app


def run(cli: typer.Typer, project: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        cli, ["query", *args], env={"FAZHI_HOME": str(project), "FAZHI_STORE": ""}
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout


def test_cli_saved_query_expression_and_list(cli: typer.Typer, project: Path) -> None:
    code, out = run(cli, project, "per_indicator", "--format", "csv")
    assert code == 0 and out.splitlines()[0] == "indicator,n"
    code, out = run(cli, project, "-e", "ASK { ?s a qb:Observation }")
    assert code == 0 and out == "true\n"
    code, out = run(cli, project, str(project / "queries" / "per_indicator.rq"), "-f", "json")
    assert code == 0 and json.loads(out)["head"]["vars"] == ["indicator", "n"]
    code, out = run(cli, project, "--list")
    assert code == 0 and out.startswith("per_indicator\t各指标观测数 / Observations")


def test_cli_errors_raise_library_errors(cli: typer.Typer, project: Path) -> None:
    with pytest.raises(QueryError, match="exactly one query"):
        run(cli, project)
    with pytest.raises(QueryError, match="no saved query"):
        run(cli, project, "missing")
    with pytest.raises(FormatError):
        run(cli, project, "-e", "ASK {}", "--format", "yaml")
