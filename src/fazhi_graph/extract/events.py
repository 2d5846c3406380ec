"""Meetings and activities the text names: 会议, 讲座, 座谈会, 观摩会, 督查, 考核验收, 评查."""

from __future__ import annotations

import re

from fazhi_graph.document import Span
from fazhi_graph.facts import Event, Facts

__all__ = ["extract_events"]

_MEETING = re.compile(
    r"(?:主持召开|组织召开|召开|举办|组织开展|开展|承办)"
    r"([^,;。、]{0,40}?(第[一二三四五六七八九十\d]+次会议|常务会议|党组会|常委会议|专题会议|座谈会|观摩会|推进会|"
    r"现场会|讲座|培训班|专题培训|考试|评议))"
)
_OVERSIGHT = re.compile(
    r"(?:开展|进行了|进行|组织|通过|接受)([^,;。、“”《》\d]{0,12}?(督导检查|专项督察|全面督察|督察|督查|考核验收|案卷评查|抽样评查|评查))"
)
_TYPES = (
    ("讲座", "Lecture"),
    ("培训", "Training"),
    ("考试", "Exam"),
    ("座谈会", "Symposium"),
    ("评查", "CaseReview"),
    ("考核", "Assessment"),
    ("验收", "Assessment"),
    ("督", "Inspection"),
    ("检查", "Inspection"),
)


def _activity_type(label: str) -> str:
    for word, kind in _TYPES:
        if word in label:
            return kind
    return "Meeting"


def extract_events(facts: Facts) -> None:
    """Meetings (who convened, which post chaired) and oversight activities, one per mention."""
    doc = facts.doc
    seen: set[tuple[int, int]] = set()
    for pattern, kind in ((_MEETING, "Meeting"), (_OVERSIGHT, "OversightActivity")):
        for m in pattern.finditer(doc.norm):
            start, end = m.start(1), m.end(1)
            label = doc.text[start:end].strip().lstrip("”")
            label = re.sub(r"^[一二三四五六七八九十]是?|^[\d]+", "", label)
            label = re.sub(r"^(开展|组织|进行|召开)+", "", label)
            if len(label) < 2 or any(a <= start < b for a, b in seen):
                continue
            seen.add((start, end))
            sent = doc.sentence_at(start).index
            convened = chaired = ""
            sent_start = doc.sentences[sent].span.start
            inside = [
                b
                for b in facts.bodies
                if any(start <= s.start and s.end <= end for s in b.mentions)
            ]
            # else the nearest body named before it in the sentence (督检组 … 进行了督导检查)
            before = sorted(
                (
                    (s.end, b)
                    for b in facts.bodies
                    for s in b.mentions
                    if sent_start <= s.start and s.end <= start
                ),
                key=lambda x: x[0],
            )
            if inside:
                convened = inside[0].key
            elif before:
                convened = before[-1][1].key
            for p in facts.posts:
                if sent in p.sentences:
                    chaired = p.key
                    break
            if not convened and chaired:
                convened = next(p.body for p in facts.posts if p.key == chaired)
            facts.events.append(
                Event(
                    f"{start}-{end}",
                    label,
                    _activity_type(label),
                    kind,
                    sent,
                    Span(start, end),
                    convened,
                    chaired,
                    facts.sentence_area(sent),
                )
            )
