"""Closed vocabularies: every IRI the code writes comes from here.

The project terms are declared as :class:`rdflib.namespace.DefinedNamespace` subclasses with
``_fail = True``, so a typo (``FZ.statedin``) raises ``AttributeError`` instead of silently minting
a wrong IRI. ``tests/test_ontology.py`` checks that every term listed here is declared, labelled
in Chinese and English and defined in ``ontology/``, and that the ontology declares nothing the
code cannot name.

Standard vocabularies we reuse but rdflib does not ship as closed namespaces (ORG's copy in
rdflib is closed already) are declared here with only the terms we use.
"""

from __future__ import annotations

from rdflib import Namespace
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
    TIME,
    XSD,
    DefinedNamespace,
)
from rdflib.term import URIRef

from fazhi_graph.iris import BASE as BASE  # re-exported: the root of every project IRI
from fazhi_graph.iris import GRAPH_BASE
from fazhi_graph.iris import REPORT_GRAPH_PREFIX as REPORT_GRAPH_PREFIX  # re-exported

DATA = Namespace(BASE + "id/")
"""Data resources: reports, texts, sentences, bodies, places, documents, observations."""

GRAPH = Namespace(GRAPH_BASE)
"""Named graphs: one per report, plus ``ontology``, ``vocab``, ``curated`` and ``checks``."""


class FZ(DefinedNamespace):
    """The fazhi-graph ontology (classes and properties), ``ontology/fazhi.ttl``."""

    _fail = True
    _NS = Namespace(BASE + "ontology#")

    # --- text layer
    AnnualReport: URIRef
    ReportText: URIRef
    ReportSection: URIRef
    SectionType: URIRef
    hasText: URIRef
    hasSection: URIRef
    sectionType: URIRef
    sectionLevel: URIRef
    headingNumber: URIRef
    headingText: URIRef
    sentenceOf: URIRef
    inSection: URIRef
    reportingBody: URIRef
    reportingArea: URIRef
    reportingYear: URIRef
    reportingPeriod: URIRef
    sourceSha256: URIRef
    sourceFile: URIRef
    issuerName: URIRef
    mentions: URIRef
    # --- bodies and posts
    PublicBody: URIRef
    InternalBody: URIRef
    CoordinatingBody: URIRef
    MediationOrganization: URIRef
    OrganizationType: URIRef
    Role: URIRef
    jurisdiction: URIRef
    leadPost: URIRef
    # --- places
    AdministrativeDivision: URIRef
    Venue: URIRef
    DivisionLevel: URIRef
    VenueType: URIRef
    divisionLevel: URIRef
    divisionCode: URIRef
    withinDivision: URIRef
    venueType: URIRef
    # --- documents
    PolicyDocument: URIRef
    DocumentType: URIRef
    documentType: URIRef
    issuedBy: URIRef
    about: URIRef
    relevantFor: URIRef
    deliberatedAt: URIRef
    documentAction: URIRef
    # --- initiatives and their local implementation
    Initiative: URIRef
    InitiativeImplementation: URIRef
    WorkArea: URIRef
    implements: URIRef
    responsibleBody: URIRef
    implementedIn: URIRef
    governedBy: URIRef
    area: URIRef
    # --- meetings and activities
    Meeting: URIRef
    OversightActivity: URIRef
    convenedBy: URIRef
    chairedBy: URIRef
    activityType: URIRef
    ActivityType: URIRef
    # --- metrics (RDF Data Cube)
    Indicator: URIRef
    StatType: URIRef
    ValueQualifier: URIRef
    ChangeDirection: URIRef
    indicator: URIRef
    statType: URIRef
    countedThing: URIRef
    measureWord: URIRef
    valueQualifier: URIRef
    changeDirection: URIRef
    numerator: URIRef
    denominator: URIRef
    comparisonOf: URIRef
    asOf: URIRef
    surfaceForm: URIRef
    reviewStatus: URIRef
    ReviewStatus: URIRef
    # --- problems and plans
    Problem: URIRef
    PlannedMeasure: URIRef
    identifiedProblem: URIRef
    plannedMeasure: URIRef
    addresses: URIRef
    ordinal: URIRef
    # --- provenance
    statedIn: URIRef
    ExtractionRun: URIRef
    extractorVersion: URIRef
    # --- consistency checks (fazhi_graph.checks, named graph fzg:checks)
    ConsistencyFinding: URIRef
    RateMismatch: URIRef
    ConflictingValues: URIRef
    PercentOutOfRange: URIRef
    PartExceedsTotal: URIRef
    concerns: URIRef
    evidence: URIRef
    inReport: URIRef
    statedValue: URIRef
    expectedValue: URIRef
    tolerance: URIRef
    # --- units minted by the project (QUDT has no stable IRI for these)
    CNY: URIRef
    PercentagePoint: URIRef


class _Scheme(DefinedNamespace):
    """Base for SKOS concept schemes; each subclass names its concepts."""

    _fail = True


