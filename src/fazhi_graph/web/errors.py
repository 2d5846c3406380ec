"""HTTP errors of the web app, as :class:`fazhi_graph.errors.FazhiError` subclasses.

Every error response, whatever raised it, has the body::

    {"ok": false, "error": "<what happened, why, what to do>", "status": <HTTP status>}

The library's own errors (:mod:`fazhi_graph.errors`) map to statuses in :func:`status_of`;
this module adds the protocol-level ones (406, 413, 414, 415, 401/403 for updates …), so the
one handler in :mod:`fazhi_graph.web.handlers` serves them all. This module imports no web
framework: the query workers raise these errors too.
"""

from __future__ import annotations

from fazhi_graph.errors import (
    FazhiError,
    FormatError,
    QueryRefusedError,
    QuerySyntaxError,
    QueryTimeoutError,
    StoreError,
    StoreLockedError,
)

__all__ = [
    "BadRequestError",
    "ForbiddenError",
    "HttpError",
    "InternalError",
    "NotAcceptableError",
    "NotFoundError",
    "PayloadTooLargeError",
    "ServerConfigError",
    "UnauthorizedError",
    "UnsupportedMediaTypeError",
    "UpdateRefusedError",
    "UriTooLongError",
    "error_class",
    "status_of",
]


class HttpError(FazhiError):
    """A request the endpoint refuses, with its HTTP status."""

    status = 400

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        self.headers = headers or {}
        super().__init__(message)


class BadRequestError(HttpError):
    """Missing or contradictory parameters (HTTP 400)."""

    status = 400


class UnauthorizedError(HttpError):
    """An update without a bearer token on a writable endpoint (HTTP 401)."""

    status = 401


class ForbiddenError(HttpError):
    """The operation is not allowed with the given credentials (HTTP 403)."""

    status = 403


class UpdateRefusedError(QueryRefusedError):
    """A SPARQL update or Graph Store write on a read-only endpoint (HTTP 403)."""

    status = 403


class NotFoundError(HttpError):
    """No such graph or resource (HTTP 404)."""

    status = 404


class NotAcceptableError(HttpError):
    """The ``Accept`` header names no format the endpoint can produce (HTTP 406)."""

    status = 406


class PayloadTooLargeError(HttpError):
    """The request body or the query text is over its limit (HTTP 413)."""

    status = 413


class UriTooLongError(HttpError):
    """A ``GET`` query over the length limit (HTTP 414)."""

    status = 414


class UnsupportedMediaTypeError(HttpError):
    """A ``POST`` body type the protocol does not define (HTTP 415)."""

    status = 415


class InternalError(HttpError):
    """The query engine failed in a way that is not the client's fault (HTTP 500)."""

    status = 500


_LIBRARY_STATUS: tuple[tuple[type[FazhiError], int], ...] = (
    (QueryTimeoutError, 503),
    (QuerySyntaxError, 400),
    (QueryRefusedError, 400),
    (FormatError, 400),
    (StoreLockedError, 503),
    (StoreError, 500),
)


def status_of(exc: FazhiError) -> int:
    """The HTTP status for a library or web error.

    >>> status_of(QueryTimeoutError("slow")), status_of(UpdateRefusedError("ro"))
    (503, 403)
    """
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    for cls, code in _LIBRARY_STATUS:
        if isinstance(exc, cls):
            return code
    return 500


_REBUILDABLE: dict[str, type[FazhiError]] = {
    cls.__name__: cls
    for cls in (
        QuerySyntaxError,
        QueryRefusedError,
        QueryTimeoutError,
        StoreError,
        StoreLockedError,
        BadRequestError,
        NotAcceptableError,
        NotFoundError,
        UpdateRefusedError,
    )
}


def error_class(name: str) -> type[FazhiError]:
    """The error class a query worker named (unknown names become :class:`InternalError`).

    Workers send errors as ``(class name, message)``; the server re-raises them here so the
    one handler maps them to the same statuses as in-process errors.

    >>> error_class("QuerySyntaxError").__name__, error_class("KeyError").__name__
    ('QuerySyntaxError', 'InternalError')
    """
    return _REBUILDABLE.get(name, InternalError)


class ServerConfigError(FazhiError):
    """The server was asked to start in an unsafe or impossible configuration."""
