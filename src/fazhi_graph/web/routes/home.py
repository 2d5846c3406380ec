"""``/``: what the dataset is, how big, where it comes from, and a way into every view.

``/index.json`` is the same as data: counts by kind and by class, the reports, the saved
research questions, the license and the dataset version.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from fazhi_graph.namespaces import BASE
from fazhi_graph.sparql import saved_queries
from fazhi_graph.web.dataset_index import DatasetIndex, rows
from fazhi_graph.web.describe import ref
from fazhi_graph.web.explorer import explorer_of
from fazhi_graph.web.kinds import KINDS, kind_of
from fazhi_graph.web.pages import choose_format, json_page, render
from fazhi_graph.web.routes.reports import report_rows

__all__ = ["kind_counts", "router"]

router = APIRouter(tags=["Explorer: home"])

_ABOUT = """
SELECT ?s ?p ?o WHERE {
  VALUES ?p { dct:description dct:license owl:versionInfo dct:title }
  ?s ?p ?o
}"""

SHOWN_KINDS = ("report", "sentence", "observation", "implementation", "event", "problem",
               "measure", "body", "post", "place", "document", "initiative", "indicator", "area")
"""Kinds counted on the home page, in this order."""


def kind_counts(index: DatasetIndex) -> Counter[str]:
    """How many resources of each kind the dataset has."""
    return Counter(kind_of(types).key for types in index.types.values())


def _about(request: Request) -> dict[str, Any]:
    explorer = explorer_of(request)
    found: dict[str, Any] = {"description": {}, "title": {}}
    for r in rows(explorer.state.store, _ABOUT, s=ox.NamedNode(BASE + "ontology")):
        key = r["p"].rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        if key in ("description", "title"):
            found[key][(r.get("o@lang") or "en")[:2]] = r["o"]
        else:
            found[key] = r["o"]
    return found


@router.api_route("/", methods=["GET", "HEAD"], summary="Home")
@router.api_route("/index.json", methods=["GET", "HEAD"], include_in_schema=False)
def home(request: Request) -> Response:
    """The home page: the dataset, its counts, search, research questions, every view."""
    explorer = explorer_of(request)
    index = explorer.index()
    fmt = choose_format(request, "json" if request.url.path.endswith(".json") else None)
    counts = explorer.cached("kind-counts", lambda: kind_counts(index))
    kinds = [k for key in SHOWN_KINDS for k in KINDS if k.key == key and counts.get(key)]
    queries = list(saved_queries(explorer.state.settings.project_root / "queries").values())
    reports = report_rows(index)
    about = _about(request)
    version = explorer.state.version()
    if fmt.key == "json":
        return json_page({
            "title": about["title"], "description": about["description"],
            "license": about.get("license"), "version": version,
            "counts": {k.key: counts[k.key] for k in kinds},
            "classes": {ref(index, c).curie: n for c, n in sorted(index.instances.items())},
            "reports": [{**r, "area": r["area"].as_dict() if r["area"] else None}
                        for r in reports],
            "questions": [{"name": q.name, "title_zh": q.title_zh, "title_en": q.title_en,
                           "description": q.description, "url": f"/query?saved={q.name}"}
                          for q in queries],
            "views": {"reports": "/reports", "search": "/search", "metrics": "/metrics",
                      "graph": "/graph", "query": "/query", "ontology": "/ontology",
                      "sparql": "/sparql"},
        })
    return render(request, "home.html", {
        "kinds": [(k, counts[k.key]) for k in kinds], "queries": queries, "reports": reports,
        "about": about, "class_refs": {k.key: _class_of(index, k.classes) for k in kinds},
    })


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """The site icon (browsers ask for this path whatever the page says)."""
    from fazhi_graph.web.pages import STATIC

    return Response((STATIC / "favicon.svg").read_bytes(), media_type="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=86400"})


def _class_of(index: DatasetIndex, classes: tuple[str, ...]) -> str | None:
    """The page of the kind's most used class."""
    best = max(classes, key=lambda c: index.instances.get(c, 0), default=None)
    return ref(index, best).url if best else None
