"""Where the graph lives: a small :class:`Store` protocol and backends registered by name.

Backends
    ``oxigraph``  an on-disk :class:`pyoxigraph.Store` (RocksDB), the default;
    ``memory``    an in-memory :class:`pyoxigraph.Store`, for tests and for serving;
    ``remote``    an external SPARQL engine (:mod:`fazhi_graph.remote`, configured by the
                  ``FAZHI_REMOTE_*`` environment variables; imported only when opened).
    More can be added with :func:`register_backend`.

Writes
    :meth:`Store.replace_graph` swaps one named graph in a single SPARQL update, which oxigraph
    applies as one transaction: readers see the old graph or the new one, never a mix.
    :func:`build_store` writes a whole new store beside the old one and swaps the directories.

Version token
    Every write through this module also rewrites the *meta graph* ``fzg:meta`` in the same
    transaction::

        fzg:meta      dct:identifier "20250101T120000123456Z-3f2a9c0d1e2b" ;   # the token
                      dct:modified   "2025-01-01T12:00:00.123456Z"^^xsd:dateTime .
        fzg:report/x  dct:identifier "sha256:…" ;   # hash of the graph's sorted N-Triples
                      dct:modified   "…"^^xsd:dateTime .

    The token is ``<UTC write time>-<12 hex digits of a hash over all graph hashes>``, so it
    changes on every write. :meth:`Store.version` reads it (``"unversioned"`` for a store without
    a meta graph). Writes made through :attr:`Store.raw` bypass it.

>>> import rdflib
>>> g = rdflib.Graph().parse(data="<http://ex.org/a> <http://ex.org/p> 1 .", format="turtle")
>>> with open_store(backend="memory") as store:
...     v0 = store.version()
...     store.replace_graph("http://ex.org/g", g)
...     (store.count("http://ex.org/g"), store.graph_names(), store.version() != v0)
(1, ['http://ex.org/g', 'https://w3id.org/fazhi-graph/graph/meta'], True)
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Protocol, Self, TypeAlias, TypeVar

import pyoxigraph as ox

from fazhi_graph.errors import QueryError, QuerySyntaxError, StoreError, StoreLockedError
from fazhi_graph.iris import DCT_IDENTIFIER, DCT_MODIFIED, REPORT_GRAPH_PREFIX, XSD_DATE_TIME
from fazhi_graph.iris import META_GRAPH as META_GRAPH  # re-exported: part of this module's API
from fazhi_graph.storedir import clean_leftovers, exchange, os_error_message, writer_lock

if TYPE_CHECKING:  # rdflib only where it is used: query workers never import it
    import rdflib

    from fazhi_graph.stats import Stats

QueryResult: TypeAlias = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
"""What :meth:`Store.query` returns: solutions (SELECT), a boolean (ASK) or triples."""
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
"""A pyoxigraph RDF term, as bound by ``substitutions``."""

DEFAULT_GRAPH = "default"
"""Graph argument meaning the store's default graph (as opposed to a named graph)."""
UNVERSIONED = "unversioned"
"""What :meth:`Store.version` returns for a store without a meta graph."""


