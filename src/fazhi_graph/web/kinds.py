"""Kinds of resource, for colours, legends and filters in every view.

A *kind* groups classes a reader thinks of as one thing (every sort of public body is a
"body"). :func:`kind_of` picks the first kind whose classes meet a resource's types, in the
order of :data:`KINDS` (specific before general), so a ``fz:Indicator`` that is also a
``skos:Concept`` is an indicator.

>>> kind_of({str(FZ.PublicBody), str(ORG.FormalOrganization)}).key
'body'
>>> kind_of(set()).key
'other'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rdflib.namespace import ORG, OWL, QB, RDF, RDFS, SKOS, TIME
from rdflib.term import URIRef

from fazhi_graph.namespaces import FZ, NIF

__all__ = ["KINDS", "OTHER", "Kind", "kind_by_key", "kind_of"]


@dataclass(frozen=True)
class Kind:
    """A family of classes, with its bilingual name and colour."""

    key: str
    zh: str
    en: str
    color: str
    classes: tuple[str, ...]

    def as_dict(self) -> dict[str, str]:
        """JSON form (without the classes)."""
        return {"key": self.key, "zh": self.zh, "en": self.en, "color": self.color}


def _k(key: str, zh: str, en: str, color: str, *classes: URIRef) -> Kind:
    return Kind(key, zh, en, color, tuple(str(c) for c in classes))


KINDS: tuple[Kind, ...] = (
    _k("report", "报告", "report", "#4c566a", FZ.AnnualReport),
    _k("text", "报告文本", "report text", "#5e6a82", FZ.ReportText),
    _k("section", "章节", "section", "#7b8394", FZ.ReportSection),
    _k("sentence", "句子", "sentence", "#9aa3b5", NIF.Sentence),
    _k(
        "body",
        "机构",
        "body",
        "#1f77b4",
        FZ.PublicBody,
        FZ.InternalBody,
        FZ.CoordinatingBody,
        FZ.MediationOrganization,
        ORG.Organization,
        ORG.FormalOrganization,
    ),
    _k("post", "职位", "post", "#17becf", ORG.Post),
    _k("place", "地点", "place", "#2ca02c", FZ.AdministrativeDivision, FZ.Venue),
    _k("document", "政策文件", "policy document", "#8c564b", FZ.PolicyDocument),
    _k("implementation", "举措实施", "implementation", "#ff7f0e", FZ.InitiativeImplementation),
    _k("event", "会议活动", "meeting or activity", "#e377c2", FZ.Meeting, FZ.OversightActivity),
    _k("observation", "指标数据", "observation", "#d62728", QB.Observation),
    _k("problem", "问题", "problem", "#b3003c", FZ.Problem),
    _k("measure", "下一步措施", "planned measure", "#6a3d9a", FZ.PlannedMeasure),
    _k("initiative", "举措", "initiative", "#bcbd22", FZ.Initiative),
    _k("indicator", "指标", "indicator", "#9467bd", FZ.Indicator),
    _k("area", "工作领域", "work area", "#393b79", FZ.WorkArea),
    _k("period", "时期", "period", "#637939", TIME.ProperInterval),
    _k("concept", "概念", "concept", "#aec7e8", SKOS.Concept, SKOS.ConceptScheme),
    _k("class", "类", "class", "#843c39", OWL.Class, RDFS.Class),
    _k(
        "property",
        "属性",
        "property",
        "#ad494a",
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        RDF.Property,
    ),
)
"""Every kind, in the order :func:`kind_of` tries them."""

OTHER = Kind("other", "其他", "other", "#999999", ())
"""The kind of anything no other kind claims."""

_BY_KEY = {k.key: k for k in (*KINDS, OTHER)}


def kind_of(types: Iterable[str]) -> Kind:
    """The kind of a resource with these ``rdf:type`` IRIs."""
    have = set(types)
    for kind in KINDS:
        if have.intersection(kind.classes):
            return kind
    return OTHER


def kind_by_key(key: str) -> Kind | None:
    """A kind by its key, or ``None``."""
    return _BY_KEY.get(key)
