"""The network the graph explorer draws, held in networkx: neighbours, paths, export.

:func:`build_model` reads every triple between two resources (IRIs) of the report graphs, the
curated data and the vocabularies, and keeps those that say something about the world: the
text layer (sentences, sections), provenance, code lists and ``rdf:type`` are left out (a
node's type is its colour). Each node carries its kind and names; each edge its property.

* :meth:`GraphModel.neighbours` pages through a node's neighbours, optionally of some kinds;
* :meth:`GraphModel.shortest_path` finds a path between two nodes on the undirected network,
  where passing through a hub costs more (a path through "2020" or a work area is rarely the
  answer), and returns every hop with the sentences behind it: the sentence that states the
  fact at either end, else the sentences that mention both ends;
* :func:`to_turtle` and :func:`to_graphml` export a subgraph.

>>> from fazhi_graph.store import open_store
>>> from fazhi_graph.web.dataset_index import build_index
>>> store = open_store(backend="memory")
>>> model = build_model(store, build_index(store))
>>> model.graph.number_of_nodes()
0
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, QB, RDF, RDFS, SKOS

from fazhi_graph.namespaces import FZ, GRAPH, NIF, PREFIXES, SCHEMA, SDMXATTR
from fazhi_graph.store import Store
from fazhi_graph.web.dataset_index import DatasetIndex, rows
from fazhi_graph.web.describe import Source, source
from fazhi_graph.web.kinds import OTHER, kind_by_key
from fazhi_graph.web.links import curie, page_url

if TYPE_CHECKING:  # imported when a graph is built: networkx costs the server about 15 MB
    import networkx as nx

__all__ = ["GraphModel", "PathStep", "build_model", "schema_graph", "to_graphml", "to_turtle"]

_EDGES = """
SELECT DISTINCT ?s ?p ?o ?ontology ?shapes ?meta WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER (isIRI(?s) && isIRI(?o) && ?g NOT IN (?ontology, ?shapes, ?meta))
}"""
_STATED = "SELECT ?s ?sent WHERE { ?s fz:statedIn ?sent }"
_MENTIONS = "SELECT ?sent ?m WHERE { ?sent fz:mentions ?m }"

SKIPPED_PREDICATES = frozenset(str(p) for p in (
    RDF.type, FZ.statedIn, FZ.mentions, FZ.inSection, FZ.hasSection, FZ.hasText,
    FZ.reviewStatus, FZ.statType, FZ.valueQualifier, FZ.changeDirection,
    NIF.referenceContext, DCTERMS.isPartOf, DCTERMS.license, PROV.wasGeneratedBy, PROV.used,
    PROV.wasDerivedFrom, SKOS.inScheme, SKOS.topConceptOf, SKOS.hasTopConcept,
    RDFS.isDefinedBy, RDFS.seeAlso, QB.dataSet, SDMXATTR.unitMeasure, SKOS.closeMatch,
))
"""Properties that are bookkeeping, not relations between things (left out of the network)."""
SKIPPED_KINDS = frozenset({"sentence", "section", "text", "class", "property"})
"""Kinds of node left out (the text layer and the schema; the schema view draws the latter)."""
_SKIPPED_TYPES = frozenset(str(t) for t in (FZ.ExtractionRun, QB.DataSet))


@dataclass(frozen=True)
class PathStep:
    """One hop of a path: the triple that links two consecutive nodes, and its evidence."""

    source: str
    target: str
    subject: str
    predicate: str
    object: str
    sentences: list[Source]


class GraphModel:
    """A networkx multigraph of the dataset's resources, with names and kinds."""

    def __init__(self, graph: nx.MultiDiGraph, index: DatasetIndex,
                 stated: dict[str, list[str]], mentions: dict[str, set[str]]) -> None:
        self.graph = graph
        self.index = index
        self._stated = stated
        self._mentions = mentions
        self._undirected: nx.Graph | None = None

    def __contains__(self, iri: str) -> bool:
        return iri in self.graph

    def node_json(self, iri: str) -> dict[str, Any]:
        """A node for cytoscape: id, names, kind, colour, page URL, degree."""
        label = self.index.label(iri)
        kind = kind_by_key(self.graph.nodes[iri].get("kind", "other")) or OTHER
        return {"id": iri, "label": label.as_dict(), "short": label.text("zh"),
                "kind": kind.key, "color": kind.color, "url": page_url(iri),
                "degree": self.graph.degree(iri)}

    def edge_json(self, s: str, p: str, o: str) -> dict[str, Any]:
        """An edge for cytoscape (its id is stable: subject, property, object)."""
        return {"id": f"{s} {p} {o}", "source": s, "target": o, "predicate": p,
                "curie": curie(p), "label": self.index.label(p).as_dict()}

    def neighbours(self, iri: str, *, limit: int = 20, offset: int = 0,
                   kinds: Iterable[str] | None = None) -> dict[str, Any]:
        """A page of the neighbours of ``iri`` with the edges to them (both directions)."""
        wanted = set(kinds or ())
        links: dict[str, list[tuple[str, str, str]]] = {}
        for _, o, p in self.graph.out_edges(iri, keys=True):
            links.setdefault(o, []).append((iri, p, o))
        for s, _, p in self.graph.in_edges(iri, keys=True):
            links.setdefault(s, []).append((s, p, iri))
        links.pop(iri, None)
        others = [n for n in links if not wanted or self.graph.nodes[n].get("kind") in wanted]
        others.sort(key=lambda n: (self.graph.nodes[n].get("kind", ""),
                                   self.index.label(n).text("zh")))
        page = others[offset:offset + limit]
        return {
            "node": self.node_json(iri),
            "total": len(others),
            "offset": offset,
            "more": max(0, len(others) - offset - len(page)),
            "nodes": [self.node_json(n) for n in page],
            "edges": [self.edge_json(*t) for n in page for t in links[n]],
        }

    def _weighted(self) -> nx.Graph:
        if self._undirected is None:
            import networkx as nx

            g = nx.Graph()
            degree = dict(self.graph.degree())
            for s, o, p in self.graph.edges(keys=True):
                if s == o:
                    continue
                cost = (math.log2(2 + degree[s]) + math.log2(2 + degree[o])) / 2
                if g.has_edge(s, o):
                    g[s][o]["triples"].append((s, p, o))
                else:
                    g.add_edge(s, o, weight=cost, triples=[(s, p, o)])
            self._undirected = g
        return self._undirected

    def shortest_path(self, a: str, b: str) -> list[PathStep] | None:
        """The cheapest path from ``a`` to ``b`` (``None`` if they are not connected)."""
        import networkx as nx

        g = self._weighted()
        if a not in g or b not in g:
            return None
        try:
            nodes = nx.shortest_path(g, a, b, weight="weight")
        except nx.NetworkXNoPath:
            return None
        steps = []
        for u, v in itertools.pairwise(nodes):
            triples = sorted(g[u][v]["triples"], key=lambda t: t[1])
            s, p, o = triples[0]
            steps.append(PathStep(u, v, s, p, o, self.evidence(s, o)))
        return steps

    def evidence(self, s: str, o: str) -> list[Source]:
        """Sentences behind an edge: the fact's own, else those mentioning both ends."""
        sentences = self._stated.get(s) or self._stated.get(o)
        if not sentences:
            both = self._mentions.get(s, set()) & self._mentions.get(o, set())
            sentences = sorted(both)
        found = [src for src in (source(self.index, x) for x in sentences[:3]) if src]
        return found

    def subgraph(self, nodes: Iterable[str],
                 edges: Iterable[tuple[str, str, str]] | None = None) -> nx.MultiDiGraph:
        """The nodes given (those the model knows) and the edges among them that exist.

        With ``edges``, only those (``(s, p, o)`` that exist in the model) are kept.
        """
        import networkx as nx

        keep = [n for n in nodes if n in self.graph]
        sub = self.graph.subgraph(keep)
        out = nx.MultiDiGraph()
        for n in keep:
            out.add_node(n, **self.graph.nodes[n])
        wanted = set(edges) if edges is not None else None
        for s, o, p in sub.edges(keys=True):
            if wanted is None or (s, p, o) in wanted:
                out.add_edge(s, o, key=p)
        return out


