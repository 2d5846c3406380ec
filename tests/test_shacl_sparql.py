"""Differential tests: fazhi_graph.shacl_sparql against fazhi_graph.ontology.validate (pySHACL).

pySHACL is the reference: for every graph below, the compiled validator must give exactly the
rows, ``conforms`` and text :func:`fazhi_graph.ontology.validate` gives. The mutations are built
from ``ontology/shapes.ttl`` itself (every property shape with a minCount, every sh:datatype…),
several per graph so that one pySHACL run checks many of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from fazhi_graph import ontology, shacl_sparql
from fazhi_graph.errors import OntologyError
from fazhi_graph.namespaces import (
    DATA,
    DIRECTION,
    FZ,
    NIF,
    ORG,
    SDMXATTR,
    SDMXDIM,
    SDMXMEASURE,
    SKOS,
    STAT,
    UNIT,
)
from fazhi_graph.shacl_sparql import CompiledValidation, compile_shapes
from fazhi_graph.store import ntriples, to_oxigraph

from .conftest import SAMPLES, sample_names

SHAPES = ontology.load_shapes()
NAMES = Graph()
ontology._bind(NAMES)
EX = "https://example.org/test/"
NOWHERE = URIRef(DATA + "test/not-an-instance")

Row = tuple[str, str, str, str]


def short(node: Node) -> str:
    return ontology._short(node, NAMES)


@pytest.fixture(scope="module")
def context() -> CompiledValidation:
    return CompiledValidation()


@pytest.fixture(scope="module")
def world() -> Graph:
    """Ontology and vocabularies, for finding SHACL instances in the tests."""
    graph = ontology.load_ontology()
    graph += ontology.load_vocabularies()
    return graph


def same(context: CompiledValidation, graph: Graph, expected: Iterator[Row] | list[Row] = ()
         ) -> ontology.ValidationResult:  # fmt: skip
    """Validate with both; assert they agree (and that ``expected`` rows are there)."""
    reference = ontology.validate(graph)
    mine = context.run(graph)
    missing = sorted(set(reference.results) - set(mine.results))
    extra = sorted(set(mine.results) - set(reference.results))
    assert (missing, extra) == ([], []), f"missing {missing}\nextra {extra}"
    assert mine.results == reference.results
    assert mine.conforms == reference.conforms
    assert mine.text == reference.text
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        assert context.run_ntriples(ntriples(to_oxigraph(graph))) == mine
    for row in expected:
        assert row in reference.results, f"{row} not reported:\n{reference.text}"
    return reference


# --------------------------------------------------------------------------- real reports


@pytest.fixture(scope="module")
def seed_result(seed_graph: Graph) -> ontology.ValidationResult:
    return ontology.validate(seed_graph)


def test_seed_report(
    context: CompiledValidation, seed_graph: Graph, seed_result: ontology.ValidationResult
) -> None:
    assert context.run(seed_graph) == seed_result
    assert context.run_ntriples(ntriples(to_oxigraph(seed_graph))) == seed_result


@pytest.fixture(scope="module")
def samples() -> list[tuple[str, Graph]]:
    """(named-graph IRI, full graph) of the three sample reports."""
    from fazhi_graph.pipeline import report_graph

    return [report_graph(SAMPLES / f"{name}.txt", {}) for name in sample_names()]


@pytest.mark.parametrize("index", range(len(sample_names())))
def test_sample_report(
    context: CompiledValidation, samples: list[tuple[str, Graph]], index: int
) -> None:
    same(context, samples[index][1])


def test_report_graph_with_shared_graph(
    context: CompiledValidation, samples: list[tuple[str, Graph]]
) -> None:
    """A report as a build stores it (conftest.four_report_graphs): its own graph plus the
    shared graph, validated together."""
    from fazhi_graph.shared import split_reports

    own, shared = split_reports(samples)
    merged = Graph()
    merged += own[-1][1]
    merged += shared
    same(context, merged)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> list[Graph]:
    from fazhi_graph.pipeline import report_graph
    from fazhi_graph.synth import write_corpus

    folder = tmp_path_factory.mktemp("synth")
    write_corpus(folder, 3, seed=11)
    return [report_graph(path, {})[1] for path in sorted(folder.glob("*.txt"))]


def test_synthetic_reports_one_by_one_and_as_a_batch(
    context: CompiledValidation, synthetic: list[Graph]
) -> None:
    same(context, synthetic[0])
    batch = Graph()
    for graph in synthetic:
        batch += graph
    same(context, batch)




# --------------------------------------------------------------------------- mutations


@dataclass(frozen=True)
class Prop:
    """A property shape of shapes.ttl with the targets of its node shape."""

    node_shape: Node
    shape: Node
    path: URIRef
    message: str
    severity: str

    def value(self, p: URIRef) -> Node | None:
        return SHAPES.value(self.shape, p)

    def has(self, p: URIRef) -> bool:
        return (self.shape, p, None) in SHAPES

    def row(self, focus: Node) -> Row:
        return (short(focus), short(self.path), self.message, self.severity)


def properties() -> list[Prop]:
    out = []
    for node_shape in sorted(set(SHAPES.subjects(SH.property, None)), key=str):
        if not _targeted(node_shape):
            continue
        for shape in SHAPES.objects(node_shape, SH.property):
            path = SHAPES.value(shape, SH.path)
            assert isinstance(path, URIRef)
            severity = SHAPES.value(shape, SH.severity) or SH.Violation
            message = " / ".join(sorted(str(m) for m in SHAPES.objects(shape, SH.message)))
            out.append(Prop(node_shape, shape, path, message, str(severity).rsplit("#")[-1]))
    return sorted(out, key=lambda p: (str(p.node_shape), str(p.path), p.message))


def _targeted(shape: Node) -> bool:
    return any((shape, p, None) in SHAPES for p in (SH.targetClass, SH.targetSubjectsOf))


def focus_nodes(graph: Graph, both: Graph, node_shape: Node) -> list[Node]:
    """The subjects of ``graph`` that ``node_shape`` targets (``both``: ``graph`` and the
    ontology, for the class hierarchy), in a stable order."""
    found: set[Node] = set()
    for cls in SHAPES.objects(node_shape, SH.targetClass):
        for sub in both.transitive_subjects(RDFS.subClassOf, cls):
            found.update(both.subjects(RDF.type, sub))
    for p in SHAPES.objects(node_shape, SH.targetSubjectsOf):
        found.update(graph.subjects(p, None))
    subjects = set(graph.subjects())
    return sorted((n for n in found if n in subjects), key=str)


Mutation = Callable[[Graph, Prop, Node], bool]
"""Change ``graph`` so that ``focus`` breaks ``prop``; False when it does not apply."""


def _replace(graph: Graph, focus: Node, path: URIRef, *values: Node) -> None:
    graph.remove((focus, path, None))
    for value in values:
        graph.add((focus, path, value))


def min_count(graph: Graph, prop: Prop, focus: Node) -> bool:
    if not prop.has(SH.minCount) or (focus, prop.path, None) not in graph:
        return False
    graph.remove((focus, prop.path, None))
    return True


def max_count(graph: Graph, prop: Prop, focus: Node) -> bool:
    if not prop.has(SH.maxCount) or (focus, prop.path, None) not in graph:
        return False
    mine = set(graph.objects(focus, prop.path))
    others = sorted((o for o in graph.objects(None, prop.path) if o not in mine), key=str)
    if others:
        graph.add((focus, prop.path, others[0]))  # a value that fits, from another node
        return True
    first = next(iter(mine))
    extra: Node
    if isinstance(first, Literal) and isinstance(first.value, int):
        extra = Literal(first.value + 1, datatype=first.datatype)
    elif isinstance(first, Literal):
        extra = Literal(f"{first}-bis", lang=first.language, datatype=first.datatype)
    else:
        extra = URIRef(f"{first}-bis")
    graph.add((focus, prop.path, extra))
    return True


def wrong_datatype(graph: Graph, prop: Prop, focus: Node) -> bool:
    datatype = prop.value(SH.datatype)
    if datatype is None:
        return False
    wrong = Literal("错") if datatype == RDF.langString else Literal("错", lang="zh")
    _replace(graph, focus, prop.path, wrong)
    return True


def ill_typed(graph: Graph, prop: Prop, focus: Node) -> bool:
    datatype = prop.value(SH.datatype)
    if datatype not in (XSD.integer, XSD.decimal):  # rdflib cannot tell for xsd:gYear
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _replace(graph, focus, prop.path, Literal("abc", datatype=datatype))
    return True


def wrong_class(graph: Graph, prop: Prop, focus: Node) -> bool:
    if not prop.has(SH["class"]):
        return False
    _replace(graph, focus, prop.path, NOWHERE)
    return True


def wrong_node_kind(graph: Graph, prop: Prop, focus: Node) -> bool:
    kind = prop.value(SH.nodeKind)
    if kind is None:
        return False
    _replace(graph, focus, prop.path, Literal("x") if kind == SH.IRI else NOWHERE)
    return True


def not_in_list(graph: Graph, prop: Prop, focus: Node) -> bool:
    if not prop.has(SH["in"]):
        return False
    _replace(graph, focus, prop.path, URIRef(DATA + "test/not-listed"))
    return True


def pattern_mismatch(graph: Graph, prop: Prop, focus: Node) -> bool:
    if not prop.has(SH.pattern):
        return False
    _replace(graph, focus, prop.path, Literal("ABCDEF"))
    return True


def below_minimum(graph: Graph, prop: Prop, focus: Node) -> bool:
    low = prop.value(SH.minInclusive)
    if not isinstance(low, Literal):
        return False
    _replace(graph, focus, prop.path, Literal(int(low.value) - 1))
    return True


def above_maximum(graph: Graph, prop: Prop, focus: Node) -> bool:
    high = prop.value(SH.maxInclusive)
    if not isinstance(high, Literal):
        return False
    _replace(graph, focus, prop.path, Literal(int(high.value) + 1))
    return True


def no_branch_holds(graph: Graph, prop: Prop, focus: Node) -> bool:
    if not prop.has(SH["or"]):
        return False
    _replace(graph, focus, prop.path, Literal("无", lang="zh"))
    return True


def language_not_allowed(graph: Graph, prop: Prop, focus: Node) -> bool:
    qualified = prop.value(SH.qualifiedValueShape)
    if qualified is None or (qualified, SH.languageIn, None) not in SHAPES:
        return False
    old = list(graph.objects(focus, prop.path)) or [Literal("名称")]
    _replace(graph, focus, prop.path, *(Literal(str(o), lang="fr") for o in old))
    return True


def duplicate_language(graph: Graph, prop: Prop, focus: Node) -> bool:
    if not prop.has(SH.uniqueLang):
        return False
    graph.add((focus, prop.path, Literal("甲", lang="zh")))
    graph.add((focus, prop.path, Literal("乙", lang="zh")))
    return True


def not_less_than(graph: Graph, prop: Prop, focus: Node) -> bool:
    other = prop.value(SH.lessThan)
    if not isinstance(other, URIRef) or (focus, other, None) not in graph:
        return False
    _replace(graph, focus, prop.path, *graph.objects(focus, other))
    return True


def missing_value(graph: Graph, prop: Prop, focus: Node) -> bool:
    if not prop.has(SH.hasValue):
        return False
    _replace(graph, focus, prop.path, URIRef(DATA + "test/other-scheme"))
    return True


MUTATIONS: dict[str, tuple[Mutation, set[URIRef]]] = {
    "minCount": (min_count, {SH.minCount}),
    "maxCount": (max_count, {SH.maxCount}),
    "datatype": (wrong_datatype, {SH.datatype}),
    "ill-typed": (ill_typed, {SH.datatype}),
    "class": (wrong_class, {SH["class"]}),
    "nodeKind": (wrong_node_kind, {SH.nodeKind}),
    "in": (not_in_list, {SH["in"]}),
    "pattern": (pattern_mismatch, {SH.pattern}),
    "minInclusive": (below_minimum, {SH.minInclusive}),
    "maxInclusive": (above_maximum, {SH.maxInclusive}),
    "or": (no_branch_holds, {SH["or"]}),
    "languageIn": (
        language_not_allowed,
        {SH.languageIn, SH.qualifiedValueShape, SH.qualifiedMinCount},
    ),
    "uniqueLang": (duplicate_language, {SH.uniqueLang}),
    "lessThan": (not_less_than, {SH.lessThan}),
    "hasValue": (missing_value, {SH.hasValue}),
}


GROUPS = [
    ("minCount", "pattern", "lessThan"),
    ("maxCount", "languageIn", "nodeKind"),
    ("datatype", "hasValue", "uniqueLang"),
    ("class", "minInclusive"),
    ("in", "maxInclusive", "ill-typed"),
    ("or",),
]
"""Mutation kinds applied to one copy of the seed (one pySHACL run each, ~2 s)."""


def mutate(
    seed: Graph, world: Graph, kinds: tuple[str, ...]
) -> tuple[Graph, list[Row], dict[str, int]]:
    """The seed with each kind of mutation applied once per property shape it applies to,
    each on a focus node of its own where the seed has enough of them; the rows that must
    appear; how many property shapes each kind broke."""
    graph = Graph()
    graph += seed
    both = seed + world
    used: set[Node] = set()
    expected: list[Row] = []
    hits = dict.fromkeys(kinds, 0)
    targets: dict[Node, list[Node]] = {}
    for kind in kinds:
        mutation = MUTATIONS[kind][0]
        for prop in properties():
            if prop.node_shape not in targets:
                targets[prop.node_shape] = focus_nodes(seed, both, prop.node_shape)
            candidates = sorted(
                targets[prop.node_shape],
                key=lambda n: (n in used, (n, prop.path, None) not in seed, str(n)),
            )
            for focus in candidates[:1]:
                if mutation(graph, prop, focus):
                    used.add(focus)
                    expected.append(prop.row(focus))
                    hits[kind] += 1
    return graph, expected, hits


def test_groups_hold_every_mutation_kind_once() -> None:
    kinds = [kind for group in GROUPS for kind in group]
    assert sorted(kinds) == sorted(MUTATIONS)


@pytest.mark.parametrize("kinds", GROUPS, ids="+".join)
def test_mutations_of_the_seed(
    context: CompiledValidation, seed_graph: Graph, world: Graph, kinds: tuple[str, ...]
) -> None:
    graph, expected, hits = mutate(seed_graph, world, kinds)
    assert all(hits.values()), f"a kind broke no property shape of shapes.ttl: {hits}"
    result = same(context, graph, expected)
    assert any(row[3] == "Violation" for row in expected) == (not result.conforms)


def test_mutations_cover_every_property_shape_with_a_count() -> None:
    with_min = [p for p in properties() if p.has(SH.minCount)]
    assert len(with_min) > 40  # the generic mutations really run over shapes.ttl


def _finding(graph: Graph, seed: Graph, *kinds: URIRef) -> URIRef:
    node = URIRef(DATA + "finding/test")
    report = next(seed.subjects(RDF.type, FZ.AnnualReport))
    observation = sorted(seed.subjects(RDF.type, URIRef("http://purl.org/linked-data/cube#Observation")))[0]
    sentence = sorted(seed.subjects(RDF.type, NIF.Sentence))[0]
    graph.add((node, RDF.type, FZ.ConsistencyFinding))
    for kind in kinds:
        graph.add((node, RDF.type, kind))
    graph.add((node, RDFS.comment, Literal("比率不符", lang="zh")))
    graph.add((node, RDFS.comment, Literal("rate mismatch", lang="en")))
    graph.add((node, FZ.inReport, report))
    graph.add((node, FZ.concerns, observation))
    graph.add((node, FZ.evidence, sentence))
    graph.add((node, FZ.statedValue, Literal(Decimal("12.50"))))
    return node


def test_node_level_or_not_severity_sparql_and_qualified_counts(
    context: CompiledValidation,
    seed_graph: Graph,
    world: Graph,
    seed_result: ontology.ValidationResult,
) -> None:
    """The shapes that are not property shapes of a target class: sh:not, a node-level
    sh:or, warnings, sh:targetSubjectsOf, the SPARQL constraints, qualified max counts; and
    blank nodes as focus nodes."""
    graph = Graph()
    graph += seed_graph
    expected: list[Row] = []

    def message(shape: str) -> str:
        node = URIRef(f"https://w3id.org/fazhi-graph/shapes#{shape}")
        constraint = SHAPES.value(node, SH.sparql)  # a SPARQL constraint has its own message
        return str(SHAPES.value(constraint or node, SH.message))

    observations = sorted(graph.subjects(SDMXATTR.unitMeasure, None))
    # sh:not holds: an organisation that is also a site
    body = sorted(graph.subjects(RDF.type, FZ.PublicBody))[0]
    graph.add((body, RDF.type, ORG.Site))
    expected.append((short(body), "", message("OrganizationNotPlaceShape"), "Violation"))
    # node-level sh:or where no branch holds: a level in per cent above 100
    obs = observations[0]
    _replace(graph, obs, SDMXATTR.unitMeasure, UNIT.PERCENT)
    _replace(graph, obs, FZ.statType, STAT.Level)
    _replace(graph, obs, SDMXMEASURE.obsValue, Literal(150))
    expected.append((short(obs), "", message("PercentLevelShape"), "Violation"))
    # a warning (node-level sh:or with sh:severity sh:Warning)
    obs = observations[1]
    _replace(graph, obs, SDMXATTR.unitMeasure, FZ.PercentagePoint)
    _replace(graph, obs, FZ.statType, STAT.Level)
    expected.append((short(obs), "", message("PercentagePointShape"), "Warning"))
    # sh:targetSubjectsOf: a change direction on a level
    changed = observations[2]
    _replace(graph, changed, FZ.statType, STAT.Cumulative)
    graph.add((changed, FZ.changeDirection, URIRef(DIRECTION + "Increase")))
    # SPARQL constraints: a wrong end index, a wrong anchor, a duplicate observation (warning)
    text = next(graph.subjects(RDF.type, FZ.ReportText))
    end = graph.value(text, NIF.endIndex)
    assert isinstance(end, Literal)
    _replace(graph, text, NIF.endIndex, Literal(int(end.value) + 1))
    expected.append((short(text), "nif:endIndex", message("ReportTextShape"), "Violation"))
    sentence = sorted(graph.subjects(RDF.type, NIF.Sentence))[3]
    _replace(graph, sentence, NIF.anchorOf, Literal("不是这句话"))
    duplicate = URIRef(f"{observations[3]}-copy")
    for p, o in graph.predicate_objects(observations[3]):
        graph.add((duplicate, p, o))
    expected.append((short(duplicate), "", message("DuplicateObservationShape"), "Warning"))
    # qualified max count: a finding of two kinds, another of none (qualified min count)
    finding = _finding(graph, seed_graph, FZ.RateMismatch, FZ.ConflictingValues)
    kind_row = (short(finding), "rdf:type")
    other = URIRef(DATA + "finding/test-2")
    for p, o in list(graph.predicate_objects(finding)):
        if o not in (FZ.RateMismatch, FZ.ConflictingValues):
            graph.add((other, p, o))
    # data that restates part of the vocabulary: a curated work area becomes a focus node
    area = URIRef("https://w3id.org/fazhi-graph/vocab/area/A1")
    for p, o in world.predicate_objects(area):
        graph.add((area, p, o))
    graph.add((area, SKOS.prefLabel, Literal("重复的名称", lang="zh")))  # breaks uniqueLang
    # data that extends the class hierarchy: a local kind of body, a local kind of division
    local_body, local_area = URIRef(EX + "LocalBody"), URIRef(EX + "LocalArea")
    graph.add((local_body, RDFS.subClassOf, FZ.PublicBody))
    graph.add((local_area, RDFS.subClassOf, FZ.AdministrativeDivision))
    new_body, new_area = URIRef(DATA + "org/test/new"), URIRef(DATA + "place/test/new")
    graph.add((new_body, RDF.type, local_body))  # a body (targeted), but no label or type
    graph.add((new_area, RDF.type, local_area))
    _replace(graph, observations[4], SDMXDIM.refArea, new_area)  # an instance, so no error
    # blank nodes: pySHACL names them by their rdflib ids
    anonymous = BNode()
    graph.add((anonymous, RDF.type, FZ.PublicBody))  # no label, a classification of no type
    graph.add((anonymous, ORG.classification, BNode()))
    result = same(context, graph, expected)
    assert not result.conforms
    assert any(r[0] == str(anonymous) for r in result.results)
    kinds = [r for r in result.results if r[:2] == kind_row]
    assert kinds and kinds[0][3] == "Violation"
    assert any(r[0] == short(other) and r[1] == "rdf:type" for r in result.results)
    assert any(r[:2] == (short(changed), "fz:statType") for r in result.results)
    assert any(r[:2] == (short(area), "skos:prefLabel") for r in result.results)
    assert any(r[0] == short(new_body) for r in result.results)
    assert not any(r[0] == short(observations[4]) for r in result.results)
    # the vocabulary restated by the data is still in the context afterwards
    assert context.run(seed_graph) == seed_result
    assert any(r[0] == short(sentence) and r[1] == "nif:anchorOf" for r in result.results)


def test_a_good_finding_and_warnings_alone_conform(
    context: CompiledValidation, seed_graph: Graph
) -> None:
    graph = Graph()
    graph += seed_graph
    _finding(graph, seed_graph, FZ.RateMismatch)
    indicator = sorted(graph.subjects(RDF.type, FZ.Indicator))[0]
    graph.remove((indicator, SKOS.broader, None))  # a warning only (ConceptPlacementShape)
    result = same(context, graph)
    assert result.conforms
    assert [r[3] for r in result.results] == ["Warning"]


def test_every_constraint_component_of_the_shapes_is_exercised() -> None:
    used = {p for p in SHAPES.predicates() if isinstance(p, URIRef) and p.startswith(str(SH))}
    components = used - {
        SH.path, SH.property, SH.message, SH.declare, SH.prefix, SH.namespace, SH.prefixes,
        SH.select, SH.targetClass,
    }  # fmt: skip
    by_mutation = set().union(*(c for _m, c in MUTATIONS.values()))
    by_special = {SH["not"], SH["or"], SH.severity, SH.sparql, SH.targetSubjectsOf,
                  SH.qualifiedValueShape, SH.qualifiedMaxCount}  # fmt: skip
    assert components <= by_mutation | by_special, components - by_mutation - by_special


# --------------------------------------------------------------------------- small shapes


def _validate_both(
    shapes_ttl: str, data: Graph, onto: Graph | None = None
) -> ontology.ValidationResult:
    shapes = Graph().parse(data=PREFIXES_TTL + shapes_ttl, format="turtle")
    world = onto if onto is not None else Graph()
    reference = ontology.validate(data, ontology=world, shapes=shapes)
    mine = CompiledValidation(ontology=world, shapes=shapes).run(data)
    assert mine.results == reference.results, f"{mine.text}\n----\n{reference.text}"
    assert mine.conforms == reference.conforms
    assert mine.text == reference.text
    return reference


PREFIXES_TTL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://example.org/test/> .
"""


