"""What an entity page shows about one IRI, read from the store.

:func:`describe` returns a :class:`Description`: names, types, the properties (each with a
human label and definition from the ontology), the inverse relations grouped by property with
counts and a first page of subjects, and for every fact its source sentences with a link into
the report reader. Class pages list instances and subclasses, concept pages narrower concepts:
these are the inverse groups of ``rdf:type``, ``rdfs:subClassOf`` and ``skos:broader``, named
for what they mean. :func:`resource_triples` gives the RDF twin (the resource's own triples,
the triples pointing at it, and the names of its neighbours).

All queries bind the IRI with ``substitutions``; nothing from the request is formatted into
SPARQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import RDF, RDFS, SKOS

from fazhi_graph.namespaces import FZ, NIF, PREFIXES
from fazhi_graph.store import Store
from fazhi_graph.web.dataset_index import DatasetIndex, SentenceInfo, rows
from fazhi_graph.web.kinds import Kind
from fazhi_graph.web.labels import LABEL_PREDICATES, Label
from fazhi_graph.web.links import curie, page_url, reader_url

__all__ = [
    "Description",
    "InverseGroup",
    "Ref",
    "Source",
    "Value",
    "describe",
    "inverse_page",
    "resource_triples",
]

INVERSE_PAGE = 50
"""Subjects listed per inverse property on the first page."""
LONG_LITERAL = 400
"""Literals longer than this are cut on the page (the RDF twin has them whole)."""

_OUT = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
_IN_COUNTS = "SELECT ?s ?p (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x ?p ?s } GROUP BY ?s ?p"
_IN_PAGE = """
SELECT DISTINCT ?s ?p ?x WHERE {{ ?x ?p ?s }} ORDER BY ?x LIMIT {limit:d} OFFSET {offset:d}"""
"""Paging values are integers checked by the caller (never request text)."""
_STATED = "SELECT DISTINCT ?x ?sent WHERE { ?x fz:statedIn ?sent }"
_IN_ALL = "SELECT DISTINCT ?s ?x ?p WHERE { ?x ?p ?s } LIMIT 5000"

_HIDDEN_OUT = {str(RDF.type), str(FZ.statedIn)}
"""Outgoing properties shown in their own section, not in the property table."""
_INVERSE_TITLES: dict[str, tuple[str, str]] = {
    str(RDF.type): ("实例", "Instances"),
    str(RDFS.subClassOf): ("下位类", "Subclasses"),
    str(RDFS.subPropertyOf): ("下位属性", "Subproperties"),
    str(SKOS.broader): ("下位概念", "Narrower concepts"),
    str(SKOS.inScheme): ("本体系中的概念", "Concepts in this scheme"),
    str(FZ.statedIn): ("本句陈述的事实", "Facts stated in this sentence"),
    str(FZ.mentions): ("提及本项的句子", "Sentences that mention it"),
}
_INVERSE_FIRST = [str(FZ.mentions), str(RDF.type), str(SKOS.broader), str(RDFS.subClassOf)]


@dataclass(frozen=True)
class Ref:
    """A link to a resource, with its name and kind."""

    iri: str
    label: Label
    url: str
    kind: Kind
    curie: str

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "iri": self.iri,
            "label": self.label.as_dict(),
            "url": self.url,
            "kind": self.kind.key,
        }


@dataclass(frozen=True)
class Source:
    """A sentence a fact was stated in, with a link into the report reader."""

    iri: str
    quote: str
    begin: int
    end: int
    reader: str | None

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "sentence": self.iri,
            "quote": self.quote,
            "begin": self.begin,
            "end": self.end,
            "reader": self.reader,
        }


@dataclass
class Value:
    """One object of a property: a link, or a literal."""

    ref: Ref | None = None
    text: str | None = None
    lang: str | None = None
    datatype: str | None = None
    truncated: bool = False
    sources: list[Source] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        if self.ref is not None:
            out = self.ref.as_dict()
            if self.sources:
                out["sources"] = [s.as_dict() for s in self.sources]
            return out
        out = {"value": self.text}
        if self.lang:
            out["lang"] = self.lang
        if self.datatype:
            out["datatype"] = curie(self.datatype)
        return out


@dataclass
class PropertyRow:
    """A property and its values."""

    predicate: Ref
    definition: str | None
    values: list[Value]


@dataclass
class InverseGroup:
    """Resources pointing at this one through one property."""

    predicate: Ref
    count: int
    items: list[Value]
    title: tuple[str, str] | None = None
    """A bilingual heading that replaces "← property" (e.g. Instances, Narrower concepts)."""

    @property
    def more(self) -> int:
        """How many are not listed on the page."""
        return max(0, self.count - len(self.items))


@dataclass
class Description:
    """Everything an entity page shows."""

    iri: str
    label: Label
    kind: Kind
    types: list[Ref]
    properties: list[PropertyRow]
    sources: list[Source]
    inverse: list[InverseGroup]
    definition: dict[str, str]
    sentence: SentenceInfo | None = None
    reader: str | None = None
    report_id: str | None = None
    exists: bool = True

    def as_dict(self) -> dict[str, Any]:
        """The JSON twin of the page."""
        out: dict[str, Any] = {
            "iri": self.iri,
            "label": self.label.as_dict(),
            "kind": self.kind.key,
            "types": [t.as_dict() for t in self.types],
            "properties": [
                {"property": p.predicate.as_dict(), "values": [v.as_dict() for v in p.values]}
                for p in self.properties
            ],
            "sources": [s.as_dict() for s in self.sources],
            "inverse": [
                {
                    "property": g.predicate.as_dict(),
                    "count": g.count,
                    "items": [v.as_dict() for v in g.items],
                }
                for g in self.inverse
            ],
        }
        if self.definition:
            out["definition"] = self.definition
        if self.reader:
            out["reader"] = self.reader
        return out


def ref(index: DatasetIndex, iri: str) -> Ref:
    """A :class:`Ref` to ``iri`` with its name and kind from the index."""
    return Ref(iri, index.label(iri), page_url(iri), index.kind(iri), curie(iri))


def source(index: DatasetIndex, sentence: str) -> Source | None:
    """The :class:`Source` for a sentence IRI (``None`` if the index has no such sentence)."""
    info = index.sentences.get(sentence)
    if info is None:
        return None
    return Source(
        info.iri, info.quote, info.begin, info.end, reader_url(info.context, info.begin, info.end)
    )


def _term_value(index: DatasetIndex, row: dict[str, str], var: str) -> Value:
    text = row[var]
    if f"{var}@lang" not in row:
        return Value(ref=ref(index, text))
    lang = row[f"{var}@lang"] or None
    datatype = row.get(f"{var}^^")
    plain = datatype is not None and datatype.endswith(("#string", "#langString"))
    truncated = len(text) > LONG_LITERAL
    return Value(
        text=text[:LONG_LITERAL] + ("…" if truncated else ""),
        lang=lang,
        datatype=None if plain else datatype,
        truncated=truncated,
    )


def _sources_of(store: Store, index: DatasetIndex, iris: list[str]) -> dict[str, list[Source]]:
    found: dict[str, list[Source]] = {}
    for iri in iris:
        for row in rows(store, _STATED, x=ox.NamedNode(iri)):
            src = source(index, row["sent"])
            if src is not None:
                found.setdefault(iri, []).append(src)
    for items in found.values():
        items.sort(key=lambda s: ((s.reader or "").split("#")[0], s.begin))
    return found


def _property_order(iri: str) -> tuple[int, str]:
    if iri in LABEL_PREDICATES:
        return (0, str(LABEL_PREDICATES.index(iri)))
    if iri.startswith(PREFIXES["fz"]):
        return (1, iri)
    return (2, iri)


def describe(store: Store, index: DatasetIndex, iri: str, lang: str = "zh") -> Description:
    """Describe ``iri``; ``exists`` is false when no triple mentions it."""
    node = ox.NamedNode(iri)
    out_rows = rows(store, _OUT, s=node)
    properties: dict[str, list[Value]] = {}
    types: list[Ref] = []
    stated: list[str] = []
    for row in out_rows:
        p = row["p"]
        if p == str(RDF.type) and "o@lang" not in row:
            types.append(ref(index, row["o"]))
        elif p == str(FZ.statedIn) and "o@lang" not in row:
            stated.append(row["o"])
        else:
            properties.setdefault(p, []).append(_term_value(index, row, "o"))
    prop_rows = [
        PropertyRow(
            ref(index, p),
            index.definition(p, lang),
            sorted(
                vals,
                key=lambda v: (
                    v.ref is None,
                    v.lang or "",
                    v.text or "",
                    v.ref.iri if v.ref else "",
                ),
            ),
        )
        for p, vals in sorted(properties.items(), key=lambda kv: _property_order(kv[0]))
    ]
    sources = [s for s in (source(index, x) for x in stated) if s is not None]
    sources.sort(key=lambda s: ((s.reader or "").split("#")[0], s.begin))

    counts = {row["p"]: int(row["n"]) for row in rows(store, _IN_COUNTS, s=node)}
    inverse: list[InverseGroup] = []
    for p, n in sorted(
        counts.items(),
        key=lambda kv: (
            kv[0] not in _INVERSE_FIRST,
            _INVERSE_FIRST.index(kv[0]) if kv[0] in _INVERSE_FIRST else 0,
            kv[0],
        ),
    ):
        inverse.append(inverse_page(store, index, iri, p, count=n))

    sentence = index.sentences.get(iri)
    report = next((r for r in index.reports.values() if iri in (r.iri, r.text)), None)
    reader = None
    if sentence is not None:
        reader = reader_url(sentence.context, sentence.begin, sentence.end)
    elif report is not None:
        reader = reader_url(report.text)
    return Description(
        iri=iri,
        label=index.label(iri),
        kind=index.kind(iri),
        types=sorted(types, key=lambda t: (not t.iri.startswith(PREFIXES["fz"]), t.curie)),
        properties=prop_rows,
        sources=sources,
        inverse=inverse,
        definition=dict(index.definitions.get(iri, {})),
        sentence=sentence,
        reader=reader,
        report_id=report.rid if report else None,
        exists=bool(out_rows or counts),
    )


def inverse_page(
    store: Store,
    index: DatasetIndex,
    iri: str,
    predicate: str,
    *,
    count: int | None = None,
    offset: int = 0,
    limit: int = INVERSE_PAGE,
) -> InverseGroup:
    """One page of the resources pointing at ``iri`` through ``predicate``."""
    bound = {"s": ox.NamedNode(iri), "p": ox.NamedNode(predicate)}
    page = _IN_PAGE.format(limit=max(0, int(limit)), offset=max(0, int(offset)))
    items_rows = rows(store, page, **bound)
    subjects = [r["x"] for r in items_rows if not r["x"].startswith("_:")]
    with_sources = _sources_of(store, index, subjects) if predicate != str(RDF.type) else {}
    for x in subjects:  # a sentence is its own source: link it into the reader
        if x in index.sentences and x not in with_sources:
            own = source(index, x)
            with_sources[x] = [own] if own else []
    items = [Value(ref=ref(index, x), sources=with_sources.get(x, [])) for x in subjects]
    if items and all(x in index.sentences for x in subjects):  # sentences in text order
        items.sort(key=lambda v: ((v.sources[0].reader or "").split("#")[0],
                                  v.sources[0].begin) if v.sources else ("", 0))
    if count is None:
        count = sum(1 for _ in rows(store, "SELECT DISTINCT ?s ?p ?x WHERE { ?x ?p ?s }", **bound))
    return InverseGroup(ref(index, predicate), count, items, _INVERSE_TITLES.get(predicate))


def resource_triples(store: Store, index: DatasetIndex, iri: str) -> list[ox.Triple]:
    """The RDF twin: ``iri``'s triples, up to 5000 triples pointing at it, neighbour names."""
    node = ox.NamedNode(iri)
    result = store.query(_OUT, substitutions={"s": node}, prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    triples: list[ox.Triple] = []
    neighbours: set[str] = set()
    for sol in result:
        p, o = sol["p"], sol["o"]
        assert isinstance(p, ox.NamedNode) and o is not None
        triples.append(ox.Triple(node, p, o))  # type: ignore[arg-type]
        if isinstance(o, ox.NamedNode):
            neighbours.add(o.value)
    result = store.query(_IN_ALL, substitutions={"s": node}, prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    for sol in result:
        x, p = sol["x"], sol["p"]
        assert isinstance(p, ox.NamedNode)
        if isinstance(x, ox.NamedNode):
            triples.append(ox.Triple(x, p, node))
            neighbours.add(x.value)
    neighbours.discard(iri)
    for other in sorted(neighbours):
        lab = index.label(other)
        subject = ox.NamedNode(other)
        for text, lang in ((lab.zh, "zh"), (lab.en, "en")):
            if text:
                triples.append(
                    ox.Triple(
                        subject, ox.NamedNode(str(RDFS.label)), ox.Literal(text, language=lang)
                    )
                )
    return triples


def is_sentence(index: DatasetIndex, iri: str) -> bool:
    """Whether ``iri`` is a sentence of a report text."""
    return str(NIF.Sentence) in index.types.get(iri, ())