def build_model(store: Store, index: DatasetIndex) -> GraphModel:
    """Read the network of ``store`` (one query for the edges, two for the evidence)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    skipped_nodes: dict[str, bool] = {}

    def keep(iri: str) -> bool:
        hit = skipped_nodes.get(iri)
        if hit is None:
            kind = index.kind(iri).key
            types = index.types.get(iri, set())
            hit = skipped_nodes[iri] = kind not in SKIPPED_KINDS and not (types & _SKIPPED_TYPES)
        return hit

    bound = {name: ox.NamedNode(str(GRAPH[name])) for name in ("ontology", "shapes", "meta")}
    for r in rows(store, _EDGES, **bound):
        s, p, o = r["s"], r["p"], r["o"]
        if p in SKIPPED_PREDICATES or not keep(s) or not keep(o):
            continue
        for n in (s, o):
            if n not in g:
                g.add_node(n, kind=index.kind(n).key)
        g.add_edge(s, o, key=p)
    stated: dict[str, list[str]] = {}
    for r in rows(store, _STATED):
        stated.setdefault(r["s"], []).append(r["sent"])
    for sentences in stated.values():
        sentences.sort(key=lambda x: (index.sentences[x].begin if x in index.sentences else 0))
    mentions: dict[str, set[str]] = {}
    for r in rows(store, _MENTIONS):
        mentions.setdefault(r["m"], set()).add(r["sent"])
    return GraphModel(g, index, stated, mentions)


def to_turtle(model: GraphModel, sub: nx.MultiDiGraph) -> bytes:
    """The subgraph as Turtle: its triples, and the types and names of its nodes."""
    triples: list[ox.Triple] = []
    label = ox.NamedNode(str(RDFS.label))
    rdf_type = ox.NamedNode(str(RDF.type))
    for n in sub.nodes:
        node = ox.NamedNode(n)
        lab = model.index.label(n)
        for text, lang in ((lab.zh, "zh"), (lab.en, "en")):
            if text:
                triples.append(ox.Triple(node, label, ox.Literal(text, language=lang)))
        for t in sorted(model.index.types.get(n, ())):
            triples.append(ox.Triple(node, rdf_type, ox.NamedNode(t)))
    for s, o, p in sub.edges(keys=True):
        triples.append(ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o)))
    from fazhi_graph.web.routes.entities import readable_prefixes

    return ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes=readable_prefixes(triples)) or b""


def to_graphml(model: GraphModel, sub: nx.MultiDiGraph) -> bytes:
    """The subgraph as GraphML (Gephi, yEd, Cytoscape desktop): names, kinds, properties."""
    import networkx as nx

    out = nx.MultiDiGraph()
    for n in sub.nodes:
        lab = model.index.label(n)
        out.add_node(n, label=lab.text("zh"), label_zh=lab.zh or "", label_en=lab.en or "",
                     kind=sub.nodes[n].get("kind", "other"))
    for i, (s, o, p) in enumerate(sub.edges(keys=True)):
        out.add_edge(s, o, key=f"e{i}", property=p, curie=curie(p),
                     label=model.index.label(p).text("en"))
    buffer = io.BytesIO()
    nx.write_graphml(out, buffer, encoding="utf-8")
    return buffer.getvalue()


_SCHEMA = """
SELECT DISTINCT ?s ?p ?o ?ontology WHERE {
  GRAPH ?ontology { ?s ?p ?o }
  VALUES ?p { rdfs:subClassOf rdfs:domain rdfs:range schema:domainIncludes
              schema:rangeIncludes }
  FILTER (isIRI(?o))
}"""


def schema_graph(store: Store, index: DatasetIndex) -> dict[str, Any]:
    """The ontology as a network: classes, ``rdfs:subClassOf`` and each object property drawn
    from its domain to its range (``schema:domainIncludes``/``rangeIncludes`` included)."""
    domains: dict[str, set[str]] = {}
    ranges: dict[str, set[str]] = {}
    classes: set[str] = set()
    edges: list[dict[str, Any]] = []
    dom = {str(RDFS.domain), str(_open_schema("domainIncludes"))}
    rng = {str(RDFS.range), str(_open_schema("rangeIncludes"))}
    onto = ox.NamedNode(str(GRAPH["ontology"]))
    for r in rows(store, _SCHEMA, ontology=onto):
        s, p, o = r["s"], r["p"], r["o"]
        if p == str(RDFS.subClassOf):
            classes.update((s, o))
            edges.append({"id": f"{s} {p} {o}", "source": s, "target": o, "predicate": p,
                          "curie": "rdfs:subClassOf",
                          "label": index.label(p).as_dict(), "subclass": True})
        elif p in dom:
            domains.setdefault(s, set()).add(o)
        elif p in rng:
            ranges.setdefault(s, set()).add(o)
    for prop in sorted(set(domains) & set(ranges)):
        for d in sorted(domains[prop]):
            for r_ in sorted(ranges[prop]):
                if r_.startswith(PREFIXES["xsd"]) or r_ == str(RDFS.Literal):
                    continue
                classes.update((d, r_))
                edges.append({"id": f"{d} {prop} {r_}", "source": d, "target": r_,
                              "predicate": prop, "curie": curie(prop),
                              "label": index.label(prop).as_dict(), "subclass": False})
    nodes = []
    for c in sorted(classes):
        lab = index.label(c)
        ours = c.startswith(PREFIXES["fz"])
        nodes.append({"id": c, "label": lab.as_dict(), "short": lab.text("zh"),
                      "kind": "class", "color": "#843c39" if ours else "#b9a99f",
                      "url": page_url(c), "instances": index.instances.get(c, 0),
                      "degree": 0})
    return {"nodes": nodes, "edges": edges}


def _open_schema(local: str) -> str:
    return str(SCHEMA._NS) + local


