"""The research query library (queries/*.rq): every query runs, answers with the expected rows.

The store holds the real seed report (城东区人民政府 2020) and the three FICTIONAL sample reports
of tests/data/samples (河阳区 2021, 青禾县 2022, 云川市司法局 2022: realistic texts about
governments that do not exist). Questions about consecutive years use a second store with one
more FICTIONAL report: the 河阳区 text re-dated to 2022, with a few facts altered in its graph
(see ``followup_graph``). Expected values are read from the report texts and gold files.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import typer
from rdflib.namespace import RDF
from typer.testing import CliRunner

from fazhi_graph.errors import QueryError
from fazhi_graph.namespaces import DATA, FZ, INDICATOR, NIF, PREFIXES, QB, SDMXMEASURE, SECTION
from fazhi_graph.pipeline import dataset_graphs, report_graph
from fazhi_graph.querydocs import COMPETENCY_QUESTIONS, competency_numbers, render
from fazhi_graph.sparql import (
    QueryParam,
    SavedQuery,
    bind,
    param_term,
    parse_param_values,
    parse_params,
    saved_queries,
)
from fazhi_graph.store import Store, build_store, open_store
from fazhi_graph.web.cli_query import query_command

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data" / "samples"
QUERIES = saved_queries(ROOT / "queries")
ORIGINAL = {"documents", "fangguanfu-bodies", "hedged-values", "mediation-rate", "metrics",
            "problems-without-measures", "rates-vs-parts", "stated-twice"}
GENERAL = {"metrics", "reports", "indicators-for-review"}  # no single competency question

SEED = str(DATA["report/chengdongqu-2020"])
HEYANG = str(DATA["report/heyangqu-2021"])
HEYANG_NEXT = str(DATA["report/heyangqu-2022"])  # fictional follow-up (re-dated copy)
YUNCHUAN = str(DATA["report/yunchuanshi-sifaju-2022"])

Row = dict[str, str | None]


# --------------------------------------------------------------------------- stores


def sample_graphs() -> Iterator[tuple[str, rdflib.Graph]]:
    """The three fictional sample reports, metadata as given by their gold files."""
    for path in sorted(SAMPLES.glob("*.txt")):
        gold = json.loads(path.with_suffix("").with_suffix(".gold.json").read_text("utf-8"))
        meta = {k: gold["report"][k] for k in ("issuer", "area", "level", "year")}
        yield report_graph(path, meta)


def followup_graph(tmp: Path) -> tuple[str, rdflib.Graph]:
    """A FICTIONAL 河阳区 2022 report: the 2021 text re-dated, then four facts altered.

    In its graph: the reply-rate observations are removed (counts without rates), a second
    npc-suggestions observation with a different value is added (conflicting values), one
    sentence's anchorOf no longer matches the text (unanchored facts), and its next-steps
    sections are retyped as 其他 (a report lacking S4).
    """
    text = (SAMPLES / "heyang-district-2021.txt").read_text(encoding="utf-8")
    path = tmp / "heyang-district-2022.txt"
    path.write_text(text.replace("2022", "2023").replace("2021", "2022"), encoding="utf-8")
    name, g = report_graph(path, {"issuer": "河阳区人民政府", "area": "河阳区",
                                  "level": "district", "year": 2022})
    for obs in list(g.subjects(FZ.indicator, INDICATOR["reply-rate"])):
        g.remove((obs, None, None))
        g.remove((None, None, obs))
    (suggestions,) = set(g.subjects(FZ.indicator, INDICATOR["npc-suggestions-handled"]))
    twin = rdflib.URIRef(str(suggestions) + "-fictional-conflict")
    for p, o in list(g.predicate_objects(suggestions)):
        if p == SDMXMEASURE.obsValue:
            o = rdflib.Literal(190)
        elif p == FZ.surfaceForm:
            o = rdflib.Literal("190件")
        g.add((twin, p, o))
    sentence = next(s for s, a in g.subject_objects(NIF.anchorOf)
                    if "受理行政复议申请128件" in a and (s, RDF.type, NIF.Sentence) in g)
    g.set((sentence, NIF.anchorOf, rdflib.Literal("（虚构）此句已被改动。", lang="zh")))
    for section in list(g.subjects(FZ.sectionType, SECTION.NextSteps)):
        g.set((section, FZ.sectionType, SECTION.Other))
    assert (twin, RDF.type, None) in g
    return name, g


@pytest.fixture(scope="module")
def graphs() -> list[tuple[str, rdflib.Graph]]:
    return [*dataset_graphs(ROOT), *sample_graphs()]


def _memory_store(graphs: list[tuple[str, rdflib.Graph]]) -> Store:
    store = open_store(backend="memory")
    for name, g in graphs:
        store.replace_graph(name, g)
    return store


@pytest.fixture(scope="module")
def store(graphs: list[tuple[str, rdflib.Graph]]) -> Store:
    """Seed + the three fictional sample reports."""
    return _memory_store(graphs)


@pytest.fixture(scope="module")
def followup(
    graphs: list[tuple[str, rdflib.Graph]], tmp_path_factory: pytest.TempPathFactory
) -> Store:
    """The same plus the fictional 河阳区 2022 follow-up report."""
    return _memory_store([*graphs, followup_graph(tmp_path_factory.mktemp("followup"))])


def rows(store: Store, name: str, **params: str) -> list[Row]:
    """The solutions of saved query ``name`` with ``params`` bound, as {variable: lexical form}."""
    result = store.query(bind(QUERIES[name], params), prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: None if sol[n] is None else sol[n].value for n in names} for sol in result]


def reports_in(found: list[Row]) -> set[str | None]:
    """The reports rows come from (report IRI, else issuer, else the reportedBy list)."""
    out: set[str | None] = set()
    for r in found:
        if r.get("report") or r.get("issuer"):
            out.add(r.get("report") or r.get("issuer"))
        else:
            out.update((r.get("reportedBy") or "").split(" | "))
    return out


def num(value: str | None) -> Decimal:
    assert value is not None
    return Decimal(value)


# every query needs at least one test below that asserts expected rows; they register here
CHECKED: set[str] = set()


def checks(*names: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Mark a test as asserting expected rows of the saved queries ``names``."""
    CHECKED.update(names)
    return lambda test: test


