"""Public bodies, their internal units, coordinating groups, mediation organisations and posts.

Chinese body names start with a jurisdiction (区, 县, 市, 省, a township's name, or the
reporting area's full name) and end with a type word (政府, 法院, 局, 领导小组, 调委会…); the
type words come from the organisation-type vocabulary. Names are scoped to the reporting area:
城东区's 区政府 and 河阳区's 区政府 are two bodies.
"""

from __future__ import annotations

import itertools
import re

from fazhi_graph.document import Span
from fazhi_graph.extract.lexicon import Lexicon, by_ending
from fazhi_graph.facts import Body, Facts, Post
from fazhi_graph.slug import slugify

__all__ = ["canonical_name", "extract_bodies"]

_CORE = (
    r"(?:人大常委会|中级人民法院|人民法院|人民检察院|人民政府|纪委监委|委员会|政府|人大|政协|法院|"
    r"检察院|党委|党工委|委)"
)
_DEPT = r"(?:[\u4e00-\u9fff]{1,7}?(?:分局|局|厅|办公室|中心|办))"
_GROUP = (
    r"(?:[\u4e00-\u9fff“”+、]{2,18}?"
    r"(?:领导小组|协调小组|工作小组|督检组|督查组|督导组|委员会|顾问团|调委会|指导中心))"
)
_TAIL = r"(?:党组|常委会|常务会议|中心组|办公室)?"
_JURIS = r"(?:省|市|县|区|镇|乡|街道)"
_BODIES = tuple(re.compile(rf"({_JURIS}{kind}{_TAIL})") for kind in (_GROUP, _CORE, _DEPT))
_WORD_BEFORE = set("治城辖社小园全我本该各都省市县区乡镇")
_MEDIATION_NET = re.compile(
    r"(行业性、?专业性|乡镇|镇|街道|乡|村|社区|行业性|专业性)(\((?:街道|社区|乡镇|村)\))?调委会"
)
_SET_UP = re.compile(
    r"(?:调整充实|成立|调整|设立|组建|建立|健全)(?:了)?(?:由[\u4e00-\u9fff]{2,12}?(?:任|担任)组长的)?"
    r"((?:区|县|市)?[\u4e00-\u9fff“”+、]{2,24}?(?:领导小组|协调小组|工作小组|督检组|督查组|督导组|中心|委员会))"
)
_GENERIC_BODIES = re.compile(
    r"(?:乡镇|街道)?综合行政执法(?:大队|队)|人民调解组织|(?<![\u4e00-\u9fff])调委会|"
    r"(?<![\u4e00-\u9fff])局(?:党组|党委|机关)"
)
_NATIONAL = re.compile(r"党中央|国务院|司法部|全国人大常委会|中央依法治国办|省委|省政府|省司法厅")
_BAD_MIDDLE = re.compile(
    r"[的对在为了是将把被等]|法治政府|政府建设|法治建设|依法行政|我区|全区|各级"
)
_BAD_GROUP = re.compile(r"[的对在为了是将把被等]")
_BAD_PLAIN = re.compile(r"[和与及、“”]|工作")
_POSTS = re.compile(
    r"(主要负责同志|主要负责人|主要领导|分管领导|党组书记|局长|组长|县长|区长|市长)"
)


def canonical_name(name: str, area: str) -> str:
    """The name used for identity: area prefix dropped, 人民政府 → 政府 and the like."""
    if area and name.startswith(area):
        name = area[-1] + name[len(area) :]
    for long, short in (("人民政府", "政府"), ("人民法院", "法院"), ("人民检察院", "检察院")):
        if long in name and "中级" not in name:
            name = name.replace(long, short)
    return name


_KIND = {
    "LeadingGroup": "CoordinatingBody",
    "CoordinationGroup": "CoordinatingBody",
    "InspectionGroup": "CoordinatingBody",
    "PartyGroup": "InternalBody",
    "StandingCommittee": "InternalBody",
    "StudyGroup": "InternalBody",
    "ExecutiveMeeting": "InternalBody",
    "Commission": "InternalBody",
    "Office": "InternalBody",
    "LegalAdviserTeam": "InternalBody",
    "MediationCentre": "MediationOrganization",
    "MediationCommittee": "MediationOrganization",
}


