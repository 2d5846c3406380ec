"""``/sparql``: the SPARQL 1.1 Protocol query and update operations.

GET ``?query=``, POST ``application/x-www-form-urlencoded`` (``query=`` or ``update=``), POST
``application/sparql-query`` and ``application/sparql-update``; ``default-graph-uri`` and
``named-graph-uri`` (repeatable); extensions ``format=`` (a name or media type that overrides
``Accept``, for links), ``max-rows=`` (row cap, up to the server's maximum) and ``timeout=``
(seconds, at most the server's limit). A GET without a query returns the service description.
"""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import Awaitable, Mapping
from pathlib import Path
from typing import TypeVar

from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route

from fazhi_graph.errors import FormatError
from fazhi_graph.web.cache import CachedResponse, etag_for, etag_matches
from fazhi_graph.web.errors import (
    BadRequestError,
    ForbiddenError,
    NotAcceptableError,
    PayloadTooLargeError,
    UnauthorizedError,
    UnsupportedMediaTypeError,
    UpdateRefusedError,
    UriTooLongError,
)
from fazhi_graph.web.guard import check_federation, check_nesting, has_dataset_clause
from fazhi_graph.web.negotiation import (
    GRAPH_FORMATS,
    RESULT_FORMATS,
    MediaFormat,
    is_known_format,
    known_format_names,
    negotiate,
    pick_override,
)
from fazhi_graph.web.protocol import (
    FORM,
    SPARQL_QUERY,
    SPARQL_UPDATE,
    Params,
    body_type,
    decode,
    parse_form,
    read_body,
    validate_graph_iris,
)
from fazhi_graph.web.render import QueryRequest
from fazhi_graph.web.routes.service_description import describe
from fazhi_graph.web.state import AppState, state_of

__all__ = ["answer_query", "fast_endpoints", "prefixes_for", "routes", "spooled_response"]
_T = TypeVar("_T")


class ClientGoneError(BadRequestError):
    """The client disconnected before its answer was ready (nobody reads this response)."""


READ_CACHE_CONTROL = "public, max-age=0, must-revalidate"
"""Caches may keep responses but must revalidate (cheap: ETag + 304)."""

WATCH_AFTER_S = 1.0
"""Start watching for a disconnected client once a query has run this long (the executor
only kills a worker for an abandoned query after about as long)."""


async def _until_disconnected(request: Request) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


async def unless_disconnected(request: Request, work: Awaitable[_T]) -> _T:
    """Await ``work``; if it is still running after a second and the client goes away,
    cancel it (which kills a long query's worker, so an abandoned query stops using CPU).

    Short queries pay only for one timer: the watcher starts late.
    """
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()
    gone = False
    watcher: asyncio.Task[None] | None = None

    def watch() -> None:
        nonlocal watcher
        watcher = loop.create_task(_until_disconnected(request))
        watcher.add_done_callback(cancel_me)

    def cancel_me(task: asyncio.Task[None]) -> None:
        nonlocal gone
        if not task.cancelled() and task.exception() is None and me is not None:
            gone = True
            me.cancel()

    timer = loop.call_later(WATCH_AFTER_S, watch)
    try:
        return await work
    except asyncio.CancelledError:
        if gone:
            raise ClientGoneError("the client disconnected before the answer was ready") from None
        raise
    finally:
        timer.cancel()
        if watcher is not None:
            watcher.remove_done_callback(cancel_me)
            watcher.cancel()


async def sparql_get(request: Request) -> Response:
    """``?query=`` runs a query; without it, the service description."""
    state = state_of(request)
    params = Params(tuple(request.query_params.multi_items()))
    if "update" in params:
        raise BadRequestError(
            "SPARQL Update must be sent with POST (application/sparql-update or a form with "
            "update=), never with GET"
        )
    query = params.get("query")
    if query is None:
        return await describe(request, state)
    return await answer_query(request, state, query, params, via_get=True)


async def sparql_post(request: Request) -> Response:
    """A query or update as a form, or as a direct ``application/sparql-*`` body."""
    state = state_of(request)
    url_params = Params(tuple(request.query_params.multi_items()))
    media = body_type(request)
    limit = state.settings.max_body_bytes
    if media == FORM:
        form = parse_form(await read_body(request, limit))
        params = form.merged(url_params.items)
        if "query" in form and "update" in form:
            raise BadRequestError("send either query= or update=, not both")
        query, update = form.get("query"), form.get("update")
        if query is not None:
            return await answer_query(request, state, query, params, via_get=False)
        if update is not None:
            return await answer_update(request, state, update, params)
        raise BadRequestError("the form has no query= or update= parameter")
    if media == SPARQL_QUERY:
        text = decode(await read_body(request, limit), "query")
        return await answer_query(request, state, text, url_params, via_get=False)
    if media == SPARQL_UPDATE:
        refuse_update_if_read_only(state)
        text = decode(await read_body(request, limit), "update")
        return await answer_update(request, state, text, url_params)
    raise UnsupportedMediaTypeError(
        f"{media} is not a SPARQL request body; use {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}"
    )


