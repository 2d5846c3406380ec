"""The exception handlers that give every error response one JSON shape.

``{"ok": false, "error": "...", "status": N}``: :class:`fazhi_graph.errors.FazhiError` (the
library's and :mod:`fazhi_graph.web.errors`) gets its mapped status; Starlette's 404/405 and
FastAPI's validation errors get the same shape. Anything else is a bug: Starlette still logs
the traceback and the client gets a 500 in the same shape, never a 4xx.
"""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from fazhi_graph.errors import FazhiError
from fazhi_graph.web.errors import status_of

__all__ = ["error_response", "fazhi_error_response", "install_error_handlers"]

log = logging.getLogger("fazhi_graph.web")


def error_response(
    status: int, message: str, *, headers: dict[str, str] | None = None, head: bool = False
) -> Response:
    """The JSON error response (an empty body for ``HEAD``)."""
    body = b"" if head else json.dumps(
        {"ok": False, "error": message, "status": status}, ensure_ascii=False
    ).encode("utf-8")
    response = Response(body, status_code=status, media_type="application/json",
                        headers=headers)
    if head:
        response.headers["content-length"] = "0"
    return response


def fazhi_error_response(exc: FazhiError, request: Request) -> Response:
    """The JSON error response for a library or web error raised while answering
    ``request`` (its mapped status and headers; server-side failures are logged)."""
    status = status_of(exc)
    headers = dict(getattr(exc, "headers", {}) or {})
    if status >= 500:
        log.warning("%s %s -> %d: %s", request.method, request.url.path, status, exc)
    return error_response(status, str(exc), headers=headers, head=request.method == "HEAD")


async def _fazhi_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, FazhiError)
    return fazhi_error_response(exc, request)


async def _http_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if exc.status_code == 404:
        message = f"no such page: {request.url.path} (the endpoint is at /sparql)"
    elif exc.status_code == 405:
        message = f"{request.method} is not allowed on {request.url.path}"
    return error_response(exc.status_code, message, headers=dict(exc.headers or {}),
                          head=request.method == "HEAD")


async def _validation_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
             for e in exc.errors()]
    return error_response(400, "invalid request: " + "; ".join(parts),
                          head=request.method == "HEAD")


async def _server_error_handler(request: Request, exc: Exception) -> Response:
    # Starlette calls this for unhandled exceptions and re-raises them afterwards, so the
    # traceback is still logged; the client gets the common shape with a 500.
    return error_response(
        500,
        "internal server error: this is a bug in fazhi-graph, not a problem with your "
        "request; please report it with the query you sent",
        head=request.method == "HEAD",
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the JSON shape."""
    app.add_exception_handler(FazhiError, _fazhi_handler)
    app.add_exception_handler(StarletteHTTPException, _http_handler)
    app.add_exception_handler(RequestValidationError, _validation_handler)
    app.add_exception_handler(500, _server_error_handler)
