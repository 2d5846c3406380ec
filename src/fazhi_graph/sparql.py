"""Saved queries and ad-hoc querying: what ``fazhi-graph query`` does, as plain functions.

Saved queries live in ``queries/*.rq``; a header of comment lines describes each one::

    # title@zh: 各地法治督察次数
    # title@en: Rule-of-law inspections per area
    # description: Counts oversight activities per reporting area and year.
    PREFIX fz: <https://w3id.org/fazhi-graph/ontology#>
    SELECT ...

:func:`run_query` runs a query on a :class:`~fazhi_graph.store.Store` and formats the result
as a terminal table, CSV, TSV, JSON (SPARQL JSON, or JSON-LD for graphs) or Turtle (graphs).
The project prefixes (:data:`fazhi_graph.namespaces.PREFIXES`) are predeclared.

>>> from fazhi_graph.store import open_store
>>> store = open_store(backend="memory")
>>> print(run_query(store, "SELECT ?x WHERE { VALUES ?x { fz:Meeting 1 } }", fmt="csv"), end="")
x
https://w3id.org/fazhi-graph/ontology#Meeting
1
>>> parse_header("# title@en: Demo\\n# description: Two words.\\nSELECT * {}")["title@en"]
'Demo'
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from fazhi_graph.errors import FormatError, QueryError
from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.store import Store

__all__ = [
    "OUTPUT_FORMATS",
    "SavedQuery",
    "format_result",
    "load_query",
    "parse_header",
    "run_query",
    "saved_queries",
]

OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "turtle", "ntriples")
"""Names accepted by :func:`run_query` (``turtle``/``ntriples`` for graph results only)."""

_HEADER = re.compile(r"^#\s*([\w@.-]+)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class SavedQuery:
    """A query from ``queries/``, with its header metadata."""

    name: str
    """File name without ``.rq``."""
    path: Path
    text: str
    title_zh: str | None = None
    title_en: str | None = None
    description: str | None = None

    @property
    def title(self) -> str:
        """English title, else Chinese title, else the name."""
        return self.title_en or self.title_zh or self.name


def parse_header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a query (stops at the first other line)."""
    header: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if match:
            header[match.group(1).lower()] = match.group(2)
    return header


def _saved(path: Path) -> SavedQuery:
    text = path.read_text(encoding="utf-8")
    header = parse_header(text)
    return SavedQuery(
        name=path.stem,
        path=path,
        text=text,
        title_zh=header.get("title@zh"),
        title_en=header.get("title@en"),
        description=header.get("description"),
    )


def saved_queries(directory: Path) -> dict[str, SavedQuery]:
    """Every ``*.rq`` in ``directory`` by name, sorted by name."""
    if not directory.is_dir():
        return {}
    return {p.stem: _saved(p) for p in sorted(directory.glob("*.rq"))}


def load_query(spec: str, directory: Path) -> SavedQuery:
    """A saved query by name (``queries/NAME.rq``) or a path to any ``.rq`` file.

    Raises :class:`QueryError` naming the available saved queries when ``spec`` is neither.
    """
    path = Path(spec)
    if path.suffix == ".rq" and path.is_file():
        return _saved(path)
    known = saved_queries(directory)
    if spec in known:
        return known[spec]
    available = ", ".join(known) or f"none (no .rq files in {directory})"
    raise QueryError(
        f"no saved query or .rq file called {spec!r}; saved queries: {available}. "
        "Give a saved query's name, a path to a .rq file, or the query itself with -e"
    )


def run_query(
    store: Store,
    sparql: str,
    *,
    fmt: str = "table",
    max_rows: int | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> str:
    """Run ``sparql`` (project prefixes predeclared) and format the result as ``fmt``."""
    if fmt not in OUTPUT_FORMATS:
        raise FormatError(fmt, list(OUTPUT_FORMATS))
    known = dict(PREFIXES if prefixes is None else prefixes)
    result = store.query(sparql, prefixes=known)
    return format_result(result, fmt, max_rows=max_rows, prefixes=known)


def format_result(
    result: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples,
    fmt: str,
    *,
    max_rows: int | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> str:
    """Format a pyoxigraph query result (see :func:`run_query`)."""
    known = dict(PREFIXES if prefixes is None else prefixes)
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return "true\n" if bool(result) else "false\n"
        return _results(result, fmt)
    if isinstance(result, ox.QuerySolutions):
        if fmt in ("turtle", "ntriples"):
            raise FormatError(fmt, ["table", "csv", "tsv", "json"])
        if fmt == "table":
            variables = [v.value for v in result.variables]
            rows = []
            for i, solution in enumerate(result):
                if max_rows is not None and i >= max_rows:
                    break
                rows.append([_show(solution[v], known) for v in variables])
            return _table(variables, rows)
        return _results(result, fmt)
    if fmt in ("csv", "tsv"):
        raise FormatError(fmt, ["table", "turtle", "ntriples", "json"])
    triples = list(result)
    if max_rows is not None:
        triples = triples[:max_rows]
    if fmt == "table":
        rows = [[_show(t.subject, known), _show(t.predicate, known), _show(t.object, known)]
                for t in triples]
        return _table(["subject", "predicate", "object"], rows)
    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                  "json": ox.RdfFormat.JSON_LD}[fmt]
    used = None
    if fmt == "turtle":
        nt = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        used = {p: ns for p, ns in known.items() if ns.encode("utf-8") in nt} or None
    data = ox.serialize(triples, format=rdf_format, prefixes=used) or b""
    return data.decode("utf-8")


def _results(result: ox.QuerySolutions | ox.QueryBoolean, fmt: str) -> str:
    formats = {"csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV,
               "json": ox.QueryResultsFormat.JSON}
    data = result.serialize(format=formats[fmt]) or b""
    text = data.decode("utf-8").replace("\r\n", "\n")
    return text if text.endswith("\n") else text + "\n"


def _show(term: object, prefixes: Mapping[str, str]) -> str:
    """A compact, readable form of an RDF term for tables."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        best = ""
        for prefix, ns in prefixes.items():
            if term.value.startswith(ns) and len(ns) > len(prefixes.get(best, "")):
                best = prefix
        if best:
            return f"{best}:{term.value[len(prefixes[best]):]}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def _table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain-text table (CJK-aware widths, via rich) with a row count."""
    from rich.console import Console
    from rich.table import Table

    table = Table(*headers, show_lines=False, expand=False)
    for row in rows:
        table.add_row(*row)
    out = io.StringIO()
    Console(file=out, width=200, color_system=None, legacy_windows=False).print(table)
    return out.getvalue() + f"{len(rows)} row{'s' if len(rows) != 1 else ''}\n"
