"""Saved queries and ad-hoc querying: what ``fazhi-graph query`` does, as plain functions.

Saved queries live in ``queries/*.rq``; a header of comment lines describes each one::

    # title@zh: 各地法治督察次数
    # title@en: Rule-of-law inspections per area
    # description: Counts oversight activities per reporting area and year.
    # param: area = * — reporting area's Chinese name (城东区); * for every area
    # param: activity = fzac:Inspection — the kind of activity counted
    PREFIX fz: <https://w3id.org/fazhi-graph/ontology#>
    SELECT ...

Named parameters (``# param: name = default — meaning``) are ``?name`` variables of the query.
:func:`bind` makes the runnable query: it puts ``VALUES (?name …) { (term …) }`` at the start
of the outermost ``WHERE`` group, with each value turned into a typed RDF term first (IRIs
validated by pyoxigraph, literals escaped by pyoxigraph's serialisation; user text is never
pasted into the query). pyoxigraph's own ``substitutions=`` cannot do this: it only accepts
variables of the ``SELECT`` projection, and parameters are mostly used in filters and joins.
The default's form gives the parameter's kind: an IRI (``fzi:reply-rate`` or ``<…>``), an
integer, a decimal or text; ``*`` leaves the variable unbound, which the queries read as
"every …". A query pasted elsewhere as it is runs with every parameter unbound.

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
>>> print(bind("# param: n = 2 — how many\\nSELECT ?n WHERE { }", {"n": "3"}))
# param: n = 2 — how many
SELECT ?n WHERE { VALUES (?n) { ("3"^^<http://www.w3.org/2001/XMLSchema#integer>) }
 }
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from fazhi_graph.errors import FormatError, QueryError
from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.store import Store

__all__ = [
    "ANY",
    "OUTPUT_FORMATS",
    "ParamValue",
    "QueryParam",
    "SavedQuery",
    "bind",
    "format_result",
    "load_query",
    "param_term",
    "parse_header",
    "parse_param_values",
    "parse_params",
    "run_query",
    "saved_queries",
]

OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "turtle", "ntriples")
"""Names accepted by :func:`run_query` (``turtle``/``ntriples`` for graph results only)."""

_HEADER = re.compile(r"^#\s*([\w@.-]+)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S*)\s+(?:—|--)\s+(.+)$")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(?:\d+\.\d*|\.\d+)$")
_PREFIXED = re.compile(r"^([A-Za-z][\w.-]*)?:([^\s<>\"{}|^`\\]*)$")

ANY = "*"
"""A parameter value that leaves the variable unbound ("every area", "every year")."""

ParamValue = str | ox.NamedNode | ox.Literal | None
"""What :func:`bind` accepts for a parameter: text to parse, a ready term, or ``None`` (= ANY)."""


@dataclass(frozen=True)
class QueryParam:
    """A named parameter declared in a saved query's header (``# param: name = default — …``)."""

    name: str
    """The query variable, without ``?``."""
    default: str
    """The default as written in the header (``*`` = unbound)."""
    description: str

    @property
    def kind(self) -> str:
        """``iri``, ``integer``, ``decimal``, ``text`` or ``any`` (read from the default)."""
        return _kind(self.default)


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
    params: tuple[QueryParam, ...] = ()
    """Named parameters, in header order."""
    header: Mapping[str, str] = field(default_factory=dict)
    """Every other ``# key: value`` line of the header (e.g. ``cq``)."""

    @property
    def title(self) -> str:
        """English title, else Chinese title, else the name."""
        return self.title_en or self.title_zh or self.name


def _header_lines(text: str) -> Iterable[tuple[str, str]]:
    """(key, value) of the ``# key: value`` lines at the top of a query."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        match = _HEADER.match(stripped)
        if match:
            yield match.group(1).lower(), match.group(2)


def parse_header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a query (stops at the first other line).

    ``# param:`` lines are left out (see :func:`parse_params`).
    """
    return {key: value for key, value in _header_lines(text) if key != "param"}


