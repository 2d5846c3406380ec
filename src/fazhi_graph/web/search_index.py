"""Chinese-aware search over names (zh, en, pinyin) and report sentences.

Chinese has no spaces, so words cannot be split on them: the index keys every text by its
character *bigrams* (and single characters), which finds ``行政复议`` inside
``行政复议案件办理`` and ranks ``复议机关`` for the query ``复议`` without a segmenter.

Ranking, per query term, best field of a document:

* exact match 100, prefix 85, substring 60-80 (shorter texts first),
* otherwise, for Chinese terms, the share of the term's bigrams the text contains (at least
  half) times 45,

weighted by field (preferred name 1.0, other names 0.9, pinyin 0.85, search-only
``skos:hiddenLabel`` 0.6, sentence 0.55); every term of a query must match. Pinyin is compared
without tones and spaces, so ``chengdong`` finds ``Chéngdōngqū``.

>>> idx = SearchIndex()
>>> idx.add_resource("a", kind="body", names=[("行政复议委员会", "zh", 1.0)])
>>> idx.add_resource("b", kind="body", names=[("复议", "zh", 1.0)])
>>> idx.add_sentence("s", "依法办理行政复议案件。")
>>> [h.key for h in idx.search("复议")]
['b', 'a', 's']
>>> highlight_spans("依法办理行政复议案件", ["复议"])
[(6, 8)]
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "Hit",
    "SearchIndex",
    "fold",
    "highlight_spans",
    "terms_of",
]

FIELD_WEIGHTS = {"pref": 1.0, "name": 0.9, "pinyin": 0.85, "hidden": 0.6, "sentence": 0.55}
"""How much a match in each field counts."""


def fold(text: str) -> str:
    """Normalise for matching: NFKC, lower case, tones and spaces removed from Latin text.

    >>> fold("Chéngdōng Qū"), fold("ＡＢＣ 行政")
    ('chengdongqu', 'abc行政')
    """
    text = unicodedata.normalize("NFKC", text).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(unicodedata.normalize("NFC", stripped).split())


def terms_of(query: str) -> list[str]:
    """The terms of a query (split on whitespace and the Chinese comma), folded, non-empty.

    >>> terms_of(" 行政 复议，Court ")
    ['行政', '复议', 'court']
    """
    for sep in "，,、;；":
        query = query.replace(sep, " ")
    return [t for t in (fold(part) for part in query.split()) if t]


def _grams(text: str) -> set[str]:
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass
class _Doc:
    key: str
    kind: str
    fields: list[tuple[str, str, str]]
    """(folded text, original text, field name)."""


@dataclass
class Hit:
    """A ranked search result."""

    key: str
    """The resource or sentence IRI."""
    kind: str
    score: float
    field: str
    """Which field matched best (``pref``, ``name``, ``pinyin``, ``hidden``, ``sentence``)."""
    text: str
    """The original text of that field."""


@dataclass
class SearchIndex:
    """Documents (resources with names, sentences) keyed by their bigrams."""

    docs: list[_Doc] = field(default_factory=list)
    grams: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    chars: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def _add(self, doc: _Doc) -> None:
        number = len(self.docs)
        self.docs.append(doc)
        for folded, _, _ in doc.fields:
            for gram in _grams(folded):
                self.grams[gram].add(number)
            for char in set(folded):
                self.chars[char].add(number)

    def add_resource(self, key: str, *, kind: str, names: Iterable[tuple[str, str, float]]) -> None:
        """Index a resource by its names: ``(text, field, weight)`` with field ``zh``/``en``
        (preferred names), ``alt``, ``pinyin`` or ``hidden``."""
        fields: list[tuple[str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for text, which, _ in names:
            name = {"zh": "pref", "en": "pref", "alt": "name"}.get(which, which)
            folded = fold(text)
            if folded and (folded, name) not in seen:
                seen.add((folded, name))
                fields.append((folded, text, name))
        if fields:
            self._add(_Doc(key, kind, fields))

    def add_sentence(self, key: str, text: str) -> None:
        """Index a report sentence."""
        folded = fold(text)
        if folded:
            self._add(_Doc(key, "sentence", [(folded, text, "sentence")]))

    def __len__(self) -> int:
        return len(self.docs)

    def _candidates(self, term: str) -> set[int]:
        if len(term) == 1:
            return set(self.chars.get(term, ()))
        found: set[int] = set()
        for gram in _grams(term):
            found |= self.grams.get(gram, set())
        return found

    def search(
        self, query: str, *, kinds: Sequence[str] | None = None, limit: int | None = None
    ) -> list[Hit]:
        """Rank the documents matching every term of ``query`` (best first)."""
        terms = terms_of(query)
        if not terms:
            return []
        candidates: set[int] | None = None
        for term in terms:
            found = self._candidates(term)
            candidates = found if candidates is None else candidates & found
        hits: list[Hit] = []
        for number in sorted(candidates or ()):
            doc = self.docs[number]
            if kinds and doc.kind not in kinds:
                continue
            total, best = 0.0, (0.0, "", "")
            for term in terms:
                score, fld, text = _best_field(doc, term)
                if score <= 0:
                    break
                total += score
                if score > best[0]:
                    best = (score, fld, text)
            else:
                hits.append(Hit(doc.key, doc.kind, round(total / len(terms), 2), best[1], best[2]))
        hits.sort(key=lambda h: (-h.score, len(h.text), h.key))
        return hits[:limit] if limit is not None else hits


def _best_field(doc: _Doc, term: str) -> tuple[float, str, str]:
    best = (0.0, "", "")
    for folded, text, name in doc.fields:
        score = _score(folded, term) * FIELD_WEIGHTS.get(name, 0.5)
        if score > best[0]:
            best = (score, name, text)
    return best


def _score(text: str, term: str) -> float:
    if text == term:
        return 100.0
    if text.startswith(term):
        return 85.0 - min(10.0, (len(text) - len(term)) / 2)
    if term in text:
        return 60.0 + 20.0 * len(term) / len(text)
    grams = _grams(term)
    if len(term) < 3 or not grams or not _is_cjk(term):
        return 0.0
    share = sum(1 for g in grams if g in text) / len(grams)
    return 45.0 * share if share >= 0.5 else 0.0


def _is_cjk(text: str) -> bool:
    """Whether ``text`` has a CJK character (fuzzy bigram matching is for those only)."""
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def highlight_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Spans of ``text`` to highlight for ``terms`` (whole terms, else their bigrams), merged.

    Matching ignores case; terms are matched as given (fold them for pinyin yourself).

    >>> highlight_spans("Chengdong District", ["district"])
    [(10, 18)]
    >>> highlight_spans("行政执法案卷评查", ["执法评查"])
    [(2, 4), (6, 8)]
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = text
    spans: list[tuple[int, int]] = []
    for raw in terms:
        term = raw.lower()
        if not term:
            continue
        found = _occurrences(lowered, term)
        if not found and len(term) >= 3 and _is_cjk(term):
            for gram in _grams(term):
                found.extend(_occurrences(lowered, gram))
        spans.extend(found)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def _occurrences(text: str, term: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = text.find(term)
    while start >= 0:
        out.append((start, start + len(term)))
        start = text.find(term, start + 1)
    return out
