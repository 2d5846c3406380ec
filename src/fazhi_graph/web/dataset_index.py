"""What every explorer page needs at hand: names, types, sentences and reports of the dataset.

:func:`build_index` reads them with a few SPARQL queries; the explorer keeps one
:class:`DatasetIndex` per dataset version (:class:`fazhi_graph.web.explorer.Explorer`), so a
page looks a label up in a dict instead of querying, and the search and the graph explorer
share the same names.

>>> from fazhi_graph.store import open_store
>>> idx = build_index(open_store(backend="memory"))
>>> (len(idx.sentences), idx.label("http://www.w3.org/2004/02/skos/core#Concept").en)
(0, 'concept')
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.store import Store
from fazhi_graph.web.kinds import Kind, kind_of
from fazhi_graph.web.labels import LABEL_PREDICATES, Label, LabelCollector, is_pinyin
from fazhi_graph.web.links import report_id_of

__all__ = ["DatasetIndex", "ReportInfo", "SentenceInfo", "build_index", "rows"]

_LABELS = """
SELECT DISTINCT ?s ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label dct:title skos:altLabel }
  ?s ?p ?l FILTER (isLiteral(?l) && !isBlank(?s))
}"""
_HIDDEN = """
SELECT DISTINCT ?s ?l WHERE { ?s skos:hiddenLabel ?l FILTER (isIRI(?s)) }"""
_TYPES = "SELECT DISTINCT ?s ?t WHERE { ?s a ?t FILTER (isIRI(?s) && isIRI(?t)) }"
_DEFINITIONS = """
SELECT DISTINCT ?s ?d WHERE { ?s skos:definition|rdfs:comment ?d FILTER (isIRI(?s)) }"""
_SENTENCES = """
SELECT ?s ?ctx ?b ?e ?q ?section WHERE {
  ?s a nif:Sentence ; nif:referenceContext ?ctx ; nif:beginIndex ?b ; nif:endIndex ?e ;
     nif:anchorOf ?q .
  OPTIONAL { ?s fz:inSection ?section }
}"""
_REPORTS = """
SELECT ?r ?text ?title ?year ?area ?issuer ?body ?file WHERE {
  ?r a fz:AnnualReport ; fz:hasText ?text .
  OPTIONAL { ?r dct:title ?title }
  OPTIONAL { ?r fz:reportingYear ?year }
  OPTIONAL { ?r fz:reportingArea ?area }
  OPTIONAL { ?r fz:issuerName ?issuer }
  OPTIONAL { ?r fz:reportingBody ?body }
  OPTIONAL { ?r fz:sourceFile ?file }
}"""


SENTENCE_LABEL = 40
"""Characters of a sentence shown where it stands for a link."""


def rows(store: Store, sparql: str, **bindings: ox.NamedNode | ox.Literal) -> list[dict[str, str]]:
    """Run a SELECT with the project prefixes and bound values; terms as plain strings.

    Literals keep their language in a ``<var>@lang`` key (``""`` when untagged).
    """
    result = store.query(sparql, prefixes=PREFIXES, substitutions=bindings or None)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    out: list[dict[str, str]] = []
    for solution in result:
        row: dict[str, str] = {}
        for name in names:
            term = solution[name]
            if term is None:
                continue
            if isinstance(term, ox.Literal):
                row[name] = term.value
                row[name + "@lang"] = term.language or ""
                row[name + "^^"] = term.datatype.value
            elif isinstance(term, ox.NamedNode):
                row[name] = term.value
            elif isinstance(term, ox.BlankNode):
                row[name] = "_:" + term.value
        out.append(row)
    return out


@dataclass(frozen=True)
class SentenceInfo:
    """One sentence of a report text."""

    iri: str
    context: str
    """The text (``nif:Context``) it belongs to."""
    begin: int
    end: int
    quote: str
    section: str | None = None


@dataclass(frozen=True)
class ReportInfo:
    """One annual report."""

    iri: str
    rid: str
    text: str
    title: str
    year: str | None
    area: str | None
    issuer: str | None
    body: str | None
    source_file: str | None


@dataclass
class DatasetIndex:
    """Names, types, definitions, sentences and reports of one dataset version."""

    labels: LabelCollector = field(default_factory=LabelCollector)
    names: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    """Every name of a resource as ``(text, field)``, field ``zh``, ``en``, ``alt`` (other
    names) or ``pinyin``: what the search matches."""
    hidden: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """``skos:hiddenLabel`` strings (search terms the vocabularies teach the extractor)."""
    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    definitions: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    """Resource → language → definition (``skos:definition`` or ``rdfs:comment``)."""
    sentences: dict[str, SentenceInfo] = field(default_factory=dict)
    reports: dict[str, ReportInfo] = field(default_factory=dict)
    """Report id → report."""
    instances: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """Class → number of instances."""

    def label(self, iri: str) -> Label:
        """The label of ``iri`` (a fallback label when the dataset names it nowhere).

        A sentence is named by its text (cut at :data:`SENTENCE_LABEL` characters).
        """
        if iri not in self.labels and iri in self.sentences:
            quote = self.sentences[iri].quote
            short = quote if len(quote) <= SENTENCE_LABEL else quote[:SENTENCE_LABEL] + "…"
            return Label(short, None, None, short)
        return self.labels.label(iri)

    def kind(self, iri: str) -> Kind:
        """The :class:`~fazhi_graph.web.kinds.Kind` of ``iri`` from its types."""
        return kind_of(self.types.get(iri, ()))

    def definition(self, iri: str, lang: str) -> str | None:
        """The definition of a term in ``lang`` (else in any language), if any."""
        found = self.definitions.get(iri)
        if not found:
            return None
        return found.get(lang) or found.get("zh") or next(iter(found.values()))

    def report_of_text(self, context: str) -> ReportInfo | None:
        """The report whose text is ``context``."""
        for report in self.reports.values():
            if report.text == context:
                return report
        return None


def _name_field(predicate: str, lang: str) -> str:
    if is_pinyin(lang):
        return "pinyin"
    if predicate == LABEL_PREDICATES[3]:  # skos:altLabel
        return "alt"
    return "en" if lang.lower().startswith("en") else "zh"


def build_index(store: Store) -> DatasetIndex:
    """Read the :class:`DatasetIndex` of ``store`` (a handful of whole-dataset queries)."""
    idx = DatasetIndex()
    for row in rows(store, _LABELS):
        idx.labels.add(row["s"], row["p"], row["l"], row["l@lang"])
        idx.names[row["s"]].append((row["l"], _name_field(row["p"], row["l@lang"])))
    for row in rows(store, _HIDDEN):
        idx.hidden[row["s"]].append(row["l"])
    for row in rows(store, _TYPES):
        idx.types[row["s"]].add(row["t"])
        idx.instances[row["t"]] += 1
    for row in rows(store, _DEFINITIONS):
        lang = (row.get("d@lang") or "zh").split("-")[0].lower()
        idx.definitions[row["s"]].setdefault(lang, row["d"])
    for row in rows(store, _SENTENCES):
        idx.sentences[row["s"]] = SentenceInfo(
            row["s"], row["ctx"], int(row["b"]), int(row["e"]), row["q"], row.get("section")
        )
    for row in rows(store, _REPORTS):
        rid = report_id_of(row["r"])
        if rid is None or rid in idx.reports:
            continue
        idx.reports[rid] = ReportInfo(
            iri=row["r"],
            rid=rid,
            text=row["text"],
            title=row.get("title", rid),
            year=row.get("year"),
            area=row.get("area"),
            issuer=row.get("issuer"),
            body=row.get("body"),
            source_file=row.get("file"),
        )
    return idx
