"""Numbers that measure something: value, unit, what is counted, stat type, hedges, period.

Works on the normalised text (same offsets as the raw text). The genre's traps handled here:
run-together digits (``20192020172件`` = 2019、2020年 172件), a figure right after a percentage
(``13%64项``), Chinese numerals (``十二次``, ``三百余人``, ``近千万元``), hedges (近, 余, 多,
超过, 约), percentage points apart from percent, changes against the previous year, and numbers
that are not metrics (years, dates, ordinals, document numbers, names in quotes such as
``“十四五”`` or ``“1+N”``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from fazhi_graph.document import Document, Sentence, Span
from fazhi_graph.extract.lexicon import Lexicon
from fazhi_graph.facts import Observation, ReportMeta
from fazhi_graph.numerals import CN_NUMERAL_CHARS, chinese_to_int
from fazhi_graph.slug import slugify

__all__ = ["extract_metrics"]

# Measure words, longest first. Money and percentages get their own units.
_MEASURE_WORDS = sorted(
    [
        "个工作日",
        "个百分点",
        "百分点",
        "个月",
        "人次",
        "户次",
        "件次",
        "批次",
        "场次",
        "家次",
        "余万",
        "亿元",
        "万元",
        "元",
        "件",
        "人",
        "项",
        "户",
        "条",
        "起",
        "次",
        "个",
        "家",
        "名",
        "份",
        "卷",
        "支",
        "期",
        "处",
        "所",
        "场",
        "篇",
        "部",
        "台",
        "套",
        "座",
        "间",
        "宗",
        "笔",
        "例",
        "位",
        "张",
        "轮",
        "批",
        "天",
        "小时",
        "亩",
        "公里",
        "平方米",
        "万",
        "亿",
    ],
    key=len,
    reverse=True,
)
_WORDS_RE = "|".join(re.escape(w) for w in _MEASURE_WORDS if w not in {"余万", "万", "亿"})
_UNIT_RE = rf"个百分点|百分点|[万亿]?(?:{_WORDS_RE})|[万亿]"
_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CN_NUM = f"[{CN_NUMERAL_CHARS}]+"
_NUMBER = re.compile(
    rf"(?P<pre>近|约|超过|逾|将近|接近|大约)?"
    rf"(?P<num>{_ARABIC}|{_CN_NUM})"
    rf"(?P<approx>余|多)?"
    rf"(?P<unit>%|‰|{_UNIT_RE})?"
    rf"(?P<post>以上|余|多|左右)?"
)
_CHANGE_VERB = re.compile(r"(增长|下降|增加|减少|提高|降低|上升|提升|增|降|减|多|少)(了)?$")
_COMPARISON = re.compile(r"(同比|较上年|比上年|较去年|比去年|较20\d\d年|比20\d\d年|环比)")
_CUMULATIVE = re.compile(r"累计")
_FILLER_TAIL = re.compile(
    r"(共计|共有|合计|总计|累计|分别|共|达到|达|为|是|有|约|近|超过|逾|将近|接近|至|到)+$"
)
_FILLER_HEAD = re.compile(
    r"^(其中|包括|在|对|截至目前|截至|今年以来|全年|年内|目前|同时|并且|共|累计|另外|此外|"
    r"\d{4}年(度)?(以来)?|全区|全县|全市|全镇|我区|我县|我市|各级|各类)+"
)
_CLAUSE_DELIMS = ",;:、。!?\n"
_TAIL_DELIMS = ",;:、。!?\n"
_CLASSIFIERS = {"个", "家", "名", "支", "所", "处", "项", "部", "条", "座", "位", "批"}
_TAIL_VERB = re.compile(
    r"全部|实现|进行|持有|参与|建立|完成|均|已|被|纳入|开展|获|配备|提供|达到|占|办理|受理|涉及|"
    r"开设|设立|建成|覆盖|通过|共|累计|其中|的"
)
_CN_CONTEXT = re.compile(
    r"(共|累计|全年|达|开展|举办|召开|组织|发布|办理|受理|培训|学法|完成|设立|建成)$"
)
_YEAR = re.compile(r"(19[5-9]\d|20[0-4]\d)")


@dataclass(frozen=True)
class _Raw:
    """One number found in a sentence before indicators and links are resolved."""

    value: Decimal
    unit: str
    unit_text: str
    measure_word: str
    unit_mult: int
    qualifier: str
    span: Span
    surface: str
    sentence: int
    clause: str
    tail: str
    period: tuple[int, int]
    is_change: bool
    direction: str
    cumulative: bool
    as_of: bool


def _unit_of(unit: str) -> tuple[str, str, int]:
    """(unit code, measure word, unit multiplier) for the unit as written."""
    if unit in {"%", "‰"}:
        return "PERCENT", "", 0
    if unit in {"个百分点", "百分点"}:
        return "PP", "", 0
    mult = 0
    word = unit
    if word.startswith("万") and len(word) > 1:
        mult, word = 4, word[1:]
    elif word.startswith("亿") and len(word) > 1:
        mult, word = 8, word[1:]
    elif word in {"万", "亿"}:
        return "NUM", "", 4 if word == "万" else 8
    if word == "元":
        return "CNY", "", mult
    return "NUM", word, mult


def _inside_short_quote(norm: str, start: int, end: int) -> bool:
    """True inside a short quoted name such as ``“12345”`` or ``“1+N”``."""
    left = norm.rfind("“", max(0, start - 12), start)
    if left < 0:
        return False
    if norm.find("”", left, start) >= 0:
        return False
    right = norm.find("”", end, end + 12)
    return right >= 0 and "“" not in norm[end:right]


def _not_a_metric(norm: str, start: int, end: int, unit: str, num: str) -> bool:
    before = norm[max(0, start - 2) : start]
    after = norm[end : end + 2]
    if before.endswith("第"):
        return True
    if not unit:
        if after[:1] in {"年", "月", "日", "号", "届", "时", "周", "大", "—", "-", "~", "至"}:
            return True
        if before.endswith(("—", "-", "~", "至")):
            return True
        if after[:1] in {"]", "〕"} or before.endswith(("[", "〔")):
            return True
    if unit in {"万", "亿"} and after[:1] in {"年", "月"}:
        return True
    if _inside_short_quote(norm, start, end):
        return True
    return bool(before.endswith(("[", "〔")) or (num.isdigit() and after[:1] in {"号"}))


def _clause_before(norm: str, sent: Span, pos: int) -> str:
    i = pos
    while i > sent.start and norm[i - 1] not in _CLAUSE_DELIMS:
        if norm[i - 1] == "(" and ")" not in norm[i:pos]:
            break  # inside an open parenthesis: the clause starts there
        i -= 1
    return norm[i:pos]


def _clause_after(norm: str, sent: Span, pos: int) -> str:
    i = pos
    while i < sent.end and norm[i] not in _TAIL_DELIMS and not norm[i].isdigit():
        i += 1
    return norm[pos:i]


def _period(meta: ReportMeta, clause: str, split_years: tuple[int, ...]) -> tuple[int, int]:
    if split_years:
        return (min(split_years), max(split_years))
    m = re.search(r"近(\d|[一二三四五六七八九十])年", clause)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else (chinese_to_int(m.group(1)) or 1)
        return (meta.year - n + 1, meta.year)
    years = [int(y) for y in _YEAR.findall(clause)]
    if years and "以来" not in clause:
        return (min(years), max(years))
    if re.search(r"上年度|上一年度|去年", clause) and not _COMPARISON.search(clause):
        return (meta.year - 1, meta.year - 1)
    return (meta.year, meta.year)


def _decimal(num: str) -> Decimal | None:
    """The value of an Arabic figure as written (``1,234`` → 1234), or ``None``.

    >>> _decimal("1,234.5"), _decimal("1,2,")
    (Decimal('1234.5'), None)
    """
    try:
        return Decimal(num.replace(",", "")) if num[-1:].isdigit() else None
    except InvalidOperation:
        return None


def _split_run(num: str) -> tuple[tuple[int, ...], str]:
    """``20192020172`` → ((2019, 2020), '172'): years run into a count."""
    years: list[int] = []
    rest = num
    if not num.isdigit() or len(num) < 8:
        return (), num
    while len(rest) > 4 and _YEAR.fullmatch(rest[:4]):
        years.append(int(rest[:4]))
        rest = rest[4:]
    return (tuple(years), rest) if years and rest else ((), num)


_TABLE_UNIT = re.compile(r"\(([^()]{1,6})\)\s*$")


def _scan_table_row(norm: str, meta: ReportMeta, sent: Sentence, header: list[str]) -> list[_Raw]:
    """Figures in a ``| label (unit) | 2022年 | 2021年 | 变化 |`` table row.

    The row label names what is counted and carries the unit; the header gives each column's
    year; a cell with its own unit (``增长12.8%``) is read like running text.
    """
    out: list[_Raw] = []
    line = norm[sent.span.start : sent.span.end]
    cells: list[tuple[int, str]] = []
    pos = 0
    for part in line.split("|"):
        cells.append((sent.span.start + pos, part))
        pos += len(part) + 1
    cells = [(p, c) for p, c in cells[1:-1]] if line.strip().endswith("|") else cells[1:]
    if not cells:
        return out
    label = cells[0][1].strip()
    unit_m = _TABLE_UNIT.search(label)
    unit = unit_m.group(1) if unit_m else ""
    counted = _TABLE_UNIT.sub("", label).strip()
    for j, (cpos, cell) in enumerate(cells[1:], start=1):
        col = header[j] if j < len(header) else ""
        years = [int(y) for y in _YEAR.findall(col)]
        period = (years[0], years[0]) if years else (meta.year, meta.year)
        bare = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*", cell)
        if bare and unit:
            code, word, mult = _unit_of(unit)
            start = cpos + bare.start(1)
            out.append(
                _Raw(
                    Decimal(bare.group(1)),
                    code,
                    unit,
                    word,
                    mult,
                    "Exact",
                    Span(start, cpos + bare.end(1)),
                    bare.group(1),
                    sent.index,
                    counted,
                    "",
                    period,
                    False,
                    "",
                    False,
                    False,
                )
            )
            continue
        for m in _NUMBER.finditer(cell):
            if not m.group("unit") or not m.group("num")[0].isdigit():
                continue
            value = _decimal(m.group("num"))
            if value is None:
                continue
            clause = counted + cell[: m.start()].strip()
            code, word, mult = _unit_of(m.group("unit"))
            change = _CHANGE_VERB.search(cell[: m.start()])
            direction = ""
            if change:
                direction = (
                    "Decrease" if change.group(1) in {"下降", "减少", "降低"} else "Increase"
                )
            start = cpos + m.start()
            out.append(
                _Raw(
                    value,
                    code,
                    m.group("unit"),
                    word,
                    mult,
                    "Exact",
                    Span(start, cpos + m.end()),
                    m.group(0),
                    sent.index,
                    clause,
                    "",
                    (meta.year, meta.year),
                    bool(change),
                    direction,
                    False,
                    False,
                )
            )
    return out


def _table_header(doc: Document, sent: Sentence) -> list[str] | None:
    """The header cells of the table a ``|`` row belongs to (None if not a data row)."""
    line = doc.norm[sent.span.start : sent.span.end].strip()
    if not line.startswith("|") or re.fullmatch(r"[|\-: ]+", line):
        return None
    i = sent.index
    while i > 0 and doc.norm[
        doc.sentences[i - 1].span.start : doc.sentences[i - 1].span.end
    ].lstrip().startswith("|"):
        i -= 1
    if i == sent.index:
        return None  # the header row itself
    head = doc.norm[doc.sentences[i].span.start : doc.sentences[i].span.end].strip().strip("|")
    return ["", *[c.strip() for c in head.split("|")][1:]] if head else None


def _scan_sentence(norm: str, meta: ReportMeta, sent: Sentence) -> list[_Raw]:
    out: list[_Raw] = []
    text = norm[sent.span.start : sent.span.end]
    if text.lstrip().startswith("|"):
        return out
    for m in _NUMBER.finditer(text):
        num = m.group("num")
        unit = m.group("unit") or ""
        pre = m.group("pre") or ""
        approx = m.group("approx") or m.group("post") or ""
        start = sent.span.start + m.start("num")
        end = sent.span.start + m.end()
        is_cn = not num[0].isdigit()
        if is_cn and len(num) > 1 and num[-1] in "万亿" and unit and unit not in {"万", "亿"}:
            # 近千万元: the 万 belongs to the unit as written (千 × 万元)
            unit = num[-1] + unit
            num = num[:-1]
        if is_cn:
            value_int = chinese_to_int(num)
            if value_int is None or not unit or unit in {"万", "亿"}:
                continue
            before = norm[sent.span.start : start]
            at_clause_end = norm[end : end + 1] in _TAIL_DELIMS or end >= sent.span.end
            if value_int == 1 or (
                value_int < 10
                and not approx
                and not at_clause_end
                and not _CN_CONTEXT.search(before[-4:] if before else "")
            ):
                continue
            value = Decimal(value_int)
        else:
            parsed = _decimal(num)
            if parsed is None:
                continue
            value = parsed
        split_years, rest = _split_run(num) if not is_cn else ((), num)
        if split_years:
            start += len(num) - len(rest)
            value = Decimal(rest)
        if _not_a_metric(norm, start, sent.span.start + m.end("num"), unit, num):
            continue
        clause = _clause_before(norm, sent.span, start - len(pre))
        # a bare figure only counts after a verb of quantity (累计达到46755)
        if not unit and (
            not re.search(r"(达到|达|共计|共有|累计|总数为|为)$", clause) or len(rest) < 2
        ):
            continue
        if unit == "%" and m.group("post") == "以上":
            approx = "以上"
        code, word, mult = _unit_of(unit)
        qualifier = {
            "近": "ApproachingFromBelow",
            "将近": "ApproachingFromBelow",
            "接近": "ApproachingFromBelow",
            "约": "About",
            "大约": "About",
            "超过": "MoreThan",
            "逾": "MoreThan",
        }.get(pre, "")
        if approx in {"余", "多", "以上"}:
            qualifier = "MoreThan"
        elif approx == "左右":
            qualifier = "About"
        change = _CHANGE_VERB.search(clause)
        is_change = bool(change) and (bool(_COMPARISON.search(clause)) or code in {"PERCENT", "PP"})
        direction = ""
        if is_change and change:
            direction = (
                "Decrease"
                if change.group(1) in {"下降", "减少", "降低", "降", "减", "少"}
                else "Increase"
            )
        out.append(
            _Raw(
                value=value,
                unit=code,
                unit_text=unit,
                measure_word=word,
                unit_mult=mult,
                qualifier=qualifier or "Exact",
                span=Span(start - len(pre), end),
                surface=norm[start - len(pre) : end],
                sentence=sent.index,
                clause=clause,
                tail=_clause_after(norm, sent.span, end),
                period=_period(meta, clause, split_years),
                is_change=is_change,
                direction=direction,
                cumulative=bool(_CUMULATIVE.search(clause)),
                as_of="截至" in norm[sent.span.start : start],
            )
        )
    return out


def _balanced(text: str) -> str:
    """Trim whitespace and any parenthesis left open or closed by the clause cut."""
    text = text.strip()
    if "(" in text and ")" not in text[text.rindex("(") :]:
        text = text[: text.rindex("(")] if text.rindex("(") > 0 else text[1:]
    if text.endswith(")") and "(" not in text:
        text = text[:-1]
    return text.strip()


def _counted(raw: _Raw) -> str:
    """What is counted, in the report's words: the clause before the figure, trimmed."""
    clause = raw.clause
    core = _FILLER_TAIL.sub("", _FILLER_HEAD.sub("", clause))
    core = re.sub(r"\d{5,}", "", core).strip()  # digits run together with the figure
    if "(" in core and ")" not in core[core.rindex("(") :]:
        core = core[: core.rindex("(")]
    tail = _FILLER_TAIL.sub("", raw.tail)[:16]
    noun = _TAIL_VERB.split(tail)[0] if tail else ""
    if len(noun) <= 2:
        noun = tail
    if len(noun) >= 2 and raw.measure_word in _CLASSIFIERS:
        # 24家区级部门: with a classifier, the noun after the figure is what is counted
        lead = core if 2 <= len(core) <= 8 and not re.search(r"(在|对|包括|后|经)$", core) else ""
        return _balanced(lead + noun)
    if tail and (len(core) < 4 or core.endswith("的")):
        core = core + tail
    return _balanced(core)


