"""Upload the local dataset (or some reports) to a remote SPARQL engine, then verify it.

:func:`push` copies graph after graph from the embedded store into a
:class:`~fazhi_graph.remote.RemoteStore` (each graph replaced atomically where the engine
allows; see :mod:`fazhi_graph.remote`), records the graphs in the remote meta graph, and then
counts the triples of every pushed graph on the server: a count that differs from the local
one raises :class:`~fazhi_graph.errors.StoreError` naming the graphs.

A whole-dataset push copies the local meta graph as it is, so the server then reports the
same version token as the local store; pushing chosen reports records their hashes in the
remote meta graph and gives it a new token. Graphs already on the server and not pushed are
left alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from fazhi_graph.errors import StoreError
from fazhi_graph.namespaces import REPORT_GRAPH_PREFIX
from fazhi_graph.remote import RemoteStore
from fazhi_graph.store import META_GRAPH, Store, ntriples, ntriples_digest

Progress = Callable[[str, int], None]
"""``progress(graph, triples)``: called as triples of ``graph`` reach the server."""


@dataclass(frozen=True)
class PushSummary:
    """What :func:`push` uploaded and what the server holds afterwards."""

    local: dict[str, int] = field(default_factory=dict)
    """Triples per graph in the local store, in the order pushed."""
    remote: dict[str, int] = field(default_factory=dict)
    """Triples per graph counted on the server after the push."""
    version: str = ""
    """The server's version token after the push."""
    seconds: float = 0.0
    """Wall-clock time of the push and the verification."""

    @property
    def total_triples(self) -> int:
        """Triples pushed over all graphs."""
        return sum(self.local.values())


def graphs_to_push(local: Store, reports: Sequence[str] = ()) -> list[str]:
    """The local graphs to push: every graph but the meta graph, or the given reports' graphs.

    A report is named by its id (``chengdongqu-2020``) or its graph IRI; an unknown one raises
    :class:`StoreError` listing the known ids.
    """
    names = [g for g in local.graph_names() if g != META_GRAPH]
    if not reports:
        return names
    chosen = []
    for report in reports:
        iri = report if report.startswith(REPORT_GRAPH_PREFIX) else REPORT_GRAPH_PREFIX + report
        if iri not in names:
            known = ", ".join(
                g.removeprefix(REPORT_GRAPH_PREFIX)
                for g in names
                if g.startswith(REPORT_GRAPH_PREFIX)
            )
            raise StoreError(
                f"the local store has no report {report!r}; its reports are: {known or 'none'}"
            )
        chosen.append(iri)
    return list(dict.fromkeys(chosen))


def _triples(local: Store, graph: str) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in local.quads(graph)]


def push(
    local: Store,
    remote: RemoteStore,
    *,
    reports: Sequence[str] = (),
    progress: Progress | None = None,
) -> PushSummary:
    """Copy the local dataset (or ``reports``) to ``remote`` and verify the counts."""
    started = time.perf_counter()
    graphs = graphs_to_push(local, reports)
    counts: dict[str, int] = {}
    hashes: dict[str, str] = {}
    for graph in graphs:
        triples = _triples(local, graph)
        counts[graph] = len(triples)
        hashes[graph] = ntriples_digest(ntriples(triples))

        def step(n: int, graph: str = graph) -> None:
            if progress is not None:
                progress(graph, n)

        remote.write_graph(graph, triples, record=False, progress=step)
    if reports:
        remote.record_graphs(hashes)
    else:
        meta = _triples(local, META_GRAPH)
        if meta:
            remote.write_graph(META_GRAPH, meta, record=False)
        else:
            remote.record_graphs(hashes)
    found = verify(remote, counts)
    return PushSummary(counts, found, remote.version(), time.perf_counter() - started)


def verify(remote: RemoteStore, expected: dict[str, int]) -> dict[str, int]:
    """Count the triples of each graph of ``expected`` on the server; raise on a mismatch."""
    found = remote.counts(list(expected))
    wrong = [(g, n, found.get(g, 0)) for g, n in expected.items() if found.get(g, 0) != n]
    if wrong:
        shown = "; ".join(f"<{g}> has {got} triples, expected {n}" for g, n, got in wrong[:5])
        more = f" (and {len(wrong) - 5} more)" if len(wrong) > 5 else ""
        raise StoreError(
            f"the push did not arrive intact on {remote.config.endpoint}: {shown}{more}; push "
            "again, and check the server's log and its limits on request size"
        )
    return found
