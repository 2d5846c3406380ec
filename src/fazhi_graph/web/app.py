"""Build the FastAPI application: :func:`create_app` (nothing is built at import time).

>>> from fazhi_graph.settings import Settings
>>> from fazhi_graph.store import open_store
>>> app = create_app(open_store(backend="memory"), Settings.from_env({}))
>>> sorted({getattr(r, "path", "") for r in app.routes} & {"/sparql", "/store"})
['/sparql', '/store']
"""

from __future__ import annotations

import logging
import os
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.settings import Settings
from fazhi_graph.store import Store
from fazhi_graph.web.cache import ResultCache
from fazhi_graph.web.executor import QueryExecutor, WorkerSpec, default_specs
from fazhi_graph.web.fastpath import SparqlFastPath
from fazhi_graph.web.handlers import install_error_handlers
from fazhi_graph.web.headers import SecurityHeadersMiddleware
from fazhi_graph.web.openapi import install_openapi
from fazhi_graph.web.ratelimit import RateLimitMiddleware
from fazhi_graph.web.routes import graph_store, sparql, status
from fazhi_graph.web.state import AppState

__all__ = ["choose_workers", "create_app", "memory_fits"]

log = logging.getLogger("fazhi_graph.web")

MEMORY_FACTOR = 6.0
"""RAM of the in-memory copy per byte of (compressed) RocksDB store, measured ~5x; with room."""

EXPOSED_HEADERS = ["ETag", "Content-Length", "X-Fazhi-Truncated", "X-Fazhi-Rows",
                   "X-Fazhi-Row-Limit", "X-Fazhi-Cache", "Retry-After"]


def memory_fits(path: Path, *, share: float = 0.5) -> bool:
    """Whether an in-memory copy of the store at ``path`` fits in ``share`` of free RAM."""
    size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    available = _available_memory()
    return available is None or size * MEMORY_FACTOR <= available * share


def _available_memory() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def choose_workers(store: Store, settings: Settings) -> list[WorkerSpec]:
    """Forked workers for an in-memory store; else in-memory workers if the data fits
    (``settings.in_memory``), else on-disk workers."""
    path = getattr(store, "path", None)
    if path is None:
        return default_specs(forked=True, memory=False)
    memory = settings.in_memory and memory_fits(Path(path))
    if settings.in_memory and not memory:
        log.warning("the store at %s does not fit in memory: serving it from disk", path)
    specs = default_specs(forked=False, memory=memory)
    if not settings.read_only:  # no read-only RocksDB handles beside the writer
        specs = [s for s in specs if not s.fallback]
    return specs


def create_app(
    store: Store, settings: Settings, *, workers: list[WorkerSpec] | None = None
) -> FastAPI:
    """The SPARQL endpoint over ``store``: ``/sparql``, ``/store``, ``/-/status``.

    ``workers`` overrides :func:`choose_workers` (tests use it to keep pools small). The
    query workers start with the app's lifespan, or with the first query, and stop with the
    lifespan or when the app is garbage-collected.
    """
    specs = workers or choose_workers(store, settings)
    forked = any(s.kind == "fork" for s in specs)
    path = getattr(store, "path", None)
    executor = QueryExecutor(
        specs, store=store if forked else None, store_path=Path(path) if path else None
    )
    state = AppState(store, settings, executor, ResultCache(), dict(PREFIXES))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        executor.start()
        yield
        executor.close()

    app = FastAPI(
        title="fazhi-graph SPARQL endpoint",
        summary="SPARQL 1.1 Protocol and Graph Store Protocol over the rule-of-law report graph",
        version=os.environ.get("FAZHI_VERSION", "0.1.0"),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.fazhi = state
    install_error_handlers(app)
    app.router.routes.extend(sparql.routes)
    app.router.routes.extend(graph_store.routes)
    app.include_router(status.router)
    app.add_middleware(SparqlFastPath, endpoints=sparql.fast_endpoints)  # innermost
    app.add_middleware(RateLimitMiddleware, settings=settings)  # inside CORS: 429s readable
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "OPTIONS"],
        allow_headers=["Accept", "Content-Type", "If-None-Match", "Cache-Control"],
        expose_headers=EXPOSED_HEADERS,
        max_age=86400,
    )
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every response has them
    weakref.finalize(app, executor.close)
    # --- web explorer (issue 4): pages, reader, search, metrics, query editor, graph
    from fazhi_graph.web.explorer import install_explorer

    install_explorer(app)
    install_openapi(app)  # /sparql and /store described, errors in their real shape
    return app
