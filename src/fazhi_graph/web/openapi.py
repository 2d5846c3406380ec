"""The OpenAPI description at ``/openapi.json``, true to what the server answers.

FastAPI describes its own routes, but not ``/sparql`` and ``/store`` (plain Starlette routes
on the hot path), and it documents a 422 for invalid parameters where this server answers
400 in its one error shape. :func:`install_openapi` fixes both: every operation documents
the error shape ``{"ok": false, "error": …, "status": N}`` as its ``default`` response
(400, 404, 406, 413, 414, 415, 429, 503 …), and the SPARQL Protocol and Graph Store read
operations are described by hand.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from fazhi_graph.web.negotiation import GRAPH_FORMATS, RESULT_FORMATS

__all__ = ["ERROR_SCHEMA", "install_openapi"]

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ok", "error", "status"],
    "properties": {
        "ok": {"type": "boolean", "enum": [False]},
        "error": {"type": "string", "description": "what happened, why, and what to do"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
    },
}
"""The body of every error response."""

_ERROR_REF = {"$ref": "#/components/schemas/Error"}
_DEFAULT = {
    "description": "An error, in the endpoint's one JSON shape (any status from 400 on)",
    "content": {"application/json": {"schema": _ERROR_REF}},
}
_ANY: dict[str, Any] = {"schema": {}}
_RESULTS = {f.media_type: _ANY for f in (*RESULT_FORMATS, *GRAPH_FORMATS)}
"""Every format a query, the service description or a graph may come in (N3 included)."""

_PAGES = {media: _ANY for media in (
    "text/html", "application/json", "text/turtle", "application/ld+json",
    "application/n-triples", "text/csv", "application/sparql-query",
    "application/graphml+xml",
)}
"""What an explorer operation may answer: the page, its JSON twin, its RDF, a table or a
saved query (the suffix, ``format=`` or ``Accept`` chooses)."""


def _param(name: str, description: str, schema: dict[str, Any], *, required: bool = False,
           explode: bool = True) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema, "explode": explode}


_PROTOCOL_PARAMS = [
    _param("default-graph-uri", "graphs forming the default graph (absolute IRIs)",
           {"type": "array", "items": {"type": "string"}}),
    _param("named-graph-uri", "graphs GRAPH may use (absolute IRIs)",
           {"type": "array", "items": {"type": "string"}}),
    _param("format", "a format name or media type overriding Accept", {"type": "string"}),
    _param("max-rows", "row cap (1 to the server's maximum)", {"type": "string"}),
    _param("timeout", "time limit in seconds (at most the server's)", {"type": "string"}),
]

_SPARQL: dict[str, Any] = {
    "get": {
        "tags": ["SPARQL Protocol"],
        "summary": "Run a query; without ?query=, the service description",
        "operationId": "sparql_get",
        "parameters": [_param("query", "the SPARQL query", {"type": "string"}),
                       *_PROTOCOL_PARAMS],
        "responses": {"200": {"description": "results or a graph", "content": _RESULTS},
                      "304": {"description": "not modified (If-None-Match)"},
                      "default": _DEFAULT},
    },
    "post": {
        "tags": ["SPARQL Protocol"],
        "summary": "Run a query (form or direct body); updates only in write mode",
        "operationId": "sparql_post",
        "parameters": _PROTOCOL_PARAMS,
        "requestBody": {"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object",
                "properties": {"query": {"type": "string"}, "update": {"type": "string"}},
            }},
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/sparql-update": {"schema": {"type": "string"}},
        }},
        "responses": {"200": {"description": "results or a graph", "content": _RESULTS},
                      "204": {"description": "the update was applied"},
                      "default": _DEFAULT},
    },
}

_STORE: dict[str, Any] = {
    "get": {
        "tags": ["Graph Store Protocol"],
        "summary": "One named graph (?graph=IRI), the default graph (?default) or everything",
        "operationId": "store_get",
        "parameters": [_param("graph", "a named graph's IRI", {"type": "string"}),
                       _param("default", "the store's own default graph", {"type": "string"}),
                       _param("format", "a format name or media type", {"type": "string"})],
        "responses": {"200": {"description": "the graph or dataset", "content": _RESULTS},
                      "304": {"description": "not modified (If-None-Match)"},
                      "default": _DEFAULT},
    },
}


def _describe(app: FastAPI) -> dict[str, Any]:
    spec = get_openapi(
        title=app.title, version=app.version, summary=app.summary,
        description=app.description, routes=app.routes,
    )
    spec.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    schemas = spec["components"]["schemas"]
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # invalid parameters are a 400 in the error shape
            if "200" in responses:
                responses["200"]["content"] = _PAGES
            responses["303"] = {"description": "one of our IRIs: see its own page"}
            responses["default"] = _DEFAULT
    spec["paths"]["/sparql"] = _SPARQL
    spec["paths"]["/store"] = _STORE
    return spec


def install_openapi(app: FastAPI) -> None:
    """Serve the corrected description at ``/openapi.json`` (built once, on first use)."""
    cache: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cache:
            cache.update(_describe(app))
        return cache

    app.openapi = openapi  # type: ignore[method-assign]