AREA = Namespace(BASE + "vocab/area/")
"""fza: work areas of 《法治政府建设实施纲要》 (``ontology/vocab/areas.ttl``)."""
PROGRAM = Namespace(BASE + "vocab/program/")
"""fzp: named initiatives and programmes (``ontology/vocab/initiatives.ttl``)."""
INDICATOR = Namespace(BASE + "vocab/indicator/")
"""fzi: indicators (``ontology/vocab/indicators.ttl``); new ones are minted here, flagged."""


class SECTION(_Scheme):
    """fzs: section types of a report, after 督察规定 §24."""

    _NS = Namespace(BASE + "vocab/section/")
    scheme: URIRef
    Achievements: URIRef
    Problems: URIRef
    FirstResponsible: URIRef
    NextSteps: URIRef
    Other: URIRef


class STAT(_Scheme):
    """fzst: what kind of statistic a value is."""

    _NS = Namespace(BASE + "vocab/stat-type/")
    scheme: URIRef
    Level: URIRef
    Cumulative: URIRef
    Rate: URIRef
    ChangePctVsBase: URIRef
    ChangeAbsVsBase: URIRef


class QUALIFIER(_Scheme):
    """fzq: hedges on a stated value (近, 余/多/超过, 约)."""

    _NS = Namespace(BASE + "vocab/qualifier/")
    scheme: URIRef
    Exact: URIRef
    About: URIRef
    ApproachingFromBelow: URIRef
    MoreThan: URIRef


class DIRECTION(_Scheme):
    """fzdir: direction of a stated change."""

    _NS = Namespace(BASE + "vocab/direction/")
    scheme: URIRef
    Increase: URIRef
    Decrease: URIRef


class REVIEW(_Scheme):
    """fzrv: review status of machine-minted concepts."""

    _NS = Namespace(BASE + "vocab/review/")
    scheme: URIRef
    Curated: URIRef
    NeedsReview: URIRef


class DOCTYPE(_Scheme):
    """fzt: policy document types, recognised from a title's ending."""

    _NS = Namespace(BASE + "vocab/doc-type/")
    scheme: URIRef
    Law: URIRef
    Constitution: URIRef
    Regulation: URIRef
    Rules: URIRef
    Provisions: URIRef
    Measures: URIRef
    Plan: URIRef
    ImplementationPlan: URIRef
    WorkPoints: URIRef
    Ledger: URIRef
    Opinions: URIRef
    Outline: URIRef
    Notice: URIRef
    Guideline: URIRef
    Standard: URIRef
    List: URIRef
    Other: URIRef


class ORGTYPE(_Scheme):
    """fzo: kinds of public body."""

    _NS = Namespace(BASE + "vocab/org-type/")
    scheme: URIRef
    PartyCommittee: URIRef
    PeoplesGovernment: URIRef
    PeoplesCongress: URIRef
    PoliticalConsultative: URIRef
    Court: URIRef
    Procuratorate: URIRef
    GovernmentDepartment: URIRef
    PartyGroup: URIRef
    StandingCommittee: URIRef
    StudyGroup: URIRef
    ExecutiveMeeting: URIRef
    Commission: URIRef
    LeadingGroup: URIRef
    CoordinationGroup: URIRef
    InspectionGroup: URIRef
    MediationCentre: URIRef
    MediationCommittee: URIRef
    ServiceCentre: URIRef
    Office: URIRef
    LegalAdviserTeam: URIRef
    Other: URIRef


class ROLE(_Scheme):
    """fzr: roles of posts (no people are ever named)."""

    _NS = Namespace(BASE + "vocab/role/")
    scheme: URIRef
    FirstResponsible: URIRef
    PrincipalLeader: URIRef
    GroupLeader: URIRef
    LeaderInCharge: URIRef


class LEVEL(_Scheme):
    """fzl: levels of administrative division."""

    _NS = Namespace(BASE + "vocab/division-level/")
    scheme: URIRef
    Province: URIRef
    Prefecture: URIRef
    County: URIRef
    District: URIRef
    Township: URIRef
    Subdistrict: URIRef
    Village: URIRef
    Community: URIRef


class VENUE(_Scheme):
    """fzv: kinds of venue."""

    _NS = Namespace(BASE + "vocab/venue-type/")
    scheme: URIRef
    ResidentialCompound: URIRef
    School: URIRef
    LegalEducationBase: URIRef
    Square: URIRef
    Other: URIRef


class ACTIVITY(_Scheme):
    """fzac: kinds of meeting and activity."""

    _NS = Namespace(BASE + "vocab/activity-type/")
    scheme: URIRef
    Meeting: URIRef
    Lecture: URIRef
    Symposium: URIRef
    Inspection: URIRef
    Assessment: URIRef
    Training: URIRef
    Exam: URIRef
    CaseReview: URIRef


