"""Adding one report: catalogue entry, byte-identical copy, and its named graph in the store.

``ingest(settings, path, given)`` is idempotent: the same file with the same metadata changes
nothing; a changed file (or changed metadata) replaces its report's graph in one transaction.
Everything that can fail (reading, metadata, extraction, SHACL) runs before anything is
written, so bad input leaves the catalogue, the data folder and the store as they were.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from fazhi_graph.errors import CatalogueError, ValidationError
from fazhi_graph.journal import recover, transaction
from fazhi_graph.namespaces import GRAPH, PREFIXES, REPORT_GRAPH_PREFIX
from fazhi_graph.pipeline import CatalogueEntry, catalogue, curated_graph
from fazhi_graph.rdf import to_graph
from fazhi_graph.report import meta_for, read_report
from fazhi_graph.settings import Settings
from fazhi_graph.shared import SHARED_GRAPH, split_shared
from fazhi_graph.storedir import writer_lock

__all__ = ["IngestResult", "catalogue_table", "catalogue_text", "ingest"]

_FIELDS = ("file", "id", "issuer", "area", "level", "year", "url", "division_code")


@dataclass(frozen=True)
class IngestResult:
    """What ``ingest`` did: ``added``, ``replaced`` or ``unchanged``."""

    status: str
    report_id: str
    graph: str
    triples: int
    file: Path


def _toml_value(value: str | int) -> str:
    if isinstance(value, bool):  # before int: True is an int, but TOML spells it true
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def catalogue_text(header: str, entries: list[CatalogueEntry]) -> str:
    """The catalogue file: its comment header, then one ``[[report]]`` table per entry.

    >>> print(catalogue_text("# reports", [{"file": "a.txt", "year": 2020}]))
    # reports
    <BLANKLINE>
    [[report]]
    file = "a.txt"
    year = 2020
    <BLANKLINE>
    """
    return "\n".join([header.rstrip("\n"), "", *(catalogue_table(e) for e in entries)])


def catalogue_table(entry: CatalogueEntry) -> str:
    """One entry's ``[[report]]`` table in the catalogue file, with the blank line after it.

    >>> catalogue_table({"year": 2020, "file": "a.txt", "note": ""})
    '[[report]]\\nfile = "a.txt"\\nyear = 2020\\n'
    """
    keys = [k for k in _FIELDS if k in entry] + sorted(k for k in entry if k not in _FIELDS)
    lines = [f"{k} = {_toml_value(entry[k])}" for k in keys if entry[k] not in ("", None)]
    return "\n".join(["[[report]]", *lines, ""])


def _header(path: Path) -> str:
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    comments = []
    for line in lines:
        if not line.startswith("#"):
            break
        comments.append(line)
    return "\n".join(comments) or "# The report catalogue: one [[report]] per source text."


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex: how a report file is recognised as unchanged."""
    return hashlib.sha256(data).hexdigest()


def _check(graph: Graph, path: Path) -> None:
    from fazhi_graph.shacl_sparql import validate_compiled

    result = validate_compiled(graph)
    if not result.conforms:
        lines = result.text.splitlines()
        first = lines[1].strip() if len(lines) > 1 else lines[0]
        raise ValidationError(
            f"{path}: the extracted graph does not conform to the SHACL shapes ({first}); "
            "nothing was written",
            report_text=result.text,
        )


def ingest(settings: Settings, path: Path, given: CatalogueEntry) -> IngestResult:
    """Add or update the report at ``path`` (metadata ``given`` beats what the title says).

    Raises the report's errors (:class:`~fazhi_graph.errors.ReportFileError`,
    :class:`~fazhi_graph.errors.OffGenreError` naming the option to give), a
    :class:`CatalogueError` when another report already uses the file name, and
    :class:`ValidationError` when the graph does not conform; nothing is written then.
    Holds the store's writer lock throughout, and first finishes or undoes an ingest that
    was interrupted (:func:`fazhi_graph.journal.recover`).
    """
    with writer_lock(settings.store_path):
        recover(settings)
        return _ingest(settings, path, given)


