"""Tidy tables for analysis: one record per observation, for pandas, R, Stata and Excel.

:func:`observations` returns plain dictionaries (the columns are :data:`COLUMNS`, in order);
:func:`observations_frame` the same as a pandas DataFrame when pandas is installed (it is not a
dependency: ``pip install pandas``); :func:`write_csv` writes them as CSV.

CSV encoding
    UTF-8 *with* a byte-order mark (``utf-8-sig``), comma-separated, CRLF line ends (RFC 4180).
    Excel on Chinese Windows opens a BOM-less UTF-8 CSV as GBK and shows mojibake; with the
    BOM it shows the Chinese. pandas (``read_csv``), R (``readr::read_csv``, or ``read.csv``
    with ``fileEncoding = "UTF-8-BOM"``), Python's ``csv`` with ``encoding="utf-8-sig"`` and
    Stata 16+ (``import delimited``, ``encoding(utf-8)``) all read it.

>>> from fazhi_graph.store import open_store
>>> observations(open_store(backend="memory"))
[]
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING, Any

from fazhi_graph.errors import FazhiError
from fazhi_graph.observation_query import observation_query
from fazhi_graph.sources import observation_sources, report_binding, select, text
from fazhi_graph.store import Store, Term

if TYPE_CHECKING:
    import pandas

__all__ = ["COLUMNS", "observations", "observations_frame", "write_csv"]

COLUMNS: tuple[str, ...] = (
    "report",
    "issuer",
    "area",
    "level",
    "year",
    "observation",
    "indicator",
    "indicator_id",
    "indicator_zh",
    "indicator_en",
    "value",
    "unit",
    "unit_mult",
    "measure_word",
    "unit_text",
    "counted_thing",
    "qualifier",
    "stat_type",
    "direction",
    "period",
    "ref_area",
    "surface_form",
    "numerator",
    "denominator",
    "comparison_of",
    "sentence",
    "begin",
    "end",
    "sentences",
)
"""The columns of a record, in order.

``report`` is the report id (``chengdongqu-2020``); ``issuer``, ``area`` (the reporting area's
Chinese name), ``level`` (its ``fzl:`` division level, e.g. ``District``) and ``year`` describe
the report. ``indicator`` is the indicator IRI, ``indicator_id`` its last segment (ids starting
``x-`` were minted from the text and await review) and ``indicator_zh``/``indicator_en`` its
labels. ``value`` is the magnitude as stated (a :class:`~decimal.Decimal`), to be multiplied by
``10 ** unit_mult`` (4 for 万, 8 for 亿, empty for none); a change is signed by ``direction``
(``Increase``/``Decrease``). ``unit`` is ``NUM``, ``PERCENT``, ``CNY`` or ``PercentagePoint``;
``measure_word`` the classifier (件, 人次), ``unit_text`` the unit as written (万元). ``qualifier``
(``Exact``, ``About``, ``MoreThan``, ``ApproachingFromBelow``) and ``stat_type`` (``Level``,
``Cumulative``, ``Rate``, ``ChangePctVsBase``, ``ChangeAbsVsBase``) are the local names of
their concepts; ``period`` the period label (``2020`` or ``2018-2020``); ``ref_area`` the Chinese
name of the area the figure is about. ``numerator``, ``denominator`` and ``comparison_of`` are
the observation IRIs a rate is computed from and a change compares with. ``sentence``,
``begin`` and ``end`` are the first sentence stating it (its exact quote and code-point offsets
into the report text) and ``sentences`` the number of sentences that state it.
"""

_OBSERVATIONS = observation_query(
    "u", "mult", "mw", "ut", "q", "t", "dir", "period", "ind", "sf", "place", "num", "den",
    "base", "counted",
)

_REPORTS = """
SELECT ?g ?report ?issuer ?year ?area ?level WHERE {
  GRAPH ?g {
    ?report a fz:AnnualReport .
    OPTIONAL { ?report fz:issuerName ?issuer }
    OPTIONAL { ?report fz:reportingYear ?year }
    OPTIONAL { ?report fz:reportingArea ?area }
  }
  OPTIONAL { ?area fz:divisionLevel ?level }
} ORDER BY ?g ?report ?issuer ?year ?area ?level
"""

_LABELS = """
SELECT DISTINCT ?g ?x ?p ?l WHERE {
  {
    GRAPH ?g { ?o a qb:Observation ; ?link ?x }
    VALUES ?link { fz:indicator sdmx-dimension:refArea sdmx-dimension:refPeriod }
  } UNION {
    GRAPH ?g { ?r a fz:AnnualReport ; fz:reportingArea ?x }
  }
  ?x ?p ?l .
  VALUES ?p { skos:prefLabel rdfs:label }
} ORDER BY ?x ?p ?l ?g
"""


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri)[-1] if iri else ""


class _Labels:
    """IRI → label per language, ``skos:prefLabel`` before ``rdfs:label``."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self._labels: dict[tuple[str, str], tuple[int, str]] = {}
        for row in rows:
            term = row["l"]
            lang = getattr(term, "language", None) or ""
            rank = 0 if text(row["p"]).endswith("prefLabel") else 1
            key = (text(row["x"]), lang)
            if key not in self._labels or (rank, text(term)) < self._labels[key]:
                self._labels[key] = (rank, text(term))

    def get(self, iri: str, lang: str) -> str:
        """The label of ``iri`` in ``lang`` (``""``: untagged), or ``""``."""
        found = self._labels.get((iri, lang))
        return found[1] if found else ""

    def zh(self, iri: str) -> str:
        """Chinese label, else an untagged one."""
        return self.get(iri, "zh") or self.get(iri, "")


