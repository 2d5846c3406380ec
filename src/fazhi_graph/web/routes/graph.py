"""``/graph``: the graph explorer (cytoscape.js), and ``/api/graph/…`` behind it.

The page starts from an entity (``?focus=IRI``), a search hit, or a query (``?query=``, a
CONSTRUCT or ``?s ?p ?o`` SELECT run on ``/sparql``); ``?view=schema`` draws the ontology;
``?from=IRI&to=IRI`` opens with a shortest path.

API (JSON, errors in the common shape):

``GET /api/graph/neighbours?iri=&limit=&offset=&kind=``
    a page of a node's neighbours and the edges to them, with how many are left;
``GET /api/graph/path?from=&to=``
    the shortest path (networkx), each hop with its property and source sentences;
``POST /api/graph/export?format=turtle|graphml``
    body ``{"nodes": [IRI…], "edges": [{"source", "predicate", "target"}…]}``: the visible
    subgraph as a file (only nodes and edges that exist in the dataset are written);
``GET /api/graph/schema``
    the ontology's classes, subclass links and properties (domain → range).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from fazhi_graph.web.errors import BadRequestError, PayloadTooLargeError
from fazhi_graph.web.explorer import Explorer, explorer_of
from fazhi_graph.web.graph_model import (
    GraphModel,
    build_model,
    schema_graph,
    to_graphml,
    to_turtle,
)
from fazhi_graph.web.kinds import KINDS
from fazhi_graph.web.links import page_url
from fazhi_graph.web.pages import PageNotFoundError, choose_format, json_page, render
from fazhi_graph.web.protocol import read_body

__all__ = ["graph_model", "router"]

router = APIRouter(tags=["Explorer: graph"])

MAX_EXPORT = 5000
"""Most nodes or edges one export may name."""
MAX_BODY = 2_000_000
"""Largest body of a node or export request, in bytes (read in chunks, refused beyond)."""
_Iri = Annotated[str, Query(min_length=1, max_length=2000)]


def graph_model(explorer: Explorer) -> GraphModel:
    """The network of the current dataset version."""
    return explorer.cached("graph", lambda: build_model(explorer.state.store, explorer.index()))


def _node(model: GraphModel, iri: str) -> str:
    if iri not in model:
        raise PageNotFoundError(
            f"<{iri}> is not a node of the network (the text layer, the schema and code lists "
            "are not drawn); search for an entity at /search")
    return iri


@router.api_route("/graph", methods=["GET", "HEAD"], summary="Graph explorer")
@router.api_route("/graph.json", methods=["GET", "HEAD"], include_in_schema=False)
def explorer_page(request: Request) -> Response:
    """The explorer; ``.json?focus=IRI`` gives the focus node's neighbours."""
    explorer = explorer_of(request)
    fmt = choose_format(request, "json" if request.url.path.endswith(".json") else None)
    model = graph_model(explorer)
    focus = request.query_params.get("focus")
    if fmt.key == "json":
        if not focus:
            return json_page({"nodes": model.graph.number_of_nodes(),
                              "edges": model.graph.number_of_edges(),
                              "kinds": [k.as_dict() for k in KINDS]})
        return json_page(model.neighbours(_node(model, focus)))
    present = {d.get("kind") for _, d in model.graph.nodes(data=True)}
    nothing = not any(request.query_params.get(k) for k in ("focus", "query", "view", "from"))
    if nothing:
        index = explorer.index()
        first = sorted(index.reports.values(), key=lambda r: r.rid)
        focus = next((r.body for r in first if r.body and r.body in model), None)
    config = {
        "focus": focus if focus and focus in model else None,
        "focusMissing": focus is not None and focus not in model,
        "query": request.query_params.get("query"),
        "view": request.query_params.get("view"),
        "from": request.query_params.get("from"),
        "to": request.query_params.get("to"),
        "kinds": [k.as_dict() for k in KINDS if k.key in present],
        "limit": 15,
    }
    return render(request, "graph.html", {"config": config, "kinds": config["kinds"]})


