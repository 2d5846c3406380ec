"""Shared entities: what several reports say alike is stored once, in the graph ``fzg:shared``.

A report's graph describes two kinds of node. Some belong to the report alone: the report,
its text and sentences, its observations, events, implementations, problems and plans (their
IRIs carry the report id, ``id/obs/<report>/…``). Others are the same node in every report
that names them: a national law (``id/doc/cn/…``), a year (``id/period/2020``), a body or a
place of an area reported on every year, an indicator minted from its label
(``vocab/indicator/x-…``). Their descriptions (type, labels, parent body, document type…)
come out identical from every report that names them.

Kept in every report graph, such a triple would be in the store once per report, and
Oxigraph's union default graph returns a triple once per named graph that holds it (it is
not deduplicated): every join through a national law or a year would multiply by the
number of reports and every COUNT would be inflated. So :func:`split_shared` moves every
triple that touches no node of the report's own into one graph, ``fzg:shared``, where the
store holds it once whatever the number of reports. The report graph keeps everything that
touches its own nodes, including every link from the report to a shared node (``fz:mentions``
from its sentences, ``sdmx-dimension:refPeriod`` from its observations...), so "what does
this report say" is still ``GRAPH <report> { … }``, joined to the shared descriptions
through the default graph.

>>> from rdflib import Graph, Literal
>>> from rdflib.namespace import RDFS
>>> from fazhi_graph.namespaces import DATA, FZ
>>> g = Graph()
>>> _ = g.add((DATA["obs/x-2020/1"], FZ.asOf, DATA["period/2020"]))
>>> _ = g.add((DATA["period/2020"], RDFS.label, Literal("2020")))
>>> own, shared = split_shared(str(GRAPH["report/x-2020"]), g)
>>> len(own), len(shared)
(1, 1)
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from fazhi_graph.errors import StoreError
from fazhi_graph.namespaces import DATA, GRAPH, REPORT_GRAPH_PREFIX

__all__ = ["SHARED_GRAPH", "report_id_of", "split_reports", "split_shared", "split_triples"]

SHARED_GRAPH = str(GRAPH["shared"])
"""The named graph holding, once, the descriptions of nodes several reports may name."""

_DATA = str(DATA)


def report_id_of(graph_name: str) -> str:
    """The report id of a report graph's name (``…/graph/report/<id>``).

    Raises :class:`StoreError` for a name that is not a report graph's.
    """
    report_id = graph_name.removeprefix(REPORT_GRAPH_PREFIX)
    if report_id in ("", graph_name):
        raise StoreError(
            f"{graph_name!r} is not a report graph: report graphs are named "
            f"{REPORT_GRAPH_PREFIX}<id>"
        )
    return report_id


def _own_iri(iri: str, report_id: str) -> bool:
    """Whether ``iri`` is an ``id/<kind>/<report>…`` IRI: the report, its text and sentences,
    observations, events, problems, plans..."""
    if not iri.startswith(_DATA):
        return False
    parts = iri[len(_DATA) :].split("/", 2)
    return len(parts) > 1 and parts[1] == report_id


def _own(node: Node, report_id: str) -> bool:
    """Whether ``node`` belongs to this report alone: a blank node or an own IRI."""
    if isinstance(node, URIRef):
        return _own_iri(str(node), report_id)
    return isinstance(node, BNode)


def _own_ox(term: object, report_id: str) -> bool:
    if isinstance(term, ox.NamedNode):
        return _own_iri(term.value, report_id)
    return isinstance(term, ox.BlankNode)


def split_shared(graph_name: str, graph: Graph) -> tuple[Graph, Graph]:
    """Split a report's graph into (its own triples, the triples for ``fzg:shared``).

    A triple stays with the report when its subject or its object is the report's own node
    (see the module docs); every other triple describes shared nodes only and goes to the
    shared graph. Both graphs together hold exactly the triples of ``graph``.
    """
    report_id = report_id_of(graph_name)
    own, shared = Graph(), Graph()
    for s, p, o in graph:
        if _own(s, report_id) or _own(o, report_id):
            own.add((s, p, o))
        else:
            shared.add((s, p, o))
    return own, shared


def split_reports(reports: list[tuple[str, Graph]]) -> tuple[list[tuple[str, Graph]], Graph]:
    """Split every report graph (:func:`split_shared`): the reports' own graphs, in order,
    and one shared graph holding each shared triple once."""
    own_graphs: list[tuple[str, Graph]] = []
    shared = Graph()
    for name, graph in reports:
        own, part = split_shared(name, graph)
        own_graphs.append((name, own))
        shared += part
    return own_graphs, shared


def split_triples(
    graph_name: str, triples: Iterable[ox.Triple]
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """:func:`split_shared` for Oxigraph triples (what bulk ingest holds): (own, shared)."""
    report_id = report_id_of(graph_name)
    own: list[ox.Triple] = []
    shared: list[ox.Triple] = []
    for t in triples:
        if _own_ox(t.subject, report_id) or _own_ox(t.object, report_id):
            own.append(t)
        else:
            shared.append(t)
    return own, shared
