"""Where facts come from: the sentences observations are stated in, and SPARQL helpers shared
by the consistency checks (:mod:`fazhi_graph.checks`) and the tidy tables
(:mod:`fazhi_graph.tables`).

>>> from fazhi_graph.store import open_store
>>> observation_sources(open_store(backend="memory"))
{}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from fazhi_graph.errors import StoreError
from fazhi_graph.namespaces import PREFIXES, REPORT_GRAPH_PREFIX
from fazhi_graph.store import Store, Term

__all__ = [
    "REPORT_GRAPH_PREFIX",
    "Source",
    "observation_sources",
    "report_binding",
    "report_graph_name",
    "select",
    "text",
]



@dataclass(frozen=True)
class Source:
    """A sentence stating a fact (code-point offsets into the report text, end excluded)."""

    sentence: str
    """The ``nif:Sentence`` IRI."""
    begin: int
    """``nif:beginIndex``."""
    end: int
    """``nif:endIndex``."""
    quote: str
    """``nif:anchorOf``: the exact text, ``text[begin:end]``."""


def select(store: Store, sparql: str, bound: Mapping[str, Term] | None = None) -> list[Any]:
    """Run a SELECT with the project prefixes and ``bound`` variables; return its rows.

    pyoxigraph substitutes only variables the query projects, so project every bound one.
    """
    result = store.query(sparql, substitutions=bound or {}, prefixes=PREFIXES)
    if not isinstance(result, ox.QuerySolutions):
        raise StoreError("expected a SELECT query")
    return list(result)


def text(term: object) -> str:
    """The value of an IRI, blank node or literal; ``""`` for an unbound variable."""
    if isinstance(term, ox.NamedNode | ox.Literal | ox.BlankNode):
        return str(term.value)
    return ""


def report_graph_name(store: Store, report: str) -> str:
    """The report graph for ``report``: a report id, a report IRI or a report graph IRI.

    Raises :class:`~fazhi_graph.errors.StoreError` listing the reports the store holds.

    >>> from fazhi_graph.store import open_store
    >>> report_graph_name(open_store(backend="memory"), "nowhere-2020")
    Traceback (most recent call last):
    fazhi_graph.errors.StoreError: no report 'nowhere-2020' in the store; its reports are: none
    """
    names = [g for g in store.graph_names() if g.startswith(REPORT_GRAPH_PREFIX)]
    rid = report.rstrip("/").rsplit("/", 1)[-1]
    for name in names:
        if name in (report, REPORT_GRAPH_PREFIX + rid):
            return name
    listing = ", ".join(n.removeprefix(REPORT_GRAPH_PREFIX) for n in names) or "none"
    raise StoreError(f"no report {report!r} in the store; its reports are: {listing}")


def report_binding(store: Store, report: str | None) -> dict[str, Term]:
    """``{"g": <report graph>}`` for ``report`` (see :func:`report_graph_name`), else ``{}``."""
    if report is None:
        return {}
    return {"g": ox.NamedNode(report_graph_name(store, report))}


_SOURCES = """
SELECT DISTINCT ?g ?o ?s ?b ?e ?a WHERE {
  GRAPH ?g {
    ?o a qb:Observation ; fz:statedIn ?s .
    ?s nif:beginIndex ?b ; nif:endIndex ?e ; nif:anchorOf ?a .
  }
}
"""


def observation_sources(
    store: Store, bound: Mapping[str, Term] | None = None
) -> dict[str, list[Source]]:
    """Observation IRI → the sentences it is stated in, in text order.

    ``bound`` may fix ``g``, the report graph (see :func:`report_binding`).
    """
    out: dict[str, list[Source]] = {}
    for row in select(store, _SOURCES, bound):
        try:
            begin, end = int(text(row["b"])), int(text(row["e"]))
        except ValueError:
            continue  # malformed offsets: SHACL reports them
        out.setdefault(text(row["o"]), []).append(
            Source(text(row["s"]), begin, end, text(row["a"]))
        )
    for sources in out.values():
        sources.sort(key=lambda s: (s.begin, s.end, s.sentence))
    return out
