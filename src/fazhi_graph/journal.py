"""The ingest journal: the store, the catalogue and the copied text change together or not at all.

``ingest`` changes three things: the report's text in ``data/reports/``, the catalogue
``data/reports/reports.toml`` and the store. The store commits in one transaction; the files
follow a journal, so a crash (``kill -9`` included) at any point is repaired by the next
``ingest`` or ``build``, which call :func:`recover` first::

    1. write data/reports/.ingest-journal.json   what is about to change, and how to tell
                                                 whether the store took it
    2. stage the new files beside their targets   .<name>.staged (targets untouched)
    3. commit                                     one store transaction (report graph, curated
                                                 names, consistency findings), or the build
    4. move the staged files into place, delete the journal

:func:`recover` decides by the store: when it holds the new report graph (its
``fz:sourceSha256`` is the new text's, its hash is in the meta graph and the version token moved
on) the staged files are moved into place (roll forward); otherwise they are deleted and any
file already replaced is put back from its backup (roll back). Either way the catalogue and
the texts then describe exactly what the store holds. Report graphs a bulk write left
without their hash (partial, see :func:`fazhi_graph.store.add_graphs`) are dropped.

When no store exists yet, the build reads the catalogue from disk, so step 3 and 4 swap: the
files go into place first (the previous ones kept as ``.<name>.backup``), then the build runs;
rolling back restores the backups.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from fazhi_graph.errors import CatalogueError
from fazhi_graph.settings import Settings
from fazhi_graph.storedir import os_error_message

__all__ = ["JOURNAL_NAME", "Staged", "journal_path", "recover", "transaction"]

JOURNAL_NAME = ".ingest-journal.json"
"""File name of the journal, in ``data/reports/``."""

_ACTIVE: set[Path] = set()
"""Journals of transactions running in this process (the build an ingest runs must not
mistake its caller's journal for an interrupted one)."""


@dataclass(frozen=True)
class Staged:
    """One file an ingest replaces: its target, staged copy and (files moved early) backup."""

    dest: str
    staged: str
    backup: str | None = None
    existed: bool = True


def journal_path(settings: Settings) -> Path:
    """``data/reports/.ingest-journal.json`` of the project."""
    return settings.project_root / "data" / "reports" / JOURNAL_NAME


def _write(path: Path, data: bytes) -> None:
    """Write ``path`` through a temporary file and a rename; clear error when the disk refuses."""
    tmp = path.with_name(f"{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CatalogueError(f"cannot write {path}: {os_error_message(exc)}; nothing was "
                             "changed") from exc


def _move(src: Path, dest: Path) -> None:
    try:
        os.replace(src, dest)
    except OSError as exc:
        raise CatalogueError(f"cannot move {src} to {dest}: {os_error_message(exc)}; the next "
                             "`fazhi-graph ingest` or `build` finishes the job") from exc


@contextmanager
def transaction(
    settings: Settings,
    files: dict[Path, bytes],
    *,
    graph: str,
    text_sha: str,
    version_before: str | None,
) -> Iterator[Callable[[], None]]:
    """Journal and stage ``files`` (target → new bytes); yield ``place``, then finish.

    The caller commits to the store inside the ``with`` block. With a store (``version_before``
    is its version token) the files are moved into place after the block; without one the
    caller calls ``place()`` before building (the build reads them). An exception in the block
    rolls the files back; a crash leaves the journal for :func:`recover`.
    """
    journal = journal_path(settings)
    early = version_before is None
    entries = [
        Staged(
            str(dest), str(dest.with_name(f".{dest.name}.staged")),
            str(dest.with_name(f".{dest.name}.backup")) if early and dest.exists() else None,
            dest.exists(),
        )
        for dest in files
    ]
    record = {"graph": graph, "text_sha": text_sha, "version_before": version_before,
              "files": [asdict(e) for e in entries]}
    _write(journal, json.dumps(record, ensure_ascii=False, indent=1).encode("utf-8"))
    _ACTIVE.add(journal)
    try:
        for entry, data in zip(entries, files.values(), strict=True):
            _write(Path(entry.staged), data)

        def place() -> None:
            for entry in entries:
                if entry.backup is not None:
                    _copy(Path(entry.dest), Path(entry.backup))
                _move(Path(entry.staged), Path(entry.dest))

        yield place
    except BaseException:
        _roll_back(entries)
        journal.unlink(missing_ok=True)
        raise
    finally:
        _ACTIVE.discard(journal)
    _roll_forward(entries)
    journal.unlink(missing_ok=True)


def _copy(src: Path, dest: Path) -> None:
    _write(dest, src.read_bytes())


def _roll_forward(entries: list[Staged]) -> None:
    for entry in entries:
        staged = Path(entry.staged)
        if staged.exists():
            _move(staged, Path(entry.dest))
        if entry.backup is not None:
            Path(entry.backup).unlink(missing_ok=True)


def _roll_back(entries: list[Staged]) -> None:
    for entry in entries:
        Path(entry.staged).unlink(missing_ok=True)
        dest = Path(entry.dest)
        if entry.backup is not None and Path(entry.backup).exists():
            _move(Path(entry.backup), dest)
        elif not entry.existed:
            dest.unlink(missing_ok=True)


def recover(settings: Settings) -> str | None:
    """Finish or undo an ingest that was interrupted; ``"forward"``, ``"back"`` or ``None``.

    Call with the store's writer lock held (:func:`fazhi_graph.storedir.writer_lock`).
    """
    journal = journal_path(settings)
    if journal in _ACTIVE:  # this process's own transaction, still running
        return None
    journal.with_name(f"{journal.name}.tmp").unlink(missing_ok=True)
    if not journal.exists():
        return None
    try:
        record = json.loads(journal.read_text(encoding="utf-8"))
        entries = [Staged(**e) for e in record["files"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise CatalogueError(
            f"{journal} is not a readable ingest journal ({exc}); compare data/reports/ with "
            "the store by hand, then delete the file"
        ) from exc
    for entry in entries:
        Path(entry.staged).with_name(f"{Path(entry.staged).name}.tmp").unlink(missing_ok=True)
    if _committed(settings, record):
        _roll_forward(entries)
        outcome = "forward"
    else:
        _roll_back(entries)
        outcome = "back"
    _repair_store(settings)
    journal.unlink()
    return outcome


def _repair_store(settings: Settings) -> None:
    """Drop the report graphs an interrupted bulk write left without a hash (partial)."""
    from fazhi_graph.store import is_store_dir, open_store, repair_unhashed

    if is_store_dir(settings.store_path):
        with open_store(settings.store_path) as store:
            repair_unhashed(store)


def _committed(settings: Settings, record: dict[str, object]) -> bool:
    """Whether the store holds the journal's report graph as the interrupted ingest left it:
    the version moved on, the graph has its hash in the meta graph (written last, so the
    graph is complete) and the text's SHA-256."""
    from fazhi_graph.ingest import stored_sha
    from fazhi_graph.store import graph_hashes, is_store_dir, open_store

    if not is_store_dir(settings.store_path):
        return False
    with open_store(settings.store_path, read_only=True) as store:
        version, hashed = store.version(), str(record["graph"]) in graph_hashes(store)
    if version == record["version_before"] or not hashed:
        return False
    return stored_sha(settings, str(record["graph"])) == record["text_sha"]
