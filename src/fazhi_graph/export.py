"""Serialise a store, or one of its graphs, in a format registered by name.

============  ==========================  ===========================  ==========
name          aliases                     media type                   graphs
============  ==========================  ===========================  ==========
turtle        ttl                         text/turtle                  one/union
trig          (none)                      application/trig             kept
nquads        nq                          application/n-quads          kept
ntriples      nt                          application/n-triples        one/union
jsonld        json-ld                     application/ld+json          one/union
rdfxml        xml, rdf                    application/rdf+xml          one/union
csv           (none)                      text/csv                     one/all
graphml       (none)                      application/graphml+xml      one/all
gexf          (none)                      application/gexf+xml         one/all
============  ==========================  ===========================  ==========

Dataset formats (``trig``, ``nquads``) keep graph names; with ``graph=`` they hold that one
graph, still named. Graph formats write the union of all graphs (the meta graph included), or
the one ``graph=``. Turtle, TriG, JSON-LD and RDF/XML go through rdflib with
:data:`~fazhi_graph.namespaces.PREFIXES` bound (readable, sorted, prefixed, nested blank nodes);
N-Triples and N-Quads through pyoxigraph's serialiser (fast), with lines sorted so the output is
stable. More formats can be added with :func:`register_format`.

The last three are not RDF (``rdf=False``): ``csv`` is the tidy observations table of
:mod:`fazhi_graph.tables` (one row per observation), ``graphml`` and ``gexf`` the entity network
of :mod:`fazhi_graph.analysis` (for Gephi). They cover every report, or the report whose graph
``graph=`` names.

>>> known_formats()
['turtle', 'trig', 'nquads', 'ntriples', 'jsonld', 'rdfxml', 'csv', 'graphml', 'gexf']
>>> get_format("ttl").name, get_format("TTL").media_type
('turtle', 'text/turtle')
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TypeAlias

import pyoxigraph as ox
import rdflib
from rdflib.namespace import XSD, NamespaceManager
from rdflib.term import BNode, Identifier, Literal, URIRef

from fazhi_graph.errors import FormatError, StoreError
from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.store import DEFAULT_GRAPH, Store

Writer: TypeAlias = Callable[[Store, "str | None", IO[bytes]], None]
"""``writer(store, graph, out)``: serialise ``graph`` (``None``: everything) to ``out``."""


@dataclass(frozen=True)
class ExportFormat:
    """A registered serialisation format."""

    name: str
    """Canonical name (``turtle``)."""
    aliases: tuple[str, ...]
    """Other accepted names (``ttl``)."""
    media_type: str
    """IANA media type, for HTTP content negotiation."""
    extension: str
    """File extension without the dot."""
    dataset: bool
    """Whether the format keeps graph names (TriG, N-Quads)."""
    write: Writer
    """The writer function."""
    rdf: bool = True
    """Whether the output is RDF (``csv``, ``graphml`` and ``gexf`` are not)."""


_FORMATS: dict[str, ExportFormat] = {}
_NAMES: dict[str, str] = {}


def register_format(
    name: str,
    *,
    aliases: Iterable[str] = (),
    media_type: str,
    extension: str,
    dataset: bool,
    rdf: bool = True,
) -> Callable[[Writer], Writer]:
    """Register ``writer(store, graph, out)`` as format ``name`` (a decorator)."""

    def decorate(writer: Writer) -> Writer:
        fmt = ExportFormat(name, tuple(aliases), media_type, extension, dataset, writer, rdf)
        _FORMATS[name] = fmt
        for n in (name, *fmt.aliases):
            _NAMES[n.lower()] = name
        return writer

    return decorate


def known_formats() -> list[str]:
    """Canonical names of the registered formats, in registration order."""
    return list(_FORMATS)


def get_format(name: str) -> ExportFormat:
    """Look a format up by name or alias (case-insensitive).

    >>> get_format("n3")
    Traceback (most recent call last):
    fazhi_graph.errors.FormatError: unknown format 'n3'; available formats: turtle, trig, ...
    """
    canonical = _NAMES.get(name.strip().lower())
    if canonical is None:
        raise FormatError(name, known_formats())
    return _FORMATS[canonical]


def export(store: Store, fmt: str, *, graph: str | None = None, out: IO[bytes]) -> None:
    """Write ``store`` (or its graph ``graph``) to the binary stream ``out`` in format ``fmt``.

    Raises :class:`FormatError` for an unknown format and :class:`StoreError` for a graph the
    store does not hold (the message lists the graphs it does hold).
    """
    writer = get_format(fmt).write
    if graph is not None:
        check_graph(store, graph)
    writer(store, graph, out)


def check_graph(store: Store, graph: str) -> None:
    """Raise :class:`StoreError` unless ``store`` holds ``graph`` (``"default"`` always exists)."""
    if graph == DEFAULT_GRAPH:
        return
    names = store.graph_names()
    if graph not in names:
        listing = ", ".join(names) if names else "none (the store is empty)"
        raise StoreError(f"the store has no graph <{graph}>; its graphs are: {listing}")


# --------------------------------------------------------------------------- rdflib bridge


def from_oxigraph(term: object, bnodes: dict[str, BNode]) -> Identifier:
    """The rdflib term for a pyoxigraph term (blank nodes mapped through ``bnodes``)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        node = bnodes.get(term.value)
        if node is None:
            node = bnodes[term.value] = BNode(term.value)
        return node
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        # normalize=False keeps the stored lexical form ("3.50" stays "3.50")
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise StoreError(f"cannot convert {term!r} to rdflib (RDF 1.2 triple terms are unsupported)")