def _indicator(lex: Lexicon, raw: _Raw, counted: str, context: str) -> tuple[str, str]:
    """(indicator local name, label): curated when a label matches, else minted from the text."""
    is_rate = raw.unit == "PERCENT" and not raw.is_change
    best = ""
    best_key = (-1, 0)
    for concept, key in zip(lex.indicators, lex.indicator_heads(counted), strict=True):
        if key[1] and key > best_key and concept.pref.endswith("率") == is_rate:
            best, best_key = concept.name, key
    if not best and 2 <= len(counted) < 4:
        # a bare verb (审结, 结案): the concepts whose labels contain it, ranked by how much of
        # the sentence before the figure they share (行政复议 … 审结 → 行政复议审结数)
        context_pairs = {context[i : i + 2] for i in range(len(context) - 1)}
        ranked = []
        usable = [c for c in lex.indicators if c.pref.endswith("率") == is_rate]
        for concept in usable:
            if any(counted in lb for lb in concept.labels):
                shared = max(
                    len({lb[i : i + 2] for i in range(len(lb) - 1)} & context_pairs)
                    for lb in concept.labels
                )
                ranked.append((shared, concept.name))
        if ranked:
            best = max(ranked)[1]
    if best:
        label = next(c.pref for c in lex.indicators if c.name == best)
        return best, label
    label = counted + (raw.measure_word and f"({raw.measure_word})")
    if raw.unit == "PERCENT" and not counted.endswith("率"):
        label = counted + "(%)"
    return "x-" + slugify(label), label


