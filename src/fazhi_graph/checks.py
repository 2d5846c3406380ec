"""Consistency checks: figures in one report that cannot all be true as written.

Four checks run over a :class:`~fazhi_graph.store.Store` with SPARQL (constants and the report
bound through ``substitutions=``); the arithmetic on the selected figures is done in Python with
exact fractions. Each result is a :class:`Finding`; :func:`findings_graph` turns them into RDF
for the named graph ``fzg:checks`` (see ``docs/checks.md``).

``rate-mismatch``
    A stated rate (``unit:PERCENT``) whose ``fz:numerator`` and ``fz:denominator`` are both
    stated, and ``100 × numerator / denominator`` lies outside what the rate, as written, allows.
``conflicting-values``
    The same fact stated twice with values that cannot both be true: two observations of one
    report graph with the same ``fz:statType``, ``sdmx-dimension:refPeriod``,
    ``sdmx-dimension:refArea``, ``sdmx-attribute:unitMeasure`` and ``fz:measureWord`` (or none),
    and either the same ``fz:indicator``, or one indicator ``skos:broader`` the other and the
    same ``fz:countedThing`` (the extractor gives the second of two colliding figures a narrower
    indicator minted from its own words, so a restated fact shows up this way).
``percent-out-of-range``
    A level, rate or cumulative share in per cent below 0 or above 100, a *decrease* of more
    than 100 %, or a change of more than 100 percentage points. (An *increase* may exceed 100 %.)
``part-exceeds-total``
    A numerator larger than its denominator. The data model has no other sound part-of link:
    ``skos:broader`` between indicators and 其中 lists are not recorded as parts of a total
    (``市级公共法律服务中心1个`` and ``村（社区）公共法律服务工作室1452个`` share a broader
    indicator but neither is part of the other), so sub-counts are not checked.

Precision rule (every check)
    A stated figure stands for the interval of values that round to it. Its precision comes
    from ``fz:surfaceForm`` (the number as written) because the store canonicalises decimals
    (``20.0`` becomes ``20``). With *k* decimals written, the half-width is ``0.5 × 10^-k``:
    ``72.7%`` stands for [72.65, 72.75], ``99%`` for [98.5, 99.5]. A percentage is always
    taken as rounded; a count written as a whole number without 万/亿 is exact, and ``2.47万``
    stands for [24650, 24750]. Hedges widen the interval: 超过/余/多 (``fzq:MoreThan``) has no
    upper bound, 近 (``fzq:ApproachingFromBelow``) no lower bound, 约 (``fzq:About``) none at all.

Tolerance of a rate
    On top of the rounding half-width a rate gets a small allowance of half a unit in the next
    place (``72.7%``: ±0.05 + 0.005 = ±0.055; ``99%``: ±0.5 + 0.05), for double rounding
    (98.649 → 98.65 → 98.7 is off by 0.051). The rate is consistent when its interval meets
    the interval of ``100 × n / d`` over the parts' own intervals; for exactly stated parts
    that is ``|stated − 100n/d| ≤ 0.055``. Truncation instead of rounding (98.97 % written
    98.9 %) is therefore reported, and so is any larger difference.

>>> from fazhi_graph.store import open_store
>>> run_checks(open_store(backend="memory"))
[]
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from fazhi_graph.figures import Figure, Interval, decimals_written
from fazhi_graph.namespaces import DATA, DIRECTION, FZ, GRAPH, STAT, UNIT
from fazhi_graph.observation_query import observation_query
from fazhi_graph.sources import (
    REPORT_GRAPH_PREFIX,
    Source,
    observation_sources,
    report_binding,
    select,
    text,
)
from fazhi_graph.store import Store, Term

__all__ = [
    "CHECKS_GRAPH",
    "Finding",
    "Kind",
    "Source",
    "findings_graph",
    "run_checks",
    "write_findings",
]

CHECKS_GRAPH = str(GRAPH["checks"])
"""The named graph :func:`write_findings` stores the findings in."""


class Kind(StrEnum):
    """What a finding is about; the value is its short name in JSON and tables."""

    RATE_MISMATCH = "rate-mismatch"
    CONFLICTING_VALUES = "conflicting-values"
    PERCENT_OUT_OF_RANGE = "percent-out-of-range"
    PART_EXCEEDS_TOTAL = "part-exceeds-total"

    @property
    def cls(self) -> URIRef:
        """The ontology class of findings of this kind (``fz:RateMismatch`` …)."""
        return _KIND_CLASS[self]


_KIND_CLASS: dict[Kind, URIRef] = {
    Kind.RATE_MISMATCH: FZ.RateMismatch,
    Kind.CONFLICTING_VALUES: FZ.ConflictingValues,
    Kind.PERCENT_OUT_OF_RANGE: FZ.PercentOutOfRange,
    Kind.PART_EXCEEDS_TOTAL: FZ.PartExceedsTotal,
}
_KIND_LABEL: dict[Kind, tuple[str, str]] = {
    Kind.RATE_MISMATCH: ("比率与分子分母不符", "rate mismatch"),
    Kind.CONFLICTING_VALUES: ("同一事实数值矛盾", "conflicting values"),
    Kind.PERCENT_OUT_OF_RANGE: ("百分比超出范围", "percentage out of range"),
    Kind.PART_EXCEEDS_TOTAL: ("部分大于总数", "part exceeds total"),
}


@dataclass(frozen=True)
class Finding:
    """One inconsistency among the figures of one report."""

    kind: Kind
    """Which check found it."""
    report: str
    """The report IRI (``fzd:report/{id}``), or its graph IRI when the graph has no report node."""
    graph: str
    """The named graph holding the observations."""
    observations: tuple[str, ...]
    """The observations involved, the questioned one first."""
    stated: Decimal
    """The questioned value as stated, scaled to units (万 and 亿 multiplied out)."""
    expected: Decimal | None
    """What the other figures imply (recomputed rate, other statement, bound, total)."""
    tolerance: Decimal | None
    """The largest ``|stated − expected|`` accepted (``None`` when a hedge leaves it open)."""
    message_zh: str
    """What is wrong, in Chinese."""
    message_en: str
    """What is wrong, in English."""
    sources: tuple[Source, ...] = field(default=())
    """The sentences stating the figures, in text order."""

    @property
    def report_id(self) -> str:
        """The report id (``chengdongqu-2020``): the last path segment of the graph IRI."""
        return self.graph.removeprefix(REPORT_GRAPH_PREFIX).rsplit("/", 1)[-1]

    @property
    def iri(self) -> str:
        """A deterministic IRI: ``fzd:finding/{report id}/{kind}-{hash of the observations}``."""
        digest = hashlib.sha1("|".join((self.kind, *self.observations)).encode()).hexdigest()
        return str(DATA[f"finding/{_ascii(self.report_id)}/{self.kind}-{digest[:10]}"])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (decimals as strings, so no precision is lost)."""
        return {
            "kind": str(self.kind),
            "iri": self.iri,
            "report": self.report,
            "report_id": self.report_id,
            "graph": self.graph,
            "observations": list(self.observations),
            "stated": str(self.stated),
            "expected": None if self.expected is None else str(self.expected),
            "tolerance": None if self.tolerance is None else str(self.tolerance),
            "message_zh": self.message_zh,
            "message_en": self.message_en,
            "sources": [
                {"sentence": s.sentence, "begin": s.begin, "end": s.end, "quote": s.quote}
                for s in self.sources
            ],
        }


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1]


