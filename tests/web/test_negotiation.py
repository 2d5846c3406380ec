"""Content negotiation: q-values, wildcards, aliases, the format= override."""

from __future__ import annotations

import pytest

from fazhi_graph.web.negotiation import (
    DATASET_FORMATS,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    is_known_format,
    negotiate,
    parse_accept,
    pick_override,
)

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
SPARQLWRAPPER_JSON = (
    "application/sparql-results+json,application/json,text/javascript,application/javascript"
)
SPARQLWRAPPER_N3 = (
    "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3"
)
RDFLIB_XML = "application/sparql-results+xml, application/rdf+xml"


@pytest.mark.parametrize(
    ("accept", "results", "graphs"),
    [
        (None, "json", "turtle"),
        ("", "json", "turtle"),
        ("*/*", "json", "turtle"),
        ("*", "json", "turtle"),
        ("garbage", "json", "turtle"),
        (SPARQLWRAPPER_JSON, "json", "jsonld"),
        (SPARQLWRAPPER_N3, None, "turtle"),
        (RDFLIB_XML, "xml", "rdfxml"),
        (BROWSER, "xml", "rdfxml"),
        ("application/sparql-results+xml;q=0.5, text/csv", "csv", None),
        ("text/*;q=0.9, application/*;q=0.5", "csv", "turtle"),
        ("text/tab-separated-values, text/csv", "tsv", None),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.6", "tsv", None),
        ("application/json", "json", "jsonld"),
        ("Application/SPARQL-Results+JSON; charset=utf-8", "json", None),
        ("text/turtle;q=0, */*;q=0.1", "json", "ntriples"),
        ("application/n-quads, application/trig;q=0.9", None, "nquads"),
        ("text/html", None, None),
        ("image/png, */*;q=0", None, None),
        ("application/ld+json;q=0.8, text/turtle;q=0.8", None, "jsonld"),
    ],
)
def test_negotiate(accept: str | None, results: str | None, graphs: str | None) -> None:
    got_results = negotiate(accept, RESULT_FORMATS)
    got_graphs = negotiate(accept, GRAPH_FORMATS)
    assert (got_results.key if got_results else None) == results
    assert (got_graphs.key if got_graphs else None) == graphs


def test_dataset_formats_default_to_trig() -> None:
    assert negotiate(None, DATASET_FORMATS).key == "trig"  # type: ignore[union-attr]
    assert negotiate("application/n-quads", DATASET_FORMATS).key == "nquads"  # type: ignore[union-attr]
    assert negotiate("text/turtle", DATASET_FORMATS) is None


def test_parse_accept_handles_bad_q_and_params() -> None:
    ranges = parse_accept("text/csv;q=abc, text/tsv;level=1;q=0.7, text/x;q=5")
    assert [(r.subtype, r.q) for r in ranges] == [("csv", 0.0), ("tsv", 0.7), ("x", 1.0)]


@pytest.mark.parametrize(
    ("values", "results", "graphs"),
    [
        (["json"], "json", "jsonld"),
        (["xml"], "xml", "rdfxml"),
        (["csv"], "csv", None),
        (["tsv", "text/tab-separated-values"], "tsv", None),
        (["turtle"], None, "turtle"),
        (["n3"], None, "n3"),
        (["json-ld", "application/ld+json"], None, "jsonld"),
        (["rdf+xml", "application/rdf+xml"], None, "rdfxml"),
        (["text/csv"], "csv", None),
        (["nt"], None, "ntriples"),
    ],
)
def test_format_override(values: list[str], results: str | None, graphs: str | None) -> None:
    got_results = pick_override(values, RESULT_FORMATS)
    got_graphs = pick_override(values, GRAPH_FORMATS)
    assert (got_results.key if got_results else None) == results
    assert (got_graphs.key if got_graphs else None) == graphs


def test_unknown_format_names() -> None:
    assert not is_known_format("html")
    assert is_known_format("TURTLE")
