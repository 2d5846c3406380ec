"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol.

Read side (always on): ``GET``/``HEAD /store?graph=IRI`` (one named graph), ``?default`` (the
store's own default graph, not the union) and ``/store`` alone (the whole dataset as TriG or
N-Quads). Graphs are negotiated like ``CONSTRUCT`` results (Turtle by default).

Write side (``PUT``, ``POST``, ``DELETE``): refused with 403 on a read-only server; in write
mode they need the bearer token, like SPARQL Update.
"""

from __future__ import annotations

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fazhi_graph.web.cache import CachedResponse, etag_for, etag_matches
from fazhi_graph.web.errors import (
    BadRequestError,
    NotAcceptableError,
    NotFoundError,
    UnsupportedMediaTypeError,
)
from fazhi_graph.web.negotiation import DATASET_FORMATS, GRAPH_FORMATS, negotiate, pick_override
from fazhi_graph.web.protocol import Params, body_type, read_body, validate_graph_iris
from fazhi_graph.web.render import DumpRequest
from fazhi_graph.web.routes.sparql import (
    READ_CACHE_CONTROL,
    check_token,
    refuse_update_if_read_only,
    spooled_response,
)
from fazhi_graph.web.state import AppState, state_of

__all__ = ["routes"]


def _target(params: Params) -> str | None:
    """``"default"``, a graph IRI, or ``None`` for the whole dataset."""
    graphs = params.getall("graph")
    if graphs and "default" in params:
        raise BadRequestError("give either ?graph=IRI or ?default, not both")
    if len(graphs) > 1:
        raise BadRequestError("give one ?graph=IRI at a time")
    if graphs:
        return validate_graph_iris(graphs, "graph")[0]
    return "default" if "default" in params else None


async def store_get(request: Request) -> Response:
    """One graph, the default graph, or the whole dataset."""
    state = state_of(request)
    params = Params(tuple(request.query_params.multi_items()))
    target = _target(params)
    formats = DATASET_FORMATS if target is None else GRAPH_FORMATS
    overrides = params.getall("format")
    fmt = (pick_override(overrides, formats) if overrides
           else negotiate(request.headers.get("accept"), formats))
    if fmt is None:
        raise NotAcceptableError(
            ("the whole dataset" if target is None else "a graph")
            + " is available as: " + ", ".join(f.media_type for f in formats)
        )
    key = ("store", state.version(), target, fmt.key)
    etag = etag_for(key)
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": READ_CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    head = request.method == "HEAD"
    cached = state.cache.get(key)
    if cached is None:
        result = await state.executor.dump(
            DumpRequest(target, fmt.key, state.prefixes), timeout=state.dump_timeout
        )
        if result.path is not None:
            return spooled_response(result.path, fmt.content_type, headers, head=head)
        assert result.body is not None
        cached = CachedResponse(result.body, fmt.content_type, {})
        state.cache.put(key, cached)
    headers["Content-Length"] = str(len(cached.body))
    return Response(b"" if head else cached.body, media_type=cached.content_type,
                    headers=headers)


async def _authorise_write(request: Request, state: AppState) -> str:
    refuse_update_if_read_only(state)
    check_token(request, state.settings.write_token)
    target = _target(Params(tuple(request.query_params.multi_items())))
    if target is None:
        raise BadRequestError("say which graph to write: ?graph=IRI or ?default")
    return target


def _graph_clause(target: str) -> str:
    # ``target`` passed ox.NamedNode validation, so it cannot contain ``>`` or spaces.
    return "DEFAULT" if target == "default" else f"GRAPH <{target}>"


async def _body_as_ntriples(request: Request, state: AppState) -> str:
    media = body_type(request)
    rdf_format = ox.RdfFormat.from_media_type(media)
    if rdf_format is None or rdf_format.supports_datasets:
        raise UnsupportedMediaTypeError(
            f"{media} is not an RDF graph format; send one of "
            + ", ".join(f.media_type for f in GRAPH_FORMATS if not f.rdf_format().supports_datasets)
        )
    body = await read_body(request, state.settings.max_body_bytes)
    try:
        quads = list(ox.parse(body, format=rdf_format))
    except (SyntaxError, ValueError) as exc:
        raise BadRequestError(f"the body does not parse as {media}: {exc}") from exc
    data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data.decode("utf-8")


def _exists(state: AppState, target: str) -> bool:
    return target == "default" or target in state.store.graph_names()


async def _write(state: AppState, update: str) -> None:
    store = state.store
    await state.executor.exclusive(
        lambda: store.update(update), timeout=state.settings.query_timeout_s
    )
    state.data_changed()


async def store_put(request: Request) -> Response:
    """Replace a graph with the body."""
    state = state_of(request)
    target = await _authorise_write(request, state)
    triples = await _body_as_ntriples(request, state)
    existed = _exists(state, target)
    clause = _graph_clause(target)
    create = "" if target == "default" else f"CREATE SILENT {clause} ;\n"
    drop = "CLEAR DEFAULT" if target == "default" else f"DROP SILENT {clause}"
    await _write(state, f"{drop} ;\n{create}INSERT DATA {{ {_wrap(target, triples)} }}")
    return Response(status_code=204 if existed else 201)


async def store_post(request: Request) -> Response:
    """Add the body's triples to a graph."""
    state = state_of(request)
    target = await _authorise_write(request, state)
    triples = await _body_as_ntriples(request, state)
    existed = _exists(state, target)
    create = "" if target == "default" else f"CREATE SILENT {_graph_clause(target)} ;\n"
    await _write(state, f"{create}INSERT DATA {{ {_wrap(target, triples)} }}")
    return Response(status_code=204 if existed else 201)


async def store_delete(request: Request) -> Response:
    """Drop a named graph (or empty the default graph)."""
    state = state_of(request)
    target = await _authorise_write(request, state)
    if not _exists(state, target):
        raise NotFoundError(f"the store has no graph <{target}>")
    drop = "CLEAR DEFAULT" if target == "default" else f"DROP {_graph_clause(target)}"
    await _write(state, drop)
    return Response(status_code=204)


def _wrap(target: str, triples: str) -> str:
    return triples if target == "default" else f"GRAPH <{target}> {{\n{triples}\n}}"


routes = [
    Route("/store", store_get, methods=["GET", "HEAD"], name="store_get"),
    Route("/store", store_put, methods=["PUT"], name="store_put"),
    Route("/store", store_post, methods=["POST"], name="store_post"),
    Route("/store", store_delete, methods=["DELETE"], name="store_delete"),
]
