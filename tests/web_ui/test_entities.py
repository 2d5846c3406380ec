"""Entity pages: every minted IRI dereferences, with HTML, JSON and RDF twins."""

from __future__ import annotations

import json
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib

from fazhi_graph.namespaces import BASE

from .conftest import BODY, HTML, JSON, SEED_ID


def test_body_page_html(ui_client):
    r = ui_client.get(BODY, headers=HTML)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "Accept" in r.headers["vary"]
    html = r.text
    assert "城东区人民政府" in html
    assert "Chengdong District People&#39;s Government" in html  # curated English name
    assert "Chéngdōngqūrénmínzhèngfǔ" in html  # pinyin
    assert 'href="/ontology#PublicBody"' in html  # type links to the ontology anchor
    assert "责任主体" in html or "responsible body" in html  # inverse relation, ontology label
    assert "/reports/" + SEED_ID + "#char-" in html  # source sentences link into the reader


def test_page_lists_inverse_relations_with_counts(ui_client):
    data = ui_client.get(BODY + ".json").json()
    assert data["ok"] is True
    inverse = {g["property"]["iri"].rsplit("#", 1)[-1]: g for g in data["inverse"]}
    assert inverse["responsibleBody"]["count"] >= 5
    assert inverse["mentions"]["count"] == len(inverse["mentions"]["items"]) or \
        inverse["mentions"]["count"] > 50
    impl = inverse["responsibleBody"]["items"][0]
    assert impl["sources"] and impl["sources"][0]["reader"].startswith(f"/reports/{SEED_ID}#char-")


def test_labels_in_three_forms(ui_client):
    label = ui_client.get(BODY + ".json").json()["label"]
    assert label == {"zh": "城东区人民政府", "en": "Chengdong District People's Government",
                     "pinyin": "Chéngdōngqūrénmínzhèngfǔ"}


def test_property_labels_come_from_the_ontology(ui_client):
    props = ui_client.get(BODY + ".json").json()["properties"]
    by_iri = {p["property"]["iri"]: p["property"]["label"] for p in props}
    jurisdiction = by_iri[BASE + "ontology#jurisdiction"]
    assert jurisdiction["en"] and jurisdiction["zh"]
    assert by_iri["http://www.w3.org/2004/02/skos/core#prefLabel"]["en"] == "preferred label"


