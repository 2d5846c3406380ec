"""Administrative divisions (镇, 乡, 街道, 村, 社区, 区, 县) and venues (小区, 学校, 法治基地)."""

from __future__ import annotations

import re

from fazhi_graph.document import Document, Span
from fazhi_graph.facts import Facts, Place
from fazhi_graph.slug import slugify

__all__ = ["extract_places", "level_of"]

_SUFFIXES: tuple[tuple[str, str, str], ...] = (
    # (suffix, division level, venue type)
    ("街道", "Subdistrict", ""),
    ("社区", "Community", ""),
    ("小区", "", "ResidentialCompound"),
    ("小学", "", "School"),
    ("中学", "", "School"),
    ("学校", "", "School"),
    ("镇", "Township", ""),
    ("乡", "Township", ""),
    ("村", "Village", ""),
    ("区", "District", ""),
    ("县", "County", ""),
    ("基地", "", "LegalEducationBase"),
)
# characters that cannot be inside a place name: they end the backwards scan
_VERBS = re.compile(
    r"^.*(召开|主持|践行|听取|调整|编制|提交|提请|办理|加大|实行|推进|举办|组织|成立|印发|执行|纳入|"
    r"公布|赋予|修订|完善|依托|偏远|部分|包括|覆盖|建成|打造|获评|配备|设立|指导|全县|全区|全市|余户|"
    r"街道|镇|乡|进|在)"
)
# the next character shows the suffix is part of a longer word (乡镇, 村民, 县直, 社区矫正)
_NOT_AFTER = {
    "乡": set("镇村土"),
    "村": set("民级委(居务规集组"),
    "县": set("直级委政人法检域"),
    "镇": set("级委政人党(街"),
    "社区": set("矫居委民"),
    "街道": set("办"),
    "区": set("域"),
}
_STOP = set(
    "在包括的和与及对为是了等全各个每该本我其所向于从到把被将让由以设立打造建成获评配备覆盖"
    "县区市省乡镇村社、,;:。!?()“”《》 \n0123456789"
)
_GENERIC = re.compile(
    r"法治|示范|模范|民主|城乡|乡镇|街镇|辖区|园区|城区|片区|社区村|村社|农村|山区|景区|试验区|开发区|文明|平安|重点|基层|行政|服务|部门|单位|学法|普法"
)
_MAX_NAME = 4


def level_of(name: str) -> str:
    """The division level a name's suffix signals ('' if none)."""
    for suffix, level, _venue in _SUFFIXES:
        if name.endswith(suffix) and level:
            return level
    return ""


def _name_before(norm: str, end: int, area: str, longest: int = _MAX_NAME) -> str:
    i = end
    while i > 0 and end - i < longest and norm[i - 1] not in _STOP:
        i -= 1
    name = _VERBS.sub("", norm[i:end])
    if area and norm[max(0, i - len(area)) : i] == area and name.startswith("第"):
        name = area + name
    return name


def extract_places(facts: Facts) -> None:
    """Find named places; each is linked to the division that contains it.

    A village or community right after a township (白沙镇石门村) is inside that township;
    other places are inside the reporting area.
    """
    doc: Document = facts.doc
    norm = doc.norm
    area = facts.meta.area
    found: dict[str, tuple[str, str, str, list[Span]]] = {}
    order: list[str] = []
    parents: dict[str, str] = {}
    for suffix, level, venue in _SUFFIXES:
        for m in re.finditer(re.escape(suffix), norm):
            if norm[m.end() : m.end() + 1] in _NOT_AFTER.get(suffix, ()):
                continue
            if venue == "LegalEducationBase":
                name = _name_before(norm, m.start(), area, 8)
                if len(name) < 4 or not re.search(r"法治|普法|法制|教育|宪法", name):
                    continue
            else:
                name = _name_before(norm, m.start(), area)
                if len(name) < 2 or _GENERIC.search(name + suffix):
                    continue
            if level in {"District", "County"} and (
                len(name) > 3
                or norm[m.end() : m.end() + 1] in set("委政人法检级直属域内外划县镇乡")
            ):
                # other districts/counties: a short proper name not followed by a body word
                continue
            full = name + suffix
            if full == area:
                continue
            # a shorter suffix inside a longer name (…小区 vs …区) keeps the longer one
            if any(
                len(k) > len(full) and norm[max(0, m.end() - len(k)) : m.end()] == k for k in found
            ):
                continue
            start = m.start() - len(name)
            parent = ""
            before = norm[max(0, start - 6) : start]
            for k in found:
                if before.endswith(k) and found[k][1] in {"Township", "Subdistrict"}:
                    parent = k
            if venue == "LegalEducationBase":
                sent = doc.sentence_at(start).span
                schools = [
                    k
                    for k in found
                    if found[k][2] == "School" and norm.find(k, sent.start, sent.end) >= 0
                ]
                if schools:
                    parent = schools[0]
            if full not in found:
                # the label keeps the text as written (traditional stays traditional)
                found[full] = (doc.text[start : m.end()], level, venue, [])
                order.append(full)
                parents[full] = parent
            found[full][3].append(Span(start, m.end()))
    area_key = slugify(area)
    for full in order:
        name, level, venue, spans = found[full]
        parent_name = parents.get(full, "")
        parent = f"{area_key}/{slugify(parent_name)}" if parent_name else area_key
        name = full if len(name) != len(full) else name
        sentences = tuple(sorted({doc.sentence_at(s.start).index for s in spans}))
        facts.places.append(
            Place(
                f"{area_key}/{slugify(full)}", name, level, venue, parent, tuple(spans), sentences
            )
        )
