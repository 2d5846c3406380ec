"""Refuse federation before a query reaches the engine.

pyoxigraph evaluates ``SERVICE`` by making an outgoing HTTP request, and offers no switch to
turn that off; a SPARQL Update ``LOAD`` fetches a URL too. This module finds those keywords
with a small SPARQL tokenizer (comments, strings, IRIs and variables are skipped, so
``?service``, ``ex:service``, ``"SERVICE"`` and ``<http://x/SERVICE>`` are not keywords) and
refuses them unless the endpoint IRI is in the allow-list.

>>> check_federation("SELECT * { ?service ?p 'SERVICE' }  # SERVICE", ())
>>> check_federation("SELECT * { SERVICE <http://a/sparql> { ?s ?p ?o } }", ())
... # doctest: +ELLIPSIS
Traceback (most recent call last):
fazhi_graph.errors.QueryRefusedError: SERVICE <http://a/sparql> is refused: ...
>>> check_federation("SELECT * { SERVICE <http://a/sparql> { ?s ?p ?o } }", ("http://a/sparql",))
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from urllib.parse import urljoin

from fazhi_graph.errors import QueryRefusedError

__all__ = ["MAX_NESTING", "check_federation", "check_nesting", "has_dataset_clause", "tokens"]

MAX_NESTING = 40
"""Deepest nesting of ``{ ( [`` a query may have. Oxigraph's parser recurses per level: a few
thousand levels overflow its stack and kill the process, and nested collections
``((( … )))`` take time cubic in the depth (100 levels: 2.6 s). Real queries nest well under
20."""

_PN = r"\w\u00B7\u0300-\u036F\u203F\u2040"
_TOKEN = re.compile(
    r'(?P<ws>\s+)'
    r'|(?P<comment>\#[^\n\r]*)'
    r'|(?P<lstr>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\')'
    r'|(?P<str>"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    rf'|(?P<var>[?$][{_PN}]+)'
    rf'|(?P<word>[{_PN}\-.:%\\]+)'
    r'|(?P<other>.)',
    re.DOTALL,
)


def tokens(text: str) -> Iterator[tuple[str, str]]:
    """Yield ``(kind, text)`` for the significant tokens of a SPARQL string.

    Kinds: ``iri``, ``var``, ``word`` (keywords, prefixed names, numbers), ``str``, ``other``.

    >>> [t for t in tokens("PREFIX ex: <http://e/> SELECT ?x { ?x ex:p 'a#b' } # c")][:4]
    [('word', 'PREFIX'), ('word', 'ex:'), ('iri', '<http://e/>'), ('word', 'SELECT')]
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        value = match.group()
        if kind == "lstr":
            kind = "str"
        elif kind == "word":
            value = value.strip(".")
            if not value:
                continue
        yield kind, value


def _expand(token: tuple[str, str], prefixes: Mapping[str, str], base: str | None) -> str | None:
    kind, value = token
    if kind == "iri":
        iri = value[1:-1]
        if base is not None:
            iri = urljoin(base, iri)
        return iri if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", iri) else None
    if kind == "word" and ":" in value:
        prefix, _, local = value.partition(":")
        ns = prefixes.get(prefix)
        return None if ns is None else ns + local
    return None


def check_federation(
    text: str,
    allow: Sequence[str],
    *,
    prefixes: Mapping[str, str] | None = None,
) -> None:
    """Raise :class:`QueryRefusedError` if ``text`` uses ``SERVICE`` or ``LOAD`` on an IRI
    that is not in ``allow`` (an allow-list entry ending in ``*`` is a prefix).

    ``prefixes`` are the prefixes the engine predeclares; ``PREFIX``/``BASE`` in the text
    are honoured. ``SERVICE ?var`` is always refused: its target is unknown before evaluation.
    """
    if "service" not in text.lower() and "load" not in text.lower():
        return
    known = dict(prefixes or {})
    base: str | None = None
    toks = list(tokens(text))
    for i, (kind, value) in enumerate(toks):
        if kind != "word":
            continue
        upper = value.upper()
        if upper in ("PREFIX", "BASE") and i + 1 < len(toks):
            if upper == "BASE" and toks[i + 1][0] == "iri":
                iri = toks[i + 1][1][1:-1]
                base = urljoin(base, iri) if base else iri
            elif upper == "PREFIX" and i + 2 < len(toks) and toks[i + 2][0] == "iri":
                target = _expand(toks[i + 2], known, base)
                if target is not None:
                    known[toks[i + 1][1].rstrip(":")] = target
            continue
        if upper not in ("SERVICE", "LOAD"):
            continue
        j = i + 1
        if j < len(toks) and toks[j][0] == "word" and toks[j][1].upper() == "SILENT":
            j += 1
        target = _expand(toks[j], known, base) if j < len(toks) else None
        if target is not None and _allowed(target, allow):
            continue
        shown = f"<{target}>" if target is not None else (toks[j][1] if j < len(toks) else "")
        what = "federated queries (SERVICE)" if upper == "SERVICE" else "LOAD of remote data"
        hint = (
            f"the allowed endpoints are: {', '.join(allow)}"
            if allow
            else "this endpoint makes no outgoing requests"
        )
        raise QueryRefusedError(
            f"{upper} {shown} is refused: {what} are not allowed here ({hint}); run the "
            "remote part against its own endpoint, or start the server with an allow-list"
        )


_OPEN = {"{": "}", "(": ")", "[": "]"}
_CLOSE = set(_OPEN.values())


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Raise :class:`QueryRefusedError` if brackets nest deeper than ``limit``.

    Brackets inside strings and comments do not count; inside IRIs they do (an IRI token
    can be faked with ``?a<(((…)))>?b``, which the engine reads as comparisons).

    >>> check_nesting("SELECT * { { ?s ?p '((((' } }", limit=2)
    >>> check_nesting("ASK { FILTER(((1))) }", limit=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    fazhi_graph.errors.QueryRefusedError: the query nests brackets 4 deep, ...
    """
    if sum(text.count(c) for c in _OPEN) <= limit:
        return
    depth = deepest = 0
    for kind, value in tokens(text):
        if kind == "str":
            continue
        for char in value:
            if char in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif char in _CLOSE:
                depth = max(0, depth - 1)
        if deepest > limit:
            raise QueryRefusedError(
                f"the query nests brackets {deepest} deep, over the limit of {limit}: the "
                "engine cannot parse deeper queries safely; flatten it (use UNION, VALUES "
                "or several triple patterns instead of nested groups)"
            )


def _allowed(iri: str, allow: Sequence[str]) -> bool:
    for entry in allow:
        if entry.endswith("*"):
            if iri.startswith(entry[:-1]):
                return True
        elif iri == entry:
            return True
    return False


def has_dataset_clause(text: str) -> bool:
    """Whether the query names its own dataset with ``FROM`` / ``FROM NAMED``.

    The endpoint's union default graph must then step aside (pyoxigraph would otherwise let
    the union win over ``FROM``).

    >>> has_dataset_clause("SELECT * FROM <http://g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT * { ?s <http://x/from> 'FROM' } # FROM")
    False
    """
    if "from" not in text.lower():
        return False
    return any(kind == "word" and value.upper() == "FROM" for kind, value in tokens(text))