# --------------------------------------------------------------------------- the library


def test_library_has_at_least_25_queries_with_headers() -> None:
    assert len(QUERIES) >= 25
    assert set(QUERIES) >= ORIGINAL
    for q in QUERIES.values():
        assert q.title_zh and q.title_en and q.description, q.name
        assert competency_numbers(q) or q.name in GENERAL, q.name
        body = q.text.split("\nSELECT", 1)[-1]
        for p in q.params:
            assert re.search(rf"\?{p.name}\b", body), f"{q.name}: ?{p.name} is not used"


def test_every_competency_question_has_a_query() -> None:
    answered = {n for q in QUERIES.values() for n in competency_numbers(q)}
    assert answered == set(COMPETENCY_QUESTIONS)


def test_every_query_has_an_expected_row_test() -> None:
    assert set(QUERIES) <= CHECKED, sorted(set(QUERIES) - CHECKED)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs_with_its_defaults(store: Store, name: str) -> None:
    result = store.query(bind(QUERIES[name]), prefixes=PREFIXES)
    assert isinstance(result, ox.QuerySolutions)
    list(result)
    # pasted elsewhere as it is (every parameter unbound) it still parses and runs
    unbound = store.query(QUERIES[name].text)
    assert isinstance(unbound, ox.QuerySolutions)
    list(unbound)


CROSS_REPORT = sorted(
    set(QUERIES) - {"conflicting-values", "measures-followed-up", "recurring-problems",
                    "problems-without-measures",
                    "stated-twice", "three-systems-problems", "unanchored-facts",
                    "first-reported-initiative"}
)


@pytest.mark.parametrize("name", CROSS_REPORT)
def test_cross_report_queries_return_rows_from_several_reports(store: Store, name: str) -> None:
    assert len(reports_in(rows(store, name))) >= 2, name


def test_docs_page_is_up_to_date() -> None:
    page = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")
    assert page == render(QUERIES), "run: python -m fazhi_graph.querydocs"
    assert "fictional" in page


# --------------------------------------------------------------------------- expected rows


@checks("reports")
def test_reports(store: Store) -> None:
    found = {r["report"]: r for r in rows(store, "reports")}
    assert len(found) == 4
    seed = found[SEED]
    assert (seed["issuer"], seed["reportYear"], seed["sourceFile"]) == (
        "城东区人民政府", "2020", "000_47a56254960e4c13.txt")
    assert seed["sourceSha256"] and seed["sourceSha256"].startswith("f596d6e4")
    assert found[YUNCHUAN]["issuer"] == "云川市司法局"
    assert int(found[HEYANG]["problems"] or 0) == 4  # gold: problems_count 4
    assert [r["report"] for r in rows(store, "reports", year="2021")] == [HEYANG]


@checks("fangguanfu-bodies")
def test_fangguanfu_bodies(store: Store) -> None:
    found = rows(store, "fangguanfu-bodies")
    assert len(reports_in(found)) >= 3  # 城东区, 河阳区 and 青禾县 all report 放管服
    group = "区政府推进政府职能转变和“放管服”改革协调小组"
    assert any(r["report"] == SEED and r["bodyLabel"] == group for r in found)
    assert len({r["initiativeLabel"] for r in found}) >= 3  # narrower initiatives reached
    licences = rows(store, "fangguanfu-bodies", initiative="fzp:zhengzhao-fenli")
    assert {r["initiativeLabel"] for r in licences} == {"证照分离"}
    assert {r["report"] for r in licences} == {SEED, HEYANG}
    assert reports_in(rows(store, "fangguanfu-bodies", area="河阳区")) == {HEYANG}


