"""The report reader: a report's text with its structure, every fact highlighted in place.

:func:`read_report` collects, for one report, the text (``nif:isString``), the sections, the
sentences (with their offsets), the facts stated in each sentence and the entities each
sentence mentions, and places highlights:

* a fact gets the words that state it: an observation its surface form (``172件``), a meeting
  or activity its name, an initiative's implementation a name of the initiative;
* a mentioned entity gets its name (any Chinese name, ``区政府`` as well as ``城东区人民政府``);
* facts without words of their own (problems, planned measures) and words not found in the
  sentence get a badge after the sentence, so every fact is marked where it is stated.

Highlights never overlap: facts first, then longer names. :func:`render_text` turns the result
into HTML (headings, paragraphs, sentence spans with stable ``id="char-{b}-{e}"`` anchors).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
from markupsafe import Markup, escape

from fazhi_graph.store import Store
from fazhi_graph.web.dataset_index import DatasetIndex, ReportInfo, SentenceInfo, rows
from fazhi_graph.web.kinds import KINDS, Kind
from fazhi_graph.web.links import anchor_id, page_url

__all__ = ["Highlight", "ReaderSection", "ReportView", "read_report", "render_text"]

_TEXT = "SELECT ?ctx ?t WHERE { ?ctx nif:isString ?t }"
_SECTIONS = """
SELECT ?ctx ?sec ?b ?e ?level ?num ?heading ?type ?area WHERE {
  ?sec a fz:ReportSection ; nif:referenceContext ?ctx ; nif:beginIndex ?b ; nif:endIndex ?e .
  OPTIONAL { ?sec fz:sectionLevel ?level }
  OPTIONAL { ?sec fz:headingNumber ?num }
  OPTIONAL { ?sec fz:headingText ?heading }
  OPTIONAL { ?sec fz:sectionType ?type }
  OPTIONAL { ?sec fz:area ?area }
} ORDER BY ?b DESC(?e)"""
_FACTS = """
SELECT DISTINCT ?ctx ?f ?sent ?surface ?initiative ?value ?unit WHERE {
  ?sent nif:referenceContext ?ctx . ?f fz:statedIn ?sent .
  OPTIONAL { ?f fz:surfaceForm ?surface }
  OPTIONAL { ?f fz:implements ?initiative }
  OPTIONAL { ?f sdmx-measure:obsValue ?value }
  OPTIONAL { ?f schema:unitText ?unit }
}"""
_MENTIONS = """
SELECT DISTINCT ?ctx ?sent ?m ?name WHERE {
  ?sent nif:referenceContext ?ctx ; fz:mentions ?m .
  OPTIONAL { ?m rdfs:label|skos:prefLabel|skos:altLabel|dct:title ?name
             FILTER (lang(?name) = "zh") }
}"""
_INITIATIVE_NAMES = """
SELECT DISTINCT ?ctx ?i ?name WHERE {
  ?sent nif:referenceContext ?ctx . ?f fz:statedIn ?sent ; fz:implements ?i .
  ?i skos:prefLabel|skos:altLabel|skos:hiddenLabel ?name FILTER (lang(?name) = "zh")
}"""

FACT_KINDS = ("observation", "event", "implementation", "problem", "measure")
"""Kinds that are facts (stated in a sentence); the others are mentioned entities."""


@dataclass(frozen=True)
class Highlight:
    """Words of a sentence that state a fact or name an entity."""

    begin: int
    end: int
    iri: str
    kind: Kind
    fact: bool
    tip: str
    """Short text for the tooltip (the fact or the entity's names)."""


@dataclass
class ReaderSection:
    """A section of the report, with its heading."""

    iri: str
    begin: int
    end: int
    level: int
    number: str
    heading: str
    type: str | None
    area: str | None

    @property
    def anchor(self) -> str:
        """HTML id of the section's heading."""
        return "sec-" + self.iri.rsplit("/", 1)[-1].replace(".", "-")


@dataclass
class ReportView:
    """Everything the reader shows about one report."""

    report: ReportInfo
    text: str
    sections: list[ReaderSection]
    sentences: list[SentenceInfo]
    highlights: dict[str, list[Highlight]]
    """Sentence IRI → placed highlights, in text order."""
    badges: dict[str, list[Highlight]]
    """Sentence IRI → facts marked after the sentence (no words found to highlight)."""
    mentions: dict[str, list[str]] = field(default_factory=dict)
    """Entity IRI → sentences mentioning it, in text order."""
    facts: dict[str, list[str]] = field(default_factory=dict)
    """Fact IRI → sentences stating it."""

    def as_dict(self, index: DatasetIndex) -> dict[str, Any]:
        """The JSON twin of the reader page."""
        def hl(h: Highlight) -> dict[str, Any]:
            return {"begin": h.begin, "end": h.end, "iri": h.iri, "kind": h.kind.key,
                    "fact": h.fact, "text": self.text[h.begin:h.end] if h.end > h.begin else None}

        return {
            "report": {"id": self.report.rid, "iri": self.report.iri, "title": self.report.title,
                       "year": self.report.year, "area": self.report.area,
                       "issuer": self.report.issuer, "source_file": self.report.source_file},
            "text": self.text,
            "sections": [
                {"iri": s.iri, "begin": s.begin, "end": s.end, "level": s.level,
                 "number": s.number, "heading": s.heading, "type": s.type, "area": s.area,
                 "anchor": s.anchor}
                for s in self.sections
            ],
            "sentences": [
                {"iri": s.iri, "begin": s.begin, "end": s.end, "anchor": anchor_id(s.begin, s.end),
                 "highlights": [hl(h) for h in self.highlights.get(s.iri, [])],
                 "facts_without_words": [hl(h) for h in self.badges.get(s.iri, [])]}
                for s in self.sentences
            ],
            "mentions": [
                {"iri": iri, "label": index.label(iri).as_dict(), "kind": index.kind(iri).key,
                 "sentences": [self._anchor(s) for s in sents]}
                for iri, sents in self.mentions.items()
            ],
        }

    def _anchor(self, sentence: str) -> str:
        for s in self.sentences:
            if s.iri == sentence:
                return anchor_id(s.begin, s.end)
        return ""


def _tip(index: DatasetIndex, iri: str, extra: str | None = None) -> str:
    label = index.label(iri)
    kind = index.kind(iri)
    parts = [f"{kind.zh} {kind.en}", label.zh or label.fallback]
    if label.en:
        parts.append(label.en)
    if extra:
        parts.append(extra)
    return " · ".join(parts)


def read_report(store: Store, index: DatasetIndex, report: ReportInfo) -> ReportView:
    """Collect the text, structure, facts and mentions of ``report``."""
    ctx = ox.NamedNode(report.text)
    text_rows = rows(store, _TEXT, ctx=ctx)
    text = text_rows[0]["t"] if text_rows else ""
    sections = [
        ReaderSection(
            iri=r["sec"], begin=int(r["b"]), end=int(r["e"]), level=int(r.get("level", "1")),
            number=r.get("num", ""), heading=r.get("heading", ""), type=r.get("type"),
            area=r.get("area"),
        )
        for r in rows(store, _SECTIONS, ctx=ctx)
    ]
    sentences = sorted((s for s in index.sentences.values() if s.context == report.text),
                       key=lambda s: (s.begin, s.end))
    by_iri = {s.iri: s for s in sentences}

    names: dict[str, set[str]] = defaultdict(set)
    for r in rows(store, _INITIATIVE_NAMES, ctx=ctx):
        names[r["i"]].add(r["name"])
    wanted: dict[str, list[tuple[str, str, bool, str]]] = defaultdict(list)
    """sentence → (words, iri, is_fact, tip)."""
    facts: dict[str, list[str]] = defaultdict(list)
    fact_words: dict[tuple[str, str], set[str]] = defaultdict(set)
    fact_extra: dict[str, str] = {}
    for r in rows(store, _FACTS, ctx=ctx):
        f, sent = r["f"], r["sent"]
        if sent not in facts[f]:
            facts[f].append(sent)
        if "surface" in r:
            fact_words[(sent, f)].add(r["surface"])
        if "initiative" in r:
            fact_words[(sent, f)].update(names.get(r["initiative"], ()))
        if "value" in r:
            fact_extra[f] = r["value"] + (r.get("unit") or "")
        kind = index.kind(f).key
        if kind in ("event", "problem", "measure"):
            label = index.label(f).zh
            if label:
                fact_words[(sent, f)].add(label)
        fact_words.setdefault((sent, f), set())
    for (sent, f), words in fact_words.items():
        tip = _tip(index, f, fact_extra.get(f))
        if not words:
            wanted[sent].append(("", f, True, tip))
        for w in words:
            wanted[sent].append((w, f, True, tip))

    mentions: dict[str, list[str]] = defaultdict(list)
    for r in rows(store, _MENTIONS, ctx=ctx):
        sent, m = r["sent"], r["m"]
        if sent not in mentions[m]:
            mentions[m].append(sent)
        if "name" in r:
            wanted[sent].append((r["name"], m, False, _tip(index, m)))

    highlights: dict[str, list[Highlight]] = {}
    badges: dict[str, list[Highlight]] = {}
    for sent_iri, candidates in wanted.items():
        info = by_iri.get(sent_iri)
        if info is None:
            continue
        placed, unplaced = _place(index, info, candidates)
        highlights[sent_iri] = placed
        if unplaced:
            badges[sent_iri] = unplaced
    order = {s.iri: i for i, s in enumerate(sentences)}
    for m in mentions:
        mentions[m].sort(key=lambda s: order.get(s, 0))
    mentions_sorted = dict(sorted(mentions.items(),
                                  key=lambda kv: (_kind_order(index.kind(kv[0])),
                                                  order.get(kv[1][0], 0))))
    return ReportView(report, text, sections, sentences, highlights, badges,
                      mentions_sorted, dict(facts))


def _kind_order(kind: Kind) -> int:
    for i, k in enumerate(KINDS):
        if k.key == kind.key:
            return i
    return len(KINDS)


def _place(
    index: DatasetIndex, sentence: SentenceInfo, candidates: list[tuple[str, str, bool, str]]
) -> tuple[list[Highlight], list[Highlight]]:
    """Choose non-overlapping highlights in one sentence: facts first, longer words first."""
    taken: list[tuple[int, int]] = []
    placed: list[Highlight] = []
    done: set[str] = set()
    ordered = sorted(candidates, key=lambda c: (not c[2], -len(c[0]), c[1], c[0]))
    for words, iri, is_fact, tip in ordered:
        if not words:
            continue
        start = sentence.quote.find(words)
        while start >= 0:
            b, e = sentence.begin + start, sentence.begin + start + len(words)
            if all(e <= tb or b >= te for tb, te in taken):
                taken.append((b, e))
                placed.append(Highlight(b, e, iri, index.kind(iri), is_fact, tip))
                done.add(iri)
                if is_fact:
                    break  # a fact is marked once per sentence
            start = sentence.quote.find(words, start + 1)
    unplaced: list[Highlight] = []
    for _, iri, is_fact, tip in ordered:
        if is_fact and iri not in done and all(h.iri != iri for h in unplaced):
            unplaced.append(Highlight(sentence.end, sentence.end, iri, index.kind(iri), True,
                                      tip))
    placed.sort(key=lambda h: h.begin)
    return placed, unplaced


# --------------------------------------------------------------------------- HTML


@dataclass
class _Block:
    kind: str  # "title" | "heading" | "para"
    begin: int
    end: int
    section: ReaderSection | None = None
    bold_end: int | None = None


def _blocks(view: ReportView) -> list[_Block]:
    text = view.text
    starts = {s.begin: s for s in sorted(view.sections, key=lambda s: (s.begin, -s.end))}
    first_section = min((s.begin for s in view.sections), default=len(text))
    blocks: list[_Block] = []
    pos = 0
    in_title = True
    for line in text.split("\n"):
        begin, end = pos, pos + len(line)
        pos = end + 1
        stripped = line.strip()
        if not stripped:
            continue
        lead = begin + (len(line) - len(line.lstrip()))
        section = next((starts[b] for b in range(begin, lead + 1) if b in starts), None)
        if in_title and (section is not None or len(stripped) > 40 or lead >= first_section):
            in_title = False
        if in_title:
            blocks.append(_Block("title", lead, end))
            continue
        if section is not None:
            heading_at = text.find(section.heading, lead, end) if section.heading else -1
            heading_end = heading_at + len(section.heading) if heading_at >= 0 else lead
            rest = text[heading_end:end].strip(" 。:：\u3000\xa0")
            if not rest:
                blocks.append(_Block("heading", lead, end, section))
                continue
            blocks.append(_Block("para", lead, end, section, heading_end))
            continue
        blocks.append(_Block("para", lead, end))
    return blocks


def render_text(view: ReportView) -> Markup:
    """The report as HTML: title, headings, paragraphs; sentences and highlights inside."""
    out: list[str] = []
    for block in _blocks(view):
        inner = _inline(view, block.begin, block.end, block.bold_end)
        if block.kind == "title":
            out.append(f'<p class="title">{inner}</p>')
        elif block.kind == "heading" and block.section is not None:
            level = min(5, block.section.level + 1)
            out.append(f'<h{level} id="{block.section.anchor}">{inner}</h{level}>')
        elif block.section is not None:
            out.append(f'<p id="{block.section.anchor}" class="has-heading">{inner}</p>')
        else:
            out.append(f"<p>{inner}</p>")
    return Markup("\n".join(out))


def _inline(view: ReportView, begin: int, end: int, bold_end: int | None) -> str:
    """HTML of text[begin:end]: sentence spans (outer), bold heading, highlights (inner)."""
    text = view.text
    sentences = [s for s in view.sentences if s.end > begin and s.begin < end]
    lights = [h for s in sentences for h in view.highlights.get(s.iri, [])
              if h.begin >= begin and h.end <= end]
    cuts = {begin, end}
    for s in sentences:
        cuts.update(x for x in (s.begin, s.end) if begin < x < end)
    for h in lights:
        cuts.update((h.begin, h.end))
    if bold_end is not None and begin < bold_end < end:
        cuts.add(bold_end)
    points = sorted(cuts)
    html: list[str] = []
    open_stack: list[tuple[str, object]] = []  # (level name, identity)
    opened_ids: set[str] = set()

    def close_to(depth: int) -> None:
        while len(open_stack) > depth:
            level, ident = open_stack.pop()
            if level == "sent":
                sentence = ident
                assert isinstance(sentence, SentenceInfo)
                html.append("</span>")
            elif level == "bold":
                html.append("</strong>")
            else:
                html.append("</a>")

    for a, b in itertools.pairwise(points):
        if a >= b:
            continue
        sent = next((s for s in sentences if s.begin <= a < s.end), None)
        bold = bold_end is not None and a < bold_end
        light = next((h for h in lights if h.begin <= a < h.end), None)
        wanted: list[tuple[str, object]] = []
        if sent is not None:
            wanted.append(("sent", sent))
        if bold:
            wanted.append(("bold", True))
        if light is not None:
            wanted.append(("light", light))
        depth = 0
        while depth < min(len(open_stack), len(wanted)) and open_stack[depth] == wanted[depth]:
            depth += 1
        close_to(depth)
        for level, ident in wanted[depth:]:
            if level == "sent":
                assert isinstance(ident, SentenceInfo)
                aid = anchor_id(ident.begin, ident.end)
                id_attr = "" if aid in opened_ids else f' id="{aid}"'
                opened_ids.add(aid)
                tint = "".join(f" s-{k}" for k in sorted(
                    {h.kind.key for h in view.badges.get(ident.iri, [])}))
                html.append(f'<span class="sent{tint}"{id_attr} '
                            f'data-sentence="{escape(ident.iri)}">')
            elif level == "bold":
                html.append('<strong class="inline-heading">')
            else:
                assert isinstance(ident, Highlight)
                html.append(_light_open(ident))
            open_stack.append((level, ident))
        html.append(str(escape(text[a:b])))
        if sent is not None and b == sent.end:
            close_to(1)
            html.append(_sentence_tail(view, sent))
    close_to(0)
    return "".join(html)


def _light_open(h: Highlight) -> str:
    cls = "fact" if h.fact else "fact mention"
    return (f'<a class="{cls} k-{h.kind.key}" style="--kind: {h.kind.color}" '
            f'href="{escape(page_url(h.iri))}" data-kind="{h.kind.key}" '
            f'data-iri="{escape(h.iri)}" title="{escape(h.tip)}">')


def _sentence_tail(view: ReportView, sentence: SentenceInfo) -> str:
    parts = []
    for h in view.badges.get(sentence.iri, []):
        parts.append(f'{_light_open(h)}<span class="badge bi"><span class="l-zh">'
                     f'{escape(h.kind.zh)}</span><span class="l-en">{escape(h.kind.en)}'
                     "</span></span></a>")
    aid = anchor_id(sentence.begin, sentence.end)
    parts.append(f'<a class="sent-link" href="#{aid}" aria-label="link to this sentence">¶</a>')
    return "".join(parts)
