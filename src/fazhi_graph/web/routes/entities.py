"""A page for every IRI we mint: ``/id/…``, ``/vocab/…``, ``/ontology``, ``/shapes``,
``/graph/…`` (named graphs), and ``/resource?iri=…`` for any other IRI.

``https://w3id.org/fazhi-graph/<path>`` is served at ``/<path>``. Browsers get HTML; ``Accept:
text/turtle``, ``application/ld+json``, ``application/n-triples`` or the suffixes ``.ttl``,
``.jsonld``, ``.nt`` get RDF; ``application/json`` or ``.json`` gets the page's JSON twin. An IRI
no triple mentions is a 404 (HTML for browsers, the JSON error shape otherwise).
``?inverse=<property IRI>&offset=N`` pages through one inverse relation.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Query
from rdflib.namespace import OWL, RDF, RDFS
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from fazhi_graph.namespaces import GRAPH, PREFIXES
from fazhi_graph.store import Store
from fazhi_graph.web.dataset_index import DatasetIndex, rows
from fazhi_graph.web.describe import (
    Description,
    InverseGroup,
    describe,
    inverse_page,
    ref,
    resource_triples,
)
from fazhi_graph.web.explorer import explorer_of
from fazhi_graph.web.links import iri_for_path, is_ours, local_path, split_suffix
from fazhi_graph.web.negotiation import GRAPH_FORMATS, MediaFormat
from fazhi_graph.web.pages import (
    RDF_PAGE_FORMATS,
    PageError,
    PageNotFoundError,
    choose_format,
    json_page,
    render,
    ui_lang,
)

__all__ = ["page_description", "rdf_response", "router"]

router = APIRouter(tags=["Explorer: resources"])

InverseParam = Annotated[str | None, Query(description="page through this inverse property")]
OffsetParam = Annotated[int, Query(ge=0, le=10_000_000, description="first item of the page")]

_TERMS = """
SELECT DISTINCT ?s ?t ?kind WHERE {
  ?t rdfs:isDefinedBy ?s ; a ?kind .
  FILTER (?kind IN (owl:Class, rdfs:Class, owl:ObjectProperty, owl:DatatypeProperty,
                    rdf:Property, owl:AnnotationProperty, sh:NodeShape))
}"""
_TERM_LINKS = """
SELECT DISTINCT ?s ?t ?p ?o WHERE {
  VALUES ?p { rdfs:subClassOf rdfs:subPropertyOf rdfs:domain rdfs:range
              schema:domainIncludes schema:rangeIncludes }
  ?t rdfs:isDefinedBy ?s ; ?p ?o FILTER (isIRI(?o))
}"""


def rdf_response(triples: list[ox.Triple], fmt: MediaFormat, *, iri: str | None = None) -> Response:
    """Serialise ``triples`` as ``fmt``, with the project prefixes that occur in them."""
    used: dict[str, str] | None = None
    if fmt.key in ("turtle", "jsonld"):
        used = readable_prefixes(triples)
    if fmt.key == "turtle":
        triples = sorted(
            triples,
            key=lambda t: (
                str(t.subject) != f"<{iri}>",
                str(t.subject),
                str(t.predicate),
                str(t.object),
            ),
        )
    body = ox.serialize(triples, format=fmt.rdf_format(), prefixes=used) or b""
    headers = {"Vary": "Accept"}
    if iri is not None:
        path = local_path(iri)
        if path is not None:
            headers["Link"] = f'<{path}>; rel="alternate"; type="text/html"'
    return Response(body, media_type=fmt.content_type, headers=headers)


def readable_prefixes(triples: list[ox.Triple]) -> dict[str, str] | None:
    """The project prefixes that occur in ``triples`` and give clean prefixed names.

    A prefix is dropped when some IRI under it would need escaping (``fzd:org\\/x``): the
    full IRI reads better.
    """
    iris = {
        t.value
        for tr in triples
        for t in (tr.subject, tr.predicate, tr.object)
        if isinstance(t, ox.NamedNode)
    }
    used: dict[str, str] = {}
    for prefix, ns in PREFIXES.items():
        locals_ = [i[len(ns) :] for i in iris if i.startswith(ns)]
        if locals_ and all(_CLEAN_LOCAL.fullmatch(x) for x in locals_):
            used[prefix] = ns
    return used or None


_CLEAN_LOCAL = re.compile(r"[A-Za-z_][\w-]*")


def _page(
    request: Request,
    iri: str,
    suffix: str | None,
    inverse: str | None,
    offset: int,
    *,
    rdf: list[ox.Triple] | None = None,
    extra: dict[str, Any] | None = None,
) -> Response:
    try:
        ox.NamedNode(iri)
    except ValueError as exc:  # e.g. /id/<script>: a path no IRI of ours can have
        raise PageNotFoundError(
            f"{iri!r} is not a valid IRI ({exc}), so nothing in the dataset is about it"
        ) from exc
    explorer = explorer_of(request)
    store: Store = explorer.state.store
    index = explorer.index()
    fmt = choose_format(request, suffix, RDF_PAGE_FORMATS)
    lang = ui_lang(request)
    if inverse is not None:
        return _inverse(request, store, index, iri, inverse, offset, fmt)
    desc = describe(store, index, iri, lang)
    if not desc.exists and rdf is None:
        raise PageNotFoundError(
            f"nothing in the dataset is about <{iri}>: check the address, or search for the "
            "name at /search"
        )
    if fmt.key in ("turtle", "jsonld", "ntriples"):
        triples = rdf if rdf is not None else resource_triples(store, index, iri)
        return rdf_response(triples, fmt, iri=iri)
    if fmt.key == "json":
        data = desc.as_dict()
        data.update({k: v for k, v in (extra or {}).items() if k.endswith("_json")})
        return json_page(data)
    context: dict[str, Any] = {"d": desc, "twins": _twins(request.url.path),
                               "graph_link": _graph_link(request, desc)}
    context.update(extra or {})
    return render(request, "entity.html", context)


def _graph_link(request: Request, desc: Description) -> str | None:
    """Where "explore in the graph" goes: the node itself, else the schema view, else none."""
    from fazhi_graph.web.routes.graph import graph_model

    if desc.iri in graph_model(explorer_of(request)):
        return "/graph?focus=" + _quote(desc.iri)
    if desc.kind.key in ("class", "property") or desc.iri == iri_for_path("ontology"):
        return "/graph?view=schema"
    return None


def _twins(path: str) -> list[tuple[str, str]]:
    base, _ = split_suffix(path)
    return [
        ("JSON", base + ".json"),
        ("Turtle", base + ".ttl"),
        ("JSON-LD", base + ".jsonld"),
        ("N-Triples", base + ".nt"),
    ]


def _inverse(
    request: Request,
    store: Store,
    index: DatasetIndex,
    iri: str,
    predicate: str,
    offset: int,
    fmt: MediaFormat,
) -> Response:
    if not predicate.startswith(("http://", "https://")):
        raise PageNotFoundError(f"inverse= takes a property IRI, not {predicate!r}")
    group: InverseGroup = inverse_page(store, index, iri, predicate, offset=offset, limit=200)
    if fmt.key == "json":
        return json_page(
            {
                "iri": iri,
                "property": group.predicate.as_dict(),
                "count": group.count,
                "offset": offset,
                "items": [v.as_dict() for v in group.items],
            }
        )
    if fmt.key != "html":
        raise PageNotFoundError("inverse pages are available as HTML and JSON")
    return render(
        request,
        "inverse.html",
        {
            "subject": ref(index, iri),
            "group": group,
            "offset": offset,
            "limit": 200,
        },
    )


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], summary="A data resource")
def data_resource(
    request: Request, path: str, inverse: InverseParam = None, offset: OffsetParam = 0
) -> Response:
    """A resource minted from the reports (body, place, document, fact, sentence …)."""
    base, suffix = split_suffix(path)
    return _page(request, iri_for_path("id/" + base), suffix, inverse, offset)


@router.api_route("/vocab/{path:path}", methods=["GET", "HEAD"], summary="A vocabulary term")
def vocab_resource(
    request: Request, path: str, inverse: InverseParam = None, offset: OffsetParam = 0
) -> Response:
    """A SKOS concept or concept scheme (work areas, initiatives, indicators, codes)."""
    base, suffix = split_suffix(path)
    return _page(request, iri_for_path("vocab/" + base), suffix, inverse, offset)


def _document(request: Request, name: str, graph: str, suffix: str | None) -> Response:
    """The ontology or the shapes: one page for the document and its hash terms."""
    explorer = explorer_of(request)
    store: Store = explorer.state.store
    index = explorer.index()
    iri = iri_for_path(name)
    fmt = choose_format(request, suffix, RDF_PAGE_FORMATS)
    if fmt.key in ("turtle", "jsonld", "ntriples"):
        triples = [q.triple for q in store.quads(graph)]
        return rdf_response(triples, fmt, iri=iri)
    node = ox.NamedNode(iri)
    kinds: dict[str, set[str]] = {}
    for row in rows(store, _TERMS, s=node):
        kinds.setdefault(row["t"], set()).add(row["kind"])
    links: dict[str, dict[str, list[str]]] = {}
    for row in rows(store, _TERM_LINKS, s=node):
        links.setdefault(row["t"], {}).setdefault(row["p"], []).append(row["o"])
    classes, properties, shapes = [], [], []
    for term in sorted(kinds, key=lambda t: index.label(t).text("en").lower()):
        k = kinds[term]
        entry = {
            "ref": ref(index, term),
            "anchor": term.partition("#")[2],
            "definition": dict(index.definitions.get(term, {})),
            "instances": index.instances.get(term, 0),
            "links": {
                ref(index, p): [ref(index, o) for o in sorted(os)]
                for p, os in sorted(links.get(term, {}).items())
            },
        }
        if k & {str(OWL.Class), str(RDFS.Class)}:
            classes.append(entry)
        elif str(RDF.Property) in k or any("Property" in x for x in k):
            properties.append(entry)
        else:
            shapes.append(entry)
    if fmt.key == "json":

        def flat(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [
                {
                    "term": e["ref"].as_dict(),
                    "definition": e["definition"],
                    "instances": e["instances"],
                }
                for e in items
            ]

        desc = describe(store, index, iri, ui_lang(request))
        return json_page(
            {
                **desc.as_dict(),
                "classes": flat(classes),
                "properties": flat(properties),
                "shapes": flat(shapes),
            }
        )
    desc = describe(store, index, iri, ui_lang(request))
    return render(
        request,
        "entity.html",
        {
            "d": desc,
            "twins": _twins(request.url.path),
            "terms": [
                ("类", "Classes", classes),
                ("属性", "Properties", properties),
                ("约束", "Shapes", shapes),
            ],
            "graph_iri": graph,
        },
    )


@router.api_route("/ontology", methods=["GET", "HEAD"], summary="The ontology")
def ontology(request: Request) -> Response:
    """The fazhi-graph ontology: its classes and properties, each with an anchor."""
    return _document(request, "ontology", str(GRAPH["ontology"]), None)


@router.api_route("/ontology.{ext}", methods=["GET", "HEAD"], include_in_schema=False)
def ontology_twin(request: Request, ext: str) -> Response:
    """The ontology as JSON, Turtle, JSON-LD or N-Triples."""
    return _document(request, "ontology", str(GRAPH["ontology"]), _suffix(ext))


@router.api_route("/shapes", methods=["GET", "HEAD"], summary="The SHACL shapes")
def shapes(request: Request) -> Response:
    """The SHACL shapes the build validates the data with."""
    return _document(request, "shapes", str(GRAPH["shapes"]), None)


@router.api_route("/shapes.{ext}", methods=["GET", "HEAD"], include_in_schema=False)
def shapes_twin(request: Request, ext: str) -> Response:
    """The shapes as JSON, Turtle, JSON-LD or N-Triples."""
    return _document(request, "shapes", str(GRAPH["shapes"]), _suffix(ext))


def _suffix(ext: str) -> str:
    _, suffix = split_suffix("x." + ext)
    if suffix is None:
        raise PageNotFoundError(f"no .{ext} form of this page; try .json, .ttl, .jsonld, .nt")
    return suffix


@router.api_route("/graph/{path:path}", methods=["GET", "HEAD"], summary="A named graph")
def named_graph(request: Request, path: str) -> Response:
    """A named graph of the store: its size, its report, and links to download it."""
    base, suffix = split_suffix(path)
    iri = iri_for_path("graph/" + base)
    explorer = explorer_of(request)
    store: Store = explorer.state.store
    if iri not in store.graph_names():
        raise PageNotFoundError(f"the store has no named graph <{iri}>; see /sparql or /")
    fmt = choose_format(request, suffix, RDF_PAGE_FORMATS)
    if fmt.key in ("turtle", "jsonld", "ntriples"):
        target = next(f for f in GRAPH_FORMATS if f.key == fmt.key)
        return RedirectResponse(
            f"/store?graph={_quote(iri)}&format={target.names[0]}", status_code=303
        )
    count = store.count(iri)
    extra = {"graph_size": count, "graph_iri": iri, "graph_size_json": count}
    return _page(request, iri, "json" if fmt.key == "json" else None, None, 0, rdf=[], extra=extra)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@router.api_route("/resource", methods=["GET", "HEAD"], summary="Any IRI")
@router.api_route("/resource.{ext}", methods=["GET", "HEAD"], include_in_schema=False)
def any_resource(
    request: Request,
    iri: Annotated[str, Query(min_length=1, max_length=2000, description="the IRI")],
    ext: str | None = None,
    inverse: InverseParam = None,
    offset: OffsetParam = 0,
) -> Response:
    """Any IRI (a standard term, a hash IRI of the ontology); ours redirect to their path."""
    if not iri.startswith(("http://", "https://", "urn:")) or any(c in iri for c in '<> "{}|^`\\'):
        raise PageError(f"{iri!r} is not an IRI")
    suffix = _suffix(ext) if ext else None
    path = local_path(iri)
    if (
        is_ours(iri)
        and "#" not in iri
        and path not in (None, "/")
        and suffix is None
        and inverse is None
    ):
        return RedirectResponse(path or "/", status_code=303)
    return _page(request, iri, suffix, inverse, offset)


def page_description(request: Request, iri: str) -> Description:
    """The :class:`Description` of ``iri`` (for other views)."""
    explorer = explorer_of(request)
    return describe(explorer.state.store, explorer.index(), iri, ui_lang(request))
