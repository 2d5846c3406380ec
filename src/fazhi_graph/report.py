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
_UNIT = r"(?:特别行政区|自治区|自治州|自治县|地区|街道|省|市|州|盟|县|旗|区|镇|乡)"
_PLACE_CHAR = r"(?:(?![年度关于的和报告情况])[\u4e00-\u9fff])"
_CHAIN = re.compile(rf"^((?:{_PLACE_CHAR}{{2,6}}?{_UNIT})+)")
_BODY = re.compile(r"^(人民政府|政府|[\u4e00-\u9fff]{1,8}?(?:局|委员会|厅|办公室))")
_LEADING = re.compile(r"^(关于|中共|中国共产党|(?:\d{4}|[〇零一二三四五六七八九]{4})年度?)+")
_YEAR = re.compile(r"(20\d\d|19\d\d|二[〇零][〇零一二三四五六七八九]{2})\s*年")


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


def _issuer_candidates(lines: list[str]) -> list[tuple[str, str, str, int]]:
    """(area, body, chain, -line) for every ``<divisions><body>`` starting a title segment."""
    found = []
    for index, line in enumerate(lines):
        for segment in re.split(r"[\s、,]+", line):
            segment = _LEADING.sub("", segment)
            chain = _CHAIN.match(segment)
            if not chain:
                continue
            body = _BODY.match(segment[chain.end() :])
            units = re.findall(rf"{_PLACE_CHAR}{{2,6}}?{_UNIT}", chain.group(1))
            found.append((units[-1] if units else chain.group(1), body.group(1) if body else "",
                          chain.group(1), -index))  # fmt: skip
    return found


def guess_meta(text: str, source_file: str = "") -> dict[str, str | int]:
    """Issuer, area, year and level read from the report's title lines (only what is found).

    >>> guess_meta("广州市天河区人民政府2021年法治政府建设年度报告")["issuer"]
    '广州市天河区人民政府'
    >>> guess_meta("关于2021年度法治政府建设情况的报告 东湖区人民政府")["area"]
    '东湖区'
    """
    # read on the normalised form: 「區人民政府」 and 区人民政府 are the same issuer
    lines = []
    for line in normalise(text[:400]).splitlines():
        line = line.strip()
        if len(line) > 60 or "。" in line:
            break  # the body starts: the title is above
        if line:
            lines.append(line)
    found: dict[str, str | int] = {}
    candidates = _issuer_candidates(lines)
    ranked = sorted(
        candidates,
        key=lambda c: (c[1].endswith("政府"), bool(c[1]), c[3], len(c[2])),
        reverse=True,
    )
    if ranked:
        area, body, chain, _line = ranked[0]
        found["area"] = area
        found["issuer"] = chain + (body or "人民政府")
        found["level"] = _level(area, body)
    y = _YEAR.search("".join(lines))
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
    rid = str(merged.get("id") or merged.get("report_id") or report_id(area, year, issuer))
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
