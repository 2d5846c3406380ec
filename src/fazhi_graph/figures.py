"""A figure as a report states it, and the interval of values it stands for.

A stated number stands for every value that rounds to it: with *k* decimals written, half a
unit in the last place on either side (``72.7`` → [72.65, 72.75]). A percentage is always taken
as rounded; a count written as a whole number without 万/亿 is exact; ``2.47万`` stands for
[24650, 24750]. Hedges open an end: 超过/余/多 (``fzq:MoreThan``) has no upper bound, 近
(``fzq:ApproachingFromBelow``) no lower bound, 约 (``fzq:About``) neither.

>>> f = Figure("x", "g", "r", Decimal("72.7"), 0, 1, "Exact", str(UNIT.PERCENT), "", "", "", "")
>>> [str(x) for x in (f.interval.lo, f.interval.hi)]
['1453/20', '291/4']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from fazhi_graph.namespaces import UNIT

__all__ = ["Figure", "Interval", "decimals_written"]


@dataclass(frozen=True)
class Interval:
    """A closed interval of rationals; ``None`` is an open end (−∞ or +∞).

    >>> Interval(Fraction(1), Fraction(2)).meets(Interval(Fraction(2), None))
    True
    >>> Interval(Fraction(1), Fraction(2)).meets(Interval(None, Fraction(0)))
    False
    """

    lo: Fraction | None
    hi: Fraction | None

    def meets(self, other: Interval) -> bool:
        """Whether the two intervals share a value."""
        below = self.hi is not None and other.lo is not None and self.hi < other.lo
        above = self.lo is not None and other.hi is not None and self.lo > other.hi
        return not (below or above)

    def widened(self, by: Fraction) -> Interval:
        """The interval with ``by`` added on each closed end."""
        return Interval(
            None if self.lo is None else self.lo - by, None if self.hi is None else self.hi + by
        )

    @property
    def half_width(self) -> Fraction | None:
        """Half the length, ``None`` when an end is open."""
        if self.lo is None or self.hi is None:
            return None
        return (self.hi - self.lo) / 2


@dataclass(frozen=True)
class Figure:
    """An observation's value as written, with what the checks need to know about it."""

    iri: str
    graph: str
    report: str
    value: Decimal
    """``sdmx-measure:obsValue`` (before ``unitMult``)."""
    mult: int
    """``sdmx-attribute:unitMult`` (0 when absent)."""
    decimals: int
    """Decimal places as written (from ``fz:surfaceForm``, else from the value)."""
    qualifier: str
    """Local name of ``fz:valueQualifier`` (``Exact`` when absent)."""
    unit: str
    stat: str
    direction: str
    indicator: str
    surface: str
    """``fz:surfaceForm``, or the value when absent."""

    @property
    def is_percent(self) -> bool:
        """Whether the unit is ``unit:PERCENT``."""
        return self.unit == str(UNIT.PERCENT)

    @property
    def scaled(self) -> Fraction:
        """The value with 万/亿 multiplied out."""
        return Fraction(self.value) * Fraction(10) ** self.mult

    @property
    def rounding(self) -> Fraction:
        """Half a unit in the last written place (scaled); 0 for an exact whole count."""
        if self.decimals == 0 and self.mult == 0 and not self.is_percent:
            return Fraction(0)
        return Fraction(1, 2) * Fraction(10) ** (self.mult - self.decimals)

    @property
    def interval(self) -> Interval:
        """Every value the figure, as written and hedged, can stand for."""
        v, h = self.scaled, self.rounding
        if self.qualifier == "MoreThan":
            return Interval(v - h, None)
        if self.qualifier == "ApproachingFromBelow":
            return Interval(None, v + h)
        if self.qualifier == "About":
            return Interval(None, None)
        return Interval(v - h, v + h)


_NUMBER = re.compile(r"\d+(?:\.(\d+))?")


def decimals_written(surface: str, lexical: str) -> int:
    """Decimal places as written: the surface form's first number wins, else the value's.

    >>> [decimals_written(s, v) for s, v in [("20.0%", "20"), ("近千万元", "1000"), ("", "7.25")]]
    [1, 0, 2]
    """
    match = _NUMBER.search(unicodedata.normalize("NFKC", surface))
    if match:
        return len(match.group(1) or "")
    return len(lexical.partition(".")[2])