class SD(DefinedNamespace):
    """The SPARQL 1.1 Service Description vocabulary (only the terms used here)."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/sparql-service-description#")

    Service: URIRef
    Dataset: URIRef
    Graph: URIRef
    NamedGraph: URIRef
    endpoint: URIRef
    supportedLanguage: URIRef
    SPARQL11Query: URIRef
    SPARQL11Update: URIRef
    feature: URIRef
    UnionDefaultGraph: URIRef
    BasicFederatedQuery: URIRef
    resultFormat: URIRef
    defaultDataset: URIRef
    defaultGraph: URIRef
    namedGraph: URIRef
    name: URIRef


SERVICE = Namespace(BASE + "service#")
"""Terms for the SPARQL endpoint's limits in its service description (not data ontology)."""


class NIF(DefinedNamespace):
    """NIF 2.1 core, the terms we use."""

    _fail = True
    _NS = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
    Context: URIRef
    Sentence: URIRef
    Paragraph: URIRef
    Structure: URIRef
    isString: URIRef
    referenceContext: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    anchorOf: URIRef
    sourceUrl: URIRef


class SDMXDIM(DefinedNamespace):
    """SDMX-RDF dimensions."""

    _fail = True
    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
    refArea: URIRef
    refPeriod: URIRef


class SDMXMEASURE(DefinedNamespace):
    """SDMX-RDF measures."""

    _fail = True
    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
    obsValue: URIRef


class SDMXATTR(DefinedNamespace):
    """SDMX-RDF attributes."""

    _fail = True
    _NS = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
    unitMeasure: URIRef
    unitMult: URIRef
    basePer: URIRef


class UNIT(DefinedNamespace):
    """QUDT units."""

    _fail = True
    _NS = Namespace("http://qudt.org/vocab/unit/")
    NUM: URIRef
    PERCENT: URIRef


class SCHEMA(DefinedNamespace):
    """schema.org (``http://schema.org/``), the terms we use."""

    _fail = True
    _NS = Namespace("http://schema.org/")
    Report: URIRef
    GovernmentOrganization: URIRef
    AdministrativeArea: URIRef
    Place: URIRef
    School: URIRef
    ApartmentComplex: URIRef
    Event: URIRef
    Legislation: URIRef
    Observation: URIRef
    StatisticalVariable: URIRef
    containedInPlace: URIRef
    unitText: URIRef
    measurementQualifier: URIRef


class ELI(DefinedNamespace):
    """European Legislation Identifier, the terms we use."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/eli/ontology#")
    Work: URIRef
    LegalResource: URIRef
    type_document: URIRef
    passed_by: URIRef
    is_about: URIRef
    relevant_for: URIRef


class CV(DefinedNamespace):
    """SEMIC core vocabularies (CPOV/CPSV), the terms we use."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/m8g/")
    PublicOrganisation: URIRef
    hasCompetentAuthority: URIRef
    thematicArea: URIRef


class OA(DefinedNamespace):
    """Web Annotation vocabulary, the terms we use."""

    _fail = True
    _NS = Namespace("http://www.w3.org/ns/oa#")
    start: URIRef
    end: URIRef
    exact: URIRef


PREFIXES: dict[str, str] = {
    "fz": str(FZ._NS),
    "fzd": str(DATA),
    "fza": str(AREA),
    "fzp": str(PROGRAM),
    "fzi": str(INDICATOR),
    "fzs": str(SECTION._NS),
    "fzst": str(STAT._NS),
    "fzq": str(QUALIFIER._NS),
    "fzdir": str(DIRECTION._NS),
    "fzrv": str(REVIEW._NS),
    "fzt": str(DOCTYPE._NS),
    "fzo": str(ORGTYPE._NS),
    "fzr": str(ROLE._NS),
    "fzl": str(LEVEL._NS),
    "fzv": str(VENUE._NS),
    "fzac": str(ACTIVITY._NS),
    "fzg": str(GRAPH),
    "fzsh": BASE + "shapes#",
    "nif": str(NIF._NS),
    "qb": str(QB),
    "sdmx-dimension": str(SDMXDIM._NS),
    "sdmx-measure": str(SDMXMEASURE._NS),
    "sdmx-attribute": str(SDMXATTR._NS),
    "unit": str(UNIT._NS),
    "qudt": "http://qudt.org/schema/qudt/",
    "org": str(ORG),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "schema": str(SCHEMA._NS),
    "eli": str(ELI._NS),
    "cv": str(CV._NS),
    "oa": str(OA._NS),
    "time": str(TIME),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
}
"""Prefixes bound on every graph we serialise and pre-declared in the query editor."""

CLOSED_NAMESPACES: tuple[type[DefinedNamespace], ...] = (
    FZ,
    SECTION,
    STAT,
    QUALIFIER,
    DIRECTION,
    REVIEW,
    DOCTYPE,
    ORGTYPE,
    ROLE,
    LEVEL,
    VENUE,
    ACTIVITY,
)
"""Project namespaces whose every term must be declared in ``ontology/``."""