def _reports(store: Store, bound: Mapping[str, Term], labels: _Labels) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for row in select(store, _REPORTS, bound):
        graph = text(row["g"])
        if graph in out:
            continue
        year = text(row["year"])
        out[graph] = {
            "issuer": text(row["issuer"]),
            "area": labels.zh(text(row["area"])),
            "level": _local(text(row["level"])),
            "year": int(year) if year.isdigit() else None,
        }
    return out


def observations(store: Store, *, report: str | None = None) -> list[dict[str, Any]]:
    """One record per observation (columns :data:`COLUMNS`), sorted by report and position.

    ``report`` (an id such as ``chengdongqu-2020``, a report IRI or a report graph IRI)
    restricts the records to one report. Missing values are ``None``.
    """
    bound = report_binding(store, report)
    labels = _Labels(select(store, _LABELS, bound))
    reports = _reports(store, bound, labels)
    sources = observation_sources(store, bound)
    records: dict[str, dict[str, Any]] = {}
    counted: dict[str, set[str]] = {}
    for row in select(store, _OBSERVATIONS, bound):
        iri = text(row["o"])
        if text(row["counted"]):
            counted.setdefault(iri, set()).add(text(row["counted"]))
        if iri in records:
            continue
        graph = text(row["g"])
        meta = reports.get(graph, {})
        indicator = text(row["ind"])
        said = sources.get(iri, [])
        first = said[0] if said else None
        mult = text(row["mult"])
        try:
            value: Decimal | None = Decimal(text(row["v"]))
        except InvalidOperation:
            value = None
        records[iri] = {
            "report": graph.rstrip("/").rsplit("/", 1)[-1],
            "issuer": meta.get("issuer") or None,
            "area": meta.get("area") or None,
            "level": meta.get("level") or None,
            "year": meta.get("year"),
            "observation": iri,
            "indicator": indicator or None,
            "indicator_id": _local(indicator) or None,
            "indicator_zh": labels.zh(indicator) or None,
            "indicator_en": labels.get(indicator, "en") or None,
            "value": value,
            "unit": _local(text(row["u"])) or None,
            "unit_mult": int(mult) if mult.lstrip("-").isdigit() else None,
            "measure_word": text(row["mw"]) or None,
            "unit_text": text(row["ut"]) or None,
            "counted_thing": None,
            "qualifier": _local(text(row["q"])) or None,
            "stat_type": _local(text(row["t"])) or None,
            "direction": _local(text(row["dir"])) or None,
            "period": labels.zh(text(row["period"])) or _local(text(row["period"])) or None,
            "ref_area": labels.zh(text(row["place"])) or None,
            "surface_form": text(row["sf"]) or None,
            "numerator": text(row["num"]) or None,
            "denominator": text(row["den"]) or None,
            "comparison_of": text(row["base"]) or None,
            "sentence": first.quote if first else None,
            "begin": first.begin if first else None,
            "end": first.end if first else None,
            "sentences": len(said),
        }
    for iri, things in counted.items():
        records[iri]["counted_thing"] = "；".join(sorted(things))
    return sorted(
        records.values(),
        key=lambda r: (r["report"], r["begin"] is None, r["begin"] or 0, r["observation"]),
    )


def observations_frame(store: Store, *, report: str | None = None) -> pandas.DataFrame:
    """:func:`observations` as a pandas DataFrame (``value`` as float, counts as ``Int64``).

    Raises :class:`~fazhi_graph.errors.FazhiError` when pandas is not installed.
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise FazhiError(
            "observations_frame needs pandas, which is not installed; run "
            "`pip install pandas`, or use fazhi_graph.tables.observations() for plain records"
        ) from exc
    frame = pd.DataFrame(observations(store, report=report), columns=list(COLUMNS))
    frame["value"] = pd.to_numeric(frame["value"].map(_float), errors="coerce")
    for column in ("year", "unit_mult", "begin", "end", "sentences"):
        frame[column] = frame[column].astype("Int64")
    return frame


def _float(value: object) -> float | None:
    return float(value) if isinstance(value, Decimal) else None


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def write_csv(records: Iterable[Mapping[str, Any]], out: IO[bytes]) -> None:
    """Write ``records`` (columns :data:`COLUMNS`) to the binary stream ``out`` as CSV.

    UTF-8 with a BOM (see the module docstring); ``None`` becomes an empty cell and decimals
    keep their stated digits.
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([_cell(record.get(c)) for c in COLUMNS])
    out.write(buffer.getvalue().encode("utf-8-sig"))
