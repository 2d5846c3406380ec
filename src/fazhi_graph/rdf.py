"""Facts → RDF: IRI minting, labels, provenance. One graph per report, deterministic.

Every IRI comes from :mod:`fazhi_graph.namespaces`; Chinese goes in ``@zh`` labels, never in
IRIs; names also get a ``@zh-Latn-pinyin`` label. Fact nodes link to their sentences with
``fz:statedIn``; sentences carry ``nif:beginIndex``/``nif:endIndex`` (code points) and the
exact quote in ``nif:anchorOf``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol, TypeAlias

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, QB, RDF, RDFS, SKOS, TIME, XSD
from rdflib.term import Node

from fazhi_graph.document import Span
from fazhi_graph.extract import EXTRACTOR_VERSION
from fazhi_graph.facts import Facts, Observation
from fazhi_graph.namespaces import (
    ACTIVITY,
    AREA,
    CV,
    DATA,
    DIRECTION,
    DOCTYPE,
    ELI,
    FZ,
    INDICATOR,
    LEVEL,
    NIF,
    ORGTYPE,
    PREFIXES,
    PROGRAM,
    QUALIFIER,
    REVIEW,
    ROLE,
    SCHEMA,
    SDMXATTR,
    SDMXDIM,
    SDMXMEASURE,
    SECTION,
    STAT,
    UNIT,
    VENUE,
)
from fazhi_graph.slug import pinyin_label, slugify

__all__ = ["Triple", "bind_prefixes", "report_iri", "to_graph", "to_triples"]

Triple: TypeAlias = tuple[Node, Node, Node]
"""One rdflib triple (subject, predicate, object)."""


class _Sink(Protocol):
    """Where the builder puts a report's triples: an rdflib graph or a :class:`_TripleSet`."""

    def add(self, triple: Triple, /) -> object: ...

    def __contains__(self, triple: Triple, /) -> bool: ...


class _TripleSet:
    """Triples, each once, in the order first added: what a :class:`~rdflib.Graph` holds
    (rdflib terms compared as a graph compares them), without its indexes."""

    __slots__ = ("add", "triples")

    def __init__(self) -> None:
        self.triples: dict[Triple, None] = {}
        self.add = self.triples.setdefault  # add(t): stores t once (its value is None)

    def __contains__(self, triple: object) -> bool:
        return triple in self.triples


_UNITS = {"NUM": UNIT.NUM, "PERCENT": UNIT.PERCENT, "CNY": FZ.CNY, "PP": FZ.PercentagePoint}
_CLASSES = {
    "PublicBody": (
        FZ.PublicBody,
        ORG.FormalOrganization,
        CV.PublicOrganisation,
        SCHEMA.GovernmentOrganization,
    ),
    "InternalBody": (FZ.InternalBody, ORG.OrganizationalUnit),
    "CoordinatingBody": (FZ.CoordinatingBody, ORG.OrganizationalCollaboration),
    "MediationOrganization": (FZ.MediationOrganization, ORG.Organization),
}


_AREA_SUFFIX_LEVELS = (
    ("自治区", "Province"), ("省", "Province"), ("自治州", "Prefecture"), ("州", "Prefecture"),
    ("盟", "Prefecture"), ("市", "Prefecture"), ("自治县", "County"), ("县", "County"),
    ("旗", "County"), ("区", "District"), ("镇", "Township"), ("乡", "Township"),
    ("街道", "Subdistrict"),
)  # fmt: skip


def _area_level(area: str) -> str:
    """The level a reporting area's name suggests (a 市 is read as prefecture-level; give
    ``level = "county"`` in the catalogue for a county-level city)."""
    return next((lv for suffix, lv in _AREA_SUFFIX_LEVELS if area.endswith(suffix)), "")


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the project's prefixes (``fz:``, ``fzd:``, ``qb:`` …) on ``graph``."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def report_iri(report_id: str) -> URIRef:
    """The IRI of a report (the work, as opposed to its text)."""
    return DATA[f"report/{report_id}"]


def _names(g: _Sink, node: URIRef, zh: str, *, alt: tuple[str, ...] = ()) -> None:
    g.add((node, RDFS.label, Literal(zh, lang="zh")))
    g.add((node, SKOS.prefLabel, Literal(zh, lang="zh")))
    g.add((node, SKOS.altLabel, Literal(pinyin_label(zh), lang="zh-Latn-pinyin")))
    for a in alt:
        if a != zh:
            g.add((node, SKOS.altLabel, Literal(a, lang="zh")))


