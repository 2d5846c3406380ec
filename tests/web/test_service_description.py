"""GET /sparql without a query: the SPARQL service description."""

from __future__ import annotations

import pytest
import rdflib
from rdflib import Literal, URIRef

from fazhi_graph.web.routes.service_description import SD, SERVICE

from .conftest import REPORT_A, REPORT_B, VOCAB, TestClient
from .test_sparql_endpoint import assert_error, media

FORMATS = "http://www.w3.org/ns/formats/"


def description(
    client: TestClient, accept: str = "text/turtle", fmt: str = "turtle"
) -> rdflib.Graph:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200 and media(response) == accept
    return rdflib.Graph().parse(data=response.content, format=fmt)


def test_service_description_content(client: TestClient) -> None:
    g = description(client)
    service = next(g.subjects(rdflib.RDF.type, SD.Service))
    assert str(service).endswith("/sparql")
    assert (service, SD.feature, SD.UnionDefaultGraph) in g
    assert (service, SD.feature, SD.BasicFederatedQuery) not in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g
    formats = set(g.objects(service, SD.resultFormat))
    assert URIRef(FORMATS + "SPARQL_Results_JSON") in formats
    assert URIRef(FORMATS + "Turtle") in formats
    names = set(g.objects(None, SD.name))
    assert {URIRef(REPORT_A), URIRef(REPORT_B), URIRef(VOCAB)} <= names
    assert g.value(service, SERVICE.queryTimeoutSeconds).toPython() == 2  # type: ignore[union-attr]
    assert g.value(service, SERVICE.defaultRowLimit) == Literal(50)
    assert g.value(service, SERVICE.readOnly).toPython() is True  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("text/n3", "n3"),
    ],
)
def test_service_description_formats(client: TestClient, accept: str, fmt: str) -> None:
    g = description(client, accept, fmt)
    assert any(g.subjects(rdflib.RDF.type, SD.Service))


def test_service_description_defaults_to_turtle(client: TestClient) -> None:
    assert media(client.get("/sparql")) == "text/turtle"
    assert media(client.get("/sparql", headers={"Accept": "*/*"})) == "text/turtle"


def test_service_description_406_and_head(client: TestClient) -> None:
    assert_error(client.get("/sparql", headers={"Accept": "text/csv"}), 406, "RDF")
    head = client.head("/sparql")
    assert head.status_code == 200 and head.content == b""