def _stat_type(raw: _Raw, counted: str) -> str:
    if raw.is_change:
        return "ChangePctVsBase" if raw.unit == "PERCENT" else "ChangeAbsVsBase"
    if raw.unit == "PERCENT" and "率" in counted:
        return "Rate"
    if raw.cumulative:
        return "Cumulative"
    return "Level"


MAX_DIGITS = 16
"""Longest integer part of a metric, in digits: no count or sum in the genre reaches 10^16
(亿亿); longer digit runs are codes and identifiers (a 统一社会信用代码 has 18 characters)."""


def _can_hold(raw: _Raw, stat: str) -> bool:
    """Whether the figure can be a metric the graph holds.

    Not when its integer part has more than :data:`MAX_DIGITS` digits, and not a per-cent
    level or rate above 100 (纠错率为120%, or digits run into a percentage, ``20299.9%``): a
    misprint the graph cannot hold (``fzsh:PercentLevelShape``) is left out rather than failing
    the whole report's validation. Changes may exceed 100%.
    """
    if raw.value.adjusted() >= MAX_DIGITS:
        return False
    return not (raw.unit == "PERCENT" and stat in ("Level", "Rate") and raw.value > 100)


def _obs_key(
    meta: ReportMeta,
    indicator: str,
    stat: str,
    value: Decimal,
    unit: str,
    period: tuple[int, int],
    qualifier: str,
) -> str:
    basis = f"{meta.report_id}|{indicator}|{stat}|{value.normalize()}|{unit}|{period}|{qualifier}"
    digest = hashlib.sha1(basis.encode("utf-8")).hexdigest()[:10]
    return f"{indicator[:40]}-{digest}"