@checks("mediation-rate")
def test_mediation_rate(store: Store) -> None:
    by_issuer = {r["issuer"]: r for r in rows(store, "mediation-rate")}
    seed = by_issuer["城东区人民政府"]
    assert (num(seed["rate"]), seed["numerator"], seed["denominator"]) == (Decimal("98.1"),
                                                                         "367", "374")
    assert num(seed["recomputed"]) == Decimal("98.1")
    assert "调解率98.1%" in (seed["sentence"] or "")
    heyang = by_issuer["河阳区人民政府"]  # fictional: 4173/4215, stated 99%
    assert (num(heyang["rate"]), heyang["numerator"], heyang["denominator"]) == (
        Decimal(99), "4173", "4215")
    assert num(by_issuer["云川市司法局"]["rate"]) == Decimal("98.7")  # fictional
    (only,) = rows(store, "mediation-rate", area="城东区", year="2020")
    assert only["report"] == SEED and num(only["rate"]) == Decimal("98.1")


@checks("compare-indicator")
def test_compare_indicator(store: Store) -> None:
    found = rows(store, "compare-indicator")
    seed = [r for r in found if r["report"] == SEED and r["statType"] == "rate"]
    assert {num(r["value"]) for r in seed} == {Decimal("72.7")}
    assert seed[0]["asOf"] == "2020-12-31" and seed[0]["denominatorStated"] == "false"
    heyang = [r for r in found if r["report"] == HEYANG and r["statType"] == "rate"]
    assert [(num(r["value"]), r["denominatorStated"], r["denominator"]) for r in heyang] == [
        (Decimal(100), "true", "95")]
    assert any(r["report"] == HEYANG and num(r["value"]) == Decimal("12.4")
               and r["unit"] == "个百分点" for r in found)
    periods = {(r["period"], num(r["value"])) for r in found if r["areaLabel"] == "青禾县"}
    assert {("2022", Decimal(100)), ("2021", Decimal("96.5"))} <= periods
    rates = rows(store, "compare-indicator", indicator="fzi:mediation-success-rate")
    assert {num(r["value"]) for r in rates} == {Decimal("98.1"), Decimal(99), Decimal("98.7")}


@checks("rates-vs-parts")
def test_rates_vs_parts(store: Store) -> None:
    found = {(r["report"], num(r["rate"]), r["numerator"], r["denominator"]): r
             for r in rows(store, "rates-vs-parts")}
    assert found[(SEED, Decimal("98.1"), "367", "374")]["consistent"] == "true"
    planted = found[(HEYANG, Decimal("95.3"), "116", "128")]  # the gold file's inconsistency
    assert planted["consistent"] == "false" and num(planted["difference"]) == Decimal("4.68")
    assert found[(HEYANG, Decimal("22.3"), "58", "260")]["consistent"] == "true"
    loose = rows(store, "rates-vs-parts", tolerance="5", area="河阳区")
    assert all(r["consistent"] == "true" for r in loose if r["rate"] == "95.3")


@checks("stated-twice")
def test_stated_twice(store: Store) -> None:
    found = rows(store, "stated-twice")
    assert any(r["report"] == SEED and r["value"] == "142" and r["sentences"] == "2"
               for r in found)  # 人大代表建议142件, stated at 1120 and 3763


@checks("conflicting-values")
def test_conflicting_values(store: Store, followup: Store) -> None:
    assert rows(store, "conflicting-values", area="城东区") == []
    found = rows(followup, "conflicting-values")
    assert any(r["report"] == HEYANG_NEXT and {r["value1"], r["value2"]} == {"186", "190"}
               for r in found)
    assert rows(followup, "conflicting-values", year="2021") == []


@checks("documents")
def test_documents(store: Store) -> None:
    found = rows(store, "documents")
    seed = {r["title"]: r for r in found if r["report"] == SEED}
    assert len(seed) == 9  # the seed's nine 《》 titles
    assert seed["劳动争议调解仲裁法"]["scope"] == "national"
    work_points = seed["区委全面依法治区委员会2020年工作要点"]
    assert work_points["issuedByLabel"] == "区委全面依法治区委员会"
    assert work_points["meeting"] == "区委全面依法治区委员会第二次会议"
    assert work_points["scope"] == "local"
    laws = rows(store, "documents", type="fzt:Law")
    assert "中华人民共和国行政复议法" in {r["title"] for r in laws}
    assert all(r["typeLabel"] == "法律" for r in laws)


