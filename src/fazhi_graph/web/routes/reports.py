"""``/reports``: the list of reports, and ``/reports/{id}``: the report reader.

The reader shows the text with its headings and paragraphs; every sentence is a span with a
stable anchor made from its offsets (``/reports/chengdongqu-2020#char-3328-3403``), every fact
is highlighted where it is stated (colour by kind, a tooltip, a click to its page), and a side
panel lists what the report mentions. ``.json`` gives the same as data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from fazhi_graph.web.dataset_index import DatasetIndex, ReportInfo
from fazhi_graph.web.describe import ref
from fazhi_graph.web.explorer import explorer_of
from fazhi_graph.web.kinds import KINDS
from fazhi_graph.web.links import page_url, split_suffix
from fazhi_graph.web.pages import PageNotFoundError, choose_format, json_page, render
from fazhi_graph.web.reader import FACT_KINDS, read_report, render_text

__all__ = ["report_rows", "router"]

router = APIRouter(tags=["Explorer: reports"])


def report_rows(index: DatasetIndex) -> list[dict[str, Any]]:
    """One row per report (id, title, year, area, issuer, sentence count), newest first."""
    counts: dict[str, int] = {}
    for s in index.sentences.values():
        counts[s.context] = counts.get(s.context, 0) + 1
    out = []
    for r in sorted(index.reports.values(), key=lambda r: (-(int(r.year or 0)), r.rid)):
        out.append({
            "id": r.rid, "iri": r.iri, "title": r.title, "year": r.year,
            "area": ref(index, r.area) if r.area else None,
            "issuer": r.issuer, "sentences": counts.get(r.text, 0),
            "url": f"/reports/{r.rid}", "page": page_url(r.iri),
        })
    return out


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    area = row["area"]
    return {**row, "area": area.as_dict() if area is not None else None}


@router.api_route("/reports", methods=["GET", "HEAD"], summary="Every report")
@router.api_route("/reports.json", methods=["GET", "HEAD"], include_in_schema=False)
def reports(request: Request) -> Response:
    """The reports in the dataset, with links to the reader and to their pages."""
    index = explorer_of(request).index()
    suffix = "json" if request.url.path.endswith(".json") else None
    fmt = choose_format(request, suffix)
    found = report_rows(index)
    if fmt.key == "json":
        return json_page({"reports": [_json_row(r) for r in found]})
    return render(request, "reports.html", {"reports": found})


def _report(index: DatasetIndex, rid: str) -> ReportInfo:
    report = index.reports.get(rid)
    if report is None:
        known = ", ".join(sorted(index.reports)) or "none"
        raise PageNotFoundError(f"no report {rid!r} in the dataset; reports: {known}")
    return report


@router.api_route("/reports/{rid}", methods=["GET", "HEAD"], summary="Read a report")
def reader(request: Request, rid: str) -> Response:
    """The report text with its facts highlighted; ``.json`` for the data."""
    base, suffix = split_suffix(rid)
    explorer = explorer_of(request)
    index = explorer.index()
    report = _report(index, base)
    fmt = choose_format(request, suffix)
    view = explorer.cached(f"reader:{report.rid}",
                           lambda: read_report(explorer.state.store, index, report))
    if fmt.key == "json":
        return json_page(view.as_dict(index))
    html = explorer.cached(f"reader-html:{report.rid}", lambda: render_text(view))
    mentions = [
        (ref(index, iri), sents[0], len(sents))
        for iri, sents in view.mentions.items()
    ]
    first_anchor = {s.iri: f"char-{s.begin}-{s.end}" for s in view.sentences}
    fact_counts: dict[str, int] = {}
    for fact in view.facts:
        key = index.kind(fact).key
        fact_counts[key] = fact_counts.get(key, 0) + 1
    kinds = [k for k in KINDS
             if k.key in fact_counts or any(m[0].kind.key == k.key for m in mentions)]
    return render(request, "reader.html", {
        "report": report, "html": html, "sections": view.sections,
        "mentions": [(r, first_anchor.get(s, ""), n) for r, s, n in mentions],
        "kinds": kinds, "fact_counts": fact_counts, "fact_kinds": FACT_KINDS,
        "report_ref": ref(index, report.iri),
        "area_ref": ref(index, report.area) if report.area else None,
        "twins": [("JSON", f"/reports/{report.rid}.json")],
    })