def _ascii(text: str) -> str:
    return text if text.isascii() else hashlib.sha1(text.encode()).hexdigest()[:12]


# --------------------------------------------------------------------------- SPARQL

_FIGURES = observation_query(
    "mult", "q", "sf", "u", "t", "dir", "ind",
    inside=[("report", "OPTIONAL { ?report a fz:AnnualReport }")],
)

_LABELS = """
SELECT DISTINCT ?g ?i ?l WHERE {
  GRAPH ?g { ?o a qb:Observation ; fz:indicator ?i }
  ?i skos:prefLabel ?l .
} ORDER BY ?i ?l ?g
"""

_PARTS = """
SELECT DISTINCT ?g ?o ?n ?d WHERE {
  GRAPH ?g { ?o fz:numerator ?n ; fz:denominator ?d . }
} ORDER BY ?g ?o
"""

# each observation's measure word is joined to it before the pairs are (the same solutions as
# OPTIONALs after the pair join, whose variables nothing else names): Oxigraph then looks
# each one up once, not once per pair, 4 times faster on a report
_SAME_FACT = """
SELECT DISTINCT ?g ?a ?b WHERE {
  GRAPH ?g {
    { ?a a qb:Observation ; fz:indicator ?ia ; fz:statType ?t ; sdmx-dimension:refPeriod ?p ;
         sdmx-dimension:refArea ?area ; sdmx-attribute:unitMeasure ?u .
      OPTIONAL { ?a fz:measureWord ?ma } }
    { ?b a qb:Observation ; fz:indicator ?ib ; fz:statType ?t ; sdmx-dimension:refPeriod ?p ;
         sdmx-dimension:refArea ?area ; sdmx-attribute:unitMeasure ?u .
      OPTIONAL { ?b fz:measureWord ?mb } }
  }
  FILTER (?a != ?b && COALESCE(STR(?ma), "") = COALESCE(STR(?mb), ""))
  FILTER ((?ia = ?ib && STR(?a) < STR(?b))
          || (?ia != ?ib && EXISTS { ?ib skos:broader ?ia }
              && EXISTS { GRAPH ?g { ?a fz:countedThing ?c . ?b fz:countedThing ?c } }))
} ORDER BY ?g ?a ?b
"""