@checks("recurring-documents")
def test_recurring_documents(store: Store) -> None:
    found = {r["title"]: r for r in rows(store, "recurring-documents")}
    reconsideration = found["中华人民共和国行政复议法"]  # 河阳区 and 云川市 (both fictional)
    assert (reconsideration["reports"], reconsideration["scope"]) == ("2", "national")
    assert found["重大行政决策程序暂行条例"]["reports"] == "2"
    assert found["法治政府建设实施纲要(2021—2025年)"]["reports"] == "3"
    assert {r["title"] for r in rows(store, "recurring-documents", minReports="3")} == {
        "法治政府建设实施纲要(2021—2025年)"}


@checks("coordinating-bodies")
def test_coordinating_bodies(store: Store) -> None:
    found = {(r["report"], r["bodyLabel"]): r for r in rows(store, "coordinating-bodies")}
    group = found[(SEED, "行政执法督检组")]
    assert group["action"] == "set up"
    assert group["leadPostLabel"] == "行政执法督检组组长(区政府分管领导)"
    assert found[(SEED, "区优化营商环境工作领导小组")]["action"] == "adjusted"
    qinghe = [r for (_, body), r in found.items() if body == "县法治政府建设示范创建工作领导小组"]
    assert [r["action"] for r in qinghe] == ["adjusted"]  # 调整充实 (fictional report)


@checks("first-responsible-duties")
def test_first_responsible_duties(store: Store) -> None:
    found = rows(store, "first-responsible-duties")
    chaired = {(r["postLabel"], r["kind"], r["fact"]) for r in found if r["report"] == SEED}
    assert ("区委主要负责人", "meeting", "区委全面依法治区委员会第二次会议") in chaired
    assert any(r["postLabel"] == "区政府主要负责人" and r["fact"] == "区政府党组会" for r in found)
    assert any(r["report"] == YUNCHUAN and r["fact"] == "局党组会" for r in found)


@checks("law-study-sessions")
def test_law_study_sessions(store: Store) -> None:
    found = {(r["issuer"], r["topic"]): r for r in rows(store, "law-study-sessions")}
    lectures, study = str(INDICATOR["lectures"]), str(INDICATOR["law-study-sessions"])
    assert found[("城东区人民政府", lectures)]["sessions"] == "8"  # 专题讲座8次
    assert found[("河阳区人民政府", study)]["sessions"] == "12"  # 会前学法十二次 (fictional)
    assert found[("青禾县人民政府", study)]["sessions"] == "14"  # 学法十四次 (fictional)
    assert found[("云川市司法局", study)]["sessions"] == "9"  # 专题学法9次 (fictional)
    later = rows(store, "law-study-sessions", year="2022")
    assert later and {r["reportYear"] for r in later} == {"2022"}


@checks("facts-per-work-area")
def test_facts_per_work_area(store: Store) -> None:
    found = rows(store, "facts-per-work-area")
    for report in reports_in(found):
        mine = [r for r in found if r["report"] == report]
        most = max(int(r["facts"] or 0) for r in mine)
        assert {r["top"] for r in mine if int(r["facts"] or 0) == most} == {"true"}
    # the 司法局's report is mostly about disputes: mediation, reconsideration, legal aid
    (top,) = [r for r in found if r["report"] == YUNCHUAN and r["top"] == "true"]
    assert top["workAreaLabel"] == "依法有效化解社会矛盾纠纷"


@checks("problems-without-measures")
def test_problems_without_measures(store: Store) -> None:
    found = rows(store, "problems-without-measures")
    assert SEED not in reports_in(found)  # measure 5 addresses all three problems
    qinghe = {r["ordinal"]: r for r in found if r["issuer"] == "青禾县人民政府"}
    assert (qinghe["5"]["problem"] or "").startswith("5.法治人才队伍建设相对滞后")


@checks("measures-followed-up")
def test_measures_followed_up(store: Store, followup: Store) -> None:
    assert rows(store, "measures-followed-up") == []  # no issuer has two consecutive years
    found = {r["ordinal"]: r for r in rows(followup, "measures-followed-up")}
    assert set(found) == {"1", "2", "3", "4", "5"}  # 河阳区 2021 plans five measures
    reform = found["2"]  # （二）持续深化“放管服”改革 → the 2022 report implements it
    assert (reform["yearT"], reform["yearNext"], reform["followedUp"]) == ("2021", "2022", "true")
    assert "简政放权、放管结合、优化服务" in (reform["initiativesFollowedUp"] or "")


