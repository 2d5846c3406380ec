"""Facts: what the extractor finds, as frozen dataclasses that carry their source spans.

Every fact names the sentence(s) it came from (``sentences``: indices into
``Document.sentences``) and, for numbers, the exact span of the figure. Entities (bodies, places,
documents, initiatives) carry the spans of their mentions. Nothing here knows about RDF; see
:mod:`fazhi_graph.rdf` for the mapping.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from fazhi_graph.document import Document, Span

__all__ = [
    "Body",
    "DocumentRef",
    "Event",
    "Facts",
    "Implementation",
    "InitiativeRef",
    "Observation",
    "Place",
    "PlanItem",
    "Post",
    "ReportMeta",
]


@dataclass(frozen=True)
class ReportMeta:
    """What identifies a report: who issued it, for which area and year."""

    report_id: str
    issuer: str
    area: str
    year: int
    level: str = ""
    source_file: str = ""
    url: str = ""
    division_code: str = ""


@dataclass(frozen=True)
class Observation:
    """A number the report states, as a Data Cube observation.

    ``unit`` is one of ``"NUM"``, ``"PERCENT"``, ``"CNY"``, ``"PP"`` (percentage points);
    ``unit_mult`` is the power of ten written in the unit (4 for 万, 8 for 亿).
    """

    key: str
    value: Decimal
    unit: str
    unit_text: str
    measure_word: str
    unit_mult: int
    counted: str
    indicator: str
    indicator_label: str
    stat_type: str
    qualifier: str
    direction: str
    period: tuple[int, int]
    surface: str
    value_span: Span
    sentences: tuple[int, ...]
    area: str = ""
    place: str = ""
    indicator_broader: str = ""
    as_of: bool = False
    comparison_of: str = ""
    numerator: str = ""
    denominator: str = ""


@dataclass(frozen=True)
class Body:
    """A public body, internal unit, coordinating group or mediation organisation."""

    key: str
    name: str
    kind: str
    org_type: str
    mentions: tuple[Span, ...]
    sentences: tuple[int, ...]
    parent: str = ""
    scope: str = "local"


@dataclass(frozen=True)
class Post:
    """A post (主要负责人, 组长, 分管领导) in a body; never a person."""

    key: str
    name: str
    body: str
    role: str
    sentences: tuple[int, ...]


@dataclass(frozen=True)
class Place:
    """An administrative division (``level`` set) or a venue (``venue_type`` set)."""

    key: str
    name: str
    level: str
    venue_type: str
    parent: str
    mentions: tuple[Span, ...]
    sentences: tuple[int, ...]


@dataclass(frozen=True)
class DocumentRef:
    """A policy document named in 《》."""

    key: str
    title: str
    doc_type: str
    national: bool
    mentions: tuple[Span, ...]
    sentences: tuple[int, ...]
    issuer: str = ""
    area: str = ""
    action: str = ""
    deliberated_at: str = ""


@dataclass(frozen=True)
class InitiativeRef:
    """A named initiative; ``concept`` is a curated fzp: local name or a minted one."""

    concept: str
    label: str
    curated: bool
    mentions: tuple[Span, ...]
    sentences: tuple[int, ...]
    broader_area: str = ""


@dataclass(frozen=True)
class Implementation:
    """The reporting government's work on an initiative, as one sentence states it."""

    key: str
    initiative: str
    sentence: int
    bodies: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    area: str = ""


@dataclass(frozen=True)
class Event:
    """A meeting, lecture series, inspection or assessment the text names."""

    key: str
    label: str
    activity_type: str
    kind: str
    sentence: int
    span: Span
    convened_by: str = ""
    chaired_by: str = ""
    area: str = ""


@dataclass(frozen=True)
class PlanItem:
    """A problem (存在的问题) or planned measure (下一步), one enumerated item."""

    kind: str
    ordinal: int
    label: str
    span: Span
    sentences: tuple[int, ...]
    area: str = ""
    addresses: tuple[int, ...] = ()


@dataclass
class Facts:
    """Everything extracted from one report."""

    meta: ReportMeta
    doc: Document
    section_areas: dict[tuple[int, ...], str] = field(default_factory=dict)
    section_types: dict[tuple[int, ...], str] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    documents: list[DocumentRef] = field(default_factory=list)
    initiatives: list[InitiativeRef] = field(default_factory=list)
    implementations: list[Implementation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    problems: list[PlanItem] = field(default_factory=list)
    measures: list[PlanItem] = field(default_factory=list)

    def sentence_area(self, index: int) -> str:
        """The work area of the section a sentence sits in (innermost known)."""
        path = self.doc.sentences[index].section
        for i in range(len(path), 0, -1):
            area = self.section_areas.get(path[:i])
            if area:
                return area
        return ""
