"""The observations of every report as one table, for the metrics dashboard.

:func:`load_observations` reads every ``qb:Observation`` with its report (the named graph it
is in), area, period, indicator, value, unit, hedge, statistic type, work area (the top-level
area of 《法治政府建设实施纲要》 it belongs to) and source sentences. :class:`Filters` selects
rows; :func:`to_csv` writes them; :func:`bar_chart` draws a bar chart as SVG (server-side, so
the dashboard works without JavaScript).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from markupsafe import Markup, escape

from fazhi_graph.observation_query import observation_query
from fazhi_graph.store import Store
from fazhi_graph.web.dataset_index import DatasetIndex, rows
from fazhi_graph.web.describe import Source, source
from fazhi_graph.web.labels import Label
from fazhi_graph.web.links import page_url, report_id_of

__all__ = [
    "Filters",
    "Observation",
    "bar_chart",
    "filter_rows",
    "load_observations",
    "to_csv",
]

_OBS = observation_query(
    "place", "period", "ut", "u", "mult", "counted", "t", "q", "work", "sent", "sf", "dir",
    require=("ind",),
    outside=[("periodLabel", "OPTIONAL { ?period rdfs:label ?periodLabel }")],
    order=False,
)
_BROADER = "SELECT DISTINCT ?c ?b WHERE { ?c skos:broader ?b FILTER (isIRI(?b)) }"


@dataclass
class Observation:
    """One row of the dashboard."""

    iri: str
    report: str
    """Report id."""
    year: str
    area: str | None
    period: str
    indicator: str
    value: str
    unit_text: str
    unit: str | None
    unit_mult: str | None
    counted: str
    stat: str | None
    qualifier: str | None
    work_area: str | None
    """Top-level work area (a ``fza:`` concept)."""
    direction: str | None
    surface: str
    sources: list[Source] = field(default_factory=list)

    @property
    def number(self) -> float | None:
        """The value as a float (``None`` if it is not a number)."""
        try:
            return float(Decimal(self.value))
        except (InvalidOperation, ValueError):
            return None


def _top(concept: str | None, broader: dict[str, str]) -> str | None:
    seen: set[str] = set()
    while concept is not None and concept in broader and concept not in seen:
        seen.add(concept)
        parent = broader[concept]
        if not parent.startswith(concept.rsplit("/", 1)[0]):
            break
        concept = parent
    return concept


def load_observations(store: Store, index: DatasetIndex) -> list[Observation]:
    """Every observation of every report, sorted by report, work area, indicator."""
    broader = {r["c"]: r["b"] for r in rows(store, _BROADER)}
    found: dict[str, Observation] = {}
    for r in rows(store, _OBS):
        rid = report_id_of(r["g"]) or ""
        obs = found.get(r["o"])
        if obs is None:
            report = index.reports.get(rid)
            obs = found[r["o"]] = Observation(
                iri=r["o"], report=rid, year=(report.year if report and report.year else ""),
                area=r.get("place"), period=r.get("periodLabel", ""), indicator=r["ind"],
                value=r["v"], unit_text=r.get("ut", ""), unit=r.get("u"),
                unit_mult=r.get("mult"), counted=r.get("counted", ""), stat=r.get("t"),
                qualifier=r.get("q"), work_area=_top(r.get("work"), broader),
                direction=r.get("dir"), surface=r.get("sf", ""),
            )
        if "sent" in r and all(s.iri != r["sent"] for s in obs.sources):
            src = source(index, r["sent"])
            if src is not None:
                obs.sources.append(src)
    out = list(found.values())
    for obs in out:
        obs.sources.sort(key=lambda s: s.begin)
    out.sort(key=lambda o: (o.report, o.work_area or "~", o.indicator,
                            o.sources[0].begin if o.sources else 0, o.iri))
    return out


@dataclass(frozen=True)
class Filters:
    """What the dashboard shows: empty values mean "any"."""

    report: str = ""
    area: str = ""
    """A work area IRI."""
    year: str = ""
    indicator: str = ""
    q: str = ""

    def keep(self, obs: Observation, index: DatasetIndex) -> bool:
        """Whether ``obs`` passes every filter."""
        if self.report and obs.report != self.report:
            return False
        if self.area and obs.work_area != self.area:
            return False
        if self.year and self.year not in (obs.year, obs.period):
            return False
        if self.indicator and obs.indicator != self.indicator:
            return False
        if self.q:
            label = index.label(obs.indicator)
            hay = " ".join([obs.counted, obs.surface, label.zh or "", label.en or "",
                            *(s.quote for s in obs.sources)]).lower()
            if self.q.lower() not in hay:
                return False
        return True

    def as_dict(self) -> dict[str, str]:
        """The non-empty filters."""
        return {k: v for k, v in (("report", self.report), ("area", self.area),
                                  ("year", self.year), ("indicator", self.indicator),
                                  ("q", self.q)) if v}


def filter_rows(observations: Iterable[Observation], filters: Filters,
                index: DatasetIndex) -> list[Observation]:
    """The observations that pass ``filters``."""
    return [o for o in observations if filters.keep(o, index)]


def _text(label: Label, lang: str) -> str:
    return label.text(lang)


def obs_json(obs: Observation, index: DatasetIndex) -> dict[str, Any]:
    """JSON form of a row (labels in both languages)."""
    def lab(iri: str | None) -> dict[str, Any] | None:
        return None if iri is None else {"iri": iri, "label": index.label(iri).as_dict()}

    return {
        "iri": obs.iri, "url": page_url(obs.iri), "report": obs.report, "year": obs.year,
        "area": lab(obs.area), "period": obs.period, "work_area": lab(obs.work_area),
        "indicator": lab(obs.indicator), "value": obs.number if obs.number is not None
        else obs.value, "unit_text": obs.unit_text, "unit": lab(obs.unit),
        "unit_multiplier_power_of_ten": int(obs.unit_mult) if obs.unit_mult else None,
        "qualifier": lab(obs.qualifier), "stat_type": lab(obs.stat),
        "direction": lab(obs.direction), "counted": obs.counted, "surface": obs.surface,
        "sources": [s.as_dict() for s in obs.sources],
    }


CSV_COLUMNS = (
    "report", "year", "period", "area_zh", "work_area", "work_area_zh", "work_area_en",
    "indicator", "indicator_zh", "indicator_en", "value", "unit_text", "unit",
    "unit_multiplier_power_of_ten", "qualifier", "stat_type", "direction", "counted",
    "surface_form", "sentence", "sentence_begin", "sentence_end", "sentence_text", "reader",
    "observation",
)
"""Columns of the CSV download (one row per observation and source sentence)."""


def to_csv(observations: Sequence[Observation], index: DatasetIndex, *, base_url: str) -> str:
    """The rows as CSV (UTF-8 text; the first source sentence of each observation)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for o in observations:
        first = o.sources[0] if o.sources else None
        ind = index.label(o.indicator)
        work = index.label(o.work_area) if o.work_area else Label()
        writer.writerow([
            o.report, o.year, o.period, index.label(o.area).zh if o.area else "",
            o.work_area or "", work.zh or "", work.en or "",
            o.indicator, ind.zh or "", ind.en or "", o.value, o.unit_text,
            index.label(o.unit).fallback if o.unit else "", o.unit_mult or "",
            index.label(o.qualifier).fallback if o.qualifier else "",
            index.label(o.stat).fallback if o.stat else "",
            index.label(o.direction).fallback if o.direction else "", o.counted, o.surface,
            first.iri if first else "", first.begin if first else "",
            first.end if first else "", first.quote if first else "",
            (base_url + first.reader) if first and first.reader else "", o.iri,
        ])
    return out.getvalue()