def _formats(request: Request, params: Params) -> tuple[MediaFormat | None, MediaFormat | None]:
    """The format for solutions/booleans and for graphs, from ``format=`` or ``Accept``."""
    overrides = params.getall("format")
    if overrides:
        if not any(is_known_format(v) for v in overrides):
            raise FormatError(overrides[0], known_format_names())
        results = pick_override(overrides, RESULT_FORMATS)
        graphs = pick_override(overrides, GRAPH_FORMATS)
    else:
        accept = request.headers.get("accept")
        results = negotiate(accept, RESULT_FORMATS)
        graphs = negotiate(accept, GRAPH_FORMATS)
    if results is None and graphs is None:
        offered = ", ".join(f.media_type for f in (*RESULT_FORMATS, *GRAPH_FORMATS))
        raise NotAcceptableError(
            f"none of the requested formats can be produced; SELECT and ASK results come as "
            f"{', '.join(f.media_type for f in RESULT_FORMATS)}, graphs as "
            f"{', '.join(f.media_type for f in GRAPH_FORMATS)} (all offered: {offered})"
        )
    return results, graphs


def _row_limit(params: Params, state: AppState) -> int:
    value = params.get("max-rows")
    settings = state.settings
    if value is None:
        return settings.max_rows
    try:
        rows = int(value)
    except ValueError:
        rows = 0
    if not 1 <= rows <= settings.max_rows_limit:
        raise BadRequestError(
            f"max-rows={value!r} must be a whole number from 1 to {settings.max_rows_limit:,}"
        )
    return rows


def _time_limit(params: Params, state: AppState) -> float:
    value = params.get("timeout")
    limit = state.settings.query_timeout_s
    if value is None:
        return limit
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise BadRequestError(f"timeout={value!r} must be a positive number of seconds")
    return min(seconds, limit)


def _check_length(text: str, state: AppState, *, via_get: bool) -> None:
    limit = state.settings.max_query_chars
    if len(text) > limit:
        error = UriTooLongError if via_get else PayloadTooLargeError
        raise error(
            f"the query has {len(text):,} characters, over the limit of {limit:,}"
        )
    if not text.strip():
        raise BadRequestError("the query is empty")


def prefixes_for(query: str, prefixes: Mapping[str, str]) -> Mapping[str, str]:
    """The predeclared prefixes to send with ``query``: all of them when it may build a graph
    (its Turtle output offers them), else only those whose ``name:`` occurs in the text.

    Parsing a map of forty prefixes, and sending it to the worker, cost more than a lookup
    query itself; a prefix the text never writes cannot be needed.

    >>> prefixes_for("SELECT * { ?s a fz:Report }", {"fz": "f#", "qb": "q#"})
    {'fz': 'f#'}
    >>> len(prefixes_for("CONSTRUCT WHERE { ?s ?p ?o }", {"fz": "f#", "qb": "q#"}))
    2
    """
    lowered = query.lower()
    if "construct" in lowered or "describe" in lowered:
        return prefixes
    return {name: ns for name, ns in prefixes.items() if f"{name}:" in query}


