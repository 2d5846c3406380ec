"""The extractor on the genre's variety, one short synthetic report per trait.

Each text is made up here (no real or sample report), so these tests show rules for the genre
rather than for any one text.
"""

from decimal import Decimal
from pathlib import Path

import opencc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fazhi_graph.extract import extract
from fazhi_graph.facts import Facts
from fazhi_graph.report import meta_for

TITLE = "清河区人民政府关于2021年度法治政府建设情况的报告\n\n"
FILLER = "\n\n我区坚持依法行政，推进法治政府建设，各项工作取得新进展。" * 4


def run(body: str) -> Facts:
    text = TITLE + body + FILLER
    return extract(text, meta_for(text, "synthetic.txt", {}))


def values(facts: Facts) -> list[tuple[Decimal, str]]:
    return [(o.value, o.unit_text or o.unit) for o in facts.observations]


def test_full_width_and_ascii_punctuation_agree() -> None:
    full = run("一、主要举措\n（一）推进执法。全年办理行政复议案件１２件，调解率９８．５％。")
    ascii_ = run("一、主要举措\n(一)推进执法.全年办理行政复议案件12件,调解率98.5%。")
    assert values(full) == values(ascii_) == [(Decimal(12), "件"), (Decimal("98.5"), "%")]


def test_traditional_characters_keep_original_offsets() -> None:
    simplified = (
        "一、主要举措\n全年受理行政复议申请三十件，“放管服”改革持续推进，在柳湾镇设立调委会。"
    )
    traditional = opencc.OpenCC("s2t").convert(simplified)
    facts = run(traditional)
    assert values(facts) == [(Decimal(30), "件")]
    o = facts.observations[0]
    assert facts.doc.text[o.value_span.start : o.value_span.end] == "三十件"
    assert any(i.concept == "fangguanfu" for i in facts.initiatives)
    assert [p.name for p in facts.places] == ["柳灣鎮"]  # the label keeps the text as written


@pytest.mark.parametrize(
    "heading",
    ["一、主要举措\n", "（一）主要举措\n", "1.主要举措。", "（1）主要举措。", "一、主要举措。"],
)
def test_heading_styles(heading: str) -> None:
    facts = run(heading + "全年开展普法活动12场。\n二、存在的问题\n一是执法不规范；二是监督不够。")
    assert values(facts) == [(Decimal(12), "场")]
    assert len(facts.problems) == 2


def test_duplicated_and_skipped_heading_numbers() -> None:
    facts = run(
        "一、成效\n办理案件5件。\n二、成效续\n办理案件6件。\n二、存在的问题\n一是短板明显。\n四、下一步安排\n一是加强领导；二是完善制度。"
    )
    assert len(facts.problems) == 1 and len(facts.measures) == 2
    assert len([s for s in facts.doc.sections if s.level == 1]) == 4


def test_table_in_text() -> None:
    facts = run(
        "一、主要数据\n| 指标 | 2021年 | 2020年 | 变化 |\n|---|---|---|---|\n"
        "| 行政复议案件（件） | 97 | 86 | 增长12.8% |\n"
        "| 出庭应诉率（%） | 100 | 96.5 | 上升3.5个百分点 |\n"
    )
    got = {(o.value, o.unit_text, o.period) for o in facts.observations}
    assert (Decimal(97), "件", (2021, 2021)) in got
    assert (Decimal(86), "件", (2020, 2020)) in got
    assert (Decimal("96.5"), "%", (2020, 2020)) in got
    pp = next(o for o in facts.observations if o.unit == "PP")
    assert pp.value == Decimal("3.5") and pp.stat_type == "ChangeAbsVsBase"