def _data(ttl: str) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Graph().parse(data=PREFIXES_TTL + ttl, format="turtle")


def test_literals_are_judged_as_rdflib_sees_them_not_as_oxigraph_stores_them() -> None:
    """Oxigraph canonicalises literals ("78.0" → "78", positiveInteger → integer, "01" →
    "1"); pySHACL sees them as written. Also: ill-typed literals, NaN, cross-type bounds,
    "x" versus "x"^^xsd:string, language tags in upper case."""
    shapes = """
    ex:S a sh:NodeShape ; sh:targetClass ex:C ;
      sh:property [ sh:path ex:int ; sh:datatype xsd:integer ; sh:message "int" ] ,
                  [ sh:path ex:pos ; sh:datatype xsd:positiveInteger ; sh:message "pos" ] ,
                  [ sh:path ex:dec ; sh:maxCount 1 ; sh:pattern "\\\\.0$" ; sh:message "dec" ] ,
                  [ sh:path ex:num ; sh:maxInclusive 12 ; sh:message "num" ] ,
                  [ sh:path ex:low ; sh:minInclusive 0 ; sh:message "low" ] ,
                  [ sh:path ex:str ; sh:maxCount 1 ; sh:message "str" ] ,
                  [ sh:path ex:lang ; sh:uniqueLang true ;
                    sh:qualifiedValueShape [ sh:languageIn ( "zh" ) ] ; sh:qualifiedMinCount 1 ;
                    sh:message "lang" ] ,
                  [ sh:path ex:year ; sh:datatype xsd:gYear ; sh:message "year" ] ,
                  [ sh:path ex:big ; sh:lessThan ex:bigger ; sh:message "big" ] .
    """
    data = _data("""
    ex:a a ex:C ; ex:int "abc"^^xsd:integer , " 7 "^^xsd:integer , "01"^^xsd:integer ;
         ex:pos "-1"^^xsd:positiveInteger ; ex:dec "78.0"^^xsd:decimal ;
         ex:num "NaN"^^xsd:double , "13"^^xsd:gYear , "2020"^^xsd:gYear , true ;
         ex:low "x" , "-0.0"^^xsd:decimal ;
         ex:str "x" , "x"^^xsd:string ;
         ex:lang "一"@ZH-Hans , "二"@zh-hans ; ex:year "20x"^^xsd:gYear ;
         ex:big "a" , 3.5 ; ex:bigger "b" , 4 .
    ex:b a ex:C ; ex:int 7 ; ex:pos "1"^^xsd:positiveInteger ; ex:dec "78.00"^^xsd:decimal , 78.0 ;
         ex:num 12.0 , "1e1"^^xsd:double ; ex:low 0 ; ex:str "y" ;
         ex:lang "三"@zh-CN ; ex:year "2020"^^xsd:gYear ; ex:big 1 ; ex:bigger 1.5 .
    """)
    result = _validate_both(shapes, data)
    print(result.text)
    assert {r[2] for r in result.results if r[0] == short(URIRef(EX + "a"))} > {"int", "pos"}


