"""SHACL validation compiled to SPARQL and run with Oxigraph: pySHACL's results, much faster.

:func:`fazhi_graph.ontology.validate` runs pySHACL over the data merged with the ontology and
vocabularies: about a CPU second per report graph, most of a bulk ingest. This module compiles
the same shapes (``ontology/shapes.ttl``) once into SPARQL SELECT queries, and
:class:`CompiledValidation` runs them with Oxigraph on a store that keeps the ontology and
vocabularies loaded and holds each batch of data only while validating it. It gives the rows,
``conforms`` and text :func:`~fazhi_graph.ontology.validate` gives (``_short``, ``_text`` and
``ValidationResult`` are reused); ``tests/test_shacl_sparql.py`` checks that against pySHACL.

Usage (a bulk worker prepares the context once)::

    context = CompiledValidation()          # ~0.2 s: compile, load ontology + vocabularies
    result = context.run(graph)             # or .run_ntriples(payload), .run_triples(ox_triples)
    result.conforms, result.results         # as ontology.validate(graph) gives them

How a run works
---------------
1. The data goes into the store's default graph (triples the ontology already has are left
   alone, so removing the data afterwards cannot remove them). Each subject of the data gets a
   marker in a named graph: only those are focus nodes, as in ``validate``.
2. One query finds, for every focus node, the target classes and ``sh:class`` classes it is a
   SHACL instance of (``rdf:type/rdfs:subClassOf*`` over data and ontology); the results are
   markers in two named graphs. ``sh:class`` memberships of the other nodes (the vocabulary)
   were found once when the context was prepared (again per run if the data adds
   ``rdfs:subClassOf`` triples).
3. One query per shape that can report a result (below), set-at-a-time over its focus nodes
   (skipped when its shape is targeted by classes only and no focus node is an instance of
   one: it could have no solutions); then the SPARQL constraints (``sh:sparql``) exactly as
   ``ontology._split_sparql`` / ``_run_sparql_checks`` run them; then the data and markers
   are removed again.

How shapes become queries
-------------------------
Every shape with a target (``sh:targetClass`` — the common case — ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``, implicit class targets) gets a query for its
own constraints, and so does every shape below it through ``sh:property`` (focus: the values
of the parent's path) and ``sh:node`` (whose nested results pySHACL attaches as
``sh:detail``, and ``validate`` lists). All constraints of one shape share one query, as they
share its result's path, message and severity. A property shape joins its values once and
groups them per focus node::

    SELECT ?this WHERE {
      GRAPH <…targets> { ?this <…targets> nif:Sentence }
      OPTIONAL { ?this nif:beginIndex ?v . BIND (IF(<?v fails a value test>, 1, 0) AS ?f) }
    } GROUP BY ?this
    HAVING (COUNT(DISTINCT ?v) < 1 || COUNT(DISTINCT ?v) > 1 || COALESCE(MAX(?f), 0) = 1
            || EXISTS { <sh:lessThan, sh:uniqueLang, sh:hasValue, qualified counts> })

Shapes nested in ``sh:or``/``sh:not``/``sh:and``/``sh:xone``/``sh:node``/
``sh:qualifiedValueShape`` become boolean expressions "``?x`` does not conform", built from the
same component tests (counts as ``EXISTS`` of n pairwise distinct values), with fresh
variables per nesting level. They apply to any value node, in the data or not.

============================  ================================================================
component                     SPARQL: true when value node ``?v`` (of focus ``?f``) fails
============================  ================================================================
sh:class C                    ``NOT EXISTS { GRAPH <…classes> { ?v <…classes> C } }``
sh:datatype D                 ``datatype(?v) = D`` (with ``isNumeric`` for numbers,
                              ``lang(?v) != ""`` for rdf:langString); other cases → Python
sh:nodeKind                   ``isIRI`` / ``isBlank`` / ``isLiteral`` combinations
sh:minCount / sh:maxCount     ``COUNT(DISTINCT ?v)``; nested: ``(NOT) EXISTS`` of n distinct
sh:min/maxInclusive/Exclusive ``?v >= b`` … for numbers and an integer bound (NaN excepted);
                              anything else → Python (pySHACL compares across types)
sh:in, sh:hasValue            ``sameTerm`` with IRI members, ``EXISTS { ?f path h }``;
                              literal members → Python (rdflib term equality)
sh:pattern (+ sh:flags)       Python ``re``, pySHACL's dialect and rules (not XPath regex)
sh:languageIn                 ``lang(?v)`` or its first subtag ``IN (...)``, lower-cased
sh:uniqueLang                 two distinct values whose lower-cased tags are equal
sh:lessThan q                 ``EXISTS { ?f q ?o }`` with ``!(?v < ?o)``; non-numbers → Python
sh:or / sh:and / sh:xone      ``&&`` / ``||`` / a sum of ``IF(…, 0, 1)`` over the members
sh:not S                      ``!`` (?v violates S)
sh:node S                     ?v has results against S (pySHACL fails on warnings there too)
sh:qualifiedValueShape Q      n pairwise distinct values that conform to Q (min/max counts)
sh:deactivated true           the shape is left out; nested, it conforms
sh:severity, sh:message       carried by each query; a shape that reports needs a message
============================  ================================================================

"→ Python" is a custom SPARQL function (Oxigraph calls back into Python) applying pySHACL's
own rule to the rdflib term, where SPARQL and rdflib disagree: comparisons across types, NaN,
ill-typed literals, regular expressions. Common values never take that path. Oxigraph
evaluates both sides of ``&&``, so every such call is guarded by ``IF``.

Literals: Oxigraph stores the canonical form of literals it knows (``"78.0"`` → ``"78"``,
``xsd:positiveInteger`` → ``xsd:integer``) while pySHACL sees the literal as written, and rdflib
tells ``"x"`` from ``"x"^^xsd:string`` where Oxigraph does not. Each such literal (found with a
regular expression for canonical integers, else a cached round trip through a scratch store)
is stored as an opaque surrogate ``"k"^^<…surrogate>``: the Python functions map it back to the
rdflib literal, so constraints see the very term pySHACL sees, and distinct terms stay
distinct. The SPARQL constraints, which ``validate`` runs on Oxigraph too, see the real
(canonical) literals, kept in separate named graphs.

Conformance follows pySHACL with ``allow_warnings``: a result makes the graph non-conforming
unless its shape, or a shape above it in the ``sh:property`` chain, has severity
``sh:Warning``/``sh:Info``; ``sh:node`` details never count on their own; a SPARQL constraint's
``Violation`` does.

Limits
------
Anything not implemented raises :class:`~fazhi_graph.errors.OntologyError` at compile time,
naming the shape and the feature: every ``sh:`` term outside the table (``sh:closed``,
``sh:equals``, ``sh:disjoint``, ``sh:lessThanOrEquals``, ``sh:minLength``, ``sh:maxLength``,
SPARQL targets, ``sh:rule`` …), complex property paths, ``sh:qualifiedValueShapesDisjoint``
true, recursive shapes (pySHACL silently accepts them), nested counts above
:data:`MAX_COUNT`, shapes that report results without ``sh:message`` (pySHACL's generic
messages are not reproduced), ``sh:severity`` on a nested shape, and ``sh:sparql`` that
``ontology._split_sparql`` would silently drop or run despite ``sh:deactivated``. Where pySHACL
itself fails (``sh:lessThan`` on a blank node, values rdflib cannot order) this raises
OntologyError too. Known differences need contrived data: a blank node of the ontology itself
as a reported focus node (pySHACL's name for it changes with every parse), and aggregates in
SPARQL constraints over a triple whose literal Oxigraph rewrites and that both the data and
the ontology state (it is counted twice here, once in ``validate``'s single graph).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Final

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from fazhi_graph.errors import OntologyError, StoreError
from fazhi_graph.export import from_oxigraph
from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.ontology import (
    ValidationResult,
    _add_all,
    _bind,
    _default_keys,
    _folder,
    _shapes_keys,
    _short,
    _SparqlCheck,
    _split_sparql,
    _text,
    _triples,
    load_shapes,
)

__all__ = [
    "MAX_COUNT",
    "CompiledQuery",
    "CompiledShapes",
    "CompiledValidation",
    "compile_shapes",
    "process_validation",
    "validate_compiled",
]

_RENEW_EVERY: Final = 8
"""Runs on one context store before it is rebuilt from the ontology (:meth:`_renew`)."""

MAX_COUNT: Final = 8
"""Largest sh:minCount/sh:maxCount+1/qualified count compiled (as that many distinct values)."""

_NS: Final = "urn:fazhi-graph:shacl-sparql:"
_FOCUS = ox.NamedNode(_NS + "focus")
"""Named graph holding one ``<s> <focus> <focus>`` triple per subject of the data."""
_TARGETS_GRAPH = ox.NamedNode(_NS + "targets")
"""Named graph holding ``<s> <targets> <C>`` for each focus node ``s`` of target class ``C``."""
_CLASSES = ox.NamedNode(_NS + "classes")
"""Named graph holding ``<s> <classes> <C>`` for each SHACL instance ``s`` of an sh:class ``C``."""
_SUBCLASS_OF = ox.NamedNode(str(RDFS.subClassOf))
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_XSD_STRING_TEXT = str(XSD.string)
_XSD_INTEGER_TEXT = str(XSD.integer)
_SURROGATE = ox.NamedNode(_NS + "surrogate")
"""Datatype of the stand-ins for literals that Oxigraph would not store as written."""
_ONTO_SURROGATES = ox.NamedNode(_NS + "ontology-surrogates")
_ONTO_REAL = ox.NamedNode(_NS + "ontology-real")
_DATA_SURROGATES = ox.NamedNode(_NS + "data-surrogates")
_DATA_REAL = ox.NamedNode(_NS + "data-real")
_FN_TEST = ox.NamedNode(_NS + "test")
_FN_LANG = ox.NamedNode(_NS + "lang")
_FN_LT = ox.NamedNode(_NS + "less-than")
_TRUE = ox.Literal(True)
_FALSE = ox.Literal(False)

_ALLOWED_SEVERITIES = frozenset({SH.Warning, SH.Info})
"""Severities that do not make a graph non-conforming (pySHACL with ``allow_warnings``)."""

_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]{0,17}")
_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMERIC = frozenset({XSD.integer, XSD.decimal, XSD.double, XSD.float})

# sh: terms the compiler implements, and those that never change a result
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
_SUPPORTED = frozenset(
    {
        *_TARGETS,
        SH.path,
        SH.property,
        SH.message,
        SH.severity,
        SH.deactivated,
        SH["class"],
        SH.datatype,
        SH.nodeKind,
        SH.minCount,
        SH.maxCount,
        SH.minInclusive,
        SH.maxInclusive,
        SH.minExclusive,
        SH.maxExclusive,
        SH.pattern,
        SH.flags,
        SH.languageIn,
        SH.uniqueLang,
        SH["in"],
        SH.hasValue,
        SH.lessThan,
        SH["not"],
        SH["and"],
        SH["or"],
        SH.xone,
        SH.node,
        SH.qualifiedValueShape,
        SH.qualifiedMinCount,
        SH.qualifiedMaxCount,
        SH.qualifiedValueShapesDisjoint,
    }
)
_INERT = frozenset(
    {
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.defaultValue,
        SH.declare,
        SH.prefix,
        SH.namespace,
        SH.prefixes,
    }
)
_NODE_KINDS: Final = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
_RANGES: Final = {
    SH.minInclusive: (">=", lambda c: c >= 0),
    SH.minExclusive: (">", lambda c: c > 0),
    SH.maxInclusive: ("<=", lambda c: c <= 0),
    SH.maxExclusive: ("<", lambda c: c < 0),
}

Row = tuple[str, str, str, str]
Test = Callable[[Node], bool]


@dataclass(frozen=True)
class CompiledQuery:
    """One SELECT query: each solution is a focus node with a result of ``shape``.

    Attributes:
        shape: the shape (prefixed name, or a description of a blank-node shape).
        sparql: the query; ``focus`` is the variable (without ``?``) of the focus node.
        focus: the variable name.
        path: the result's path as :func:`~fazhi_graph.ontology.validate` shows it.
        message: the shape's ``sh:message`` (several joined by `` / ``).
        severity: ``Violation``, ``Warning`` or ``Info``.
        counts: whether a result makes the graph non-conforming (pySHACL's rule: the shape
            and every shape above it in the ``sh:property`` chain have a severity other than
            ``sh:Warning``/``sh:Info``, and it is not an ``sh:node`` detail).
        classes: when the shape the query starts from is targeted by classes only, their
            IRIs: the query has no solutions unless a focus node is a SHACL instance of one
            of them, and is skipped then. ``None``: it always runs.
    """

    shape: str
    sparql: str
    focus: str
    path: str
    message: str
    severity: str
    counts: bool
    classes: frozenset[str] | None = None


@dataclass(frozen=True)
class CompiledShapes:
    """A shapes graph compiled by :func:`compile_shapes`.

    Attributes:
        queries: the core constraints, one query per shape that can report a result.
        checks: the SPARQL constraints, as :func:`fazhi_graph.ontology.validate` runs them.
        target_classes: every ``sh:targetClass``; their focus nodes are found once per run.
        classes: every ``sh:class``; SHACL instances are found once (ontology) and per run.
        literal_members: whether some ``sh:in``/``sh:hasValue`` lists a literal (then a
            plain and an ``xsd:string``-typed literal are told apart, as rdflib does).
    """

    queries: tuple[CompiledQuery, ...]
    checks: tuple[_SparqlCheck, ...]
    target_classes: tuple[URIRef, ...]
    classes: tuple[URIRef, ...]
    literal_members: bool
    tests: tuple[Test, ...] = field(repr=False)
    less_than: Callable[[Node, Node], bool] = field(repr=False)


def compile_shapes(shapes: Graph | None = None) -> CompiledShapes:
    """Compile a SHACL shapes graph (default :func:`~fazhi_graph.ontology.load_shapes`).

    Raises:
        OntologyError: the shapes use a feature the compiler does not implement (the message
            names the shape and the feature), or are malformed.

    >>> compiled = compile_shapes()
    >>> sorted({q.severity for q in compiled.queries})
    ['Violation', 'Warning']
    """
    graph = shapes if shapes is not None else load_shapes(copy=False)
    _check_sparql_constraints(graph)
    core, checks = _split_sparql(graph)
    return _Compiler(core).compile(tuple(checks))


_PROCESS: dict[object, CompiledValidation] = {}


def process_validation() -> CompiledValidation:
    """This process's context for the default ontology and shapes: prepared on first use,
    and again when one of their files changed. Not thread-safe (as the context)."""
    key = (_default_keys(), _shapes_keys(_folder(None)))
    context = _PROCESS.get(key)
    if context is None:
        _PROCESS.clear()
        context = _PROCESS[key] = CompiledValidation()
    return context


def validate_compiled(data: Graph) -> ValidationResult:
    """What :func:`fazhi_graph.ontology.validate` gives for ``data`` with the default
    ontology and shapes (pySHACL's results, checked by ``tests/test_shacl_sparql.py``), in a
    tenth of the time, on this process's reusable context (:func:`process_validation`).

    Raises:
        OntologyError: a default file does not parse, or the shapes use a feature the
            compiler does not implement.
    """
    return process_validation().run(data)


class CompiledValidation:
    """A reusable validation context: the shapes compiled, the ontology in an Oxigraph store.

    ``run(data)`` gives what :func:`fazhi_graph.ontology.validate` gives for ``data``
    (``ontology`` and ``shapes`` as there), and leaves the context ready for the next graph:
    prepare one per process and validate batch after batch. Not thread-safe.

    Raises:
        OntologyError: a default file does not parse, or the shapes use a feature the
            compiler does not implement.
    """

    def __init__(
        self,
        *,
        ontology: Graph | None = None,
        shapes: Graph | None = None,
        compiled: CompiledShapes | None = None,
    ) -> None:
        self._compiled = compiled if compiled is not None else compile_shapes(shapes)
        self._names = Graph()
        _bind(self._names)
        self._store = ox.Store()
        self._scratch = ox.Store()
        self._stable_cache: dict[ox.Literal, bool] = {}
        self._strings: dict[ox.Literal, bool] = {}
        self._surrogate_of: dict[Literal, ox.Literal] = {}
        self._surrogates: list[Literal] = []
        self._onto_quads: set[ox.Quad] = set()
        self._functions = {_FN_TEST: self._fn_test, _FN_LANG: self._fn_lang, _FN_LT: self._fn_lt}
        self._errors: list[Exception] = []
        self._prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
        self._load_ontology(ontology)

    @property
    def compiled(self) -> CompiledShapes:
        """The compiled shapes (queries and SPARQL constraints)."""
        return self._compiled

    def run(self, data: Graph) -> ValidationResult:
        """Validate ``data`` (a graph or dataset; not modified), as ``validate(data)`` would."""
        if isinstance(data, ConjunctiveGraph):  # a dataset: all its named graphs together
            flat = Graph()
            _add_all(flat, data)
            data = flat
        batch = _Batch(rdflib_data=data)
        try:
            self._convert(data, batch)
        except BaseException:
            self._forget_data()
            raise
        return self._validate(batch)

    def run_ntriples(self, payload: bytes) -> ValidationResult:
        """Validate the graph serialised as N-Triples in ``payload`` (what a worker receives)."""
        return self.run_triples(ox.parse(payload, format=ox.RdfFormat.N_TRIPLES))

    def run_triples(self, triples: Iterable[ox.Triple | ox.Quad]) -> ValidationResult:
        """Validate the graph of these Oxigraph triples (or default-graph quads), as
        :meth:`run_ntriples` validates them serialised: what ``run(graph)`` gives for the
        rdflib graph they were converted from (:func:`fazhi_graph.store.to_oxigraph`) when it
        has no blank nodes."""
        batch = _Batch(rdflib_data=None)
        try:
            for t in triples:
                quad = t if type(t) is ox.Quad else None
                self._place(batch, t.subject, t.predicate, t.object, None, quad)
        except BaseException:
            self._forget_data()
            raise
        return self._validate(batch)

    # ---------------------------------------------------------------- loading

    def _load_ontology(self, ontology: Graph | None) -> None:
        batch = _Batch(rdflib_data=None)
        if ontology is None:  # the files, as Validation reads them (rdflib terms via Oxigraph)
            for path, _mtime, _size in _default_keys():
                for t in _triples(path):  # ox.parse gives quads of the default graph
                    quad = t if isinstance(t, ox.Quad) else None
                    self._place(batch, t.subject, t.predicate, t.object, None, quad)
        else:
            flat = Graph()
            _add_all(flat, ontology)
            self._convert(flat, batch, salt="o")
        store = self._store
        store.extend(batch.default)
        self._onto_quads = set(batch.default)
        store.extend(ox.Quad(q.subject, q.predicate, q.object, _ONTO_SURROGATES)
                     for q in batch.surrogate)  # fmt: skip
        store.extend(ox.Quad(q.subject, q.predicate, q.object, _ONTO_REAL) for q in batch.real)
        self._strings.update(batch.strings)
        self._onto_bnodes = batch.bnodes
        self._onto_surrogates = len(self._surrogates)
        self._onto_surrogate_of = dict(self._surrogate_of)
        self._static_classes = set(self._memberships(self._compiled.classes, focus=False))
        store.extend(self._static_classes)
        self._base = list(store)  # what every run starts from (see _renew)
        self._runs = 0

    def _renew(self) -> None:
        """Start again from a fresh store holding only the ontology's quads, every
        :data:`_RENEW_EVERY` runs: Oxigraph's in-memory store keeps what was removed from it
        (for its snapshots), so each run's added and removed data would otherwise slow
        every later query down (70 ms a report at first, 200 ms after 160 reports)."""
        self._runs += 1
        if self._runs % _RENEW_EVERY == 0:
            self._store = ox.Store()
            self._store.extend(self._base)

    def _place(
        self,
        batch: _Batch,
        s: ox.NamedNode | ox.BlankNode | ox.Triple,
        p: ox.NamedNode,
        o: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
        rdflib_object: Node | None,
        quad: ox.Quad | None = None,
    ) -> None:
        """Sort one triple into the batch: default graph, or surrogate + real graphs
        (``quad``: the triple as a default-graph quad already, saving its construction)."""
        batch.focus.add(s)
        if p == _SUBCLASS_OF:
            batch.subclass = True
        if type(o) is ox.Literal:
            stored = self._literal(batch, o, rdflib_object)  # type: ignore[arg-type]
            if stored is not None:
                batch.surrogate.append(ox.Quad(s, p, stored))
                batch.real.append(quad if quad is not None else ox.Quad(s, p, o))
                return
        batch.default.append(quad if quad is not None else ox.Quad(s, p, o))

    def _convert(self, graph: Graph, batch: _Batch, *, salt: str = "") -> None:
        """Place the triples of ``graph``, converted exactly as
        :func:`fazhi_graph.store.to_oxigraph` converts them (blank nodes ``b<salt><n>`` in
        order of appearance; the rdflib ones are recorded by their store ids).

        This is :meth:`_place` inlined, with the IRIs converted once each: the loop runs once
        per triple of a batch."""
        named: dict[str, ox.NamedNode] = {}  # keyed by plain str: URIRef.__eq__ is slow
        bnodes: dict[BNode, ox.BlankNode] = {}

        def iri(t: Node) -> ox.NamedNode:  # t is a URIRef
            key = str(t)
            node = named.get(key)
            if node is None:
                node = named[key] = ox.NamedNode(key)
            return node

        def term(t: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
            if isinstance(t, URIRef):
                return iri(t)
            if isinstance(t, BNode):
                blank = bnodes.get(t)
                if blank is None:
                    blank = bnodes[t] = ox.BlankNode(f"b{salt}{len(bnodes)}")
                    batch.bnodes[blank.value] = t
                return blank
            if isinstance(t, Literal):
                if t.language:
                    return ox.Literal(t, language=t.language)
                if t.datatype is not None:
                    return ox.Literal(t, datatype=iri(t.datatype))
                return ox.Literal(t)
            raise ValueError(f"{type(t).__name__} {t!r} is not an RDF term")

        focus, default, literal = batch.focus, batch.default, self._literal
        for s, p, o in graph:
            try:  # the common cases first, exact types (isinstance chains cost per triple)
                subject = iri(s) if type(s) is URIRef else term(s)
                predicate = iri(p) if type(p) is URIRef else term(p)
                kind = type(o)
                obj = iri(o) if kind is URIRef else term(o)
                if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
                    raise TypeError("not a valid RDF triple")
            except (ValueError, TypeError) as exc:
                raise StoreError(f"cannot store the triple ({s} {p} {o}): {exc}") from exc
            focus.add(subject)
            if type(s) is not URIRef and isinstance(s, BNode):
                batch.subjects_rdflib.add(s)
            if predicate == _SUBCLASS_OF:
                batch.subclass = True
            if kind is not URIRef and isinstance(obj, ox.Literal):
                stored = literal(batch, obj, o)  # type: ignore[arg-type]
                if stored is not None:
                    batch.surrogate.append(ox.Quad(subject, predicate, stored))
                    batch.real.append(ox.Quad(subject, predicate, obj))
                    continue
            default.append(ox.Quad(subject, predicate, obj))

    def _literal(self, batch: _Batch, x: ox.Literal, r: Literal | None) -> ox.Literal | None:
        """The surrogate for literal ``x`` (whose rdflib form is ``r``, or ``from_oxigraph(x)``
        when ``r`` is ``None``), or ``None`` when ``x`` itself stands for it exactly.

        Oxigraph stores the canonical form of a literal it knows (``"78.0"`` → ``"78"``,
        ``xsd:positiveInteger`` → ``xsd:integer``), and the rdflib literals ``"x"`` and
        ``"x"^^xsd:string`` (distinct terms for rdflib) are one literal for Oxigraph: such
        literals get a surrogate. Other literals are one rdflib term per Oxigraph literal
        (rdflib compares language tags case-insensitively, as Oxigraph lower-cases them).
        """
        if x.language:
            return None
        datatype = x.datatype.value
        if datatype == _XSD_STRING_TEXT:
            explicit = r is not None and r.datatype is not None  # "x"^^xsd:string
            if not (explicit and self._compiled.literal_members):
                previous = batch.strings.get(x)
                if previous is None:
                    previous = self._strings.get(x)
                if previous is None:
                    batch.strings[x] = explicit
                    return None
                if previous == explicit:
                    return None
        elif (
            datatype == _XSD_INTEGER_TEXT and _CANONICAL_INTEGER.fullmatch(x.value)
        ) or self._stable(x):
            return None
        term = r if r is not None else _rdflib_literal(x)
        surrogate = self._surrogate_of.get(term)
        if surrogate is None:
            surrogate = ox.Literal(str(len(self._surrogates)), datatype=_SURROGATE)
            self._surrogates.append(term)
            self._surrogate_of[term] = surrogate
        return surrogate

    def _stable(self, x: ox.Literal) -> bool:
        """Whether Oxigraph stores the typed literal ``x`` exactly as given (cached)."""
        known = self._stable_cache.get(x)
        if known is None:
            graph = ox.NamedNode(_NS + "scratch")
            self._scratch.add(ox.Quad(graph, graph, x, graph))
            stored = [q.object for q in self._scratch.quads_for_pattern(None, None, None, graph)]
            self._scratch.clear()
            known = stored == [x]
            if len(self._stable_cache) > 100_000:
                self._stable_cache.clear()
            self._stable_cache[x] = known
        return known

    def _memberships(self, classes: tuple[URIRef, ...], *, focus: bool) -> Iterator[ox.Quad]:
        """``<s> <classes> <C>`` for each SHACL instance ``s`` (``rdf:type/rdfs:subClassOf*``)
        of each class ``C`` in ``classes`` (only focus nodes when ``focus``), in one query."""
        if not classes:
            return
        listed = " ".join(f"<{c}>" for c in classes)
        where = f"GRAPH {_FOCUS} {{ ?s {_FOCUS} {_FOCUS} }}" if focus else ""
        solutions = self._store.query(
            f"SELECT DISTINCT ?s ?c WHERE {{ VALUES ?c {{ {listed} }} "
            f"?t <{RDFS.subClassOf}>* ?c . ?s <{RDF.type}> ?t . {where} }}"
        )
        assert isinstance(solutions, ox.QuerySolutions)
        for solution in solutions:
            yield ox.Quad(solution["s"], _CLASSES, solution["c"], _CLASSES)  # type: ignore[arg-type]

    # ---------------------------------------------------------------- validating

    def _validate(self, batch: _Batch) -> ValidationResult:
        self._renew()
        store = self._store
        added = [q for q in dict.fromkeys(batch.default) if q not in self._onto_quads]
        classes: list[ox.Quad] = []
        try:
            store.extend(added)
            store.extend(ox.Quad(q.subject, q.predicate, q.object, _DATA_SURROGATES)
                         for q in batch.surrogate)  # fmt: skip
            store.extend(ox.Quad(q.subject, q.predicate, q.object, _DATA_REAL)
                         for q in batch.real)  # fmt: skip
            store.extend(ox.Quad(s, _FOCUS, _FOCUS, _FOCUS) for s in batch.focus)
            compiled = self._compiled
            wanted = tuple(sorted(set(compiled.target_classes) | set(compiled.classes)))
            targets = {str(c) for c in compiled.target_classes}
            constrained = {str(c) for c in compiled.classes}
            targeted: set[str] = set()  # target classes with a focus node in the data
            for quad in self._memberships(wanted, focus=True):
                cls = quad.object.value  # type: ignore[union-attr]
                if cls in targets:
                    store.add(ox.Quad(quad.subject, _TARGETS_GRAPH, quad.object, _TARGETS_GRAPH))
                    targeted.add(cls)
                if cls in constrained:
                    classes.append(quad)
            if batch.subclass:  # the data extends the class hierarchy: every node may change
                classes.extend(self._memberships(compiled.classes, focus=False))
            classes = [q for q in dict.fromkeys(classes) if q not in self._static_classes]
            store.extend(classes)
            return self._results(batch, targeted)
        finally:
            for q in added:
                store.remove(q)
            for q in classes:
                store.remove(q)
            for graph in (_DATA_SURROGATES, _DATA_REAL, _FOCUS, _TARGETS_GRAPH):
                store.remove_graph(graph)
            self._forget_data()

    def _forget_data(self) -> None:
        """Drop what a run added to the context besides the store (surrogates, errors)."""
        del self._surrogates[self._onto_surrogates :]
        self._surrogate_of = dict(self._onto_surrogate_of)
        self._errors.clear()

    def _results(self, batch: _Batch, targeted: set[str]) -> ValidationResult:
        core: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        real: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        if self._onto_surrogates:
            core.append(_ONTO_SURROGATES)
            real.append(_ONTO_REAL)
        if batch.surrogate:
            core.append(_DATA_SURROGATES)
            real.append(_DATA_REAL)
        rows: set[Row] = set()
        conforms = True
        for query in self._compiled.queries if batch.focus else ():
            if query.classes is not None and query.classes.isdisjoint(targeted):
                continue  # no focus node to start from: no solutions
            solutions = self._store.query(
                query.sparql,
                default_graph=core if len(core) > 1 else None,
                custom_functions=self._functions,  # type: ignore[arg-type]
            )
            assert isinstance(solutions, ox.QuerySolutions)
            for solution in solutions:
                focus = solution[query.focus]
                rows.add((self._name(focus, batch), query.path, query.message, query.severity))
                conforms = conforms and not query.counts
            if self._errors:
                raise OntologyError(
                    f"{query.shape}: pySHACL cannot validate this data either: {self._errors[0]}"
                ) from self._errors[0]
        for row in self._sparql_checks(batch, real if len(real) > 1 else None):
            rows.add(row)
            conforms = conforms and row[3] != "Violation"
        results = sorted(rows)
        return ValidationResult(conforms=conforms, results=results, text=_text(conforms, results))

    def _sparql_checks(
        self, batch: _Batch, view: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] | None
    ) -> Iterator[Row]:
        """The SPARQL constraints, filtered as ``ontology._run_sparql_checks`` filters them."""
        if not batch.focus:
            return
        typed: dict[str, set[ox.NamedNode | ox.BlankNode | ox.Triple]] = {}
        bnodes: dict[str, BNode] = {}
        for check in self._compiled.checks:
            if check.target not in typed:  # focus nodes typed so directly (no subclasses)
                found = self._store.quads_for_pattern(
                    None, _RDF_TYPE, ox.NamedNode(check.target), ox.DefaultGraph()
                )
                typed[check.target] = {q.subject for q in found} & batch.focus
            solutions = self._store.query(self._prologue + check.query, default_graph=view)
            assert isinstance(solutions, ox.QuerySolutions)
            has_path = "path" in {v.value for v in solutions.variables}
            for solution in solutions:
                this = solution["this"]
                if not self._checked(this, check.target, batch, typed[check.target]):
                    continue
                path = solution["path"] if has_path else None
                path_text = _short(from_oxigraph(path, bnodes), self._names) if path else ""
                this_text = _short(from_oxigraph(this, bnodes), self._names)
                yield (this_text, path_text, check.message, check.severity)

    @staticmethod
    def _checked(
        this: object,
        target: URIRef,
        batch: _Batch,
        typed: set[ox.NamedNode | ox.BlankNode | ox.Triple],
    ) -> bool:
        """Whether ``ontology._run_sparql_checks`` keeps a solution for ``this``.

        It compares the store's node with the rdflib data: for blank nodes of an rdflib graph
        (whose store ids are ``b0``, ``b1`` …) only an rdflib blank node with that very id
        passes, so that comparison is repeated here.
        """
        if isinstance(this, ox.BlankNode) and batch.rdflib_data is not None:
            node = BNode(this.value)
            return node in batch.subjects_rdflib and (node, RDF.type, target) in batch.rdflib_data
        return isinstance(this, ox.NamedNode | ox.BlankNode) and this in typed

    def _name(self, term: object, batch: _Batch) -> str:
        """``ontology._short`` of the rdflib term pySHACL would report for store ``term``."""
        if isinstance(term, ox.NamedNode):
            return _short(URIRef(term.value), self._names)
        if isinstance(term, ox.BlankNode):
            node = batch.bnodes.get(term.value) or self._onto_bnodes.get(term.value)
            return str(node) if node is not None else term.value
        return str(self._rdflib(term))

    # ---------------------------------------------------------------- custom functions

    def _rdflib(self, term: object) -> Node:
        if isinstance(term, ox.Literal) and term.datatype == _SURROGATE:
            return self._surrogates[int(term.value)]
        return from_oxigraph(term, {})

    def _fn_test(self, term: object, index: object) -> ox.Literal | None:
        assert isinstance(index, ox.Literal)
        try:
            passed = self._compiled.tests[int(index.value)](self._rdflib(term))
        except Exception as exc:
            self._errors.append(exc)
            return None
        return _TRUE if passed else _FALSE

    def _fn_lang(self, term: object) -> ox.Literal:
        node = self._rdflib(term)
        return ox.Literal(node.language.lower() if isinstance(node, Literal) and node.language
                          else "")  # fmt: skip

    def _fn_lt(self, value: object, other: object) -> ox.Literal | None:
        try:
            passed = self._compiled.less_than(self._rdflib(value), self._rdflib(other))
        except Exception as exc:
            self._errors.append(exc)
            return None
        return _TRUE if passed else _FALSE


@dataclass
class _Batch:
    """The triples of one run (or of the ontology), sorted for the store."""

    rdflib_data: Graph | None
    default: list[ox.Quad] = field(default_factory=list)
    surrogate: list[ox.Quad] = field(default_factory=list)
    real: list[ox.Quad] = field(default_factory=list)
    focus: set[ox.NamedNode | ox.BlankNode | ox.Triple] = field(default_factory=set)
    strings: dict[ox.Literal, bool] = field(default_factory=dict)
    bnodes: dict[str, BNode] = field(default_factory=dict)
    subjects_rdflib: set[Node] = field(default_factory=set)
    subclass: bool = False


def _rdflib_literal(x: ox.Literal) -> Literal:
    node = from_oxigraph(x, {})
    assert isinstance(node, Literal)
    return node


# ------------------------------------------------------------------------------ pySHACL's rules


def _compare_literal(l1: Literal, l2: Literal) -> int:
    """pySHACL's ``rdfutil.compare.compare_literal``."""
    if l1.eq(l2):
        return 0
    if l1.value.__class__ in (datetime.datetime, datetime.time):
        if l1.value == l2.value:
            return 0
        if l1.value > l2.value:
            return 1
    elif l1 > l2:
        return 1
    return -1


def _range_test(bound: Literal, accept: Callable[[int], bool]) -> Test:
    """pySHACL's sh:min/maxInclusive/Exclusive rule for one value node."""
    bound_is_string = isinstance(bound.value, str)

    def test(v: Node) -> bool:
        if not isinstance(v, Literal):
            return False
        if isinstance(v.value, str) != bound_is_string:
            return False
        try:
            return accept(_compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False

    return test


def _actual_datatype(v: Literal, datatype: URIRef) -> bool:
    """pySHACL's ``DatatypeConstraintComponent._assert_actual_datatype``."""
    value = v.value
    checks: dict[URIRef, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: datetime.date,
        XSD.time: datetime.time,
        XSD.dateTime: datetime.datetime,
    }
    kind = checks.get(datatype)
    return True if kind is None else isinstance(value, kind)


def _datatype_test(datatype: URIRef) -> Test:
    """pySHACL's sh:datatype rule for one value node."""

    def test(v: Node) -> bool:
        if not isinstance(v, Literal):
            return False
        if v.datatype == datatype:
            return getattr(v, "ill_typed", None) is not True and _actual_datatype(v, datatype)
        if datatype == RDFS.Literal:
            return True
        if datatype == RDFS.Datatype and v.datatype:
            return True
        if v.datatype is None and v.language is None and datatype == XSD.string:
            return _actual_datatype(v, datatype)
        if datatype == RDF.langString and v.language:
            return _actual_datatype(v, datatype)
        return False

    return test


def _pattern_test(pattern: re.Pattern[str]) -> Test:
    """pySHACL's sh:pattern rule for one value node."""

    def test(v: Node) -> bool:
        if isinstance(v, BNode):
            return False
        if isinstance(v, Literal) and v.value is not None and v.datatype in (
            None,
            RDF.langString,
            XSD.string,
        ):
            text = str(v.value)
        else:
            text = str(v)
        return bool(pattern.match(text) or pattern.search(text))

    return test


def _language_test(languages: frozenset[str]) -> Test:
    """pySHACL's sh:languageIn rule for one value node."""

    def test(v: Node) -> bool:
        if not isinstance(v, Literal) or not v.language:
            return False
        lang = str(v.language)
        return "*" in languages or lang.lower() in languages or (
            lang.split("-")[0].lower() in languages
        )

    return test


def _less_than(value: Node, other: Node) -> bool:
    """pySHACL's sh:lessThan rule for one pair (it raises on blank nodes, so does this)."""
    if isinstance(value, BNode) or isinstance(other, BNode):
        raise OntologyError("sh:lessThan cannot compare a blank node")
    left: object = value
    right: object = other
    left_string = right_string = False
    if isinstance(value, URIRef):
        left, left_string = str(value), True
    elif isinstance(value, Literal) and isinstance(value.value, str):
        left, left_string = value.value, True
    if isinstance(other, URIRef):
        right, right_string = str(other), True
    elif isinstance(other, Literal) and isinstance(other.value, str):
        right, right_string = other.value, True
    if left_string != right_string:
        return False
    return bool(left < right)  # type: ignore[operator]


# ------------------------------------------------------------------------------ the compiler


@dataclass(frozen=True)
class _Parts:
    """A shape's constraints at one focus node (see ``_Compiler._parts``)."""

    v: str  # the value variable (the focus itself for a node shape)
    fails: list[str]  # expressions true when the value node fails
    low: int | None  # sh:minCount
    high: int | None  # sh:maxCount
    focus: list[str]  # expressions true when the focus node fails


def _nothing(_variable: str) -> str:
    return ""


@dataclass(frozen=True)
class _Shape:
    node: Node
    label: str
    path: URIRef | None
    deactivated: bool
    severity: URIRef
    messages: tuple[str, ...]


def _check_sparql_constraints(graph: Graph) -> None:
    """Refuse SPARQL constraints that ``ontology._split_sparql`` would drop or mishandle."""
    names = Graph()
    _bind(names)
    for shape, constraint in graph.subject_objects(SH.sparql):
        label = _label(graph, shape, names)
        targets = [(p, o) for p in _TARGETS for o in graph.objects(shape, p)]
        if len(targets) != 1 or targets[0][0] != SH.targetClass:
            raise OntologyError(
                f"{label}: sh:sparql needs exactly one sh:targetClass and no other target "
                "(fazhi_graph.ontology runs SPARQL constraints per target class)"
            )
        if not isinstance(targets[0][1], URIRef) or graph.value(constraint, SH.select) is None:
            raise OntologyError(f"{label}: sh:sparql needs an IRI sh:targetClass and sh:select")
        if (shape, SH.path, None) in graph:
            raise OntologyError(f"{label}: sh:sparql on a property shape is not supported")
        for node in (shape, constraint):
            if (node, SH.deactivated, None) in graph:
                raise OntologyError(
                    f"{label}: sh:deactivated with sh:sparql is not supported "
                    "(fazhi_graph.ontology would run the constraint anyway)"
                )


def _label(graph: Graph, node: Node, names: Graph) -> str:
    """A shape's name for messages: its prefixed IRI, or its path and a named ancestor."""
    if isinstance(node, URIRef):
        return _short(node, names)
    path = graph.value(node, SH.path)
    here = f"[sh:path {_short(path, names)}]" if isinstance(path, URIRef) else "[blank node]"
    seen = {node}
    frontier = [node]
    while frontier:
        parents = [s for n in frontier for s in graph.subjects(None, n) if s not in seen]
        for parent in parents:
            if isinstance(parent, URIRef):
                return f"{here} in {_short(parent, names)}"
        seen.update(parents)
        frontier = parents
    return here


class _Compiler:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.names = Graph()
        _bind(self.names)
        self.tests: list[Test] = []
        self.queries: list[CompiledQuery] = []
        self.literal_members = False
        self.counter = 0
        self.shapes: dict[Node, _Shape] = {}
        self.target_classes: set[URIRef] = set()
        self.classes: set[URIRef] = set()

    def compile(self, checks: tuple[_SparqlCheck, ...]) -> CompiledShapes:
        self._scan()
        for node in sorted(self._shape_nodes(), key=lambda n: (isinstance(n, BNode), str(n))):
            shape = self.shape(node)
            alternatives = self._targets(shape)
            if not alternatives:
                continue
            classes = self._class_targets(shape)
            only = frozenset(map(str, classes)) if len(alternatives) == 1 and classes else None
            alternatives = [f"{{ {a} }}" if a.startswith("SELECT") else a for a in alternatives]
            chain = [alternatives[0] if len(alternatives) == 1 else
                     " UNION ".join(f"{{ {a} }}" for a in alternatives)]  # fmt: skip
            first = len(self.queries)
            self._emit(shape, chain, "?this", counts=True, stack=())
            self.queries[first:] = [replace(q, classes=only) for q in self.queries[first:]]
        return CompiledShapes(
            queries=tuple(self.queries),
            checks=checks,
            target_classes=tuple(sorted(self.target_classes)),
            classes=tuple(sorted(self.classes)),
            literal_members=self.literal_members,
            tests=tuple(self.tests),
            less_than=_less_than,
        )

    # ----------------------------------------------------------- shapes and their features

    def _scan(self) -> None:
        """Refuse every sh: term the compiler does not implement, wherever it appears."""
        pairs = set(self.g.subject_predicates())
        for s, p in sorted(pairs, key=lambda t: (isinstance(t[0], BNode), str(t[0]), str(t[1]))):
            if isinstance(p, URIRef) and p.startswith(str(SH)) and p not in _SUPPORTED | _INERT:
                raise OntologyError(
                    f"{_label(self.g, s, self.names)}: {_short(p, self.names)} is not supported "
                    "by the SPARQL compiler (fazhi_graph.shacl_sparql)"
                )

    def _shape_nodes(self) -> set[Node]:
        """The nodes pySHACL treats as shapes."""
        g = self.g
        nodes: set[Node] = set(g.subjects(RDF.type, SH.NodeShape))
        nodes |= set(g.subjects(RDF.type, SH.PropertyShape))
        for p in (*_TARGETS, SH.property, SH.node):
            nodes |= set(g.subjects(p, None))
        for p in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
            nodes |= set(g.objects(None, p))
        for p in (SH["and"], SH["or"], SH.xone):
            for lst in g.objects(None, p):
                nodes |= set(self._list(lst, None, p))
        return nodes

    def shape(self, node: Node) -> _Shape:
        known = self.shapes.get(node)
        if known is not None:
            return known
        g = self.g
        label = _label(g, node, self.names)
        paths = list(g.objects(node, SH.path))
        if len(paths) > 1:
            raise OntologyError(f"{label}: a shape has at most one sh:path")
        path = paths[0] if paths else None
        if path is not None and not isinstance(path, URIRef):
            raise OntologyError(
                f"{label}: complex property paths are not supported by the SPARQL compiler"
            )
        if path is not None and (node, RDF.type, SH.NodeShape) in g:
            raise OntologyError(f"{label}: an sh:NodeShape cannot have an sh:path")
        if path is None and (node, RDF.type, SH.PropertyShape) in g:
            raise OntologyError(f"{label}: an sh:PropertyShape needs an sh:path")
        deactivated = self._single(node, SH.deactivated, label)
        if deactivated is not None and not isinstance(deactivated, Literal):
            raise OntologyError(f"{label}: sh:deactivated must be a literal")
        severity = self._single(node, SH.severity, label)
        if severity is not None and not isinstance(severity, URIRef):
            raise OntologyError(f"{label}: sh:severity must be an IRI")
        shape = _Shape(
            node=node,
            label=label,
            path=path,
            deactivated=bool(deactivated.value) if isinstance(deactivated, Literal) else False,
            severity=severity if isinstance(severity, URIRef) else SH.Violation,
            messages=tuple(sorted(str(m) for m in g.objects(node, SH.message))),
        )
        self.shapes[node] = shape
        return shape

    def _single(self, node: Node, p: URIRef, label: str) -> Node | None:
        values = list(self.g.objects(node, p))
        if len(values) > 1:
            raise OntologyError(f"{label}: more than one {_short(p, self.names)}")
        return values[0] if values else None

    def _list(self, head: Node, shape: _Shape | None, p: URIRef) -> list[Node]:
        where = shape.label if shape else _label(self.g, head, self.names)
        try:
            items = list(Collection(self.g, head)) if head != RDF.nil else []
        except Exception as exc:  # pragma: no cover - malformed list
            raise OntologyError(f"{where}: {_short(p, self.names)} needs an RDF list") from exc
        return items

    def _class_targets(self, shape: _Shape) -> list[URIRef]:
        """The classes targeting the shape (``sh:targetClass``, implicit class targets)."""
        g = self.g
        classes = list(g.objects(shape.node, SH.targetClass))
        types = set(g.objects(shape.node, RDF.type))
        if types & ({RDFS.Class} | set(g.subjects(RDFS.subClassOf, RDFS.Class))):
            classes.append(shape.node)  # an implicit class target
        return sorted({URIRef(self._iri(c, shape, short=False)) for c in classes})

    def _targets(self, shape: _Shape) -> list[str]:
        """SPARQL alternatives binding ``?this`` to the shape's targets (before the filter)."""
        g = self.g
        out: list[str] = []
        iris = self._class_targets(shape)
        self.target_classes.update(iris)
        marker = f"GRAPH {_TARGETS_GRAPH} {{ ?this {_TARGETS_GRAPH} ?class }}"
        if len(iris) == 1:
            out.append(marker.replace("?class", _iri(iris[0])))
        elif iris:
            out.append(f"VALUES ?class {{ {' '.join(_iri(c) for c in iris)} }} {marker}")
        focus = f"FILTER EXISTS {{ GRAPH {_FOCUS} {{ ?this {_FOCUS} {_FOCUS} }} }}"
        for n in g.objects(shape.node, SH.targetNode):
            if isinstance(n, BNode):
                raise OntologyError(f"{shape.label}: a blank sh:targetNode is not supported")
            if isinstance(n, URIRef):  # a literal is never a subject of the data
                out.append(f"VALUES ?this {{ {_iri(n)} }} {focus}")
        for p in g.objects(shape.node, SH.targetSubjectsOf):
            out.append(f"SELECT DISTINCT ?this WHERE {{ ?this {self._iri(p, shape)} [] {focus} }}")
        for p in g.objects(shape.node, SH.targetObjectsOf):
            out.append(f"SELECT DISTINCT ?this WHERE {{ [] {self._iri(p, shape)} ?this {focus} }}")
        return out

    def _iri(self, node: Node, shape: _Shape, *, short: bool = True) -> str:
        """``node`` for a query (``short=False``: the IRI itself); it must be an IRI."""
        if not isinstance(node, URIRef):
            raise OntologyError(f"{shape.label}: expected an IRI, got {node!r}")
        return _iri(node) if short else str(node)

    def _var(self) -> str:
        self.counter += 1
        return f"?v{self.counter}"

    def _test(self, test: Test) -> int:
        self.tests.append(test)
        return len(self.tests) - 1

    # ----------------------------------------------------------- emitting queries

    def _emit(
        self, shape: _Shape, chain: list[str], x: str, *, counts: bool, stack: tuple[Node, ...]
    ) -> None:
        """One query for ``shape``'s own constraints at focus ``x``, then those below it."""
        if shape.node in stack:
            raise OntologyError(f"{shape.label}: recursive shapes are not supported")
        if shape.deactivated:
            return
        stack = (*stack, shape.node)
        counts = counts and shape.severity not in _ALLOWED_SEVERITIES
        sparql = self._select(shape, chain, x, stack)
        if sparql:
            if not shape.messages:
                raise OntologyError(
                    f"{shape.label}: a shape that reports results needs an sh:message "
                    "(pySHACL's generic messages are not reproduced)"
                )
            self.queries.append(
                CompiledQuery(
                    shape=shape.label,
                    sparql=_prologue(sparql) + sparql,
                    focus=x[1:],
                    path=_short(shape.path, self.names) if shape.path is not None else "",
                    message=" / ".join(shape.messages),
                    severity=str(shape.severity).rsplit("#", 1)[-1],
                    counts=counts,
                )
            )
        below: list[tuple[Node, bool]] = [(n, False) for n in self.g.objects(shape.node, SH.node)]
        below += [(p, counts) for p in self.g.objects(shape.node, SH.property)]
        for node, child_counts in sorted(below, key=lambda b: str(b[0])):
            child = self.shape(node)
            if shape.path is None:
                self._emit(child, chain, x, counts=child_counts, stack=stack)
            else:
                v = self._var()
                step = f"{x} {_iri(shape.path)} {v} ."
                self._emit(child, [*chain, step], v, counts=child_counts, stack=stack)

    def _select(self, shape: _Shape, chain: list[str], x: str, stack: tuple[Node, ...]) -> str:
        """The query for ``shape``'s own constraints ("" when it has none).

        A property shape's values are joined once and grouped per focus node: counts are
        aggregates, and each value's failures one ``BIND``; the rest are ``EXISTS`` tests."""
        parts = self._parts(shape, x, stack, mode="results", children=False)
        body = "\n  ".join(chain)
        if shape.path is None or not (parts.fails or parts.low or parts.high is not None):
            terms = parts.fails if shape.path is None else parts.focus
            if not terms:
                return ""
            condition = "\n    || ".join(terms)
            return f"SELECT DISTINCT {x} WHERE {{\n  {body}\n  FILTER (\n    {condition}\n  )\n}}"
        v, bad = parts.v, f"{parts.v}_fails"
        bind = f" BIND (IF({' || '.join(parts.fails)}, 1, 0) AS {bad})" if parts.fails else ""
        having = [f"COUNT(DISTINCT {v}) < {parts.low}"] if parts.low else []
        if parts.high is not None:
            having.append(f"COUNT(DISTINCT {v}) > {parts.high}")
        if parts.fails:
            having.append(f"COALESCE(MAX({bad}), 0) = 1")
        having += parts.focus
        condition = "\n    || ".join(having)
        return (
            f"SELECT {x} WHERE {{\n  {body}\n  OPTIONAL {{ {x} {_iri(shape.path)} {v} .{bind} }}\n"
            f"}}\nGROUP BY {x}\nHAVING (\n    {condition}\n)"
        )

    def violation(self, node: Node, x: str, stack: tuple[Node, ...], mode: str) -> str:
        """A SPARQL expression: ``x`` does not conform to the shape (``mode="conform"``), or
        has results against it (``mode="results"``, what ``sh:node`` asks)."""
        shape = self.shape(node)
        if node in stack:
            raise OntologyError(f"{shape.label}: recursive shapes are not supported")
        if shape.deactivated:
            return "false"
        if shape.severity != SH.Violation:
            raise OntologyError(
                f"{shape.label}: sh:severity on a nested shape is not supported"
            )
        terms = self._terms(shape, x, (*stack, node), mode=mode, children=True)
        return "(" + " || ".join(terms) + ")" if terms else "false"

    def _terms(
        self, shape: _Shape, x: str, stack: tuple[Node, ...], *, mode: str, children: bool
    ) -> list[str]:
        """Expressions, one per group of constraints, each true when ``x`` fails it."""
        parts = self._parts(shape, x, stack, mode=mode, children=children)
        if shape.path is None:
            return parts.fails
        path = _iri(shape.path)
        terms = []
        if parts.fails:
            joined = " || ".join(parts.fails)
            terms.append(f"EXISTS {{ {x} {path} {parts.v} FILTER ({joined}) }}")
        if parts.low:
            terms.append(f"NOT EXISTS {self._distinct(x, path, parts.low, shape, _nothing)}")
        if parts.high is not None:
            terms.append(f"EXISTS {self._distinct(x, path, parts.high + 1, shape, _nothing)}")
        return terms + parts.focus

    def _parts(
        self, shape: _Shape, x: str, stack: tuple[Node, ...], *, mode: str, children: bool
    ) -> _Parts:
        """The shape's constraints at focus ``x``: tests of each value node ``v``, the value
        count bounds, and tests of the focus node."""
        g = self.g
        node = shape.node
        v = x if shape.path is None else self._var()
        fails: list[str] = []  # each true when value node v fails
        focus_terms: list[str] = []  # each true when focus x fails (property shapes)
        preds = set(g.predicates(node, None))
        for c in sorted(g.objects(node, SH["class"]), key=str):
            self.classes.add(URIRef(self._iri(c, shape, short=False)))
            fails.append(
                f"NOT EXISTS {{ GRAPH {_CLASSES} {{ {v} {_CLASSES} {self._iri(c, shape)} }} }}"
            )
        if SH.datatype in preds:
            fails.append(f"!({self._datatype(shape, v)})")
        if SH.nodeKind in preds:
            kind = self._single(node, SH.nodeKind, shape.label)
            if kind not in _NODE_KINDS:
                raise OntologyError(f"{shape.label}: unknown sh:nodeKind {kind}")
            fails.append("!" + _NODE_KINDS[kind].format(v=v))  # type: ignore[index]
        for p in (SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive):
            for bound in g.objects(node, p):
                fails.append(self._range(shape, p, bound, v))
        if SH.pattern in preds:
            fails.extend(self._patterns(shape, v))
        if SH.languageIn in preds:
            fails.append(f"!({self._language_in(shape, v)})")
        if SH["in"] in preds:
            fails.append(f"!({self._in(shape, v)})")
        for member in g.objects(node, SH["not"]):
            fails.append(f"!{self.violation(member, v, stack, 'conform')}")
        for lst in g.objects(node, SH["and"]):
            members = dict.fromkeys(self._list(lst, shape, SH["and"]))
            parts = [self.violation(m, v, stack, "conform") for m in members]
            fails.append("(" + " || ".join(parts) + ")" if parts else "false")
        for lst in g.objects(node, SH["or"]):
            members = dict.fromkeys(self._list(lst, shape, SH["or"]))
            parts = [self.violation(m, v, stack, "conform") for m in members]
            fails.append("(" + " && ".join(parts) + ")" if parts else "false")
        for lst in g.objects(node, SH.xone):
            items = self._list(lst, shape, SH.xone)
            parts = [f"IF({self.violation(m, v, stack, 'conform')}, 0, 1)" for m in items]
            fails.append(f"(({' + '.join(parts)}) != 1)" if parts else "false")
        for member in g.objects(node, SH.node):
            fails.append(self.violation(member, v, stack, "results"))
        if SH.hasValue in preds and shape.path is None:
            fails.extend(f"!({self._equals(shape, h, v)})" for h in g.objects(node, SH.hasValue))
        if children:
            for member in g.objects(node, SH.property):
                if self.shape(member).path is None:
                    raise OntologyError(f"{shape.label}: sh:property needs a property shape")
                fails.append(self.violation(member, v, stack, mode))
        if shape.path is None:
            for p in (SH.minCount, SH.maxCount, SH.uniqueLang, SH.lessThan,
                      SH.qualifiedValueShape):  # fmt: skip
                if p in preds:
                    raise OntologyError(
                        f"{shape.label}: {_short(p, self.names)} on a node shape is not supported"
                    )
            return _Parts(v, fails, None, None, [])
        path = _iri(shape.path)
        low = self._count_literal(shape, SH.minCount, xsd_integer=True)
        high = self._count_literal(shape, SH.maxCount, xsd_integer=True)
        if SH.hasValue in preds:
            for h in g.objects(node, SH.hasValue):
                if isinstance(h, URIRef):
                    focus_terms.append(f"NOT EXISTS {{ {x} {path} {_iri(h)} }}")
                else:
                    u = self._var()
                    test = self._equals(shape, h, u)
                    focus_terms.append(f"NOT EXISTS {{ {x} {path} {u} FILTER ({test}) }}")
        if SH.uniqueLang in preds:
            focus_terms.extend(self._unique_lang(shape, x, path))
        for other in g.objects(node, SH.lessThan):
            focus_terms.append(self._less_than(shape, x, path, other))
        for q in g.objects(node, SH.qualifiedValueShape):
            focus_terms.extend(self._qualified(shape, q, x, path, stack))
        return _Parts(v, fails, low, high, focus_terms)

    # ----------------------------------------------------------- components

    def _datatype(self, shape: _Shape, v: str) -> str:
        """True when ``v`` matches the shape's sh:datatype (pySHACL's rule)."""
        datatype = self._single(shape.node, SH.datatype, shape.label)
        if not isinstance(datatype, URIRef):
            raise OntologyError(f"{shape.label}: sh:datatype must be an IRI")
        k = self._test(_datatype_test(datatype))
        custom = f"{_FN_TEST}({v}, {k})"
        surrogate = f"datatype({v}) = {_SURROGATE}"
        # Oxigraph evaluates both sides of &&, so custom calls are guarded by IF
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        if datatype == XSD.string:
            native = f"datatype({v}) = {_iri(XSD.string)}"
        elif datatype == RDF.langString:
            native = f'lang({v}) != ""'
        elif datatype in _NUMERIC:
            native = f"IF(isNumeric({v}), datatype({v}) = {_iri(datatype)}, {custom})"
            return f"IF(isLiteral({v}), {native}, false)"
        elif datatype == RDFS.Datatype:
            return f"IF(isLiteral({v}), {custom}, false)"
        else:
            wanted = f"isLiteral({v}) && (datatype({v}) = {_iri(datatype)} || {surrogate})"
            return f"IF({wanted}, {custom}, false)"
        return f"IF(isLiteral({v}), IF({surrogate}, {custom}, {native}), false)"

    def _range(self, shape: _Shape, p: URIRef, bound: Node, v: str) -> str:
        """True when ``v`` fails the sh:min/maxInclusive/Exclusive ``bound``."""
        if not isinstance(bound, Literal):
            raise OntologyError(f"{shape.label}: {_short(p, self.names)} must be a literal")
        op, accept = _RANGES[p]
        custom = f"{_FN_TEST}({v}, {self._test(_range_test(bound, accept))})"
        value = bound.value
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53:
            native = f'{v} {op} "{value}"^^{_iri(XSD.integer)}'
            return f"!COALESCE(IF(isNumeric({v}) && {v} = {v}, {native}, {custom}), false)"
        return f"!COALESCE({custom}, false)"

    def _patterns(self, shape: _Shape, v: str) -> list[str]:
        flags = self._single(shape.node, SH.flags, shape.label)
        re_flags = 0
        if flags is not None:
            text = str(flags.value if isinstance(flags, Literal) else flags).lower()
            re_flags |= re.I if "i" in text else 0
            re_flags |= re.M if "m" in text else 0
        out = []
        for pattern in self.g.objects(shape.node, SH.pattern):
            if not isinstance(pattern, Literal):
                raise OntologyError(f"{shape.label}: sh:pattern must be a literal")
            source = str(pattern.value) if pattern.value is not None and len(
                pattern.value) > 1 else str(pattern)  # fmt: skip
            try:
                compiled = re.compile(source, re_flags)
            except re.error as exc:
                raise OntologyError(f"{shape.label}: bad sh:pattern {source!r}: {exc}") from exc
            k = self._test(_pattern_test(compiled))
            out.append(f"!COALESCE({_FN_TEST}({v}, {k}), false)")
        return out

    def _language_in(self, shape: _Shape, v: str) -> str:
        head = self._single(shape.node, SH.languageIn, shape.label)
        assert head is not None
        languages: set[str] = set()
        for item in self._list(head, shape, SH.languageIn):
            if not isinstance(item, Literal) or not isinstance(item.value, str):
                raise OntologyError(f"{shape.label}: sh:languageIn lists xsd:string literals")
            languages.add(str(item.value).lower())
        k = self._test(_language_test(frozenset(languages)))
        custom = f"{_FN_TEST}({v}, {k})"
        if "*" in languages:
            native = f'lang({v}) != ""'
        elif languages:
            listed = ", ".join(_string(lang) for lang in sorted(languages))
            native = (
                f'lang({v}) != "" && (lang({v}) IN ({listed}) || '
                f'STRBEFORE(CONCAT(lang({v}), "-"), "-") IN ({listed}))'
            )
        else:
            native = "false"
        return f"IF(isLiteral({v}), IF(datatype({v}) = {_SURROGATE}, {custom}, {native}), false)"

    def _in(self, shape: _Shape, v: str) -> str:
        head = self._single(shape.node, SH["in"], shape.label)
        assert head is not None
        members = self._list(head, shape, SH["in"])
        parts = [f"sameTerm({v}, {_iri(m)})" for m in members if isinstance(m, URIRef)]
        if any(isinstance(m, BNode) for m in members):
            raise OntologyError(f"{shape.label}: blank nodes in sh:in are not supported")
        if any(isinstance(m, Literal) for m in members):
            self.literal_members = True
            allowed = frozenset(members)
            k = self._test(lambda node: node in allowed)
            parts.append(f"IF(isLiteral({v}), COALESCE({_FN_TEST}({v}, {k}), false), false)")
        return " || ".join(parts) if parts else "false"

    def _equals(self, shape: _Shape, h: Node, v: str) -> str:
        """True when ``v`` is sh:hasValue ``h`` (rdflib term equality)."""
        if isinstance(h, URIRef):
            return f"sameTerm({v}, {_iri(h)})"
        if isinstance(h, BNode):
            raise OntologyError(f"{shape.label}: a blank sh:hasValue is not supported")
        self.literal_members = True
        k = self._test(lambda node: node == h)
        return f"IF(isLiteral({v}), COALESCE({_FN_TEST}({v}, {k}), false), false)"

    def _count_literal(self, shape: _Shape, p: URIRef, *, xsd_integer: bool) -> int | None:
        value = self._single(shape.node, p, shape.label)
        if value is None:
            return None
        ok = isinstance(value, Literal) and isinstance(value.value, int)
        if xsd_integer:
            ok = ok and isinstance(value, Literal) and value.datatype == XSD.integer
        if not ok or not isinstance(value, Literal) or int(value.value) < 0:
            raise OntologyError(f"{shape.label}: {_short(p, self.names)} must be an integer >= 0")
        return int(value.value)

    def _distinct(self, x: str, path: str, n: int, shape: _Shape, extra: Callable[[str], str]
                  ) -> str:  # fmt: skip
        """A pattern with ``n`` pairwise distinct values of ``x`` (each passing ``extra``)."""
        if n > MAX_COUNT:
            raise OntologyError(
                f"{shape.label}: counts above {MAX_COUNT} are not supported by the SPARQL compiler"
            )
        vs = [self._var() for _ in range(n)]
        triples = " ".join(f"{x} {path} {u} ." for u in vs)
        conditions = [f"!sameTerm({a}, {b})" for i, a in enumerate(vs) for b in vs[i + 1 :]]
        conditions += [c for c in (extra(u) for u in vs) if c]
        where = f" FILTER ({' && '.join(conditions)})" if conditions else ""
        return f"{{ {triples}{where} }}"

    def _qualified(
        self, shape: _Shape, q: Node, x: str, path: str, stack: tuple[Node, ...]
    ) -> list[str]:
        disjoint = [d for d in self.g.objects(shape.node, SH.qualifiedValueShapesDisjoint)
                    if isinstance(d, Literal) and d.value is True]  # fmt: skip
        if disjoint:
            raise OntologyError(
                f"{shape.label}: sh:qualifiedValueShapesDisjoint true is not supported"
            )
        low = self._count_literal(shape, SH.qualifiedMinCount, xsd_integer=False)
        high = self._count_literal(shape, SH.qualifiedMaxCount, xsd_integer=False)
        if low is None and high is None:
            raise OntologyError(f"{shape.label}: sh:qualifiedValueShape needs a qualified count")

        def conforms(u: str) -> str:
            return f"!{self.violation(q, u, stack, 'conform')}"

        out = []
        if low:
            out.append(f"NOT EXISTS {self._distinct(x, path, low, shape, conforms)}")
        if high is not None:
            out.append(f"EXISTS {self._distinct(x, path, high + 1, shape, conforms)}")
        return out

    def _unique_lang(self, shape: _Shape, x: str, path: str) -> list[str]:
        flag = self._single(shape.node, SH.uniqueLang, shape.label)
        if not isinstance(flag, Literal) or not isinstance(flag.value, bool):
            raise OntologyError(f"{shape.label}: sh:uniqueLang must be a boolean")
        if not flag.value:
            return []
        a, b = self._var(), self._var()

        def lang(u: str) -> str:
            return f"IF(datatype({u}) = {_SURROGATE}, {_FN_LANG}({u}), LCASE(lang({u})))"

        return [
            f"EXISTS {{ {x} {path} {a} . {x} {path} {b} . FILTER (isLiteral({a}) && "
            f"isLiteral({b}) && !sameTerm({a}, {b}) && {lang(a)} != \"\" && "
            f"{lang(a)} = {lang(b)}) }}"
        ]

    def _less_than(self, shape: _Shape, x: str, path: str, other: Node) -> str:
        if not isinstance(other, URIRef):
            raise OntologyError(f"{shape.label}: sh:lessThan must be an IRI")
        a, b = self._var(), self._var()
        native = f"{a} < {b}"
        numeric = f"isNumeric({a}) && isNumeric({b})"
        custom = f"{_FN_LT}({a}, {b})"
        return (
            f"EXISTS {{ {x} {path} {a} . FILTER (IF(isBlank({a}), !COALESCE({_FN_LT}({a}, {a}), "
            f"false), false)) }} || EXISTS {{ {x} {path} {a} . {x} {_iri(other)} {b} . "
            f"FILTER (!COALESCE(IF({numeric}, {native}, {custom}), false)) }}"
        )


def _iri(node: URIRef) -> str:
    """A prefixed name with the project prefixes where that is safe, else ``<iri>``."""
    text = str(node)
    for prefix, namespace in PREFIXES.items():
        if text.startswith(namespace) and _LOCAL_NAME.fullmatch(text[len(namespace) :]):
            return f"{prefix}:{text[len(namespace) :]}"
    return f"<{text}>"


def _string(text: str) -> str:
    return str(ox.Literal(text))


def _prologue(sparql: str) -> str:
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if f"{p}:" in sparql)