def parse_params(text: str, *, source: str = "the query") -> tuple[QueryParam, ...]:
    """The ``# param: name = default — meaning`` lines of a query's header, in order.

    >>> parse_params("# param: year = * — reporting year; * for every year")[0].kind
    'any'
    """
    params: list[QueryParam] = []
    for key, value in _header_lines(text):
        if key != "param":
            continue
        match = _PARAM.match(value)
        if not match:
            raise QueryError(
                f"{source}: malformed parameter line {value!r}; write "
                "'# param: name = default — meaning' (default * for unbound)"
            )
        name, default, description = match.groups()
        if any(p.name == name for p in params):
            raise QueryError(f"{source}: parameter {name!r} is declared twice")
        param = QueryParam(name, default, description.strip())
        if param.default != ANY:
            param_term(param, param.default)  # the default itself must make a valid term
        params.append(param)
    return tuple(params)


def _kind(text: str) -> str:
    """The kind of a parameter value as written (see :attr:`QueryParam.kind`)."""
    if text == ANY:
        return "any"
    if _iri_text(text) is not None:
        return "iri"
    if _INTEGER.match(text):
        return "integer"
    if _DECIMAL.match(text):
        return "decimal"
    return "text"


def _iri_text(text: str) -> str | None:
    """The full IRI a value names (``<…>``, a known prefixed name, http(s)/urn), else None."""
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    match = _PREFIXED.match(text)
    if match and (match.group(1) or "") in PREFIXES:
        return PREFIXES[match.group(1) or ""] + match.group(2)
    if re.match(r"^(?:https?://|urn:)\S+$", text):
        return text
    return None


def param_term(param: QueryParam, value: ParamValue) -> ox.NamedNode | ox.Literal | None:
    """The RDF term ``value`` gives ``param`` (``None`` = unbound), checked against its kind.

    Text is parsed by the parameter's kind (the kind of its default; for ``*`` defaults, the
    kind of the value itself). Raises :class:`QueryError` saying what the parameter expects.

    >>> param_term(QueryParam("i", "fzi:reply-rate", "indicator"), "fzi:lectures").value
    'https://w3id.org/fazhi-graph/vocab/indicator/lectures'
    """
    kind = param.kind
    if value is None or (isinstance(value, str) and value.strip() == ANY):
        if kind in ("integer", "decimal"):
            raise QueryError(
                f"parameter {param.name} needs a number (default {param.default}); "
                "* is only for parameters that may stay unbound"
            )
        return None
    if isinstance(value, ox.NamedNode):
        if kind not in ("iri", "any"):
            raise QueryError(f"parameter {param.name} expects {kind}, not an IRI")
        return value
    if isinstance(value, ox.Literal):
        if kind == "iri":
            raise QueryError(f"parameter {param.name} expects an IRI, not a literal")
        return value
    text = value.strip()
    if kind == "any":
        kind = _kind(text)
    if kind == "iri":
        iri = _iri_text(text)
        if iri is None:
            raise QueryError(
                f"parameter {param.name} expects an IRI such as {param.default}, got {text!r} "
                "(write prefix:name with a project prefix, or <full IRI>)"
            )
        try:
            return ox.NamedNode(iri)
        except ValueError as exc:
            raise QueryError(f"parameter {param.name}: {iri!r} is not a valid IRI ({exc})") from exc
    if kind == "integer":
        if not _INTEGER.match(text):
            raise QueryError(f"parameter {param.name} expects an integer, got {text!r}")
        return ox.Literal(str(int(text)), datatype=ox.NamedNode(_XSD + "integer"))
    if kind == "decimal":
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or not (_INTEGER.match(text) or _DECIMAL.match(text)):
            raise QueryError(f"parameter {param.name} expects a number, got {text!r}")
        return ox.Literal(format(number, "f"), datatype=ox.NamedNode(_XSD + "decimal"))
    return ox.Literal(text)


