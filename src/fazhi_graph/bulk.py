"""Ingesting a folder of reports: in parallel, validated, resumable, bulk-written.

:func:`ingest_folder` is what ``fazhi-graph ingest DIR`` runs. It does for every ``*.txt`` in
``DIR`` what :func:`fazhi_graph.ingest.ingest` does for one file (byte-identical copy in
``data/reports/``, its ``reports.toml`` entry, its named graph in the store, SHACL-validated),
with four differences:

* **Parallel.** Worker processes (one per core by default) read, extract, build and validate
  batches of reports (:mod:`fazhi_graph.bulk_worker`); the main process only writes.
* **Validation prepared once, never skipped.** A worker prepares one compiled SHACL context
  (:func:`fazhi_graph.shacl_sparql.process_validation`: pySHACL's results, a tenth of its
  time) and validates each report's graph on it. Every stored report has been validated.
* **Bulk writes.** The ready reports' graphs go into the store, :data:`COMMIT` reports or more
  at once, through Oxigraph's bulk loader, then their meta-graph hashes in one transaction
  (:func:`fazhi_graph.store.add_graphs`), not one SPARQL update per report; the curated
  English names and the consistency findings, which depend on every report, are refreshed
  once at the end (findings computed per report in the workers).
* **Resumable.** A file whose SHA-256 matches its stored report graph and its copy in
  ``data/reports/`` is skipped. Each write commits like a single-file ingest does, through the
  ingest journal (:mod:`fazhi_graph.journal`): texts and catalogue staged, the graphs and then
  their hashes written, then the files moved into place. An interruption, ``kill -9``
  included, loses nothing committed and leaves no half-written graph (a report graph without
  its hash is dropped); the next run (or any ``ingest``/``build``) finishes or undoes the
  interrupted write, then redoes the rest.

A broken file (not UTF-8, off-genre, failing SHACL …) does not stop the run: the good files
are ingested and committed, every broken one is reported with its error in
:attr:`BulkResult.failed` (the CLI then exits with status 1), and the next run retries it.

If ``DIR`` has a ``reports.toml`` (as ``fazhi-graph synth`` writes), its entries give each file's
metadata (issuer, area, year, level, id, and extra fields such as ``fictional = true``), which
are carried into the project's catalogue.
"""

from __future__ import annotations

import os
import time
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import rdflib

from fazhi_graph.bulk_catalogue import Catalogue
from fazhi_graph.bulk_worker import Done as _Done
from fazhi_graph.bulk_worker import Task as _Task
from fazhi_graph.bulk_worker import report_findings, warm_up, work
from fazhi_graph.checks import Finding
from fazhi_graph.errors import CatalogueError
from fazhi_graph.ingest import sha256_hex
from fazhi_graph.namespaces import GRAPH, PREFIXES, REPORT_GRAPH_PREFIX
from fazhi_graph.pipeline import CatalogueEntry
from fazhi_graph.settings import Settings
from fazhi_graph.shared import SHARED_GRAPH
from fazhi_graph.store import Store, sparql_string

__all__ = ["BulkResult", "FileFailure", "ingest_folder"]

Progress = Callable[[int, int, str], None]
"""``progress(done, total, file)``: called after each file is committed, skipped or failed."""


@dataclass(frozen=True)
class FileFailure:
    """A file that was not ingested, and why (a one-line message naming the file)."""

    file: str
    error: str


