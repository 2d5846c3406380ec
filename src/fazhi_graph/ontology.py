"""Load the ontology, the SKOS vocabularies and the SHACL shapes; validate graphs against them.

The files live in the project's ``ontology/`` folder (or the folder named by the environment
variable ``FAZHI_ONTOLOGY_DIR``)::

    ontology/fazhi.ttl      OWL classes and properties (fz:)         load_ontology()
    ontology/datacube.ttl   the metrics qb:DataSet and its DSD        load_ontology()
    ontology/vocab/*.ttl    SKOS concept schemes (fza:, fzp:, fzi: …) load_vocabularies()
    ontology/shapes.ttl     SHACL shapes (fzsh:)                      load_shapes()

Parsed graphs are cached per folder (and per file modification time), and every ``load_*``
function returns a fresh copy, so callers may change what they get back.

Vocabulary labels follow one convention (see the header of any ``vocab/*.ttl``):
``skos:prefLabel`` is the canonical name, ``skos:altLabel`` other names and the name or title
endings that identify a kind (条例, 领导小组, 街道 …), ``skos:hiddenLabel`` cue words that signal a
concept in running text. :func:`concept_labels` returns all three, in Chinese, per concept.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.graph import ConjunctiveGraph
from rdflib.namespace import RDF, SH, SKOS
from rdflib.term import Node

from fazhi_graph.errors import OntologyError
from fazhi_graph.export import from_oxigraph
from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.store import to_oxigraph

__all__ = [
    "ENV_VAR",
    "Validation",
    "ValidationResult",
    "concept_labels",
    "load_ontology",
    "load_shapes",
    "load_vocabularies",
    "ontology_dir",
    "validate",
]

ENV_VAR = "FAZHI_ONTOLOGY_DIR"
"""Environment variable that overrides the location of the ``ontology/`` folder."""

_ONTOLOGY_FILES = ("fazhi.ttl", "datacube.ttl")
_SHAPES_FILE = "shapes.ttl"
_VOCAB_DIR = "vocab"
_SHAPES_PREFIX = ("fzsh", "https://w3id.org/fazhi-graph/shapes#")

# A file's identity for the cache: (path, modification time in ns, size in bytes).
_FileKey = tuple[str, int, int]


def ontology_dir() -> Path:
    """Return the folder holding ``fazhi.ttl``, ``datacube.ttl``, ``shapes.ttl`` and ``vocab/``.

    This is the project's ``ontology/`` folder unless the environment variable
    ``FAZHI_ONTOLOGY_DIR`` names another one.

    >>> ontology_dir().name
    'ontology'
    """
    override = os.environ.get(ENV_VAR, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    return Path(__file__).resolve().parents[2] / "ontology"


def load_ontology(dir: str | os.PathLike[str] | None = None, *, copy: bool = True) -> Graph:
    """Parse ``fazhi.ttl`` and ``datacube.ttl`` into one graph (a fresh copy each call).

    Args:
        dir: the ontology folder; defaults to :func:`ontology_dir`.
        copy: ``False`` returns the cached graph itself (see :func:`load_vocabularies`).

    Raises:
        OntologyError: a file is missing or is not valid Turtle (the message names the file).
    """
    folder = _folder(dir)
    graph = _parse(tuple(_file_key(folder / name) for name in _ONTOLOGY_FILES))
    return _copy(graph) if copy else graph


def load_vocabularies(dir: str | os.PathLike[str] | None = None, *, copy: bool = True) -> Graph:
    """Parse every ``vocab/*.ttl`` (SKOS concept schemes) into one graph (a fresh copy each call).

    Args:
        dir: the ontology folder (the one that contains ``vocab/``); defaults to
            :func:`ontology_dir`.
        copy: ``False`` returns the cached graph itself, saving the copy, for callers that
            only read it (the extractor's lexicon); it must then not be modified.

    Raises:
        OntologyError: ``vocab/`` is missing or empty, or a file is not valid Turtle.
    """
    graph = _parse(_vocab_keys(_folder(dir)))
    return _copy(graph) if copy else graph


def load_shapes(dir: str | os.PathLike[str] | None = None, *, copy: bool = True) -> Graph:
    """Parse ``shapes.ttl`` (SHACL) into a graph (a fresh copy each call).

    Args:
        dir: the ontology folder; defaults to :func:`ontology_dir`.
        copy: ``False`` returns the cached graph itself (see :func:`load_vocabularies`).

    Raises:
        OntologyError: the file is missing or is not valid Turtle.
    """
    graph = _parse((_file_key(_folder(dir) / _SHAPES_FILE),))
    return _copy(graph) if copy else graph


def concept_labels(graph: Graph, scheme: URIRef) -> dict[URIRef, list[str]]:
    """Chinese labels of every concept in ``scheme``: prefLabel, then altLabels, then hiddenLabels.

    A concept belongs to the scheme through ``skos:inScheme``, ``skos:topConceptOf`` or the
    scheme's ``skos:hasTopConcept``. Labels tagged ``zh`` or ``zh-…`` count as Chinese, except
    romanisations (``zh-Latn-pinyin``). Within each kind labels are sorted, and a label is listed
    once. Concepts come in IRI order, so the result is deterministic.

    This is what an extractor matches text against, e.g. the longest title ending among the
    labels of ``DOCTYPE.scheme`` gives a document's type.

    Args:
        graph: a graph holding the vocabulary, e.g. :func:`load_vocabularies`.
        scheme: the scheme IRI, e.g. ``DOCTYPE.scheme`` or ``INDICATOR.scheme``.
    """
    members: set[Node] = set(graph.subjects(SKOS.inScheme, scheme))
    members |= set(graph.subjects(SKOS.topConceptOf, scheme))
    members |= set(graph.objects(scheme, SKOS.hasTopConcept))
    result: dict[URIRef, list[str]] = {}
    for concept in sorted((m for m in members if isinstance(m, URIRef)), key=str):
        labels: list[str] = []
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for text in sorted(str(o) for o in graph.objects(concept, prop) if _is_chinese(o)):
                if text not in labels:
                    labels.append(text)
        result[concept] = labels
    return result


@dataclass(frozen=True)
class ValidationResult:
    """The outcome of :func:`validate`.

    Attributes:
        conforms: ``True`` when no result has severity ``sh:Violation`` (warnings are allowed).
        results: one ``(focus node, path, message, severity)`` per SHACL result, as strings with
            the project prefixes (``fz:statedIn``, ``Violation``), sorted.
        text: a readable report, one line per result.
    """

    conforms: bool
    results: list[tuple[str, str, str, str]]
    text: str


def validate(
    data: Graph,
    *,
    ontology: Graph | None = None,
    shapes: Graph | None = None,
) -> ValidationResult:
    """Check ``data`` against the SHACL shapes, with the ontology and vocabularies alongside.

    ``data`` may be a plain graph or a dataset (all its named graphs are checked together).
    ``ontology`` defaults to :func:`load_ontology` plus :func:`load_vocabularies`, ``shapes`` to
    :func:`load_shapes`. ``data`` is not modified.

    The data graph is merged with the ontology and vocabularies before validation, so that
    ``sh:class`` constraints see both the class hierarchy (a ``fz:PublicBody`` is an
    ``org:Organization``) and the type of every curated concept (``fzi:reply-rate`` is an
    ``fz:Indicator``). pySHACL's own ``ont_graph`` mix-in copies only RDFS/OWL axioms, not the
    types of SKOS concepts (and on graphs of this size it ran for over ten minutes), so it is
    not used. Only the nodes ``data`` describes (its subjects) are checked: the ontology and
    vocabularies are context, checked in their own right by validating them as ``data``
    (``tests/test_ontology.py`` does), not again on every build.

    Inference is ``"none"`` on purpose: under RDFS or OWL RL every ``rdfs:domain``/``rdfs:range``
    of a reused vocabulary (ORG, PROV, schema.org) would *add* types to our nodes instead of
    rejecting wrong ones, so a shape could never catch, say, a place used where a body belongs,
    and validation would also be much slower. The shapes use only SHACL Core and SHACL-SPARQL
    constraints, so ``advanced`` stays off.

    Raises:
        OntologyError: a default ontology, vocabulary or shapes file does not parse.
    """
    return Validation(ontology=ontology, shapes=shapes).run(data)


class Validation:
    """A validation context: shapes split and ontology merged, waiting for one data graph.

    :func:`validate` is ``Validation(...).run(data)``. Preparing the context (parsing and
    merging some 6,000 ontology and vocabulary triples, importing pySHACL) is about half the
    cost of a validation, so a caller with a spare core can prepare it while the data is still
    being made, e.g. :class:`fazhi_graph.validation_worker.ValidationWorker`.
    A context is used once: :meth:`run` adds the data to its merged graph.

    Raises:
        OntologyError: a default ontology, vocabulary or shapes file does not parse.
    """

    def __init__(self, *, ontology: Graph | None = None, shapes: Graph | None = None) -> None:
        import pyshacl  # noqa: F401  (heavy import: done here, while preparing)

        _speed_up_pyshacl()
        shapes_graph = shapes if shapes is not None else _parse(_shapes_keys(_folder(None)))
        self._core_shapes, self._checks = _split_sparql(shapes_graph)
        self._merged = Graph()
        _bind(self._merged)
        self._store = ox.Store()
        if ontology is not None:
            _add_all(self._merged, ontology)
            if self._checks:
                self._store.bulk_extend(_quads(self._merged, salt="o"))
        else:
            # read the files afresh into the graph this context owns (no copy of the cache),
            # and straight into Oxigraph for the SPARQL checks (no conversion)
            keys = _default_keys()
            _read(keys, self._merged)
            if self._checks:
                for path, _mtime, _size in keys:
                    self._store.bulk_extend(
                        ox.Quad(t.subject, t.predicate, t.object) for t in _triples(path)
                    )
        self._used = False

    def run(self, data: Graph) -> ValidationResult:
        """Validate ``data`` (a graph or dataset; not modified) in this context."""
        if isinstance(data, ConjunctiveGraph):  # a dataset: all its named graphs together
            flat = Graph()
            _add_all(flat, data)
            data = flat
        return self._run(list(data.triples((None, None, None))), lambda: to_oxigraph(data))

    def run_ntriples(self, payload: bytes) -> ValidationResult:
        """Validate the graph serialised as N-Triples in ``payload`` (what a worker receives)."""
        parsed = list(ox.parse(payload, format=ox.RdfFormat.N_TRIPLES))
        bnodes: dict[str, BNode] = {}
        triples: list[tuple[Node, Node, Node]] = [
            (
                from_oxigraph(t.subject, bnodes),
                from_oxigraph(t.predicate, bnodes),
                from_oxigraph(t.object, bnodes),
            )
            for t in parsed
        ]
        return self._run(triples, lambda: parsed)

    def _run(
        self,
        triples: list[tuple[Node, Node, Node]],
        converted: Callable[[], Iterable[ox.Triple]],
    ) -> ValidationResult:
        """Validate ``triples``; ``converted`` gives the same triples for Oxigraph."""
        import pyshacl

        if self._used:
            raise RuntimeError("a Validation context validates one graph; make a new one")
        self._used = True
        merged = self._merged
        subjects: frozenset[Node] = frozenset(s for s, _p, _o in triples)
        merged.addN((s, p, o, merged) for s, p, o in triples)
        token = _TARGETS.set(subjects)
        try:
            conforms, report, _ = pyshacl.validate(
                merged,
                shacl_graph=self._core_shapes,
                ont_graph=None,
                inference="none",
                advanced=False,
                inplace=True,
                allow_warnings=True,
                abort_on_first=False,
            )
        finally:
            _TARGETS.reset(token)
        if not isinstance(report, Graph):  # pragma: no cover - pyshacl returns a Graph
            raise TypeError(f"pyshacl returned {type(report).__name__}, expected a report graph")
        results = _results(report, merged)
        if not subjects:
            results = []
            conforms = True
        if self._checks:
            self._store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in converted())
        extra = _run_sparql_checks(self._checks, self._store, merged, subjects)
        results.extend(extra)
        if any(sev == "Violation" for *_, sev in extra):
            conforms = False
        results = sorted(set(results))
        return ValidationResult(
            conforms=bool(conforms), results=results, text=_text(conforms, results)
        )


# --------------------------------------------------------------------------------------------
# internals


def _speed_up_pyshacl() -> None:
    """Make pySHACL look constraint parameters up in a set instead of a list.

    pySHACL tests every predicate of every shape against a list of ~40 constraint IRIs, each
    test a Python-level ``URIRef.__eq__``: a third of a build's validation time. It caches the
    parameter list on its ``shape`` module (``CONSTRAINT_PARAMS``) and only uses it for
    membership when advanced and JS features are off, as here; a frozenset gives identical
    results. If a pySHACL release changes these internals, nothing is patched.
    """
    try:
        import pyshacl.shape as shape_module
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    except ImportError:  # pragma: no cover - depends on pySHACL internals
        return
    _targets_within()
    current = getattr(shape_module, "CONSTRAINT_PARAMS", (None, None))
    if isinstance(current, tuple) and not isinstance(current[0], frozenset):
        shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            frozenset(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )


_TARGETS: ContextVar[frozenset[Node] | None] = ContextVar("_TARGETS", default=None)
"""While set, the nodes a shape's targets may select (see :func:`_targets_within`)."""


def _targets_within() -> None:
    """Let a shape's targets select only the nodes in ``_TARGETS`` when that is set.

    A build validates the nodes its data describes, with the ontology and ~4,500 vocabulary
    triples merged in as context; re-checking every vocabulary concept on every build was a
    third of the validation time. pySHACL's own ``focus_nodes`` option cannot be used for this:
    it also filters the value nodes handed to nested shapes (``sh:or``, ``sh:node``,
    ``sh:qualifiedValueShape``), so a nested ``sh:class`` test on a vocabulary concept would
    pass vacuously. Filtering what the targets select (``Shape.focus_nodes``, which pySHACL
    calls only for a top-level shape's own targets) leaves nested checks untouched. If a
    pySHACL release renames it, nothing is patched and every targeted node is checked.
    """
    try:
        from pyshacl.shape import Shape
    except ImportError:  # pragma: no cover - depends on pySHACL internals
        return
    original = getattr(Shape, "focus_nodes", None)
    if original is None or getattr(original, "_fazhi_targets", False):
        return

    def focus_nodes(self: Shape, data_graph: Any, debug: bool = False) -> Any:
        found = original(self, data_graph, debug=debug)
        allowed = _TARGETS.get()
        return found if allowed is None else {n for n in found if n in allowed}

    focus_nodes._fazhi_targets = True  # type: ignore[attr-defined]
    Shape.focus_nodes = focus_nodes  # type: ignore[method-assign]


@dataclass(frozen=True)
class _SparqlCheck:
    """One sh:SPARQLConstraint, run once over the whole graph instead of once per focus node."""

    target: URIRef
    query: str
    message: str
    severity: str


def _split_sparql(shapes: Graph) -> tuple[Graph, list[_SparqlCheck]]:
    """The shapes without their sh:sparql constraints, and those constraints as checks.

    pySHACL parses a SPARQL constraint's query anew for every focus node (about 0.15 s each),
    which made a build take minutes; binding ``$this`` as a plain variable and running the
    query once over the graph gives the same results in a fraction of the time.
    """
    core = Graph()
    _bind(core)
    checks: list[_SparqlCheck] = []
    dropped: set[Node] = set()
    for shape, constraint in shapes.subject_objects(SH.sparql):
        target = shapes.value(shape, SH.targetClass)
        select = shapes.value(constraint, SH.select)
        if not isinstance(target, URIRef) or select is None:
            continue
        message = str(shapes.value(constraint, SH.message) or shapes.value(shape, SH.message) or "")
        severity = shapes.value(shape, SH.severity)
        sev = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        checks.append(_SparqlCheck(target, str(select).replace("$this", "?this"), message, sev))
        dropped.add(constraint)
    for s, p, o in shapes:
        if p == SH.sparql or s in dropped:
            continue
        core.add((s, p, o))
    return core, sorted(checks, key=lambda c: (str(c.target), c.query))


def _quads(graph: Graph, *, salt: str) -> Iterable[ox.Quad]:
    return (ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph(graph, salt=salt))


def _run_sparql_checks(
    checks: list[_SparqlCheck], store: ox.Store, graph: Graph, focus: frozenset[Node]
) -> list[tuple[str, str, str, str]]:
    """Run the SPARQL constraints once each, with Oxigraph (rdflib's engine is far slower).

    ``store`` holds the same triples as ``graph``, the merged data and ontology.
    """
    if not checks:
        return []
    prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    bnodes: dict[str, BNode] = {}
    rows: list[tuple[str, str, str, str]] = []
    for check in checks:
        targets = set(graph.subjects(RDF.type, check.target))
        solutions = store.query(prologue + check.query)
        assert isinstance(solutions, ox.QuerySolutions)
        has_path = "path" in {v.value for v in solutions.variables}
        for solution in solutions:
            this = from_oxigraph(solution["this"], bnodes)
            if this not in targets or this not in focus:
                continue
            path_term = solution["path"] if has_path else None
            path = from_oxigraph(path_term, bnodes) if path_term is not None else None
            rows.append((_short(this, graph), _short(path, graph), check.message, check.severity))
    return rows


def _folder(dir: str | os.PathLike[str] | None) -> Path:
    folder = Path(dir).expanduser().resolve() if dir is not None else ontology_dir()
    if not folder.is_dir():
        raise OntologyError(
            f"ontology folder not found: {folder}. Pass the folder that holds fazhi.ttl, "
            f"or set {ENV_VAR}."
        )
    return folder


def _file_key(path: Path) -> _FileKey:
    try:
        stat = path.stat()
    except OSError as exc:
        raise OntologyError(f"{path}: cannot read ontology file ({exc.strerror})") from exc
    return (str(path), stat.st_mtime_ns, stat.st_size)


def _vocab_keys(folder: Path) -> tuple[_FileKey, ...]:
    vocab = folder / _VOCAB_DIR
    files = sorted(vocab.glob("*.ttl")) if vocab.is_dir() else []
    if not files:
        raise OntologyError(f"{vocab}: no vocabulary files (*.ttl) found")
    return tuple(_file_key(path) for path in files)


def _shapes_keys(folder: Path) -> tuple[_FileKey, ...]:
    return (_file_key(folder / _SHAPES_FILE),)


@lru_cache(maxsize=32)
def _parse(keys: tuple[_FileKey, ...]) -> Graph:
    """Parse the files named by ``keys`` into one graph. Cached: callers must not mutate it."""
    graph = Graph()
    _bind(graph)
    return _read(keys, graph)


def _read(keys: tuple[_FileKey, ...], graph: Graph) -> Graph:
    """Add the triples of the files named by ``keys`` to ``graph`` (not cached)."""
    # pyoxigraph's Turtle parser is about 30x faster than rdflib's; terms are then converted
    bnodes: dict[str, BNode] = {}
    for path, _mtime, _size in keys:
        graph.addN(
            (
                from_oxigraph(t.subject, bnodes),
                from_oxigraph(t.predicate, bnodes),
                from_oxigraph(t.object, bnodes),
                graph,
            )
            for t in _triples(path)
        )
    return graph


def _triples(path: str) -> list[ox.Triple]:
    try:
        return list(ox.parse(path=path, format=ox.RdfFormat.TURTLE))
    except SyntaxError as exc:
        raise OntologyError(f"{path}: not valid Turtle: {exc}") from exc
    except (OSError, ValueError) as exc:
        raise OntologyError(f"{path}: cannot read ontology file ({exc})") from exc


def _default_keys() -> tuple[_FileKey, ...]:
    folder = _folder(None)
    return tuple(_file_key(folder / name) for name in _ONTOLOGY_FILES) + _vocab_keys(folder)


def _default_ontology() -> Graph:
    return _parse(_default_keys())


def _copy(graph: Graph) -> Graph:
    out = Graph()
    _bind(out)
    out += graph
    return out


def _bind(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind(*_SHAPES_PREFIX, override=True, replace=True)


def _add_all(target: Graph, source: Graph) -> None:
    triples: Iterable[tuple[Node, Node, Node]]
    if isinstance(source, ConjunctiveGraph):
        triples = ((s, p, o) for s, p, o, _ in source.quads((None, None, None, None)))
    else:
        triples = source.triples((None, None, None))
    target.addN((s, p, o, target) for s, p, o in triples)


def _is_chinese(node: Node) -> bool:
    if not isinstance(node, Literal) or node.language is None:
        return False
    lang = node.language.lower()
    return (lang == "zh" or lang.startswith("zh-")) and "latn" not in lang


def _short(node: Node | None, graph: Graph) -> str:
    if node is None:
        return ""
    if isinstance(node, URIRef):
        return node.n3(graph.namespace_manager)
    return str(node)


def _results(report: Graph, data: Graph) -> list[tuple[str, str, str, str]]:
    rows: set[tuple[str, str, str, str]] = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        severity = report.value(result, SH.resultSeverity)
        severity_name = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"
        if path is None or isinstance(path, URIRef):
            path_text = _short(path, data)
        else:
            path_text = "(complex path)"
        rows.add((_short(focus, data), path_text, " / ".join(messages), severity_name))
    return sorted(rows)


def _text(conforms: bool, results: list[tuple[str, str, str, str]]) -> str:
    counts: dict[str, int] = {}
    for *_, severity in results:
        counts[severity] = counts.get(severity, 0) + 1
    summary = (
        ", ".join(f"{n} {sev.lower()}(s)" for sev, n in sorted(counts.items())) or "no results"
    )
    lines = [f"SHACL validation: {'conforms' if conforms else 'does not conform'} ({summary})"]
    for focus, path, message, severity in results:
        where = f"{focus} {path}".strip()
        lines.append(f"  [{severity}] {where}: {message}")
    return "\n".join(lines) + "\n"