def parse_param_values(pairs: Iterable[str]) -> dict[str, str]:
    """``["area=城东区", "year=2020"]`` (as given to ``--param``) → ``{"area": "城东区", …}``."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise QueryError(f"--param {pair!r}: write name=value (e.g. --param year=2020)")
        values[name.strip()] = value.strip()
    return values


def bind(query: SavedQuery | str, values: Mapping[str, ParamValue] | None = None) -> str:
    """The runnable text of ``query`` with its parameters bound (defaults for those not given).

    The terms go into a ``VALUES`` block at the start of the outermost ``WHERE`` group, so a
    parameter is visible to every pattern and filter of that group (not inside sub-SELECTs,
    which are evaluated first). A query without parameters comes back unchanged.
    Raises :class:`QueryError` for unknown parameter names and values of the wrong kind.
    """
    text = query if isinstance(query, str) else query.text
    params = parse_params(text) if isinstance(query, str) else query.params
    given = dict(values or {})
    declared = {p.name for p in params}
    unknown = sorted(set(given) - declared)
    if unknown:
        takes = ", ".join(p.name for p in params) or "no parameters"
        raise QueryError(
            f"unknown parameter {', '.join(unknown)}; this query takes: {takes}"
        )
    if not params:
        return text
    terms = [param_term(p, given.get(p.name, p.default)) for p in params]
    variables = " ".join(f"?{p.name}" for p in params)
    row = " ".join("UNDEF" if t is None else str(t) for t in terms)
    position = _where_group(text)
    return f"{text[: position + 1]} VALUES ({variables}) {{ ({row}) }}\n{text[position + 1 :]}"


_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_]\w*")


def _where_group(text: str) -> int:
    """Index of the ``{`` that opens the query's outermost WHERE group.

    Skips comments, strings and IRIs. The group is the first top-level ``{`` after the WHERE
    keyword, else (WHERE is optional) the first top-level ``{`` — the second for CONSTRUCT.
    """
    depth = 0
    seen_where = False
    construct = False
    top_level_braces = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if ch in "\"'":
            i = _skip_string(text, i)
            continue
        if ch == "<":
            match = _IRIREF.match(text, i)
            if match:
                i = match.end()
                continue
        if ch in "?$":  # a variable: never a keyword
            match = _WORD.match(text, i + 1)
            i = match.end() if match else i + 1
            continue
        if ch == "{":
            if depth == 0:
                top_level_braces += 1
                if seen_where or not construct or top_level_braces == 2:
                    return i
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            match = _WORD.match(text, i)
            assert match is not None  # the first character matches [A-Za-z_]
            word = match.group(0)
            following = text[match.end() : match.end() + 1]
            preceding = text[i - 1] if i else " "
            if depth == 0 and following != ":" and preceding not in ":-.":
                upper = word.upper()
                if upper == "WHERE":
                    seen_where = True
                elif upper == "CONSTRUCT":
                    construct = True
            i = match.end()
            continue
        i += 1
    raise QueryError("cannot bind parameters: the query has no WHERE group to put them in")


def _skip_string(text: str, i: int) -> int:
    """Index just after the string literal starting at ``i`` (short or long form)."""
    quote = text[i]
    if text.startswith(quote * 3, i):
        end = text.find(quote * 3, i + 3)
        while end > 0 and text[end - 1] == "\\" and not _even_backslashes(text, end):
            end = text.find(quote * 3, end + 1)
        return len(text) if end < 0 else end + 3
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == quote or text[j] == "\n":
            return j + 1
        j += 1
    return j


def _even_backslashes(text: str, end: int) -> bool:
    """Whether the run of backslashes just before ``end`` has even length (quote not escaped)."""
    count = 0
    while end - count - 1 >= 0 and text[end - count - 1] == "\\":
        count += 1
    return count % 2 == 0


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
        params=parse_params(text, source=str(path)),
        header={k: v for k, v in header.items()
                if k not in ("title@zh", "title@en", "description")},
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
