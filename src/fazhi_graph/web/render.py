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

Big answers never sit whole in memory: every stage (the capped TSV or N-Triples, then the
client's format) writes into a :class:`Spill`, which keeps the first :data:`SPILL_BYTES` in
memory and moves to a file in the server's spool directory beyond that. The server then
streams that file to the client in chunks and deletes it (:class:`QueryOutcome` ``path``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
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
    "SPILL_BYTES",
    "DumpRequest",
    "QueryOutcome",
    "QueryRequest",
    "Spill",
    "run_dump",
    "run_query",
]

SPILL_BYTES = 4 * 1024 * 1024
"""Answers larger than this are written to a spool file instead of kept in memory."""


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
    path: str | None = None
    """When set, the body (``body`` is then empty) is in this spool file, which the
    receiver sends and deletes."""


@dataclass(frozen=True)
class DumpRequest:
    """A Graph Store Protocol read: one graph (IRI or ``"default"``) or, if ``None``, all."""

    graph: str | None
    format_key: str
    prefixes: Mapping[str, str] = field(default_factory=dict)


class _CapReachedError(Exception):
    """Raised from the writer to stop serialisation (and evaluation) at the row cap."""


class Spill:
    """Bytes collected in memory up to ``limit``, then in a file in ``directory``.

    Without a directory everything stays in memory (the library and the command line).
    The file is named after the process, so the server can remove what a killed worker left.

    >>> spill = Spill(None)
    >>> spill.write(b"abc")
    3
    >>> spill.finish()
    (b'abc', None)
    """

    def __init__(self, directory: str | None, limit: int | None = None) -> None:
        self.directory = directory
        self.limit = SPILL_BYTES if limit is None else limit
        self.buffer = bytearray()
        self.file: IO[bytes] | None = None
        self.path: str | None = None
        self.size = 0

    def write(self, chunk: bytes) -> int:
        """Append ``chunk``."""
        self.size += len(chunk)
        if self.file is None:
            if self.directory is None or len(self.buffer) + len(chunk) <= self.limit:
                self.buffer += chunk
                return len(chunk)
            fd, self.path = tempfile.mkstemp(prefix=spool_prefix(os.getpid()),
                                             dir=self.directory)
            self.file = os.fdopen(fd, "wb")
            self.file.write(self.buffer)
            self.buffer = bytearray()
        self.file.write(chunk)
        return len(chunk)

    def flush(self) -> None:
        """Nothing to flush before :meth:`finish`."""

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """What was written so far, in pieces (reads the file back if there is one)."""
        if self.file is None:
            yield bytes(self.buffer)
            return
        self.file.flush()
        assert self.path is not None
        with open(self.path, "rb") as data:
            while piece := data.read(size):
                yield piece

    def source(self) -> bytes | str:
        """The content as bytes, or the path of its file (for pyoxigraph's parsers)."""
        if self.file is None:
            return bytes(self.buffer)
        self.file.flush()
        assert self.path is not None
        return self.path

    def finish(self) -> tuple[bytes, str | None]:
        """``(bytes, None)`` if it stayed in memory, else ``(b"", path)`` of the closed file."""
        if self.file is None:
            return bytes(self.buffer), None
        self.file.close()
        return b"", self.path

    def discard(self) -> None:
        """Forget the content and delete the file, if any."""
        if self.file is not None:
            self.file.close()
        if self.path is not None:
            Path(self.path).unlink(missing_ok=True)
        self.buffer = bytearray()


def spool_prefix(pid: int) -> str:
    """Spool files a process writes start with this (see :meth:`QueryExecutor` cleanup)."""
    return f"w{pid}-"


class _LineCapWriter:
    """Collects output up to ``limit`` complete lines; notes whether more was coming."""

    def __init__(self, limit: int, spill: Spill | None = None) -> None:
        self.limit = limit
        self.lines = 0
        self.buffer = spill if spill is not None else Spill(None)
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
            self.buffer.write(chunk)
            self.lines += newlines
            return size
        cut = -1
        for _ in range(self.limit - self.lines):
            cut = chunk.index(b"\n", cut + 1)
        self.buffer.write(chunk[: cut + 1])
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


def _used_prefixes(prefixes: Mapping[str, str], data: Spill) -> dict[str, str]:
    """The prefixes whose namespace occurs in ``data`` (read in pieces; order kept)."""
    wanted = {name: ns.encode("utf-8") for name, ns in prefixes.items()}
    overlap = max((len(ns) for ns in wanted.values()), default=1) - 1
    found: set[str] = set()
    tail = b""
    for piece in data.chunks():
        window = tail + piece
        found.update(name for name, ns in wanted.items() if name not in found and ns in window)
        tail = window[-overlap:] if overlap > 0 else b""
    return {name: ns for name, ns in prefixes.items() if name in found}


def run_query(store: Store, request: QueryRequest, spool: str | None = None) -> QueryOutcome:
    """Evaluate ``request`` on ``store`` and serialise it (raises :class:`FazhiError`).

    With a ``spool`` directory, an answer over :data:`SPILL_BYTES` comes back as a file there
    (``QueryOutcome.path``); without one it is always in memory.
    """
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
        fmt = ALL_FORMATS[request.results_format]
        return _solutions(result, fmt, request.max_rows, spool)
    if request.graph_format is None:
        raise _not_acceptable("graph", GRAPH_FORMATS)
    return _triples(result, ALL_FORMATS[request.graph_format], request, spool)


def _bytes(data: bytes | None) -> bytes:
    """pyoxigraph returns ``bytes`` when no output is given; tell the type checker so."""
    assert data is not None
    return data


def _capture(
    serialize: Callable[[IO[bytes]], object], limit: int, spool: str | None
) -> _LineCapWriter:
    writer = _LineCapWriter(limit, Spill(spool))
    try:
        serialize(cast(IO[bytes], writer))
    except _CapReachedError:
        pass
    except OSError as exc:
        if not writer.truncated:
            writer.buffer.discard()
            raise FazhiError(f"the query failed while it was evaluated: {exc}") from exc
    except BaseException:
        writer.buffer.discard()
        raise
    return writer


class _TruncatedFirst:
    """Passes SPARQL JSON results on with ``"truncated"`` added as their first member (a
    field standard clients ignore)."""

    def __init__(self, out: Spill, truncated: bool) -> None:
        self.out = out
        self.member = b'{"truncated":' + (b"true" if truncated else b"false") + b","
        self.started = False

    def write(self, chunk: bytes) -> int:
        if not self.started and chunk:
            self.started = True
            if chunk.startswith(b"{"):
                self.out.write(self.member + bytes(chunk[1:]))
                return len(chunk)
        self.out.write(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        """Nothing buffered here."""


def _reserialise(source: Spill, spool: str | None, write: Callable[[IO[bytes]], object]
                 ) -> tuple[bytes, str | None]:
    """Run ``write`` into a new spill, then drop ``source`` (the intermediate form)."""
    out = Spill(spool)
    try:
        write(cast(IO[bytes], out))
    except BaseException:
        out.discard()
        raise
    finally:
        source.discard()
    return out.finish()


def _solutions(
    result: ox.QuerySolutions, fmt: MediaFormat, max_rows: int, spool: str | None
) -> QueryOutcome:
    tsv_format = ox.QueryResultsFormat.TSV
    writer = _capture(lambda w: result.serialize(w, format=tsv_format), max_rows + 1, spool)
    tsv = writer.buffer
    rows = max(writer.lines - 1, 0)
    if fmt.key == "tsv":
        body, path = tsv.finish()
        return QueryOutcome("solutions", fmt.key, body, rows, writer.truncated, path)

    def convert(out: IO[bytes]) -> None:
        source = tsv.source()
        parsed = (ox.parse_query_results(source, format=tsv_format) if isinstance(source, bytes)
                  else ox.parse_query_results(path=source, format=tsv_format))
        assert isinstance(parsed, ox.QuerySolutions)
        target = out if fmt.key != "json" else cast(IO[bytes], _TruncatedFirst(
            cast(Spill, out), writer.truncated))
        parsed.serialize(target, format=fmt.results_format())

    body, path = _reserialise(tsv, spool, convert)
    return QueryOutcome("solutions", fmt.key, body, rows, writer.truncated, path)


def _triples(
    result: ox.QueryTriples, fmt: MediaFormat, request: QueryRequest, spool: str | None
) -> QueryOutcome:
    nt_format = ox.RdfFormat.N_TRIPLES
    writer = _capture(lambda w: result.serialize(w, format=nt_format), request.max_rows, spool)
    nt = writer.buffer
    if fmt.key == "ntriples":
        body, path = nt.finish()
        return QueryOutcome("graph", fmt.key, body, writer.lines, writer.truncated, path)

    def convert(out: IO[bytes]) -> None:
        source = nt.source()
        triples = (ox.parse(source, format=nt_format) if isinstance(source, bytes)
                   else ox.parse(path=source, format=nt_format))
        ox.serialize(triples, out, format=fmt.rdf_format(),
                     prefixes=_used_prefixes(request.prefixes, nt) or None)

    body, path = _reserialise(nt, spool, convert)
    return QueryOutcome("graph", fmt.key, body, writer.lines, writer.truncated, path)


def _snapshot(store: Store, graph: str | None) -> ox.Store:
    """An in-memory copy of one graph (or all) of a store with no pyoxigraph inside (remote)."""
    copy = ox.Store()
    copy.extend(store.quads(graph))
    return copy


def run_dump(store: Store, request: DumpRequest, emit: Callable[[bytes], object]) -> None:
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
