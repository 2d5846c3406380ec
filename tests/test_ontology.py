"""Tests of ontology/ (OWL, Data Cube, SKOS vocabularies, SHACL) and fazhi_graph.ontology."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import owlrl
import pytest
from rdflib import BNode, Dataset, Graph, Literal, Namespace, URIRef
from rdflib import namespace as rns
from rdflib.namespace import (
    DCTERMS,
    ORG,
    OWL,
    PROV,
    QB,
    RDF,
    RDFS,
    SH,
    SKOS,
)

from fazhi_graph import ontology
from fazhi_graph.errors import OntologyError
from fazhi_graph.namespaces import (
    ACTIVITY,
    AREA,
    BASE,
    CLOSED_NAMESPACES,
    DATA,
    DIRECTION,
    DOCTYPE,
    FZ,
    GRAPH,
    INDICATOR,
    LEVEL,
    NIF,
    ORGTYPE,
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

ONTOLOGY_IRI = URIRef(BASE + "ontology")
SHAPES_NS = BASE + "shapes"
ERR = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
DATASET = DATA["dataset/metrics"]
DSD = DATA["dataset/metrics-dsd"]

DECLARATION_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    RDF.Property,
    SKOS.Concept,
    SKOS.ConceptScheme,
}


def terms(ns: type[rns.DefinedNamespace]) -> list[URIRef]:
    return [ns._NS[name] for name in ns.__annotations__ if not name.startswith("_")]


def langs(graph: Graph, subject: URIRef, *props: URIRef) -> set[str]:
    return {
        o.language or "" for p in props for o in graph.objects(subject, p) if isinstance(o, Literal)
    }


def zh_labels(graph: Graph, concept: URIRef, *props: URIRef) -> set[str]:
    return {
        str(o)
        for p in props
        for o in graph.objects(concept, p)
        if isinstance(o, Literal) and o.language == "zh"
    }


@pytest.fixture(scope="module")
def onto() -> Graph:
    return ontology.load_ontology()


@pytest.fixture(scope="module")
def vocab() -> Graph:
    return ontology.load_vocabularies()


@pytest.fixture(scope="module")
def everything(onto: Graph, vocab: Graph) -> Graph:
    graph = Graph()
    graph += onto
    graph += vocab
    return graph


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return ontology.load_shapes()


# ------------------------------------------------------------------------------------------------
# Every closed-namespace term is declared, labelled and defined; nothing else is declared.


@pytest.mark.parametrize("ns", CLOSED_NAMESPACES, ids=lambda ns: ns.__name__)
def test_every_closed_term_is_declared_labelled_and_defined(
    ns: type[rns.DefinedNamespace], everything: Graph
) -> None:
    problems = []
    for term in terms(ns):
        types = set(everything.objects(term, RDF.type))
        if not types & DECLARATION_TYPES:
            problems.append(f"{term}: not declared (types {sorted(map(str, types))})")
        have = langs(everything, term, RDFS.label, SKOS.prefLabel)
        if not {"zh", "en"} <= have:
            problems.append(f"{term}: labels in {sorted(have)}, need zh and en")
        defined = langs(everything, term, SKOS.definition, RDFS.comment)
        if "en" not in defined:
            problems.append(f"{term}: no English skos:definition")
        if ns is FZ and "zh" not in defined:
            problems.append(f"{term}: no Chinese skos:definition")
    assert not problems, "\n".join(problems)


def test_fz_terms_have_the_right_kind(onto: Graph) -> None:
    for name in FZ.__annotations__:
        term = FZ._NS[name]
        types = set(onto.objects(term, RDF.type))
        if name in {"CNY", "PercentagePoint"}:
            assert OWL.NamedIndividual in types, name
        elif name[0].isupper():
            assert OWL.Class in types, name
        else:
            assert types & {OWL.ObjectProperty, OWL.DatatypeProperty}, name
        assert (term, RDFS.label, None) in onto and (term, SKOS.prefLabel, None) in onto


def _project_iris(graph: Graph) -> Iterator[URIRef]:
    for triple in graph:
        for node in triple:
            if isinstance(node, URIRef) and str(node).startswith(BASE):
                yield node


def test_no_orphan_terms(everything: Graph, shapes: Graph) -> None:
    """Every fz: or closed-scheme IRI used in ontology/ is named in namespaces.py."""
    known = {term for ns in CLOSED_NAMESPACES for term in terms(ns)}
    closed_bases = [str(ns._NS) for ns in CLOSED_NAMESPACES]
    open_bases = [str(AREA), str(PROGRAM), str(INDICATOR), str(DATA), str(GRAPH), SHAPES_NS]
    orphans = set()
    for iri in _project_iris(everything + shapes):
        text = str(iri)
        if any(text.startswith(b) for b in closed_bases):
            if iri not in known:
                orphans.add(text)
        elif not any(text.startswith(b) for b in open_bases) and not text.startswith(
            str(ONTOLOGY_IRI)
        ):
            orphans.add(text)
    assert not orphans, sorted(orphans)


def test_no_declared_terms_outside_project_namespaces(everything: Graph) -> None:
    """We never mint classes or properties in org:, qb:, schema: or other vocabularies."""
    foreign = set()
    for decl in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property):
        for subject in everything.subjects(RDF.type, decl):
            if isinstance(subject, URIRef) and not str(subject).startswith(BASE):
                foreign.add(str(subject))
    assert not foreign, sorted(foreign)


def test_fz_labels_are_unique_per_language(onto: Graph) -> None:
    for lang in ("zh", "en"):
        seen: dict[str, URIRef] = {}
        for term in terms(FZ):
            for label in onto.objects(term, RDFS.label):
                if isinstance(label, Literal) and label.language == lang:
                    key = str(label).lower()
                    assert key not in seen, f"{term} and {seen[key]} share the label {label!r}"
                    seen[key] = term


def test_no_two_classes_share_a_label(everything: Graph) -> None:
    for lang in ("zh", "en"):
        seen: dict[str, URIRef] = {}
        for cls in everything.subjects(RDF.type, OWL.Class):
            for label in everything.objects(cls, RDFS.label):
                if isinstance(label, Literal) and label.language == lang:
                    assert str(label) not in seen, (cls, seen.get(str(label)), label)
                    seen[str(label)] = cls


# ------------------------------------------------------------------------------------------------
# OWL header, alignments, Data Cube


def test_ontology_header(onto: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in onto
    assert {"zh", "en"} <= langs(onto, ONTOLOGY_IRI, DCTERMS.title)
    assert {"zh", "en"} <= langs(onto, ONTOLOGY_IRI, DCTERMS.description)
    assert (
        ONTOLOGY_IRI,
        DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in onto
    assert onto.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert onto.value(ONTOLOGY_IRI, OWL.versionIRI) is not None
    assert onto.value(ONTOLOGY_IRI, DCTERMS.created) is not None


def test_key_alignments(onto: Graph) -> None:
    assert (FZ.statedIn, RDFS.subPropertyOf, PROV.wasDerivedFrom) in onto
    for sup in (
        ORG.FormalOrganization,
        URIRef("http://data.europa.eu/m8g/PublicOrganisation"),
        SCHEMA.GovernmentOrganization,
    ):
        assert (FZ.PublicBody, RDFS.subClassOf, sup) in onto
    assert (FZ.CoordinatingBody, RDFS.subClassOf, ORG.OrganizationalCollaboration) in onto
    assert (FZ.withinDivision, RDF.type, OWL.TransitiveProperty) in onto
    for dim in (FZ.indicator, FZ.statType):
        assert (dim, RDF.type, QB.DimensionProperty) in onto
    for attr in (
        FZ.countedThing,
        FZ.valueQualifier,
        FZ.measureWord,
        FZ.changeDirection,
        FZ.numerator,
        FZ.denominator,
        FZ.statedIn,
    ):
        assert (attr, RDF.type, QB.AttributeProperty) in onto


def test_no_domains_and_only_data_cube_ranges(onto: Graph) -> None:
    """Domains/ranges would retype nodes under inference; only the two dimensions have a range."""
    assert not list(onto.subject_objects(RDFS.domain))
    assert set(onto.subjects(RDFS.range, None)) == {FZ.indicator, FZ.statType}


def test_no_body_class_is_a_site_or_place(onto: Graph) -> None:
    body_classes = [FZ.PublicBody, FZ.InternalBody, FZ.CoordinatingBody, FZ.MediationOrganization]
    for cls in body_classes:
        supers = set(onto.transitive_objects(cls, RDFS.subClassOf))
        assert ORG.Site not in supers and SCHEMA.Place not in supers, cls
        assert {FZ.Venue, FZ.AdministrativeDivision} <= set(onto.objects(cls, OWL.disjointWith))


def test_datacube_structure(onto: Graph) -> None:
    assert (DATASET, RDF.type, QB.DataSet) in onto
    assert {"zh", "en"} <= langs(onto, DATASET, RDFS.label)
    assert onto.value(DATASET, QB.structure) == DSD
    assert (DSD, RDF.type, QB.DataStructureDefinition) in onto
    components = list(onto.objects(DSD, QB.component))
    dims = {onto.value(c, QB.dimension) for c in components} - {None}
    measures = {onto.value(c, QB.measure) for c in components} - {None}
    attrs = {onto.value(c, QB.attribute) for c in components} - {None}
    assert dims == {SDMXDIM.refArea, SDMXDIM.refPeriod, FZ.indicator, FZ.statType}
    assert measures == {SDMXMEASURE.obsValue}
    assert attrs == {
        SDMXATTR.unitMeasure,
        SDMXATTR.unitMult,
        SDMXATTR.basePer,
        FZ.measureWord,
        FZ.countedThing,
        FZ.valueQualifier,
        FZ.changeDirection,
        FZ.numerator,
        FZ.denominator,
        FZ.statedIn,
    }
    required = {
        onto.value(c, QB.attribute)
        for c in components
        if onto.value(c, QB.componentRequired) == Literal(True)
    }
    assert SDMXATTR.unitMeasure in required


# ------------------------------------------------------------------------------------------------
# SKOS integrity


def test_concepts_have_one_pref_label_per_language_and_a_scheme(vocab: Graph) -> None:
    problems = []
    concepts = set(vocab.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 250
    for concept in concepts:
        prefs = [o for o in vocab.objects(concept, SKOS.prefLabel) if isinstance(o, Literal)]
        per_lang: dict[str, int] = {}
        for label in prefs:
            per_lang[label.language or ""] = per_lang.get(label.language or "", 0) + 1
        if per_lang.get("zh") != 1 or per_lang.get("en") != 1 or max(per_lang.values()) > 1:
            problems.append(f"{concept}: prefLabels per language {per_lang}")
        schemes = set(vocab.objects(concept, SKOS.inScheme))
        if not schemes or any((s, RDF.type, SKOS.ConceptScheme) not in vocab for s in schemes):
            problems.append(f"{concept}: not in a declared scheme")
        if "en" not in langs(vocab, concept, SKOS.definition):
            problems.append(f"{concept}: no English definition")
    assert not problems, "\n".join(sorted(problems))


def test_label_kinds_are_disjoint_per_concept(vocab: Graph) -> None:
    """SKOS S13: pref, alt and hidden labels of one concept do not overlap."""
    for concept in vocab.subjects(RDF.type, SKOS.Concept):
        pref = set(vocab.objects(concept, SKOS.prefLabel))
        alt = set(vocab.objects(concept, SKOS.altLabel))
        hidden = set(vocab.objects(concept, SKOS.hiddenLabel))
        assert not (pref & alt or pref & hidden or alt & hidden), concept


def test_top_concepts_are_consistent(vocab: Graph) -> None:
    for scheme, concept in vocab.subject_objects(SKOS.hasTopConcept):
        assert (concept, SKOS.topConceptOf, scheme) in vocab
        assert (concept, SKOS.inScheme, scheme) in vocab
    for concept, scheme in vocab.subject_objects(SKOS.topConceptOf):
        assert (scheme, SKOS.hasTopConcept, concept) in vocab


@pytest.mark.parametrize(
    "ns", [n for n in CLOSED_NAMESPACES if n is not FZ], ids=lambda n: n.__name__
)
def test_closed_scheme_is_complete_and_unambiguous(
    ns: type[rns.DefinedNamespace], vocab: Graph
) -> None:
    scheme = ns._NS["scheme"]
    assert (scheme, RDF.type, SKOS.ConceptScheme) in vocab
    members = set(vocab.subjects(SKOS.inScheme, scheme))
    expected = {t for t in terms(ns) if t != scheme}
    assert members == expected
    # a Chinese label classifies to one concept only
    owner: dict[str, URIRef] = {}
    for concept in sorted(members):
        for label in zh_labels(vocab, concept, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            assert label not in owner, f"{label!r} labels both {owner[label]} and {concept}"
            owner[label] = concept


def test_areas_a0_to_a9(vocab: Graph) -> None:
    scheme = AREA["scheme"]
    tops = set(vocab.objects(scheme, SKOS.hasTopConcept))
    assert tops == {AREA[f"A{i}"] for i in range(10)}
    for top in tops:
        assert vocab.value(top, SKOS.notation) == Literal(str(top).rsplit("/", 1)[1])
        assert zh_labels(vocab, top, SKOS.hiddenLabel), f"{top} has no keywords"
    narrower = set(vocab.subjects(SKOS.broader, None)) & set(vocab.subjects(SKOS.inScheme, scheme))
    assert AREA["A1-power-list"] in narrower and len(narrower) >= 20
    assert "案卷评查" in zh_labels(vocab, AREA["A4"], SKOS.hiddenLabel)
    assert "信访" in zh_labels(vocab, AREA["A6"], SKOS.hiddenLabel)


@pytest.mark.parametrize("scheme", [PROGRAM["scheme"], INDICATOR["scheme"]], ids=["fzp", "fzi"])
def test_open_concepts_reach_an_area(scheme: URIRef, vocab: Graph) -> None:
    concepts = set(vocab.subjects(SKOS.inScheme, scheme))
    assert len(concepts) > 40
    for concept in concepts:
        reached = set(vocab.transitive_objects(concept, SKOS.broader)) - {concept}
        assert any(str(c).startswith(str(AREA)) for c in reached), f"{concept} reaches no fza: area"
        assert zh_labels(vocab, concept, SKOS.prefLabel)


def test_open_concepts_have_the_open_class(vocab: Graph) -> None:
    for concept in vocab.subjects(SKOS.inScheme, PROGRAM["scheme"]):
        assert (concept, RDF.type, FZ.Initiative) in vocab
    for concept in vocab.subjects(SKOS.inScheme, INDICATOR["scheme"]):
        assert (concept, RDF.type, FZ.Indicator) in vocab
    for concept in vocab.subjects(SKOS.inScheme, AREA["scheme"]):
        assert (concept, RDF.type, FZ.WorkArea) in vocab


def test_program_and_indicator_names_are_unambiguous(vocab: Graph) -> None:
    for scheme in (PROGRAM["scheme"], INDICATOR["scheme"]):
        owner: dict[str, URIRef] = {}
        for concept in sorted(vocab.subjects(SKOS.inScheme, scheme)):
            for label in zh_labels(vocab, concept, SKOS.prefLabel, SKOS.altLabel):
                assert label not in owner, f"{label!r} names {owner[label]} and {concept}"
                owner[label] = concept


def test_seed_initiatives_and_indicator_wordings(vocab: Graph) -> None:
    programs = {
        label
        for labels in ontology.concept_labels(vocab, PROGRAM["scheme"]).values()
        for label in labels
    }
    for name in [
        "放管服",
        "三项制度",
        "好差评",
        "七五",
        "八五",
        "法律八进",
        "枫桥经验",
        "一网通办",
        "一事通办",
        "最多跑一次",
        "证照分离",
        "多证合一",
        "双随机、一公开",
        "双随机一公开",
        "三同步",
        "阳光仲裁",
        "互联网+政务",
        "权力清单",
        "责任清单",
        "谁执法谁普法",
        "法律明白人",
        "法律进社区",
        "减证便民",
        "府院沟通",
        "中心组学法",
        "扫黑除恶",
        "市域社会治理现代化",
        "12345热线",
        "法治政府示范创建",
        "负责人出庭应诉",
    ]:
        assert name in programs, name
    labels = ontology.concept_labels(vocab, INDICATOR["scheme"])
    same_measure = [
        ("mediation-success-rate", {"调解率", "调解成功率"}),
        ("head-appearance-rate", {"出庭率", "出庭应诉率", "负责人出庭率"}),
        ("reply-rate", {"办复率", "答复率", "回复率"}),
        ("online-service-rate", {"网办率", "网上可办率"}),
        ("arbitration-closure-rate", {"仲裁结案率"}),
        ("exam-pass-rate", {"合格率"}),
        ("good-review-rate", {"好评率"}),
        ("npc-suggestions-handled", {"建议"}),
    ]
    for local, wordings in same_measure:
        assert wordings <= set(labels[INDICATOR[local]]), local


# ------------------------------------------------------------------------------------------------
# Classification by name/title endings (what the extractor does with these labels)


def classify_by_ending(vocab: Graph, scheme: URIRef, name: str) -> URIRef | None:
    name = re.sub(r"[（(][^（()）]*[)）]$", "", name)  # drop a trailing (2021—2025年)
    best: tuple[int, URIRef] | None = None
    for concept, labels in ontology.concept_labels(vocab, scheme).items():
        for label in labels:
            if name.endswith(label) and (best is None or len(label) > best[0]):
                best = (len(label), concept)
    return best[1] if best else None


@pytest.mark.parametrize(
    ("scheme", "name", "expected"),
    [
        (DOCTYPE.scheme, "区委全面依法治区委员会2020年工作要点", DOCTYPE.WorkPoints),
        (DOCTYPE.scheme, "城东区2020年法治政府建设工作任务台账", DOCTYPE.Ledger),
        (DOCTYPE.scheme, "法治政府建设与责任落实督察工作规定", DOCTYPE.Provisions),
        (DOCTYPE.scheme, "关于进一步优化营商环境的若干措施", DOCTYPE.Measures),
        (DOCTYPE.scheme, "城东区关于进一步加强服务重点企业的分工方案", DOCTYPE.ImplementationPlan),
        (DOCTYPE.scheme, "城东区人民政府工作规则", DOCTYPE.Rules),
        (DOCTYPE.scheme, "劳动争议调解仲裁法", DOCTYPE.Law),
        (DOCTYPE.scheme, "中华人民共和国民法典", DOCTYPE.Law),
        (DOCTYPE.scheme, "宪法", DOCTYPE.Constitution),
        (DOCTYPE.scheme, "重大行政决策程序暂行条例", DOCTYPE.Regulation),
        (DOCTYPE.scheme, "法治政府建设实施纲要（2021—2025年）", DOCTYPE.Outline),
        (DOCTYPE.scheme, "某市优化营商环境三年行动计划（2021—2023年）", DOCTYPE.Plan),
        (DOCTYPE.scheme, "关于建立行政争议实质性化解衔接机制的意见", DOCTYPE.Opinions),
        (DOCTYPE.scheme, "某县国家机关“谁执法谁普法”普法责任清单", DOCTYPE.List),
        (DOCTYPE.scheme, "某市养犬管理办法", DOCTYPE.Provisions),
        (ORGTYPE.scheme, "区委", ORGTYPE.PartyCommittee),
        (ORGTYPE.scheme, "区委常委会", ORGTYPE.StandingCommittee),
        (ORGTYPE.scheme, "区委中心组", ORGTYPE.StudyGroup),
        (ORGTYPE.scheme, "区委全面依法治区委员会", ORGTYPE.Commission),
        (ORGTYPE.scheme, "区政府", ORGTYPE.PeoplesGovernment),
        (ORGTYPE.scheme, "区政府党组", ORGTYPE.PartyGroup),
        (ORGTYPE.scheme, "区政府常务会议", ORGTYPE.ExecutiveMeeting),
        (ORGTYPE.scheme, "区人大常委会", ORGTYPE.PeoplesCongress),
        (ORGTYPE.scheme, "区政协", ORGTYPE.PoliticalConsultative),
        (ORGTYPE.scheme, "区法院", ORGTYPE.Court),
        (ORGTYPE.scheme, "市中级人民法院", ORGTYPE.Court),
        (ORGTYPE.scheme, "区检察院", ORGTYPE.Procuratorate),
        (ORGTYPE.scheme, "区优化营商环境工作领导小组", ORGTYPE.LeadingGroup),
        (ORGTYPE.scheme, "“放管服”改革协调小组", ORGTYPE.CoordinationGroup),
        (ORGTYPE.scheme, "行政执法督检组", ORGTYPE.InspectionGroup),
        (ORGTYPE.scheme, "区人民调解指导中心", ORGTYPE.MediationCentre),
        (ORGTYPE.scheme, "镇人民调解委员会", ORGTYPE.MediationCommittee),
        (ORGTYPE.scheme, "村(社区)调委会", ORGTYPE.MediationCommittee),
        (ORGTYPE.scheme, "区司法局", ORGTYPE.GovernmentDepartment),
        (ORGTYPE.scheme, "区发展改革委", ORGTYPE.GovernmentDepartment),
        (ORGTYPE.scheme, "县政务服务中心", ORGTYPE.ServiceCentre),
        (ORGTYPE.scheme, "领导小组办公室", ORGTYPE.Office),
        (ORGTYPE.scheme, "区政府法律顾问团", ORGTYPE.LegalAdviserTeam),
        (LEVEL.scheme, "乐家湾镇", LEVEL.Township),
        (LEVEL.scheme, "城东区", LEVEL.District),
        (LEVEL.scheme, "西宁市", LEVEL.Prefecture),
        (LEVEL.scheme, "青海省", LEVEL.Province),
        (LEVEL.scheme, "某某县", LEVEL.County),
        (LEVEL.scheme, "某某街道", LEVEL.Subdistrict),
        (LEVEL.scheme, "某某村", LEVEL.Village),
        (LEVEL.scheme, "某某社区", LEVEL.Community),
        (VENUE.scheme, "沁园小区", VENUE.ResidentialCompound),
        (VENUE.scheme, "韵家口小学", VENUE.School),
        (VENUE.scheme, "青少年法治体验基地", VENUE.LegalEducationBase),
        (VENUE.scheme, "某村法治长廊", VENUE.LegalEducationBase),
        (VENUE.scheme, "人民广场", VENUE.Square),
        (ACTIVITY.scheme, "区委全面依法治区委员会第二次会议", ACTIVITY.Meeting),
        (ACTIVITY.scheme, "全市优化营商环境现场观摩会", ACTIVITY.Meeting),
        (ACTIVITY.scheme, "专题讲座", ACTIVITY.Lecture),
        (ACTIVITY.scheme, "非公经济代表人士座谈会", ACTIVITY.Symposium),
        (ACTIVITY.scheme, "督导检查", ACTIVITY.Inspection),
        (ACTIVITY.scheme, "七五普法终期考核验收", ACTIVITY.Assessment),
        (ACTIVITY.scheme, "依法行政专题培训", ACTIVITY.Training),
        (ACTIVITY.scheme, "公务员法律培训考试", ACTIVITY.Exam),
        (ACTIVITY.scheme, "行政处罚案卷评查", ACTIVITY.CaseReview),
    ],
)
def test_classification_by_ending(
    vocab: Graph, scheme: URIRef, name: str, expected: URIRef
) -> None:
    assert classify_by_ending(vocab, scheme, name) == expected


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("党政主要负责人履行法治建设第一责任人职责情况", SECTION.FirstResponsible),
        ("工作开展情况", SECTION.Achievements),
        ("存在的问题", SECTION.Problems),
        ("下一步工作思路", SECTION.NextSteps),
        ("2022年工作打算", SECTION.NextSteps),
    ],
)
def test_section_headings(vocab: Graph, heading: str, expected: URIRef) -> None:
    assert classify_by_ending(vocab, SECTION.scheme, heading) == expected


def test_qualifier_cues(vocab: Graph) -> None:
    labels = ontology.concept_labels(vocab, QUALIFIER.scheme)
    assert "近" in labels[QUALIFIER.ApproachingFromBelow]
    assert {"余", "多", "超过"} <= set(labels[QUALIFIER.MoreThan])
    assert "约" in labels[QUALIFIER.About]


# ------------------------------------------------------------------------------------------------
# Reasoning side effects (run on a copy)


@pytest.fixture(scope="module")
def closure(everything: Graph) -> Graph:
    graph = Graph()
    graph += everything
    probe = URIRef("urn:test:body-that-is-a-venue")
    graph.add((probe, RDF.type, FZ.PublicBody))
    graph.add((probe, RDF.type, FZ.Venue))
    owlrl.DeductiveClosure(owlrl.RDFS_OWLRL_Semantics).expand(graph)
    return graph


def test_owlrl_closure_infers_no_same_as(closure: Graph) -> None:
    same = [(s, o) for s, o in closure.subject_objects(OWL.sameAs) if s != o]
    assert not same


def test_owlrl_closure_reports_only_the_probe(closure: Graph) -> None:
    """Ontology + vocab are consistent; the disjointness axioms catch a body that is a venue."""
    errors = [
        str(closure.value(m, ERR.error)) for m in closure.subjects(RDF.type, ERR.ErrorMessage)
    ]
    assert errors, "the body/venue disjointness axiom was not applied"
    assert all("urn:test:body-that-is-a-venue" in e for e in errors), errors


def test_loaded_graphs_are_not_changed_by_reasoning(everything: Graph, closure: Graph) -> None:
    assert len(closure) > len(everything)
    fresh = ontology.load_ontology() + ontology.load_vocabularies()
    assert len(fresh) == len(everything)
    assert not list(fresh.subjects(RDF.type, ERR.ErrorMessage))


# ------------------------------------------------------------------------------------------------
# SHACL validation


TEXT = (
    "2020年以来,全区各级人民调解组织受理矛盾纠纷374件,调解成功367件,调解率98.1%。"
    "召开依法治区委员会第二次会议。"
)
SHA = "f596d6e4" + "0" * 52 + "8a14"


def _nni(value: int) -> Literal:
    return Literal(value, datatype=rns.XSD.integer)


def good_graph() -> Graph:
    """A small report graph in the shape docs/data-model.md describes."""
    g = Graph()
    report, text, run = DATA["report/t-2020"], DATA["text/t-2020"], DATA["run/t-2020"]
    section = DATA["text/t-2020/section/1"]
    first_end = TEXT.index("。") + 1
    s1 = DATA[f"text/t-2020/char/0-{first_end}"]
    s2 = DATA[f"text/t-2020/char/{first_end}-{len(TEXT)}"]
    area, body, period = DATA["place/t"], DATA["org/t/qu-zhengfu"], DATA["period/2020"]
    post = DATA["post/t/qu-zhengfu-head"]

    g.add((report, RDF.type, FZ.AnnualReport))
    g.add((report, RDF.type, SCHEMA.Report))
    g.add((report, DCTERMS.title, Literal("某区人民政府2020年法治政府建设工作情况", lang="zh")))
    g.add((report, FZ.issuerName, Literal("某区人民政府", lang="zh")))
    g.add((report, FZ.reportingBody, body))
    g.add((report, FZ.reportingArea, area))
    g.add((report, FZ.reportingYear, Literal("2020", datatype=rns.XSD.gYear)))
    g.add((report, FZ.reportingPeriod, period))
    g.add((report, FZ.hasText, text))
    g.add((report, FZ.hasSection, section))
    g.add((report, FZ.sourceSha256, Literal(SHA)))
    g.add((report, FZ.sourceFile, Literal("t.txt")))
    g.add((report, PROV.wasGeneratedBy, run))

    g.add((text, RDF.type, FZ.ReportText))
    g.add((text, RDF.type, NIF.Context))
    g.add((text, NIF.isString, Literal(TEXT)))
    g.add((text, NIF.beginIndex, _nni(0)))
    g.add((text, NIF.endIndex, _nni(len(TEXT))))
    g.add((text, FZ.sourceSha256, Literal(SHA)))

    g.add((section, RDF.type, FZ.ReportSection))
    g.add((section, NIF.referenceContext, text))
    g.add((section, NIF.beginIndex, _nni(0)))
    g.add((section, NIF.endIndex, _nni(len(TEXT))))
    g.add((section, FZ.sectionLevel, Literal(1)))
    g.add((section, FZ.sectionType, SECTION.Achievements))
    g.add((section, FZ.headingNumber, Literal("二")))
    g.add((section, FZ.headingText, Literal("工作开展情况", lang="zh")))
    g.add((section, FZ.area, AREA["A6"]))
    g.add((section, DCTERMS.isPartOf, report))

    for sentence, (b, e) in ((s1, (0, first_end)), (s2, (first_end, len(TEXT)))):
        g.add((sentence, RDF.type, NIF.Sentence))
        g.add((sentence, NIF.referenceContext, text))
        g.add((sentence, NIF.beginIndex, _nni(b)))
        g.add((sentence, NIF.endIndex, _nni(e)))
        g.add((sentence, NIF.anchorOf, Literal(TEXT[b:e])))
        g.add((sentence, FZ.inSection, section))
    g.add((s2, FZ.mentions, body))

    g.add((run, RDF.type, FZ.ExtractionRun))
    g.add((run, RDF.type, PROV.Activity))
    g.add((run, FZ.extractorVersion, Literal("0.1.0")))
    g.add((run, PROV.used, text))

    g.add((period, RDF.type, rns.TIME.ProperInterval))
    g.add((period, RDFS.label, Literal("2020")))

    g.add((area, RDF.type, FZ.AdministrativeDivision))
    g.add((area, RDF.type, SCHEMA.AdministrativeArea))
    g.add((area, RDFS.label, Literal("某区", lang="zh")))
    g.add((area, SKOS.prefLabel, Literal("某区", lang="zh")))
    g.add((area, FZ.divisionLevel, LEVEL.District))
    g.add((area, FZ.divisionCode, Literal("630102")))

    g.add((body, RDF.type, FZ.PublicBody))
    g.add((body, RDFS.label, Literal("某区人民政府", lang="zh")))
    g.add((body, SKOS.prefLabel, Literal("某区人民政府", lang="zh")))
    g.add((body, ORG.classification, ORGTYPE.PeoplesGovernment))
    g.add((body, FZ.jurisdiction, area))
    g.add((body, FZ.leadPost, post))

    g.add((post, RDF.type, ORG.Post))
    g.add((post, RDFS.label, Literal("区政府主要负责同志", lang="zh")))
    g.add((post, ORG.postIn, body))
    g.add((post, ORG.role, ROLE.FirstResponsible))

    venue = DATA["place/t/qinyuan-xiaoqu"]
    g.add((venue, RDF.type, FZ.Venue))
    g.add((venue, RDFS.label, Literal("沁园小区", lang="zh")))
    g.add((venue, FZ.venueType, VENUE.ResidentialCompound))
    g.add((venue, FZ.withinDivision, area))

    doc = DATA["doc/t/abc123"]
    g.add((doc, RDF.type, FZ.PolicyDocument))
    g.add((doc, DCTERMS.title, Literal("某区2020年法治政府建设工作要点", lang="zh")))
    g.add((doc, FZ.documentType, DOCTYPE.WorkPoints))
    g.add((doc, FZ.issuedBy, body))
    g.add((doc, FZ.about, AREA["A0"]))

    def obs(key: str, indicator: str, stat: URIRef, value: object, unit: URIRef) -> URIRef:
        node = DATA[f"obs/t-2020/{key}"]
        g.add((node, RDF.type, QB.Observation))
        g.add((node, QB.dataSet, DATASET))
        g.add((node, SDMXDIM.refArea, area))
        g.add((node, SDMXDIM.refPeriod, period))
        g.add((node, FZ.indicator, INDICATOR[indicator]))
        g.add((node, FZ.statType, stat))
        g.add((node, SDMXMEASURE.obsValue, Literal(value)))
        g.add((node, SDMXATTR.unitMeasure, unit))
        g.add((node, FZ.valueQualifier, QUALIFIER.Exact))
        g.add((node, FZ.statedIn, s1))
        return node

    received = obs("disputes", "disputes-received", STAT.Level, 374, UNIT.NUM)
    g.add((received, FZ.measureWord, Literal("件", lang="zh")))
    g.add((received, FZ.countedThing, Literal("矛盾纠纷", lang="zh")))
    success = obs("mediated", "disputes-mediated-successfully", STAT.Level, 367, UNIT.NUM)
    rate = obs("mediation-rate", "mediation-success-rate", STAT.Rate, Decimal("98.1"), UNIT.PERCENT)
    g.add((rate, FZ.numerator, success))
    g.add((rate, FZ.denominator, received))
    g.add((rate, FZ.surfaceForm, Literal("98.1%")))
    change = obs("disputes-yoy", "disputes-received", STAT.ChangePctVsBase, 13, UNIT.PERCENT)
    g.add((change, FZ.changeDirection, DIRECTION.Increase))
    g.add((change, FZ.comparisonOf, received))

    meeting = DATA[f"event/t-2020/{first_end}-{len(TEXT)}"]
    g.add((meeting, RDF.type, FZ.Meeting))
    g.add((meeting, RDFS.label, Literal("依法治区委员会第二次会议", lang="zh")))
    g.add((meeting, FZ.activityType, ACTIVITY.Meeting))
    g.add((meeting, FZ.convenedBy, body))
    g.add((meeting, FZ.chairedBy, post))
    g.add((meeting, FZ.statedIn, s2))

    problem = DATA["problem/t-2020/1"]
    g.add((report, FZ.identifiedProblem, problem))
    g.add((problem, RDF.type, FZ.Problem))
    g.add((problem, RDFS.label, Literal("“三项制度”落实力度有待加强", lang="zh")))
    g.add((problem, FZ.ordinal, Literal(1)))
    g.add((problem, FZ.area, AREA["A4"]))
    g.add((problem, FZ.statedIn, s1))
    measure = DATA["measure/t-2020/1"]
    g.add((report, FZ.plannedMeasure, measure))
    g.add((measure, RDF.type, FZ.PlannedMeasure))
    g.add((measure, RDFS.label, Literal("全面落实行政执法“三项制度”", lang="zh")))
    g.add((measure, FZ.ordinal, Literal(1)))
    g.add((measure, FZ.addresses, problem))
    g.add((measure, FZ.statedIn, s1))

    impl = DATA["impl/t-2020/fengqiao"]
    g.add((impl, RDF.type, FZ.InitiativeImplementation))
    g.add((impl, FZ.implements, PROGRAM["fengqiao-jingyan"]))
    g.add((impl, FZ.responsibleBody, body))
    g.add((impl, FZ.implementedIn, area))
    g.add((impl, FZ.governedBy, doc))
    g.add((impl, FZ.area, AREA["A6"]))
    g.add((impl, FZ.statedIn, s1))
    return g


@pytest.fixture(scope="module")
def good() -> Graph:
    return good_graph()


def test_good_graph_conforms(good: Graph) -> None:
    result = ontology.validate(good)
    assert result.conforms, result.text
    assert not [r for r in result.results if r[3] == "Violation"]


def test_validate_does_not_modify_data(good: Graph) -> None:
    before = len(good)
    ontology.validate(good)
    assert len(good) == before


def _mutated(change: Callable[[Graph], None]) -> Graph:
    graph = good_graph()
    change(graph)
    return graph


def _assert_fails_on(graph: Graph, needle: str) -> None:
    result = ontology.validate(graph)
    assert not result.conforms, result.text
    hits = [r for r in result.results if r[3] == "Violation" and (needle in r[1] or needle in r[2])]
    assert hits, result.text
    assert any(needle in r[2] for r in hits), result.text


def test_observation_without_stated_in_fails() -> None:
    node = DATA["obs/t-2020/mediation-rate"]
    _assert_fails_on(_mutated(lambda g: g.remove((node, FZ.statedIn, None))), "fz:statedIn")


def test_percent_level_above_100_fails() -> None:
    node = DATA["obs/t-2020/mediation-rate"]

    def change(g: Graph) -> None:
        g.set((node, FZ.statType, STAT.Level))
        g.set((node, SDMXMEASURE.obsValue, Literal(130)))

    _assert_fails_on(_mutated(change), "sdmx-measure:obsValue")


def test_percent_change_above_100_is_fine() -> None:
    node = DATA["obs/t-2020/disputes-yoy"]
    result = ontology.validate(
        _mutated(lambda g: g.set((node, SDMXMEASURE.obsValue, Literal(130))))
    )
    assert result.conforms, result.text


def test_sentence_with_end_before_begin_fails() -> None:
    graph = good_graph()
    sentence = next(s for s in graph.subjects(RDF.type, NIF.Sentence) if "/char/0-" not in str(s))
    begin = int(graph.value(sentence, NIF.beginIndex))  # type: ignore[arg-type]
    _assert_fails_on(
        _mutated(lambda g: g.set((sentence, NIF.endIndex, _nni(begin - 1)))), "nif:endIndex"
    )


def test_sentence_whose_anchor_is_not_the_slice_fails() -> None:
    sentence = next(
        s for s in good_graph().subjects(RDF.type, NIF.Sentence) if "/char/0-" in str(s)
    )
    _assert_fails_on(
        _mutated(lambda g: g.set((sentence, NIF.anchorOf, Literal("别的文字")))), "nif:anchorOf"
    )


def test_report_with_bad_sha_fails() -> None:
    report = DATA["report/t-2020"]
    _assert_fails_on(
        _mutated(lambda g: g.set((report, FZ.sourceSha256, Literal("F596D6E4")))), "fz:sourceSha256"
    )


def test_body_without_chinese_label_fails() -> None:
    body = DATA["org/t/qu-zhengfu"]
    _assert_fails_on(_mutated(lambda g: g.remove((body, RDFS.label, None))), "rdfs:label")


def test_unknown_unit_fails() -> None:
    node = DATA["obs/t-2020/disputes"]
    _assert_fails_on(
        _mutated(
            lambda g: g.set((node, SDMXATTR.unitMeasure, URIRef("http://qudt.org/vocab/unit/M")))
        ),
        "sdmx-attribute:unitMeasure",
    )


def test_body_that_is_also_a_site_fails() -> None:
    body = DATA["org/t/qu-zhengfu"]
    result = ontology.validate(_mutated(lambda g: g.add((body, RDF.type, FZ.Venue))))
    assert not result.conforms
    assert any("org:Site" in r[2] for r in result.results), result.text


def test_duplicate_observation_is_a_warning_only() -> None:
    def change(g: Graph) -> None:
        twin = DATA["obs/t-2020/disputes-twin"]
        for p, o in list(g.predicate_objects(DATA["obs/t-2020/disputes"])):
            g.add((twin, p, o))

    result = ontology.validate(_mutated(change))
    assert result.conforms, result.text
    assert any(r[3] == "Warning" and "IC-12" in r[2] for r in result.results), result.text


def test_indicator_must_be_a_curated_or_minted_indicator() -> None:
    node = DATA["obs/t-2020/disputes"]
    _assert_fails_on(
        _mutated(lambda g: g.set((node, FZ.indicator, PROGRAM["fangguanfu"]))), "fz:indicator"
    )


def test_minted_concepts_validate() -> None:
    def change(g: Graph) -> None:
        new = INDICATOR["minted-1a2b3c"]
        g.add((new, RDF.type, SKOS.Concept))
        g.add((new, RDF.type, FZ.Indicator))
        g.add((new, SKOS.inScheme, INDICATOR["scheme"]))
        g.add((new, SKOS.prefLabel, Literal("某新指标数", lang="zh")))
        g.add((new, SKOS.broader, AREA["A5"]))
        g.add((new, FZ.reviewStatus, REVIEW.NeedsReview))
        g.set((DATA["obs/t-2020/disputes"], FZ.indicator, new))

    result = ontology.validate(_mutated(change))
    assert result.conforms, result.text


def test_nested_shapes_check_vocabulary_nodes_the_data_only_points_to() -> None:
    # skos:broader of an indicator must be a work area or an indicator (an sh:or of two
    # sh:class shapes): the value is a vocabulary concept that is not itself in the data
    def change(g: Graph) -> None:
        new = INDICATOR["minted-9f8e7d"]
        g.add((new, RDF.type, SKOS.Concept))
        g.add((new, RDF.type, FZ.Indicator))
        g.add((new, SKOS.inScheme, INDICATOR["scheme"]))
        g.add((new, SKOS.prefLabel, Literal("某新指标数", lang="zh")))
        g.add((new, SKOS.broader, PROGRAM["fangguanfu"]))
        g.add((new, FZ.reviewStatus, REVIEW.NeedsReview))

    _assert_fails_on(_mutated(change), "skos:broader")


def test_minted_concept_without_broader_is_a_warning() -> None:
    def change(g: Graph) -> None:
        new = PROGRAM["x-guanjian-shaoshu"]
        g.add((new, RDF.type, SKOS.Concept))
        g.add((new, RDF.type, FZ.Initiative))
        g.add((new, SKOS.inScheme, PROGRAM["scheme"]))
        g.add((new, SKOS.prefLabel, Literal("关键少数", lang="zh")))
        g.add((new, FZ.reviewStatus, REVIEW.NeedsReview))

    result = ontology.validate(_mutated(change))
    assert result.conforms, result.text
    warnings = [r for r in result.results if r[3] == "Warning"]
    assert [r[1] for r in warnings] == ["skos:broader"], result.text


def test_the_vocabularies_conform_when_validated_as_data() -> None:
    # a build validates only the nodes its data describes; the curated concepts are checked here
    result = ontology.validate(ontology.load_vocabularies())
    assert result.conforms, result.text
    assert not [r for r in result.results if r[3] == "Violation"]


def test_a_broken_vocabulary_concept_is_caught_when_validated_as_data() -> None:
    vocab = ontology.load_vocabularies()
    concept = next(iter(vocab.subjects(RDF.type, FZ.Indicator)))
    vocab.remove((concept, SKOS.prefLabel, None))
    # context: the ontology only (the default context would add the intact vocabulary files)
    result = ontology.validate(vocab, ontology=ontology.load_ontology())
    assert not result.conforms
    assert any(r[1] == "skos:prefLabel" and r[3] == "Violation" for r in result.results), (
        result.text
    )


def test_validation_checks_only_the_nodes_the_data_describes() -> None:
    # the same broken concept passed as ontology context is not re-checked...
    vocab = ontology.load_vocabularies()
    concept = next(iter(vocab.subjects(RDF.type, FZ.Indicator)))
    vocab.remove((concept, SKOS.prefLabel, None))
    context = ontology.load_ontology() + vocab
    assert ontology.validate(good_graph(), ontology=context).conforms
    # ...unless the data says something about it
    data = good_graph()
    data.add((concept, RDFS.comment, Literal("used here", lang="en")))
    assert not ontology.validate(data, ontology=context).conforms


def test_a_validation_context_is_used_once(good: Graph) -> None:
    context = ontology.Validation()
    assert context.run(good).conforms
    with pytest.raises(RuntimeError, match="one graph"):
        context.run(good)


def test_validating_n_triples_gives_the_same_result() -> None:
    from fazhi_graph.store import ntriples, to_oxigraph

    node = DATA["obs/t-2020/mediation-rate"]
    bad = _mutated(lambda g: g.remove((node, FZ.statedIn, None)))
    from_graph = ontology.Validation().run(bad)
    from_text = ontology.Validation().run_ntriples(ntriples(to_oxigraph(bad)))
    assert not from_text.conforms
    assert from_text == from_graph


def test_validate_accepts_a_dataset(good: Graph) -> None:
    ds = Dataset()
    named = ds.graph(GRAPH["report/t-2020"])
    for triple in good:
        named.add(triple)
    assert ontology.validate(ds).conforms


def test_result_text_is_readable() -> None:
    node = DATA["obs/t-2020/mediation-rate"]
    result = ontology.validate(_mutated(lambda g: g.remove((node, FZ.statedIn, None))))
    assert result.text.startswith("SHACL validation: does not conform")
    assert "fzd:obs/t-2020/mediation-rate" in result.text or str(node) in result.text


def test_shapes_need_no_advanced_features(shapes: Graph) -> None:
    advanced = [SH.rule, SH.target, SH.SPARQLTarget, SH.ConstraintComponent, SH.SPARQLRule]
    for term in advanced:
        assert not list(shapes.triples((None, None, term))), term
        assert not list(shapes.triples((None, term, None))), term
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert "en" in langs(shapes, shape, RDFS.comment), shape


def test_every_property_shape_has_a_message(shapes: Graph) -> None:
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS), shape
        messages = [shapes.value(shape, SH.message)]
        messages += [shapes.value(p, SH.message) for p in shapes.objects(shape, SH.property)]
        messages += [shapes.value(c, SH.message) for c in shapes.objects(shape, SH.sparql)]
        props = list(shapes.objects(shape, SH.property)) + list(shapes.objects(shape, SH.sparql))
        for prop in props:
            assert isinstance(prop, BNode)
            assert (prop, SH.message, None) in shapes or (shape, SH.message, None) in shapes, shape
        assert any(messages), shape


# ------------------------------------------------------------------------------------------------
# Loading: folders, caching, errors


def test_ontology_dir_default_and_override(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(ontology.ENV_VAR, raising=False)
    assert (ontology.ontology_dir() / "fazhi.ttl").is_file()
    monkeypatch.setenv(ontology.ENV_VAR, str(tmp_path))
    assert ontology.ontology_dir() == tmp_path.resolve()


def test_loaders_return_copies() -> None:
    first = ontology.load_ontology()
    first.remove((None, None, None))
    assert len(ontology.load_ontology()) > 500
    vocab = ontology.load_vocabularies()
    vocab.add((URIRef("urn:x"), RDFS.label, Literal("x")))
    assert (URIRef("urn:x"), RDFS.label, Literal("x")) not in ontology.load_vocabularies()


def _copy_ontology(tmp_path: Path) -> Path:
    source = ontology.ontology_dir()
    target = tmp_path / "ontology"
    (target / "vocab").mkdir(parents=True)
    for path in source.glob("*.ttl"):
        (target / path.name).write_bytes(path.read_bytes())
    for path in (source / "vocab").glob("*.ttl"):
        (target / "vocab" / path.name).write_bytes(path.read_bytes())
    return target


def test_malformed_turtle_raises_ontology_error(tmp_path: Path) -> None:
    folder = _copy_ontology(tmp_path)
    (folder / "datacube.ttl").write_text(
        '@prefix qb: <http://purl.org/linked-data/cube#> .\n<x> a qb:DataSet ;\n  <y> "open .\n',
        encoding="utf-8",
    )
    with pytest.raises(OntologyError, match=r"datacube\.ttl"):
        ontology.load_ontology(folder)
    (folder / "vocab" / "broken.ttl").write_text("this is not turtle", encoding="utf-8")
    with pytest.raises(OntologyError, match=r"broken\.ttl"):
        ontology.load_vocabularies(folder)
    (folder / "shapes.ttl").write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#\n", encoding="utf-8"
    )
    with pytest.raises(OntologyError, match=r"shapes\.ttl"):
        ontology.load_shapes(folder)


def test_missing_folder_and_files_raise_ontology_error(tmp_path: Path) -> None:
    with pytest.raises(OntologyError, match="not found"):
        ontology.load_ontology(tmp_path / "nowhere")
    with pytest.raises(OntologyError, match=r"fazhi\.ttl"):
        ontology.load_ontology(tmp_path)
    with pytest.raises(OntologyError, match="vocab"):
        ontology.load_vocabularies(tmp_path)


def test_cache_notices_edited_files(tmp_path: Path) -> None:
    folder = _copy_ontology(tmp_path)
    before = len(ontology.load_shapes(folder))
    shapes_file = folder / "shapes.ttl"
    shapes_file.write_text(
        shapes_file.read_text(encoding="utf-8") + "\n<urn:x> <urn:y> <urn:z> .\n", encoding="utf-8"
    )
    assert len(ontology.load_shapes(folder)) == before + 1


def test_concept_labels_order_and_language(vocab: Graph) -> None:
    labels = ontology.concept_labels(vocab, DOCTYPE.scheme)
    assert set(labels) == {t for t in terms(DOCTYPE) if t != DOCTYPE.scheme}
    assert labels[DOCTYPE.Law][0] == "法律"  # prefLabel first
    assert {"法", "法典"} <= set(labels[DOCTYPE.Law])
    assert all(re.search(r"[\u4e00-\u9fff]", label) for ls in labels.values() for label in ls)
    assert list(labels) == sorted(labels, key=str)
