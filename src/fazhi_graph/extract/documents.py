"""Policy documents named in 《》: title, type, national or local, issuer, meeting, area."""

from __future__ import annotations

import re

from fazhi_graph.document import Span
from fazhi_graph.extract.lexicon import Lexicon, by_ending
from fazhi_graph.facts import DocumentRef, Facts
from fazhi_graph.slug import slugify

__all__ = ["document_key", "extract_documents"]

_TITLE = re.compile(r"《((?:[^《》〈〉<>]|〈[^〈〉]*〉|<[^<>]*>)+)》")
_LOCAL_START = re.compile(
    r"^(省|市|县|区|镇|乡|街道|关于|[\u4e00-\u9fff]{1,4}(省|市|县|区|州|盟|旗))"
)
_NATIONAL_END = re.compile(r"(法|宪法|条例|纲要|规定)$")
_ISSUE_VERBS = re.compile(r"(制定|印发|出台|发布|修订|起草|审议|通过|出台了|制定了)")
_OBJECT_VERB = re.compile(r"(调整|成立|设立|组建|充实|健全|听取)$")
_LAW_NAMES = re.compile(r"^(中华人民共和国|宪法$)")


def _key_title(title: str) -> str:
    t = title.replace("(", "（").replace(")", "）").replace("〈", "《").replace("〉", "》")
    return re.sub(r"\s+", "", t)


def document_key(title: str, national: bool, area_key: str) -> str:
    """``cn/<slug>`` for national documents (shared by all reports), else ``<area>/<slug>``."""
    return ("cn" if national else area_key) + "/" + slugify(_key_title(title))


def _doc_type(title: str, lex: Lexicon) -> str:
    if title in {"宪法", "中华人民共和国宪法"}:
        return "Constitution"
    return by_ending(lex.doc_types, title)


def _reporting_body(facts: Facts) -> str:
    """Key of the body that issued the report, if the text names it."""
    for b in facts.bodies:
        if facts.meta.issuer in {facts.doc.quote(s) for s in b.mentions}:
            return b.key
    return ""


def extract_documents(facts: Facts, lex: Lexicon) -> None:
    """Every 《》 title once, with all its mentions; issuer from a body named in the title or
    from ``<body>…制定/印发《…》`` in the same sentence."""
    doc = facts.doc
    area = facts.meta.area
    area_key = slugify(area) if area else "cn"
    found: dict[str, DocumentRef] = {}
    bodies = sorted(facts.bodies, key=lambda b: -len(b.name))
    previous: tuple[int, DocumentRef] | None = None
    for m in _TITLE.finditer(doc.norm):
        raw_title = doc.text[m.start(1) : m.end(1)]
        title = raw_title.strip()
        norm_title = doc.norm[m.start(1) : m.end(1)].strip()
        national = bool(_LAW_NAMES.search(norm_title)) or (
            not _LOCAL_START.search(norm_title)
            and bool(_NATIONAL_END.search(norm_title))
            and not (area and area in norm_title)
        )
        key = document_key(norm_title, national, area_key)
        sent = doc.sentence_at(m.start())
        span = Span(m.start(), m.end())
        if key in found:
            old = found[key]
            found[key] = DocumentRef(
                old.key,
                old.title,
                old.doc_type,
                old.national,
                (*old.mentions, span),
                tuple(sorted({*old.sentences, sent.index})),
                old.issuer,
                old.area,
                old.action,
            )
            previous = (m.end(), old)
            continue
        issuer = ""
        for b in bodies:
            if norm_title.startswith(b.name) or (area and norm_title.startswith(area + b.name[1:])):
                issuer = b.key
                break
        before = doc.norm[sent.span.start : m.start()]
        verb = _ISSUE_VERBS.search(before[-12:])
        if not issuer and verb:
            # the last body named before the verb, unless it is itself an object (调整…小组)
            named = sorted(
                (sp.start, b.key)
                for b in bodies
                for sp in b.mentions
                if sent.span.start <= sp.start
                and sp.end <= m.start()
                and not _OBJECT_VERB.search(doc.norm[max(sent.span.start, sp.start - 4) : sp.start])
            )
            if named:
                issuer = named[-1][1]
        action = verb.group(1) if verb else ""
        if previous and re.fullmatch(r"[、和及与 ]*", doc.norm[previous[0] : m.start()]):
            # 《A》《B》 or 《A》和《B》: B shares A's verb and issuer
            action = action or previous[1].action
            issuer = issuer or previous[1].issuer
        if not issuer and action in {"制定", "制定了", "印发", "出台", "出台了", "发布"}:
            # no body named: the subject left out is the government writing the report
            issuer = _reporting_body(facts)
        area_name = lex.area_of(norm_title)
        previous = (m.end(), DocumentRef(key, title, "", national, (), (), issuer, "", action))
        found[key] = DocumentRef(
            key,
            title,
            _doc_type(norm_title, lex),
            national,
            (span,),
            (sent.index,),
            issuer,
            area_name,
            action,
        )
    facts.documents.extend(found.values())
