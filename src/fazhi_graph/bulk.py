"""Ingesting a folder of reports: in parallel, validated, resumable, bulk-written.

:func:`ingest_folder` is what ``fazhi-graph ingest DIR`` runs. It does for every ``*.txt`` in
``DIR`` what :func:`fazhi_graph.ingest.ingest` does for one file (byte-identical copy in
``data/reports/``, its ``reports.toml`` entry, its named graph in the store, SHACL-validated),
with four differences:

* **Parallel.** Worker processes (one per core by default) read, extract, build and validate
  batches of reports; the main process only writes.
* **Validation prepared once, never skipped.** A worker prepares one compiled SHACL context
  (:func:`fazhi_graph.shacl_sparql.process_validation`: pySHACL's results, a tenth of its
  time) and validates each report's graph on it. Every stored report has been validated.
* **Bulk writes.** Each batch's graphs go into the store through Oxigraph's bulk loader, then
  their meta-graph hashes in one transaction (:func:`fazhi_graph.store.add_graphs`), not one
  SPARQL update per report; the curated English names and the consistency findings, which
  depend on every report, are refreshed once at the end (findings computed per report in
  the workers).
* **Resumable.** A file whose SHA-256 matches its stored report graph and its copy in
  ``data/reports/`` is skipped. Each batch commits like a single-file ingest does, through the
  ingest journal (:mod:`fazhi_graph.journal`): texts and catalogue staged, the batch's graphs
  and then their hashes written, then the files moved into place. An interruption, ``kill -9``
  included, loses nothing committed and leaves no half-written graph (a report graph without
  its hash is dropped); the next run (or any ``ingest``/``build``) finishes or undoes the
  interrupted batch, then redoes the rest.

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

from fazhi_graph.checks import Finding
from fazhi_graph.errors import CatalogueError, FazhiError
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


@dataclass(frozen=True)
class _Task:
    path: str
    given: CatalogueEntry


@dataclass(frozen=True)
class _Done:
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


# --------------------------------------------------------------------------- worker side


def _extract(task: _Task) -> tuple[_Done, rdflib.Graph | None]:
    from fazhi_graph.extract import extract
    from fazhi_graph.rdf import to_graph
    from fazhi_graph.report import meta_for, read_report

    path = Path(task.path)
    try:
        sha = sha256_hex(path.read_bytes())
    except OSError as exc:
        return _Done(task.path, "", error=f"{path}: cannot read it ({exc})"), None
    try:
        text = read_report(path)
        given = {k: v for k, v in task.given.items() if k != "file" and v not in ("", None, 0)}
        meta = meta_for(text, path.name, given)
        graph = to_graph(extract(text, meta))
    except FazhiError as exc:
        return _Done(task.path, sha, error=str(exc)), None
    entry: CatalogueEntry = {
        "file": path.name,
        **given,
        "issuer": meta.issuer,
        "area": meta.area,
        "year": meta.year,
    }
    if meta.level:
        entry["level"] = meta.level
    name = str(GRAPH[f"report/{meta.report_id}"])
    return _Done(task.path, sha, entry=entry, graph=name), graph


def _first_violation(graph: rdflib.Graph) -> str:
    """``""`` when ``graph`` conforms to the shapes, else its first violation in one line."""
    from fazhi_graph.shacl_sparql import process_validation

    result = process_validation().run(graph)
    if result.conforms:
        return ""
    violations = [r for r in result.results if r[-1] == "Violation"] or list(result.results)
    return " ".join(violations[0][:3]) if violations else "does not conform"


def _work(tasks: list[_Task], validate: bool) -> list[_Done]:
    """Read, extract, build and validate a batch of reports (runs in a worker process)."""
    from fazhi_graph.shared import split_triples
    from fazhi_graph.store import graph_salt, ntriples, ntriples_digest, to_oxigraph

    extracted = [_extract(task) for task in tasks]
    good = [(done, g) for done, g in extracted if g is not None]
    bad: dict[str, str] = {}
    for done, report in good if validate else ():
        first = _first_violation(report)
        if first:
            bad[done.path] = (
                f"{done.path}: the extracted graph does not conform to the SHACL shapes "
                f"({first}); nothing was written for it"
            )
    out: list[_Done] = []
    for done, maybe in extracted:
        if maybe is None:
            out.append(done)
        elif done.path in bad:
            out.append(_Done(done.path, done.sha, error=bad[done.path]))
        else:
            converted = to_oxigraph(maybe, salt=graph_salt(done.graph))
            own, part = split_triples(done.graph, converted)
            nt, shared = ntriples(own), ntriples(part)
            digest = ntriples_digest(nt)
            findings = tuple(report_findings(done.graph, nt + shared))
            out.append(
                _Done(
                    done.path,
                    done.sha,
                    entry=done.entry,
                    graph=done.graph,
                    ntriples=nt,
                    digest=digest,
                    shared=shared,
                    triples=len(maybe),
                    findings=findings,
                )
            )
    return out


_CHECK_CONTEXT: list[Store] = []


def report_findings(graph: str, ntriples: bytes) -> list[Finding]:
    """The consistency findings of one report graph (its N-Triples with its shared triples).

    Every check looks inside one report graph, with the vocabularies for the indicators'
    labels, so the checks run on a small in-memory store holding just that (kept per process)
    and give what :func:`fazhi_graph.checks.run_checks` gives for this report on the whole
    store, at a cost that does not grow with the store.
    """
    import pyoxigraph as ox

    from fazhi_graph.checks import run_checks
    from fazhi_graph.pipeline import schema_graphs
    from fazhi_graph.store import open_store, to_oxigraph

    if not _CHECK_CONTEXT:
        context = open_store(backend="memory")
        for name, schema in schema_graphs(copy=False):
            node = ox.NamedNode(name)
            context.raw.extend(ox.Quad(t.subject, t.predicate, t.object, node)
                               for t in to_oxigraph(schema))  # fmt: skip
        _CHECK_CONTEXT.append(context)
    context = _CHECK_CONTEXT[0]
    node = ox.NamedNode(graph)
    context.raw.extend(
        ox.Quad(t.subject, t.predicate, t.object, node)
        for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
    )
    try:
        return run_checks(context, report=graph)
    finally:
        context.raw.remove_graph(node)


def _warm_up() -> None:
    """Import the heavy modules once per worker, before the first batch."""
    import importlib

    for module in ("fazhi_graph.extract", "fazhi_graph.rdf", "fazhi_graph.shacl_sparql"):
        importlib.import_module(module)


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


class _Catalogue:
    """The project's catalogue in memory, written atomically after each committed batch."""

    def __init__(self, root: Path) -> None:
        from fazhi_graph.ingest import _header
        from fazhi_graph.pipeline import catalogue

        self.path = root / "data" / "reports" / "reports.toml"
        self.header = _header(self.path)
        self.entries: list[CatalogueEntry] = catalogue(root) if self.path.exists() else []

    def by_file(self) -> dict[str, CatalogueEntry]:
        return {str(e["file"]): e for e in self.entries}

    def put(self, entry: CatalogueEntry) -> bool:
        """Add ``entry``, dropping any entry of the same file or the same report; replaced?"""
        key = (entry.get("area"), entry.get("year"), entry.get("issuer"))
        kept = [
            e
            for e in self.entries
            if e["file"] != entry["file"] and (e.get("area"), e.get("year"), e.get("issuer")) != key
        ]
        replaced = len(kept) != len(self.entries)
        self.entries = [*kept, entry]
        return replaced

    def text(self) -> bytes:
        from fazhi_graph.ingest import catalogue_text

        return catalogue_text(self.header, self.entries).encode("utf-8")


