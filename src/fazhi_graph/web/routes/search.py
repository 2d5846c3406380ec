"""``/search?q=``: ranked, highlighted search over names (zh, en, pinyin) and sentences.

``/search.json`` is the same as data and feeds the autocomplete of every view
(``?limit=8``); ``kind=`` (repeatable) keeps one kind of result (``body``, ``sentence`` …).
See :mod:`fazhi_graph.web.search_index` for the matching and the ranking.
"""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from fazhi_graph.web.dataset_index import DatasetIndex
from fazhi_graph.web.describe import ref, source
from fazhi_graph.web.explorer import Explorer, explorer_of
from fazhi_graph.web.kinds import KINDS, OTHER, kind_by_key
from fazhi_graph.web.pages import choose_format, json_page, render
from fazhi_graph.web.search_index import Hit, SearchIndex, fold, highlight_spans, terms_of

__all__ = ["build_search_index", "router", "search_index"]

router = APIRouter(tags=["Explorer: search"])

PAGE = 50
"""Results per page."""
_SENTENCE_KIND = next(k for k in KINDS if k.key == "sentence")


def build_search_index(index: DatasetIndex) -> SearchIndex:
    """Index every named resource (all its names) and every sentence."""
    search = SearchIndex()
    for iri, names in index.names.items():
        if iri in index.sentences:
            continue
        entries = [(text, which, 1.0) for text, which in names]
        entries += [(text, "hidden", 1.0) for text in index.hidden.get(iri, ())]
        search.add_resource(iri, kind=index.kind(iri).key, names=entries)
    for sentence in index.sentences.values():
        search.add_sentence(sentence.iri, sentence.quote)
    return search


def search_index(explorer: Explorer) -> SearchIndex:
    """The search index of the current dataset version."""
    return explorer.cached("search", lambda: build_search_index(explorer.index()))


def _hit_json(index: DatasetIndex, hit: Hit, terms: list[str]) -> dict[str, Any]:
    if hit.kind == "sentence":
        src = source(index, hit.key)
        report = index.report_of_text(index.sentences[hit.key].context)
        return {
            "type": "sentence", "iri": hit.key, "score": hit.score,
            "kind": _SENTENCE_KIND.as_dict(), "quote": hit.text,
            "url": src.reader if src else None,
            "report": {"id": report.rid, "title": report.title} if report else None,
            "highlights": highlight_spans(hit.text, terms),
        }
    r = ref(index, hit.key)
    shown = terms if hit.field != "pinyin" else [fold(t) for t in terms]
    return {
        "type": "resource", "iri": hit.key, "score": hit.score, "url": r.url,
        "label": r.label.as_dict(), "kind": (kind_by_key(hit.kind) or OTHER).as_dict(),
        "matched": {"field": hit.field, "text": hit.text,
                    "highlights": highlight_spans(hit.text, shown)},
    }


@router.api_route("/search", methods=["GET", "HEAD"], summary="Search")
@router.api_route("/search.json", methods=["GET", "HEAD"], include_in_schema=False)
def search(
    request: Request,
    q: Annotated[str, Query(max_length=200, description="words, in any of the languages")] = "",
    kind: Annotated[list[str] | None, Query(description="keep only these kinds")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = PAGE,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Response:
    """Search names and sentences; the JSON twin is the autocomplete API."""
    explorer = explorer_of(request)
    index = explorer.index()
    fmt = choose_format(request, "json" if request.url.path.endswith(".json") else None)
    terms = terms_of(q)
    all_hits = search_index(explorer).search(q) if terms else []
    facets = Counter(h.kind for h in all_hits)
    hits = [h for h in all_hits if not kind or h.kind in kind]
    page = hits[offset:offset + limit]
    raw_terms = [t for t in q.split() if t]
    if fmt.key == "json":
        return json_page({
            "query": q, "terms": terms, "total": len(hits), "offset": offset, "limit": limit,
            "facets": {k: n for k, n in facets.most_common()},
            "hits": [_hit_json(index, h, raw_terms) for h in page],
        })
    results = [_hit_json(index, h, raw_terms) for h in page]
    facet_list = [((kind_by_key(k) or OTHER), n) for k, n in facets.most_common()]
    return render(request, "search.html", {
        "q": q, "terms": raw_terms, "hits": results, "total": len(hits), "offset": offset,
        "limit": limit, "facets": facet_list, "selected": kind or [],
    })
