"""The web explorer (issue 4): pages for people next to the SPARQL endpoint.

:func:`install_explorer` adds to an app made by :func:`fazhi_graph.web.app.create_app`:

``/``                 home: the dataset, counts, search, example questions, every view
``/id/…``, ``/vocab/…``, ``/ontology``, ``/shapes``, ``/graph/…``, ``/resource?iri=``
                      a page for every IRI (HTML, JSON, Turtle, JSON-LD, N-Triples)
``/reports``, ``/reports/{id}``   the report reader, facts highlighted in the text
``/search``           Chinese-aware search over names and sentences (``/search.json``)
``/metrics``          the metrics dashboard (``.json``, ``.csv``)
``/query``            the SPARQL editor (YASGUI) with the saved queries
``/graph``            the graph explorer (cytoscape.js), ``/api/graph/…`` behind it
``/static/…``         our CSS and JavaScript, and the npm libraries copied in at setup

:class:`Explorer` is the per-application state: the template environment and the caches that
are rebuilt when the dataset version changes (names and types, the search index, the graph
projection).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI
from starlette.requests import Request
from starlette.staticfiles import StaticFiles

from fazhi_graph.web.dataset_index import DatasetIndex, build_index
from fazhi_graph.web.pages import STATIC, PageError, make_environment, page_error_handler
from fazhi_graph.web.state import AppState

__all__ = ["Explorer", "explorer_of", "install_explorer"]

_T = TypeVar("_T")


class Explorer:
    """Templates and version-keyed caches of one application."""

    def __init__(self, state: AppState) -> None:
        self.state = state
        self.templates = make_environment()
        self._cache: dict[str, tuple[str, Any]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def cached(self, name: str, build: Callable[[], _T]) -> _T:
        """The value of ``build()`` for the current dataset version (built once per version)."""
        version = self.state.version()
        hit = self._cache.get(name)
        if hit is not None and hit[0] == version:
            value: _T = hit[1]
            return value
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            hit = self._cache.get(name)
            if hit is not None and hit[0] == version:
                return hit[1]  # type: ignore[no-any-return]
            built = build()
            self._cache[name] = (version, built)
            return built

    def index(self) -> DatasetIndex:
        """Names, types, sentences and reports of the current dataset."""
        return self.cached("index", lambda: build_index(self.state.store))


def explorer_of(request: Request) -> Explorer:
    """The :class:`Explorer` of the app serving ``request``."""
    explorer = request.app.state.explorer
    assert isinstance(explorer, Explorer)
    return explorer


def install_explorer(app: FastAPI) -> None:
    """Add the explorer's pages, APIs and static files to an app from ``create_app``."""
    from fazhi_graph.web.routes import (
        entities,
        graph,
        home,
        metrics,
        query_editor,
        reports,
        search,
    )

    state = app.state.fazhi
    assert isinstance(state, AppState)
    app.state.explorer = Explorer(state)
    app.add_exception_handler(PageError, page_error_handler)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for module in (home, search, reports, metrics, query_editor, graph, entities):
        app.include_router(module.router)