class Store(Protocol):
    """What the CLI and the web app need from a store. Options are keyword-only."""

    @property
    def raw(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store` (writes through it skip the version)."""

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default: bool = True,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query (the default graph is the union of all graphs unless told)."""

    def update(self, sparql: str) -> None:
        """Run a SPARQL update and bump the version token."""

    def graph_names(self) -> list[str]:
        """Return the named graphs' IRIs, sorted."""

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Iterate the quads of one graph (``"default"`` for the default graph) or all."""

    def count(self, graph: str | None = None) -> int:
        """Count the triples of one graph or the quads of the whole store."""

    def replace_graph(self, name: str, triples: rdflib.Graph) -> None:
        """Replace one named graph's content atomically."""

    def version(self) -> str:
        """Return a token that changes on every write."""

    def load_into_memory(self) -> Store:
        """Return an in-memory copy of this store."""

    def close(self) -> None:
        """Release the store (the on-disk lock included)."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None: ...


# --------------------------------------------------------------------------- registry

BackendFactory: TypeAlias = Callable[[Path | None, bool], Store]
"""``factory(path, read_only) -> Store``."""
_F = TypeVar("_F", bound=BackendFactory)
_BACKENDS: dict[str, BackendFactory] = {}


def register_backend(name: str) -> Callable[[_F], _F]:
    """Register ``factory(path, read_only) -> Store`` under ``name`` (a decorator)."""

    def decorate(factory: _F) -> _F:
        _BACKENDS[name] = factory
        return factory

    return decorate


def available_backends() -> list[str]:
    """Names of the registered backends, sorted.

    >>> available_backends()
    ['memory', 'oxigraph', 'remote']
    """
    return sorted(_BACKENDS)


def open_store(
    path: Path | None = None, *, backend: str = "oxigraph", read_only: bool = False
) -> Store:
    """Open a store with the named backend.

    ``path`` defaults to :attr:`Settings.store_path <fazhi_graph.settings.Settings.store_path>`
    (the ``memory`` backend ignores it). A read-only open of a missing store raises
    :class:`StoreError` rather than creating one.

    >>> open_store(backend="nope")
    Traceback (most recent call last):
    fazhi_graph.errors.StoreError: unknown store backend 'nope'; available backends: memory, ...
    """
    factory = _BACKENDS.get(backend)
    if factory is None:
        raise StoreError(
            f"unknown store backend {backend!r}; available backends: "
            f"{', '.join(available_backends())}"
        )
    return factory(path, read_only)


@register_backend("oxigraph")
def _open_oxigraph(path: Path | None, read_only: bool) -> Store:
    if path is None:
        from fazhi_graph.settings import Settings

        path = Settings.from_env().store_path
    path = Path(path)
    if read_only and not is_store_dir(path):
        raise StoreError(f"no store at {path}; run `fazhi-graph build` first")
    try:
        raw = ox.Store.read_only(str(path)) if read_only else ox.Store(path)
    except OSError as exc:
        if "lock" in str(exc).lower():
            raise StoreLockedError(
                f"the store at {path} is already open for writing ({exc}); stop the process "
                "holding it (a server started with --allow-write?) or open the store read-only"
            ) from exc
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc
    return OxigraphStore(raw, path=path, read_only=read_only)


@register_backend("memory")
def _open_memory(path: Path | None, read_only: bool) -> Store:
    return OxigraphStore(ox.Store(), path=None, read_only=read_only)


@register_backend("remote")
def _open_remote(path: Path | None, read_only: bool) -> Store:
    from fazhi_graph.remote import RemoteConfig, open_remote

    return open_remote(RemoteConfig.from_env(), read_only=read_only)


def is_store_dir(path: Path) -> bool:
    """Whether ``path`` is a directory holding an oxigraph (RocksDB) store."""
    return (path / "CURRENT").is_file() and any(path.glob("OPTIONS-*"))


def graph_term(graph: str) -> ox.NamedNode | ox.DefaultGraph:
    """Turn a graph argument into a pyoxigraph graph name (``"default"`` → the default graph).

    >>> graph_term("default")
    <DefaultGraph>
    >>> graph_term("not an iri")
    Traceback (most recent call last):
    fazhi_graph.errors.StoreError: 'not an iri' is not a graph IRI ...
    """
    if graph == DEFAULT_GRAPH:
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(graph)
    except ValueError as exc:
        raise StoreError(
            f"{graph!r} is not a graph IRI ({exc}); use a full IRI or 'default'"
        ) from exc


# --------------------------------------------------------------------------- oxigraph


class OxigraphStore:
    """A :class:`Store` over a :class:`pyoxigraph.Store`, on disk or in memory."""

    def __init__(self, raw: ox.Store, *, path: Path | None = None, read_only: bool = False):
        self._raw: ox.Store | None = raw
        self.path = path
        """Directory of an on-disk store, ``None`` in memory."""
        self._read_only = read_only

    def __repr__(self) -> str:
        where = self.path if self.path is not None else "memory"
        return f"<OxigraphStore {where}{' read-only' if self._read_only else ''}>"

    @property
    def raw(self) -> ox.Store:
        """The underlying :class:`pyoxigraph.Store`."""
        if self._raw is None:
            raise StoreError("the store is closed")
        return self._raw

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return self._read_only

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
        union_default: bool = True,
        substitutions: Mapping[str, Term] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query; ``default_graph`` (IRIs or ``"default"``) beats ``union_default``.

        >>> store = open_store(backend="memory")
        >>> bool(store.query("ASK { ?s ?p ?o }"))
        False
        >>> store.query("SELECT nonsense")
        Traceback (most recent call last):
        fazhi_graph.errors.QuerySyntaxError: the query does not parse: ...
        """
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        named = _named(named_graphs)
        pre = dict(prefixes) if prefixes else None
        try:
            if default_graph is not None:
                dg: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph]
                dg = [graph_term(g) for g in default_graph]
                return self.raw.query(
                    sparql, default_graph=dg, named_graphs=named, substitutions=subs, prefixes=pre
                )
            return self.raw.query(
                sparql,
                use_default_graph_as_union=union_default,
                named_graphs=named,
                substitutions=subs,
                prefixes=pre,
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the query does not parse: {exc}") from exc
        except RuntimeError as exc:  # pyoxigraph's evaluation errors (bad substitution, ...)
            raise QueryError(f"the query cannot be run: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the store could not answer the query: {exc}") from exc

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one transaction), then bump the version token."""
        self._writable()
        try:
            self.raw.update(sparql)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"the update does not parse: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"the update failed: {exc}") from exc
        seed = self.version() + sparql
        _update(self.raw, _meta_update(_graph_hashes(self.raw), set(), seed=seed))

    def graph_names(self) -> list[str]:
        """Return the named graphs' IRIs, sorted."""
        return sorted(
            str(g) if isinstance(g, ox.BlankNode) else g.value for g in self.raw.named_graphs()
        )

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Iterate the quads of ``graph`` (``"default"`` for the default graph), or all."""
        name = None if graph is None else graph_term(graph)
        return iter(self.raw.quads_for_pattern(None, None, None, name))

    def count(self, graph: str | None = None) -> int:
        """Count the triples of ``graph``, or all quads when ``graph`` is ``None``."""
        if graph is None:
            return len(self.raw)
        result = self.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", default_graph=[graph])
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            n = row["n"]
            assert isinstance(n, ox.Literal)
            return int(n.value)
        return 0

    def replace_graph(self, name: str, triples: rdflib.Graph) -> None:
        """Replace named graph ``name`` with ``triples`` in one transaction.

        The drop, the insert and the meta-graph rewrite are one SPARQL update, so a reader
        sees either the old graph or the new one; on any error the old graph stays.
        """
        self.replace_graphs({name: triples})

    def replace_graphs(self, graphs: Mapping[str, rdflib.Graph]) -> None:
        """Replace several named graphs in one transaction: all of them, or (on any error or
        a crash) none; a reader sees every old graph or every new one."""
        self._writable()
        hashes = _graph_hashes(self.raw)
        ops = []
        for name, triples in graphs.items():
            node = graph_term(name)
            if not isinstance(node, ox.NamedNode) or name == META_GRAPH:
                raise StoreError(
                    f"cannot replace {name!r}: give a named graph other than fzg:meta"
                )
            nt = ntriples(to_oxigraph(triples, salt=graph_salt(name)))
            hashes[name] = ntriples_digest(nt)
            ops.append(
                f"DROP SILENT GRAPH <{name}> ;\nCREATE SILENT GRAPH <{name}> ;\n"
                f"INSERT DATA {{ GRAPH <{name}> {{\n{nt.decode('utf-8')}\n}} }} ;\n"
            )
        seed = "\n".join(graphs)
        _update(self.raw, "".join(ops) + _meta_update(hashes, set(graphs), seed=seed))

    def version(self) -> str:
        """Return the version token (see the module docstring)."""
        return _version(self.raw)

    def reopen(self) -> None:
        """Give a read-only on-disk store a fresh handle on the same directory.

        RocksDB's block caches and table readers grow with everything queries read (to about
        200 MB a handle at 10M triples), and pyoxigraph offers no way to bound them; a fresh
        handle starts small (about 10 MB). Queries running on the old handle finish on it,
        and it closes after them. Refused (:class:`StoreError`) if the data on disk has a
        new version meanwhile: the store keeps answering from what it was opened on.
        """
        if self.path is None or not self._read_only:
            raise StoreError("only a store opened read-only from disk can be reopened")
        old = self.raw
        try:
            fresh = ox.Store.read_only(str(self.path))
        except OSError as exc:
            raise StoreError(f"cannot reopen the store at {self.path}: {exc}") from exc
        if _version(fresh) != _version(old):
            raise StoreError(f"the store at {self.path} changed on disk; not reopened")
        self._raw = fresh

    def load_into_memory(self) -> Store:
        """Return an in-memory, writable copy with the same version token.

        >>> open_store(backend="memory").load_into_memory().count()
        0
        """
        memory = ox.Store()
        memory.extend(self.raw.quads_for_pattern(None, None, None, None))
        return OxigraphStore(memory, path=None, read_only=False)

    def close(self) -> None:
        """Release the underlying store; further use raises :class:`StoreError`."""
        if self._raw is not None and not self._read_only:
            self._raw.flush()
        self._raw = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _writable(self) -> None:
        if self._read_only:
            raise StoreError("the store is open read-only; open it writable to change it")


def _named(graphs: list[str] | None) -> list[ox.NamedNode | ox.BlankNode] | None:
    if graphs is None:
        return None
    out: list[ox.NamedNode | ox.BlankNode] = []
    for g in graphs:
        term = graph_term(g)
        if not isinstance(term, ox.NamedNode):
            raise StoreError("named_graphs takes graph IRIs, not 'default'")
        out.append(term)
    return out


# --------------------------------------------------------------------------- rdflib → pyoxigraph


def to_oxigraph(graph: rdflib.Graph, *, salt: str = "") -> list[ox.Triple]:
    """Convert an rdflib graph to pyoxigraph triples.

    Blank nodes get deterministic ids ``b<salt><n>`` (give each graph its own ``salt`` so
    that blank nodes of different graphs stay apart). An IRI, language tag or term that
    pyoxigraph refuses raises :class:`StoreError` naming it.

    >>> import rdflib
    >>> g = rdflib.Graph().parse(data='<http://ex.org/a> <http://ex.org/p> "x"@zh .', format="ttl")
    >>> to_oxigraph(g)[0].object
    <Literal value=x language=zh>
    """
    import rdflib

    bnodes: dict[rdflib.BNode, ox.BlankNode] = {}

    def term(t: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(t, rdflib.URIRef):
            return ox.NamedNode(t)
        if isinstance(t, rdflib.BNode):
            node = bnodes.get(t)
            if node is None:
                node = bnodes[t] = ox.BlankNode(f"b{salt}{len(bnodes)}")
            return node
        if isinstance(t, rdflib.Literal):
            if t.language:
                return ox.Literal(t, language=t.language)
            if t.datatype is not None:
                return ox.Literal(t, datatype=ox.NamedNode(t.datatype))
            return ox.Literal(t)
        raise ValueError(f"{type(t).__name__} {t!r} is not an RDF term")

    out: list[ox.Triple] = []
    for s, p, o in graph:
        try:
            out.append(ox.Triple(term(s), term(p), term(o)))  # type: ignore[arg-type]
        except (ValueError, TypeError) as exc:
            raise StoreError(f"cannot store the triple ({s} {p} {o}): {exc}") from exc
    return out


def ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """Serialise pyoxigraph triples to N-Triples (bytes)."""
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None
    return data


# --------------------------------------------------------------------------- meta graph


def graph_salt(graph: str) -> str:
    """The prefix given to blank-node ids of named graph ``graph`` (see :func:`to_oxigraph`),
    so two graphs' blank nodes never merge in the store."""
    return hashlib.sha256(graph.encode("utf-8")).hexdigest()[:8] + "x"


def ntriples_digest(nt: bytes) -> str:
    """The content hash the meta graph records for a graph: SHA-256 of its sorted N-Triples
    lines (independent of triple order)."""
    return "sha256:" + hashlib.sha256(b"\n".join(sorted(nt.splitlines()))).hexdigest()


def _update(raw: ox.Store, sparql: str) -> None:
    try:
        raw.update(sparql)
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"the store rejected the write: {exc}") from exc


def _version(raw: ox.Store) -> str:
    meta = ox.NamedNode(META_GRAPH)
    for quad in raw.quads_for_pattern(meta, ox.NamedNode(DCT_IDENTIFIER), None, meta):
        if isinstance(quad.object, ox.Literal):
            return quad.object.value
    return UNVERSIONED


def _hash_of(raw: ox.Store, graph: str) -> str:
    """The hash the meta graph records for ``graph`` ('' if none)."""
    meta = ox.NamedNode(META_GRAPH)
    for quad in raw.quads_for_pattern(
        ox.NamedNode(graph), ox.NamedNode(DCT_IDENTIFIER), None, meta
    ):
        if isinstance(quad.object, ox.Literal):
            return quad.object.value
    return ""


def _graph_hashes(raw: ox.Store) -> dict[str, str]:
    meta = ox.NamedNode(META_GRAPH)
    hashes: dict[str, str] = {}
    for quad in raw.quads_for_pattern(None, ox.NamedNode(DCT_IDENTIFIER), None, meta):
        s, o = quad.subject, quad.object
        if isinstance(s, ox.NamedNode) and s != meta and isinstance(o, ox.Literal):
            hashes[s.value] = o.value
    return hashes


def sparql_string(value: str) -> str:
    """``value`` as a quoted SPARQL/N-Triples string literal (backslash and quote escaped).

    >>> print(sparql_string('say "hi"'))
    "say \\"hi\\""
    """
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _meta_update(hashes: Mapping[str, str], written: set[str], *, seed: str) -> str:
    """SPARQL rewriting the token, and the hash and time of each graph in ``written``."""
    now = datetime.fromtimestamp(time.time_ns() / 1e9, tz=UTC)
    digest = "\n".join(f"{g} {h}" for g, h in sorted(hashes.items())) + "\n" + seed
    token = f"{now:%Y%m%dT%H%M%S%fZ}-{hashlib.sha256(digest.encode()).hexdigest()[:12]}"
    meta, ident, modified = f"<{META_GRAPH}>", f"<{DCT_IDENTIFIER}>", f"<{DCT_MODIFIED}>"
    when = f'"{now:%Y-%m-%dT%H:%M:%S.%fZ}"^^<{XSD_DATE_TIME}>'
    ops = [f"DELETE WHERE {{ GRAPH {meta} {{ {meta} ?p ?o }} }}"]
    data = [f"{meta} {ident} {sparql_string(token)} ; {modified} {when} ."]
    for g in sorted(written):
        ops.append(f"DELETE WHERE {{ GRAPH {meta} {{ <{g}> ?p ?o }} }}")
        data.append(f"<{g}> {ident} {sparql_string(hashes[g])} ; {modified} {when} .")
    ops.append(f"INSERT DATA {{ GRAPH {meta} {{\n" + "\n".join(data) + "\n} }")
    return " ;\n".join(ops)


# --------------------------------------------------------------------------- build


@dataclass(frozen=True)
class BuildSummary:
    """What :func:`build_store` wrote."""

    path: Path
    """The store directory."""
    triples: dict[str, int] = field(default_factory=dict)
    """Triples per named graph, in the order the graphs were given."""
    seconds: float = 0.0
    """Wall-clock time of the build."""
    version: str = UNVERSIONED
    """The new store's version token."""

    @property
    def graphs(self) -> list[str]:
        """The named graphs written, in order."""
        return list(self.triples)

    @property
    def total_triples(self) -> int:
        """Triples over all graphs written."""
        return sum(self.triples.values())


def build_store(
    path: Path,
    graphs: Iterable[tuple[str, rdflib.Graph]],
    *,
    progress: Callable[[str], None] | None = None,
) -> BuildSummary:
    """Write ``graphs`` into a fresh on-disk store at ``path``, atomically.

    The new store is written to a sibling directory ``.<name>.new-<random>``. Only when it is
    complete and closed is the old store renamed to ``.<name>.old-<random>``, the new one renamed
    to ``path``, and the old one deleted. On any error (the ``graphs`` iterable raising included)
    the temporary directory is removed and the store at ``path`` is left untouched. ``path`` must
    be missing, an empty directory or an oxigraph store: anything else is refused.
    """
    started = time.perf_counter()
    path = Path(path).absolute()
    if path.exists() and not (path.is_dir() and (is_store_dir(path) or not any(path.iterdir()))):
        raise StoreError(
            f"{path} exists and is not a fazhi-graph store; refusing to replace it "
            "(point --store or FAZHI_STORE at a new or empty directory)"
        )
    with writer_lock(path):
        clean_leftovers(path)  # what a killed build left: never a store another build writes
        tmp = path.with_name(f".{path.name}.new-{secrets.token_hex(4)}")
        try:
            tmp.mkdir()
        except OSError as exc:
            raise StoreError(f"cannot build the store at {path}: {os_error_message(exc)}") from exc
        try:
            triples, version = _write_fresh(tmp, graphs, progress)
            _swap_in(tmp, path)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise StoreError(
                f"cannot build the store at {path}: {os_error_message(exc)}; the previous "
                "store is untouched"
            ) from exc
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return BuildSummary(path, triples, time.perf_counter() - started, version)


def _write_fresh(
    directory: Path,
    graphs: Iterable[tuple[str, rdflib.Graph]],
    progress: Callable[[str], None] | None,
) -> tuple[dict[str, int], str]:
    """Fill a new store in ``directory``; the store is closed when this returns or raises."""
    try:
        raw: ox.Store | None = ox.Store(directory)
    except OSError as exc:
        raise StoreError(f"cannot create a store in {directory}: {os_error_message(exc)}") from exc
    try:
        assert raw is not None
        triples: dict[str, int] = {}
        hashes: dict[str, str] = {}
        for name, graph in graphs:
            node = graph_term(name)
            if not isinstance(node, ox.NamedNode) or name == META_GRAPH or name in triples:
                raise StoreError(f"cannot build graph {name!r}: duplicate or reserved name")
            if progress is not None:
                progress(f"storing {name} ({len(graph)} triples)")
            try:
                converted = to_oxigraph(graph, salt=graph_salt(name))
                raw.add_graph(node)
                raw.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in converted)
            except StoreError as exc:
                raise StoreError(f"cannot store graph <{name}>: {exc}") from exc
            except ValueError as exc:
                raise StoreError(f"cannot store graph <{name}>: {exc}") from exc
            except OSError as exc:
                raise StoreError(
                    f"cannot store graph <{name}>: {os_error_message(exc)}; the previous store "
                    "is untouched"
                ) from exc
            nt = ntriples(converted)
            triples[name] = len(graph)
            hashes[name] = ntriples_digest(nt)
        _update(raw, _meta_update(hashes, set(hashes), seed="build"))
        raw.flush()
        return triples, _version(raw)
    finally:
        # Drop the only reference even when a traceback keeps this frame alive: RocksDB then
        # closes and releases its lock before the directory is swapped in or removed.
        raw = None


def _swap_in(new: Path, path: Path) -> None:
    """Put the store at ``new`` in place of ``path``; ``path`` is never missing where the
    system can swap two directories in one step (else a crash between the two renames leaves
    the old store as ``.old-*``, which :func:`clean_leftovers` puts back)."""
    if path.exists() and exchange(new, path):
        shutil.rmtree(new, ignore_errors=True)  # now the old store
        return
    backup = path.with_name(f".{path.name}.old-{secrets.token_hex(4)}")
    had_old = path.exists()
    if had_old:
        os.rename(path, backup)
    try:
        os.rename(new, path)
    except OSError as exc:
        if had_old:
            os.rename(backup, path)
        raise StoreError(f"cannot move the new store into {path}: {exc}") from exc
    if had_old:
        shutil.rmtree(backup, ignore_errors=True)


# --------------------------------------------------------------------------- bulk writes


def add_graphs(
    store: Store,
    payloads: Mapping[str, tuple[bytes, str]],
    *,
    seed: str,
    merge: Mapping[str, bytes | Sequence[bytes]] | None = None,
    atomic: bool = True,
) -> None:
    """Write named graphs given as N-Triples and their :func:`ntriples_digest`, each with its
    meta-graph hash. Their blank nodes should carry the :func:`graph_salt` of their graph (as
    :func:`to_oxigraph` gives them with ``salt=graph_salt(name)``), so a graph added here is
    stored exactly as one :meth:`OxigraphStore.replace_graph` writes.

    ``merge`` maps further graph names to N-Triples (no blank nodes) added to what those
    graphs hold, not replacing it (the shared graph, :mod:`fazhi_graph.shared`); their hash
    is dropped with the stale graphs and rewritten from the old hash and the added triples.
    A sequence of N-Triples documents is added as that many writes of one would add them
    (the hash chained over the non-empty ones).

    Graphs of these names that exist are dropped first, in one small update (a crash right
    after leaves them missing, never half-written). The version token is rewritten next (so a
    changed token with the graphs still missing means "not committed", as an ingest journal
    reads it), then every graph's triples and its hash go in as one N-Quads document with
    one transactional :meth:`pyoxigraph.Store.load`: all of them or none. A graph with a hash
    in the meta graph is therefore complete.

    With ``atomic=False`` the triples go in through Oxigraph's bulk loader
    (:meth:`pyoxigraph.Store.bulk_load`, about 2.7 times the transactional load's triples/s
    here, measured in bench/scale.md) and the hashes follow in a transaction of their own.
    The bulk loader does not promise all or nothing, so a crash in between can leave graphs
    without a hash: :func:`repair_unhashed` (run by the ingest journal's recovery) drops such
    report graphs and re-hashes the merged ones. Only one writer may use the store meanwhile
    (the writer lock sees to it).
    """
    raw = store.raw
    if store.read_only:
        raise StoreError("the store is open read-only; open it writable to change it")
    parts = {name: [nt] if isinstance(nt, bytes) else [d for d in nt if d]
             for name, nt in (merge or {}).items()}  # fmt: skip
    merged = {name: b"".join(docs) for name, docs in parts.items() if any(docs)}
    names = list(payloads)
    for name in (*names, *merged):
        node = graph_term(name)
        if not isinstance(node, ox.NamedNode) or name == META_GRAPH:
            raise StoreError(f"cannot write {name!r}: give a named graph other than fzg:meta")
    # only the graphs of this write are looked at: the cost of a batch does not grow with
    # the number of graphs in the store
    present = {n for n in (*names, *merged) if raw.contains_named_graph(ox.NamedNode(n))}
    old = {name: _hash_of(raw, name) for name in merged}
    stale = [f"DROP SILENT GRAPH <{n}>" for n in names if n in present]
    unhashed = [n for n in (*names, *merged) if n in present]
    if unhashed:
        _update(
            raw,
            " ;\n".join(
                stale
                + [f"DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{n}> ?p ?o }} }}" for n in unhashed]
            ),
        )
    now = datetime.fromtimestamp(time.time_ns() / 1e9, tz=UTC)
    when = f'"{now:%Y-%m-%dT%H:%M:%S.%fZ}"^^<{XSD_DATE_TIME}>'
    hashes = {name: digest for name, (_nt, digest) in payloads.items()}
    for name in merged:
        hashes[name] = old[name]
        for nt in parts[name]:
            hashes[name] = ntriples_digest(f"{hashes[name]}\n".encode() + nt)
    # the new token derives from the previous one and this write's hashes (a chain), not
    # from every graph's hash
    _update(raw, _meta_update({"": _version(raw), **hashes}, set(), seed=seed))
    meta_lines = []
    for name in (*payloads, *merged):
        ident = sparql_string(hashes[name])
        meta_lines.append(f"<{name}> <{DCT_IDENTIFIER}> {ident} <{META_GRAPH}> .")
        meta_lines.append(f"<{name}> <{DCT_MODIFIED}> {when} <{META_GRAPH}> .")
    # N-Triples lines end in " .\n" (a newline inside a literal is escaped), so naming the
    # graph is a byte replacement; one N-Quads document, one transactional load
    documents = [*((name, nt) for name, (nt, _d) in payloads.items()), *merged.items()]
    data = b"".join(nt.replace(b" .\n", f" <{name}> .\n".encode()) for name, nt in documents)
    meta = ("\n".join(meta_lines) + "\n").encode("utf-8")
    try:
        if atomic:
            raw.load(data + meta, format=ox.RdfFormat.N_QUADS)
        else:
            raw.bulk_load(data, format=ox.RdfFormat.N_QUADS)
            raw.load(meta, format=ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError, OSError) as exc:
        raise StoreError(f"the store rejected the write: {exc}") from exc


def graph_hashes(store: Store) -> dict[str, str]:
    """Named graph → the content hash the meta graph records for it (complete graphs)."""
    return _graph_hashes(store.raw)


def repair_unhashed(store: Store) -> list[str]:
    """Make every named graph without a hash in the meta graph whole again; return their names.

    Such a graph is what a write interrupted between its triples and its hash left (see
    :func:`add_graphs` with ``atomic=False``): a report graph is dropped (it may be partial;
    the journal rolls its catalogue entry back), any other graph (the shared graph, which
    writes only add to) is kept and hashed as it now is.
    """
    raw = store.raw
    hashes = _graph_hashes(raw)
    present = [g.value for g in raw.named_graphs() if isinstance(g, ox.NamedNode)]
    repaired = [n for n in present if n not in hashes and n != META_GRAPH]
    if not repaired:
        return []
    ops = []
    for name in repaired:
        if name.startswith(REPORT_GRAPH_PREFIX):
            ops.append(f"DROP SILENT GRAPH <{name}>")
        else:
            triples = (q.triple for q in raw.quads_for_pattern(None, None, None, graph_term(name)))
            hashes[name] = ntriples_digest(ntriples(triples))
    kept = {n for n in repaired if n in hashes}
    ops.append(_meta_update(hashes, kept, seed="repair " + " ".join(repaired)))
    _update(raw, " ;\n".join(ops))
    return repaired


# --------------------------------------------------------------------------- export, stats


def export(store: Store, fmt: str, *, graph: str | None = None, out: IO[bytes]) -> None:
    """Serialise the store (or one graph) to ``out``; see :func:`fazhi_graph.export.export`."""
    from fazhi_graph.export import export as _export

    _export(store, fmt, graph=graph, out=out)


def stats(store: Store) -> Stats:
    """Count triples, class instances and report contents; see :func:`fazhi_graph.stats.stats`."""
    from fazhi_graph.stats import stats as _stats

    return _stats(store)
