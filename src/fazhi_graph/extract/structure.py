"""Section types (督察规定 §24) and work areas of each section, and the problem/plan items."""

from __future__ import annotations

import re

from fazhi_graph.document import Document, Section, Span
from fazhi_graph.extract.lexicon import Lexicon
from fazhi_graph.facts import Facts, PlanItem

__all__ = ["classify_sections", "extract_plan_items"]

_TYPE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Problems", re.compile(r"问题|不足|短板|差距")),
    (
        "NextSteps",
        re.compile(
            r"下一步|下一年|工作打算|工作思路|工作安排|工作计划|重点工作|工作设想|^20\d\d年(?!.*(举措|成效|情况))"
        ),
    ),
    ("FirstResponsible", re.compile(r"第一责任人|主要负责人履行|主要负责同志履行")),
    ("Achievements", re.compile(r"举措|成效|工作开展|开展情况|主要做法|工作情况|主要工作")),
)


def _own_type(section: Section) -> str:
    for name, pattern in _TYPE_RULES:
        if pattern.search(section.title):
            return name
    return ""


def classify_sections(facts: Facts, lex: Lexicon) -> None:
    """Fill ``facts.section_types`` and ``facts.section_areas`` for every section.

    A section's type comes from its own heading or is inherited from its parent; a top-level
    section with no recognisable heading is ``Other``. Its work area is the area whose
    keywords its heading matches, else its parent's.
    """
    for sec in facts.doc.sections:
        parent = sec.path[:-1]
        own = _own_type(sec)
        inherited = facts.section_types.get(parent, "") if parent else ""
        if inherited and own not in {"FirstResponsible"}:
            own = inherited if inherited in {"Problems", "NextSteps"} or not own else own
        facts.section_types[sec.path] = own or inherited or "Other"
        area = lex.area_of(sec.title) or (facts.section_areas.get(parent, "") if parent else "")
        if facts.section_types[sec.path] == "FirstResponsible" and not area:
            area = "A0"
        if area:
            facts.section_areas[sec.path] = area


def _items_in(doc: Document, sec: Section) -> list[tuple[int, Span]]:
    items = [
        (it.ordinal, it.span)
        for it in doc.items
        if it.span.start >= sec.span.start and it.span.end <= sec.span.end
    ]
    if items:
        return items
    children = [s for s in doc.sections if s.path[:-1] == sec.path]
    if children:
        return [
            (i + 1, Span(c.heading.start, _trim(doc.text, c.span))) for i, c in enumerate(children)
        ]
    body = [
        s for s in doc.sentences if s.span.start >= sec.heading.end and s.span.end <= sec.span.end
    ]
    return [(i + 1, s.span) for i, s in enumerate(body[1:] if len(body) > 1 else body)]


def _trim(text: str, span: Span) -> int:
    end = span.end
    while end > span.start and text[end - 1].isspace():
        end -= 1
    return end


def extract_plan_items(facts: Facts, lex: Lexicon) -> None:
    """Problems (存在的问题) and planned measures (下一步), one per enumerated item.

    A measure ``addresses`` the problems of the same work area.
    """
    doc = facts.doc
    for kind, target in (("Problems", facts.problems), ("NextSteps", facts.measures)):
        tops = [
            s
            for s in doc.sections
            if facts.section_types.get(s.path) == kind
            and facts.section_types.get(s.path[:-1]) != kind
        ]
        for sec in tops:
            for _ordinal, span in _items_in(doc, sec):
                label = doc.text[span.start : span.end].strip()
                sentences = tuple(
                    s.index
                    for s in doc.sentences
                    if s.span.start < span.end and s.span.end > span.start
                )
                head = label.split("。", 1)[0]  # an item's first sentence names its topic
                area = (
                    lex.area_of(head) or lex.area_of(label) or facts.section_areas.get(sec.path, "")
                )
                target.append(
                    PlanItem(
                        "problem" if kind == "Problems" else "measure",
                        len(target) + 1,
                        label,
                        span,
                        sentences,
                        area,
                    )
                )
    by_area: dict[str, list[int]] = {}
    for p in facts.problems:
        if p.area:
            by_area.setdefault(p.area, []).append(p.ordinal)
    facts.measures[:] = [
        PlanItem(
            m.kind, m.ordinal, m.label, m.span, m.sentences, m.area, tuple(by_area.get(m.area, ()))
        )
        for m in facts.measures
    ]