def extract_metrics(doc: Document, meta: ReportMeta, lex: Lexicon) -> list[Observation]:
    """Every metric of the report as :class:`~fazhi_graph.facts.Observation`, deduplicated.

    A figure stated twice (same indicator, value, unit, period, stat type) becomes one
    observation with two source sentences. Changes point at the level they compare
    (``comparison_of``); rates point at the counts they are computed from when the text
    states both (``numerator``/``denominator``).
    """
    raws: list[_Raw] = []
    for sent in doc.sentences:
        header = _table_header(doc, sent)
        if header is not None:
            raws.extend(_scan_table_row(doc.norm, meta, sent, header))
        else:
            raws.extend(_scan_sentence(doc.norm, meta, sent))
    # bare figures borrow the measure word of the previous figure in the sentence
    for i, raw in enumerate(raws):
        if raw.unit == "NUM" and not raw.measure_word and not raw.unit_text and i > 0:
            prev = raws[i - 1]
            if prev.sentence == raw.sentence and prev.unit == "NUM":
                raws[i] = replace(raw, measure_word=prev.measure_word, unit_text="")
    observations: dict[str, Observation] = {}
    order: list[str] = []
    last_level_by_sentence: dict[tuple[int, str], str] = {}
    counts_seen: list[tuple[int, str, Observation, str]] = []
    previous_counted: dict[int, str] = {}
    for raw in raws:
        counted = _counted(raw) or previous_counted.get(raw.sentence, "")
        previous_counted[raw.sentence] = counted
        sent_text = doc.norm[doc.sentences[raw.sentence].span.start : raw.span.start]
        indicator, label = _indicator(lex, raw, counted, sent_text[-30:])
        stat = _stat_type(raw, counted)
        if not _can_hold(raw, stat):
            continue
        key = _obs_key(meta, indicator, stat, raw.value, raw.unit, raw.period, raw.qualifier)
        comparison = ""
        if raw.is_change:
            family = "pct" if raw.unit == "PP" else "num"
            base = observations.get(last_level_by_sentence.get((raw.sentence, family), ""))
            if base is not None and base.period[0] == base.period[1]:
                comparison = base.key
                if indicator.startswith("x-") or indicator == base.indicator:
                    # a bare "同比增加13%" is the change of the figure it follows
                    indicator, label = base.indicator, base.indicator_label
        numerator = denominator = ""
        if stat == "Rate":
            numerator, denominator = _rate_parts(raw, counts_seen)
        if key in observations:
            old = observations[key]
            if raw.sentence not in old.sentences:
                observations[key] = replace(old, sentences=(*old.sentences, raw.sentence))
            continue
        obs = Observation(
            key=key,
            value=raw.value,
            unit=raw.unit,
            unit_text=raw.unit_text,
            measure_word=raw.measure_word,
            unit_mult=raw.unit_mult,
            counted=counted,
            indicator=indicator,
            indicator_label=label,
            stat_type=stat,
            qualifier=raw.qualifier,
            direction=raw.direction,
            period=raw.period,
            surface=raw.surface,
            value_span=raw.span,
            sentences=(raw.sentence,),
            as_of=raw.as_of,
            comparison_of=comparison,
            numerator=numerator,
            denominator=denominator,
        )
        observations[key] = obs
        order.append(key)
        if not raw.is_change:
            family = "pct" if raw.unit == "PERCENT" else "num"
            last_level_by_sentence[(raw.sentence, family)] = key
            if family == "num":
                counts_seen.append((raw.sentence, raw.measure_word, obs, raw.clause))
    return _split_colliding([observations[k] for k in order])