def test_a_measure_keeps_its_work_area_when_the_next_report_has_no_facts_there(
    graphs: list[tuple[str, rdflib.Graph]], tmp_path: Path
) -> None:
    """The work area is shown, with no facts, even though other reports have facts in it."""
    name, g = followup_graph(tmp_path)
    heyang = next(graph for _, graph in graphs if (rdflib.URIRef(HEYANG), None, None) in graph)
    measure = next(m for m in heyang.objects(rdflib.URIRef(HEYANG), FZ.plannedMeasure)
                   if str(heyang.value(m, FZ.ordinal)) == "4")
    area = heyang.value(measure, FZ.area)
    assert area is not None
    stated = [f for f in g.subjects(FZ.area, area)
              if (f, RDF.type, QB.Observation) in g or (f, FZ.implements, None) in g]
    assert stated, "the follow-up report states facts in that work area"
    for fact in stated:
        g.remove((fact, FZ.area, area))
    found = {r["ordinal"]: r for r in rows(_memory_store([*graphs, (name, g)]),
                                           "measures-followed-up")}
    assert found["4"]["workAreaLabel"] == "依法有效化解社会矛盾纠纷"
    assert found["4"]["factsInArea"] == "0"


@checks("recurring-problems")
def test_recurring_problems(store: Store, followup: Store) -> None:
    assert rows(store, "recurring-problems") == []
    found = rows(followup, "recurring-problems")
    same = {r["problemT"] for r in found if r["sameWording"] == "true"}
    assert "三是行政复议案件办理质效有待提高，复议纠错和层级监督功能发挥还不够充分；" in same
    assert all((r["yearT"], r["yearNext"]) == ("2021", "2022") for r in found)


@checks("suggestions-proposals")
def test_suggestions_proposals(store: Store, followup: Store) -> None:
    found = {r["report"]: r for r in rows(store, "suggestions-proposals")}
    seed = found[SEED]
    assert (seed["suggestions"], seed["proposals"], seed["replyRates"],
            seed["countsWithoutRate"]) == ("142件", "66件", "100%", "false")
    heyang = found[HEYANG]  # fictional: 186 建议, 213 提案, 办复率均为100%
    assert (heyang["suggestions"], heyang["proposals"], heyang["replyRates"]) == (
        "186件", "213件", "100%")
    next_year = {r["report"]: r for r in rows(followup, "suggestions-proposals")}[HEYANG_NEXT]
    assert next_year["countsWithoutRate"] == "true" and not next_year["replyRates"]


@checks("year-on-year-changes")
def test_year_on_year_changes(store: Store, followup: Store) -> None:
    found = rows(store, "year-on-year-changes")
    entities = next(r for r in found if r["report"] == HEYANG and r["change"] == "14.6")
    assert (entities["comparedValue"], entities["basePeriod"], entities["direction"]) == (
        "8762", "2020", "increase")
    assert num(entities["impliedBase"]) == Decimal("7645.72")  # 8762 / 1.146
    assert entities["previousReport"] is None  # no 河阳区 2020 report in the store
    table = next(r for r in found if r["issuer"] == "青禾县人民政府" and r["change"] == "12.8")
    assert table["baseInReport"] == "86"  # the table's 2021 column (fictional report)
    later = next(r for r in rows(followup, "year-on-year-changes", area="河阳区", year="2022")
                 if r["change"] == "14.6")
    assert (later["previousReport"], later["previousValue"]) == (HEYANG, "8762")


@checks("reconsideration-litigation")
def test_reconsideration_litigation(store: Store) -> None:
    found = {r["report"]: r for r in rows(store, "reconsideration-litigation")}
    seed = found[SEED]  # 受理6件, 审结3件, 调解和解3件; 应诉56件, 以区政府为被告40件
    assert (seed["received"], seed["concluded"], seed["settled"]) == ("6件", "3件", "3件")
    assert (seed["litigation"], seed["asDefendant"]) == ("56件", "40件")
    heyang = found[HEYANG]
    assert (heyang["received"], heyang["concluded"], heyang["settled"]) == (
        "128件", "116件", "21件")
    yunchuan = found[YUNCHUAN]
    assert (yunchuan["received"], yunchuan["asDefendant"], yunchuan["headAppearances"]) == (
        "612件", "74件", "21件")


@checks("named-places")
def test_named_places(store: Store) -> None:
    found = rows(store, "named-places")
    lejiawan = [r for r in found if r["placeLabel"] == "乐家湾镇"]
    assert {r["levelLabel"] for r in lejiawan} == {"乡镇"}
    assert "9个" in {r["surface"] for r in lejiawan}  # 乐家湾镇9个村社区 have a legal adviser
    villages = rows(store, "named-places", level="fzl:Village")
    assert {r["placeLabel"] for r in villages} == {"桃源村", "石门村"}
    assert {r["withinLabel"] for r in villages if r["placeLabel"] == "石门村"} == {"白沙镇"}


@checks("designated-venues")
def test_designated_venues(store: Store) -> None:
    compounds = rows(store, "designated-venues", venueType="fzv:ResidentialCompound")
    assert {(r["venueLabel"], r["reportYear"]) for r in compounds} == {
        ("沁园小区", "2020"), ("龙华雅苑小区", "2020")}
    bases = {r["venueLabel"] for r in rows(store, "designated-venues",
                                           venueType="fzv:LegalEducationBase")}
    assert "青少年法治体验基地" in bases
    assert "河阳区第一实验小学" in {r["venueLabel"] for r in rows(store, "designated-venues")}


