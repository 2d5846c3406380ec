"""Consistency checks (fazhi_graph.checks): each kind on tiny hand-made graphs, both ways; the
planted inconsistencies of the sample reports' answer keys; nothing spurious on the seed; the
findings graph and its shape; the ``check`` command."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import QB, RDF, RDFS, SKOS, XSD
from typer.testing import CliRunner

from fazhi_graph import checks
from fazhi_graph.checks import CHECKS_GRAPH, Finding, Kind, findings_graph, run_checks
from fazhi_graph.cli import app
from fazhi_graph.errors import StoreError
from fazhi_graph.export import to_rdflib_graph
from fazhi_graph.namespaces import (
    DATA,
    DIRECTION,
    FZ,
    GRAPH,
    INDICATOR,
    NIF,
    QUALIFIER,
    SDMXATTR,
    SDMXDIM,
    SDMXMEASURE,
    STAT,
    UNIT,
)
from fazhi_graph.ontology import validate
from fazhi_graph.store import Store, build_store, open_store

from .conftest import load_gold, sample_names

RID = "t-2020"
TINY = str(GRAPH[f"report/{RID}"])
REPORT = DATA[f"report/{RID}"]


# --------------------------------------------------------------------------- tiny graphs


@dataclass(frozen=True)
class Obs:
    """One hand-made observation, stated in a sentence of its own."""

    key: str
    value: str
    surface: str
    unit: URIRef = UNIT.NUM
    stat: URIRef = STAT.Level
    indicator: str = "cases"
    period: str = "2020"
    mult: int | None = None
    measure_word: str | None = "件"
    qualifier: URIRef = QUALIFIER.Exact
    direction: URIRef | None = None
    counted: str | None = None
    numerator: str | None = None
    denominator: str | None = None


def obs_iri(key: str, rid: str = RID) -> URIRef:
    return DATA[f"obs/{rid}/{key}"]


def tiny_graph(*observations: Obs, broader: dict[str, str] | None = None, rid: str = RID) -> Graph:
    g = Graph()
    report, text_node = DATA[f"report/{rid}"], DATA[f"text/{rid}"]
    g.add((report, RDF.type, FZ.AnnualReport))
    g.add((report, FZ.hasText, text_node))
    text = ""
    for o in observations:
        quote = f"{o.counted or o.indicator}{o.surface}。"
        begin, end = len(text), len(text) + len(quote)
        text += quote
        sentence = DATA[f"text/{rid}/char/{begin}-{end}"]
        g.add((sentence, RDF.type, NIF.Sentence))
        g.add((sentence, NIF.referenceContext, text_node))
        g.add((sentence, NIF.beginIndex, Literal(begin, datatype=XSD.integer)))
        g.add((sentence, NIF.endIndex, Literal(end, datatype=XSD.integer)))
        g.add((sentence, NIF.anchorOf, Literal(quote)))
        node = obs_iri(o.key, rid)
        g.add((node, RDF.type, QB.Observation))
        g.add((node, SDMXDIM.refArea, DATA["place/t"]))
        g.add((node, SDMXDIM.refPeriod, DATA[f"period/{o.period}"]))
        g.add((node, FZ.indicator, INDICATOR[o.indicator]))
        g.add((INDICATOR[o.indicator], SKOS.prefLabel, Literal(o.indicator, lang="zh")))
        g.add((node, FZ.statType, o.stat))
        datatype = XSD.decimal if "." in o.value else XSD.integer
        g.add((node, SDMXMEASURE.obsValue, Literal(o.value, datatype=datatype)))
        g.add((node, SDMXATTR.unitMeasure, o.unit))
        g.add((node, FZ.valueQualifier, o.qualifier))
        g.add((node, FZ.surfaceForm, Literal(o.surface)))
        g.add((node, FZ.statedIn, sentence))
        if o.mult is not None:
            g.add((node, SDMXATTR.unitMult, Literal(o.mult)))
        if o.measure_word:
            g.add((node, FZ.measureWord, Literal(o.measure_word, lang="zh")))
        if o.direction is not None:
            g.add((node, FZ.changeDirection, o.direction))
        if o.counted:
            g.add((node, FZ.countedThing, Literal(o.counted, lang="zh")))
        if o.numerator:
            g.add((node, FZ.numerator, obs_iri(o.numerator, rid)))
        if o.denominator:
            g.add((node, FZ.denominator, obs_iri(o.denominator, rid)))
    g.add((text_node, NIF.isString, Literal(text)))
    for narrow, wide in (broader or {}).items():
        g.add((INDICATOR[narrow], SKOS.broader, INDICATOR[wide]))
    return g


def check(*observations: Obs, broader: dict[str, str] | None = None) -> list[Finding]:
    store = open_store(backend="memory")
    store.replace_graph(TINY, tiny_graph(*observations, broader=broader))
    return run_checks(store)


def rate(surface: str, n: str, d: str, **kw: Any) -> list[Finding]:
    value = surface.strip("%超过近约余多")
    return check(
        Obs("n", n, f"{n}件"),
        Obs("d", d, f"{d}件", indicator="total"),
        Obs(
            "r",
            value,
            surface,
            unit=UNIT.PERCENT,
            stat=STAT.Rate,
            indicator="rate",
            measure_word=None,
            numerator="n",
            denominator="d",
            **kw,
        ),
    )


def kinds(found: list[Finding]) -> list[str]:
    return [str(f.kind) for f in found]


# --------------------------------------------------------------------------- rate vs parts


@pytest.mark.parametrize(
    ("surface", "n", "d", "flagged"),
    [
        ("98.1%", "367", "374", False),  # the seed: 98.128
        ("95.3%", "116", "128", True),  # heyang's planted mismatch: 90.625
        ("99%", "4173", "4215", False),  # 99.004, whole per cent: ±0.55
        ("100%", "95", "95", False),
        ("72.7%", "8", "11", False),  # 72.727
        ("98.7%", "98649", "100000", False),  # double rounding 98.649 → 98.65 → 98.7
        ("98.9%", "9897", "10000", True),  # truncated, not rounded: 98.97
        ("20.0%", "201", "1000", True),  # one decimal written: 20.1 is off by 0.1
        ("20%", "201", "1000", False),  # no decimal: 20.1 rounds to 20
        ("7.7%", "43", "557", False),  # 7.720
        ("7.7%", "43", "89", True),  # 48.3
    ],
)
def test_rate_against_its_parts(surface: str, n: str, d: str, flagged: bool) -> None:
    found = rate(surface, n, d)
    assert kinds(found) == (["rate-mismatch"] if flagged else [])


def test_rate_mismatch_finding_fields() -> None:
    (f,) = rate("95.3%", "116", "128")
    assert f.kind is Kind.RATE_MISMATCH
    assert f.report == str(REPORT) and f.report_id == RID and f.graph == TINY
    assert f.observations == (str(obs_iri("r")), str(obs_iri("n")), str(obs_iri("d")))
    assert (f.stated, f.expected, f.tolerance) == (
        Decimal("95.3"),
        Decimal("90.625"),
        Decimal("0.055"),
    )
    assert "95.3%" in f.message_zh and "116件" in f.message_zh and "90.625" in f.message_zh
    assert "does not match" in f.message_en
    assert [s.quote for s in f.sources] == ["cases116件。", "total128件。", "rate95.3%。"]
    assert f.sources[0].begin == 0 and f.sources[0].end == len("cases116件。")


@pytest.mark.parametrize(
    ("surface", "qualifier", "n", "flagged"),
    [
        ("超过98%", QUALIFIER.MoreThan, "99", False),
        ("超过98%", QUALIFIER.MoreThan, "97", True),
        ("近100%", QUALIFIER.ApproachingFromBelow, "97", False),
        ("约90%", QUALIFIER.About, "50", False),
    ],
)
def test_hedged_rates(surface: str, qualifier: URIRef, n: str, flagged: bool) -> None:
    assert kinds(rate(surface, n, "100", qualifier=qualifier)) == (
        ["rate-mismatch"] if flagged else []
    )


@pytest.mark.parametrize(("surface", "flagged"), [("80%", False), ("85%", False), ("90%", True)])
def test_rate_with_parts_in_wan(surface: str, flagged: bool) -> None:
    """1.2万 / 1.5万 may be anything from 11500/15500 = 74.2% to 12500/14500 = 86.2%."""
    found = check(
        Obs("n", "1.2", "1.2万件", mult=4),
        Obs("d", "1.5", "1.5万件", mult=4, indicator="total"),
        Obs(
            "r",
            surface.rstrip("%"),
            surface,
            unit=UNIT.PERCENT,
            stat=STAT.Rate,
            indicator="rate",
            numerator="n",
            denominator="d",
        ),
    )
    assert kinds(found) == (["rate-mismatch"] if flagged else [])


def test_a_rate_with_one_part_only_is_not_checked() -> None:
    found = check(
        Obs("n", "116", "116件"),
        Obs("r", "95.3", "95.3%", unit=UNIT.PERCENT, stat=STAT.Rate, numerator="n"),
    )
    assert found == []


# --------------------------------------------------------------------------- conflicting values


@pytest.mark.parametrize(
    ("a", "b", "flagged"),
    [
        (Obs("a", "128", "128件"), Obs("b", "130", "130件"), True),
        (Obs("a", "12800", "12800件"), Obs("b", "1.28", "1.28万件", mult=4), False),
        (Obs("a", "12830", "12830件"), Obs("b", "1.28", "1.28万件", mult=4), False),  # rounds
        (Obs("a", "12900", "12900件"), Obs("b", "1.28", "1.28万件", mult=4), True),
        (Obs("a", "128", "128件"), Obs("b", "130", "130人次", measure_word="人次"), False),
        (Obs("a", "128", "128件"), Obs("b", "130", "130件", period="2019"), False),
        (Obs("a", "128", "128件"), Obs("b", "130", "130件", stat=STAT.Cumulative), False),
        (Obs("a", "128", "128件"), Obs("b", "120", "120余件", qualifier=QUALIFIER.MoreThan), False),
        (Obs("a", "110", "110件"), Obs("b", "120", "120余件", qualifier=QUALIFIER.MoreThan), True),
        (Obs("a", "128", "128件"), Obs("b", "130", "130件", indicator="other"), False),
    ],
)
def test_same_fact_twice(a: Obs, b: Obs, flagged: bool) -> None:
    assert kinds(check(a, b)) == (["conflicting-values"] if flagged else [])


@pytest.mark.parametrize(
    ("counted_b", "flagged"), [("受理复议申请", True), ("审结复议案件", False)]
)
def test_same_fact_under_a_narrower_minted_indicator(counted_b: str, flagged: bool) -> None:
    """The extractor gives the second of two colliding figures a narrower x- indicator."""
    found = check(
        Obs("a", "128", "128件", indicator="cases", counted="受理复议申请"),
        Obs("b", "130", "130件", indicator="x-cases", counted=counted_b),
        broader={"x-cases": "cases"},
    )
    assert kinds(found) == (["conflicting-values"] if flagged else [])


_SAME_FACT_AS_FIRST_WRITTEN = """
SELECT DISTINCT ?g ?a ?b WHERE {
  GRAPH ?g {
    ?a a qb:Observation ; fz:indicator ?ia ; fz:statType ?t ; sdmx-dimension:refPeriod ?p ;
       sdmx-dimension:refArea ?area ; sdmx-attribute:unitMeasure ?u .
    ?b a qb:Observation ; fz:indicator ?ib ; fz:statType ?t ; sdmx-dimension:refPeriod ?p ;
       sdmx-dimension:refArea ?area ; sdmx-attribute:unitMeasure ?u .
    OPTIONAL { ?a fz:measureWord ?ma }
    OPTIONAL { ?b fz:measureWord ?mb }
  }
  FILTER (?a != ?b && COALESCE(STR(?ma), "") = COALESCE(STR(?mb), ""))
  FILTER ((?ia = ?ib && STR(?a) < STR(?b))
          || (?ia != ?ib && EXISTS { ?ib skos:broader ?ia }
              && EXISTS { GRAPH ?g { ?a fz:countedThing ?c . ?b fz:countedThing ?c } }))
} ORDER BY ?g ?a ?b
"""


def _random_observations(rng: random.Random) -> list[ox.Quad]:
    """Observations with 0–2 values of each property the same-fact query reads, in two report
    graphs, and random skos:broader links (self-links included) outside them."""
    choices = {
        QB.Observation: [RDF.type],
        FZ.indicator: [INDICATOR[f"i{n}"] for n in range(3)],
        FZ.statType: [STAT.Level, STAT.Rate],
        SDMXDIM.refPeriod: [DATA["period/2019"], DATA["period/2020"]],
        SDMXDIM.refArea: [DATA["place/t"]],
        SDMXATTR.unitMeasure: [UNIT.NUM],
        FZ.measureWord: [Literal("件", lang="zh"), Literal("件"), Literal("人次", lang="zh")],
        FZ.countedThing: [Literal("案件", lang="zh"), Literal("人", lang="zh")],
    }
    quads: list[ox.Quad] = []
    for graph in (TINY, str(GRAPH["report/u-2020"])):
        for n in range(rng.randint(3, 8)):
            node = ox.NamedNode(f"{DATA}obs/{n}")
            for key, values in choices.items():
                count = 1 if key in (QB.Observation, SDMXDIM.refArea) else rng.choice((0, 1, 1, 2))
                for value in rng.sample(values, min(count, len(values))):
                    p, o = (RDF.type, key) if key == QB.Observation else (key, value)
                    quads.append(ox.Quad(node, ox.NamedNode(p), to_ox(o), ox.NamedNode(graph)))
    for _ in range(rng.randint(0, 3)):
        narrow, wide = rng.choice(choices[FZ.indicator]), rng.choice(choices[FZ.indicator])
        quads.append(ox.Quad(ox.NamedNode(narrow), ox.NamedNode(SKOS.broader), ox.NamedNode(wide)))
    return quads


def to_ox(term: URIRef | Literal) -> ox.NamedNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(term)
    return ox.Literal(term, language=term.language) if term.language else ox.Literal(term)


def test_the_same_fact_query_gives_the_rows_of_its_first_form() -> None:
    """The query was reordered for speed (measure words joined before the pairs): on random
    observations with missing and repeated values it selects the pairs it selected before."""
    from fazhi_graph.sources import select

    rng = random.Random(7)
    found = 0
    for _ in range(150):
        store = open_store(backend="memory")
        store.raw.extend(_random_observations(rng))
        for bound in ({}, {"g": ox.NamedNode(TINY)}):
            rows = [tuple(r) for r in select(store, checks._SAME_FACT, bound)]
            assert rows == [tuple(r) for r in select(store, _SAME_FACT_AS_FIRST_WRITTEN, bound)]
            found += len(rows)
    assert found > 100  # the random graphs hold pairs (a few under a broader indicator)


def test_conflict_finding_fields() -> None:
    (f,) = check(Obs("a", "128", "128件"), Obs("b", "130", "130件"))
    assert f.observations == (str(obs_iri("a")), str(obs_iri("b")))
    assert (f.stated, f.expected, f.tolerance) == (Decimal(128), Decimal(130), Decimal(0))
    assert "128件" in f.message_zh and "130件" in f.message_en
    assert len(f.sources) == 2


# --------------------------------------------------------------------------- percentage range


@pytest.mark.parametrize(
    ("obs", "flagged"),
    [
        (Obs("p", "105", "105%", unit=UNIT.PERCENT, stat=STAT.Rate), True),
        (Obs("p", "100", "100%", unit=UNIT.PERCENT, stat=STAT.Rate), False),
        (Obs("p", "100.5", "100.5%", unit=UNIT.PERCENT, stat=STAT.Level), True),
        (Obs("p", "101", "101%", unit=UNIT.PERCENT, stat=STAT.Cumulative), True),
        (Obs("p", "0", "0%", unit=UNIT.PERCENT, stat=STAT.Level), False),
        (
            Obs(
                "p",
                "120",
                "120%",
                unit=UNIT.PERCENT,
                stat=STAT.ChangePctVsBase,
                direction=DIRECTION.Decrease,
            ),
            True,
        ),
        (
            Obs(
                "p",
                "150",
                "150%",
                unit=UNIT.PERCENT,
                stat=STAT.ChangePctVsBase,
                direction=DIRECTION.Increase,
            ),
            False,
        ),
        (Obs("p", "120", "120个百分点", unit=FZ.PercentagePoint, stat=STAT.ChangeAbsVsBase), True),
        (Obs("p", "6.2", "6.2个百分点", unit=FZ.PercentagePoint, stat=STAT.ChangeAbsVsBase), False),
        (Obs("p", "105", "105件"), False),
    ],
)
def test_percentage_out_of_range(obs: Obs, flagged: bool) -> None:
    found = check(obs)
    assert kinds(found) == (["percent-out-of-range"] if flagged else [])
    if flagged:
        assert found[0].expected == Decimal(100)


# --------------------------------------------------------------------------- parts and totals


@pytest.mark.parametrize(("n", "flagged"), [("130", True), ("128", False)])
def test_part_exceeding_its_total(n: str, flagged: bool) -> None:
    found = check(
        Obs("n", n, f"{n}件"),
        Obs("d", "128", "128件", indicator="total"),
        Obs(
            "r",
            "100",
            "100%",
            unit=UNIT.PERCENT,
            stat=STAT.Rate,
            indicator="rate",
            numerator="n",
            denominator="d",
        ),
    )
    # 130/128 = 101.6%: the stated 100% does not match either
    assert kinds(found) == (["rate-mismatch", "part-exceeds-total"] if flagged else [])
    if flagged:
        part = found[1]
        assert (part.stated, part.expected) == (Decimal(130), Decimal(128))
        assert part.observations[:2] == (str(obs_iri("n")), str(obs_iri("d")))


def test_part_within_rounding_of_its_total() -> None:
    found = check(
        Obs("n", "1.3", "1.3万件", mult=4),
        Obs("d", "12980", "12980件", indicator="total"),
        Obs("r", "100", "100%", unit=UNIT.PERCENT, stat=STAT.Rate, numerator="n", denominator="d"),
    )
    assert found == []  # 1.3万 may be 12950..13050


# --------------------------------------------------------------------------- one report, order


def test_run_checks_for_one_report_and_unknown_report() -> None:
    store = open_store(backend="memory")
    store.replace_graph(TINY, tiny_graph(Obs("a", "128", "128件"), Obs("b", "130", "130件")))
    other = str(GRAPH["report/u-2020"])
    store.replace_graph(other, tiny_graph(Obs("a", "1", "1件"), Obs("b", "2", "2件"), rid="u-2020"))
    assert len(run_checks(store)) == 2
    assert [f.graph for f in run_checks(store, report=RID)] == [TINY]
    assert [f.graph for f in run_checks(store, report=other)] == [other]
    with pytest.raises(StoreError, match="t-2020, u-2020"):
        run_checks(store, report="nowhere-2020")


# --------------------------------------------------------------------------- the sample reports


def parts_of(store: Store, finding: Finding) -> tuple[Decimal, Decimal]:
    """The numerator's and denominator's values of a rate finding, from the store."""
    values = []
    for iri in finding.observations[1:3]:
        result = store.query(
            "SELECT ?o ?v { ?o sdmx-measure:obsValue ?v }",
            substitutions={"o": ox.NamedNode(iri)},
            prefixes={"sdmx-measure": str(SDMXMEASURE._NS)},
        )
        assert isinstance(result, ox.QuerySolutions)
        values.append(Decimal(next(iter(result))["v"].value))  # type: ignore[union-attr]
    return values[0], values[1]


def rate_findings(store: Store, report_graph: str) -> list[tuple[Decimal, Decimal, Decimal]]:
    return sorted(
        (f.stated, *parts_of(store, f))
        for f in run_checks(store, report=report_graph)
        if f.kind is Kind.RATE_MISMATCH
    )


def sample_graph(store: Store, name: str) -> str:
    """The report graph of a sample (its id comes from the title, not the file name)."""
    result = store.query(
        "SELECT ?g ?file { GRAPH ?g { ?r fz:sourceFile ?file } }",
        substitutions={"file": ox.Literal(f"{name}.txt")},
        prefixes={"fz": str(FZ._NS)},
    )
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    return str(row["g"].value)  # type: ignore[union-attr]


def triples(entries: list[dict[str, Any]]) -> list[tuple[Decimal, Decimal, Decimal]]:
    return sorted(
        (Decimal(str(e["rate"])), Decimal(str(e["numerator"])), Decimal(str(e["denominator"])))
        for e in entries
    )


@pytest.mark.parametrize("name", sample_names())
def test_planted_inconsistencies_are_found(four_report_store: Store, name: str) -> None:
    found = rate_findings(four_report_store, sample_graph(four_report_store, name))
    for planted in triples(load_gold(name)["inconsistencies"]):
        assert planted in found, f"{name}: planted {planted} not found among {found}"


@pytest.mark.parametrize("name", sample_names())
def test_consistent_rates_raise_no_alarm(name: str) -> None:
    """Judged on the answer key's own figures, so that an extraction error cannot hide a
    false alarm of the rule (nor cause one)."""
    gold = load_gold(name)
    for r, n, d in triples(gold["_consistent_rates"]):
        surface = f"{r.normalize():f}%"
        assert rate(surface, str(n), str(d)) == [], f"{name}: {surface} = {n}/{d} flagged"
    for r, n, d in triples(gold["inconsistencies"]):
        surface = f"{r.normalize():f}%"
        assert kinds(rate(surface, str(n), str(d))) == ["rate-mismatch"], (name, r, n, d)


@pytest.mark.parametrize("name", sample_names())
def test_exactly_the_planted_inconsistencies(four_report_store: Store, name: str) -> None:
    """No rate finding beyond the planted ones, and none on a rate the answer key calls
    consistent. A finding whose parts the answer key does not give for that rate is an
    extraction error (the extractor linked counts that are not the rate's parts), not a false
    alarm of the check: that case is an expected failure naming the links to fix."""
    store = four_report_store
    gold = load_gold(name)
    planted = triples(gold["inconsistencies"])
    consistent = triples(gold["_consistent_rates"])
    found = rate_findings(store, sample_graph(store, name))
    assert [t for t in found if t in consistent] == [], f"{name}: false alarms"
    mislinked = [t for t in found if t not in planted]
    if mislinked:
        keyed = {r: (n, d) for r, n, d in planted + consistent}
        pytest.xfail(
            f"{name}: the extractor links "
            + "; ".join(
                f"{r}% to {n}/{d} (answer key: "
                + (f"{keyed[r][0]}/{keyed[r][1]})" if r in keyed else "no stated parts)")
                for r, n, d in mislinked
            )
        )


def test_nothing_spurious_on_the_seed(four_report_store: Store) -> None:
    assert run_checks(four_report_store, report="chengdongqu-2020") == []


def test_no_other_kinds_of_finding_on_the_samples(four_report_store: Store) -> None:
    found = run_checks(four_report_store)
    assert {f.kind for f in found} <= {Kind.RATE_MISMATCH}, [f.message_en for f in found]


# --------------------------------------------------------------------------- findings as RDF


@pytest.fixture(scope="module")
def planted_store(four_report_store: Store) -> Iterator[Store]:
    store = four_report_store.load_into_memory()
    yield store
    store.close()


def test_findings_graph_links_observations_sentences_and_report(planted_store: Store) -> None:
    found = run_checks(planted_store)
    g = findings_graph(found)
    nodes = set(g.subjects(RDF.type, FZ.ConsistencyFinding))
    assert len(nodes) == len(found) >= 1
    for f in found:
        node = URIRef(f.iri)
        assert (node, RDF.type, f.kind.cls) in g
        assert set(g.objects(node, FZ.concerns)) == {URIRef(o) for o in f.observations}
        assert set(g.objects(node, FZ.evidence)) == {URIRef(s.sentence) for s in f.sources}
        assert g.value(node, FZ.inReport) == URIRef(f.report)
        assert g.value(node, FZ.statedValue) == Literal(f.stated)
        assert {lit.language for lit in g.objects(node, RDFS.comment)} == {"zh", "en"}
    assert findings_graph(found).isomorphic(g)  # deterministic


def test_write_findings_stores_the_checks_graph(planted_store: Store) -> None:
    found = run_checks(planted_store)
    assert checks.write_findings(planted_store, found) == len(found)
    assert CHECKS_GRAPH in planted_store.graph_names()
    result = planted_store.query(
        "SELECT (COUNT(?f) AS ?n) { ?f a fz:ConsistencyFinding }",
        default_graph=[CHECKS_GRAPH],
        prefixes={"fz": str(FZ._NS)},
    )
    assert isinstance(result, ox.QuerySolutions)
    assert int(next(iter(result))["n"].value) == len(found)  # type: ignore[union-attr]
    assert run_checks(planted_store) == found  # findings are not observations


def test_findings_conform_to_their_shape(four_report_store: Store) -> None:
    heyang = sample_graph(four_report_store, "heyang-district-2021")
    found = run_checks(four_report_store, report=heyang)
    data = to_rdflib_graph(four_report_store, heyang)
    good = findings_graph(found)
    result = validate(data + good)
    about = [r for r in result.results if "finding/" in r[0] and r[3] == "Violation"]
    assert about == []
    bad = Graph()
    bad += good
    bad.remove((None, FZ.evidence, None))
    result = validate(data + bad)
    assert any("finding/" in r[0] and "fz:evidence" in r[2] for r in result.results)


# --------------------------------------------------------------------------- the command

runner = CliRunner()


@pytest.fixture
def stores(tmp_path: Path) -> dict[str, Path]:
    bad, good = tmp_path / "bad", tmp_path / "good"
    build_store(bad, [(TINY, tiny_graph(Obs("a", "128", "128件"), Obs("b", "130", "130件")))])
    build_store(good, [(TINY, tiny_graph(Obs("a", "128", "128件")))])
    return {"bad": bad, "good": good}


def test_check_command_table_and_exit_status(stores: dict[str, Path]) -> None:
    result = runner.invoke(app, ["check", "--store", str(stores["bad"])], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "conflicting-values" in result.output and "128件" in result.output
    assert "1 finding(s) in 1 report(s)" in result.output
    result = runner.invoke(app, ["check", "--store", str(stores["good"])])
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


def test_check_command_json(stores: dict[str, Path]) -> None:
    result = runner.invoke(app, ["check", "--json", "--store", str(stores["bad"])])
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["count"] == 1
    (f,) = body["findings"]
    assert f["kind"] == "conflicting-values" and f["stated"] == "128" and f["expected"] == "130"
    assert f["sources"][0]["begin"] == 0


def test_check_command_write(stores: dict[str, Path]) -> None:
    before = runner.invoke(app, ["check", "--store", str(stores["bad"])])
    assert before.exit_code == 1
    with open_store(stores["bad"], read_only=True) as store:
        assert CHECKS_GRAPH not in store.graph_names()
    result = runner.invoke(app, ["check", "--write", "--store", str(stores["bad"])])
    assert result.exit_code == 1
    with open_store(stores["bad"], read_only=True) as store:
        assert CHECKS_GRAPH in store.graph_names()
        assert store.count(CHECKS_GRAPH) > 0


def test_check_command_errors(tmp_path: Path, stores: dict[str, Path]) -> None:
    result = runner.invoke(app, ["check", "--store", str(tmp_path / "missing")])
    assert result.exit_code == 1 and result.stderr.startswith("error: no store")
    result = runner.invoke(app, ["check", "--write", "--store", str(tmp_path / "missing")])
    assert result.exit_code == 1 and result.stderr.startswith("error: no store")
    assert not (tmp_path / "missing").exists()
    result = runner.invoke(app, ["check", "--report", "x-1", "--store", str(stores["good"])])
    assert result.exit_code == 1 and "its reports are: t-2020" in result.stderr
    help_text = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "200"}).output
    for option in ("--store", "--json", "--write", "--report"):
        assert option in help_text