_OUT_OF_RANGE = """
SELECT DISTINCT ?g ?o ?percent ?points ?level ?rate ?cumulative ?changePct ?decrease WHERE {
  GRAPH ?g {
    ?o a qb:Observation ; sdmx-attribute:unitMeasure ?u ; fz:statType ?t ;
       sdmx-measure:obsValue ?v .
    OPTIONAL { ?o fz:changeDirection ?dir }
  }
  FILTER ((?u = ?percent && ?t IN (?level, ?rate, ?cumulative) && (?v < 0 || ?v > 100))
          || (?u = ?percent && ?t = ?changePct && ?dir = ?decrease && ?v > 100)
          || (?u = ?points && ?v > 100))
} ORDER BY ?g ?o
"""

_CONSTANTS: dict[str, Term] = {
    "percent": ox.NamedNode(UNIT.PERCENT),
    "points": ox.NamedNode(FZ.PercentagePoint),
    "level": ox.NamedNode(STAT.Level),
    "rate": ox.NamedNode(STAT.Rate),
    "cumulative": ox.NamedNode(STAT.Cumulative),
    "changePct": ox.NamedNode(STAT.ChangePctVsBase),
    "decrease": ox.NamedNode(DIRECTION.Decrease),
}


def _figures(store: Store, bound: Mapping[str, Term]) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    for row in select(store, _FIGURES, bound):
        iri = text(row["o"])
        if iri in figures:
            continue
        lexical = text(row["v"])
        try:
            value = Decimal(lexical)
            mult = int(text(row["mult"]) or 0)
        except (ArithmeticError, ValueError):
            continue  # not a number: SHACL reports it, the checks cannot use it
        surface = text(row["sf"])
        figures[iri] = Figure(
            iri=iri,
            graph=text(row["g"]),
            report=text(row["report"]) or text(row["g"]),
            value=value,
            mult=mult,
            decimals=decimals_written(surface, lexical),
            qualifier=_local(text(row["q"])) if row["q"] is not None else "Exact",
            unit=text(row["u"]),
            stat=text(row["t"]),
            direction=text(row["dir"]),
            indicator=text(row["ind"]),
            surface=surface or lexical,
        )
    return figures


