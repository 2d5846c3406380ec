"""Reading SPARQL Protocol requests: body limits, body types, parameters, dataset IRIs.

Small pure helpers used by the route modules; each raises the
:mod:`fazhi_graph.web.errors` error that gives the right status.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import ClientDisconnect, Request

from fazhi_graph.web.errors import (
    BadRequestError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
)

__all__ = [
    "FORM",
    "SPARQL_QUERY",
    "SPARQL_UPDATE",
    "Params",
    "body_type",
    "parse_form",
    "read_body",
    "validate_graph_iris",
]

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class Params:
    """Request parameters with repeats kept, in order (``default-graph-uri`` may repeat)."""

    items: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str | None:
        """The first value of ``name``, or ``None``."""
        for key, value in self.items:
            if key == name:
                return value
        return None

    def getall(self, name: str) -> list[str]:
        """Every value of ``name``, in order."""
        return [value for key, value in self.items if key == name]

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _ in self.items)

    def merged(self, other: Iterable[tuple[str, str]]) -> Params:
        """These parameters followed by ``other``."""
        return Params((*self.items, *other))


def body_type(request: Request) -> str:
    """The body's media type (lowercase, no parameters); 415 for a non-UTF-8 charset.

    A missing ``Content-Type`` is a 415 too: the protocol has no default body type.
    """
    header = request.headers.get("content-type")
    if not header:
        raise UnsupportedMediaTypeError(
            "a POST needs a Content-Type: application/x-www-form-urlencoded, "
            "application/sparql-query or application/sparql-update"
        )
    media, *params = (p.strip() for p in header.split(";"))
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise UnsupportedMediaTypeError(
                f"charset {value.strip()} is not supported; send the body as UTF-8"
            )
    return media.lower()


async def read_body(request: Request, limit: int) -> bytes:
    """Read the whole body, refusing (413) anything over ``limit`` bytes, even if chunked."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(
            f"the request body has {int(declared):,} bytes, over the limit of {limit:,} bytes"
        )
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLargeError(
                    f"the request body is over the limit of {limit:,} bytes"
                )
            chunks.append(chunk)
    except ClientDisconnect as exc:  # e.g. a slow client cut off by the read deadline
        raise BadRequestError("the client went away before it sent the whole body") from exc
    return b"".join(chunks)


def decode(body: bytes, what: str) -> str:
    """UTF-8 text of a body (400 if it is not UTF-8)."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequestError(f"the {what} is not valid UTF-8 ({exc})") from exc


def parse_form(body: bytes) -> Params:
    """Parameters of an ``application/x-www-form-urlencoded`` body (400 if not UTF-8).

    >>> parse_form(b"query=ASK%7B%7D&default-graph-uri=a&default-graph-uri=b").getall(
    ...     "default-graph-uri")
    ['a', 'b']
    """
    text = decode(body, "form body")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequestError(f"the form body cannot be decoded: {exc}") from exc
    return Params(tuple(pairs))


def validate_graph_iris(values: list[str], parameter: str) -> tuple[str, ...]:
    """Check that each value is an absolute IRI (400 otherwise).

    >>> validate_graph_iris(["http://ex.org/g"], "default-graph-uri")
    ('http://ex.org/g',)
    """
    out: list[str] = []
    for value in values:
        try:
            ox.NamedNode(value)
        except ValueError as exc:
            raise BadRequestError(
                f"{parameter}={value!r} is not an absolute IRI ({exc})"
            ) from exc
        out.append(value)
    return tuple(out)