async def answer_query(
    request: Request, state: AppState, query: str, params: Params, *, via_get: bool
) -> Response:
    """Run a query (with limits, conneg, ETag and the result cache) and build the response."""
    settings = state.settings
    _check_length(query, state, via_get=via_get)
    check_nesting(query)
    results_fmt, graph_fmt = _formats(request, params)
    default_graph = validate_graph_iris(params.getall("default-graph-uri"), "default-graph-uri")
    named_graphs = validate_graph_iris(params.getall("named-graph-uri"), "named-graph-uri")
    max_rows = _row_limit(params, state)
    time_limit = _time_limit(params, state)
    key = (
        state.version(),
        query,
        default_graph,
        named_graphs,
        results_fmt.key if results_fmt else None,
        graph_fmt.key if graph_fmt else None,
        max_rows,
    )
    etag = etag_for(key)
    head = request.method == "HEAD"
    common = {"ETag": etag, "Vary": "Accept", "Cache-Control": READ_CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=common)
    cached = state.cache.get(key)
    if cached is None:
        check_federation(query, settings.allow_service, prefixes=state.prefixes)
        outcome = await unless_disconnected(request, state.executor.query(
            QueryRequest(
                query=query,
                results_format=results_fmt.key if results_fmt else None,
                graph_format=graph_fmt.key if graph_fmt else None,
                max_rows=max_rows,
                default_graph=default_graph or None,
                named_graphs=named_graphs or None,
                union_default=not default_graph and not has_dataset_clause(query),
                prefixes=prefixes_for(query, state.prefixes),
            ),
            timeout=time_limit,
        ))
        fmt = next(f for f in (*RESULT_FORMATS, *GRAPH_FORMATS) if f.key == outcome.format_key)
        extra = {}
        if outcome.form != "boolean":
            extra = {
                "X-Fazhi-Truncated": "true" if outcome.truncated else "false",
                "X-Fazhi-Rows": str(outcome.rows),
                "X-Fazhi-Row-Limit": str(max_rows),
            }
        if outcome.path is not None:  # a big answer: streamed from its spool file, not cached
            return spooled_response(Path(outcome.path), fmt.content_type,
                                    {**common, **extra, "X-Fazhi-Cache": "miss"}, head=head)
        cached = CachedResponse(outcome.body, fmt.content_type, extra)
        state.cache.put(key, cached)
        cache_state = "miss"
    else:
        cache_state = "hit"
    headers = {**common, **cached.headers, "X-Fazhi-Cache": cache_state,
               "Content-Length": str(len(cached.body))}
    return Response(b"" if head else cached.body, media_type=cached.content_type,
                    headers=headers)


def spooled_response(path: Path, content_type: str, headers: dict[str, str], *, head: bool
                     ) -> Response:
    """Send a finished answer from its spool file in chunks, then delete the file (at once
    for ``HEAD``). Its length is known, so it goes out with ``Content-Length``."""
    headers = {**headers, "Content-Length": str(path.stat().st_size)}
    if head:
        path.unlink(missing_ok=True)
        return Response(b"", media_type=content_type, headers=headers)
    return FileResponse(path, media_type=content_type, headers=headers,
                        background=BackgroundTask(path.unlink, missing_ok=True))


def refuse_update_if_read_only(state: AppState) -> None:
    """403 for any write on a read-only endpoint."""
    if state.settings.read_only:
        raise UpdateRefusedError(
            "this endpoint is read-only, so SPARQL Update is refused; the data changes only "
            "through `fazhi-graph build`. To accept updates, start the server with --write "
            "and a token (FAZHI_WRITE_TOKEN), and send it as Authorization: Bearer <token>"
        )


def check_token(request: Request, token: str | None) -> None:
    """401 without a bearer token, 403 with a wrong one, 403 if the server has no token."""
    if not token:
        raise ForbiddenError(
            "this server has no write token, so it accepts no writes: restart it with "
            "FAZHI_WRITE_TOKEN set and send Authorization: Bearer <token>"
        )
    header = request.headers.get("authorization", "")
    scheme, _, credential = header.partition(" ")
    if scheme.lower() != "bearer" or not credential.strip():
        raise UnauthorizedError(
            "this write needs the server's token: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": 'Bearer realm="fazhi-graph"'},
        )
    if not hmac.compare_digest(credential.strip().encode(), token.encode()):
        raise ForbiddenError(
            "the bearer token is not the server's write token",
            headers={"WWW-Authenticate": 'Bearer realm="fazhi-graph", error="invalid_token"'},
        )


async def answer_update(
    request: Request, state: AppState, update: str, params: Params
) -> Response:
    """Run an update (write mode and token only); 204 on success."""
    refuse_update_if_read_only(state)
    check_token(request, state.settings.write_token)
    _check_length(update, state, via_get=False)
    check_nesting(update)
    if "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise BadRequestError(
            "using-graph-uri and using-named-graph-uri are not supported; put USING / WITH "
            "clauses in the update itself"
        )
    check_federation(update, state.settings.allow_service)
    store = state.store
    await state.executor.exclusive(
        lambda: store.update(update), timeout=state.settings.query_timeout_s
    )
    state.data_changed()
    return Response(status_code=204)


routes = [
    # Plain Starlette routes (the OpenAPI description and url_for know them); requests reach
    # the handlers through the fast path below, which skips the routing layers.
    Route("/sparql", sparql_get, methods=["GET", "HEAD"], name="sparql_get"),
    Route("/sparql", sparql_post, methods=["POST"], name="sparql_post"),
]

fast_endpoints = {
    (method, route.path): route.endpoint for route in routes for method in route.methods or ()
}
"""What :class:`~fazhi_graph.web.fastpath.SparqlFastPath` answers directly."""
