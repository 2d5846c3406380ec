"""Where an IRI lives on this server, and how to show it compactly.

Every IRI the project mints starts with :data:`fazhi_graph.namespaces.BASE`
(``https://w3id.org/fazhi-graph/``); the server answers for it at the same path on its own
host, so ``…/id/org/chengdongqu/quzhengfu`` is ``/id/org/chengdongqu/quzhengfu`` here. Hash
IRIs (``…/ontology#PublicBody``) live in their document (``/ontology#PublicBody``). Any other
IRI (a standard vocabulary term, an IRI from another dataset) is shown by ``/resource?iri=…``.

>>> local_path("https://w3id.org/fazhi-graph/id/org/chengdongqu/quzhengfu")
'/id/org/chengdongqu/quzhengfu'
>>> page_url("https://w3id.org/fazhi-graph/ontology#PublicBody")
'/ontology#PublicBody'
>>> page_url("http://www.w3.org/ns/org#Post")
'/resource?iri=http%3A%2F%2Fwww.w3.org%2Fns%2Forg%23Post'
>>> iri_for_path("id/place/chengdongqu")
'https://w3id.org/fazhi-graph/id/place/chengdongqu'
>>> curie("http://www.w3.org/2004/02/skos/core#prefLabel")
'skos:prefLabel'
>>> reader_url("https://w3id.org/fazhi-graph/id/text/chengdongqu-2020", 12, 40)
'/reports/chengdongqu-2020#char-12-40'
"""

from __future__ import annotations

import re
from urllib.parse import quote

from fazhi_graph.namespaces import BASE, DATA, GRAPH, PREFIXES

__all__ = [
    "RDF_SUFFIXES",
    "anchor_id",
    "curie",
    "iri_for_path",
    "is_ours",
    "local_name",
    "local_path",
    "page_url",
    "reader_url",
    "report_id_of",
    "split_suffix",
]

RDF_SUFFIXES: dict[str, str] = {".ttl": "turtle", ".jsonld": "jsonld", ".nt": "ntriples"}
"""Path suffixes that ask for an RDF serialisation (the key of a graph format)."""
PAGE_SUFFIXES: dict[str, str] = {".json": "json", ".html": "html", **RDF_SUFFIXES}
"""Every suffix a page URL may end with: its JSON twin, HTML, or RDF."""

_TEXT = str(DATA["text/"])
_REPORT = str(DATA["report/"])
_SENTENCE = re.compile(r"^(?P<ctx>.+)/char/(?P<b>\d+)-(?P<e>\d+)$")
_PREFIX_ORDER = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def is_ours(iri: str) -> bool:
    """Whether ``iri`` was minted by the project (starts with the base IRI)."""
    return iri.startswith(BASE)


def local_path(iri: str) -> str | None:
    """The path on this server of one of our IRIs (fragment dropped), else ``None``."""
    if not is_ours(iri):
        return None
    return "/" + iri[len(BASE) :].split("#", 1)[0]


def page_url(iri: str) -> str:
    """The URL (relative to this server) of the page describing ``iri``."""
    path = local_path(iri)
    if path is None or path == "/":
        return "/resource?iri=" + quote(iri, safe="")
    fragment = iri.partition("#")[2]
    return path + ("#" + fragment if fragment else "")


def iri_for_path(path: str) -> str:
    """The IRI a request path stands for (leading slash optional)."""
    return BASE + path.lstrip("/")


def split_suffix(path: str) -> tuple[str, str | None]:
    """Split a format suffix (``.ttl``, ``.jsonld``, ``.nt``, ``.json``, ``.html``) off a path.

    >>> split_suffix("id/org/x.ttl"), split_suffix("id/text/r/section/2.3")
    (('id/org/x', 'turtle'), ('id/text/r/section/2.3', None))
    """
    for suffix, key in PAGE_SUFFIXES.items():
        if path.endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)], key
    return path, None


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI under a known namespace, else the IRI in angle brackets."""
    for prefix, ns in _PREFIX_ORDER:
        if iri.startswith(ns) and len(iri) > len(ns):
            rest = iri[len(ns) :]
            if re.fullmatch(r"[\w.\-]+", rest) and not rest.endswith("."):
                return f"{prefix}:{rest}"
    return f"<{iri}>"


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or the last ``/``).

    >>> local_name("http://www.w3.org/ns/org#unitOf"), local_name("http://schema.org/Place")
    ('unitOf', 'Place')
    """
    tail = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in tail:
            tail = tail.rsplit(sep, 1)[1]
            break
    return tail or iri


def report_id_of(iri: str) -> str | None:
    """The report id of a report IRI, text IRI, section or sentence IRI, else ``None``.

    >>> report_id_of("https://w3id.org/fazhi-graph/id/text/x-2020/char/1-5")
    'x-2020'
    >>> report_id_of("https://w3id.org/fazhi-graph/graph/report/x-2020")
    'x-2020'
    """
    for base in (_TEXT, _REPORT, str(GRAPH["report/"])):
        if iri.startswith(base):
            rest = iri[len(base) :]
            rid = rest.split("/", 1)[0]
            return rid or None
    return None


def anchor_id(begin: int, end: int) -> str:
    """The HTML id of a sentence in the report reader (stable: made from its offsets)."""
    return f"char-{begin}-{end}"


def reader_url(context: str, begin: int | None = None, end: int | None = None) -> str | None:
    """The reader URL of a report text (optionally at a sentence), from its context IRI."""
    rid = report_id_of(context)
    if rid is None:
        return None
    url = "/reports/" + quote(rid, safe="")
    if begin is not None and end is not None:
        url += "#" + anchor_id(begin, end)
    return url


def sentence_offsets(iri: str) -> tuple[str, int, int] | None:
    """(context IRI, begin, end) parsed from a sentence IRI ``…/text/{rid}/char/{b}-{e}``.

    >>> sentence_offsets("https://w3id.org/fazhi-graph/id/text/x/char/3-9")
    ('https://w3id.org/fazhi-graph/id/text/x', 3, 9)
    """
    match = _SENTENCE.match(iri)
    if match is None or not iri.startswith(_TEXT):
        return None
    return match["ctx"], int(match["b"]), int(match["e"])
