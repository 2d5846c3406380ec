"""SERVICE and LOAD are refused unless allow-listed; lookalikes are not."""

from __future__ import annotations

import pytest

from fazhi_graph.errors import QueryRefusedError
from fazhi_graph.web.guard import check_federation

REFUSED = [
    "SELECT * { SERVICE <http://x.org/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://x.org/sparql> { ?s ?p ?o } }",
    "SELECT * { ?s ?p ?o .SERVICE <http://x.org/sparql> { ?s ?p ?o } }",
    "SELECT * { FILTER(?a<?b)SERVICE<http://x.org/sparql>{ ?s ?p ?o } }",
    "PREFIX x: <http://x.org/> SELECT * { SERVICE x:sparql { ?s ?p ?o } }",
    "BASE <http://x.org/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
    "SELECT * { SERVICE ?endpoint { ?s ?p ?o } }",
    "SELECT * {\n  # a comment\n  SERVICE\n<http://x.org/sparql> { ?s ?p ?o } }",
    "LOAD <http://x.org/data.ttl>",
    "LOAD SILENT <http://x.org/data.ttl> INTO GRAPH <http://g>",
]
ALLOWED = [
    "SELECT * { ?service ?p 'SERVICE' }",
    "SELECT * { ?s <http://x.org/SERVICE> $service }",
    "PREFIX service: <http://x.org/> SELECT * { ?s service:SERVICE ?o }",
    'SELECT * { ?s ?p """\nSERVICE <http://x.org/> { }\n""" }',
    "SELECT * { ?s ?p ?o } # SERVICE <http://x.org/sparql>",
    "SELECT * { ?s ?p ?o . ?s ex:load ?x }",
]


@pytest.mark.parametrize("query", REFUSED)
def test_refused(query: str) -> None:
    with pytest.raises(QueryRefusedError, match="refused"):
        check_federation(query, ())


@pytest.mark.parametrize("query", ALLOWED)
def test_lookalikes_pass(query: str) -> None:
    check_federation(query, ())


def test_allow_list_exact_and_prefix() -> None:
    query = "PREFIX x: <http://x.org/> SELECT * { SERVICE x:sparql { ?s ?p ?o } }"
    check_federation(query, ("http://x.org/sparql",))
    check_federation(query, ("http://x.org/*",))
    with pytest.raises(QueryRefusedError, match=r"allowed endpoints are: http://y\.org/sparql"):
        check_federation(query, ("http://y.org/sparql",))


def test_variable_endpoint_refused_even_with_allow_list() -> None:
    with pytest.raises(QueryRefusedError):
        check_federation("SELECT * { SERVICE ?e { ?s ?p ?o } }", ("http://x.org/*",))


def test_predeclared_prefixes_are_resolved() -> None:
    query = "SELECT * { SERVICE ext:sparql { ?s ?p ?o } }"
    check_federation(query, ("http://x.org/sparql",), prefixes={"ext": "http://x.org/"})