@router.get("/api/graph/neighbours", summary="A node's neighbours")
def neighbours(
    request: Request, iri: _Iri,
    limit: Annotated[int, Query(ge=1, le=500)] = 15,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    kind: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """A page of the neighbours of ``iri`` (optionally only of some kinds)."""
    model = graph_model(explorer_of(request))
    return json_page(model.neighbours(_node(model, iri), limit=limit, offset=offset,
                                      kinds=kind))


@router.get("/api/graph/path", summary="Shortest path between two nodes")
def path(
    request: Request,
    from_: Annotated[str, Query(alias="from", min_length=1, max_length=2000)],
    to: _Iri,
) -> Response:
    """The shortest path from ``from`` to ``to``, each hop with its source sentences."""
    model = graph_model(explorer_of(request))
    a, b = _node(model, from_), _node(model, to)
    steps = model.shortest_path(a, b)
    if steps is None:
        return json_page({"found": False, "nodes": [], "edges": [], "steps": []})
    nodes = [a, *(s.target for s in steps)]
    return json_page({
        "found": True,
        "nodes": [model.node_json(n) for n in nodes],
        "edges": [model.edge_json(s.subject, s.predicate, s.object) for s in steps],
        "steps": [{
            "source": s.source, "target": s.target, "subject": s.subject,
            "predicate": s.predicate, "object": s.object,
            "label": model.index.label(s.predicate).as_dict(),
            "sentences": [src.as_dict() for src in s.sentences],
        } for s in steps],
    })


@router.post("/api/graph/nodes", summary="Names and kinds of nodes")
async def nodes(request: Request) -> Response:
    """Body ``{"nodes": [IRI…]}``: the node JSON of each (unknown IRIs get a plain node)."""
    body = await read_body(request, MAX_BODY)
    iris, _ = _parse_export(body)
    model = graph_model(explorer_of(request))
    out = []
    for iri in iris:
        if iri in model:
            out.append(model.node_json(iri))
        else:
            lab = model.index.label(iri)
            kind = model.index.kind(iri)
            out.append({"id": iri, "label": lab.as_dict(), "short": lab.text("zh"),
                        "kind": kind.key, "color": kind.color, "url": page_url(iri),
                        "degree": 0})
    return json_page({"nodes": out})


@router.get("/api/graph/schema", summary="The ontology as a network")
def schema(request: Request) -> Response:
    """Classes, subclass links, and object properties from domain to range."""
    explorer = explorer_of(request)
    data = explorer.cached("schema-graph",
                           lambda: schema_graph(explorer.state.store, explorer.index()))
    return json_page(data)


def _parse_export(body: bytes) -> tuple[list[str], list[tuple[str, str, str]]]:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise BadRequestError(f"the body is not JSON ({exc}); send "
                              '{"nodes": [...], "edges": [...]}') from exc
    if not isinstance(data, dict):
        raise BadRequestError('send a JSON object {"nodes": [...], "edges": [...]}')
    nodes = data.get("nodes", [])
    edges = data.get("edges", [])
    if not isinstance(nodes, list) or not isinstance(edges, list):
        raise BadRequestError('"nodes" and "edges" must be lists')
    if len(nodes) > MAX_EXPORT or len(edges) > MAX_EXPORT:
        raise PayloadTooLargeError(f"at most {MAX_EXPORT} nodes and {MAX_EXPORT} edges")
    triples: list[tuple[str, str, str]] = []
    for e in edges:
        if isinstance(e, dict) and all(isinstance(e.get(k), str)
                                       for k in ("source", "predicate", "target")):
            triples.append((e["source"], e["predicate"], e["target"]))
    return [n for n in nodes if isinstance(n, str)], triples


@router.post("/api/graph/export", summary="Export the visible subgraph")
async def export(
    request: Request,
    format: Annotated[str, Query(pattern="^(turtle|graphml)$")] = "turtle",
) -> Response:
    """The nodes and edges sent (those that exist) as Turtle or GraphML."""
    body = await read_body(request, MAX_BODY)
    nodes, edges = _parse_export(body)
    model = graph_model(explorer_of(request))
    sub = model.subgraph(nodes, edges)
    if format == "graphml":
        data, media, ext = to_graphml(model, sub), "application/graphml+xml", "graphml"
    else:
        data, media, ext = to_turtle(model, sub), "text/turtle; charset=utf-8", "ttl"
    return Response(data, media_type=media, headers={
        "Content-Disposition": f'attachment; filename="fazhi-graph-subgraph.{ext}"'})
