"""Reading a report file: checks (UTF-8, not empty, of the genre) and metadata from its title."""

from __future__ import annotations

import re
from pathlib import Path

from fazhi_graph.document import normalise
from fazhi_graph.errors import OffGenreError, ReportFileError
from fazhi_graph.facts import ReportMeta
from fazhi_graph.numerals import chinese_to_int
from fazhi_graph.slug import slugify

__all__ = ["guess_meta", "read_report", "report_id"]

_GENRE_WORDS = ("法治政府", "依法行政", "法治建设")
_MIN_CHARS = 200
_ISSUER = re.compile(
    r"([\u4e00-\u9fff]{1,8}?(?:省|市|自治州|州|盟|县|自治县|旗|区|镇|乡))"
    r"((?:人民政府|政府)|[\u4e00-\u9fff]{1,8}?(?:局|委员会|厅|办公室|委))?"
)
_YEAR = re.compile(r"(20\d\d|19\d\d|二[〇零]\S{2})\s*年")


def read_report(path: Path) -> str:
    """The text of a report file, or a :class:`ReportFileError`/:class:`OffGenreError` that
    names the file and the problem."""
    name = str(path)
    if not path.exists():
        raise ReportFileError(name, "file not found; check the path or the catalogue entry")
    if path.is_dir():
        raise ReportFileError(name, "is a directory, not a report text file")
    data = path.read_bytes()
    if not data.strip():
        raise ReportFileError(name, "file is empty; a report needs its full text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportFileError(
            name, f"not UTF-8 (byte {exc.start}); convert it, e.g. iconv -f GB18030 -t UTF-8"
        ) from exc
    if text.startswith("\ufeff"):
        raise ReportFileError(name, "starts with a byte-order mark; save it as UTF-8 without BOM")
    check_genre(text, name)
    return text


def check_genre(text: str, name: str) -> None:
    """Raise :class:`OffGenreError` unless the text reads like a rule-of-law annual report."""
    if "\x00" in text:
        raise ReportFileError(name, "contains NUL bytes; this is a binary file, not a report text")
    if len(text.strip()) < _MIN_CHARS:
        raise OffGenreError(name, f"only {len(text.strip())} characters; too short for a report")
    head = text[:400]
    if not any(w in text for w in _GENRE_WORDS) or not any(w in head for w in ("法治", "依法")):
        raise OffGenreError(
            name,
            "does not read as a 法治政府建设 annual report (no 法治政府/依法行政 in its title)",
        )


def report_id(area: str, year: int, issuer: str = "") -> str:
    """Stable report id: pinyin of the area, the issuer when it is not the government, the year."""
    parts = [slugify(area)]
    if issuer and not issuer.endswith(("人民政府", "政府")) and issuer.startswith(area):
        parts.append(slugify(issuer[len(area) :]))
    return "-".join([*parts, str(year)])


def guess_meta(text: str, source_file: str = "") -> dict[str, str | int]:
    """Issuer, area, year and level read from the report's title lines (only what is found)."""
    # read on the normalised form: 「區人民政府」 and 区人民政府 are the same issuer
    head = "".join(line.strip() for line in normalise(text[:300]).splitlines()[:4])
    found: dict[str, str | int] = {}
    m = _ISSUER.search(head)
    if m:
        area = m.group(1)
        found["area"] = area
        found["issuer"] = area + (m.group(2) or "人民政府")
        found["level"] = _level(area, m.group(2) or "")
    y = _YEAR.search(head)
    if y:
        raw = y.group(1)
        year = int(raw) if raw.isdigit() else chinese_to_int(raw)
        if year:
            found["year"] = year
    return found


def _level(area: str, body: str) -> str:
    if body and not body.endswith("政府"):
        return "department"
    for suffix, level in (
        ("区", "district"),
        ("县", "county"),
        ("旗", "county"),
        ("市", "city"),
        ("州", "prefecture"),
        ("省", "province"),
        ("镇", "township"),
        ("乡", "township"),
    ):
        if area.endswith(suffix):
            return level
    return ""


def meta_for(text: str, source_file: str, given: dict[str, str | int]) -> ReportMeta:
    """Metadata from the catalogue/options, completed from the title; says what is missing."""
    guessed = guess_meta(text, source_file)
    merged = {**guessed, **{k: v for k, v in given.items() if v not in ("", None, 0)}}
    missing = [k for k in ("issuer", "area", "year") if k not in merged]
    if missing:
        raise OffGenreError(
            source_file,
            "cannot read "
            + ", ".join(missing)
            + " from the title; give "
            + " ".join(f"--{k} …" for k in missing),
        )
    year = int(merged["year"])
    area = str(merged["area"])
    issuer = str(merged["issuer"])
    rid = str(merged.get("report_id") or report_id(area, year, issuer))
    return ReportMeta(
        rid,
        issuer,
        area,
        year,
        str(merged.get("level", "")),
        source_file,
        str(merged.get("url", "")),
        str(merged.get("division_code", "")),
    )
