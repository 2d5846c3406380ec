"""``/query``: the SPARQL editor (YASGUI, served from this server) wired to ``/sparql``.

The saved queries of ``queries/`` are offered by title (zh/en) with their parameters; the
project prefixes are pre-declared (the endpoint knows them, and the editor completes them); the
query is kept in the URL (``/query?query=…``), so a link reproduces it; ``/query?saved=name``
opens a saved query. Result views: YASGUI's table and raw response, plus our graph view
(node-link drawing of CONSTRUCT results or ``?s ?p ?o`` rows) and chart view (bars or lines
for a label column and numeric columns); downloads as CSV, JSON and Turtle come from
``/sparql`` itself.

``/query.json`` lists the saved queries (text, parameters, the runnable text with the
defaults bound); ``/query/saved/{name}.rq?param=value`` returns one bound to given values;
``/query/prefixes.json`` the prefixes and ``/query/terms.json`` the properties and classes
for the editor's completion (instead of an outside vocabulary service).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from fazhi_graph.errors import QueryError
from fazhi_graph.namespaces import BASE, PREFIXES
from fazhi_graph.sparql import SavedQuery, bind, saved_queries
from fazhi_graph.web.dataset_index import rows
from fazhi_graph.web.explorer import explorer_of
from fazhi_graph.web.labels import LABEL_PREDICATES
from fazhi_graph.web.pages import PageError, PageNotFoundError, choose_format, json_page, render

__all__ = ["router"]

router = APIRouter(tags=["Explorer: query editor"])

EXAMPLE = """# Every prefix of the project is pre-declared: fz:, fzd:, fzi:, skos:, rdfs: …
# 所有项目前缀均已预先声明。Ctrl+Enter 运行。
SELECT ?report ?title ?year WHERE {
  ?report a fz:AnnualReport ; dct:title ?title ; fz:reportingYear ?year .
}
ORDER BY ?year
"""
"""The query shown when the editor opens without one."""


def _queries(request: Request) -> dict[str, SavedQuery]:
    explorer = explorer_of(request)
    return saved_queries(explorer.state.settings.project_root / "queries")


def _entry(q: SavedQuery) -> dict[str, Any]:
    try:
        runnable = bind(q)
    except QueryError:
        runnable = q.text
    return {
        "name": q.name, "title_zh": q.title_zh, "title_en": q.title_en,
        "description": q.description, "text": q.text, "runnable": runnable,
        "params": [{"name": p.name, "default": p.default, "description": p.description,
                    "kind": p.kind} for p in q.params],
        "url": f"/query?saved={q.name}",
    }


@router.api_route("/query", methods=["GET", "HEAD"], summary="SPARQL query editor")
@router.api_route("/query.json", methods=["GET", "HEAD"], include_in_schema=False)
def query_editor(request: Request) -> Response:
    """The editor page; ``.json`` lists the saved queries and the prefixes."""
    fmt = choose_format(request, "json" if request.url.path.endswith(".json") else None)
    queries = [_entry(q) for q in _queries(request).values()]
    if fmt.key == "json":
        return json_page({"endpoint": "/sparql", "prefixes": PREFIXES, "queries": queries})
    config = {
        "endpoint": "/sparql", "prefixes": PREFIXES, "queries": queries, "example": EXAMPLE,
        "base": BASE, "labels": list(LABEL_PREDICATES[:3]),
        "saved": request.query_params.get("saved"),
        "query": request.query_params.get("query"),
    }
    return render(request, "query.html", {"config": config, "queries": queries})


@router.get("/query/prefixes.json", summary="Prefixes for the editor", include_in_schema=False)
def prefixes() -> JSONResponse:
    """``{prefix: namespace}``: what the endpoint pre-declares (the editor completes them)."""
    return JSONResponse(PREFIXES)


_PROPERTIES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"


@router.get("/query/terms.json", summary="Properties and classes for completion",
            include_in_schema=False)
def terms(request: Request) -> Response:
    """Every property and class the dataset uses (the editor completes IRIs from these)."""
    explorer = explorer_of(request)

    def build() -> dict[str, list[str]]:
        index = explorer.index()
        properties = sorted(r["p"] for r in rows(explorer.state.store, _PROPERTIES))
        return {"properties": properties, "classes": sorted(index.instances)}

    return json_page(explorer.cached("editor-terms", build))


@router.get("/query/saved/{name}.rq", summary="A saved query, parameters bound")
def saved_query(request: Request, name: str) -> Response:
    """The runnable text of saved query ``name``; query parameters bind its named parameters."""
    found = _queries(request).get(name)
    if found is None:
        raise PageNotFoundError(
            f"no saved query {name!r}; saved queries: {', '.join(_queries(request)) or 'none'}")
    values = {k: v for k, v in request.query_params.items() if k != "format"}
    try:
        text = bind(found, values)
    except QueryError as exc:
        raise PageError(str(exc)) from exc
    return Response(text, media_type="application/sparql-query; charset=utf-8")