@checks("fengqiao-mediation-network")
def test_fengqiao_mediation_network(store: Store) -> None:
    found = rows(store, "fengqiao-mediation-network")
    assert len(reports_in(found)) >= 3
    seed = {r["organisationLabel"]: r for r in found if r["report"] == SEED}
    assert (seed["村(社区)调委会"]["parentLabel"], seed["村(社区)调委会"]["chainLevel"]) == (
        "镇(街道)调委会", "3")
    assert (seed["镇(街道)调委会"]["parentLabel"], seed["镇(街道)调委会"]["chainLevel"]) == (
        "区人民调解指导中心", "2")
    assert seed["区人民调解指导中心"]["chainLevel"] == "1"
    other = rows(store, "fengqiao-mediation-network", initiative="fzp:yangguang-zhongcai")
    assert reports_in(other) == {SEED}  # 阳光仲裁 is only in the seed


@checks("enforcement-officers")
def test_enforcement_officers(store: Store) -> None:
    found = rows(store, "enforcement-officers")
    seed = next(r for r in found if r["report"] == SEED and r["value"] == "171")
    assert seed["asOf"] == "2020-12-31" and seed["surface"] == "171人"
    values = {(r["issuer"], r["value"]) for r in found}
    expected = {("河阳区人民政府", "1026"), ("青禾县人民政府", "826"), ("城东区人民政府", "40")}
    assert expected <= values


@checks("three-systems-problems")
def test_three_systems_problems(store: Store) -> None:
    (seed,) = rows(store, "three-systems-problems")
    assert seed["report"] == SEED and seed["ordinal"] == "1"
    assert "三项制度" in (seed["problem"] or "")
    reform = rows(store, "three-systems-problems", initiative="fzp:zonghe-zhifa-gaige")
    assert any(r["report"] == HEYANG and r["ordinal"] == "2" for r in reform)


@checks("hedged-values")
def test_hedged_values(store: Store) -> None:
    found = {(r["report"], r["surface"]): r for r in rows(store, "hedged-values")}
    funds = found[(SEED, "近千万元")]
    assert (funds["lowerBound"], num(funds["upperBound"])) == (None, Decimal(1000))
    events = found[(SEED, "91余场次")]
    assert (num(events["lowerBound"]), num(events["upperBound"])) == (91, 92)
    training = found[(HEYANG, "三百余人")]
    assert (num(training["lowerBound"]), num(training["upperBound"])) == (300, 400)
    cases = found[(HEYANG, "超过3000件")]
    assert (num(cases["lowerBound"]), cases["upperBound"]) == (3000, None)
    (about,) = rows(store, "hedged-values", qualifier="fzq:About")
    assert (about["surface"], about["lowerBound"], about["upperBound"]) == ("约46万人次", None,
                                                                          None)


@checks("unanchored-facts")
def test_unanchored_facts(store: Store, followup: Store) -> None:
    assert rows(store, "unanchored-facts") == []  # every quotation holds
    found = rows(followup, "unanchored-facts")
    assert found and {r["report"] for r in found} == {HEYANG_NEXT}
    assert {r["sentence"] for r in found} == {"（虚构）此句已被改动。"}
    assert {r["problem"] for r in found} == {"anchorOf differs from the text at its offsets"}
    assert any("reconsideration-received" in (r["fact"] or "") for r in found)
    version = found[0]["extractorVersion"]
    assert rows(followup, "unanchored-facts", version=version or "")
    assert rows(followup, "unanchored-facts", version="0.0.0-none") == []


@checks("first-reported-initiative")
def test_first_reported_initiative(store: Store) -> None:
    found = {r["areaLabel"]: r for r in rows(store, "first-reported-initiative")}
    assert (found["城东区"]["firstYear"], found["城东区"]["earliest"]) == ("2020", "true")
    assert (found["河阳区"]["firstYear"], found["河阳区"]["earliest"]) == ("2021", "false")
    fengqiao = {r["areaLabel"]: r["earliest"]
                for r in rows(store, "first-reported-initiative",
                              initiative="fzp:fengqiao-jingyan")}
    assert fengqiao["城东区"] == "true" and fengqiao["河阳区"] == "false"
    everything = rows(store, "first-reported-initiative", initiative="*")
    assert len({r["initiativeLabel"] for r in everything}) > 10


