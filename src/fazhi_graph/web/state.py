"""What every request handler needs: the store, the settings, the executor and the cache.

One :class:`AppState` per application (never a module global), reachable from handlers through
the :data:`StateDep` dependency.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends
from starlette.requests import Request

from fazhi_graph.settings import Settings
from fazhi_graph.store import Store
from fazhi_graph.web.cache import ResultCache
from fazhi_graph.web.executor import QueryExecutor

__all__ = ["AppState", "StateDep", "get_state", "state_of"]


@dataclass
class AppState:
    """Per-application state."""

    store: Store
    settings: Settings
    executor: QueryExecutor
    cache: ResultCache
    prefixes: dict[str, str]
    """Prefixes predeclared for queries (and offered to Turtle output)."""
    _version: str | None = None
    _version_read_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def version(self) -> str:
        """The dataset version token (read once, refreshed after writes; re-read after
        ``store.version_ttl_s`` seconds for a store others write to, such as a remote one)."""
        with self._lock:
            ttl: float | None = getattr(self.store, "version_ttl_s", None)
            now = time.monotonic()
            if self._version is None or (ttl is not None and now - self._version_read_at > ttl):
                self._version = self.store.version()
                self._version_read_at = now
            return self._version

    def data_changed(self) -> None:
        """Forget the version and every cached response (after a write)."""
        with self._lock:
            self._version = None
        self.cache.clear()

    @property
    def dump_timeout(self) -> float:
        """Time limit for whole-graph and dataset dumps (linear scans, so longer)."""
        return max(10 * self.settings.query_timeout_s, 120.0)


def state_of(request: Request) -> AppState:
    """The :class:`AppState` of the application serving ``request``."""
    state = request.app.state.fazhi
    assert isinstance(state, AppState)
    return state


async def get_state(request: Request) -> AppState:
    """FastAPI dependency for :func:`state_of` (async, so it needs no threadpool hop)."""
    return state_of(request)


StateDep = Annotated[AppState, Depends(get_state)]
"""Handler parameter type that injects the :class:`AppState`."""