@pytest.mark.parametrize(("suffix", "accept", "media", "fmt"), [
    (".ttl", None, "text/turtle", ox.RdfFormat.TURTLE),
    (".nt", None, "application/n-triples", ox.RdfFormat.N_TRIPLES),
    (".jsonld", None, "application/ld+json", ox.RdfFormat.JSON_LD),
    ("", "text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("", "application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("", "application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
])
def test_rdf_twins(ui_client, suffix, accept, media, fmt):
    headers = {"Accept": accept} if accept else {}
    r = ui_client.get(BODY + suffix, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    triples = list(ox.parse(r.content, format=fmt))
    subject = ox.NamedNode(BASE + BODY.lstrip("/"))
    mine = [t for t in triples if t.subject == subject]
    assert any(t.predicate.value.endswith("#jurisdiction") for t in mine)
    assert any(t.object == subject for t in triples)  # inverse triples are included


def test_turtle_twin_parses_with_rdflib(ui_client):
    g = rdflib.Graph().parse(data=ui_client.get(BODY + ".ttl").text, format="turtle")
    assert (rdflib.URIRef(BASE + BODY.lstrip("/")), None, None) in g


def test_json_twin_by_accept(ui_client):
    r = ui_client.get(BODY, headers=JSON)
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["kind"] == "body"


def test_unknown_iri_is_404_json(ui_client):
    r = ui_client.get("/id/org/nowhere/nobody", headers=JSON)
    assert r.status_code == 404
    body = r.json()
    assert body["ok"] is False and body["status"] == 404 and "nowhere" in body["error"]


def test_unknown_iri_is_404_html_for_browsers(ui_client):
    r = ui_client.get("/id/org/nowhere/nobody", headers=HTML)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert 'data-status="404"' in r.text


def test_unknown_iri_rdf_is_404(ui_client):
    assert ui_client.get("/id/org/nowhere/nobody.ttl").status_code == 404


def test_not_acceptable(ui_client):
    r = ui_client.get(BODY, headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert r.json()["status"] == 406


def test_sentence_page_links_into_reader(ui_client):
    data = ui_client.get(f"/id/text/{SEED_ID}/char/3328-3403.json").json()
    assert data["reader"] == f"/reports/{SEED_ID}#char-3328-3403"
    stated = [g for g in data["inverse"] if g["property"]["iri"].endswith("#statedIn")]
    assert stated and stated[0]["count"] >= 1  # the facts stated in the sentence


def test_fact_page_shows_source_sentence(ui_client):
    r = ui_client.get(f"/id/text/{SEED_ID}/char/3328-3403.json").json()
    fact = next(g for g in r["inverse"] if g["property"]["iri"].endswith("#statedIn"))
    url = fact["items"][0]["url"]
    page = ui_client.get(url + ".json").json()
    assert page["sources"][0]["reader"] == f"/reports/{SEED_ID}#char-3328-3403"
    html = ui_client.get(url, headers=HTML).text
    assert f'href="/reports/{SEED_ID}#char-3328-3403"' in html


def test_report_page_links_to_reader(ui_client):
    data = ui_client.get(f"/id/report/{SEED_ID}.json").json()
    assert data["reader"] == f"/reports/{SEED_ID}"


def test_concept_page_has_narrower(ui_client):
    data = ui_client.get("/vocab/area/A1.json").json()
    assert data["label"]["zh"] == "依法全面履行政府职能"
    props = {p["property"]["iri"].rsplit("#", 1)[-1] for p in data["properties"]}
    assert "narrower" in props or any(g["property"]["iri"].endswith("#broader")
                                      for g in data["inverse"])
    assert data["definition"]["en"]


def test_scheme_page_lists_concepts(ui_client):
    data = ui_client.get("/vocab/area/scheme.json").json()
    in_scheme = [g for g in data["inverse"] if g["property"]["iri"].endswith("#inScheme")]
    assert in_scheme and in_scheme[0]["count"] >= 8


def test_class_page_lists_instances(ui_client):
    iri = BASE + "ontology#PublicBody"
    r = ui_client.get("/resource.json?iri=" + quote(iri, safe=""))
    data = r.json()
    instances = next(g for g in data["inverse"] if g["property"]["iri"].endswith("#type"))
    assert instances["count"] >= 13
    subclass = [g for g in data["properties"] if g["property"]["iri"].endswith("#subClassOf")]
    assert subclass


def test_inverse_paging(ui_client):
    iri = BASE + "ontology#Indicator"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    r = ui_client.get("/resource.json", params={"iri": iri, "inverse": rdf_type, "offset": 5})
    data = r.json()
    assert data["count"] > 100 and data["offset"] == 5 and len(data["items"]) > 50
    html = ui_client.get("/resource", params={"iri": iri, "inverse": rdf_type, "offset": 100},
                         headers=HTML)
    assert html.status_code == 200 and "offset=0" in html.text  # a link to the previous page


def test_ontology_document_page(ui_client):
    r = ui_client.get("/ontology", headers=HTML)
    assert r.status_code == 200
    assert 'id="PublicBody"' in r.text and 'id="statedIn"' in r.text
    data = ui_client.get("/ontology.json").json()
    assert any(c["term"]["iri"].endswith("#PublicBody") and c["instances"] >= 13
               for c in data["classes"])
    g = rdflib.Graph().parse(data=ui_client.get("/ontology.ttl").text, format="turtle")
    assert len(g) > 500


def test_shapes_document(ui_client):
    assert ui_client.get("/shapes", headers=HTML).status_code == 200
    assert ui_client.get("/shapes.nt").headers["content-type"].startswith("application/n-triples")


def test_named_graph_page(ui_client):
    r = ui_client.get(f"/graph/report/{SEED_ID}", headers=HTML)
    assert r.status_code == 200 and "/store?graph=" in r.text
    assert ui_client.get(f"/graph/report/{SEED_ID}.json").json()["graph_size_json"] > 1000
    r = ui_client.get(f"/graph/report/{SEED_ID}.ttl", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/store?graph=")
    assert ui_client.get("/graph/report/nope", headers=JSON).status_code == 404


def test_resource_redirects_our_iris(ui_client):
    r = ui_client.get("/resource", params={"iri": BASE + BODY.lstrip("/")},
                      follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == BODY


def test_resource_rejects_non_iris(ui_client):
    r = ui_client.get("/resource", params={"iri": "javascript:alert(1)"}, headers=JSON)
    assert r.status_code == 400 and r.json()["ok"] is False


def test_external_term_page(ui_client):
    r = ui_client.get("/resource.json", params={"iri": "http://www.w3.org/ns/org#Post"})
    data = r.json()
    assert data["label"]["en"] == "post"
    assert any(g["count"] >= 4 for g in data["inverse"])


def test_language_from_query_and_cookie(ui_client):
    r = ui_client.get(BODY + "?lang=en", headers=HTML)
    assert 'class="lang-en"' in r.text
    ui_client.cookies.set("fz_lang", "both")
    try:
        assert 'class="lang-both"' in ui_client.get(BODY, headers=HTML).text
    finally:
        ui_client.cookies.clear()


def test_head_request(ui_client):
    r = ui_client.head(BODY, headers=HTML)
    assert r.status_code == 200


def test_json_is_utf8_not_escaped(ui_client):
    r = ui_client.get(BODY + ".json")
    assert "城东区人民政府".encode() in r.content
    json.loads(r.content)
