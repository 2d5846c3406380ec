"""The ``remote`` store backend: the dataset on an external SPARQL engine.

Any server speaking the SPARQL 1.1 Protocol for queries and SPARQL 1.1 Update and/or the Graph
Store Protocol for writes: Virtuoso, Fuseki, GraphDB, Oxigraph's server. Tested against
``oxigraph serve`` and Virtuoso 7 (``tests/test_remote_store.py``).

The dataset
    An engine holds other graphs too (Virtuoso its system graphs), so the dataset is the named
    graphs the meta graph ``fzg:meta`` records (every write through a store, and a push,
    records its graph there; without a meta graph: the graphs whose IRI starts with
    :attr:`RemoteStore.graph_prefix`). Every query states its dataset: the union default
    graph is sent as one ``default-graph-uri`` per dataset graph, never left to the engine.
    The list is read again for every query (one small query on the meta graph) unless
    :attr:`RemoteStore.graph_list_ttl_s` says otherwise. A remote dataset has no default
    graph of its own: ``"default"`` names the graph :data:`REMOTE_DEFAULT_GRAPH`, which
    nothing writes to.

Writes
    :meth:`RemoteStore.replace_graph` replaces one named graph atomically where the engine runs
    one update request as one transaction (Oxigraph and Virtuoso do). With a graph-store URL
    and :attr:`RemoteConfig.atomic_put` (Oxigraph) the graph is replaced by one Graph Store
    Protocol ``PUT``; without ``atomic_put`` (Virtuoso's ``PUT`` is not atomic: readers saw an
    empty graph in the tests) the ``PUT`` goes to a staging graph and one update ``MOVE`` puts
    it over the graph. Without a graph-store URL, a graph that fits in a batch goes in one update
    ``DROP SILENT GRAPH <g> ; INSERT DATA { GRAPH <g> {…} }``; a bigger one is loaded into a
    staging graph in batches of SPARQL Update (Virtuoso's SPARQL compiler gives up on an
    ``INSERT DATA`` of a few thousand triples), then moved the same way.
    Triples sharing a blank node always go in the same batch. The meta graph ``fzg:meta``
    (the version token and per-graph hashes, as in :mod:`fazhi_graph.store`) is rewritten
    after each write.

What a remote store cannot do
    :attr:`RemoteStore.raw` raises :class:`StoreError`: there is no embedded pyoxigraph store
    (the one member of :class:`~fazhi_graph.store.Store` that has no remote meaning). Use
    :meth:`RemoteStore.load_into_memory` for an embedded copy.

>>> open_remote(RemoteConfig("http://127.0.0.1:9/sparql"))
<RemoteStore http://127.0.0.1:9/sparql>
"""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Self

import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCTERMS

from fazhi_graph import remote_query
from fazhi_graph.errors import StoreError
from fazhi_graph.namespaces import GRAPH
from fazhi_graph.remote_http import HttpClient, RemoteConfig
from fazhi_graph.store import (
    DEFAULT_GRAPH,
    META_GRAPH,
    UNVERSIONED,
    OxigraphStore,
    QueryResult,
    Store,
    Term,
    _meta_update,
    graph_salt,
    graph_term,
    ntriples,
    ntriples_digest,
    sparql_string,
    to_oxigraph,
)
from fazhi_graph.web.guard import has_dataset_clause

__all__ = ["REMOTE_DEFAULT_GRAPH", "RemoteConfig", "RemoteStore", "open_remote"]

REMOTE_DEFAULT_GRAPH = str(GRAPH["default"])
"""What ``"default"`` (the store's default graph) means on a remote engine: an unused graph."""

BATCH_TRIPLES = 1000
"""Triples per ``INSERT DATA`` request when loading through SPARQL Update."""