def _ingest(settings: Settings, path: Path, given: CatalogueEntry) -> IngestResult:
    root = settings.project_root
    reports_dir = root / "data" / "reports"
    catalogue_path = reports_dir / "reports.toml"
    text = read_report(path)
    data = path.read_bytes()
    given = {k: v for k, v in given.items() if v not in ("", None, 0)}
    meta = meta_for(text, path.name, given)
    entries = catalogue(root) if catalogue_path.exists() else []
    entry: CatalogueEntry = {"file": path.name, **given, "issuer": meta.issuer, "area": meta.area,
                             "year": meta.year}  # fmt: skip
    if meta.level:
        entry["level"] = meta.level
    dest = reports_dir / path.name
    same_file = [e for e in entries if e["file"] == path.name]
    replaced = dest.exists() and dest.resolve() != path.resolve()
    if replaced and sha256_hex(dest.read_bytes()) != sha256_hex(data):
        others = [e for e in same_file if e.get("area") != meta.area or e.get("year") != meta.year]
        if others:
            raise CatalogueError(
                f"{path.name}: data/reports/ already holds a different report under this name "
                f"({others[0].get('area')} {others[0].get('year')}); rename the file"
            )
    existing = next(
        (e for e in entries if e.get("area") == meta.area and e.get("year") == meta.year
         and e.get("issuer") == meta.issuer),
        None,
    )  # fmt: skip
    graph_name = str(GRAPH[f"report/{meta.report_id}"])
    unchanged = (
        existing is not None
        and existing == entry
        and dest.exists()
        and sha256_hex(dest.read_bytes()) == sha256_hex(data)
        and stored_sha(settings, graph_name) == sha256_hex(text.encode("utf-8"))
    )
    if unchanged:
        return IngestResult("unchanged", meta.report_id, graph_name, 0, dest)

    from fazhi_graph.build import build
    from fazhi_graph.extract import extract
    from fazhi_graph.store import is_store_dir

    graph = to_graph(extract(text, meta))
    _check(graph, path)

    # every check passed: the text, the catalogue and the store change together (journal.py)
    new_entries = [e for e in entries if e is not existing and e["file"] != path.name] + [entry]
    files = {catalogue_path: catalogue_text(_header(catalogue_path), new_entries).encode("utf-8")}
    if dest.resolve() != path.resolve():
        files[dest] = data
    has_store = is_store_dir(settings.store_path)
    before = _version(settings) if has_store else None
    text_sha = sha256_hex(text.encode("utf-8"))
    with transaction(
        settings, files, graph=graph_name, text_sha=text_sha, version_before=before
    ) as place:
        if has_store:
            _replace_in_store(settings, graph_name, graph)
        else:
            place()  # no store yet: the build reads the catalogue and the text from disk
            build(settings)
    status = "replaced" if existing is not None else "added"
    return IngestResult(status, meta.report_id, graph_name, len(graph), dest)


def stored_sha(settings: Settings, graph_name: str) -> str:
    """The source SHA-256 recorded in the stored report graph ('' if none or no store)."""
    import pyoxigraph as ox

    from fazhi_graph.store import is_store_dir, open_store

    if not is_store_dir(settings.store_path):
        return ""
    with open_store(settings.store_path, read_only=True) as store:
        if graph_name not in store.graph_names():
            return ""
        rows = store.query(
            "SELECT ?sha WHERE { ?r a fz:AnnualReport ; fz:sourceSha256 ?sha }",
            prefixes=PREFIXES,
            default_graph=[graph_name],
        )
        assert isinstance(rows, ox.QuerySolutions)
        for row in rows:
            sha = row["sha"]
            return sha.value if sha is not None else ""
    return ""


def _version(settings: Settings) -> str:
    from fazhi_graph.store import open_store

    with open_store(settings.store_path, read_only=True) as store:
        return store.version()


def _replace_in_store(settings: Settings, name: str, graph: Graph) -> None:
    """Replace the report's graph and add its shared triples to ``fzg:shared``; rewrite the
    curated English names and the consistency findings (both depend on every report). One
    transaction, computed on an in-memory copy first, so a crash leaves the store wholly as
    it was or wholly updated. Shared triples only the replaced version of a report gave stay
    until the next ``build`` (they describe a node, never a report's statement)."""
    from fazhi_graph.checks import CHECKS_GRAPH, findings_graph, run_checks
    from fazhi_graph.export import to_rdflib_graph
    from fazhi_graph.store import OxigraphStore, open_store

    curated_name = str(GRAPH["curated"])
    own, part = split_shared(name, graph)
    with open_store(settings.store_path) as store:
        scratch = store.load_into_memory()
        scratch.replace_graph(name, own)
        shared = to_rdflib_graph(scratch, SHARED_GRAPH)
        shared += part
        scratch.replace_graph(SHARED_GRAPH, shared)
        reports = [
            to_rdflib_graph(scratch, g)
            for g in scratch.graph_names()
            if g.startswith(REPORT_GRAPH_PREFIX)
        ]
        curated = curated_graph(settings.project_root, [*reports, shared])
        scratch.replace_graph(curated_name, curated)
        changes = {name: own, SHARED_GRAPH: shared, curated_name: curated,
                   CHECKS_GRAPH: findings_graph(run_checks(scratch))}
        assert isinstance(store, OxigraphStore)
        store.replace_graphs(changes)