def test_a_dataset_is_validated_as_all_its_graphs() -> None:
    shapes = """ex:S sh:targetClass ex:C ;
      sh:property [ sh:path ex:p ; sh:maxCount 1 ; sh:message "one p" ] ."""
    dataset = Dataset()
    dataset.graph(URIRef(EX + "g1")).add((URIRef(EX + "a"), RDF.type, URIRef(EX + "C")))
    dataset.graph(URIRef(EX + "g1")).add((URIRef(EX + "a"), URIRef(EX + "p"), Literal(1)))
    dataset.graph(URIRef(EX + "g2")).add((URIRef(EX + "a"), URIRef(EX + "p"), Literal(2)))
    result = _validate_both(shapes, dataset)  # type: ignore[arg-type]
    assert [r[2] for r in result.results] == ["one p"]


SUPPORTED_EXTRAS = """
ex:Person a rdfs:Class , sh:NodeShape ;            # an implicit class target
  sh:property [ sh:path ex:knows ; sh:node ex:Named ; sh:message "knows someone named" ] ,
              [ sh:path ex:age ; sh:minExclusive 0 ; sh:maxExclusive 150 ;
                sh:message "age in (0, 150)" ] ,
              [ sh:path ex:code ; sh:pattern "^ab" ; sh:flags "i" ; sh:message "code" ] ,
              [ sh:path ex:status ; sh:in ( "active" ex:Active 1 ) ; sh:message "status" ] ,
              [ sh:path ex:kind ; sh:hasValue "k" ; sh:message "kind" ] ,
              [ sh:path ex:pet ; sh:xone ( [ sh:class ex:Cat ] [ sh:class ex:Dog ] ) ;
                sh:message "one kind of pet" ] ,
              [ sh:path ex:friend ; sh:and ( [ sh:nodeKind sh:IRI ] [ sh:class ex:Person ] ) ;
                sh:message "friend" ] ,
              [ sh:path ex:address ; sh:message "address" ;
                sh:property [ sh:path ex:city ; sh:minCount 1 ; sh:message "city" ] ] ,
              [ sh:path ex:off ; sh:minCount 1 ; sh:deactivated true ; sh:message "off" ] ,
              [ sh:path ex:note ; sh:minCount 1 ; sh:severity sh:Info ; sh:message "note" ] .
ex:Named a sh:NodeShape ; sh:message "named" ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "name" ] .
ex:NodeTargets a sh:NodeShape ; sh:targetNode ex:alice , ex:zed , "lit" ;
  sh:targetObjectsOf ex:knows ; sh:class ex:Person ; sh:message "a person" .
ex:Off a sh:NodeShape ; sh:targetClass ex:Person ; sh:deactivated true ;
  sh:property [ sh:path ex:name ; sh:maxCount 0 ; sh:message "never" ] .
"""


