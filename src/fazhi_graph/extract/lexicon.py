"""The controlled vocabularies as the extractor sees them: Chinese labels per concept.

Loaded once from ``ontology/vocab/*.ttl`` (SKOS prefLabel, altLabel and hiddenLabel in ``@zh``),
so adding a wording to a vocabulary file teaches the extractor without touching code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from fazhi_graph.namespaces import (
    ACTIVITY,
    AREA,
    DOCTYPE,
    INDICATOR,
    LEVEL,
    ORGTYPE,
    PROGRAM,
    VENUE,
)
from fazhi_graph.ontology import load_vocabularies

__all__ = ["Concept", "Lexicon", "by_ending", "lexicon"]


@dataclass(frozen=True)
class Concept:
    """One SKOS concept: its local name, Chinese labels and broader concepts' local names."""

    name: str
    pref: str
    labels: tuple[str, ...]
    broader: tuple[str, ...]

    def best_match(self, text: str) -> str:
        """The longest of this concept's labels found in ``text`` ('' if none)."""
        hits = [lb for lb in self.labels if lb and lb in text]
        return max(hits, key=len) if hits else ""

    def head_match(self, text: str) -> tuple[int, int]:
        """(end position, length) of this concept's label that ends last in ``text``.

        Chinese puts the head noun last (人民调解组织…调处矛盾纠纷 counts 纠纷), so the label
        ending nearest the end of a phrase names what the phrase is about. (-1, 0) if none.
        """
        best = (-1, 0)
        for label in self.labels:
            pos = text.rfind(label) if label else -1
            if pos >= 0:
                best = max(best, (pos + len(label), len(label)))
        return best


@dataclass(frozen=True)
class Lexicon:
    """All schemes the extractor classifies with."""

    areas: tuple[Concept, ...]
    programs: tuple[Concept, ...]
    indicators: tuple[Concept, ...]
    doc_types: tuple[Concept, ...]
    org_types: tuple[Concept, ...]
    levels: tuple[Concept, ...]
    venues: tuple[Concept, ...]
    activities: tuple[Concept, ...]

    @cached_property
    def _areas_by_name(self) -> dict[str, Concept]:
        return {c.name: c for c in self.areas}

    @cached_property
    def _programs_by_name(self) -> dict[str, Concept]:
        return {c.name: c for c in self.programs}

    @cached_property
    def _indicator_labels(self) -> tuple[dict[str, list[int]], tuple[int, ...]]:
        """Each indicator label → the positions in :attr:`indicators` of the concepts that
        have it; and the labels' distinct lengths, shortest first."""
        positions: dict[str, list[int]] = {}
        for i, concept in enumerate(self.indicators):
            for label in concept.labels:
                if label:
                    positions.setdefault(label, []).append(i)
        return positions, tuple(sorted({len(label) for label in positions}))

    def indicator_heads(self, text: str) -> list[tuple[int, int]]:
        """:meth:`Concept.head_match` of every indicator (in :attr:`indicators` order), in one
        pass over ``text``'s substrings instead of a search per label: the text before a
        figure is a few characters, the indicators' labels are hundreds.

        >>> lex = Lexicon(*([()] * 2), (Concept("a", "案件", ("案件", "件"), ()),), *([()] * 5))
        >>> lex.indicator_heads("受理案件"), lex.indicators[0].head_match("受理案件")
        ([(4, 2)], (4, 2))
        """
        positions, lengths = self._indicator_labels
        last: dict[str, int] = {}  # label → where it starts last in text (as str.rfind)
        for length in lengths:
            for start in range(len(text) - length + 1):
                piece = text[start : start + length]
                if piece in positions:
                    last[piece] = start
        heads = [(-1, 0)] * len(self.indicators)
        for label, start in last.items():
            key = (start + len(label), len(label))
            for i in positions[label]:
                heads[i] = max(heads[i], key)
        return heads

    def area_of(self, text: str) -> str:
        """The work area (fza local name) whose keywords best match ``text``; '' if none.

        Only top-level areas (A0…A9) are returned; a narrower concept counts for its area.
        """
        best, best_len = "", 0
        for concept in self.areas:
            hit = concept.best_match(text)
            if len(hit) > best_len:
                best, best_len = self.top_area(concept.name), len(hit)
        return best

    def top_area(self, name: str) -> str:
        """Climb ``broader`` to the top-level area of an area concept."""
        by_name = self._areas_by_name
        seen = set()
        while name in by_name and by_name[name].broader and name not in seen:
            seen.add(name)
            name = by_name[name].broader[0]
        return name

    def program_area(self, name: str) -> str:
        """The top-level area an initiative belongs to (through its broader chain)."""
        by_name = self._programs_by_name
        area_names = self._areas_by_name
        seen = set()
        while name in by_name and name not in seen:
            seen.add(name)
            for b in by_name[name].broader:
                if b in area_names:
                    return self.top_area(b)
            if not by_name[name].broader:
                return ""
            name = by_name[name].broader[0]
        return ""


def by_ending(concepts: tuple[Concept, ...], name: str, default: str = "Other") -> str:
    """The concept whose longest Chinese label ends ``name`` (区政府党组 → PartyGroup).

    >>> by_ending((Concept("Law", "法", ("法",), ()),), "劳动争议调解仲裁法")
    'Law'
    """
    best, best_len = default, 0
    for concept in concepts:
        for label in concept.labels:
            if name.endswith(label) and len(label) > best_len:
                best, best_len = concept.name, len(label)
    return best


def _local(iri: object, base: str) -> str:
    return str(iri)[len(base) :]


def _concepts(graph: Graph, base: str) -> tuple[Concept, ...]:
    out = []
    subjects = {s for s in graph.subjects(SKOS.inScheme, None) if str(s).startswith(base)}
    for s in sorted(subjects, key=str):
        assert isinstance(s, URIRef)
        labels: list[str] = []
        pref = ""
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for lit in sorted(graph.objects(s, prop), key=str):
                lang = getattr(lit, "language", None)
                if lang and lang.lower().startswith("zh") and "latn" not in lang.lower():
                    labels.append(str(lit))
                    if prop == SKOS.prefLabel and not pref:
                        pref = str(lit)
        broader = tuple(
            sorted(
                _local(b, base) for b in graph.objects(s, SKOS.broader) if str(b).startswith(base)
            )
        )
        broader_other = tuple(
            sorted(
                _local(b, str(AREA))
                for b in graph.objects(s, SKOS.broader)
                if str(b).startswith(str(AREA))
            )
        )
        out.append(
            Concept(
                _local(s, base),
                pref,
                tuple(dict.fromkeys(labels)),
                tuple(dict.fromkeys(broader + broader_other)),
            )
        )
    return tuple(out)


@lru_cache(maxsize=4)
def lexicon(vocab_dir: Path | None = None) -> Lexicon:
    """The extractor's lexicon, read once from the vocabulary files."""
    graph = load_vocabularies(vocab_dir, copy=False)  # read only
    return Lexicon(
        areas=_concepts(graph, str(AREA)),
        programs=_concepts(graph, str(PROGRAM)),
        indicators=_concepts(graph, str(INDICATOR)),
        doc_types=_concepts(graph, str(DOCTYPE._NS)),
        org_types=_concepts(graph, str(ORGTYPE._NS)),
        levels=_concepts(graph, str(LEVEL._NS)),
        venues=_concepts(graph, str(VENUE._NS)),
        activities=_concepts(graph, str(ACTIVITY._NS)),
    )