@checks("report-structure")
def test_report_structure(store: Store, followup: Store) -> None:
    found = {r["report"]: r for r in rows(store, "report-structure")}
    seed = found[SEED]  # 一 第一责任人 / 二 工作开展 / 二 存在的问题 / 三 下一步
    assert (seed["s1Achievements"], seed["s2Problems"], seed["s3FirstResponsible"],
            seed["s4NextSteps"], seed["followsParts1to4"]) == ("true",) * 5
    assert all(r["lacksS2orS4"] == "false" for r in found.values())
    later = {r["report"]: r for r in rows(followup, "report-structure")}[HEYANG_NEXT]
    assert (later["s4NextSteps"], later["s5Other"], later["lacksS2orS4"]) == (
        "false", "true", "true")


@checks("metrics")
def test_metrics(store: Store) -> None:
    text = (ROOT / "data" / "reports" / "000_47a56254960e4c13.txt").read_text(encoding="utf-8")
    found = rows(store, "metrics", area="城东区")
    assert {r["report"] for r in found} == {SEED}
    rate = next(r for r in found if r["value"] == "98.1")
    begin, end = int(rate["begin"] or 0), int(rate["end"] or 0)
    assert text[begin:end] == rate["sentence"] and "调解率98.1%" in text[begin:end]
    only = rows(store, "metrics", indicator="fzi:head-appearance-rate")
    assert {r["indicatorLabel"] for r in only} == {"行政机关负责人出庭应诉率"}


@checks("indicators-for-review")
def test_indicators_for_review(store: Store, graphs: list[tuple[str, rdflib.Graph]]) -> None:
    found = rows(store, "indicators-for-review")
    assert found
    vocab = next(g for name, g in graphs if name.endswith("/vocab"))
    texts = [p.read_text(encoding="utf-8") for p in
             [ROOT / "data" / "reports" / "000_47a56254960e4c13.txt", *SAMPLES.glob("*.txt")]]
    for r in found:
        assert (rdflib.URIRef(r["indicator"] or ""), None, None) not in vocab  # minted
        assert any((r["example"] or "#") in t for t in texts), r["example"]


# --------------------------------------------------------------------------- parameters


def test_text_parameter_restricts_the_area(store: Store) -> None:
    assert reports_in(rows(store, "compare-indicator", area="城东区")) == {SEED}
    assert rows(store, "compare-indicator", area="没有这个区") == []


def test_integer_parameter_restricts_the_year(store: Store) -> None:
    years = {r["reportYear"] for r in rows(store, "enforcement-officers", year="2022")}
    assert years == {"2022"}


def test_iri_parameter_picks_the_indicator(store: Store) -> None:
    a = {r["indicatorLabel"] for r in rows(store, "compare-indicator")}
    b = {r["indicatorLabel"] for r in rows(store, "compare-indicator",
                                           indicator="fzi:reply-rate")}
    assert a and b and a.isdisjoint(b)
    full = "<https://w3id.org/fazhi-graph/vocab/indicator/reply-rate>"
    assert rows(store, "compare-indicator", indicator=full) == rows(
        store, "compare-indicator", indicator="fzi:reply-rate")


def test_decimal_and_integer_thresholds(store: Store) -> None:
    strict = rows(store, "rates-vs-parts", tolerance="0.001")
    loose = rows(store, "rates-vs-parts", tolerance="100")
    assert sum(r["consistent"] == "true" for r in strict) < len(loose)
    assert all(r["consistent"] == "true" for r in loose)
    assert len(rows(store, "recurring-documents", minReports="1")) > len(
        rows(store, "recurring-documents"))


def test_star_unbinds_a_parameter(store: Store) -> None:
    one = rows(store, "compare-indicator")
    every = rows(store, "compare-indicator", indicator="*")
    assert len(every) > len(one)


def test_values_are_bound_as_terms_never_pasted(store: Store) -> None:
    hostile = '城东区" } ; DROP ALL ; SELECT * { ?s ?p ?o #'
    assert rows(store, "mediation-rate", area=hostile) == []
    text = bind(QUERIES["mediation-rate"], {"area": hostile})
    assert '"城东区\\" } ; DROP ALL ; SELECT * { ?s ?p ?o #"' in text
    with pytest.raises(QueryError, match="IRI"):
        bind(QUERIES["compare-indicator"], {"indicator": "fzi:x> } DROP ALL { <y"})
    with pytest.raises(QueryError, match="IRI"):
        bind(QUERIES["compare-indicator"], {"indicator": "mediation-success-rate"})
    with pytest.raises(QueryError, match="number"):
        bind(QUERIES["rates-vs-parts"], {"tolerance": "0.1; DROP"})
    with pytest.raises(QueryError, match="integer"):
        bind(QUERIES["recurring-documents"], {"minReports": "2.5"})
    with pytest.raises(QueryError, match="needs a number"):
        bind(QUERIES["recurring-documents"], {"minReports": "*"})
    with pytest.raises(QueryError, match="unknown parameter colour; this query takes: "):
        bind(QUERIES["mediation-rate"], {"colour": "red"})


# --------------------------------------------------------------------------- sparql.bind


