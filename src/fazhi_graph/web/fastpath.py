"""The short way in for ``/sparql``: its requests skip FastAPI's routing layers.

A lookup query takes well under a millisecond in the engine, so the layers a request passes on
its way to the handler show in its latency. :class:`SparqlFastPath` sits just inside the
application's own middleware (security headers, CORS, the rate limit), which every request
still passes, and sends ``GET``/``HEAD``/``POST /sparql`` straight to their handlers,
skipping FastAPI's exception middleware, its exit stack, the router's scan of every route and
the request wrapper. Errors keep their shape: a :class:`~fazhi_graph.errors.FazhiError`
becomes the JSON error response here, exactly as the exception handlers would make it, and
anything else (a bug) goes on to the server-error middleware, which logs it and answers 500 in
the same shape. Every other request, ``OPTIONS /sparql`` among them, takes the usual way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from fazhi_graph.errors import FazhiError
from fazhi_graph.web.handlers import fazhi_error_response

__all__ = ["Endpoint", "SparqlFastPath"]

Endpoint = Callable[[Request], Awaitable[Response]]
"""A request handler: a Starlette endpoint function."""


class SparqlFastPath:
    """ASGI middleware answering ``(method, path)`` pairs in ``endpoints`` directly."""

    def __init__(self, app: ASGIApp, endpoints: Mapping[tuple[str, str], Endpoint]) -> None:
        self.app = app
        self.endpoints = dict(endpoints)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the endpoint for this method and path, or pass the request on."""
        endpoint = (
            self.endpoints.get((scope["method"], scope["path"]))
            if scope["type"] == "http" else None
        )
        if endpoint is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except FazhiError as exc:
            response = fazhi_error_response(exc, request)
        await response(scope, receive, send)