def _candidates(facts: Facts) -> list[tuple[str, Span]]:
    norm = facts.doc.norm
    area = facts.meta.area
    out: list[tuple[str, Span]] = []
    place_names = sorted({p.name for p in facts.places if p.level}, key=len, reverse=True)
    prefixes = [re.escape(area)] if area else []
    prefixes += [re.escape(p) for p in place_names]
    if prefixes:
        pat = re.compile(
            rf"(?:{'|'.join(prefixes)})(?:{_GROUP}|{_CORE}|{_DEPT}|调委会|人民调解委员会){_TAIL}"
        )
        out += [(m.group(0), Span(m.start(), m.end())) for m in pat.finditer(norm)]
    for pattern in _BODIES:
        for start in (i for i, ch in enumerate(norm) if ch in "省市县区镇乡街"):
            m = pattern.match(norm, start)
            if not m:
                continue
            if start > 0 and norm[start - 1] in _WORD_BEFORE:
                continue  # 依法治区委员会, 全区: the 区 is inside a longer word
            out.append((m.group(1), Span(start, m.end(1))))
    out += [(m.group(0), Span(m.start(), m.end())) for m in _MEDIATION_NET.finditer(norm)]
    out += [(m.group(1), Span(m.start(1), m.end(1))) for m in _SET_UP.finditer(norm)]
    out += [(m.group(0), Span(m.start(), m.end())) for m in _GENERIC_BODIES.finditer(norm)]
    out += [(m.group(0), Span(m.start(), m.end())) for m in _NATIONAL.finditer(norm)]
    return out


def extract_bodies(facts: Facts, lex: Lexicon) -> None:
    """Find bodies and posts; link units to their parent and mediation bodies into a network."""
    area = facts.meta.area
    area_key = slugify(area) if area else "cn"
    by_key: dict[str, dict[str, object]] = {}
    spans_taken: list[Span] = []
    for name, span in sorted(_candidates(facts), key=lambda c: (c[1].start, -c[1].length)):
        if any(t.start <= span.start and span.end <= t.end for t in spans_taken):
            continue
        middle = name[1:]
        if name.endswith("中心") and facts.doc.norm[span.end : span.end + 2] == "工作":
            continue  # 市政府中心工作: "central work", not a centre
        is_group = bool(
            re.search(r"(小组|督检组|督查组|督导组|委员会|顾问团|调委会|指导中心)$", name)
        )
        bad = _BAD_GROUP if is_group else _BAD_MIDDLE
        if bad.search(middle) or (not is_group and _BAD_PLAIN.search(middle)):
            continue
        spans_taken.append(span)
        canon = canonical_name(name, area)
        national = bool(_NATIONAL.fullmatch(name)) and not name.startswith(("区", "县", "市"))
        key = ("cn/" if national else f"{area_key}/") + slugify(canon)
        entry = by_key.setdefault(
            key, {"names": [], "spans": [], "canon": canon, "national": national}
        )
        names = entry["names"]
        assert isinstance(names, list)
        written = facts.doc.quote(span)  # labels keep the text as written
        if written not in names:
            names.append(written)
        spans = entry["spans"]
        assert isinstance(spans, list)
        spans.append(span)
    # 区检察院党组 implies 区检察院: add the parent body a unit's name starts with
    for key, entry in list(by_key.items()):
        canon = str(entry["canon"])
        tail = re.search(r"(党组|常委会|常务会议|中心组|办公室)$", canon)
        if tail and len(canon) > len(tail.group(1)) + 1:
            head = canon[: -len(tail.group(1))]
            head_key = key.rsplit("/", 1)[0] + "/" + slugify(head)
            if head_key not in by_key:
                spans = entry["spans"]
                assert isinstance(spans, list)
                by_key[head_key] = {
                    "names": [head],
                    "spans": [Span(s.start, s.start + len(head)) for s in spans],
                    "canon": head,
                    "national": entry["national"],
                }
    doc = facts.doc
    canon_to_key = {str(v["canon"]): k for k, v in by_key.items()}
    for key, entry in by_key.items():
        names = entry["names"]
        spans = entry["spans"]
        assert isinstance(names, list) and isinstance(spans, list)
        canon = str(entry["canon"])
        display = max(names, key=len)
        org_type = by_ending(lex.org_types, display)
        if "调委会" in display or "调解委员会" in display or display.endswith("调解组织"):
            org_type = "MediationCommittee"
        elif "调解" in display and display.endswith("中心"):
            org_type = "MediationCentre"
        kind = _KIND.get(org_type, "PublicBody")
        parent = ""
        for i in range(len(canon) - 1, 1, -1):
            head = canon[:i]
            if head in canon_to_key and canon_to_key[head] != key:
                parent = canon_to_key[head]
                break
        sentences = tuple(sorted({doc.sentence_at(s.start).index for s in spans}))
        facts.bodies.append(
            Body(
                key,
                display,
                kind,
                org_type,
                tuple(spans),
                sentences,
                parent,
                "national" if entry["national"] else "local",
            )
        )
    _mediation_network(facts)
    _posts(facts)


