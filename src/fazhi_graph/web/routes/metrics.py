"""``/metrics``: every observation, grouped by work area and indicator, with filters and charts.

Filters (query parameters, all optional): ``report`` (id), ``area`` (work area IRI), ``year``,
``indicator`` (IRI), ``q`` (words in the indicator, counted thing or sentence). ``.json`` and
``.csv`` give the filtered table as data; the page draws two bar charts server-side
(observations per work area, and the selected indicator across reports).
"""

from __future__ import annotations

from itertools import groupby
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from fazhi_graph.web.describe import ref
from fazhi_graph.web.explorer import explorer_of
from fazhi_graph.web.metrics_table import (
    Filters,
    Observation,
    bar_chart,
    counts_by,
    filter_rows,
    load_findings,
    load_observations,
    obs_json,
    to_csv,
)
from fazhi_graph.web.negotiation import MediaFormat
from fazhi_graph.web.pages import PAGE_JSON, choose_format, json_page, render, ui_lang

__all__ = ["router"]

router = APIRouter(tags=["Explorer: metrics"])

CSV = MediaFormat("csv", "text/csv", (), ("csv",), "CSV", "")
_Text = Annotated[str, Query(max_length=300)]


def _suffix(path: str) -> str | None:
    for ext in ("json", "csv"):
        if path.endswith("." + ext):
            return ext
    return None


@router.api_route("/metrics", methods=["GET", "HEAD"], summary="Metrics dashboard")
@router.api_route("/metrics.json", methods=["GET", "HEAD"], include_in_schema=False)
@router.api_route("/metrics.csv", methods=["GET", "HEAD"], include_in_schema=False)
def metrics(
    request: Request, report: _Text = "", area: _Text = "", year: _Text = "",
    indicator: _Text = "", q: _Text = "",
) -> Response:
    """Observations with their source sentences; ``.json``/``.csv`` for the data."""
    explorer = explorer_of(request)
    index = explorer.index()
    from fazhi_graph.web.pages import HTML

    fmt = choose_format(request, _suffix(request.url.path), (HTML, PAGE_JSON, CSV))
    everything: list[Observation] = explorer.cached(
        "metrics", lambda: load_observations(explorer.state.store, index))
    filters = Filters(report=report, area=area, year=year, indicator=indicator, q=q.strip())
    shown = filter_rows(everything, filters, index)
    if fmt.key == "csv":
        base = str(request.base_url).rstrip("/")
        name = "fazhi-graph-metrics" + ("-" + report if report else "") + ".csv"
        return Response(to_csv(shown, index, base_url=base), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    findings = [
        f for f in explorer.cached("findings", lambda: load_findings(explorer.state.store))
        if not report or f.report == report
    ]
    if fmt.key == "json":
        return json_page({"filters": filters.as_dict(), "total": len(shown),
                          "observations": [obs_json(o, index) for o in shown],
                          "findings": [{"iri": f.iri, "report": f.report, "zh": f.message_zh,
                                        "en": f.message_en, "observations": list(f.observations)}
                                       for f in findings]})
    lang = ui_lang(request)
    groups: list[dict[str, Any]] = []
    for work_area, in_area in groupby(shown, key=lambda o: o.work_area or ""):
        items = list(in_area)
        groups.append({"area": ref(index, work_area) if work_area else None, "rows": items})
    groups.sort(key=lambda g: g["area"].curie if g["area"] else "~")
    per_area = counts_by(shown, "work_area")
    area_bars = sorted(
        ((index.label(a).text(lang) if a else "—", float(n), "?" + urlencode(
            {**filters.as_dict(), "area": a})) for a, n in per_area.items()),
        key=lambda b: -b[1])
    charts = [bar_chart(area_bars, title="观测值数 / observations per work area"
                        if lang == "both" else ("Observations per work area" if lang == "en"
                                                else "各工作领域的观测值数"))]
    if indicator:
        ind_bars = [
            (f"{o.report} {o.period}", o.number or 0.0, ref(index, o.iri).url)
            for o in shown if o.number is not None
        ]
        units = {o.unit_text for o in shown}
        charts.append(bar_chart(ind_bars, title=index.label(indicator).text(lang),
                                unit=units.pop() if len(units) == 1 else ""))
    options = {
        "reports": sorted(index.reports.values(), key=lambda r: r.rid),
        "areas": [ref(index, a) for a in sorted({o.work_area for o in everything if o.work_area})],
        "years": sorted({o.year for o in everything if o.year}),
        "indicators": sorted((ref(index, i) for i in {o.indicator for o in everything}),
                             key=lambda r: r.label.text(lang)),
    }
    query = urlencode(filters.as_dict())
    return render(request, "metrics.html", {
        "groups": groups, "total": len(shown), "all": len(everything), "filters": filters,
        "options": options, "charts": charts, "query": query, "index": index,
        "findings": findings,
    })
