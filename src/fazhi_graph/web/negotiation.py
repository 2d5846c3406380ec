"""Media types of the endpoint and HTTP content negotiation.

Three families of formats, each with a server preference order (the first is the default
when the client accepts anything):

* :data:`RESULT_FORMATS` for ``SELECT`` and ``ASK`` results: SPARQL JSON, XML, CSV, TSV;
* :data:`GRAPH_FORMATS` for ``CONSTRUCT``/``DESCRIBE`` results and single graphs: Turtle,
  N-Triples, JSON-LD, RDF/XML, TriG, N-Quads, N3;
* :data:`DATASET_FORMATS` for the whole dataset: TriG, N-Quads.

:func:`negotiate` implements RFC 9110 ``Accept`` matching: q-values, ``type/*`` and ``*/*``
wildcards, the most specific range decides a type's q-value, ties go to the range the client
listed first and then to the server's order. :func:`pick_override` handles the ``format=``
query parameter that links and SPARQLWrapper use (``format=json``, ``format=turtle``,
``format=text/csv`` …).

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_FORMATS).key
'xml'
>>> negotiate("application/sparql-results+xml, application/rdf+xml", GRAPH_FORMATS).key
'rdfxml'
>>> negotiate(None, GRAPH_FORMATS).key
'turtle'
>>> negotiate("text/html", RESULT_FORMATS) is None
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

__all__ = [
    "DATASET_FORMATS",
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "AcceptRange",
    "MediaFormat",
    "negotiate",
    "parse_accept",
    "pick_override",
]


@dataclass(frozen=True)
class MediaFormat:
    """One serialisation the endpoint can produce."""

    key: str
    """Short stable name (``"json"``, ``"turtle"`` …), used in cache keys and ETags."""
    media_type: str
    """Canonical media type, sent back in ``Content-Type``."""
    aliases: tuple[str, ...]
    """Other media types a client may ask for to get this format."""
    names: tuple[str, ...]
    """Values of the ``format=`` parameter that select this format."""
    label: str
    """Human-readable name (shown in error messages and the service description)."""
    iri: str
    """The W3C format IRI (``http://www.w3.org/ns/formats/…``) for the service description."""

    def __hash__(self) -> int:
        # Hashing every field (tuples of strings) made each memoised negotiation cost eleven
        # hash calls; equal formats have equal keys, so this agrees with ``==``.
        return hash(self.key)

    @property
    def content_type(self) -> str:
        """``Content-Type`` header value: textual types get an explicit UTF-8 charset."""
        if self.media_type.startswith("text/"):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type

    @property
    def media_types(self) -> tuple[str, ...]:
        """The canonical media type followed by its aliases."""
        return (self.media_type, *self.aliases)

    def rdf_format(self) -> ox.RdfFormat:
        """The pyoxigraph RDF format (only for graph and dataset formats)."""
        fmt = ox.RdfFormat.from_media_type(self.media_type)
        if fmt is None:  # pragma: no cover - the tables below only hold known types
            raise ValueError(f"{self.media_type} is not an RDF format")
        return fmt

    def results_format(self) -> ox.QueryResultsFormat:
        """The pyoxigraph query-results format (only for result formats)."""
        fmt = ox.QueryResultsFormat.from_media_type(self.media_type)
        if fmt is None:  # pragma: no cover - the tables below only hold known types
            raise ValueError(f"{self.media_type} is not a query results format")
        return fmt


def _results(key: str, fmt: ox.QueryResultsFormat, aliases: tuple[str, ...],
              names: tuple[str, ...]) -> MediaFormat:
    media = fmt.media_type.split(";")[0].strip()
    return MediaFormat(key, media, aliases, names, fmt.name, fmt.iri)


def _rdf(key: str, fmt: ox.RdfFormat, aliases: tuple[str, ...],
         names: tuple[str, ...]) -> MediaFormat:
    media = fmt.media_type.split(";")[0].strip()
    return MediaFormat(key, media, aliases, names, fmt.name, fmt.iri)


JSON = _results(
    "json", ox.QueryResultsFormat.JSON,
    ("application/json", "text/javascript", "application/javascript"),
    ("json", "srj", "application/sparql-results+json"),
)
XML = _results(
    "xml", ox.QueryResultsFormat.XML, ("application/xml", "text/xml"),
    ("xml", "srx", "application/sparql-results+xml"),
)
CSV = _results("csv", ox.QueryResultsFormat.CSV, (), ("csv", "text/csv"))
TSV = _results(
    "tsv", ox.QueryResultsFormat.TSV, (), ("tsv", "text/tab-separated-values")
)

TURTLE = _rdf(
    "turtle", ox.RdfFormat.TURTLE, ("application/turtle", "application/x-turtle"),
    ("turtle", "ttl", "text/turtle"),
)
NTRIPLES = _rdf(
    "ntriples", ox.RdfFormat.N_TRIPLES, (),
    ("ntriples", "n-triples", "nt", "application/n-triples"),
)
JSONLD = _rdf(
    "jsonld", ox.RdfFormat.JSON_LD, ("application/x-json+ld", "application/json"),
    ("jsonld", "json-ld", "json", "application/ld+json"),
)
RDFXML = _rdf(
    "rdfxml", ox.RdfFormat.RDF_XML, ("application/xml", "text/xml"),
    ("rdfxml", "rdf+xml", "rdf", "xml", "application/rdf+xml"),
)
TRIG = _rdf("trig", ox.RdfFormat.TRIG, (), ("trig", "application/trig"))
NQUADS = _rdf(
    "nquads", ox.RdfFormat.N_QUADS, (), ("nquads", "n-quads", "nq", "application/n-quads")
)
N3 = _rdf(
    "n3", ox.RdfFormat.N3, ("text/rdf+n3", "application/n3"), ("n3", "text/n3")
)

RESULT_FORMATS: tuple[MediaFormat, ...] = (JSON, XML, CSV, TSV)
"""Formats for ``SELECT``/``ASK`` results, default first."""
GRAPH_FORMATS: tuple[MediaFormat, ...] = (TURTLE, NTRIPLES, JSONLD, RDFXML, TRIG, NQUADS, N3)
"""Formats for graphs (``CONSTRUCT``/``DESCRIBE``, one graph of the store), default first."""
DATASET_FORMATS: tuple[MediaFormat, ...] = (TRIG, NQUADS)
"""Formats for the whole dataset, default first."""

ALL_FORMATS: dict[str, MediaFormat] = {
    f.key: f for f in (*RESULT_FORMATS, *GRAPH_FORMATS)
}
"""Every format by :attr:`MediaFormat.key`."""


@dataclass(frozen=True)
class AcceptRange:
    """One ``type/subtype;q=…`` entry of an ``Accept`` header."""

    type: str
    subtype: str
    q: float
    position: int
    """Index in the header (earlier entries win ties)."""

    def specificity(self, media_type: str) -> int:
        """0 when the range does not match ``media_type``; else 1 (*/*), 2 (t/*), 3 (exact)."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*":
            return 1
        if self.type != mtype:
            return 0
        if self.subtype == "*":
            return 2
        return 3 if self.subtype == msub else 0


def parse_accept(header: str | None) -> list[AcceptRange]:
    """Parse an ``Accept`` header; a missing or empty header means ``*/*``.

    Entries that are not media ranges are skipped (a header with none left is ignored), a bad
    q-value counts as 0, a bare ``*`` is read as ``*/*`` (some clients send it).

    >>> [(r.type, r.subtype, r.q) for r in parse_accept("text/*;q=0.3, */*;q=0.1, text/csv")]
    [('text', '*', 0.3), ('*', '*', 0.1), ('text', 'csv', 1.0)]
    >>> [(r.type, r.subtype) for r in parse_accept("")]
    [('*', '*')]
    """
    if header is None or not header.strip():
        return [AcceptRange("*", "*", 1.0, 0)]
    ranges: list[AcceptRange] = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if media == "*":
            media = "*/*"
        mtype, slash, msub = media.partition("/")
        if not slash or not mtype or not msub or (mtype == "*" and msub != "*"):
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
                q = min(max(q, 0.0), 1.0)
        ranges.append(AcceptRange(mtype, msub, q, position))
    if not ranges:  # nothing usable: ignore the header, as RFC 9110 allows
        return [AcceptRange("*", "*", 1.0, 0)]
    return ranges


def _quality(ranges: Sequence[AcceptRange], fmt: MediaFormat) -> tuple[float, int]:
    """(q, position of the deciding range) of ``fmt``; q is 0 when nothing matches.

    The canonical media type matches wildcards; an alias only matches when named exactly, so
    ``text/*`` does not pick SPARQL JSON through its ``text/javascript`` alias.
    """
    best_q, best_pos = 0.0, 1 << 30
    for index, media_type in enumerate(fmt.media_types):
        top = 0
        q, pos = 0.0, 1 << 30
        for r in ranges:
            spec = r.specificity(media_type)
            if index and spec < 3:
                continue
            if spec > top or (spec == top and spec and r.q > q):
                top, q, pos = spec, r.q, r.position
        if top and (q > best_q or (q == best_q and pos < best_pos)):
            best_q, best_pos = q, pos
    return best_q, best_pos


def negotiate(header: str | None, formats: Sequence[MediaFormat]) -> MediaFormat | None:
    """Pick the format the client prefers among ``formats``, or ``None`` (→ HTTP 406).

    Results are memoised per (header, formats): clients send the same few headers.

    >>> negotiate("*/*", RESULT_FORMATS).key
    'json'
    >>> negotiate("text/*", RESULT_FORMATS).key
    'csv'
    >>> negotiate("application/json;q=0.2, text/csv;q=0.9", RESULT_FORMATS).key
    'csv'
    >>> negotiate("text/turtle;q=0, */*", GRAPH_FORMATS).key
    'ntriples'
    """
    return _negotiate(header, tuple(formats))


@lru_cache(maxsize=1024)
def _negotiate(header: str | None, formats: tuple[MediaFormat, ...]) -> MediaFormat | None:
    ranges = parse_accept(header)
    best: MediaFormat | None = None
    best_key = (0.0, 0, 0)
    for order, fmt in enumerate(formats):
        q, pos = _quality(ranges, fmt)
        if q <= 0:
            continue
        key = (q, -pos, -order)
        if best is None or key > best_key:
            best, best_key = fmt, key
    return best


def pick_override(values: Iterable[str], formats: Sequence[MediaFormat]) -> MediaFormat | None:
    """The first ``format=`` value naming one of ``formats`` (names or media types).

    >>> pick_override(["json"], GRAPH_FORMATS).key
    'jsonld'
    >>> pick_override(["tsv", "text/tab-separated-values"], RESULT_FORMATS).key
    'tsv'
    >>> pick_override(["turtle"], RESULT_FORMATS) is None
    True
    """
    for value in values:
        wanted = value.strip().lower().split(";")[0].strip()
        for fmt in formats:
            if wanted in fmt.names or wanted in fmt.media_types:
                return fmt
    return None


def known_format_names() -> list[str]:
    """Every name the ``format=`` parameter understands, sorted."""
    names = {n for f in (*RESULT_FORMATS, *GRAPH_FORMATS) for n in f.names if "/" not in n}
    return sorted(names)


def is_known_format(value: str) -> bool:
    """Whether a ``format=`` value names any format at all (else it is a client error)."""
    wanted = value.strip().lower().split(";")[0].strip()
    return any(
        wanted in f.names or wanted in f.media_types for f in (*RESULT_FORMATS, *GRAPH_FORMATS)
    )
