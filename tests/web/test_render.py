"""Worker-side serialisation: row cap, truncation flag, every format, dumps."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

import pyoxigraph as ox
import pytest
import rdflib

from fazhi_graph.errors import FazhiError
from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.store import Store
from fazhi_graph.web import render
from fazhi_graph.web.errors import NotAcceptableError, NotFoundError
from fazhi_graph.web.render import DumpRequest, QueryRequest, run_dump, run_query

from .conftest import OBSERVATIONS_A, REPORT_A

OBS_A = f"SELECT ?o ?v WHERE {{ GRAPH <{REPORT_A}> {{ ?o rdf:value ?v }} }} ORDER BY ?v"


def req(
    query: str, results: str | None = "json", graphs: str | None = "turtle", max_rows: int = 50
) -> QueryRequest:
    return QueryRequest(query, results, graphs, max_rows, prefixes=PREFIXES)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_select_capped_in_every_format(memory_store: Store, fmt: str) -> None:
    outcome = run_query(memory_store, req(OBS_A, fmt, None, max_rows=7))
    assert outcome.form == "solutions" and outcome.truncated and outcome.rows == 7
    if fmt == "csv":
        assert outcome.body.count(b"\r\n") == 1 + 7
        return
    media = {
        "json": "application/sparql-results+json",
        "xml": "application/sparql-results+xml",
        "tsv": "text/tab-separated-values",
    }[fmt]
    parsed = ox.parse_query_results(
        outcome.body, format=ox.QueryResultsFormat.from_media_type(media)
    )
    assert isinstance(parsed, ox.QuerySolutions)
    assert len(list(parsed)) == 7


def test_json_truncated_field(memory_store: Store) -> None:
    capped = json.loads(run_query(memory_store, req(OBS_A, max_rows=10)).body)
    assert capped["truncated"] is True
    assert len(capped["results"]["bindings"]) == 10
    assert [b["v"]["value"] for b in capped["results"]["bindings"]] == [str(i) for i in range(10)]
    whole = json.loads(run_query(memory_store, req(OBS_A, max_rows=OBSERVATIONS_A)).body)
    assert whole["truncated"] is False
    assert len(whole["results"]["bindings"]) == OBSERVATIONS_A


def test_exact_cap_is_not_truncated(memory_store: Store) -> None:
    outcome = run_query(memory_store, req(OBS_A + " LIMIT 5", max_rows=5))
    assert outcome.rows == 5 and not outcome.truncated


def test_terms_survive_the_tsv_round_trip(memory_store: Store) -> None:
    query = (
        "SELECT ?iri ?lang ?int ?bnode ?unbound WHERE { BIND(<http://e.org/x> AS ?iri) "
        'BIND("换行\\n\\t\\"引号\\""@zh AS ?lang) BIND(42 AS ?int) BIND(BNODE() AS ?bnode) }'
    )
    direct = memory_store.query(query)
    assert isinstance(direct, ox.QuerySolutions)
    expected = json.loads(direct.serialize(format=ox.QueryResultsFormat.JSON) or b"")
    got = json.loads(run_query(memory_store, req(query)).body)
    row, want = got["results"]["bindings"][0], expected["results"]["bindings"][0]
    assert got["head"] == expected["head"]
    for var in ("iri", "lang", "int"):
        assert row[var] == want[var]
    assert row["bnode"]["type"] == "bnode" and "unbound" not in row


def test_ask(memory_store: Store) -> None:
    outcome = run_query(memory_store, req("ASK { ?s a qb:Observation }", "xml"))
    assert outcome.form == "boolean" and b"<boolean>true</boolean>" in outcome.body


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "jsonld", "rdfxml", "trig", "nquads", "n3"])
def test_construct_capped_in_every_format(memory_store: Store, fmt: str) -> None:
    query = f"CONSTRUCT {{ ?o rdf:value ?v }} WHERE {{ GRAPH <{REPORT_A}> {{ ?o rdf:value ?v }} }}"
    outcome = run_query(memory_store, req(query, None, fmt, max_rows=9))
    assert outcome.form == "graph" and outcome.truncated and outcome.rows == 9
    rdflib_format = {
        "turtle": "turtle",
        "ntriples": "nt",
        "jsonld": "json-ld",
        "rdfxml": "xml",
        "trig": "trig",
        "nquads": "nquads",
        "n3": "n3",
    }[fmt]
    graph = rdflib.Dataset() if fmt in ("trig", "nquads") else rdflib.Graph()
    graph.parse(data=outcome.body, format=rdflib_format)
    assert len(graph) == 9 or sum(1 for _ in graph.quads()) == 9


def test_turtle_uses_only_needed_prefixes(memory_store: Store) -> None:
    query = "CONSTRUCT WHERE { ?c a skos:Concept }"
    body = run_query(memory_store, req(query)).body.decode()
    assert "@prefix skos:" in body and "@prefix qb:" not in body


def test_not_acceptable_names_the_query_form(memory_store: Store) -> None:
    with pytest.raises(NotAcceptableError, match="SELECT"):
        run_query(memory_store, req("SELECT * {}", None, "turtle"))
    with pytest.raises(NotAcceptableError, match="CONSTRUCT"):
        run_query(memory_store, req("CONSTRUCT WHERE { ?s ?p ?o }", "json", None))


def test_dump_graph_and_missing_graph(memory_store: Store) -> None:
    chunks: list[bytes] = []
    run_dump(memory_store, DumpRequest(REPORT_A, "ntriples"), chunks.append)
    graph = rdflib.Graph().parse(data=b"".join(chunks), format="nt")
    assert len(graph) == 3 + 4 * OBSERVATIONS_A
    with pytest.raises(NotFoundError):
        run_dump(memory_store, DumpRequest("http://nope.example/g", "turtle"), chunks.append)


# --------------------------------------------------------------------------- spooled answers

ALL_TRIPLES = "CONSTRUCT WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(("query", "results", "graphs"), [
    (OBS_A, "json", None), (OBS_A, "xml", None), (OBS_A, "csv", None), (OBS_A, "tsv", None),
    (ALL_TRIPLES, None, "turtle"), (ALL_TRIPLES, None, "ntriples"), (ALL_TRIPLES, None, "jsonld"),
])
def test_big_answers_go_to_a_spool_file_with_the_same_bytes(
    monkeypatch: pytest.MonkeyPatch, memory_store: Store, tmp_path: Path,
    query: str, results: str | None, graphs: str | None,
) -> None:
    request = req(query, results, graphs, max_rows=40)
    in_memory = run_query(memory_store, request)
    assert in_memory.path is None and len(in_memory.body) > 200
    monkeypatch.setattr(render, "SPILL_BYTES", 64)
    spooled = run_query(memory_store, request, str(tmp_path))
    assert spooled.path is not None and spooled.body == b""
    assert Path(spooled.path).read_bytes() == in_memory.body
    assert (spooled.rows, spooled.truncated) == (in_memory.rows, in_memory.truncated)
    # the intermediate TSV / N-Triples file is gone: only the answer is left
    assert [p.name for p in tmp_path.iterdir()] == [Path(spooled.path).name]
    assert Path(spooled.path).name.startswith(render.spool_prefix(os.getpid()))


def test_small_answers_stay_in_memory_even_with_a_spool(memory_store: Store, tmp_path: Path
                                                         ) -> None:
    outcome = run_query(memory_store, req(OBS_A, max_rows=3), str(tmp_path))
    assert outcome.path is None and json.loads(outcome.body)["truncated"] is True
    assert list(tmp_path.iterdir()) == []


def test_a_query_failing_midway_leaves_no_spool_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The engine writes part of an answer (past the spill limit, so into a file), then fails:
    a clear error, and nothing left in the spool."""
    monkeypatch.setattr(render, "SPILL_BYTES", 16)

    def serialize(out: IO[bytes]) -> None:
        out.write(b"?x\n" + b'"row"\n' * 20)
        raise OSError("the engine failed")

    with pytest.raises(FazhiError, match="failed while it was evaluated"):
        render._capture(serialize, 100, str(tmp_path))
    assert list(tmp_path.iterdir()) == []
