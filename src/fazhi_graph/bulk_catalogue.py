"""The project's catalogue as ``ingest DIR`` keeps it: in memory, rewritten with each commit.

A bulk ingest adds thousands of entries and writes the whole catalogue after each commit, so
:class:`Catalogue` finds the entries an addition replaces through indexes and renders each
entry once, not the whole list again per entry and per commit: the text is what
:func:`fazhi_graph.ingest.catalogue_text` gives for the entries in order.
"""

from __future__ import annotations

from pathlib import Path

from fazhi_graph.pipeline import CatalogueEntry

__all__ = ["Catalogue"]

_Key = tuple[object, object, object]


def _report_key(entry: CatalogueEntry) -> _Key:
    """What makes two entries the same report: area, year and issuer."""
    return entry.get("area"), entry.get("year"), entry.get("issuer")


class Catalogue:
    """The entries of ``data/reports/reports.toml`` under ``root``, in order."""

    def __init__(self, root: Path) -> None:
        from fazhi_graph.ingest import _header
        from fazhi_graph.pipeline import catalogue

        self.path = root / "data" / "reports" / "reports.toml"
        self.header = _header(self.path)
        self._entries: list[CatalogueEntry | None] = []  # None: replaced since
        self._texts: list[str] = []  # each entry's table, "" until rendered
        self._by_file: dict[object, list[int]] = {}
        self._by_key: dict[_Key, list[int]] = {}
        for entry in catalogue(root) if self.path.exists() else []:
            self._append(entry)

    @property
    def entries(self) -> list[CatalogueEntry]:
        """The entries, in order."""
        return [e for e in self._entries if e is not None]

    def by_file(self) -> dict[str, CatalogueEntry]:
        """File name → its entry (the last one, should a file be listed twice)."""
        return {str(e["file"]): e for e in self.entries}

    def put(self, entry: CatalogueEntry) -> bool:
        """Add ``entry`` last, dropping every entry of the same file or the same report (area,
        year and issuer); return whether any was dropped."""
        dropped = {*self._by_file.pop(entry["file"], ()), *self._by_key.pop(_report_key(entry), ())}
        dropped = {i for i in dropped if self._entries[i] is not None}
        for i in dropped:
            self._entries[i] = None
        self._append(entry)
        return bool(dropped)

    def text(self) -> bytes:
        """The catalogue file, as :func:`~fazhi_graph.ingest.catalogue_text` writes it."""
        from fazhi_graph.ingest import catalogue_table

        parts = [self.header.rstrip("\n"), ""]
        for i, entry in enumerate(self._entries):
            if entry is not None:
                if not self._texts[i]:
                    self._texts[i] = catalogue_table(entry)
                parts.append(self._texts[i])
        return "\n".join(parts).encode("utf-8")

    def _append(self, entry: CatalogueEntry) -> None:
        index = len(self._entries)
        self._entries.append(entry)
        self._texts.append("")
        self._by_file.setdefault(entry["file"], []).append(index)
        self._by_key.setdefault(_report_key(entry), []).append(index)
