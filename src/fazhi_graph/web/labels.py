"""Labels in Chinese, English and pinyin, and how a page picks one.

:class:`Label` holds what the graph says about a resource's name (``skos:prefLabel``,
``rdfs:label``, ``dct:title`` in ``@zh`` and ``@en``, pinyin in ``@zh-Latn-pinyin``).
:class:`LabelCollector` gathers them from query rows. Standard vocabulary terms the ontology
does not label (``skos:prefLabel``, ``qb:Observation`` …) get a human label from
:data:`FALLBACK`, so every property on a page has a readable name in both languages.

>>> c = LabelCollector()
>>> c.add("x", str(SKOS.prefLabel), "城东区", "zh")
>>> c.add("x", str(SKOS.altLabel), "Chéngdōngqū", "zh-latn-pinyin")
>>> lab = c.label("x")
>>> (lab.zh, lab.en, lab.pinyin, lab.text("en"))
('城东区', None, 'Chéngdōngqū', '城东区')
>>> fallback_label(str(RDFS.label)).en
'label'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import Namespace
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, QB, RDF, RDFS, SH, SKOS, TIME, XSD

from fazhi_graph.namespaces import CV, ELI, NIF, SCHEMA, SDMXATTR, SDMXDIM, SDMXMEASURE, UNIT
from fazhi_graph.web.links import curie, local_name

__all__ = [
    "FALLBACK",
    "LABEL_PREDICATES",
    "LANGS",
    "Label",
    "LabelCollector",
    "fallback_label",
    "is_pinyin",
]

LANGS = ("zh", "en", "both")
"""Display languages of the UI: Chinese, English, or both side by side."""

LABEL_PREDICATES: tuple[str, ...] = (
    str(SKOS.prefLabel),
    str(RDFS.label),
    str(DCTERMS.title),
    str(SKOS.altLabel),
)
"""Predicates that name a resource, best first."""
_RANK = {p: i for i, p in enumerate(LABEL_PREDICATES)}
_SCHEMA_OPEN = Namespace(str(SCHEMA._NS))
"""schema.org, open (for the few terms the closed namespace does not list)."""


def is_pinyin(lang: str | None) -> bool:
    """Whether a language tag is pinyin (``zh-Latn-pinyin``, any case)."""
    return bool(lang) and lang.lower().startswith("zh-latn")  # type: ignore[union-attr]


@dataclass(frozen=True)
class Label:
    """The names of one resource; any may be missing."""

    zh: str | None = None
    en: str | None = None
    pinyin: str | None = None
    fallback: str = ""
    """What to show when the graph gives no name (a CURIE or a local name)."""

    def text(self, lang: str = "zh") -> str:
        """The best single string for ``lang`` (``zh``, ``en`` or ``both``)."""
        if lang == "en":
            return self.en or self.zh or self.fallback
        if lang == "both" and self.zh and self.en and self.zh != self.en:
            return f"{self.zh} / {self.en}"
        return self.zh or self.en or self.fallback

    @property
    def has_name(self) -> bool:
        """Whether the graph names the resource at all."""
        return bool(self.zh or self.en)

    def as_dict(self) -> dict[str, Any]:
        """JSON form: ``{"zh": …, "en": …, "pinyin": …}`` (missing ones omitted)."""
        out: dict[str, Any] = {}
        if self.zh:
            out["zh"] = self.zh
        if self.en:
            out["en"] = self.en
        if self.pinyin:
            out["pinyin"] = self.pinyin
        if not out:
            out["id"] = self.fallback
        return out


class LabelCollector:
    """Collects ``(resource, predicate, text, lang)`` rows and keeps the best per language."""

    def __init__(self) -> None:
        self._best: dict[str, dict[str, tuple[int, str]]] = {}

    def add(self, resource: str, predicate: str, text: str, lang: str | None) -> None:
        """Record one label literal."""
        rank = _RANK.get(predicate, len(_RANK))
        if is_pinyin(lang):
            key = "pinyin"
        elif lang and lang.lower().startswith("zh"):
            key = "zh"
        elif lang and lang.lower().startswith("en"):
            key = "en"
        elif not lang:
            key = "plain"
        else:
            return
        slot = self._best.setdefault(resource, {})
        old = slot.get(key)
        if old is None or (rank, text) < old:
            slot[key] = (rank, text)

    def __contains__(self, resource: str) -> bool:
        return resource in self._best

    def label(self, resource: str) -> Label:
        """The :class:`Label` of ``resource`` (a fallback one when nothing was collected)."""
        slot = self._best.get(resource)
        if not slot:
            return fallback_label(resource)
        zh = slot.get("zh", slot.get("plain", (0, None)))[1]
        en = slot.get("en", (0, None))[1]
        pinyin = slot.get("pinyin", (0, None))[1]
        return Label(zh, en, pinyin, _fallback_text(resource))

    def resources(self) -> list[str]:
        """Every resource with at least one label."""
        return list(self._best)


def _fallback_text(iri: str) -> str:
    shown = curie(iri)
    return local_name(iri) if shown.startswith("<") else shown


def fallback_label(iri: str) -> Label:
    """A label for a standard term the graph does not name (or a bare CURIE)."""
    known = FALLBACK.get(iri)
    if known is not None:
        return Label(known[0], known[1], None, _fallback_text(iri))
    return Label(None, None, None, _fallback_text(iri))


def _table(*rows: tuple[Any, str, str]) -> dict[str, tuple[str, str]]:
    return {str(term): (zh, en) for term, zh, en in rows}


FALLBACK: dict[str, tuple[str, str]] = _table(
    (RDF.type, "类型", "type"),
    (RDFS.label, "名称", "label"),
    (RDFS.comment, "说明", "comment"),
    (RDFS.subClassOf, "上位类", "subclass of"),
    (RDFS.subPropertyOf, "上位属性", "subproperty of"),
    (RDFS.domain, "定义域", "domain"),
    (RDFS.range, "值域", "range"),
    (RDFS.isDefinedBy, "定义于", "defined by"),
    (RDFS.seeAlso, "参见", "see also"),
    (RDFS.Class, "类", "class"),
    (OWL.Class, "类", "class"),
    (OWL.Ontology, "本体", "ontology"),
    (OWL.ObjectProperty, "对象属性", "object property"),
    (OWL.DatatypeProperty, "数据属性", "datatype property"),
    (OWL.TransitiveProperty, "传递属性", "transitive property"),
    (OWL.NamedIndividual, "命名个体", "named individual"),
    (OWL.disjointWith, "不相交于", "disjoint with"),
    (OWL.versionInfo, "版本信息", "version info"),
    (OWL.versionIRI, "版本IRI", "version IRI"),
    (SKOS.prefLabel, "首选名称", "preferred label"),
    (SKOS.altLabel, "别名", "alternative label"),
    (SKOS.hiddenLabel, "检索用词", "hidden label"),
    (SKOS.definition, "定义", "definition"),
    (SKOS.note, "注释", "note"),
    (SKOS.scopeNote, "适用范围说明", "scope note"),
    (SKOS.notation, "编码", "notation"),
    (SKOS.broader, "上位概念", "broader"),
    (SKOS.narrower, "下位概念", "narrower"),
    (SKOS.related, "相关概念", "related"),
    (SKOS.inScheme, "所属概念体系", "in scheme"),
    (SKOS.topConceptOf, "顶层概念于", "top concept of"),
    (SKOS.hasTopConcept, "顶层概念", "has top concept"),
    (SKOS.closeMatch, "近似匹配", "close match"),
    (SKOS.exactMatch, "精确匹配", "exact match"),
    (SKOS.Concept, "概念", "concept"),
    (SKOS.ConceptScheme, "概念体系", "concept scheme"),
    (DCTERMS.title, "标题", "title"),
    (DCTERMS.description, "描述", "description"),
    (DCTERMS.language, "语言", "language"),
    (DCTERMS.license, "许可协议", "license"),
    (DCTERMS.isPartOf, "属于", "is part of"),
    (DCTERMS.spatial, "空间范围", "spatial coverage"),
    (DCTERMS.creator, "创建者", "creator"),
    (DCTERMS.created, "创建时间", "created"),
    (DCTERMS.modified, "修改时间", "modified"),
    (DCTERMS.identifier, "标识符", "identifier"),
    (PROV.wasDerivedFrom, "来源于", "derived from"),
    (PROV.wasGeneratedBy, "生成于", "generated by"),
    (PROV.used, "使用", "used"),
    (PROV.Activity, "活动", "activity"),
    (PROV.Entity, "实体", "entity"),
    (PROV.Plan, "计划", "plan"),
    (ORG.classification, "机构类别", "classification"),
    (ORG.unitOf, "内设于", "unit of"),
    (ORG.subOrganizationOf, "下属于", "sub-organisation of"),
    (ORG.postIn, "职位所在机构", "post in"),
    (ORG.role, "角色", "role"),
    (ORG.Post, "职位", "post"),
    (ORG.Role, "角色", "role"),
    (ORG.Organization, "组织", "organisation"),
    (ORG.FormalOrganization, "正式组织", "formal organisation"),
    (ORG.OrganizationalUnit, "内设单位", "organisational unit"),
    (ORG.OrganizationalCollaboration, "协作机构", "organisational collaboration"),
    (QB.Observation, "观测值", "observation"),
    (QB.DataSet, "数据集", "data set"),
    (QB.dataSet, "所属数据集", "data set"),
    (QB.DataStructureDefinition, "数据结构定义", "data structure definition"),
    (QB.ComponentSpecification, "组件说明", "component specification"),
    (QB.DimensionProperty, "维度属性", "dimension property"),
    (QB.AttributeProperty, "属性组件", "attribute property"),
    (QB.CodedProperty, "编码属性", "coded property"),
    (SDMXDIM.refArea, "地区", "reference area"),
    (SDMXDIM.refPeriod, "时期", "reference period"),
    (SDMXMEASURE.obsValue, "数值", "value"),
    (SDMXATTR.unitMeasure, "计量单位", "unit of measure"),
    (SDMXATTR.unitMult, "单位倍数（10的幂）", "unit multiplier (power of ten)"),
    (SDMXATTR.basePer, "比较基期", "base period"),
    (UNIT.NUM, "个数", "number"),
    (UNIT.PERCENT, "百分比", "percent"),
    (NIF.Context, "文本语境", "text context"),
    (NIF.Sentence, "句子", "sentence"),
    (NIF.isString, "全文", "full text"),
    (NIF.anchorOf, "原文", "quoted text"),
    (NIF.beginIndex, "起始位置", "begin offset"),
    (NIF.endIndex, "结束位置", "end offset"),
    (NIF.referenceContext, "所在文本", "reference context"),
    (SCHEMA.Report, "报告", "report"),
    (SCHEMA.GovernmentOrganization, "政府组织", "government organisation"),
    (SCHEMA.AdministrativeArea, "行政区域", "administrative area"),
    (SCHEMA.Place, "地点", "place"),
    (SCHEMA.Legislation, "法律法规", "legislation"),
    (SCHEMA.unitText, "单位（原文）", "unit as written"),
    (SCHEMA.containedInPlace, "位于", "contained in place"),
    (_SCHEMA_OPEN.domainIncludes, "适用类", "domain includes"),
    (_SCHEMA_OPEN.rangeIncludes, "取值类", "range includes"),
    (ELI.LegalResource, "法律资源", "legal resource"),
    (CV.PublicOrganisation, "公共机构", "public organisation"),
    (TIME.ProperInterval, "时间段", "time interval"),
    (TIME.hasBeginning, "开始", "beginning"),
    (TIME.hasEnd, "结束", "end"),
    (TIME.inXSDDate, "日期", "date"),
    (SH.NodeShape, "节点约束", "node shape"),
    (SH.SPARQLConstraint, "SPARQL约束", "SPARQL constraint"),
    (XSD.integer, "整数", "integer"),
)
"""zh/en labels of standard terms that the ontology uses but does not label itself."""