def test_components_beyond_shapes_ttl_match_pyshacl() -> None:
    onto = _data("ex:Student rdfs:subClassOf ex:Person . ex:Cat rdfs:subClassOf ex:Animal .")
    data = _data("""
    ex:alice a ex:Person ; ex:knows ex:bob , ex:carol , _:anon ; ex:age 0 , 30 ;
        ex:code "ABc" , "xab" ; ex:status "active" , ex:Active , "1"^^xsd:integer , 1.0 ;
        ex:kind "K" ; ex:pet ex:tom , ex:rex , ex:odd ; ex:friend ex:bob , "bob" ;
        ex:address [ ex:city "X" ] , [ ex:street "Y" ] ; ex:off "" .
    ex:bob a ex:Student ; ex:name "Bob" ; ex:kind "k" ; ex:note "n" .
    ex:carol ex:knows ex:alice .
    _:anon ex:knows ex:bob .
    ex:tom a ex:Cat . ex:rex a ex:Dog . ex:odd a ex:Cat , ex:Dog .
    """)
    result = _validate_both(SUPPORTED_EXTRAS, data, onto)
    messages = {r[2] for r in result.results}
    assert {"knows someone named", "name", "age in (0, 150)", "code", "status", "kind",
            "one kind of pet", "friend", "city", "note", "a person"} <= messages  # fmt: skip
    assert not {"off", "never"} & messages