def _batches(tasks: list[_Task], size: int) -> Iterator[list[_Task]]:
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]


def ingest_folder(
    settings: Settings,
    folder: Path,
    *,
    workers: int | None = None,
    batch: int = 8,
    validate: bool = True,
    progress: Progress | None = None,
) -> BulkResult:
    """Ingest every ``*.txt`` in ``folder`` (see the module docstring); return what happened.

    ``workers`` defaults to the number of cores (at most 2 are useful on a 2-core machine);
    ``batch`` is how many reports a worker handles per task and the main process commits
    at once. ``validate=False`` skips SHACL (for measuring its cost only:
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
        result = _ingest_locked(settings, files, given, workers, batch, validate, progress)
    result.seconds = time.perf_counter() - started
    return result


def _ingest_locked(
    settings: Settings,
    files: list[Path],
    given: dict[str, CatalogueEntry],
    workers: int | None,
    batch: int,
    validate: bool,
    progress: Progress | None,
) -> BulkResult:
    from fazhi_graph.store import open_store

    result = BulkResult()
    reports_dir = settings.project_root / "data" / "reports"
    cat = _Catalogue(settings.project_root)
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
        n_workers = max(1, workers or os.cpu_count() or 1)
        context = get_context("fork") if "fork" in _start_methods() else None
        with ProcessPoolExecutor(n_workers, mp_context=context, initializer=_warm_up) as pool:
            futures: list[Future[list[_Done]]] = [
                pool.submit(_work, chunk, validate) for chunk in _batches(tasks, batch)
            ]
            try:
                for future in futures:  # in submission order: a deterministic catalogue
                    answers = future.result()
                    good: list[_Done] = []
                    for done in answers:
                        error = done.error or _clash(done, seen, reports_dir, known)
                        if error:
                            result.failed.append(FileFailure(Path(done.path).name, error))
                        else:
                            seen[done.graph] = Path(done.path).name
                            good.append(done)
                    if good:
                        _commit(settings, store, cat, good, stored, result, fresh)
                    for done in answers:
                        counter.tick(Path(done.path).name)
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
    cat: _Catalogue,
    good: list[_Done],
    stored: dict[str, str],
    result: BulkResult,
    fresh: dict[str, tuple[Finding, ...]],
) -> None:
    """Write one batch: texts and catalogue through the ingest journal, graphs through the
    bulk loader and then their hashes. A crash anywhere is finished or undone by the next
    run's ``recover``."""
    from fazhi_graph.journal import transaction
    from fazhi_graph.store import add_graphs

    reports_dir = settings.project_root / "data" / "reports"
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
    last = good[-1]
    with transaction(
        settings, files, graph=last.graph, text_sha=last.sha, version_before=store.version()
    ):
        add_graphs(store, payloads, seed=",".join(sorted(payloads)), atomic=False,
                   merge={SHARED_GRAPH: b"".join(done.shared for done in good)})  # fmt: skip
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


