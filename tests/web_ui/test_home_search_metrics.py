"""Home, search (ranking, highlighting, autocomplete JSON) and the metrics dashboard."""

from __future__ import annotations

import csv
import io

from .conftest import HTML, JSON, SEED_ID


def test_home_html_links_every_view(ui_client):
    r = ui_client.get("/", headers=HTML)
    assert r.status_code == 200
    for view in ("/reports", "/search", "/metrics", "/graph", "/query", "/ontology", "/sparql"):
        assert f'href="{view}' in r.text
    assert "/query?saved=metrics" in r.text  # research questions open in the editor
    assert f'href="/reports/{SEED_ID}"' in r.text
    assert "CC BY 4.0" in r.text and "dataset version" in r.text


def test_home_json(ui_client):
    data = ui_client.get("/index.json").json()
    assert data["ok"] and data["counts"]["report"] == 4
    assert data["counts"]["observation"] > 100
    assert {q["name"] for q in data["questions"]} >= {"metrics", "documents"}
    assert data["version"]
    assert ui_client.get("/", headers=JSON).json()["counts"] == data["counts"]


def test_search_ranks_exact_and_prefix_first(ui_client):
    data = ui_client.get("/search.json", params={"q": "城东区"}).json()
    first = data["hits"][0]
    assert first["label"]["zh"] == "城东区"  # the exact name beats longer names containing it
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True)


def test_search_english_and_pinyin(ui_client):
    en = ui_client.get("/search.json", params={"q": "Chengdong District"}).json()
    assert en["hits"][0]["iri"].endswith("/id/place/chengdongqu")
    py = ui_client.get("/search.json", params={"q": "chéngdōngqū"}).json()
    assert any(h["iri"].endswith("/id/place/chengdongqu") for h in py["hits"][:3])
    py2 = ui_client.get("/search.json", params={"q": "chengdongqurenminzhengfu"}).json()
    assert py2["hits"][0]["iri"].endswith("/id/org/chengdongqu/quzhengfu")
    assert py2["hits"][0]["matched"]["field"] == "pinyin"


def test_search_sentences_link_into_reader(ui_client):
    data = ui_client.get("/search.json", params={"q": "抽样评查", "kind": "sentence"}).json()
    assert data["total"] >= 1
    hit = data["hits"][0]
    assert hit["type"] == "sentence" and "抽样评查" in hit["quote"]
    assert hit["url"].startswith("/reports/") and "#char-" in hit["url"]
    begin, end = hit["highlights"][0]
    assert hit["quote"][begin:end] == "抽样评查"


def test_search_bigrams_find_words_apart(ui_client):
    """Chinese without spaces: the words of a query may stand apart in the text."""
    data = ui_client.get("/search.json", params={"q": "行政复议 案件"}).json()
    assert data["total"] > 0
    for hit in data["hits"]:
        text = hit.get("quote") or hit["matched"]["text"]
        assert "复议" in text or "案件" in text


def test_search_facets_and_kind_filter(ui_client):
    data = ui_client.get("/search.json", params={"q": "调解"}).json()
    assert data["facets"] and sum(data["facets"].values()) == data["total"]
    only = ui_client.get("/search.json", params={"q": "调解", "kind": "indicator"}).json()
    assert only["total"] == data["facets"]["indicator"]
    assert {h["kind"]["key"] for h in only["hits"]} == {"indicator"}


def test_search_html_highlights(ui_client):
    r = ui_client.get("/search", params={"q": "复议"}, headers=HTML)
    assert r.status_code == 200
    assert "<mark>复议</mark>" in r.text
    assert 'id="result-count"' in r.text


def test_search_empty_and_limits(ui_client):
    assert ui_client.get("/search.json?q=").json()["total"] == 0
    assert ui_client.get("/search", headers=HTML).status_code == 200
    assert len(ui_client.get("/search.json?q=区&limit=3").json()["hits"]) == 3
    bad = ui_client.get("/search.json?q=x&limit=0", headers=JSON)
    assert bad.status_code == 400 and bad.json()["ok"] is False