# --------------------------------------------------------------------------- the compiler


@pytest.mark.parametrize(
    ("shapes", "feature"),
    [
        ("ex:S sh:targetClass ex:C ; sh:closed true ; sh:message 'm' .", "sh:closed"),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ; "
         "sh:message 'm' ] .", "sh:equals"),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ; "
         "sh:message 'm' ] .", "complex property paths"),
        ("ex:S sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
         "sh:message"),
        ("ex:S sh:targetClass ex:C ; sh:node ex:S ; sh:message 'm' .", "recursive"),
        ("ex:S sh:targetClass ex:C ; sh:minLength 3 ; sh:message 'm' .", "sh:minLength"),
        ("ex:S sh:target [ a sh:SPARQLTarget ; sh:select 'SELECT ?this {}' ] .", "sh:target"),
        ("ex:S sh:targetNode ex:a ; sh:sparql [ sh:select 'SELECT $this {}' ] .",
         "sh:targetClass"),
    ],
)
def test_unsupported_features_are_refused_at_compile_time(shapes: str, feature: str) -> None:
    graph = Graph().parse(data=PREFIXES_TTL + shapes, format="turtle")
    with pytest.raises(OntologyError) as caught:
        compile_shapes(graph)
    assert feature in str(caught.value)
    assert "ex:S" in str(caught.value) or "https://example.org/test/S" in str(caught.value)


