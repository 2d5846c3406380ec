"""Scoring extraction against an answer key (``*.gold.json``), per fact family.

The answer-key format is the one described with the sample reports: ``metrics`` as
``{"v": value, "unit": unit as written, "terms": [words naming what is counted]}``, plus
``documents``, ``programs``, ``organizations``, ``places`` (names as written), ``not_values``
(numbers that must not be read as metrics), ``problems_count`` and ``next_steps_count``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from fazhi_graph.document import normalise
from fazhi_graph.facts import Facts, Observation

__all__ = ["Score", "score"]


@dataclass
class Score:
    """Recall per family (found, total) and the misses, for a readable report."""

    found: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    misses: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, family: str, ok: bool, item: Any) -> None:
        """Count one answer-key item as found or missed."""
        self.total[family] = self.total.get(family, 0) + 1
        self.found[family] = self.found.get(family, 0) + int(ok)
        if not ok:
            self.misses.setdefault(family, []).append(item)

    def recall(self, family: str) -> float:
        """Share of the answer key's items of ``family`` that were found (1.0 if none)."""
        total = self.total.get(family, 0)
        return self.found.get(family, 0) / total if total else 1.0

    def summary(self) -> str:
        """One line per family: ``metrics 74/76 97.4%``."""
        return "\n".join(
            f"{k:18} {self.found.get(k, 0):3}/{self.total[k]:<3} {100 * self.recall(k):5.1f}%"
            for k in self.total
        )


def _canon(name: str) -> str:
    table = str.maketrans({"〈": "<", "〉": ">", "《": "<", "》": ">"})
    return normalise(name).translate(table).replace(" ", "")


def _unit_as_written(o: Observation) -> str:
    return o.unit_text or ("%" if o.unit == "PERCENT" else "")


def _names(o: Observation, terms: list[str]) -> bool:
    """Whether the observation's counted thing or indicator label contains a key term."""
    text = _canon(o.counted + o.indicator_label)
    return any(_canon(t) in text for t in terms)


def score(facts: Facts, gold: dict[str, Any]) -> Score:
    """Compare extracted facts with an answer key; one gold item matches at most one fact."""
    result = Score()
    pool = list(facts.observations)
    for m in gold.get("metrics", []):
        value = Decimal(str(m["v"]))
        hits = [o for o in pool if o.value == value and _unit_as_written(o) == m["unit"]]
        terms = m.get("terms", [])
        best = next(
            (o for o in hits if any(t in o.counted + o.indicator_label for t in terms)), None
        )
        best = best or (hits[0] if hits else None)
        result.add("metrics", best is not None and bool(best.sentences), m)
        if best is not None:
            pool.remove(best)
            ok = _names(best, terms)
            result.add(
                "metrics_named",
                ok,
                {**m, "counted": best.counted, "indicator": best.indicator_label},
            )
    bad_values = {Decimal(str(v)) for v in gold.get("not_values", [])}
    gold_values = {Decimal(str(m["v"])) for m in gold.get("metrics", [])}
    for o in facts.observations:
        if o.value in bad_values and o.value not in gold_values:
            result.add("not_values_clean", False, o.surface)
    result.total.setdefault("not_values_clean", 0)
    text = facts.doc.norm

    def mentioned(spans: tuple[Any, ...]) -> set[str]:
        return {_canon(text[s.start : s.end]) for s in spans}

    doc_titles = {_canon(d.title) for d in facts.documents}
    for title in gold.get("documents", []):
        result.add("documents", _canon(title) in doc_titles, title)
    programs = {_canon(i.label) for i in facts.initiatives}
    for i in facts.initiatives:
        programs |= mentioned(i.mentions)
    for p in gold.get("programs", []):
        # a mention may carry its context (行政执法“三项制度”, “放管服”改革): match inside it
        found = any(_canon(p) in name for name in programs)
        result.add("programs", found, p)
    bodies = {_canon(b.name) for b in facts.bodies}
    for b in facts.bodies:
        bodies |= mentioned(b.mentions)
    for o in gold.get("organizations", []):
        result.add("organizations", _canon(o) in bodies, o)
    places = {_canon(p.name) for p in facts.places} | {_canon(facts.meta.area)}
    for p in gold.get("places", []):
        result.add("places", _canon(p) in places, p)
    if "problems_count" in gold:
        result.add(
            "problems_count",
            len(facts.problems) == gold["problems_count"],
            (len(facts.problems), gold["problems_count"]),
        )
    if "next_steps_count" in gold:
        result.add(
            "next_steps_count",
            len(facts.measures) == gold["next_steps_count"],
            (len(facts.measures), gold["next_steps_count"]),
        )
    return result
