"""What a store holds, counted with SPARQL: triples per graph, instances per class, and the main
kinds of fact in each report graph.

>>> import rdflib
>>> from fazhi_graph.store import open_store
>>> from fazhi_graph.namespaces import FZ, GRAPH
>>> g = rdflib.Graph()
>>> _ = g.add((rdflib.URIRef("https://w3id.org/fazhi-graph/id/doc/x"), rdflib.RDF.type,
...            FZ.PolicyDocument))
>>> store = open_store(backend="memory")
>>> store.replace_graph(str(GRAPH["report/x-2020"]), g)
>>> s = stats(store)
>>> s.reports[0].graph, s.reports[0].counts["fz:PolicyDocument"]
('https://w3id.org/fazhi-graph/graph/report/x-2020', 1)
>>> [(c.curie, c.instances) for c in s.classes]
[('fz:PolicyDocument', 1)]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import QB, RDF, RDFS
from rdflib.term import URIRef

from fazhi_graph.namespaces import FZ, GRAPH, NIF, PREFIXES, REPORT_GRAPH_PREFIX
from fazhi_graph.store import DEFAULT_GRAPH, Store

MAIN_CLASSES: dict[URIRef, str] = {
    FZ.ReportSection: "sections",
    NIF.Sentence: "sentences",
    QB.Observation: "observations",
    FZ.PolicyDocument: "documents",
    FZ.InitiativeImplementation: "initiatives",
    FZ.PublicBody: "bodies",
    FZ.AdministrativeDivision: "places",
    FZ.Meeting: "meetings",
    FZ.OversightActivity: "oversight",
    FZ.Problem: "problems",
    FZ.PlannedMeasure: "measures",
}
"""Classes counted per report graph, in column order, with a short column heading."""


def curie(iri: str) -> str:
    """Shorten ``iri`` with the longest matching prefix of PREFIXES (or return it unchanged).

    >>> curie("https://w3id.org/fazhi-graph/ontology#Problem")
    'fz:Problem'
    >>> curie("http://example.org/x")
    'http://example.org/x'
    """
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri


@dataclass(frozen=True)
class ClassCount:
    """Instances of one class over the whole store."""

    iri: str
    """The class IRI."""
    curie: str
    """The class as a prefixed name when a prefix fits."""
    label: str | None
    """The class's English ``rdfs:label`` from the ontology graph, when it has one."""
    instances: int
    """Distinct subjects typed with this class, over all graphs."""


@dataclass(frozen=True)
class ReportCounts:
    """What one report graph holds."""

    graph: str
    """The report graph IRI."""
    triples: int
    """Triples in the graph."""
    counts: dict[str, int] = field(default_factory=dict)
    """Instances per main class (keyed by CURIE, every class of :data:`MAIN_CLASSES`): the
    nodes the report graph types, and the shared nodes (documents, bodies, places, typed in
    ``fzg:shared``) one of its sentences mentions."""


@dataclass(frozen=True)
class Stats:
    """Counts over a store."""

    version: str
    """The store's version token."""
    graphs: dict[str, int]
    """Triples per graph, sorted by IRI (``"default"`` for a non-empty default graph)."""
    classes: tuple[ClassCount, ...]
    """Instances per class, most frequent first."""
    reports: tuple[ReportCounts, ...]
    """Per report graph, sorted by IRI."""

    @property
    def total_triples(self) -> int:
        """Quads over all graphs."""
        return sum(self.graphs.values())

    @property
    def main_classes(self) -> dict[str, str]:
        """CURIE → short heading of :data:`MAIN_CLASSES`, the columns of :attr:`reports`."""
        return {curie(str(c)): short for c, short in MAIN_CLASSES.items()}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "version": self.version,
            "total_triples": self.total_triples,
            "graphs": dict(self.graphs),
            "classes": [
                {"iri": c.iri, "curie": c.curie, "label": c.label, "instances": c.instances}
                for c in self.classes
            ],
            "reports": [
                {"graph": r.graph, "triples": r.triples, "counts": dict(r.counts)}
                for r in self.reports
            ],
        }


def _rows(store: Store, sparql: str, **options: Any) -> list[ox.QuerySolution]:
    result = store.query(sparql, **options)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)


def _int(term: object) -> int:
    assert isinstance(term, ox.Literal)
    return int(term.value)


def _iri(term: object) -> str:
    assert isinstance(term, ox.NamedNode)
    return term.value


def stats(store: Store) -> Stats:
    """Count what ``store`` holds, with SPARQL (see the module docstring)."""
    graphs: dict[str, int] = {}
    default = store.count(DEFAULT_GRAPH)
    if default:
        graphs[DEFAULT_GRAPH] = default
    for row in _rows(store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        graphs[_iri(row["g"])] = _int(row["n"])
    graphs = dict(sorted(graphs.items()))

    labels: dict[str, str] = {}
    if str(GRAPH["ontology"]) in graphs:
        for row in _rows(
            store,
            f"SELECT ?c ?l {{ ?c <{RDFS.label}> ?l FILTER(LANGMATCHES(LANG(?l), 'en')) }}",
            default_graph=[str(GRAPH["ontology"])],
        ):
            labels.setdefault(_iri(row["c"]), str(row["l"].value))  # type: ignore[union-attr]

    classes = []
    for row in _rows(
        store,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) {{ ?s <{RDF.type}> ?c FILTER(ISIRI(?c)) }} "
        "GROUP BY ?c ORDER BY DESC(?n) ?c",
    ):
        iri = _iri(row["c"])
        classes.append(ClassCount(iri, curie(iri), labels.get(iri), _int(row["n"])))

    values = " ".join(f"<{c}>" for c in MAIN_CLASSES)
    per_report: dict[str, dict[str, int]] = {
        g: dict.fromkeys((curie(str(c)) for c in MAIN_CLASSES), 0)
        for g in graphs
        if g.startswith(REPORT_GRAPH_PREFIX)
    }
    for row in _rows(
        store,
        f"SELECT ?g ?c (COUNT(DISTINCT ?s) AS ?n) {{ VALUES ?c {{ {values} }} "
        f"{{ GRAPH ?g {{ ?s <{RDF.type}> ?c }} }} UNION "
        f"{{ GRAPH ?g {{ ?x <{FZ.mentions}> ?s }} ?s <{RDF.type}> ?c }} "
        f'FILTER(STRSTARTS(STR(?g), "{REPORT_GRAPH_PREFIX}")) }} GROUP BY ?g ?c',
    ):
        per_report[_iri(row["g"])][curie(_iri(row["c"]))] = _int(row["n"])
    reports = tuple(ReportCounts(g, graphs[g], counts) for g, counts in sorted(per_report.items()))
    return Stats(store.version(), graphs, tuple(classes), reports)
