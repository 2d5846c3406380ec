"""The graph explorer's page and API: neighbours, shortest path, export, schema view."""

from __future__ import annotations

import io

import networkx as nx
import rdflib

from fazhi_graph.namespaces import BASE

from .conftest import BODY, HTML, JSON

BODY_IRI = BASE + BODY.lstrip("/")
VENUE = BASE + "id/place/chengdongqu/qinyuanxiaoqu"


def test_graph_page(ui_client):
    r = ui_client.get("/graph", params={"focus": BODY_IRI}, headers=HTML)
    assert r.status_code == 200
    assert "/static/vendor/cytoscape/cytoscape.min.js" in r.text
    assert 'id="graph-config"' in r.text and "quzhengfu" in r.text
    default = ui_client.get("/graph", headers=HTML).text  # no start: a report's body
    assert '"focus": "https://' in default
    data = ui_client.get("/graph.json").json()
    assert data["nodes"] > 100 and data["edges"] > 100


def test_neighbours_paging(ui_client):
    first = ui_client.get("/api/graph/neighbours", params={"iri": BODY_IRI, "limit": 5}).json()
    assert first["node"]["id"] == BODY_IRI and first["node"]["kind"] == "body"
    assert len(first["nodes"]) == 5 and first["more"] == first["total"] - 5
    ids = {n["id"] for n in first["nodes"]}
    assert all(e["source"] in ids | {BODY_IRI} and e["target"] in ids | {BODY_IRI}
               for e in first["edges"])
    second = ui_client.get("/api/graph/neighbours",
                           params={"iri": BODY_IRI, "limit": 5, "offset": 5}).json()
    assert not ids & {n["id"] for n in second["nodes"]}
    twin = ui_client.get("/graph.json", params={"focus": BODY_IRI}).json()
    assert twin["total"] == first["total"]


def test_neighbours_kind_filter(ui_client):
    data = ui_client.get("/api/graph/neighbours",
                         params={"iri": BODY_IRI, "kind": "document", "limit": 100}).json()
    assert data["total"] >= 1 and {n["kind"] for n in data["nodes"]} == {"document"}


def test_unknown_node(ui_client):
    r = ui_client.get("/api/graph/neighbours", params={"iri": BASE + "id/nothing"})
    assert r.status_code == 404 and r.json()["ok"] is False
    r = ui_client.get("/api/graph/neighbours", params={"iri": BODY_IRI, "limit": 0})
    assert r.status_code == 400 and r.json()["status"] == 400


def test_shortest_path_with_sentences(ui_client):
    r = ui_client.get("/api/graph/path", params={"from": BODY_IRI, "to": VENUE})
    data = r.json()
    assert data["found"] and data["nodes"][0]["id"] == BODY_IRI
    assert data["nodes"][-1]["id"] == VENUE
    assert len(data["steps"]) == len(data["nodes"]) - 1
    for step in data["steps"]:
        assert step["label"]
    assert any(s["sentences"] for s in data["steps"])
    sentence = next(s for step in data["steps"] for s in step["sentences"])
    assert sentence["reader"].startswith("/reports/") and sentence["quote"]


def test_no_path_between_reports_of_different_areas_is_reported(ui_client):
    a = BASE + "id/place/chengdongqu"
    r = ui_client.get("/api/graph/path", params={"from": a, "to": a}).json()
    assert r["found"] and r["steps"] == []


def test_export_turtle_and_graphml(ui_client):
    page = ui_client.get("/api/graph/neighbours", params={"iri": BODY_IRI, "limit": 6}).json()
    nodes = [BODY_IRI, *(n["id"] for n in page["nodes"])]
    edges = [{"source": e["source"], "predicate": e["predicate"], "target": e["target"]}
             for e in page["edges"]]
    edges.append({"source": BODY_IRI, "predicate": BASE + "ontology#invented",
                  "target": nodes[1]})  # not in the data: must not be exported
    body = {"nodes": [*nodes, BASE + "id/not-there"], "edges": edges}
    ttl = ui_client.post("/api/graph/export?format=turtle", json=body)
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=ttl.text, format="turtle")
    assert (rdflib.URIRef(BODY_IRI), rdflib.RDFS.label, None) in g
    assert not list(g.triples((None, rdflib.URIRef(BASE + "ontology#invented"), None)))
    assert len(list(g.triples((None, None, None)))) > len(page["edges"])
    gml = ui_client.post("/api/graph/export?format=graphml", json=body)
    assert gml.status_code == 200
    net = nx.read_graphml(io.BytesIO(gml.content))
    assert net.number_of_nodes() == len(nodes)
    assert net.number_of_edges() == len(page["edges"])
    assert net.nodes[BODY_IRI]["label_zh"] == "城东区人民政府"


def test_export_bad_requests(ui_client):
    r = ui_client.post("/api/graph/export?format=turtle", content=b"not json", headers=JSON)
    assert r.status_code == 400 and r.json()["ok"] is False
    r = ui_client.post("/api/graph/export?format=pdf", json={"nodes": []})
    assert r.status_code == 400


def test_nodes_endpoint(ui_client):
    data = ui_client.post("/api/graph/nodes", json={"nodes": [BODY_IRI, BASE + "x"]}).json()
    assert [n["kind"] for n in data["nodes"]] == ["body", "other"]


def test_schema_graph(ui_client):
    data = ui_client.get("/api/graph/schema").json()
    ids = {n["id"] for n in data["nodes"]}
    assert BASE + "ontology#PublicBody" in ids
    assert any(e["subclass"] for e in data["edges"])
    assert any(e["curie"] == "fz:responsibleBody" for e in data["edges"])
