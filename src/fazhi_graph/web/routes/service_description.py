"""The SPARQL 1.1 Service Description, returned by ``GET /sparql`` without a query.

It lists the supported languages, the result and graph formats, the named graphs, that the
default graph is the union of all graphs, whether federation is allowed, and the limits
(time limit, row caps, body and query size, read-only), in RDF, negotiated like any graph
(Turtle by default).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD
from rdflib.term import URIRef
from starlette.requests import Request
from starlette.responses import Response

from fazhi_graph.namespaces import SD, SERVICE
from fazhi_graph.web.cache import CachedResponse, etag_for, etag_matches
from fazhi_graph.web.errors import NotAcceptableError
from fazhi_graph.web.negotiation import GRAPH_FORMATS, RESULT_FORMATS, negotiate, pick_override
from fazhi_graph.web.state import AppState

__all__ = ["SD", "SERVICE", "describe", "service_description"]


READ_CACHE_CONTROL = "public, max-age=0, must-revalidate"
"""Caches may keep the description but must revalidate it (ETag + 304)."""



def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def _lit(value: object, datatype: URIRef) -> ox.Literal:
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return ox.Literal(text, datatype=_n(datatype))


def service_description(state: AppState, endpoint: str) -> list[ox.Triple]:
    """The service description triples for the endpoint at ``endpoint``."""
    settings = state.settings
    svc = _n(endpoint)
    triples: list[ox.Triple] = []

    def add(
        s: ox.NamedNode | ox.BlankNode, p: str, o: ox.NamedNode | ox.BlankNode | ox.Literal
    ) -> None:
        triples.append(ox.Triple(s, _n(p), o))

    add(svc, RDF.type, _n(SD.Service))
    add(svc, SD.endpoint, svc)
    add(svc, SD.supportedLanguage, _n(SD.SPARQL11Query))
    if not settings.read_only:
        add(svc, SD.supportedLanguage, _n(SD.SPARQL11Update))
    add(svc, SD.feature, _n(SD.UnionDefaultGraph))
    if settings.allow_service:
        add(svc, SD.feature, _n(SD.BasicFederatedQuery))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        add(svc, SD.resultFormat, _n(fmt.iri))
    add(svc, RDFS.label, ox.Literal("fazhi-graph SPARQL endpoint", language="en"))
    add(svc, RDFS.label, ox.Literal("法治政府建设年度报告知识图谱 SPARQL 查询端点", language="zh"))
    add(svc, RDFS.comment, ox.Literal(_limits_text(state), language="en"))
    add(svc, SERVICE.queryTimeoutSeconds, _lit(settings.query_timeout_s, XSD.decimal))
    add(svc, SERVICE.defaultRowLimit, _lit(settings.max_rows, XSD.integer))
    add(svc, SERVICE.maxRowLimit, _lit(settings.max_rows_limit, XSD.integer))
    add(svc, SERVICE.maxBodyBytes, _lit(settings.max_body_bytes, XSD.integer))
    add(svc, SERVICE.maxQueryCharacters, _lit(settings.max_query_chars, XSD.integer))
    add(svc, SERVICE.readOnly, _lit(settings.read_only, XSD.boolean))
    add(svc, SERVICE.version, ox.Literal(state.version()))
    for allowed in settings.allow_service:
        add(svc, SERVICE.allowedService, ox.Literal(allowed))
    for prefix, namespace in sorted(state.prefixes.items()):
        decl = ox.BlankNode()
        add(svc, SERVICE.predeclaredPrefix, decl)
        add(decl, SERVICE.prefix, ox.Literal(prefix))
        add(decl, SERVICE.namespace, _lit(namespace, XSD.anyURI))

    dataset = ox.BlankNode()
    add(svc, SD.defaultDataset, dataset)
    add(dataset, RDF.type, _n(SD.Dataset))
    default = ox.BlankNode()
    add(dataset, SD.defaultGraph, default)
    add(default, RDF.type, _n(SD.Graph))
    add(default, DCTERMS.description, ox.Literal(
        "the union of all named graphs (and the store's default graph)", language="en"))
    for name in state.store.graph_names():
        graph = ox.BlankNode()
        add(dataset, SD.namedGraph, graph)
        add(graph, RDF.type, _n(SD.NamedGraph))
        add(graph, SD.name, _n(name))
    return triples


def _limits_text(state: AppState) -> str:
    s = state.settings
    parts = [
        f"Queries stop after {s.query_timeout_s:g} s (HTTP 503).",
        f"SELECT returns at most {s.max_rows:,} rows unless max-rows= asks for up to "
        f"{s.max_rows_limit:,}; a cut result says so in the X-Fazhi-Truncated header and, in "
        "JSON, in a top-level \"truncated\" field.",
        f"Request bodies up to {s.max_body_bytes:,} bytes, queries up to "
        f"{s.max_query_chars:,} characters.",
        "The default graph is the union of all graphs.",
        "SERVICE is refused." if not s.allow_service
        else "SERVICE is allowed only for: " + ", ".join(s.allow_service) + ".",
        "Read-only: updates get HTTP 403." if s.read_only
        else "Updates need Authorization: Bearer <token>.",
        "Graph Store Protocol (read): GET /store?graph=IRI, /store?default, /store.",
    ]
    return " ".join(parts)


async def describe(request: Request, state: AppState) -> Response:
    """Negotiate and return the service description (cached per version and format)."""
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    override = request.query_params.getlist("format")
    if override:
        fmt = pick_override(override, GRAPH_FORMATS)
    if fmt is None:
        raise NotAcceptableError(
            "the service description is RDF; ask for one of: "
            + ", ".join(f.media_type for f in GRAPH_FORMATS)
        )
    endpoint = str(request.url.replace(query="", fragment=""))
    s = state.settings  # never the write token: the ETag must not depend on secrets
    limits = (s.read_only, s.query_timeout_s, s.max_rows, s.max_rows_limit, s.max_body_bytes,
              s.max_query_chars, s.allow_service)
    key = ("service-description", state.version(), endpoint, fmt.key, limits)
    etag = etag_for(key)
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": READ_CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    cached = state.cache.get(key)
    if cached is None:
        triples = service_description(state, endpoint)
        prefixes = {"sd": str(SD._NS), "fzsvc": str(SERVICE), "rdfs": str(RDFS),
                    "xsd": str(XSD), "dct": str(DCTERMS)}
        rdf_format = fmt.rdf_format()
        data: list[ox.Triple] | list[ox.Quad] = triples
        if rdf_format.supports_datasets:
            data = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        use = None if fmt.key in ("ntriples", "nquads") else prefixes
        body = ox.serialize(data, format=rdf_format, prefixes=use)
        assert body is not None
        cached = CachedResponse(body, fmt.content_type, {})
        state.cache.put(key, cached)
    head = request.method == "HEAD"
    headers["Content-Length"] = str(len(cached.body))
    return Response(
        b"" if head else cached.body, media_type=cached.content_type, headers=headers
    )

