"""The text layer: a report as sections and sentences with code-point offsets.

``load_document(text)`` never changes the text: every :class:`Span` indexes the raw string, so
``text[span.start:span.end]`` is exactly what the report says. Matching runs on a normalised
copy of the same length (:func:`normalise`), so offsets found there hold in the original.

>>> doc = load_document("某区2020年法治政府建设情况\\n一、主要举措\\n一是完善制度。二是加强执法。")
>>> [s.title for s in doc.sections]
['主要举措']
>>> [doc.text[s.span.start:s.span.end] for s in doc.sentences][-2:]
['一是完善制度。', '二是加强执法。']
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from fazhi_graph.numerals import ORDINALS, chinese_to_int

__all__ = [
    "Document",
    "Item",
    "Section",
    "Sentence",
    "Span",
    "load_document",
    "normalise",
]


@dataclass(frozen=True, order=True)
class Span:
    """A half-open range of code points ``[start, end)`` in the raw report text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}-{self.end}")

    def __contains__(self, other: object) -> bool:
        if isinstance(other, Span):
            return self.start <= other.start and other.end <= self.end
        if isinstance(other, int):
            return self.start <= other < self.end
        return False

    @property
    def length(self) -> int:
        """Number of code points covered."""
        return self.end - self.start


@dataclass(frozen=True)
class Section:
    """A numbered part of the report (``一、`` level 1, ``（一）`` 2, ``1.`` 3, ``（1）`` 4).

    ``path`` is the occurrence index at each level (``(2, 3)`` = third subsection of the second
    top-level section), so a repeated heading number in the source still gets its own path.
    """

    path: tuple[int, ...]
    number: str
    title: str
    heading: Span
    span: Span

    @property
    def level(self) -> int:
        """Depth of the section, 1 for top level."""
        return len(self.path)


@dataclass(frozen=True)
class Item:
    """An enumerated point inside a paragraph (``一是…``, or ``二…`` after a ``；``)."""

    ordinal: int
    marker: Span
    span: Span


@dataclass(frozen=True)
class Sentence:
    """A sentence: ends at 。！？；, at a line break, or where an enumeration restarts."""

    index: int
    span: Span
    text: str
    section: tuple[int, ...]


