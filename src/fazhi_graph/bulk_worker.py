"""The worker side of ``fazhi-graph ingest DIR`` (:mod:`fazhi_graph.bulk`): one report at a time.

A worker process turns each report file into what the main process writes, in one pass over
Oxigraph triples (the rdflib graph of :func:`fazhi_graph.rdf.to_graph` is never built; its
triples, :func:`~fazhi_graph.rdf.to_triples`, are converted once):

1. read and extract the text (:func:`fazhi_graph.extract.extract`), convert its triples
   (:func:`fazhi_graph.oxterms.oxigraph_triples`, blank nodes salted as the store salts them);
2. validate them against the SHACL shapes on this process's compiled context
   (:meth:`~fazhi_graph.shacl_sparql.CompiledValidation.run_triples`: the results
   ``run(graph)`` gives for the rdflib graph);
3. split them into the report's own triples and the shared ones (:mod:`fazhi_graph.shared`),
   serialise each part once as N-Triples (what is sent back and stored) and hash the own part;
4. compute the report's consistency findings from those two documents (:class:`_Checks`).

What is sent back (:class:`Done`) is bytes and small values only, cheap to pickle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pyoxigraph as ox

from fazhi_graph.checks import Finding
from fazhi_graph.errors import FazhiError
from fazhi_graph.namespaces import GRAPH
from fazhi_graph.pipeline import CatalogueEntry
from fazhi_graph.store import Store

__all__ = ["Done", "Task", "report_findings", "warm_up", "work"]

_RENEW_EVERY: Final = 8
"""Reports checked on one findings store before it is rebuilt from the schema graphs."""


@dataclass(frozen=True)
class Task:
    """One file to ingest, with its entry from the folder's ``reports.toml`` (may be empty)."""

    path: str
    given: CatalogueEntry


@dataclass(frozen=True)
class Done:
    """A worker's answer for one file: a payload for the store, or an error."""

    path: str
    sha: str
    error: str = ""
    entry: CatalogueEntry | None = None
    graph: str = ""
    ntriples: bytes = b""
    digest: str = ""
    shared: bytes = b""
    triples: int = 0
    findings: tuple[Finding, ...] = ()


def work(tasks: list[Task], validate: bool) -> list[Done]:
    """Read, extract, validate, split, serialise and check a batch of reports, in order."""
    return [_one(task, validate) for task in tasks]


def _one(task: Task, validate: bool) -> Done:
    from fazhi_graph.ingest import sha256_hex
    from fazhi_graph.shared import split_triples
    from fazhi_graph.store import ntriples, ntriples_digest

    path = Path(task.path)
    try:
        sha = sha256_hex(path.read_bytes())
    except OSError as exc:
        return Done(task.path, "", error=f"{path}: cannot read it ({exc})")
    extracted = _extract(path, task.given)
    if isinstance(extracted, str):
        return Done(task.path, sha, error=extracted)
    entry, name, count, converted = extracted
    first = _first_violation(converted) if validate else ""
    if first:
        return Done(task.path, sha, error=(
            f"{task.path}: the extracted graph does not conform to the SHACL shapes "
            f"({first}); nothing was written for it"
        ))  # fmt: skip
    own, part = split_triples(name, converted)
    nt, shared = ntriples(own), ntriples(part)
    return Done(
        task.path,
        sha,
        entry=entry,
        graph=name,
        ntriples=nt,
        digest=ntriples_digest(nt),
        shared=shared,
        triples=count,
        findings=tuple(report_findings(name, nt, shared)),
    )


def _extract(
    path: Path, given_entry: CatalogueEntry
) -> tuple[CatalogueEntry, str, int, list[ox.Triple]] | str:
    """(catalogue entry, graph name, number of triples, the triples as Oxigraph's) for one
    report file, or the error that stops it (one line naming the file)."""
    from fazhi_graph.extract import extract
    from fazhi_graph.oxterms import oxigraph_triples
    from fazhi_graph.rdf import to_triples
    from fazhi_graph.report import meta_for, read_report
    from fazhi_graph.store import graph_salt

    try:
        text = read_report(path)
        given = {k: v for k, v in given_entry.items() if k != "file" and v not in ("", None, 0)}
        meta = meta_for(text, path.name, given)
        triples = to_triples(extract(text, meta))
    except FazhiError as exc:
        return str(exc)
    name = str(GRAPH[f"report/{meta.report_id}"])
    try:
        converted = oxigraph_triples(triples, salt=graph_salt(name))
    except FazhiError as exc:
        return f"{path}: the extracted graph cannot be stored ({exc}); nothing was written for it"
    entry: CatalogueEntry = {
        "file": path.name,
        **given,
        "issuer": meta.issuer,
        "area": meta.area,
        "year": meta.year,
    }
    if meta.level:
        entry["level"] = meta.level
    return entry, name, len(triples), converted


def _first_violation(triples: list[ox.Triple]) -> str:
    """``""`` when the triples conform to the shapes, else their first violation in one line."""
    from fazhi_graph.shacl_sparql import process_validation

    result = process_validation().run_triples(triples)
    if result.conforms:
        return ""
    violations = [r for r in result.results if r[-1] == "Violation"] or list(result.results)
    return " ".join(violations[0][:3]) if violations else "does not conform"


class _Checks:
    """An in-memory store holding the schema graphs (the vocabularies give the indicators'
    labels), where one report graph at a time is added, checked and removed.

    Oxigraph's in-memory store keeps what was removed from it, which slowed each check down
    report after report (44 ms a report at first, 58 ms after 280); so the store is rebuilt
    from the schema graphs' quads every :data:`_RENEW_EVERY` reports.
    """

    def __init__(self) -> None:
        from fazhi_graph.pipeline import schema_graphs
        from fazhi_graph.store import to_oxigraph

        self._base: list[ox.Quad] = []
        for name, schema in schema_graphs(copy=False):
            node = ox.NamedNode(name)
            self._base.extend(ox.Quad(t.subject, t.predicate, t.object, node)
                              for t in to_oxigraph(schema))  # fmt: skip
        self._runs = 0
        self._store = self._fresh()

    def _fresh(self) -> Store:
        from fazhi_graph.store import open_store

        store = open_store(backend="memory")
        store.raw.extend(self._base)
        return store

    def findings(self, graph: str, documents: Iterable[bytes]) -> list[Finding]:
        from fazhi_graph.checks import run_checks

        self._runs += 1
        if self._runs % _RENEW_EVERY == 0:
            self._store = self._fresh()
        node = ox.NamedNode(graph)
        raw = self._store.raw
        try:
            for document in documents:
                raw.load(document, format=ox.RdfFormat.N_TRIPLES, to_graph=node)
            return run_checks(self._store, report=graph)
        finally:
            raw.remove_graph(node)


_CHECKS: list[_Checks] = []


def report_findings(graph: str, *ntriples: bytes) -> list[Finding]:
    """The consistency findings of one report graph, given as N-Triples documents (in bulk
    ingest: its own triples and its shared ones).

    Every check looks inside one report graph, with the vocabularies for the indicators'
    labels, so the checks run on a small in-memory store holding just that (kept per process)
    and give what :func:`fazhi_graph.checks.run_checks` gives for this report on the whole
    store, at a cost that does not grow with the store.
    """
    if not _CHECKS:
        _CHECKS.append(_Checks())
    return _CHECKS[0].findings(graph, ntriples)


def warm_up() -> None:
    """Import the heavy modules once per worker, before the first batch."""
    import importlib

    for module in ("fazhi_graph.extract", "fazhi_graph.rdf", "fazhi_graph.shacl_sparql"):
        importlib.import_module(module)