def test_parse_params_and_kinds() -> None:
    text = ("# title@en: x\n# param: a = * — any\n# param: b = fzi:reply-rate — iri\n"
            "# param: c = 2 — int\n# param: d = 0.5 -- dec\n# param: e = 城东区 — text\n"
            "SELECT ?a ?b ?c ?d ?e {}")
    params = parse_params(text)
    assert [(p.name, p.kind) for p in params] == [
        ("a", "any"), ("b", "iri"), ("c", "integer"), ("d", "decimal"), ("e", "text")]
    assert params[3].description == "dec"
    with pytest.raises(QueryError, match="malformed"):
        parse_params("# param: a=1\nSELECT * {}")
    with pytest.raises(QueryError, match="twice"):
        parse_params("# param: a = 1 — x\n# param: a = 2 — y\nSELECT * {}")
    with pytest.raises(QueryError, match="IRI"):
        parse_params("# param: a = <http://x/>y> — x\nSELECT * {}")


def test_param_terms() -> None:
    any_param = QueryParam("v", "*", "anything")
    assert param_term(any_param, "*") is None and param_term(any_param, None) is None
    assert param_term(any_param, "2020") == ox.Literal(
        "2020", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert param_term(any_param, "城东区") == ox.Literal("城东区")
    assert param_term(any_param, "fza:A4") == ox.NamedNode(
        "https://w3id.org/fazhi-graph/vocab/area/A4")
    text = QueryParam("t", "城东区", "text")
    assert param_term(text, "2020") == ox.Literal("2020")  # a text parameter stays text
    assert param_term(text, ox.Literal("x", language="zh")) == ox.Literal("x", language="zh")
    with pytest.raises(QueryError):
        param_term(QueryParam("i", "fzi:a", "iri"), ox.Literal("x"))


def test_bind_puts_values_in_the_outermost_where_group() -> None:
    query = SavedQuery(
        name="q", path=Path("q.rq"),
        text=('# param: x = fzi:a — x\nPREFIX ex: <http://example.org/x#>\n'
              '# a comment with WHERE { braces }\n'
              'SELECT ?where (COUNT(*) AS ?n) FROM <http://g/> WHERE {\n'
              '  ?s ?p "} WHERE {" . { SELECT ?s WHERE { ?s ?p ?x } } }\nGROUP BY ?where'),
        params=parse_params("# param: x = fzi:a — x\nSELECT ?x {}"),
    )
    out = bind(query)
    assert out.count("VALUES") == 1
    assert "FROM <http://g/> WHERE { VALUES (?x) { (<https://w3id.org/fazhi-graph/vocab/" \
           "indicator/a>) }\n" in out
    construct = bind("# param: x = 1 — x\nCONSTRUCT { ?s ?p ?x } { ?s ?p ?o }")
    assert construct.startswith("# param: x = 1 — x\nCONSTRUCT { ?s ?p ?x } { VALUES (?x)")
    assert bind("SELECT * { ?s ?p ?o }") == "SELECT * { ?s ?p ?o }"
    with pytest.raises(QueryError, match="no WHERE group"):
        bind("# param: x = 1 — x\nDESCRIBE <http://x>")
    assert parse_param_values(["a=1", " b = x=y "]) == {"a": "1", "b": "x=y"}
    with pytest.raises(QueryError, match="name=value"):
        parse_param_values(["year"])


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, graphs: list[tuple[str, rdflib.Graph]]
) -> Path:
    root = tmp_path_factory.mktemp("library-project")
    shutil.copytree(ROOT / "queries", root / "queries")
    build_store(root / "var" / "store", graphs)
    return root


def test_cli_binds_parameters(project: Path) -> None:
    app = typer.Typer()
    app.command("query")(query_command)

    @app.command("version")
    def version() -> None:  # a second command, so "query" stays a subcommand
        """Print nothing."""

    def run(*args: str) -> str:
        result = CliRunner().invoke(
            app, ["query", *args], env={"FAZHI_HOME": str(project), "FAZHI_STORE": ""})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        assert result.exit_code == 0, result.stdout
        return result.stdout

    out = run("mediation-rate", "--param", "area=城东区", "-p", "year=2020", "-f", "csv")
    lines = out.splitlines()
    assert len(lines) == 2 and ",98.1,367,374,98.1," in lines[1]
    assert run("mediation-rate", "-p", "area=河阳区", "-f", "csv").count("\n") == 2
    listing = run("--list")
    assert "mediation-rate\t人民调解成功率及其分子分母 / Mediation success rate" in listing
    assert "[area=* year=*]" in listing
    with pytest.raises(QueryError, match="unknown parameter"):
        run("mediation-rate", "-p", "colour=red")
    expression = "# param: y = 2020 — year\nSELECT ?y WHERE { }"
    assert run("-e", expression, "-p", "y=2021", "-f", "csv").splitlines() == ["y", "2021"]