@dataclass(frozen=True)
class Document:
    """A report's text with its structure; every span indexes ``text``."""

    text: str
    norm: str = field(repr=False)
    title: str
    sections: tuple[Section, ...]
    items: tuple[Item, ...]
    sentences: tuple[Sentence, ...]

    @property
    def sha256(self) -> str:
        """SHA-256 of the UTF-8 text, to detect a changed source."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def section(self, path: tuple[int, ...]) -> Section | None:
        """The section with this path, or ``None`` for the preamble."""
        for sec in self.sections:
            if sec.path == path:
                return sec
        return None

    def section_chain(self, path: tuple[int, ...]) -> list[Section]:
        """The section at ``path`` and its ancestors, outermost first."""
        chain = [self.section(path[:i]) for i in range(1, len(path) + 1)]
        return [s for s in chain if s is not None]

    def sentence_at(self, pos: int) -> Sentence:
        """The sentence containing code point ``pos`` (or the last one before it)."""
        best = self.sentences[0]
        for sent in self.sentences:
            if sent.span.start <= pos:
                best = sent
            else:
                break
        return best

    def quote(self, span: Span) -> str:
        """The exact text of ``span``."""
        return self.text[span.start : span.end]


_FULLWIDTH_EXTRA = {
    "\u3000": " ",
    "\u00a0": " ",
    "\u2002": " ",
    "\u2003": " ",
    "．": ".",
    "～": "~",
    "－": "-",
    "〔": "[",
    "〕": "]",
    "「": "“",
    "」": "”",
    "『": "‘",
    "』": "’",
    "﹝": "[",
    "﹞": "]",
}


def _norm_char(ch: str) -> str:
    if ch in _FULLWIDTH_EXTRA:
        return _FULLWIDTH_EXTRA[ch]
    if "\uff01" <= ch <= "\uff5e":
        return chr(ord(ch) - 0xFEE0)
    if ch.isspace() and ch not in "\n":
        return " "
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """Traditional characters as simplified ones, one code point for one (OpenCC ``t2s``).

    Conversion uses phrase context; if it ever changed the length, each character is
    converted on its own instead so that offsets still hold.
    """
    converted: str = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c2 if len(c2 := _t2s().convert(c)) == 1 else c for c in text)


def normalise(text: str) -> str:
    """The matching form of a text: simplified characters, half-width ASCII, plain spaces,
    “” for 「」; one code point for one, so offsets found in it hold in the original.

    >>> normalise("（一）出庭率７２．７％，")
    '(一)出庭率72.7%,'
    >>> normalise("「放管服」改革：區政府")
    '“放管服”改革:区政府'
    """
    return "".join(_norm_char(c) for c in _simplified(text))


_CN = "一二三四五六七八九十"
_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"([{_CN}]+)、")),
    (2, re.compile(rf"\(([{_CN}]+)\)")),
    (3, re.compile(r"(\d{1,2})[.、](?!\d)")),
    (4, re.compile(r"\((\d{1,2})\)")),
)
_TITLE_END = re.compile(r"[。!?;]|$", re.M)
_MAX_TITLE = 60


def _find_headings(norm: str) -> list[tuple[int, str, str, Span, int]]:
    """(level, number, title, heading span, body start) for every heading line."""
    found = []
    pos = 0
    for line in norm.split("\n"):
        start = pos
        pos += len(line) + 1
        stripped = line.lstrip()
        offset = start + len(line) - len(stripped)
        for level, pattern in _HEADING_PATTERNS:
            m = pattern.match(stripped)
            if not m:
                continue
            rest = stripped[m.end() :]
            end_m = _TITLE_END.search(rest)
            title_len = end_m.start() if end_m else len(rest)
            if title_len == 0:
                break
            if title_len > _MAX_TITLE:
                # a long first sentence: the heading is its first clause (or its start)
                comma = re.search(r"[,:]", rest[:_MAX_TITLE])
                title_len = comma.start() if comma else _MAX_TITLE // 2
                title = rest[:title_len].strip()
                head_end = offset + m.end()
            else:
                title = rest[:title_len].strip()
                head_end = offset + m.end() + title_len
                if end_m and end_m.group(0):
                    head_end += 1
            found.append((level, m.group(1), title, Span(offset, head_end), head_end))
            break
    return found


def _build_sections(norm: str) -> list[Section]:
    """Nest headings by their style: a heading closes every open section of its own style or
    a finer one, so a report that goes 一、 → 1. (skipping （一）) still nests correctly."""
    heads = _find_headings(norm)
    depths: list[int] = []
    stack: list[int] = []
    for level, *_ in heads:
        while stack and stack[-1] >= level:
            stack.pop()
        stack.append(level)
        depths.append(len(stack))
    sections: list[Section] = []
    counters: list[int] = []
    for i, ((_level, number, title, head, _body), depth) in enumerate(
        zip(heads, depths, strict=True)
    ):
        counters = [
            *counters[: depth - 1],
            counters[depth - 1] + 1 if len(counters) >= depth else 1,
        ]
        end = next(
            (heads[k][3].start for k in range(i + 1, len(heads)) if depths[k] <= depth), len(norm)
        )
        sections.append(Section(tuple(counters), number, title, head, Span(head.start, end)))
    return sections


_ITEM_WITH_SHI = re.compile(rf"([{_CN}]{{1,2}})是")
_CLAUSE_START = re.compile(r"(?:^|(?<=[。;!?\n%]))\s*")


def _find_items(norm: str, sections: list[Section]) -> list[Item]:
    """Enumerations 一是/二是…, tolerating a missing 是 after a clause end (``；二行政…``)."""
    items: list[Item] = []
    paragraphs = []
    pos = 0
    for line in norm.split("\n"):
        paragraphs.append((pos, line))
        pos += len(line) + 1
    for start, line in paragraphs:
        markers: list[tuple[int, int, int]] = []  # (ordinal, start, end)
        expected = 1
        i = 0
        while i < len(line):
            m = _ITEM_WITH_SHI.match(line, i)
            ordinal = chinese_to_int(m.group(1)) if m else None
            if m and ordinal == expected and (expected > 1 or _clause_start(line, i)):
                markers.append((expected, start + i, start + m.end()))
                expected += 1
                i = m.end()
                continue
            if expected > 1 and _clause_start(line, i):
                want = ORDINALS[expected] if expected < len(ORDINALS) else ""
                if want and line.startswith(want, i) and not line.startswith(want + "是", i):
                    nxt = line[i + len(want) : i + len(want) + 1]
                    if nxt and nxt not in "、.)" and not nxt.isdigit():
                        markers.append((expected, start + i, start + i + len(want)))
                        expected += 1
                        i += len(want)
                        continue
            i += 1
        for k, (ordinal, m_start, m_end) in enumerate(markers):
            end = markers[k + 1][1] if k + 1 < len(markers) else start + len(line)
            items.append(
                Item(ordinal, Span(m_start, m_end), Span(m_start, _rstrip(norm, m_start, end)))
            )
    return items


def _clause_start(line: str, i: int) -> bool:
    j = i - 1
    while j >= 0 and line[j] == " ":
        j -= 1
    return j < 0 or line[j] in "。;!?:%)"


def _rstrip(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


_SENT_END = set("。!?;")


def _split_sentences(norm: str, items: list[Item], sections: list[Section]) -> list[Span]:
    breaks = {0, len(norm)}
    breaks.update(it.marker.start for it in items)
    for sec in sections:
        breaks.update((sec.heading.start, sec.heading.end))
    # a percentage run straight into the next figure (``13%64项``) starts a new sentence
    breaks.update(m.end() for m in re.finditer(r"%(?=\d)", norm))
    start = 0
    for i, ch in enumerate(norm):
        if ch == "\n":
            breaks.update((i, i + 1))
            start = i + 1
        elif ch in _SENT_END and not _inside_title(norm, start, i):
            end = i + 1
            while end < len(norm) and norm[end] in "”’)》":
                end += 1
            breaks.add(end)
            start = end
    spans: list[Span] = []
    ordered = sorted(breaks)
    for a, b in itertools.pairwise(ordered):
        while a < b and norm[a].isspace():
            a += 1
        while b > a and norm[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append(Span(a, b))
    return spans


def _inside_title(norm: str, start: int, i: int) -> bool:
    """A 。 inside 《…》 does not end the sentence."""
    return norm.count("《", start, i) > norm.count("》", start, i)


def _section_of(sections: list[Section], span: Span) -> tuple[int, ...]:
    best: tuple[int, ...] = ()
    for sec in sections:
        inside = sec.span.start <= span.start < max(sec.span.end, sec.span.start + 1)
        if inside and len(sec.path) >= len(best):
            best = sec.path
    return best


def _title(text: str, sections: list[Section]) -> str:
    first = sections[0].heading.start if sections else len(text)
    head = text[:first]
    lines = [ln.strip() for ln in head.split("\n")]
    title_lines: list[str] = []
    for ln in lines:
        if not ln:
            continue
        if len(ln) > 40 or ln.endswith(("：", ":")):
            break
        title_lines.append(ln)
        if len(title_lines) == 3:
            break
    return "".join(title_lines)


def load_document(text: str) -> Document:
    """Split a report's text into sections, enumerated items and sentences.

    Pure and deterministic; works on any text (an empty text gives an empty document).
    """
    norm = normalise(text)
    sections = _build_sections(norm)
    items = _find_items(norm, sections)
    spans = _split_sentences(norm, items, sections)
    sentences = tuple(
        Sentence(i, sp, text[sp.start : sp.end], _section_of(sections, sp))
        for i, sp in enumerate(spans)
    )
    return Document(
        text=text,
        norm=norm,
        title=_title(text, sections),
        sections=tuple(sections),
        items=tuple(items),
        sentences=sentences,
    )
