"""The SPARQL 1.1 endpoint and Graph Store Protocol server (FastAPI).

:func:`create_app` builds the application from a store and settings; nothing is built at
import time. :func:`fazhi_graph.web.server.run` serves it with uvicorn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fazhi_graph.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from fazhi_graph.web.app import create_app

        return create_app
    raise AttributeError(name)