def _namespaces(graph: rdflib.Graph) -> NamespaceManager:
    """PREFIXES over rdflib's own well-known prefixes (``vann:``, ``foaf:``...)."""
    manager = NamespaceManager(graph, bind_namespaces="rdflib")
    for prefix, iri in PREFIXES.items():
        manager.bind(prefix, iri, override=True, replace=True)
    return manager


def to_rdflib_graph(store: Store, graph: str | None = None) -> rdflib.Graph:
    """Copy one graph of ``store`` (``None``: the union of all graphs) into an rdflib Graph.

    PREFIXES are bound. Blank nodes keep their store identifiers.
    """
    out = rdflib.Graph(bind_namespaces="none")
    out.namespace_manager = _namespaces(out)
    bnodes: dict[str, BNode] = {}
    add = out.add
    for q in store.quads(graph):
        s, p, o = (from_oxigraph(t, bnodes) for t in (q.subject, q.predicate, q.object))
        add((s, p, o))
    return out


def to_rdflib_dataset(store: Store, graph: str | None = None) -> rdflib.Dataset:
    """Copy ``store`` (or just its graph ``graph``) into an rdflib Dataset, keeping names."""
    out = rdflib.Dataset()
    out.namespace_manager = _namespaces(out)
    bnodes: dict[str, BNode] = {}
    contexts: dict[str, rdflib.Graph] = {}
    for q in store.quads(graph):
        name = q.graph_name
        key = name.value if isinstance(name, ox.NamedNode | ox.BlankNode) else DEFAULT_GRAPH
        context = contexts.get(key)
        if context is None:
            context = contexts[key] = (
                out.default_graph
                if key == DEFAULT_GRAPH
                else out.graph(from_oxigraph(name, bnodes))  # type: ignore[arg-type]
            )
        s, p, o = (from_oxigraph(t, bnodes) for t in (q.subject, q.predicate, q.object))
        context.add((s, p, o))
    return out


# --------------------------------------------------------------------------- writers


def _used_prefixes(graph: rdflib.Graph) -> dict[str, str]:
    """The PREFIXES entries some IRI of ``graph`` starts with (a lean JSON-LD context)."""
    iris: set[str] = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                iris.add(str(term))
            elif isinstance(term, Literal) and term.datatype is not None:
                iris.add(str(term.datatype))
    return {
        prefix: ns for prefix, ns in PREFIXES.items() if any(iri.startswith(ns) for iri in iris)
    }