class RemoteStore:
    """A :class:`~fazhi_graph.store.Store` over a remote SPARQL engine."""

    graph_prefix: str = str(GRAPH)
    """Named graphs starting with this are the dataset; the engine's others are not."""
    graph_list_ttl_s: float = 0.0
    """How long the list of dataset graphs is reused before it is asked for again (by default
    it is read for every query, one small query on the meta graph: a list older than the
    version a server caches results under would let a stale answer into its cache)."""
    version_ttl_s: float = 2.0
    """How long a server may trust a version token it read: others write to the engine too
    (a push), so the web app re-reads it after this (its result cache keys on it)."""

    def __init__(
        self,
        config: RemoteConfig,
        *,
        read_only: bool = False,
        batch_triples: int = BATCH_TRIPLES,
    ) -> None:
        self.config = config
        self._read_only = read_only
        self.batch_triples = batch_triples
        self._client: HttpClient | None = HttpClient(config)
        self._graphs: tuple[float, list[str]] | None = None

    def __repr__(self) -> str:
        return f"<RemoteStore {self.config.endpoint}{' read-only' if self._read_only else ''}>"

    @property
    def raw(self) -> ox.Store:
        """Not available: a remote store has no embedded pyoxigraph store."""
        raise StoreError(
            f"the store at {self.config.endpoint} is remote and has no embedded pyoxigraph "
            "store; use load_into_memory() for a local copy"
        )

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        return self._read_only

    @property
    def client(self) -> HttpClient:
        """The HTTP client (raises :class:`StoreError` once the store is closed)."""
        if self._client is None:
            raise StoreError("the store is closed")
        return self._client

    # ----------------------------------------------------------------- reading

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
        """Run a SPARQL query on the engine, with the same dataset rules as the local store.

        The result has pyoxigraph's types, as from the embedded store.
        """
        kind = remote_query.form(sparql)
        text = remote_query.prepare(sparql, prefixes, substitutions)
        defaults: list[str] = []
        named: list[str] = []
        if default_graph is not None or named_graphs is not None or not has_dataset_clause(sparql):
            # (a query's own FROM / FROM NAMED is left alone: parameters would override it)
            dataset = self.graph_names()
            if default_graph is not None:
                defaults = [self._iri(g) for g in default_graph]
            else:
                defaults = (dataset if union_default else []) or [REMOTE_DEFAULT_GRAPH]
            named = dataset if named_graphs is None else [self._named(g) for g in named_graphs]
            named = named or [REMOTE_DEFAULT_GRAPH]
        body, media_type = self.client.query(
            text, form=kind, default_graphs=defaults, named_graphs=named
        )
        if kind in ("CONSTRUCT", "DESCRIBE"):
            return remote_query.triples(body, media_type)
        return remote_query.solutions(body)

    def graph_names(self) -> list[str]:
        """The dataset's named graphs, sorted: those the meta graph records (every write
        through a store records its graph there), or, without a meta graph, every graph on
        the engine under :attr:`graph_prefix`."""
        now = time.monotonic()
        if self._graphs is not None and now - self._graphs[0] < self.graph_list_ttl_s:
            return list(self._graphs[1])
        prefix = sparql_string(self.graph_prefix)
        recorded = (
            f"SELECT DISTINCT ?g WHERE {{ ?g <{DCTERMS.identifier}> ?h "
            f"FILTER(STRSTARTS(STR(?g), {prefix})) }}"
        )
        body, _ = self.client.query(recorded, default_graphs=[META_GRAPH])
        names = sorted(_column(remote_query.solutions(body), "g"))
        if not names:  # loaded by other means: scan (slow on big data for some engines)
            scan = (
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
                f"FILTER(STRSTARTS(STR(?g), {prefix})) }}"
            )
            body, _ = self.client.query(scan)  # no dataset: GRAPH ?g is filtered above
            names = sorted(_column(remote_query.solutions(body), "g"))
        self._graphs = (now, names)
        return list(names)

    def counts(self, graphs: Sequence[str] | None = None) -> dict[str, int]:
        """Triples per named graph of the dataset (or of ``graphs``), in one query."""
        names = self.graph_names() if graphs is None else list(graphs)
        if not names:
            return {}
        values = " ".join(f"<{self._named(g)}>" for g in names)
        sparql = (
            f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        body, _ = self.client.query(sparql)  # no dataset: GRAPH ?g is filtered above
        found = {g: 0 for g in names}
        result = remote_query.solutions(body)
        assert isinstance(result, ox.QuerySolutions)
        for row in result:
            g, n = row["g"], row["n"]
            if isinstance(g, ox.NamedNode) and isinstance(n, ox.Literal):
                found[g.value] = int(n.value)
        return found

    def count(self, graph: str | None = None) -> int:
        """Count the triples of ``graph``, or the quads of the whole dataset."""
        if graph is None:
            return sum(self.counts().values())
        return self.counts([self._iri(graph)]).get(self._iri(graph), 0)

    def quads(self, graph: str | None = None) -> Iterator[ox.Quad]:
        """Iterate the quads of ``graph`` (``"default"`` for the default graph), or all.

        Each graph is read with one SELECT; a graph larger than the engine sends in one
        result raises :class:`StoreError` (see the engine's row limit).
        """
        names = self.graph_names() if graph is None else [graph]
        for name in names:
            yield from self._graph_quads(name)

    def _graph_quads(self, name: str) -> Iterator[ox.Quad]:
        iri = self._iri(name)
        body, _ = self.client.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", default_graphs=[iri])
        result = remote_query.solutions(body)
        assert isinstance(result, ox.QuerySolutions)
        node = graph_term(name)
        rows = 0
        for row in result:
            rows += 1
            yield ox.Quad(row["s"], row["p"], row["o"], node)  # type: ignore[arg-type]
        if name != DEFAULT_GRAPH and rows != (expected := self.count(name)):
            raise StoreError(
                f"the remote engine sent {rows} of the {expected} triples of <{name}>; raise "
                "its result row limit (Virtuoso: ResultSetMaxRows in [SPARQL])"
            )

    def version(self) -> str:
        """The version token from the meta graph (``"unversioned"`` without one)."""
        meta = f"<{META_GRAPH}>"
        sparql = f"SELECT ?v WHERE {{ {meta} <{DCTERMS.identifier}> ?v }}"
        body, _ = self.client.query(sparql, default_graphs=[META_GRAPH])
        values = _column(remote_query.solutions(body), "v")
        return values[0] if values else UNVERSIONED

    def graph_hashes(self) -> dict[str, str]:
        """The content hash the meta graph records for each graph written through a store."""
        sparql = f"SELECT ?g ?h WHERE {{ ?g <{DCTERMS.identifier}> ?h }}"
        body, _ = self.client.query(sparql, default_graphs=[META_GRAPH])
        result = remote_query.solutions(body)
        assert isinstance(result, ox.QuerySolutions)
        return {
            row["g"].value: row["h"].value  # type: ignore[union-attr]
            for row in result
            if isinstance(row["g"], ox.NamedNode) and row["g"].value != META_GRAPH
        }

    def load_into_memory(self) -> Store:
        """An in-memory, writable embedded copy of the dataset."""
        memory = ox.Store()
        memory.extend(self.quads())
        return OxigraphStore(memory, path=None, read_only=False)

    # ----------------------------------------------------------------- writing

    def update(self, sparql: str) -> None:
        """Run a SPARQL update on the engine, then bump the version token."""
        self._writable()
        self.client.update(sparql)
        self._graphs = None
        self.client.update(_meta_update(self.graph_hashes(), set(), seed=sparql))

    def replace_graph(self, name: str, triples: rdflib.Graph) -> None:
        """Replace named graph ``name`` with ``triples`` (atomically; see the module notes)."""
        self._writable()
        if (
            not isinstance(graph_term(name), ox.NamedNode)
            or name == META_GRAPH
            or not name.startswith(self.graph_prefix)
        ):
            raise StoreError(
                f"cannot replace {name!r}: give a named graph under {self.graph_prefix} "
                "other than fzg:meta"
            )
        converted = to_oxigraph(triples, salt=graph_salt(name))
        self.write_graph(name, converted)

    def write_graph(
        self,
        name: str,
        triples: Sequence[ox.Triple],
        *,
        record: bool = True,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        """Replace graph ``name`` with pyoxigraph ``triples``.

        With ``record`` the meta graph gets the graph's hash and a new version token in the
        same request where the engine allows (``record=False`` leaves it to the caller, as
        :func:`fazhi_graph.push.push` does once for many graphs). ``progress(n)`` is called
        with the number of triples each request stored.
        """
        self._writable()
        nt = ntriples(triples)
        tail = ""
        if record:
            hashes = self.graph_hashes()
            hashes[name] = ntriples_digest(nt)
            tail = " ;\n" + _meta_update(hashes, {name}, seed=name + secrets.token_hex(4))
        client = self.client
        self._graphs = None
        try:
            if self.config.graph_store is not None and self.config.atomic_put:
                client.put_graph(name, nt)
                if tail:
                    client.update(tail.removeprefix(" ;\n"))
                if progress is not None:
                    progress(len(triples))
            elif self.config.graph_store is None and len(triples) <= self.batch_triples:
                client.update(f"DROP SILENT GRAPH <{name}> ;\n{insert(name, triples)}{tail}")
                if progress is not None:
                    progress(len(triples))
            else:
                self._staged(name, triples, tail, progress)
        finally:
            self._graphs = None

    def _staged(
        self,
        name: str,
        triples: Sequence[ox.Triple],
        tail: str,
        progress: Callable[[int], None] | None,
    ) -> None:
        """Load a staging graph (one Graph Store ``PUT``, or batches of updates), then ``MOVE``
        it over ``name`` in one request: a ``PUT`` alone is not atomic on Virtuoso."""
        staging = f"{name}#staging-{secrets.token_hex(6)}"
        try:
            if self.config.graph_store is not None:
                self.client.put_graph(staging, ntriples(triples))
                if progress is not None:
                    progress(len(triples))
            else:
                for batch in batches(triples, self.batch_triples):
                    self.client.update(insert(staging, batch))
                    if progress is not None:
                        progress(len(batch))
            self.client.update(f"MOVE SILENT GRAPH <{staging}> TO <{name}>{tail}")
        finally:
            self._drop_quietly(staging)

    def record_graphs(self, hashes: Mapping[str, str]) -> None:
        """Record ``hashes`` (graph → content hash) in the meta graph; new version token."""
        self._writable()
        merged = {**self.graph_hashes(), **hashes}
        seed = "".join(sorted(hashes)) + secrets.token_hex(4)
        self.client.update(_meta_update(merged, set(hashes), seed=seed))

    def _drop_quietly(self, graph: str) -> None:
        with contextlib.suppress(StoreError):  # a staging graph is outside the dataset anyway
            self.client.update(f"DROP SILENT GRAPH <{graph}>")

    # ----------------------------------------------------------------- life cycle

    def close(self) -> None:
        """Close the HTTP connections; further use raises :class:`StoreError`."""
        if self._client is not None:
            self._client.close()
        self._client = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _writable(self) -> None:
        if self._read_only:
            raise StoreError("the store is open read-only; open it writable to change it")

    @staticmethod
    def _iri(graph: str) -> str:
        term = graph_term(graph)
        return term.value if isinstance(term, ox.NamedNode) else REMOTE_DEFAULT_GRAPH

    @staticmethod
    def _named(graph: str) -> str:
        term = graph_term(graph)
        if not isinstance(term, ox.NamedNode):
            raise StoreError("named_graphs takes graph IRIs, not 'default'")
        return term.value


def insert(graph: str, triples: Sequence[ox.Triple]) -> str:
    """The SPARQL Update operation adding ``triples`` to ``graph``.

    ``INSERT DATA`` when there is no blank node; otherwise ``INSERT { … } WHERE {}``, since
    Virtuoso refuses blank nodes in ``INSERT DATA`` (each request still makes fresh nodes).

    >>> a = ox.NamedNode("http://e/a")
    >>> insert("http://e/g", [ox.Triple(a, a, ox.BlankNode("x"))])
    'INSERT { GRAPH <http://e/g> {\\n<http://e/a> <http://e/a> _:x .\\n\\n} } WHERE {}'
    """
    body = ntriples(triples).decode("utf-8")
    if any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    ):
        return f"INSERT {{ GRAPH <{graph}> {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"


def batches(triples: Sequence[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Split ``triples`` into lists of about ``size``, never parting triples that share a
    blank node (a blank node label means a new node in every request).

    >>> a, b = ox.NamedNode("http://e/a"), ox.BlankNode("x")
    >>> ts = [ox.Triple(a, a, a), ox.Triple(a, a, b), ox.Triple(b, a, a)]
    >>> [len(batch) for batch in batches(ts, 1)]
    [1, 2]
    """
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        while parent.get(i, i) != i:
            i = parent[i] = parent.get(parent[i], parent[i])
        return i

    first: dict[ox.BlankNode, int] = {}
    for i, t in enumerate(triples):
        for term in (t.subject, t.object):
            if isinstance(term, ox.BlankNode):
                j = first.setdefault(term, i)
                parent[find(i)] = find(j)
    groups: dict[int, list[ox.Triple]] = {}
    for i, t in enumerate(triples):
        groups.setdefault(find(i), []).append(t)
    batch: list[ox.Triple] = []
    for group in groups.values():
        if batch and len(batch) + len(group) > size:
            yield batch
            batch = []
        batch.extend(group)
    if batch:
        yield batch


def open_remote(config: RemoteConfig, *, read_only: bool = False) -> RemoteStore:
    """Open a remote store (no request is made until the store is used)."""
    return RemoteStore(config, read_only=read_only)


def _column(result: ox.QuerySolutions | ox.QueryBoolean, name: str) -> list[str]:
    assert isinstance(result, ox.QuerySolutions)
    return [
        term.value for row in result if isinstance(term := row[name], ox.NamedNode | ox.Literal)
    ]
