"""Run one query or dump against a store and serialise it, with the row cap (worker side).

Everything here runs inside a query worker process (:mod:`fazhi_graph.web.worker`), so it may
block and burn CPU: the web server's event loop never calls it.

Row cap without per-row Python work: the solutions are first written natively as SPARQL TSV,
which has exactly one line per row, into a writer that stops the engine once it has the cap
plus one row (so a capped query stops evaluating, too). When the client wanted another format
the capped TSV is parsed back and re-serialised natively: TSV carries RDF terms in N-Triples
syntax, so nothing is lost. Graph results do the same through N-Triples (one triple a line).
The body is complete before anything is sent, so a timeout can never produce a 200 with half
a body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO, cast

import pyoxigraph as ox

from fazhi_graph.errors import FazhiError
from fazhi_graph.store import OxigraphStore, Store, graph_term
from fazhi_graph.web.errors import NotAcceptableError, NotFoundError
from fazhi_graph.web.negotiation import (
    ALL_FORMATS,
    DATASET_FORMATS,
    GRAPH_FORMATS,
    RESULT_FORMATS,
    MediaFormat,
)

__all__ = [
    "DumpRequest",
    "QueryOutcome",
    "QueryRequest",
    "run_dump",
    "run_query",
]


@dataclass(frozen=True)
class QueryRequest:
    """A query as the worker receives it (picklable)."""

    query: str
    results_format: str | None
    """Key of the format for SELECT/ASK results; ``None`` if the client accepts none."""
    graph_format: str | None
    """Key of the format for CONSTRUCT/DESCRIBE results; ``None`` if the client accepts none."""
    max_rows: int
    default_graph: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default: bool = True
    prefixes: Mapping[str, str] = field(default_factory=dict)
    """Prefixes predeclared for parsing, and offered to Turtle-like outputs."""


@dataclass(frozen=True)
class QueryOutcome:
    """A finished, serialised result."""

    form: str
    """``"solutions"``, ``"boolean"`` or ``"graph"``."""
    format_key: str
    body: bytes
    rows: int
    """Rows (solutions or triples) in the body; 1 for ASK."""
    truncated: bool


@dataclass(frozen=True)
class DumpRequest:
    """A Graph Store Protocol read: one graph (IRI or ``"default"``) or, if ``None``, all."""

    graph: str | None
    format_key: str
    prefixes: Mapping[str, str] = field(default_factory=dict)


class _CapReachedError(Exception):
    """Raised from the writer to stop serialisation (and evaluation) at the row cap."""


class _LineCapWriter:
    """Collects output up to ``limit`` complete lines; notes whether more was coming."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.lines = 0
        self.buffer = bytearray()
        self.truncated = False

    def write(self, chunk: bytes) -> int:
        size = len(chunk)
        if self.truncated or not size:
            return size
        if self.lines == self.limit:
            self.truncated = True
            raise _CapReachedError
        newlines = chunk.count(b"\n")
        if self.lines + newlines < self.limit or (
            self.lines + newlines == self.limit and chunk.endswith(b"\n")
        ):
            self.buffer += chunk
            self.lines += newlines
            return size
        cut = -1
        for _ in range(self.limit - self.lines):
            cut = chunk.index(b"\n", cut + 1)
        self.buffer += chunk[: cut + 1]
        self.lines = self.limit
        self.truncated = True
        raise _CapReachedError

    def flush(self) -> None:
        """Nothing to flush (the buffer is the output)."""


def _not_acceptable(form: str, formats: tuple[MediaFormat, ...]) -> NotAcceptableError:
    what = {"solutions": "a SELECT", "boolean": "an ASK", "graph": "a CONSTRUCT or DESCRIBE"}[form]
    offered = ", ".join(f.media_type for f in formats)
    return NotAcceptableError(
        f"the query is {what} query, and the Accept header (or format=) names none of the "
        f"formats it can be returned in: {offered}"
    )


def _used_prefixes(prefixes: Mapping[str, str], body: bytes) -> dict[str, str]:
    return {p: ns for p, ns in prefixes.items() if ns.encode("utf-8") in body}


