"""rdflib triples → pyoxigraph triples, fast: what :func:`fazhi_graph.store.to_oxigraph` gives.

A report's triples are IRIs and literals only (no blank nodes), with a few hundred distinct IRIs
among thousands of terms; :func:`oxigraph_triples` converts each IRI once and skips the
per-term type dispatch, in about 60 % of the time of ``to_oxigraph``. Anything else (a blank
node, a term pyoxigraph refuses) is handed to ``to_oxigraph`` itself, so the result, blank-node
ids and errors included, is always exactly its result.

>>> from rdflib import Literal, URIRef
>>> a, p = URIRef("http://ex.org/a"), URIRef("http://ex.org/p")
>>> oxigraph_triples([(a, p, Literal("x", lang="zh")), (a, p, a)])[1]
<Triple subject=<NamedNode value=http://ex.org/a> predicate=<NamedNode value=http://ex.org/p> \
object=<NamedNode value=http://ex.org/a>>
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

__all__ = ["oxigraph_triples"]


def oxigraph_triples(
    triples: Iterable[tuple[Node, Node, Node]], *, salt: str = ""
) -> list[ox.Triple]:
    """``to_oxigraph(triples, salt=salt)``, faster for triples of IRIs and literals."""
    triples = triples if isinstance(triples, list | tuple) else list(triples)
    try:
        return _iris_and_literals(triples)
    except (_UnusualTermError, ValueError, TypeError):
        from fazhi_graph.store import to_oxigraph

        return to_oxigraph(triples, salt=salt)  # type: ignore[arg-type]


class _UnusualTermError(Exception):
    """A term the fast path leaves to ``to_oxigraph`` (a blank node, a subclass …)."""


def _iris_and_literals(triples: Iterable[tuple[Node, Node, Node]]) -> list[ox.Triple]:
    named: dict[str, ox.NamedNode] = {}

    def iri(t: Node) -> ox.NamedNode:
        if type(t) is not URIRef:
            raise _UnusualTermError
        node = named.get(t)  # type: ignore[call-overload]
        if node is None:
            node = named[t] = ox.NamedNode(t)  # type: ignore[index]
        return node

    out: list[ox.Triple] = []
    for s, p, o in triples:
        kind = type(o)
        if kind is URIRef:
            obj: ox.NamedNode | ox.Literal = iri(o)
        elif kind is Literal:
            language, datatype = o.language, o.datatype  # type: ignore[attr-defined]
            if language:
                obj = ox.Literal(o, language=language)  # type: ignore[arg-type]
            elif datatype is not None:
                obj = ox.Literal(o, datatype=iri(datatype))  # type: ignore[arg-type]
            else:
                obj = ox.Literal(o)  # type: ignore[arg-type]
        else:
            raise _UnusualTermError
        out.append(ox.Triple(iri(s), iri(p), obj))
    return out
