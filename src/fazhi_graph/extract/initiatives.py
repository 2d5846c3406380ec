"""Named initiatives: curated programmes found by their labels, and quoted names (“…”).

A quoted name that is a known programme's label maps to the curated concept; an unknown one is
minted as a new concept flagged for review, unless it is clearly not a programme (a number, a
plan period such as ``十四五``, a slogan counting things such as ``四个意识``, an honour or
an organisation's name).
"""

from __future__ import annotations

import re

from fazhi_graph.document import Span
from fazhi_graph.extract.lexicon import Lexicon
from fazhi_graph.facts import Facts, Implementation, InitiativeRef
from fazhi_graph.slug import slugify

__all__ = ["extract_initiatives"]

_QUOTE = re.compile(r"“([^“”\n]{2,24})”")
_NOT_PROGRAM = re.compile(
    r"^[\d+.\-N]+$|^[十]?[一二三四五六七八九]五$|^[一二三四五六七八九十两]个|问题|委员会$|示范|先进|模范|称号|单位$|"
    r"^(权力清单|责任清单)$"
)
_PLAN_AFTER = re.compile(r"^(规划|期间|时期|开局)")
_PUFA = re.compile(r"^[七八九]五$")


def _curated(lex: Lexicon, text: str) -> tuple[str, str]:
    for concept in lex.programs:
        if text in concept.labels:
            return concept.name, concept.pref
    return "", ""


def extract_initiatives(facts: Facts, lex: Lexicon) -> None:
    """Find initiatives and, per sentence, the government's implementation of each."""
    doc = facts.doc
    norm = doc.norm
    found: dict[str, InitiativeRef] = {}
    hits: list[tuple[str, Span]] = []
    # curated labels anywhere in the text (longest label first, no overlaps)
    labels = sorted(
        ((lb, c) for c in lex.programs for lb in c.labels if len(lb) >= 3 or lb in {"放管服"}),
        key=lambda x: -len(x[0]),
    )
    taken: list[Span] = []
    for label, concept in labels:
        for m in re.finditer(re.escape(label), norm):
            span = Span(m.start(), m.end())
            if any(t.start < span.end and span.start < t.end for t in taken):
                continue
            taken.append(span)
            hits.append((concept.name, span))
    for m in _QUOTE.finditer(norm):
        inner = m.group(1).strip()
        span = Span(m.start(1), m.end(1))
        if any(t.start <= span.start and span.end <= t.end for t in taken):
            continue
        after = norm[m.end() : m.end() + 3]
        if _PUFA.match(inner) and after.startswith("普法"):
            name, _pref = _curated(lex, inner + "普法")
        else:
            clause_after = re.split(r"[,;。]", norm[m.end() : m.end() + 30])[0]
            if _NOT_PROGRAM.search(inner) or _PLAN_AFTER.match(after) or "讲座" in clause_after:
                continue
            name, _pref = _curated(lex, inner)
        if name:
            hits.append((name, span))
            continue
        where = doc.sentence_at(span.start)
        area = facts.sentence_area(where.index) or lex.area_of(inner) or lex.area_of(where.text)
        key = "x-" + slugify(inner)
        found.setdefault(key, InitiativeRef(key, inner, False, (), (), area))
        hits.append((key, span))
    by_name = {c.name: c for c in lex.programs}
    for name, span in sorted(hits, key=lambda h: h[1].start):
        index = doc.sentence_at(span.start).index
        if name in by_name:
            c = by_name[name]
            old = found.get(name) or InitiativeRef(
                name, c.pref, True, (), (), lex.program_area(name)
            )
        else:
            old = found[name]
        found[name] = InitiativeRef(
            old.concept,
            old.label,
            old.curated,
            (*old.mentions, span),
            tuple(sorted({*old.sentences, index})),
            old.broader_area,
        )
    facts.initiatives.extend(
        found[k] for k in sorted(found, key=lambda k: found[k].mentions[0].start)
    )
    _implementations(facts)


def _implementations(facts: Facts) -> None:
    """One implementation per (initiative, sentence): the bodies, places, documents named there."""
    for ini in facts.initiatives:
        for sent in ini.sentences:
            bodies = tuple(b.key for b in facts.bodies if sent in b.sentences)
            places = tuple(p.key for p in facts.places if sent in p.sentences)
            docs = tuple(d.key for d in facts.documents if sent in d.sentences)
            area = facts.sentence_area(sent) or ini.broader_area
            key = f"{slugify(ini.concept)}-{sent}"
            facts.implementations.append(
                Implementation(key, ini.concept, sent, bodies, places, docs, area)
            )