def _sorted_lines(data: bytes, out: IO[bytes]) -> None:
    lines = sorted(set(data.splitlines()))
    out.writelines(line + b"\n" for line in lines if line)


def _triples(store: Store, graph: str | None) -> Iterator[ox.Triple]:
    for q in store.quads(graph):
        yield ox.Triple(q.subject, q.predicate, q.object)


@register_format(
    "turtle", aliases=("ttl",), media_type="text/turtle", extension="ttl", dataset=False
)
def _turtle(store: Store, graph: str | None, out: IO[bytes]) -> None:
    to_rdflib_graph(store, graph).serialize(destination=out, format="turtle", encoding="utf-8")


@register_format("trig", media_type="application/trig", extension="trig", dataset=True)
def _trig(store: Store, graph: str | None, out: IO[bytes]) -> None:
    to_rdflib_dataset(store, graph).serialize(destination=out, format="trig", encoding="utf-8")


@register_format(
    "nquads", aliases=("nq",), media_type="application/n-quads", extension="nq", dataset=True
)
def _nquads(store: Store, graph: str | None, out: IO[bytes]) -> None:
    data = ox.serialize(store.quads(graph), format=ox.RdfFormat.N_QUADS)
    assert data is not None
    _sorted_lines(data, out)


@register_format(
    "ntriples", aliases=("nt",), media_type="application/n-triples", extension="nt", dataset=False
)
def _ntriples(store: Store, graph: str | None, out: IO[bytes]) -> None:
    data = ox.serialize(_triples(store, graph), format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    _sorted_lines(data, out)  # sorting also drops triples repeated across graphs


@register_format(
    "jsonld",
    aliases=("json-ld",),
    media_type="application/ld+json",
    extension="jsonld",
    dataset=False,
)
def _jsonld(store: Store, graph: str | None, out: IO[bytes]) -> None:
    g = to_rdflib_graph(store, graph)
    g.serialize(destination=out, format="json-ld", encoding="utf-8", context=_used_prefixes(g))


@register_format(
    "rdfxml",
    aliases=("xml", "rdf"),
    media_type="application/rdf+xml",
    extension="rdf",
    dataset=False,
)
def _rdfxml(store: Store, graph: str | None, out: IO[bytes]) -> None:
    to_rdflib_graph(store, graph).serialize(destination=out, format="xml", encoding="utf-8")


# --------------------------------------------------------------------------- tables and networks


def _report_of(store: Store, graph: str | None) -> str | None:
    """The report a tabular or network export is restricted to (``graph=`` a report graph)."""
    if graph is None:
        return None
    from fazhi_graph.namespaces import REPORT_GRAPH_PREFIX

    if not graph.startswith(REPORT_GRAPH_PREFIX):
        raise StoreError(
            f"<{graph}> is not a report graph; csv, graphml and gexf export every report, "
            f"or one report graph ({REPORT_GRAPH_PREFIX}…)"
        )
    return graph


@register_format("csv", media_type="text/csv", extension="csv", dataset=False, rdf=False)
def _csv(store: Store, graph: str | None, out: IO[bytes]) -> None:
    from fazhi_graph.tables import observations, write_csv

    write_csv(observations(store, report=_report_of(store, graph)), out)


@register_format(
    "graphml", media_type="application/graphml+xml", extension="graphml", dataset=False, rdf=False
)
def _graphml(store: Store, graph: str | None, out: IO[bytes]) -> None:
    import networkx as nx

    from fazhi_graph.analysis import entity_network

    nx.write_graphml(entity_network(store, report=_report_of(store, graph)), out)


@register_format(
    "gexf", media_type="application/gexf+xml", extension="gexf", dataset=False, rdf=False
)
def _gexf(store: Store, graph: str | None, out: IO[bytes]) -> None:
    import networkx as nx

    from fazhi_graph.analysis import entity_network

    nx.write_gexf(entity_network(store, report=_report_of(store, graph)), out)
