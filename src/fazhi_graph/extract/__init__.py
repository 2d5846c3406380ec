"""Extraction: a report's text → :class:`~fazhi_graph.facts.Facts`.

The steps are plain functions run in order by :func:`extract`; each declares what it reads and
fills. Places come before bodies (a township's name prefixes its bodies), bodies before
documents (issuers) and events (conveners), everything before initiatives (implementations
gather the bodies, places and documents of a sentence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from fazhi_graph.document import load_document
from fazhi_graph.extract.bodies import extract_bodies
from fazhi_graph.extract.documents import extract_documents
from fazhi_graph.extract.events import extract_events
from fazhi_graph.extract.initiatives import extract_initiatives
from fazhi_graph.extract.lexicon import Lexicon, lexicon
from fazhi_graph.extract.metrics import extract_metrics
from fazhi_graph.extract.places import extract_places
from fazhi_graph.extract.structure import classify_sections, extract_plan_items
from fazhi_graph.facts import Facts, Observation, ReportMeta

__all__ = ["EXTRACTOR_VERSION", "STEPS", "extract"]

EXTRACTOR_VERSION = "0.1.0"
"""Recorded on every extraction run; bump when the output for the same text changes."""


def _metrics(facts: Facts, lex: Lexicon) -> None:
    found = extract_metrics(facts.doc, facts.meta, lex)
    facts.observations.extend(_with_area(facts, o) for o in found if isinstance(o, Observation))


def _with_area(facts: Facts, obs: Observation) -> Observation:
    """Add the work area (from the section) and the place the figure is about.

    The place is the division named closest before the figure in its clause (乐家湾镇9个村社区
    is about 乐家湾镇); otherwise the report's area.
    """
    sent = facts.doc.sentences[obs.sentences[0]]
    clause_start = max(
        (
            i + 1
            for i in range(sent.span.start, obs.value_span.start)
            if facts.doc.norm[i] in ",;:。"
        ),
        default=sent.span.start,
    )
    place = ""
    best = -1
    for p in facts.places:
        if not p.level:
            continue
        for span in p.mentions:
            if (
                clause_start <= span.start
                and span.end <= obs.value_span.start
                and span.start > best
            ):
                place, best = p.key, span.start
    return replace(obs, area=facts.sentence_area(obs.sentences[0]), place=place)


STEPS: tuple[tuple[str, Callable[[Facts, Lexicon], None]], ...] = (
    ("sections", classify_sections),
    ("places", lambda f, _lex: extract_places(f)),
    ("bodies", extract_bodies),
    ("documents", extract_documents),
    ("events", lambda f, _lex: extract_events(f)),
    ("initiatives", extract_initiatives),
    ("metrics", _metrics),
    ("plans", extract_plan_items),
)
"""The extraction steps, in the order they run."""


def extract(text: str, meta: ReportMeta, *, vocab_dir: Path | None = None) -> Facts:
    """Every fact of one report. Pure: the same text and vocabularies give the same facts."""
    lex = lexicon(vocab_dir)
    facts = Facts(meta=meta, doc=load_document(text))
    for _name, step in STEPS:
        step(facts, lex)
    return facts