@pytest.mark.parametrize(
    ("phrase", "value", "unit", "qualifier"),
    [
        ("开展讲座十二次", 12, "次", "Exact"),
        ("培训干部三百余人", 300, "人", "MoreThan"),
        ("投入近千万元", 1000, "万元", "ApproachingFromBelow"),
        ("受理案件超过200件", 200, "件", "MoreThan"),
        ("发放资料约5.6万份", Decimal("5.6"), "万份", "About"),
        ("覆盖群众10万人次以上", 10, "万人次", "MoreThan"),
        ("调解纠纷两千一百件", 2100, "件", "Exact"),
    ],
)
def test_numerals_and_hedges(phrase: str, value: object, unit: str, qualifier: str) -> None:
    facts = run(f"一、成效\n{phrase}。")
    (o,) = facts.observations
    assert (o.value, o.unit_text, o.qualifier) == (Decimal(str(value)), unit, qualifier)


def test_percentage_points_apart_from_percent() -> None:
    facts = run("一、成效\n网办率达93.5%，较上年提高6.2个百分点；办件量同比下降21.6%。")
    units = [(o.value, o.unit, o.stat_type, o.direction) for o in facts.observations]
    assert (Decimal("93.5"), "PERCENT", "Rate", "") in units
    assert (Decimal("6.2"), "PP", "ChangeAbsVsBase", "Increase") in units
    assert (Decimal("21.6"), "PERCENT", "ChangePctVsBase", "Decrease") in units


@pytest.mark.parametrize(
    "text",
    [
        "召开依法治区委员会第二次会议。",
        "编制“十四五”法治政府建设规划。",
        "深入推进“八五”普法，构建“1+N”制度体系。",
        "印发《关于加强执法的意见》（清政发〔2021〕28号）和2号文件。",
        "谋划2019—2022年三年行动，开通“12345”热线。",
        "3月15日召开常务会议，十九届五中全会精神。",
    ],
)
def test_not_values(text: str) -> None:
    facts = run(f"一、成效\n{text}")
    assert facts.observations == [], [o.surface for o in facts.observations]


def test_nested_title_marks() -> None:
    facts = run("一、成效\n落实《清河区落实〈法治政府建设实施纲要（2021—2025年）〉实施方案》。")
    (d,) = facts.documents
    assert d.title == "清河区落实〈法治政府建设实施纲要（2021—2025年）〉实施方案"
    assert d.doc_type == "ImplementationPlan"


def test_unclosed_quote_does_not_swallow_text() -> None:
    facts = run("一、成效\n通过全省“七五普法终期考核验收。开展“法律八进”活动91余场次。")
    assert values(facts) == [(Decimal(91), "场次")]
    assert any(i.concept == "falv-bajin" for i in facts.initiatives)


def test_bodies_and_places_scoped_to_the_area(tmp_path: Path) -> None:
    a = run("一、成效\n区政府常务会议研究，区司法局牵头，在柳湾镇桃源村设立调委会。")
    text_b = (
        "河西县人民政府2021年法治政府建设情况报告\n\n一、成效\n县政府常务会议研究，在柳湾镇开展普法。"
        + FILLER
    )
    b = extract(text_b, meta_for(text_b, "b.txt", {}))
    keys_a = {x.key for x in a.bodies} | {p.key for p in a.places}
    keys_b = {x.key for x in b.bodies} | {p.key for p in b.places}
    assert not keys_a & keys_b  # 清河区's 柳湾镇 is not 河西县's
    village = next(p for p in a.places if p.name == "桃源村")
    assert village.parent.endswith("liuwanzhen")


ALPHABET = list(
    "一二三四五六七八九十百千万余近约%个件人项次。，；：、（）()“”《》〈〉\n 0123456789."
    "区县镇村政府法院领导小组调委会是年月日第号"
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=300))
def test_extractor_never_crashes_and_spans_hold(body: str) -> None:
    text = TITLE + body + FILLER
    facts = extract(text, meta_for(text, "fuzz.txt", {}))
    for o in facts.observations:
        first = facts.doc.sentences[o.sentences[0]]
        assert o.value_span in first.span
        assert o.value >= 0
    for d in facts.documents:
        for span in d.mentions:
            assert text[span.start] == "《" and text[span.end - 1] == "》"