def counts_by(observations: Iterable[Observation], key: str) -> Counter[str]:
    """How many observations per value of attribute ``key``."""
    return Counter(getattr(o, key) or "" for o in observations)


def bar_chart(bars: Sequence[tuple[str, float, str]], *, title: str, unit: str = "",
              width: int = 720) -> Markup:
    """A horizontal bar chart as inline SVG; bars are ``(label, value, link)``."""
    if not bars:
        return Markup("")
    row, left, right = 24, 230, 70
    height = row * len(bars) + 34
    top = max((v for _, v, _ in bars), default=0) or 1
    span = width - left - right
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line class="axis" x1="{left}" y1="24" x2="{left}" y2="{height - 6}"/>',
    ]
    for i, (label, value, link) in enumerate(bars):
        y = 28 + i * row
        w = max(1.0, span * value / top) if value > 0 else 0
        shown = label if len(label) <= 18 else label[:17] + "…"
        number = f"{value:g}{unit}"
        parts.append(
            f'<a href="{escape(link)}"><text x="{left - 6}" y="{y + 13}" '
            f'text-anchor="end">{escape(shown)}</text>'
            f'<rect class="bar" x="{left}" y="{y}" width="{w:.1f}" height="{row - 6}">'
            f"<title>{escape(label)}: {escape(number)}</title></rect>"
            f'<text x="{left + w + 4:.1f}" y="{y + 13}">{escape(number)}</text></a>'
        )
    parts.append(f'<text x="{left}" y="14" font-weight="bold">{escape(title)}</text></svg>')
    return Markup("".join(parts))


_FINDINGS = """
SELECT DISTINCT ?f ?report ?zh ?en ?obs WHERE {
  GRAPH fzg:checks {
    ?f a fz:ConsistencyFinding ; fz:inReport ?report ; rdfs:comment ?zh , ?en .
    OPTIONAL { ?f fz:concerns ?obs }
    FILTER (lang(?zh) = "zh" && lang(?en) = "en")
  }
} ORDER BY ?report ?f
"""


@dataclass(frozen=True)
class Finding:
    """A consistency finding stored by ``fazhi-graph build``/``check --write`` (fzg:checks)."""

    iri: str
    report: str
    message_zh: str
    message_en: str
    observations: tuple[str, ...]


def load_findings(store: Store) -> list[Finding]:
    """The consistency findings in the store (none when the checks found nothing)."""
    found: dict[str, Finding] = {}
    for r in rows(store, _FINDINGS):
        old = found.get(r["f"])
        obs = (*old.observations, r["obs"]) if old and r.get("obs") else (
            (r["obs"],) if r.get("obs") else ())
        found[r["f"]] = Finding(r["f"], report_id_of(r["report"]) or r["report"], r["zh"], r["en"],
                                tuple(dict.fromkeys(obs)))
    return list(found.values())
