"""ASCII slugs for IRIs: pinyin of Chinese names, stable across runs.

>>> slugify("城东区")
'chengdongqu'
>>> slugify("区政府法律顾问团")
'quzhengfufalvguwentuan'
>>> slugify("“互联网+政务”")
'hulianwang-zhengwu'
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Any

from pypinyin import Style, lazy_pinyin

__all__ = ["pinyin_label", "slugify"]

_MAX = 60


def _keep_chars(text: str) -> Any:
    """pypinyin error handler: keep non-Chinese characters one by one."""
    return list(text)


def _keep(text: str) -> Any:
    """pypinyin error handler: keep non-Chinese runs as they are."""
    return [text]


@lru_cache(maxsize=8192)
def slugify(text: str) -> str:
    """A lowercase ASCII slug; long names are cut and suffixed with a short hash."""
    parts = lazy_pinyin(text, style=Style.NORMAL, errors=_keep_chars)
    out: list[str] = []
    word = ""
    for p in parts:
        p = p.lower()
        if re.fullmatch(r"[a-z]+", p) or re.fullmatch(r"[0-9a-z]+", p):
            word += p
        else:
            if word:
                out.append(word)
            word = ""
    if word:
        out.append(word)
    joined = "-".join(_chunk(out))
    if not joined:
        joined = "x" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    if len(joined) > _MAX:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
        joined = joined[: _MAX - 7].rstrip("-") + "-" + digest
    return joined


def _chunk(words: list[str]) -> list[str]:
    # lazy_pinyin yields one syllable per character; re-join into ~word-sized chunks of 2-4
    # syllables is not knowable without a dictionary, so keep runs between punctuation.
    return words


@lru_cache(maxsize=8192)
def pinyin_label(text: str) -> str:
    """Hanyu pinyin with tone marks, syllables of a word joined, e.g. ``Chéngdōngqū``."""
    parts = lazy_pinyin(text, style=Style.TONE, errors=_keep)
    label = "".join(p if not p.isspace() else " " for p in parts)
    return label[:1].upper() + label[1:]