@dataclass
class BulkResult:
    """What :func:`ingest_folder` did, file by file."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[FileFailure] = field(default_factory=list)
    triples: int = 0
    """Triples written into report graphs."""
    seconds: float = 0.0
    """Wall-clock time of the whole run."""

    @property
    def written(self) -> int:
        """Reports added or replaced."""
        return len(self.added) + len(self.replaced)


# --------------------------------------------------------------------------- main side


def _folder_catalogue(folder: Path) -> dict[str, CatalogueEntry]:
    path = folder / "reports.toml"
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: does not parse ({exc}); fix or remove it") from exc
    entries = data.get("report", [])
    return {str(e["file"]): e for e in entries if isinstance(e, dict) and "file" in e}


def _stored_shas(store: Store) -> dict[str, str]:
    """Report graph → the source SHA-256 it records, for graphs whose meta hash is present."""
    import pyoxigraph as ox

    from fazhi_graph.store import META_GRAPH

    rows = store.query(
        "SELECT ?g ?sha WHERE { GRAPH ?g { ?r a fz:AnnualReport ; fz:sourceSha256 ?sha } "
        f"GRAPH <{META_GRAPH}> {{ ?g dct:identifier ?h }} }}",
        prefixes=PREFIXES,
        union_default=False,
    )
    assert isinstance(rows, ox.QuerySolutions)
    out: dict[str, str] = {}
    for row in rows:
        g, sha = row["g"], row["sha"]
        if isinstance(g, ox.NamedNode) and isinstance(sha, ox.Literal):
            out[g.value] = sha.value
    return out


def _entry_graph(entry: CatalogueEntry) -> str:
    from fazhi_graph.report import report_id

    rid = entry.get("id") or report_id(
        str(entry.get("area", "")), int(entry.get("year", 0) or 0), str(entry.get("issuer", ""))
    )
    return str(GRAPH[f"report/{rid}"])


COMMIT = 256
"""Reports the main process writes at once, at least (whole batches). Each write has a fixed
cost (the bulk loader's files and the store's compaction of them, a journal, the catalogue,
the meta graph): at 1,000 reports the main process took 126 ms of CPU a report writing
batches of 8, 84 ms writing 64 at once, 53 ms writing 256 (48 ms at 512). The price is memory
(the reports of a write are held until it and loaded at once: the main process peaked at
568 MiB with 64, 858 MiB with 256) and what an interruption loses."""


@dataclass(frozen=True)
class _Plan:
    workers: int | None
    batch: int
    commit: int
    validate: bool


def _batches(tasks: list[_Task], size: int) -> Iterator[list[_Task]]:
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]


def ingest_folder(
    settings: Settings,
    folder: Path,
    *,
    workers: int | None = None,
    batch: int = 8,
    commit: int = COMMIT,
    validate: bool = True,
    progress: Progress | None = None,
) -> BulkResult:
    """Ingest every ``*.txt`` in ``folder`` (see the module docstring); return what happened.

    ``workers`` defaults to the number of cores (at most 2 are useful on a 2-core machine);
    ``batch`` is how many reports a worker handles per task; the main process commits whole
    batches, as soon as ``commit`` reports or more are ready (and at the end); ``commit=1``
    commits each batch. ``validate=False`` skips SHACL (for measuring its cost only:
    the CLI always validates). Raises :class:`CatalogueError` when ``folder`` holds no
    ``*.txt``, and :class:`~fazhi_graph.errors.StoreError` when the store cannot be written;
    problems with single files end up in :attr:`BulkResult.failed`.
    """
    from fazhi_graph.build import build
    from fazhi_graph.journal import recover
    from fazhi_graph.store import is_store_dir
    from fazhi_graph.storedir import writer_lock

    started = time.perf_counter()
    folder = Path(folder)
    if not folder.is_dir():
        raise CatalogueError(f"{folder}: not a folder; give a folder of report *.txt files")
    files = sorted(p for p in folder.glob("*.txt") if p.is_file())
    if not files:
        raise CatalogueError(f"{folder}: no *.txt report files in it; nothing to ingest")
    given = _folder_catalogue(folder)
    with writer_lock(settings.store_path):
        recover(settings)  # an interrupted single-file ingest is finished or undone first
        if not is_store_dir(settings.store_path):
            build(settings)  # the schema graphs and the catalogued reports first
        plan = _Plan(workers, batch, commit, validate)
        result = _ingest_locked(settings, files, given, plan, progress)
    result.seconds = time.perf_counter() - started
    return result


def _ingest_locked(
    settings: Settings,
    files: list[Path],
    given: dict[str, CatalogueEntry],
    plan: _Plan,
    progress: Progress | None,
) -> BulkResult:
    from fazhi_graph.store import open_store

    result = BulkResult()
    reports_dir = settings.project_root / "data" / "reports"
    cat = Catalogue(settings.project_root)
    with open_store(settings.store_path) as store:
        stored = _stored_shas(store)
        known = cat.by_file()
        tasks: list[_Task] = []
        counter = _Counter(len(files), progress)
        for path in files:
            entry = known.get(path.name)
            dest = reports_dir / path.name
            sha = sha256_hex(path.read_bytes())
            if (
                entry is not None
                and dest.exists()
                and (dest.resolve() == path.resolve() or sha256_hex(dest.read_bytes()) == sha)
                and stored.get(_entry_graph(entry)) == sha
            ):
                result.unchanged.append(path.name)
                counter.tick(path.name)
            else:
                tasks.append(_Task(str(path), dict(given.get(path.name, {}))))

        seen: dict[str, str] = {}
        fresh: dict[str, tuple[Finding, ...]] = {}
        n_workers = max(1, plan.workers or os.cpu_count() or 1)
        context = get_context("fork") if "fork" in _start_methods() else None
        with ProcessPoolExecutor(n_workers, mp_context=context, initializer=warm_up) as pool:
            futures: list[Future[list[_Done]]] = [
                pool.submit(work, chunk, plan.validate) for chunk in _batches(tasks, plan.batch)
            ]
            ready: list[list[_Done]] = []  # per batch, not yet committed
            answered: list[str] = []  # their files and the failed ones, to tick once committed
            try:
                for index, future in enumerate(futures):  # in order: a deterministic catalogue
                    good: list[_Done] = []
                    for done in future.result():
                        answered.append(Path(done.path).name)
                        error = done.error or _clash(done, seen, reports_dir, known)
                        if error:
                            result.failed.append(FileFailure(Path(done.path).name, error))
                        else:
                            seen[done.graph] = Path(done.path).name
                            good.append(done)
                    ready += [good] if good else []
                    if sum(map(len, ready)) < plan.commit and index < len(futures) - 1:
                        continue
                    if ready:
                        _commit(settings, store, cat, ready, stored, result, fresh)
                    for name in answered:
                        counter.tick(name)
                    ready, answered = [], []
            except BaseException:
                for future in futures:
                    future.cancel()
                raise

        _refresh_derived(settings, store, fresh, force=bool(result.written))
        if result.written:
            _compact(store)
    return result


class _Counter:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.done, self.total, self.progress = 0, total, progress

    def tick(self, name: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, name)


def _commit(
    settings: Settings,
    store: Store,
    cat: Catalogue,
    batches: list[list[_Done]],
    stored: dict[str, str],
    result: BulkResult,
    fresh: dict[str, tuple[Finding, ...]],
) -> None:
    """Write the ready reports: texts and catalogue through the ingest journal, graphs
    through the bulk loader and then their hashes. A crash anywhere is finished or undone by
    the next run's ``recover``. The shared graph's hash is chained batch by batch, as when
    every batch was written on its own: the same store whatever ``commit``."""
    from fazhi_graph.journal import transaction
    from fazhi_graph.store import add_graphs

    reports_dir = settings.project_root / "data" / "reports"
    good = [done for batch in batches for done in batch]
    statuses: list[tuple[_Done, bool]] = []
    files: dict[Path, bytes] = {}
    for done in good:
        assert done.entry is not None
        statuses.append((done, cat.put(done.entry) or done.graph in stored))
        path = Path(done.path)
        dest = reports_dir / path.name
        if dest.resolve() != path.resolve():
            files[dest] = path.read_bytes()
    files[cat.path] = cat.text()
    payloads = {done.graph: (done.ntriples, done.digest) for done in good}
    shared = [b"".join(done.shared for done in batch) for batch in batches]
    last = good[-1]
    with transaction(
        settings, files, graph=last.graph, text_sha=last.sha, version_before=store.version()
    ):
        add_graphs(store, payloads, seed=",".join(sorted(payloads)), atomic=False,
                   merge={SHARED_GRAPH: shared})  # fmt: skip
    for done, replaced in statuses:
        (result.replaced if replaced else result.added).append(Path(done.path).name)
        result.triples += done.triples
        fresh[done.graph] = done.findings


def _compact(store: Store) -> None:
    """Compact the store after many transactions (the on-disk size shrinks by about half)."""
    from fazhi_graph.errors import StoreError

    try:
        store.raw.optimize()
    except OSError as exc:
        raise StoreError(f"the reports are stored, but compacting the store failed: {exc}") from exc


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def _clash(
    done: _Done, seen: dict[str, str], reports_dir: Path, known: dict[str, CatalogueEntry]
) -> str:
    """Why this file cannot be committed beside the others ('' if it can)."""
    path = Path(done.path)
    if done.graph in seen:
        return (
            f"{path.name} and {seen[done.graph]} both give report graph <{done.graph}>; "
            'set a distinct id = "…" for one of them in the folder\'s reports.toml'
        )
    dest = reports_dir / path.name
    other = known.get(path.name)
    if (
        dest.exists()
        and dest.resolve() != path.resolve()
        and other is not None
        and done.entry is not None
        and (other.get("area"), other.get("year")) != (done.entry["area"], done.entry["year"])
    ):
        return (
            f"{path.name}: data/reports/ already holds a different report under this name "
            f"({other.get('area')} {other.get('year')}); rename the file"
        )
    return ""


def _stale_reports(store: Store) -> list[str]:
    """Report graphs written after the findings graph (all of them when there is none)."""
    import pyoxigraph as ox

    from fazhi_graph.checks import CHECKS_GRAPH
    from fazhi_graph.store import META_GRAPH

    rows = store.query(
        f"SELECT ?g WHERE {{ GRAPH <{META_GRAPH}> {{ ?g dct:modified ?t "
        f'FILTER(STRSTARTS(STR(?g), "{REPORT_GRAPH_PREFIX}")) '
        f"OPTIONAL {{ <{CHECKS_GRAPH}> dct:modified ?c }} }} "
        "FILTER(!BOUND(?c) || STR(?t) > STR(?c)) } ORDER BY ?g",
        prefixes=PREFIXES,
        union_default=False,
    )
    assert isinstance(rows, ox.QuerySolutions)
    return [g.value for row in rows if isinstance(g := row["g"], ox.NamedNode)]


def _refresh_derived(
    settings: Settings, store: Store, fresh: dict[str, tuple[Finding, ...]], *, force: bool
) -> None:
    """Bring the curated English names and the consistency findings up to date.

    Findings are recomputed only for the report graphs written since the findings graph was
    (those of this run come from the workers, ``fresh``; those of an interrupted run are
    computed here); the findings of every other report are kept. The curated graph is what
    :func:`fazhi_graph.pipeline.curated_graph` makes of every report graph, computed from the
    store: only the labels it can match are read back.
    """
    import pyoxigraph as ox

    from fazhi_graph.checks import CHECKS_GRAPH, findings_graph
    from fazhi_graph.export import from_oxigraph
    from fazhi_graph.namespaces import FZ
    from fazhi_graph.pipeline import curated_graph, curated_names
    from fazhi_graph.rdf import report_iri
    from fazhi_graph.store import ntriples

    stale = _stale_reports(store)
    if not stale and not force:
        return
    findings: list[Finding] = []
    for graph in stale:
        if graph in fresh:
            findings.extend(fresh[graph])
        else:
            quads = store.quads(graph)
            findings.extend(report_findings(graph, ntriples(q.triple for q in quads)))
    redone = {rdflib.URIRef(report_iri(g[len(REPORT_GRAPH_PREFIX) :])) for g in stale}
    kept = rdflib.Graph()
    bnodes: dict[str, rdflib.BNode] = {}
    existing = [
        tuple(from_oxigraph(t, bnodes) for t in (q.subject, q.predicate, q.object))
        for q in store.quads(CHECKS_GRAPH)
    ] if CHECKS_GRAPH in store.graph_names() else []  # fmt: skip
    dropped = {s for s, p, o in existing if p == FZ.inReport and o in redone}
    for s, p, o in existing:
        if s not in dropped:
            kept.add((s, p, o))  # type: ignore[arg-type]
    checks = findings_graph(findings)
    checks += kept

    names = curated_names(settings.project_root)
    labels = rdflib.Graph()
    if names:
        values = " ".join(f"{sparql_string(n)}@zh" for n in names)
        rows = store.query(
            "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
            f"VALUES ?p {{ skos:prefLabel rdfs:label }} VALUES ?o {{ {values} }} "
            f'FILTER(STRSTARTS(STR(?g), "{REPORT_GRAPH_PREFIX}") || ?g = <{SHARED_GRAPH}>) }}',
            prefixes=PREFIXES,
            union_default=False,
        )
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            s, p, o = row["s"], row["p"], row["o"]
            if isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode):
                assert isinstance(o, ox.Literal)
                label = rdflib.Literal(o.value, lang=o.language)
                labels.add((rdflib.URIRef(s.value), rdflib.URIRef(p.value), label))
    store.replace_graph(str(GRAPH["curated"]), curated_graph(settings.project_root, [labels]))
    store.replace_graph(CHECKS_GRAPH, checks)  # last: its time marks the findings fresh