_MEDIATION_RANK = ("指导中心", "镇", "街道", "乡", "村", "社区", "行业")


def _rank(body: Body) -> int:
    """Position in the mediation hierarchy (centre 0 … sectoral), 99 when not a tier."""
    return next((i for i, w in enumerate(_MEDIATION_RANK) if w in body.name), 99)


def _mediation_network(facts: Facts) -> None:
    """Link mediation bodies named in one sentence from the centre down (centre > 镇 > 村)."""
    med = [b for b in facts.bodies if b.kind == "MediationOrganization" and _rank(b) < 99]
    for sent_index in sorted({s for b in med for s in b.sentences}):
        here = [b for b in med if sent_index in b.sentences]
        ranked = sorted(here, key=_rank)
        for upper, lower in itertools.pairwise(ranked):
            if lower.parent or "行业" in lower.name:
                continue
            idx = facts.bodies.index(lower)
            facts.bodies[idx] = Body(
                lower.key,
                lower.name,
                lower.kind,
                lower.org_type,
                lower.mentions,
                lower.sentences,
                upper.key,
                lower.scope,
            )
            med = [b for b in facts.bodies if b.kind == "MediationOrganization" and _rank(b) < 99]


def _posts(facts: Facts) -> None:
    """Posts named right after a body (区委主要负责同志) or as a group's leader (由…任组长)."""
    norm = facts.doc.norm
    seen: dict[str, Post] = {}
    for body in facts.bodies:
        for span in body.mentions:
            m = _POSTS.match(norm, span.end)
            if not m:
                continue
            word = m.group(1)
            if word in {"主要负责同志", "主要领导"}:
                word = "主要负责人"
            role = (
                "PrincipalLeader"
                if "主要" in word or word in {"县长", "区长", "市长", "局长", "党组书记"}
                else "LeaderInCharge"
            )
            key = f"{body.key}/{slugify(word)}"
            sent = facts.doc.sentence_at(span.start).index
            old = seen.get(key)
            sentences = tuple(sorted({*(old.sentences if old else ()), sent}))
            name = old.name if old else facts.doc.quote(span) + word
            seen[key] = Post(key, name, body.key, role, sentences)
    for m in re.finditer(
        r"由([\u4e00-\u9fff]{2,12}?)(任|担任)组长的([\u4e00-\u9fff“”+]{2,24}?(?:小组|督检组|组))",
        norm,
    ):
        holder = m.group(1)
        sent = facts.doc.sentence_at(m.start()).index
        group = next(
            (
                b
                for b in facts.bodies
                if any(s.start >= m.start(3) - 1 and s.end <= m.end() + 1 for s in b.mentions)
            ),
            None,
        )
        if group is None:
            continue
        key = f"{group.key}/zuzhang"
        seen[key] = Post(key, f"{group.name}组长({holder})", group.key, "GroupLeader", (sent,))
    facts.posts.extend(seen[k] for k in sorted(seen))