def _split_colliding(found: list[Observation]) -> list[Observation]:
    """Two different figures on one indicator, area, period and stat type (IC-12) mean the
    indicator is too coarse: the first keeps it, the others get a narrower indicator minted
    from their own words, with the shared one as ``skos:broader``."""
    seen: dict[tuple[str, str, tuple[int, int], str], str] = {}
    out: list[Observation] = []
    renamed: dict[str, str] = {}
    for o in found:
        dims = (o.indicator, o.stat_type, o.period, o.place)
        if dims in seen and seen[dims] != o.key:
            label = o.counted + (o.measure_word and f"({o.measure_word})")
            name = "x-" + slugify(label)
            key = o.key.replace(o.indicator[:40], name[:40], 1)
            renamed[o.key] = key
            o = replace(
                o, key=key, indicator=name, indicator_label=label, indicator_broader=o.indicator
            )
        seen.setdefault(dims, o.key)
        out.append(o)
    return [
        replace(
            o,
            comparison_of=renamed.get(o.comparison_of, o.comparison_of),
            numerator=renamed.get(o.numerator, o.numerator),
            denominator=renamed.get(o.denominator, o.denominator),
        )
        for o in out
    ]


def _related(rate_counted: str, counted: str) -> bool:
    """Whether a count can be the numerator of a rate: the word before 率 (出庭, 调解, 结案)
    appears in it, or it is a bare verb sharing a character with that word (审结 ~ 结案)."""
    stem = rate_counted[: rate_counted.rfind("率")] if "率" in rate_counted else rate_counted
    key = stem[-2:]
    if len(key) < 2:
        return False
    return key in counted or (len(counted) <= 3 and bool(set(key) & set(counted)))