def test_metrics_html(ui_client):
    r = ui_client.get("/metrics", headers=HTML)
    assert r.status_code == 200
    assert "<svg" in r.text and 'class="bar"' in r.text  # server-side chart
    assert 'scope="rowgroup"' in r.text  # grouped by work area
    assert "/reports/" in r.text and "#char-" in r.text  # source sentence links


def test_metrics_filters(ui_client):
    everything = ui_client.get("/metrics.json").json()
    assert len({o["report"] for o in everything["observations"]}) == 4
    seed = ui_client.get("/metrics.json", params={"report": SEED_ID}).json()
    assert 0 < seed["total"] < everything["total"]
    assert {o["report"] for o in seed["observations"]} == {SEED_ID}
    area = seed["observations"][0]["work_area"]["iri"]
    by_area = ui_client.get("/metrics.json", params={"area": area}).json()
    assert {o["work_area"]["iri"] for o in by_area["observations"]} == {area}
    year = ui_client.get("/metrics.json", params={"year": "2022"}).json()
    assert year["total"] > 0 and SEED_ID not in {o["report"] for o in year["observations"]}


def test_metrics_indicator_chart_compares_reports(ui_client):
    obs = ui_client.get("/metrics.json").json()["observations"]
    indicator = obs[0]["indicator"]["iri"]
    r = ui_client.get("/metrics", params={"indicator": indicator}, headers=HTML)
    assert r.text.count("<svg") == 2


def test_metrics_csv_download(ui_client):
    r = ui_client.get("/metrics.csv", params={"report": SEED_ID})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(r.text)))
    json_rows = ui_client.get("/metrics.json", params={"report": SEED_ID}).json()["total"]
    assert len(table) == json_rows
    row = next(t for t in table if t["surface_form"] == "172件")
    assert row["value"] == "172" and "抽样评查" in row["sentence_text"]
    assert row["reader"].endswith(f"/reports/{SEED_ID}#char-3328-3403")
    begin, end = int(row["sentence_begin"]), int(row["sentence_end"])
    text = ui_client.get(f"/reports/{SEED_ID}.json").json()["text"]
    assert text[begin:end] == row["sentence_text"]


def test_query_editor_page(ui_client):
    r = ui_client.get("/query", headers=HTML)
    assert r.status_code == 200
    assert "/static/vendor/yasgui/yasgui.min.js" in r.text
    assert 'id="query-config"' in r.text and 'data-saved="metrics"' in r.text
    assert "//cdn" not in r.text and "unpkg" not in r.text


def test_query_editor_json_and_saved(ui_client):
    data = ui_client.get("/query.json").json()
    assert data["prefixes"]["fz"].endswith("ontology#")
    names = {q["name"]: q for q in data["queries"]}
    assert names["metrics"]["title_zh"] and names["metrics"]["title_en"]
    assert ui_client.get("/query/prefixes.json").json()["skos"].endswith("core#")
    text = ui_client.get("/query/saved/metrics.rq")
    assert text.status_code == 200 and "SELECT" in text.text
    with_params = [q for q in data["queries"] if q["params"]]
    if with_params:
        q = with_params[0]
        assert "VALUES" in q["runnable"]
    assert ui_client.get("/query/saved/nope.rq", headers=JSON).status_code == 404


def test_vendor_files_are_served(ui_client):
    for path in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/cytoscape/cytoscape.min.js",
                 "/static/css/site.css", "/static/js/site.js"):
        assert ui_client.get(path).status_code == 200, path


def test_editor_completion_terms(ui_client):
    data = ui_client.get("/query/terms.json").json()
    assert any(p.endswith("#responsibleBody") for p in data["properties"])
    assert any(c.endswith("#PublicBody") for c in data["classes"])


def test_metrics_show_the_consistency_findings(ui_client):
    data = ui_client.get("/metrics.json").json()
    heyang = [f for f in data["findings"] if f["report"] == "heyangqu-2021"]
    assert heyang and any("95.3" in f["zh"] for f in heyang)
    assert not [f for f in data["findings"] if f["report"] == "chengdongqu-2020"]
    page = ui_client.get("/metrics", params={"report": "heyangqu-2021"}).text
    assert 'id="findings"' in page and "95.3" in page
    seed_only = ui_client.get("/metrics.json", params={"report": "chengdongqu-2020"}).json()
    assert seed_only["findings"] == []