def run_query(store: Store, request: QueryRequest) -> QueryOutcome:
    """Evaluate ``request`` on ``store`` and serialise it (raises :class:`FazhiError`)."""
    result = store.query(
        request.query,
        default_graph=list(request.default_graph) if request.default_graph is not None else None,
        named_graphs=list(request.named_graphs) if request.named_graphs is not None else None,
        union_default=request.union_default,
        prefixes=dict(request.prefixes) or None,
    )
    if isinstance(result, ox.QueryBoolean):
        if request.results_format is None:
            raise _not_acceptable("boolean", RESULT_FORMATS)
        fmt = ALL_FORMATS[request.results_format]
        body = _bytes(result.serialize(format=fmt.results_format()))
        return QueryOutcome("boolean", fmt.key, body, 1, False)
    if isinstance(result, ox.QuerySolutions):
        if request.results_format is None:
            raise _not_acceptable("solutions", RESULT_FORMATS)
        return _solutions(result, ALL_FORMATS[request.results_format], request.max_rows)
    if request.graph_format is None:
        raise _not_acceptable("graph", GRAPH_FORMATS)
    return _triples(result, ALL_FORMATS[request.graph_format], request)


def _bytes(data: bytes | None) -> bytes:
    """pyoxigraph returns ``bytes`` when no output is given; tell the type checker so."""
    assert data is not None
    return data


def _capture(serialize: Callable[[IO[bytes]], object], limit: int) -> _LineCapWriter:
    writer = _LineCapWriter(limit)
    try:
        serialize(cast(IO[bytes], writer))
    except _CapReachedError:
        pass
    except OSError as exc:
        if not writer.truncated:
            raise FazhiError(f"the query failed while it was evaluated: {exc}") from exc
    return writer


def _solutions(result: ox.QuerySolutions, fmt: MediaFormat, max_rows: int) -> QueryOutcome:
    tsv_format = ox.QueryResultsFormat.TSV
    writer = _capture(lambda w: result.serialize(w, format=tsv_format), max_rows + 1)
    tsv = bytes(writer.buffer)
    rows = max(writer.lines - 1, 0)
    if fmt.key == "tsv":
        body = tsv
    else:
        parsed = ox.parse_query_results(tsv, format=tsv_format)
        assert isinstance(parsed, ox.QuerySolutions)
        body = _bytes(parsed.serialize(format=fmt.results_format()))
    if fmt.key == "json" and body.startswith(b"{"):
        flag = b"true" if writer.truncated else b"false"
        body = b'{"truncated":' + flag + b"," + body[1:]
    return QueryOutcome("solutions", fmt.key, body, rows, writer.truncated)


def _triples(result: ox.QueryTriples, fmt: MediaFormat, request: QueryRequest) -> QueryOutcome:
    nt_format = ox.RdfFormat.N_TRIPLES
    writer = _capture(lambda w: result.serialize(w, format=nt_format), request.max_rows)
    nt = bytes(writer.buffer)
    if fmt.key == "ntriples":
        body = nt
    else:
        body = _bytes(ox.serialize(
            ox.parse(nt, format=nt_format),
            format=fmt.rdf_format(),
            prefixes=_used_prefixes(request.prefixes, nt) or None,
        ))
    return QueryOutcome("graph", fmt.key, body, writer.lines, writer.truncated)


def _snapshot(store: Store, graph: str | None) -> ox.Store:
    """An in-memory copy of one graph (or all) of a store with no pyoxigraph inside (remote)."""
    copy = ox.Store()
    copy.extend(store.quads(graph))
    return copy


def run_dump(store: Store, request: DumpRequest, emit: Callable[[bytes], None]) -> None:
    """Serialise one graph (or the dataset) in chunks through ``emit``."""
    fmt = ALL_FORMATS[request.format_key]
    raw = store.raw if isinstance(store, OxigraphStore) else _snapshot(store, request.graph)
    from_graph: ox.NamedNode | ox.DefaultGraph | None = None
    if request.graph is not None:
        from_graph = graph_term(request.graph)
        if isinstance(from_graph, ox.NamedNode) and not raw.contains_named_graph(from_graph):
            raise NotFoundError(
                f"the store has no graph <{request.graph}>; GET /store lists them all "
                "(or see the service description at GET /sparql)"
            )
    elif fmt not in DATASET_FORMATS:
        raise NotAcceptableError("the whole dataset is only available as TriG or N-Quads")

    class _Emitter:
        def write(self, chunk: bytes) -> int:
            if chunk:
                emit(bytes(chunk))
            return len(chunk)

        def flush(self) -> None:
            """Nothing buffered here."""

    prefixes = dict(request.prefixes) or None
    if fmt.key in ("ntriples", "nquads"):
        prefixes = None
    try:
        output = cast(IO[bytes], _Emitter())
        raw.dump(output, fmt.rdf_format(), from_graph=from_graph, prefixes=prefixes)
    except (OSError, ValueError) as exc:
        raise FazhiError(f"the store could not be dumped: {exc}") from exc