_WHOLE_SCOPE = re.compile(r"全(市|区|县|省|镇)|各级")
_ONE_BODY = re.compile(r"(市|区|县|镇)(人民)?政府(作为|为)?")


def _rate_parts(
    raw: _Raw, counts_seen: list[tuple[int, str, Observation, str]]
) -> tuple[str, str]:
    """Numerator and denominator of a rate: the two counts just before it, same measure word.

    Looks in the rate's sentence and the one before. The numerator is the last count and must
    name what the rate measures; the denominator is an earlier, larger count that is not
    itself a part (其中…); and a rate about a whole (全市…率) is not computed from one body's
    counts (市政府作为被告…). Nothing is linked unless both are stated: a denominator is never
    inferred.
    """
    near = [
        (s, w, o, clause)
        for s, w, o, clause in counts_seen
        if raw.sentence - 1 <= s <= raw.sentence and o.unit == "NUM" and o.unit_mult == 0
    ]
    if not near:
        return "", ""
    _s, word, num, num_clause = near[-1]
    if not _related(raw.clause, num.counted):
        return "", ""
    if _WHOLE_SCOPE.search(raw.clause) and _ONE_BODY.search(num_clause):
        return "", ""
    for _s2, word2, den, den_clause in reversed(near[:-1]):
        if word2 != word or den.value < num.value or den.value == 0:
            continue
        if den.value == num.value and raw.value != 100:
            continue
        if den_clause.lstrip().startswith("其中"):
            continue  # a part of a total, not the base of a sibling part
        return num.key, den.key
    return "", ""
