"""Query text and results for a remote SPARQL engine: what the embedded store does in process.

pyoxigraph binds ``substitutions`` and ``prefixes`` itself; a remote engine only receives
text, so :func:`prepare` writes them into the query: the prefixes as ``PREFIX`` lines, the
substitutions as a ``VALUES`` block at the start of the query's ``WHERE`` group (the same
join pyoxigraph makes, where :func:`fazhi_graph.sparql.bind` binds parameters).
:func:`solutions` turns a SPARQL JSON result into the :class:`pyoxigraph.QuerySolutions` /
:class:`pyoxigraph.QueryBoolean` the local store returns, and :func:`triples` a CONSTRUCT
result into :class:`pyoxigraph.QueryTriples`.

>>> form("PREFIX ex: <http://e/> CONSTRUCT { ?s ex:p 1 } WHERE { ?s ?p ?o }")
'CONSTRUCT'
>>> print(prepare("SELECT ?x { ?x a ex:C }", {"ex": "http://e/"},
...               {"x": ox.NamedNode("http://e/a")}))
PREFIX ex: <http://e/>
SELECT ?x { VALUES ( ?x ) { ( <http://e/a> ) }
 ?x a ex:C }
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from fazhi_graph.errors import QueryError, QuerySyntaxError, StoreError
from fazhi_graph.sparql import _where_group  # where sparql.bind puts a saved query's VALUES
from fazhi_graph.web.guard import tokens

QUERY_FORMS = ("SELECT", "CONSTRUCT", "ASK", "DESCRIBE")
"""The four SPARQL query forms."""

_BNODE_PREFIX = "r"


def form(sparql: str) -> str:
    """The query form (``SELECT``, ``CONSTRUCT``, ``ASK`` or ``DESCRIBE``) of ``sparql``.

    >>> form("ASK {}")
    'ASK'
    >>> form("INSERT DATA {}")
    Traceback (most recent call last):
    fazhi_graph.errors.QuerySyntaxError: not a SPARQL query: ...
    """
    for kind, text in tokens(sparql):
        if kind == "word" and text.upper() in QUERY_FORMS:
            return text.upper()
    raise QuerySyntaxError(
        "not a SPARQL query: no SELECT, CONSTRUCT, ASK or DESCRIBE found; "
        "updates go through Store.update"
    )


def _sparql_term(name: str, term: object) -> str:
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term)
    raise QueryError(
        f"cannot send the substitution ?{name} = {term!r} to a remote engine: only IRIs and "
        "literals can be bound there (a blank node's label means nothing to the server)"
    )


def prepare(
    sparql: str,
    prefixes: Mapping[str, str] | None = None,
    substitutions: Mapping[str, object] | None = None,
) -> str:
    """The query text to send: ``prefixes`` declared, ``substitutions`` bound with VALUES."""
    text = sparql
    if substitutions:
        at = _where_group(text) + 1
        names = list(substitutions)
        row = " ".join(_sparql_term(n, substitutions[n]) for n in names)
        values = f" VALUES ( {' '.join('?' + n for n in names)} ) {{ ( {row} ) }}\n"
        text = text[:at] + values + text[at:]
    if prefixes:
        head = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in prefixes.items())
        text = head + text
    return text


def _normalise(value: Any, bnodes: dict[str, str]) -> Any:
    """Make a SPARQL JSON term acceptable to pyoxigraph (Virtuoso's bnode labels and
    ``typed-literal``)."""
    if value.get("type") == "bnode":
        label = bnodes.setdefault(value["value"], f"{_BNODE_PREFIX}{len(bnodes)}")
        return {"type": "bnode", "value": label}
    if value.get("type") == "typed-literal":
        return {**value, "type": "literal"}
    return value


def solutions(body: bytes) -> ox.QuerySolutions | ox.QueryBoolean:
    """Parse a SPARQL 1.1 JSON result (SELECT or ASK) into pyoxigraph's result types.

    >>> r = solutions(b'{"head":{"vars":["x"]},"results":{"bindings":['
    ...               b'{"x":{"type":"bnode","value":"nodeID://b1"}}]}}')
    >>> [row["x"] for row in r]
    [<BlankNode value=r0>]
    """
    try:
        data = json.loads(body)
        if "results" in data:
            bnodes: dict[str, str] = {}
            data["results"]["bindings"] = [
                {k: _normalise(v, bnodes) for k, v in row.items()}
                for row in data["results"]["bindings"]
            ]
        parsed = ox.parse_query_results(
            json.dumps(data).encode("utf-8"), format=ox.QueryResultsFormat.JSON
        )
    except (ValueError, KeyError, TypeError, SyntaxError) as exc:
        raise StoreError(
            f"the remote engine sent a result that is not SPARQL JSON ({_head(exc)}); it may "
            "have been cut off by the server's own time limit"
        ) from exc
    assert isinstance(parsed, ox.QuerySolutions | ox.QueryBoolean)
    return parsed


def triples(body: bytes, media_type: str) -> ox.QueryTriples:
    """Parse a CONSTRUCT/DESCRIBE result (N-Triples or Turtle) into ``QueryTriples``."""
    fmt = ox.RdfFormat.TURTLE if "turtle" in media_type else ox.RdfFormat.N_TRIPLES
    holder = ox.Store()
    try:
        holder.extend(ox.parse(body, format=fmt))
    except (ValueError, SyntaxError) as exc:
        raise StoreError(
            f"the remote engine sent a graph that does not parse as {fmt} ({_head(exc)}); it "
            "may have been cut off by the server's own time limit"
        ) from exc
    result = holder.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result


def _head(exc: BaseException, limit: int = 200) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[:limit] + "…"
