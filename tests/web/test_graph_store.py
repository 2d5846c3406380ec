"""/store: the Graph Store Protocol read side (and writes refused when read-only)."""

from __future__ import annotations

import pytest
import rdflib
from rdflib.compare import isomorphic

from fazhi_graph.settings import Settings
from fazhi_graph.store import Store

from .conftest import OBSERVATIONS_A, REPORT_A, REPORT_B, VOCAB, TestClient, make_client
from .test_sparql_endpoint import assert_error, media


def test_one_graph_as_turtle_is_the_graph_we_stored(
    client: TestClient, web_graphs: list[tuple[str, rdflib.Graph]]
) -> None:
    response = client.get("/store", params={"graph": VOCAB})
    assert response.status_code == 200 and media(response) == "text/turtle"
    got = rdflib.Graph().parse(data=response.content, format="turtle")
    assert isomorphic(got, dict(web_graphs)[VOCAB])


def test_graph_formats_are_negotiated(client: TestClient) -> None:
    for accept, fmt in [
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("application/ld+json", "json-ld"),
    ]:
        response = client.get("/store", params={"graph": REPORT_A}, headers={"Accept": accept})
        assert media(response) == accept
        graph = rdflib.Graph().parse(data=response.content, format=fmt)
        assert len(graph) == 3 + 4 * OBSERVATIONS_A


def test_default_graph_is_the_store_default_not_the_union(client: TestClient) -> None:
    response = client.get("/store?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and response.content.strip() == b""


def test_whole_dataset(client: TestClient) -> None:
    trig = client.get("/store")
    assert media(trig) == "application/trig"
    dataset = rdflib.Dataset().parse(data=trig.content, format="trig")
    names = {str(g.identifier) for g in dataset.graphs()}
    assert {REPORT_A, REPORT_B, VOCAB} <= names
    nquads = client.get("/store", headers={"Accept": "application/n-quads"})
    assert media(nquads) == "application/n-quads"
    assert len(nquads.text.strip().splitlines()) == sum(1 for _ in dataset.quads())


def test_errors(client: TestClient) -> None:
    assert_error(client.get("/store", params={"graph": "http://nope.example/g"}), 404, "no graph")
    assert_error(client.get("/store", params={"graph": "not an iri"}), 400, "IRI")
    assert_error(client.get(f"/store?default&graph={REPORT_A}"), 400, "either")
    assert_error(client.get("/store", headers={"Accept": "text/turtle"}), 406, "trig")
    assert_error(
        client.get("/store", params={"graph": REPORT_A}, headers={"Accept": "text/csv"}), 406
    )


def test_head_etag_and_304(client: TestClient) -> None:
    head = client.head("/store", params={"graph": REPORT_B})
    assert head.status_code == 200 and head.content == b""
    assert int(head.headers["content-length"]) > 0
    etag = head.headers["etag"]
    again = client.get("/store", params={"graph": REPORT_B}, headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_writes_refused_when_read_only(client: TestClient) -> None:
    turtle = b"<http://x/s> <http://x/p> <http://x/o> ."
    headers = {"Content-Type": "text/turtle"}
    assert_error(
        client.put("/store", params={"graph": REPORT_A}, content=turtle, headers=headers),
        403,
        "read-only",
    )
    assert_error(
        client.post("/store", params={"graph": REPORT_A}, content=turtle, headers=headers), 403
    )
    assert_error(client.delete("/store", params={"graph": REPORT_A}), 403)
    assert client.get("/store", params={"graph": REPORT_A}).status_code == 200


def test_big_dumps_are_spooled_to_a_file_and_removed(
    monkeypatch: pytest.MonkeyPatch, memory_store: Store, web_settings: Settings
) -> None:
    import fazhi_graph.web.render as render

    monkeypatch.setattr(render, "SPILL_BYTES", 100)  # forked workers inherit it
    with make_client(memory_store, web_settings) as client:
        spool = client.app.state.fazhi.executor._spool  # type: ignore[attr-defined]
        response = client.get("/store", headers={"Accept": "application/n-quads"})
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == len(response.content) > 100
        head = client.head("/store", params={"graph": REPORT_A})
        assert head.status_code == 200 and int(head.headers["content-length"]) > 100
        assert list(spool.iterdir()) == []  # the spooled files are gone after sending
