"""A readable, sorted listing of a report's facts, for review and golden tests.

Each line is a JSON object with a ``kind`` and the fields a reader checks: the value and unit of
a metric with its source offsets, a document's title and type, a body's name and parent, and so
on. Sorting makes the listing stable, so a diff shows exactly what changed.
"""

from __future__ import annotations

import json
from typing import Any

from fazhi_graph.facts import Facts

__all__ = ["fact_list"]


def _sent(facts: Facts, indices: tuple[int, ...]) -> list[list[int]]:
    return [[facts.doc.sentences[i].span.start, facts.doc.sentences[i].span.end] for i in indices]


def fact_list(facts: Facts) -> list[str]:
    """One JSON line per fact, sorted; the complete content of a report's extraction."""
    rows: list[dict[str, Any]] = []
    for o in facts.observations:
        rows.append(
            {
                "kind": "metric",
                "value": str(o.value),
                "unit": o.unit_text or o.unit,
                "counted": o.counted,
                "indicator": o.indicator,
                "stat": o.stat_type,
                "qualifier": o.qualifier,
                "period": list(o.period),
                "place": o.place,
                "at": [o.value_span.start, o.value_span.end],
                "sentences": _sent(facts, o.sentences),
                "numerator": o.numerator,
                "denominator": o.denominator,
                "comparison_of": o.comparison_of,
            }
        )
    for d in facts.documents:
        rows.append(
            {
                "kind": "document",
                "title": d.title,
                "type": d.doc_type,
                "national": d.national,
                "issuer": d.issuer,
                "sentences": _sent(facts, d.sentences),
            }
        )
    for b in facts.bodies:
        rows.append(
            {
                "kind": "body",
                "name": b.name,
                "class": b.kind,
                "type": b.org_type,
                "parent": b.parent,
                "key": b.key,
            }
        )
    for p in facts.posts:
        rows.append({"kind": "post", "name": p.name, "body": p.body, "role": p.role})
    for pl in facts.places:
        rows.append(
            {
                "kind": "place",
                "name": pl.name,
                "level": pl.level,
                "venue": pl.venue_type,
                "within": pl.parent,
            }
        )
    for i in facts.initiatives:
        rows.append(
            {
                "kind": "initiative",
                "concept": i.concept,
                "label": i.label,
                "curated": i.curated,
                "sentences": _sent(facts, i.sentences),
            }
        )
    for e in facts.events:
        rows.append(
            {
                "kind": "event",
                "label": e.label,
                "type": e.activity_type,
                "class": e.kind,
                "convened_by": e.convened_by,
                "chaired_by": e.chaired_by,
                "at": [e.span.start, e.span.end],
            }
        )
    for item in [*facts.problems, *facts.measures]:
        rows.append(
            {
                "kind": item.kind,
                "ordinal": item.ordinal,
                "area": item.area,
                "at": [item.span.start, item.span.end],
                "addresses": list(item.addresses),
            }
        )
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)
