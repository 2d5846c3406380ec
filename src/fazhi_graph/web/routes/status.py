"""``/-/status``: a small JSON health and configuration report (Datasette-style path)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from fazhi_graph.web.state import StateDep

__all__ = ["router"]

router = APIRouter(tags=["Status"])


@router.get("/-/status", summary="Health, limits and workers")
async def status(state: StateDep) -> dict[str, Any]:
    """Whether the server is up, its limits, its query workers and its cache."""
    s = state.settings
    return {
        "ok": True,
        "version": state.version(),
        "read_only": s.read_only,
        "limits": {
            "query_timeout_s": s.query_timeout_s,
            "max_rows": s.max_rows,
            "max_rows_limit": s.max_rows_limit,
            "max_body_bytes": s.max_body_bytes,
            "max_query_chars": s.max_query_chars,
        },
        "allow_service": list(s.allow_service),
        "executor": state.executor.stats(),
        "cache": {"entries": len(state.cache), "hits": state.cache.hits,
                  "misses": state.cache.misses},
    }