def _labels(store: Store, bound: Mapping[str, Term]) -> dict[str, tuple[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for row in select(store, _LABELS, bound):
        term = row["l"]
        if isinstance(term, ox.Literal) and term.language in ("zh", "en"):
            labels.setdefault(text(row["i"]), {}).setdefault(term.language, term.value)
    return {i: (ls.get("zh", ""), ls.get("en", "")) for i, ls in labels.items()}


# --------------------------------------------------------------------------- the checks


@dataclass(frozen=True)
class _Context:
    figures: dict[str, Figure]
    sources: dict[str, list[Source]]
    labels: dict[str, tuple[str, str]]

    def cite(self, *iris: str) -> tuple[Source, ...]:
        seen: dict[str, Source] = {}
        for iri in iris:
            for s in self.sources.get(iri, []):
                seen.setdefault(s.sentence, s)
        return tuple(sorted(seen.values(), key=lambda s: (s.begin, s.end, s.sentence)))

    def names(self, figure: Figure) -> tuple[str, str]:
        zh, en = self.labels.get(figure.indicator, ("", ""))
        return zh, en or zh


def _dec(value: Fraction, places: int = 6) -> Decimal:
    """An exact fraction as a decimal rounded to ``places`` (trailing zeros dropped)."""
    q = Decimal(value.numerator) / Decimal(value.denominator)
    rounded = q.quantize(Decimal(1).scaleb(-places))
    return rounded.normalize() if rounded != rounded.to_integral_value() else Decimal(int(rounded))


def _cap(text: str) -> str:
    """``text`` with its first letter upper-cased (English messages start a sentence)."""
    return text[:1].upper() + text[1:]


def _show(value: Fraction, places: int) -> str:
    return f"{float(value):.{places}f}"


def _rate_mismatch(ctx: _Context, rate: Figure, num: Figure, den: Figure) -> Finding | None:
    if not rate.is_percent or den.scaled <= 0:
        return None
    allowance = Fraction(1, 20) * Fraction(10) ** -rate.decimals  # double rounding
    stated = rate.interval.widened(allowance)
    n, d = num.interval, den.interval
    # counts are never negative: an open lower end of the numerator is 0
    n_lo = Fraction(0) if n.lo is None else max(n.lo, Fraction(0))
    lo = Fraction(0) if d.hi is None else 100 * n_lo / d.hi
    hi = None if n.hi is None or d.lo is None or d.lo <= 0 else 100 * n.hi / d.lo
    recomputed = Interval(lo, hi)
    if stated.meets(recomputed):
        return None
    expected = 100 * num.scaled / den.scaled
    spread = recomputed.half_width
    tolerance = None if spread is None else rate.rounding + allowance + spread
    zh, en = ctx.names(rate)
    shown = _show(expected, rate.decimals + 2)
    tol = "" if tolerance is None else f"±{_dec(tolerance)}"
    return Finding(
        kind=Kind.RATE_MISMATCH,
        report=rate.report,
        graph=rate.graph,
        observations=(rate.iri, num.iri, den.iri),
        stated=_dec(rate.scaled),
        expected=_dec(expected),
        tolerance=None if tolerance is None else _dec(tolerance),
        message_zh=f"{zh}{rate.surface}与其分子分母不符：{num.surface} ÷ {den.surface} = "
        f"{shown}%" + (f"（按所写精度允许误差{tol}）" if tol else "") + "。",
        message_en=f"{_cap(en)} {rate.surface} does not match its parts: {num.surface} / "
        f"{den.surface} = {shown}%"
        + (f" (the precision as written allows {tol})" if tol else "")
        + ".",
        sources=ctx.cite(rate.iri, num.iri, den.iri),
    )


def _part_exceeds(ctx: _Context, rate: Figure, num: Figure, den: Figure) -> Finding | None:
    n, d = num.interval, den.interval
    if n.lo is None or d.hi is None or n.lo <= d.hi:
        return None
    zh, en = ctx.names(rate)
    return Finding(
        kind=Kind.PART_EXCEEDS_TOTAL,
        report=num.report,
        graph=num.graph,
        observations=(num.iri, den.iri, rate.iri),
        stated=_dec(num.scaled),
        expected=_dec(den.scaled),
        tolerance=_dec(num.rounding + den.rounding),
        message_zh=f"{zh}的分子{num.surface}大于分母{den.surface}。",
        message_en=f"The numerator of {en}, {num.surface}, exceeds its denominator, {den.surface}.",
        sources=ctx.cite(num.iri, den.iri, rate.iri),
    )


def _conflict(ctx: _Context, a: Figure, b: Figure) -> Finding | None:
    if a.interval.meets(b.interval):
        return None
    first, second = sorted((a, b), key=lambda f: (_first(ctx, f), f.iri))
    zh, en = ctx.names(first)
    h1, h2 = first.interval.half_width, second.interval.half_width
    tolerance = None if h1 is None or h2 is None else h1 + h2
    return Finding(
        kind=Kind.CONFLICTING_VALUES,
        report=first.report,
        graph=first.graph,
        observations=(first.iri, second.iri),
        stated=_dec(first.scaled),
        expected=_dec(second.scaled),
        tolerance=None if tolerance is None else _dec(tolerance),
        message_zh=f"同一事实（{zh}）出现两个不同数值：{first.surface}与{second.surface}。",
        message_en=f"The same fact ({en}) is stated with two values: {first.surface} and "
        f"{second.surface}.",
        sources=ctx.cite(first.iri, second.iri),
    )


def _out_of_range(ctx: _Context, f: Figure) -> Finding:
    zh, en = ctx.names(f)
    if f.unit == str(FZ.PercentagePoint):
        bound, why_zh, why_en = 100, "变化超过100个百分点", "a change of more than 100 points"
    elif f.stat == str(STAT.ChangePctVsBase):
        bound, why_zh, why_en = 100, "下降幅度超过100%", "a decrease of more than 100%"
    elif f.value < 0:
        bound, why_zh, why_en = 0, "百分比小于0", "a percentage below 0"
    else:
        bound, why_zh, why_en = 100, "百分比大于100", "a percentage above 100"
    return Finding(
        kind=Kind.PERCENT_OUT_OF_RANGE,
        report=f.report,
        graph=f.graph,
        observations=(f.iri,),
        stated=_dec(f.scaled),
        expected=Decimal(bound),
        tolerance=Decimal(0),
        message_zh=f"{zh}{f.surface}：{why_zh}，不可能成立。",
        message_en=f"{_cap(en)} {f.surface}: {why_en} is impossible.",
        sources=ctx.cite(f.iri),
    )


def _first(ctx: _Context, f: Figure) -> int:
    return min((s.begin for s in ctx.sources.get(f.iri, [])), default=-1)


def run_checks(store: Store, *, report: str | None = None) -> list[Finding]:
    """Run every check over ``store`` (or one ``report``: id, report IRI or graph IRI).

    Findings are sorted by report, then by the position of their first source sentence.
    """
    bound = report_binding(store, report)
    ctx = _Context(_figures(store, bound), observation_sources(store, bound), _labels(store, bound))
    found: list[Finding] = []
    for row in select(store, _PARTS, bound):
        parts = [ctx.figures.get(text(row[v])) for v in ("o", "n", "d")]
        rate, num, den = parts
        if rate is None or num is None or den is None:
            continue
        for check in (_rate_mismatch, _part_exceeds):
            finding = check(ctx, rate, num, den)
            if finding is not None:
                found.append(finding)
    for row in select(store, _SAME_FACT, bound):
        a, b = ctx.figures.get(text(row["a"])), ctx.figures.get(text(row["b"]))
        if a is not None and b is not None:
            conflict = _conflict(ctx, a, b)
            if conflict is not None:
                found.append(conflict)
    for row in select(store, _OUT_OF_RANGE, {**_CONSTANTS, **bound}):
        figure = ctx.figures.get(text(row["o"]))
        if figure is not None:
            found.append(_out_of_range(ctx, figure))
    unique = {(f.kind, f.observations): f for f in found}
    return sorted(
        unique.values(),
        key=lambda f: (
            f.report,
            min((s.begin for s in f.sources), default=-1),
            list(Kind).index(f.kind),
            f.observations,
        ),
    )


# --------------------------------------------------------------------------- RDF


def findings_graph(findings: Iterable[Finding]) -> Graph:
    """The findings as RDF, for the named graph ``fzg:checks`` (see ``docs/checks.md``)."""
    from fazhi_graph.rdf import bind_prefixes

    g = bind_prefixes(Graph())
    for f in findings:
        node = URIRef(f.iri)
        g.add((node, RDF.type, FZ.ConsistencyFinding))
        g.add((node, RDF.type, f.kind.cls))
        kind_zh, kind_en = _KIND_LABEL[f.kind]
        g.add((node, RDFS.label, Literal(f"{kind_zh}：{f.report_id}", lang="zh")))
        g.add((node, RDFS.label, Literal(f"{kind_en}: {f.report_id}", lang="en")))
        g.add((node, RDFS.comment, Literal(f.message_zh, lang="zh")))
        g.add((node, RDFS.comment, Literal(f.message_en, lang="en")))
        g.add((node, FZ.inReport, URIRef(f.report)))
        for obs in f.observations:
            g.add((node, FZ.concerns, URIRef(obs)))
        for source in f.sources:
            g.add((node, FZ.evidence, URIRef(source.sentence)))
        g.add((node, FZ.statedValue, Literal(f.stated)))
        if f.expected is not None:
            g.add((node, FZ.expectedValue, Literal(f.expected)))
        if f.tolerance is not None:
            g.add((node, FZ.tolerance, Literal(f.tolerance)))
    return g


def write_findings(store: Store, findings: Iterable[Finding]) -> int:
    """Replace the graph ``fzg:checks`` of ``store`` with ``findings``; return their number."""
    graph = findings_graph(findings)
    store.replace_graph(CHECKS_GRAPH, graph)
    return len(set(graph.subjects(RDF.type, FZ.ConsistencyFinding)))
