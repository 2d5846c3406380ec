"""A synthetic national corpus: fictional annual rule-of-law reports for measuring scale.

:func:`write_corpus` writes ``N`` report texts of the genre (法治政府建设年度报告 of county,
district and county-level city governments) and a ``reports.toml`` catalogue for them, the
same format as ``data/reports/reports.toml``. Every text carries a note line saying it is
fictional, every catalogue entry ``fictional = true``. Place names are invented from syllables
(a collision with a real place would be a coincidence); years run 2019–2024; headings,
wordings, numbers and the choice and order of work areas vary. The output depends only on
``(n, seed)``: the same arguments give byte-identical files.

The texts are composed from templates whose wordings follow the genre and the project's
vocabularies (``ontology/vocab/``): metrics with their measure words (件, 人, 项, %, 个百分点,
万元, 同比增长 …), policy documents in 《》, initiatives (放管服, 枫桥经验, 三项制度 …), bodies
and places. Nothing around the extractor is fabricated: the texts go through ``ingest``.

>>> r = Corpus(seed=7).report(0)
>>> r.text.splitlines()[0] == r.title and "虚构" in r.text and r.entry["fictional"]
True
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from fazhi_graph.errors import FazhiError
from fazhi_graph.pipeline import CatalogueEntry
from fazhi_graph.report import report_id

__all__ = ["FICTION_NOTE", "Corpus", "SynthError", "SynthReport", "write_corpus"]

FICTION_NOTE = (
    "（说明：本文为程序生成的虚构样本，地名、机构和数据均为虚构，仅供测试和性能评估使用。）"
)
"""The note line every synthetic text carries right under its title."""

YEARS = range(2019, 2025)

# Syllables for invented place names: first and second characters of a two-character name.
_FIRST = (
    "澄岚棠栖璟汀蔚翎澜芷泓鹭筠湄霁瑶琅珂莘苒萦漪霞棣杉桦枫榆槐柘梧蓼荻蘅菱藻"
    "芙茗荇芸菖槿檀楠栎樟澈沄潆滢濯渌溆"
)
_SECOND = "溪川岭原湾泽屿坪峪滩垣塬埔浦洲汀陂冈塘渚"
_COUNTY_UNITS = (("县", "county"), ("区", "district"), ("市", "city"))
_TOWN_UNITS = ("镇", "乡", "街道")
_TOWN_FIRST = "东西南北上下新旧大小前后中"
_TOWN_SECOND = "营堡集桥湖坝店庄铺口岗门"


class SynthError(FazhiError):
    """The corpus cannot be written as asked (too many reports, output not writable)."""


@dataclass(frozen=True)
class SynthReport:
    """One synthetic report: its file name, text and catalogue entry."""

    file: str
    text: str
    entry: CatalogueEntry
    title: str


@dataclass(frozen=True)
class _Area:
    name: str
    unit: str
    level: str
    issuer: str
    towns: tuple[str, ...]

    @property
    def short(self) -> str:
        """区, 县 or 市: how the report refers to its own government (区政府, 全县 …)."""
        return self.unit


def _area_names(seed: int) -> list[tuple[str, str, str]]:
    """Every invented (name, unit, level), in a seed-determined order."""
    names = [
        (f + s + unit, unit, level)
        for f in _FIRST
        for s in _SECOND
        if f != s
        for unit, level in _COUNTY_UNITS
    ]
    random.Random(seed).shuffle(names)
    return names


class Corpus:
    """The synthetic corpus of one seed; :meth:`report` gives its ``i``-th report."""

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed
        pairs: list[tuple[tuple[str, str, str], int]] = []
        seen: set[str] = set()
        for name in _area_names(seed):
            for year in YEARS:
                rid = report_id(name[0], year, name[0] + "人民政府")
                if rid not in seen:  # two names can share a pinyin slug: keep the first
                    seen.add(rid)
                    pairs.append((name, year))
        random.Random(seed + 1).shuffle(pairs)
        self._pairs = pairs

    @property
    def capacity(self) -> int:
        """How many distinct (area, year) reports this corpus can give."""
        return len(self._pairs)

    def report(self, index: int) -> SynthReport:
        """The ``index``-th report (``0 <= index < capacity``)."""
        if not 0 <= index < self.capacity:
            raise SynthError(
                f"report {index} is out of range: this generator has {self.capacity} distinct "
                "area-year pairs; ask for fewer reports"
            )
        (name, unit, level), year = self._pairs[index]
        rng = random.Random(f"{self.seed}:{index}")
        towns = tuple(
            dict.fromkeys(
                rng.choice(_TOWN_FIRST) + rng.choice(_TOWN_SECOND) + rng.choice(_TOWN_UNITS)
                for _ in range(6)
            )
        )
        area = _Area(name, unit, level, name + "人民政府", towns)
        writer = _Writer(rng, area, year)
        text = writer.text()
        rid = report_id(name, year, area.issuer)
        file = f"synth-{index:05d}-{rid}.txt"
        entry: CatalogueEntry = {
            "file": file,
            "id": rid,
            "issuer": area.issuer,
            "area": name,
            "level": level,
            "year": year,
            "fictional": True,
            "note": "synthetic report written by `fazhi-graph synth`; not a real government's",
        }
        return SynthReport(file, text, entry, writer.title)

    def reports(self, n: int) -> Iterator[SynthReport]:
        """The first ``n`` reports."""
        if n > self.capacity:
            raise SynthError(
                f"{n} reports asked for, but this generator has {self.capacity} distinct "
                "area-year pairs; ask for fewer reports"
            )
        for i in range(n):
            yield self.report(i)


CATALOGUE_HEADER = (
    "# A synthetic corpus written by `fazhi-graph synth`: every report here is FICTIONAL.\n"
    "# Areas, bodies and figures are invented; use it to measure scale, never as data.\n"
    "# Same format as data/reports/reports.toml (ingest it with `fazhi-graph ingest DIR`)."
)


def write_corpus(out: Path, n: int, *, seed: int = 0, progress: Callable[[int], None] | None = None
                 ) -> list[SynthReport]:  # fmt: skip
    """Write ``n`` synthetic reports and their ``reports.toml`` into ``out``; return them.

    Files are written as UTF-8 without a byte-order mark, ``\\n`` line ends. ``progress`` is
    called with the number of reports written so far.
    """
    from fazhi_graph.ingest import catalogue_text

    if n < 1:
        raise SynthError(f"--reports must be at least 1 (got {n})")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SynthError(f"cannot create {out}: {exc}; choose another -o folder") from exc
    written: list[SynthReport] = []
    for report in Corpus(seed=seed).reports(n):
        (out / report.file).write_text(report.text, encoding="utf-8", newline="\n")
        written.append(report)
        if progress is not None:
            progress(len(written))
    toml = catalogue_text(CATALOGUE_HEADER, [r.entry for r in written])
    (out / "reports.toml").write_text(toml, encoding="utf-8", newline="\n")
    return written


# --------------------------------------------------------------------------- composition

_ORDINALS = "一二三四五六七八九十"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _chinese(n: int) -> str:
    """A number from 1 to 99 in Chinese numerals (十四, 二十).

    >>> _chinese(14), _chinese(20), _chinese(7)
    ('十四', '二十', '七')
    """
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones else "")


# work areas: (heading variants, item templates). Placeholders are filled by _Writer.fill.
_WORK_AREAS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        (
            "加强组织领导，压实法治建设第一责任",
            "坚持党的领导，统筹推进法治政府建设",
            "强化责任落实，健全法治建设工作机制",
        ),
        (
            "{short}政府常务会议专题听取法治政府建设工作汇报{n3}次，研究解决重大问题{n20}个。",
            "调整充实{area}法治政府建设工作领导小组，由{short}长任组长，办公室设在{short}司法局。",
            "制定印发《{area}{year}年法治政府建设工作要点》，明确年度重点任务{n40}项，逐项明确责任单位和完成时限。",
            "组织开展法治政府建设专项督察{cn3}轮，覆盖全{short}{n12}个乡镇（街道）和{n40}个部门，督促整改问题{n60}个。",
            "将法治建设成效纳入年度绩效考核，权重占比不低于{pct_small}%。",
            "落实党政主要负责人年终述法制度，{n40}名部门主要负责人现场述法。",
        ),
    ),
    (
        (
            "深化“放管服”改革，依法全面履行政府职能",
            "持续优化营商环境，推进政府职能转变",
            "深入推进简政放权，提升政务服务水平",
        ),
        (
            "动态调整{short}级权责清单，全{short}{n40}个部门权责事项共计{n4000}项。",
            "深入推进“放管服”改革，“一网通办”事项{n1000}项，网办率达到{pct}%，同比提高{pp}个百分点。",
            "全面推行证明事项告知承诺制，梳理告知承诺事项{n100}项，{short}政务服务中心进驻部门{n40}个。",
            "新增市场主体{n5000}户，同比增长{pct_small}%，企业开办时间压缩至{n3}个工作日。",
            "落实政务服务“好差评”制度，收到评价{n50000}条，好评率{pct_high}%。",
            "12345政务服务便民热线受理群众诉求{n50000}件，按时办结率{pct_high}%。",
            "深入推进“双随机、一公开”监管，开展联合抽查{n100}次，为企业减负{n5000}万元。",
        ),
    ),
    (
        (
            "完善依法行政制度体系，提高制度建设质量",
            "加强规范性文件监督管理",
            "严格规范性文件管理，维护法制统一",
        ),
        (
            "全年制定规范性文件{n20}件，废止{n12}件，修改{n12}件，全部按规定报送备案，报备率100%。",
            "开展规范性文件备案审查，审查各类文件{n100}件，纠正{n3}件。",
            "严格落实“统一登记、统一编号、统一印发”制度，{short}司法局对{n100}件文件进行合法性审查。",
            "对照《{doc_national}》开展专项清理，保留现行有效规范性文件{n100}件。",
        ),
    ),
    (
        (
            "健全依法决策机制，推进科学民主依法决策",
            "严格落实重大行政决策程序",
            "提高行政决策质量和效率",
        ),
        (
            "严格执行《重大行政决策程序暂行条例》，{n12}项重大行政决策事项全部履行法定程序。",
            "{short}政府法律顾问全年审查合同{n300}份，出具法律意见{n200}条，意见采纳率{pct_high}%。",
            "落实政府法律顾问制度，全{short}{n40}个部门和{n12}个乡镇（街道）配备法律顾问，实现全覆盖。",
            "推进“一村（社区）一法律顾问”，为{n300}个村（社区）聘请法律顾问{n100}名。",
        ),
    ),
    (
        (
            "坚持严格规范公正文明执法",
            "深化行政执法体制改革，提升执法质效",
            "全面落实行政执法“三项制度”",
        ),
        (
            "全面落实行政执法“三项制度”，公示执法信息{n5000}条。",
            "全{short}共有{n2000}人持有行政执法证件，{year}年新申领行政执法证件{n200}人。",
            "组织开展行政执法案卷评查，评查案卷{n500}卷，评出优秀案卷{n60}卷，优秀率{pct}%。",
            "全年办理行政处罚案件{n5000}件，罚没款{n5000}万元，同比下降{pct_small}%。",
            "推进综合行政执法改革，组建综合行政执法队伍{n12}支，下沉执法人员{n300}名到{town}等乡镇（街道）。",
            "落实包容审慎监管，对首次轻微违法行为不予处罚案件{n200}件。",
        ),
    ),
    (
        (
            "强化对行政权力的制约和监督",
            "自觉接受各方面监督，推进政务公开",
            "健全行政权力运行制约监督体系",
        ),
        (
            "办理人大代表建议{n300}件、政协委员提案{n300}件，办复率均为100%。",
            "主动公开政府信息{n50000}条，办理依申请公开{n300}件，发布政策解读{n200}篇。",
            "完成审计项目{n60}个，查出违规金额{n5000}万元，促进增收节支{n5000}万元。",
            "{short}审计局对{n40}个部门开展预算执行审计，移送问题线索{n12}条。",
        ),
    ),
    (
        (
            "依法有效化解社会矛盾纠纷",
            "坚持和发展新时代“枫桥经验”，维护社会稳定",
            "健全矛盾纠纷多元化解机制",
        ),
        (
            "全年受理行政复议申请{n300}件，审结{n200}件，结案率{pct_high}%，纠错{n20}件。",
            "行政机关负责人出庭应诉率100%，全年行政应诉案件{n300}件。",
            "坚持和发展新时代“枫桥经验”，全{short}{n300}个人民调解委员会调处矛盾纠纷{n5000}件，调解成功率{pct_high}%。",
            "在{town}设立矛盾纠纷多元化解中心，接待群众来访{n2000}人次，化解信访积案{n60}件。",
            "{short}劳动人事争议仲裁院受理案件{n500}件，仲裁结案率{pct_high}%。",
        ),
    ),
    (
        (
            "深入开展法治宣传教育",
            "扎实推进“{plan}”普法，营造浓厚法治氛围",
            "落实普法责任制，提升全民法治素养",
        ),
        (
            "落实“谁执法谁普法”普法责任制，{n100}家单位纳入年度履职评议。",
            "落实{short}政府常务会议会前学法制度，全年学法{cn12}次，举办领导干部法治讲座{n12}场。",
            "组织国家工作人员参加年度学法考试，参考人数{n5000}人，合格率{pct_high}%。",
            "开展“法律进乡村”活动{n300}场次，发放宣传资料{n50000}份，受众{n50000}人次。",
            "建成法治文化公园{n3}个，{town}建成法治宣传教育基地。",
        ),
    ),
)

_PROBLEMS = (
    "部分领导干部运用法治思维和法治方式推动发展的能力有待提升",
    "行政执法“三项制度”落实还不够到位，执法规范化水平有待提高",
    "基层法治力量相对薄弱，乡镇（街道）法制审核人员配备不足",
    "规范性文件管理还需加强，个别部门存在未及时报备的情况",
    "法治宣传教育的针对性和实效性有待进一步增强",
    "行政复议和行政应诉工作水平需要进一步提升",
    "综合行政执法改革后部分执法人员业务能力不适应新要求",
    "政务公开的深度和广度与群众期待仍有差距",
)

_PLANS = (
    "持续深入学习贯彻习近平法治思想，压紧压实法治建设第一责任人职责",
    "深化“放管服”改革，持续优化法治化营商环境",
    "严格落实重大行政决策程序制度，提高依法决策水平",
    "全面推行行政执法“三项制度”，加强行政执法监督",
    "坚持和发展新时代“枫桥经验”，推进矛盾纠纷多元化解",
    "加强法治工作队伍建设，配齐配强乡镇（街道）法治力量",
    "深入实施“八五”普法规划，推动全社会尊法学法守法用法",
    "加强规范性文件备案审查，维护法制统一",
)

_TITLES = (
    "{area}{year}年法治政府建设年度报告",
    "{issuer}{year}年法治政府建设工作情况报告",
    "{issuer}关于{year}年度法治政府建设情况的报告",
    "{area}人民政府{year}年度法治政府建设情况报告",
)

_HEAD_ONE = (
    "一、{year}年法治政府建设主要举措和成效",
    "一、主要举措和成效",
    "一、推进法治政府建设的主要工作和成效",
)
_HEAD_TWO = ("二、存在的问题", "二、存在的不足和问题", "二、存在的主要问题")
_HEAD_THREE = ("三、下一步工作安排", "三、{next}年工作打算", "三、下一步工作计划")

_OPENINGS = (
    "{year}年，{area}坚持以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，"
    "认真落实《{doc_outline}》，法治政府建设取得新成效。现将有关情况报告如下：",
    "{year}年以来，在市委、市政府的坚强领导下，{area}全面贯彻落实中央和省、市关于法治政府建设的"
    "决策部署，对照《{doc_outline}》各项任务，扎实推进依法行政。现将主要情况报告如下：",
    "{year}年，{issuer}以创建法治政府建设示范{unit_word}为抓手，统筹推进依法行政各项工作，"
    "为全{short}经济社会高质量发展提供了有力法治保障。现将{year}年度法治政府建设情况报告如下：",
)


class _Writer:
    """Composes one report for an area and a year with a seeded random source."""

    def __init__(self, rng: random.Random, area: _Area, year: int) -> None:
        self.rng = rng
        self.area = area
        self.year = year
        self.title = rng.choice(_TITLES).format(area=area.name, issuer=area.issuer, year=year)

    def fill(self, template: str) -> str:
        """Fill a template's placeholders with this report's names and fresh numbers."""
        r = self.rng
        values: dict[str, object] = {
            "area": self.area.name,
            "issuer": self.area.issuer,
            "short": self.area.short,
            "unit_word": {"区": "区", "县": "县", "市": "市"}[self.area.unit],
            "year": self.year,
            "next": self.year + 1,
            "town": r.choice(self.area.towns),
            "plan": "八五" if self.year >= 2021 else "七五",
            "doc_outline": "法治政府建设实施纲要（2021—2025年）"
            if self.year >= 2021
            else "法治政府建设实施纲要（2015—2020年）",
            "doc_national": r.choice(
                (
                    "中华人民共和国行政处罚法",
                    "中华人民共和国行政许可法",
                    "优化营商环境条例",
                    "重大行政决策程序暂行条例",
                )
            ),
            "pct": f"{r.uniform(60, 99):.1f}",
            "pct_high": f"{r.uniform(90, 99.9):.1f}",
            "pct_small": f"{r.uniform(1, 30):.1f}",
            "pp": f"{r.uniform(0.5, 15):.1f}",
            "cn3": _chinese(r.randint(2, 5)),
            "cn12": _chinese(r.randint(6, 15)),
        }

        def value(match: re.Match[str]) -> str:
            key = match.group(1)
            if key.startswith("n") and key[1:].isdigit():  # a fresh count at every use
                bound = int(key[1:])
                return str(r.randint(max(2, bound // 10), bound))
            return str(values[key])

        return _PLACEHOLDER.sub(value, template)

    def text(self) -> str:
        """The whole report: title, note, opening, the three parts."""
        r = self.rng
        fill = self.fill
        parts = [self.title, "", FICTION_NOTE, "", fill(r.choice(_OPENINGS)), ""]
        parts += [fill(r.choice(_HEAD_ONE)), ""]
        areas = r.sample(_WORK_AREAS, r.randint(5, len(_WORK_AREAS)))
        numbered = r.random() < 0.5
        for i, (headings, items) in enumerate(areas):
            parts += [f"（{_ORDINALS[i]}）{fill(r.choice(headings))}", ""]
            chosen = r.sample(items, r.randint(2, min(4, len(items))))
            if numbered:
                for j, item in enumerate(chosen, 1):
                    parts += [f"{j}.{fill(item)}", ""]
            else:
                sentences = [f"{_ORDINALS[j]}是{fill(item)}" for j, item in enumerate(chosen)]
                parts += ["".join(sentences), ""]
        problems = r.sample(_PROBLEMS, r.randint(2, 4))
        parts += [r.choice(_HEAD_TWO), ""]
        parts += [
            "对照法治政府建设要求，我"
            + self.area.short
            + "法治政府建设工作还存在一些不足："
            + "；".join(f"{_ORDINALS[j]}是{p}" for j, p in enumerate(problems))
            + "。",
            "",
        ]
        plans = r.sample(_PLANS, r.randint(3, 5))
        parts += [fill(r.choice(_HEAD_THREE)), ""]
        parts += [f"（{_ORDINALS[j]}）{p}。" for j, p in enumerate(plans)]
        signed = f"{self.year + 1}年{r.randint(1, 3)}月{r.randint(1, 28)}日"
        parts += ["", self.area.issuer, signed, ""]
        return "\n".join(parts)
