"""networkx projections of the graph, for analysis and for Gephi (GraphML, GEXF).

:func:`entity_network` returns a :class:`networkx.MultiDiGraph` of the entities the reports
talk about:

Nodes (id = IRI)
    reports (``fz:AnnualReport``), bodies (``fz:PublicBody``, ``fz:InternalBody``,
    ``fz:CoordinatingBody``, ``fz:MediationOrganization``), places
    (``fz:AdministrativeDivision``, ``fz:Venue``), documents (``fz:PolicyDocument``) and
    initiatives (``fz:Initiative``) that occur in at least one report graph. Attributes:
    ``label`` (Chinese name, else English, else the IRI's last segment; Gephi shows it),
    ``label_zh``, ``label_en``, ``kind`` (report, body, place, document, initiative),
    ``class`` (the CURIE of its most specific class above) and ``reports`` (how many report
    graphs it occurs in).
Edges (key = ``e0``, ``e1`` …, unique, so Gephi keeps parallel edges apart)
    *Direct*: every triple of any graph whose subject and object are both nodes
    (``fz:issuedBy``, ``fz:jurisdiction``, ``org:unitOf``, ``fz:withinDivision``,
    ``skos:broader`` …). *Projected*, through the nodes that are not in the network:
    ``report —fz:mentions→ entity`` when a sentence of the report's text mentions it (weight:
    the number of sentences), and through each ``fz:InitiativeImplementation``:
    ``body —fz:implements→ initiative`` (its ``fz:responsibleBody``),
    ``initiative —fz:implementedIn→ place`` and ``initiative —fz:governedBy→ document``.
    Attributes: ``property`` (IRI), ``curie``, ``label`` (English label, else the CURIE),
    ``label_zh``, ``label_en``, ``weight`` (report graphs stating a direct edge, counting
    for an edge between shared nodes (``fzg:shared``, :mod:`fazhi_graph.shared`) the reports
    that name both ends; 1 for one only the vocabularies or curated data state; sentences or
    implementations for a projected one), ``via`` (``""`` for a direct edge, else the class
    projected through) and ``reports`` (report ids, ``;``-separated).

Every attribute is a string or an integer (never ``None``), as the GraphML and GEXF writers
need.

>>> from fazhi_graph.store import open_store
>>> g = entity_network(open_store(backend="memory"))
>>> g.number_of_nodes(), g.number_of_edges()
(0, 0)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import URIRef

from fazhi_graph.namespaces import FZ, NIF, REPORT_GRAPH_PREFIX
from fazhi_graph.shared import SHARED_GRAPH
from fazhi_graph.sources import report_graph_name, select, text
from fazhi_graph.stats import curie
from fazhi_graph.store import Store

if TYPE_CHECKING:
    import networkx

__all__ = ["NODE_CLASSES", "entity_network"]

NODE_CLASSES: dict[URIRef, str] = {
    FZ.AnnualReport: "report",
    FZ.InternalBody: "body",
    FZ.CoordinatingBody: "body",
    FZ.MediationOrganization: "body",
    FZ.PublicBody: "body",
    FZ.Venue: "place",
    FZ.AdministrativeDivision: "place",
    FZ.PolicyDocument: "document",
    FZ.Initiative: "initiative",
}
"""Node classes → kind, most specific first (a node's ``class`` is the first it has)."""

_VALUES = " ".join(f"<{c}>" for c in NODE_CLASSES)

_NODES = f"""
SELECT DISTINCT ?g ?x ?c WHERE {{
  VALUES ?c {{ {_VALUES} }}
  GRAPH ?g {{ {{ ?x ?p ?y }} UNION {{ ?y ?p ?x }} }}
  ?x a ?c .
}}
"""

_LABELS = """
SELECT DISTINCT ?x ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label dct:title }
  ?x ?p ?l .
  FILTER (ISIRI(?x) && ISLITERAL(?l))
}
"""

_LINKS = """
SELECT DISTINCT ?g ?s ?p ?o WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER (ISIRI(?s) && ISIRI(?o) && ?p != rdf:type)
}
"""

_MENTIONS = """
SELECT ?g ?report ?x (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g {
    ?report a fz:AnnualReport ; fz:hasText ?text .
    ?s nif:referenceContext ?text ; fz:mentions ?x .
  }
} GROUP BY ?g ?report ?x
"""

_IMPLEMENTATIONS = """
SELECT DISTINCT ?g ?impl ?init ?p ?x WHERE {
  VALUES ?p { fz:responsibleBody fz:implementedIn fz:governedBy }
  GRAPH ?g { ?impl a fz:InitiativeImplementation ; fz:implements ?init ; ?p ?x . }
}
"""

_LABEL_RANK = {str(SKOS.prefLabel): 0, str(RDFS.label): 1, str(DCTERMS.title): 2}


def _tail(iri: str) -> str:
    return iri.rstrip("/#").replace("#", "/").rsplit("/", 1)[-1]


def _report_id(graph: str) -> str:
    return graph.removeprefix(REPORT_GRAPH_PREFIX)


class _Labels:
    """IRI → (zh, en) names: ``skos:prefLabel`` before ``rdfs:label`` before ``dct:title``."""

    def __init__(self, rows: list[Any]) -> None:
        best: dict[tuple[str, str], tuple[int, str]] = {}
        for row in rows:
            lang = getattr(row["l"], "language", None) or ""
            if lang not in ("zh", "en"):
                continue
            key = (text(row["x"]), lang)
            candidate = (_LABEL_RANK.get(text(row["p"]), 3), text(row["l"]))
            if key not in best or candidate < best[key]:
                best[key] = candidate
        self._best = best

    def pair(self, iri: str) -> tuple[str, str]:
        """(Chinese, English) labels, ``""`` where there is none."""
        zh, en = self._best.get((iri, "zh")), self._best.get((iri, "en"))
        return (zh[1] if zh else "", en[1] if en else "")


@dataclass
class _Edge:
    weight: int = 0
    reports: set[str] = field(default_factory=set)


def entity_network(store: Store, *, report: str | None = None) -> networkx.MultiDiGraph:
    """The entity network of ``store`` (or of one ``report``: id, report IRI or graph IRI).

    See the module docstring for the nodes, edges and attributes.
    """
    import networkx as nx

    only = report_graph_name(store, report) if report is not None else None

    def counts(graph: str) -> bool:
        """Whether a report graph is in scope."""
        return graph.startswith(REPORT_GRAPH_PREFIX) and (only is None or graph == only)

    classes: dict[str, str] = {}
    seen_in: dict[str, set[str]] = defaultdict(set)
    order = {str(c): i for i, c in enumerate(NODE_CLASSES)}
    for row in select(store, _NODES):
        graph, node, cls = text(row["g"]), text(row["x"]), text(row["c"])
        if not counts(graph):
            continue
        seen_in[node].add(_report_id(graph))
        if node not in classes or order[cls] < order[classes[node]]:
            classes[node] = cls
    labels = _Labels(select(store, _LABELS))

    network = nx.MultiDiGraph(name="fazhi-graph entity network")
    for node in sorted(classes):
        zh, en = labels.pair(node)
        network.add_node(
            node,
            label=zh or en or _tail(node),
            label_zh=zh,
            label_en=en,
            kind=NODE_CLASSES[URIRef(classes[node])],
            **{"class": curie(classes[node])},
            reports=len(seen_in[node]),
        )

    edges: dict[tuple[str, str, str, str], _Edge] = defaultdict(_Edge)
    for row in select(store, _LINKS):
        graph, s, p, o = (text(row[v]) for v in ("g", "s", "p", "o"))
        if s not in classes or o not in classes:
            continue
        if graph == SHARED_GRAPH:  # stated alike by every report naming both ends
            both = seen_in[s] & seen_in[o]
            if both:
                edge = edges[(s, p, o, "")]
                edge.weight += len(both)
                edge.reports |= both
        elif not graph.startswith(REPORT_GRAPH_PREFIX):
            edges[(s, p, o, "")]  # stated by the vocabularies or curated data
        elif counts(graph):
            edge = edges[(s, p, o, "")]
            edge.weight += 1
            edge.reports.add(_report_id(graph))
    for row in select(store, _MENTIONS):
        graph, s, o = text(row["g"]), text(row["report"]), text(row["x"])
        if counts(graph) and s in classes and o in classes:
            edge = edges[(s, str(FZ.mentions), o, str(NIF.Sentence))]
            edge.weight += int(text(row["n"]))
            edge.reports.add(_report_id(graph))
    for row in select(store, _IMPLEMENTATIONS):
        graph, init, p, x = (text(row[v]) for v in ("g", "init", "p", "x"))
        if not (counts(graph) and init in classes and x in classes):
            continue
        if p == str(FZ.responsibleBody):
            key = (x, str(FZ.implements), init, str(FZ.InitiativeImplementation))
        else:
            key = (init, p, x, str(FZ.InitiativeImplementation))
        edges[key].weight += 1
        edges[key].reports.add(_report_id(graph))

    for n, ((s, p, o, via), edge) in enumerate(sorted(edges.items())):
        zh, en = labels.pair(p)
        network.add_edge(
            s,
            o,
            key=f"e{n}",
            property=p,
            curie=curie(p),
            label=en or curie(p),
            label_zh=zh,
            label_en=en,
            weight=max(edge.weight, 1),
            via=curie(via) if via else "",
            reports=";".join(sorted(edge.reports)),
        )
    return network