def test_the_project_shapes_compile_to_set_at_a_time_queries() -> None:
    compiled = compile_shapes()
    assert len(compiled.queries) > 100
    assert len(compiled.checks) == 3
    assert all("?this" in q.sparql for q in compiled.queries)
    assert {q.severity for q in compiled.queries} == {"Violation", "Warning"}


def test_queries_of_class_targeted_shapes_name_their_classes(
    context: CompiledValidation, seed_graph: Graph
) -> None:
    """A query whose shape is targeted by classes only carries them (it is skipped when no
    focus node is an instance of one); a graph holding one class's instances only gets the
    results pySHACL gives (the other queries skipped)."""
    compiled = compile_shapes()
    with_classes = [q for q in compiled.queries if q.classes is not None]
    assert len(with_classes) > 0.9 * len(compiled.queries)
    for query in with_classes:
        assert query.classes
        assert all(c in compiled.target_classes for c in map(URIRef, query.classes))
    sentences = Graph()
    for sentence in seed_graph.subjects(RDF.type, NIF.Sentence):
        for p, o in seed_graph.predicate_objects(sentence):
            sentences.add((sentence, p, o))
    sentences.remove((next(iter(sentences.subjects())), NIF.beginIndex, None))  # a violation
    same(context, sentences)


def test_a_context_is_reusable(
    context: CompiledValidation, seed_graph: Graph, seed_result: ontology.ValidationResult
) -> None:
    bad = Graph()
    bad += seed_graph
    report = next(bad.subjects(RDF.type, FZ.AnnualReport))
    bad.remove((report, FZ.hasText, None))
    bad.add((report, URIRef(EX + "amount"), Literal("78.0", datatype=XSD.decimal)))  # surrogate
    first = context.run(bad)
    assert not first.conforms
    second = context.run(seed_graph)
    assert second == seed_result and second.conforms
    assert context.run(bad) == first
    assert context.run(Graph()) == ontology.validate(Graph())
    # past several renewals of its store (shacl_sparql._RENEW_EVERY): same answers, and the
    # store holds only the ontology's quads between runs
    for _ in range(2 * shacl_sparql._RENEW_EVERY + 1):
        assert context.run(bad) == first
        assert context.run(seed_graph) == seed_result
    assert len(context._store) == len(context._base)


def test_the_conversion_is_store_to_oxigraph(
    context: CompiledValidation, seed_graph: Graph
) -> None:
    from fazhi_graph.shacl_sparql import _Batch

    graph = Graph()
    graph += seed_graph
    graph.add((BNode(), URIRef(EX + "p"), BNode()))
    graph.add((URIRef(EX + "s"), URIRef(EX + "p"), Literal("78.0", datatype=XSD.decimal)))
    batch = _Batch(rdflib_data=graph)
    context._convert(graph, batch)
    got = {(q.subject, q.predicate, q.object) for q in batch.default + batch.real}
    assert got == {(t.subject, t.predicate, t.object) for t in to_oxigraph(graph)}
    assert len(batch.real) == len(batch.surrogate) == 1  # "78.0" is stored as "78"


