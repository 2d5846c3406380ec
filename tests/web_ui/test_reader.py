"""The report reader: structure, sentence anchors, facts highlighted in place, side panel."""

from __future__ import annotations

import itertools
import re

from .conftest import HTML, JSON, SEED_ID


def test_reader_html(ui_client):
    r = ui_client.get(f"/reports/{SEED_ID}", headers=HTML)
    assert r.status_code == 200
    html = r.text
    assert "<h2" in html and "工作开展情况" in html  # headings from the section structure
    assert 'id="char-3328-3403"' in html  # stable sentence anchors from offsets
    assert 'class="fact k-observation"' in html  # observations highlighted
    assert ">172件</a>" in html  # …on their surface form, in place
    assert 'class="fact mention k-body"' in html  # mentioned bodies
    assert 'id="mentions"' in html  # the side panel
    assert "/id/org/chengdongqu/quzhengfu" in html


def test_every_anchor_is_unique_and_every_sentence_has_one(ui_client):
    html = ui_client.get(f"/reports/{SEED_ID}", headers=HTML).text
    ids = re.findall(r'id="(char-\d+-\d+)"', html)
    assert len(ids) == len(set(ids))
    data = ui_client.get(f"/reports/{SEED_ID}.json").json()
    assert {s["anchor"] for s in data["sentences"]} == set(ids)


def test_reader_json_offsets_match_text(ui_client):
    data = ui_client.get(f"/reports/{SEED_ID}.json").json()
    text = data["text"]
    for sentence in data["sentences"]:
        for h in sentence["highlights"]:
            assert sentence["begin"] <= h["begin"] < h["end"] <= sentence["end"]
            assert text[h["begin"]:h["end"]] == h["text"]
    kinds = {h["kind"] for s in data["sentences"] for h in s["highlights"] if h["fact"]}
    assert {"observation", "implementation", "event", "problem"} <= kinds
    badges = {h["kind"] for s in data["sentences"] for h in s["facts_without_words"]}
    assert "measure" in badges  # a measure spans sentences: marked at each of them


def test_highlights_do_not_overlap(ui_client):
    data = ui_client.get(f"/reports/{SEED_ID}.json").json()
    for sentence in data["sentences"]:
        spans = sorted((h["begin"], h["end"]) for h in sentence["highlights"])
        for (_, e1), (b2, _) in itertools.pairwise(spans):
            assert e1 <= b2


def test_every_fact_is_marked(ui_client):
    """A fact whose words are not found still gets a badge at its sentence."""
    data = ui_client.get(f"/reports/{SEED_ID}.json").json()
    marked = {h["iri"] for s in data["sentences"]
              for h in s["highlights"] + s["facts_without_words"] if h["fact"]}
    obs = ui_client.get(f"/id/text/{SEED_ID}/char/3328-3403.json").json()
    stated = next(g for g in obs["inverse"] if g["property"]["iri"].endswith("#statedIn"))
    assert {i["iri"] for i in stated["items"]} <= marked


def test_reader_lists_sample_reports(ui_client):
    data = ui_client.get("/reports.json").json()
    ids = {r["id"] for r in data["reports"]}
    assert SEED_ID in ids and len(ids) == 4
    html = ui_client.get("/reports", headers=HTML).text
    assert f'href="/reports/{SEED_ID}"' in html
    for rid in ids:
        assert ui_client.get(f"/reports/{rid}", headers=HTML).status_code == 200


def test_unknown_report(ui_client):
    r = ui_client.get("/reports/nowhere-1999", headers=JSON)
    assert r.status_code == 404 and SEED_ID in r.json()["error"]
    assert ui_client.get("/reports/nowhere-1999", headers=HTML).headers[
        "content-type"].startswith("text/html")
