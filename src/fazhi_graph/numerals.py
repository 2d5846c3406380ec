"""Chinese numerals: ``十二`` → 12, ``三百`` → 300, ``两`` → 2, ``一千零五`` → 1005.

>>> [chinese_to_int(s) for s in ["十二", "三百", "两", "二十五", "一千零五", "1.5万"]]
[12, 300, 2, 25, 1005, None]
"""

from __future__ import annotations

__all__ = ["CN_DIGITS", "CN_NUMERAL_CHARS", "ORDINALS", "chinese_to_int"]

CN_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
CN_NUMERAL_CHARS = "".join(CN_DIGITS) + "".join(_UNITS) + "".join(_BIG)
"""Every character that can be part of a Chinese numeral."""

ORDINALS = ("", *"一二三四五六七八九十", *(f"十{d}" for d in "一二三四五六七八九"), "二十")
"""``ORDINALS[n]`` is the Chinese numeral for ``n`` (1–20)."""


def chinese_to_int(text: str) -> int | None:
    """The integer a Chinese numeral denotes, or ``None`` if ``text`` is not one."""
    if not text or any(c not in CN_NUMERAL_CHARS for c in text):
        return None
    total = 0
    section = 0
    digit: int | None = None
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in _UNITS:
            section += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _BIG[ch]
            section = 0
            digit = None
    if digit is not None:
        # 二十五 → 25; a lone digit string like 二〇二〇 reads digit by digit
        if len(text) > 1 and all(c in CN_DIGITS for c in text):
            value = 0
            for c in text:  # arithmetic, not int(str): no limit on the number of digits
                value = value * 10 + CN_DIGITS[c]
            return value
        section += digit
    return total + section