def _number(value: Decimal) -> Literal:
    if value == value.to_integral_value() and "." not in str(value):
        return Literal(int(value), datatype=XSD.integer)
    return Literal(value, datatype=XSD.decimal)


def _period(g: _Sink, years: tuple[int, int]) -> URIRef:
    a, b = years
    name = str(a) if a == b else f"{a}-{b}"
    node = DATA[f"period/{name}"]
    if (node, RDF.type, TIME.ProperInterval) in g:  # described already (one per observation)
        return node
    g.add((node, RDF.type, TIME.ProperInterval))
    g.add((node, RDFS.label, Literal(name)))
    begin, end = DATA[f"period/{name}/begin"], DATA[f"period/{name}/end"]
    g.add((node, TIME.hasBeginning, begin))
    g.add((node, TIME.hasEnd, end))
    g.add((begin, TIME.inXSDDate, Literal(f"{a}-01-01", datatype=XSD.date)))
    g.add((end, TIME.inXSDDate, Literal(f"{b}-12-31", datatype=XSD.date)))
    return node


class _Builder:
    def __init__(self, facts: Facts, sink: _Sink) -> None:
        self.f = facts
        self.g = sink
        self.rid = facts.meta.report_id
        self.text_iri = DATA[f"text/{self.rid}"]
        self.report = report_iri(self.rid)
        self.area_key = slugify(facts.meta.area)
        self.area_iri = DATA[f"place/{self.area_key}"]

    def sentence(self, index: int) -> URIRef:
        sp = self.f.doc.sentences[index].span
        return DATA[f"text/{self.rid}/char/{sp.start}-{sp.end}"]

    def stated(self, node: URIRef, sentences: tuple[int, ...]) -> None:
        for s in sentences:
            self.g.add((node, FZ.statedIn, self.sentence(s)))

    def area(self, node: URIRef, name: str) -> None:
        if name:
            self.g.add((node, FZ.area, AREA[name]))

    def build(self) -> None:
        self.report_node()
        self.text_layer()
        self.places()
        self.bodies()
        self.documents()
        self.initiatives()
        self.events()
        self.observations()
        self.plans()

    def report_node(self) -> None:
        g, m, r = self.g, self.f.meta, self.report
        for cls in (FZ.AnnualReport, SCHEMA.Report, PROV.Entity):
            g.add((r, RDF.type, cls))
        title = self.f.doc.title or f"{m.issuer}{m.year}年法治政府建设情况报告"
        g.add((r, DCTERMS.title, Literal(title, lang="zh")))
        g.add((r, RDFS.label, Literal(title, lang="zh")))
        g.add((r, FZ.issuerName, Literal(m.issuer, lang="zh")))
        g.add((r, FZ.reportingArea, self.area_iri))
        g.add((r, FZ.reportingYear, Literal(str(m.year), datatype=XSD.gYear)))
        g.add((r, FZ.reportingPeriod, _period(g, (m.year, m.year))))
        g.add((r, FZ.hasText, self.text_iri))
        g.add((r, FZ.sourceSha256, Literal(self.f.doc.sha256)))
        if m.source_file:
            g.add((r, FZ.sourceFile, Literal(m.source_file)))
        if m.url:
            g.add((r, DCTERMS.source, URIRef(m.url)))
        g.add((r, DCTERMS.language, Literal("zh")))
        run = DATA[f"run/{self.rid}"]
        g.add((run, RDF.type, FZ.ExtractionRun))
        g.add((run, RDF.type, PROV.Activity))
        g.add((run, FZ.extractorVersion, Literal(EXTRACTOR_VERSION)))
        g.add((run, PROV.used, self.text_iri))
        g.add((r, PROV.wasGeneratedBy, run))
        # the reporting area as a division
        g.add((self.area_iri, RDF.type, FZ.AdministrativeDivision))
        g.add((self.area_iri, RDF.type, SCHEMA.AdministrativeArea))
        _names(g, self.area_iri, m.area)
        level = {
            "district": "District",
            "county": "County",
            "city": "Prefecture",
            "prefecture": "Prefecture",
            "province": "Province",
            "township": "Township",
        }.get(m.level, "")
        level = level or _area_level(m.area)
        if level:
            g.add((self.area_iri, FZ.divisionLevel, LEVEL[level]))
        if m.division_code:
            g.add((self.area_iri, FZ.divisionCode, Literal(m.division_code)))

    def text_layer(self) -> None:
        g, doc, t = self.g, self.f.doc, self.text_iri
        g.add((t, RDF.type, FZ.ReportText))
        g.add((t, RDF.type, NIF.Context))
        g.add((t, NIF.isString, Literal(doc.text)))
        g.add((t, NIF.beginIndex, Literal(0, datatype=XSD.integer)))
        g.add((t, NIF.endIndex, Literal(len(doc.text), datatype=XSD.integer)))
        g.add((t, FZ.sourceSha256, Literal(doc.sha256)))
        sec_iri = {}
        for sec in doc.sections:
            node = DATA[f"text/{self.rid}/section/{'.'.join(map(str, sec.path))}"]
            sec_iri[sec.path] = node
            g.add((node, RDF.type, FZ.ReportSection))
            self._span(node, sec.span)
            g.add((node, FZ.sectionLevel, Literal(sec.level)))
            g.add((node, FZ.headingNumber, Literal(sec.number)))
            g.add((node, FZ.headingText, Literal(sec.title, lang="zh")))
            g.add((node, RDFS.label, Literal(f"{sec.number} {sec.title}", lang="zh")))
            g.add((node, FZ.sectionType, SECTION[self.f.section_types.get(sec.path, "Other")]))
            self.area(node, self.f.section_areas.get(sec.path, ""))
            parent = sec_iri.get(sec.path[:-1]) if sec.level > 1 else self.report
            if parent is not None:
                g.add((node, DCTERMS.isPartOf, parent))
                g.add((parent, FZ.hasSection, node))
        for sent in doc.sentences:
            node = self.sentence(sent.index)
            g.add((node, RDF.type, NIF.Sentence))
            self._span(node, sent.span)
            if sent.section in sec_iri:
                g.add((node, FZ.inSection, sec_iri[sent.section]))

    def _span(self, node: URIRef, span: Span) -> None:
        g = self.g
        g.add((node, NIF.referenceContext, self.text_iri))
        g.add((node, NIF.beginIndex, Literal(span.start, datatype=XSD.integer)))
        g.add((node, NIF.endIndex, Literal(span.end, datatype=XSD.integer)))
        g.add((node, NIF.anchorOf, Literal(self.f.doc.quote(span))))

    def mentions(self, node: URIRef, sentences: tuple[int, ...]) -> None:
        for s in sentences:
            self.g.add((self.sentence(s), FZ.mentions, node))

    def places(self) -> None:
        g = self.g
        self.mentions(
            self.area_iri,
            tuple(s.index for s in self.f.doc.sentences if self.f.meta.area in s.text),
        )
        for p in self.f.places:
            node = DATA[f"place/{p.key}"]
            _names(g, node, p.name)
            parent = DATA[f"place/{p.parent}"]
            venue_parent = any(q.key == p.parent and not q.level for q in self.f.places)
            g.add((node, FZ.withinDivision, self.area_iri if venue_parent else parent))
            g.add((node, SCHEMA.containedInPlace, parent))
            if p.level:
                g.add((node, RDF.type, FZ.AdministrativeDivision))
                g.add((node, RDF.type, SCHEMA.AdministrativeArea))
                g.add((node, FZ.divisionLevel, LEVEL[p.level]))
            else:
                g.add((node, RDF.type, FZ.Venue))
                g.add((node, RDF.type, SCHEMA.Place))
                g.add((node, FZ.venueType, VENUE[p.venue_type or "Other"]))
            self.mentions(node, p.sentences)

    def body_iri(self, key: str) -> URIRef:
        return DATA[f"org/{key}"]

    def bodies(self) -> None:
        g = self.g
        for b in self.f.bodies:
            node = self.body_iri(b.key)
            for cls in _CLASSES[b.kind]:
                g.add((node, RDF.type, cls))
            names = tuple(sorted({self.f.doc.quote(s) for s in b.mentions}))
            _names(g, node, b.name, alt=names)
            g.add((node, ORG.classification, ORGTYPE[b.org_type]))
            if b.scope == "local":
                g.add((node, FZ.jurisdiction, self.area_iri))
            if b.parent:
                prop = ORG.unitOf if b.kind == "InternalBody" else ORG.subOrganizationOf
                g.add((node, prop, self.body_iri(b.parent)))
            self.mentions(node, b.sentences)
        if self.f.bodies:
            gov = next(
                (
                    b
                    for b in self.f.bodies
                    if b.org_type == "PeoplesGovernment" and self.f.meta.issuer.endswith("政府")
                ),
                None,
            )
            named = next(
                (
                    b
                    for b in self.f.bodies
                    if self.f.meta.issuer in {self.f.doc.quote(s) for s in b.mentions}
                ),
                None,
            )
            issuer = named or gov
            if issuer:
                g.add((self.report, FZ.reportingBody, self.body_iri(issuer.key)))
        for p in self.f.posts:
            node = DATA[f"post/{p.key}"]
            g.add((node, RDF.type, ORG.Post))
            g.add((node, RDFS.label, Literal(p.name, lang="zh")))
            g.add((node, ORG.postIn, self.body_iri(p.body)))
            g.add((node, ORG.role, ROLE[p.role]))
            if p.role == "GroupLeader":
                g.add((self.body_iri(p.body), FZ.leadPost, node))
            self.mentions(node, p.sentences)

    def documents(self) -> None:
        g = self.g
        for d in self.f.documents:
            node = DATA[f"doc/{d.key}"]
            g.add((node, RDF.type, FZ.PolicyDocument))
            if d.doc_type in {"Law", "Constitution", "Regulation"}:
                g.add((node, RDF.type, ELI.LegalResource))
                g.add((node, RDF.type, SCHEMA.Legislation))
            g.add((node, DCTERMS.title, Literal(d.title, lang="zh")))
            _names(g, node, d.title)
            g.add((node, FZ.documentType, DOCTYPE[d.doc_type]))
            if d.issuer:
                g.add((node, FZ.issuedBy, self.body_iri(d.issuer)))
            if d.action:
                g.add((node, FZ.documentAction, Literal(d.action, lang="zh")))
            if d.area:
                g.add((node, FZ.about, AREA[d.area]))
            if not d.national:
                g.add((node, FZ.relevantFor, self.area_iri))
            self.mentions(node, d.sentences)
            for ev in self.f.events:
                if (
                    ev.sentence in d.sentences
                    and "审议"
                    in self.f.doc.text[
                        self.f.doc.sentences[ev.sentence].span.start : self.f.doc.sentences[
                            ev.sentence
                        ].span.end
                    ]
                ):
                    g.add((node, FZ.deliberatedAt, DATA[f"event/{self.rid}/{ev.key}"]))

    def initiatives(self) -> None:
        g = self.g
        for ini in self.f.initiatives:
            node = PROGRAM[ini.concept]
            if not ini.curated:
                g.add((node, RDF.type, FZ.Initiative))
                g.add((node, RDF.type, SKOS.Concept))
                g.add((node, SKOS.inScheme, PROGRAM["scheme"]))
                _names(g, node, ini.label)
                g.add((node, FZ.reviewStatus, REVIEW.NeedsReview))
                if ini.broader_area:
                    g.add((node, SKOS.broader, AREA[ini.broader_area]))
            self.mentions(node, ini.sentences)
        for imp in self.f.implementations:
            node = DATA[f"impl/{self.rid}/{imp.key}"]
            g.add((node, RDF.type, FZ.InitiativeImplementation))
            g.add((node, RDF.type, PROV.Activity))
            g.add((node, FZ.implements, PROGRAM[imp.initiative]))
            label = next(i.label for i in self.f.initiatives if i.concept == imp.initiative)
            g.add((node, RDFS.label, Literal(f"{self.f.meta.area}实施“{label}”", lang="zh")))
            for b in imp.bodies:
                g.add((node, FZ.responsibleBody, self.body_iri(b)))
            for p in imp.places:
                g.add((node, FZ.implementedIn, DATA[f"place/{p}"]))
            g.add((node, FZ.implementedIn, self.area_iri))
            for d in imp.documents:
                g.add((node, FZ.governedBy, DATA[f"doc/{d}"]))
            self.area(node, imp.area)
            self.stated(node, (imp.sentence,))

    def events(self) -> None:
        g = self.g
        for ev in self.f.events:
            node = DATA[f"event/{self.rid}/{ev.key}"]
            g.add((node, RDF.type, FZ.Meeting if ev.kind == "Meeting" else FZ.OversightActivity))
            g.add((node, RDF.type, PROV.Activity))
            g.add((node, RDFS.label, Literal(ev.label, lang="zh")))
            g.add((node, FZ.activityType, ACTIVITY[ev.activity_type]))
            if ev.convened_by:
                g.add((node, FZ.convenedBy, self.body_iri(ev.convened_by)))
            if ev.chaired_by:
                g.add((node, FZ.chairedBy, DATA[f"post/{ev.chaired_by}"]))
            self.area(node, ev.area)
            self.stated(node, (ev.sentence,))

    def obs_iri(self, key: str) -> URIRef:
        return DATA[f"obs/{self.rid}/{key}"]

    def indicator(self, o: Observation) -> URIRef:
        node = INDICATOR[o.indicator]
        if o.indicator.startswith("x-"):
            g = self.g
            g.add((node, RDF.type, FZ.Indicator))
            g.add((node, RDF.type, SKOS.Concept))
            g.add((node, SKOS.inScheme, INDICATOR["scheme"]))
            g.add((node, SKOS.prefLabel, Literal(o.indicator_label, lang="zh")))
            g.add((node, RDFS.label, Literal(o.indicator_label, lang="zh")))
            g.add((node, FZ.reviewStatus, REVIEW.NeedsReview))
            if o.indicator_broader:
                g.add((node, SKOS.broader, INDICATOR[o.indicator_broader]))
            elif o.area:
                g.add((node, SKOS.broader, AREA[o.area]))
        return node

    def observations(self) -> None:
        g = self.g
        for o in self.f.observations:
            node = self.obs_iri(o.key)
            g.add((node, RDF.type, QB.Observation))
            g.add((node, QB.dataSet, DATA["dataset/metrics"]))
            g.add((node, SDMXDIM.refArea, DATA[f"place/{o.place}"] if o.place else self.area_iri))
            g.add((node, SDMXDIM.refPeriod, _period(g, o.period)))
            g.add((node, FZ.indicator, self.indicator(o)))
            g.add((node, FZ.statType, STAT[o.stat_type]))
            g.add((node, SDMXMEASURE.obsValue, _number(o.value)))
            g.add((node, SDMXATTR.unitMeasure, _UNITS[o.unit]))
            if o.unit_mult:
                g.add((node, SDMXATTR.unitMult, Literal(o.unit_mult)))
            if o.measure_word:
                g.add((node, FZ.measureWord, Literal(o.measure_word, lang="zh")))
            if o.unit_text:
                g.add((node, SCHEMA.unitText, Literal(o.unit_text, lang="zh")))
            if o.counted:
                g.add((node, FZ.countedThing, Literal(o.counted, lang="zh")))
            g.add((node, FZ.valueQualifier, QUALIFIER[o.qualifier]))
            if o.direction:
                g.add((node, FZ.changeDirection, DIRECTION[o.direction]))
                g.add((node, SDMXATTR.basePer, _period(g, (o.period[0] - 1, o.period[0] - 1))))
            if o.comparison_of:
                g.add((node, FZ.comparisonOf, self.obs_iri(o.comparison_of)))
            if o.numerator:
                g.add((node, FZ.numerator, self.obs_iri(o.numerator)))
            if o.denominator:
                g.add((node, FZ.denominator, self.obs_iri(o.denominator)))
            if o.as_of:
                # 截至目前: as of the end of the reporting period
                g.add((node, FZ.asOf, DATA[f"period/{self.f.meta.year}/end"]))
            g.add((node, FZ.surfaceForm, Literal(o.surface)))
            g.add((node, RDFS.label, Literal(f"{o.counted} {o.surface}", lang="zh")))
            self.area(node, o.area)
            self.stated(node, o.sentences)

    def plans(self) -> None:
        g = self.g
        problem_iri = {p.ordinal: DATA[f"problem/{self.rid}/{p.ordinal}"] for p in self.f.problems}
        for items, cls, prop, kind in (
            (self.f.problems, FZ.Problem, FZ.identifiedProblem, "problem"),
            (self.f.measures, FZ.PlannedMeasure, FZ.plannedMeasure, "measure"),
        ):
            for it in items:
                node = DATA[f"{kind}/{self.rid}/{it.ordinal}"]
                g.add((node, RDF.type, cls))
                if kind == "measure":
                    g.add((node, RDF.type, PROV.Plan))
                g.add((node, RDFS.label, Literal(it.label, lang="zh")))
                g.add((node, FZ.ordinal, Literal(it.ordinal)))
                self.area(node, it.area)
                self.stated(node, it.sentences)
                g.add((self.report, prop, node))
                for p in it.addresses:
                    g.add((node, FZ.addresses, problem_iri[p]))


def to_graph(facts: Facts) -> Graph:
    """The report's graph: text layer, entities and facts, every fact with its sentence."""
    # SimpleMemory: no per-context bookkeeping, which made rdflib's default store half
    # of the time of building a report's graph; a report graph needs no contexts
    graph = bind_prefixes(Graph(store="SimpleMemory"))
    _Builder(facts, graph).build()
    return graph


def to_triples(facts: Facts) -> list[Triple]:
    """The triples of :func:`to_graph`, each once, without building the graph.

    For callers that only convert them (bulk ingest turns them into Oxigraph triples): the
    same triples in about 40 % of the time, as no rdflib store indexes them.
    """
    triples = _TripleSet()
    _Builder(facts, triples).build()
    return list(triples.triples)
