"""Synthetic data shaped like the fazhi-graph dataset, and the benchmark queries Q1-Q8.

One named graph per report, each with the report, its sections and sentences (Chinese text),
observations (indicator, value, year, the sentence that states them), policy documents that
sentences mention, and programmes with up to five optional properties. About 960 triples a
report, so ``triples // 960`` reports.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fazhi_graph.iris import BASE
from fazhi_graph.iris import REPORT_GRAPH_PREFIX as G

ID = BASE + "id/"
FZ = BASE + "ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_VALUE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#value"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
QB_OBS = "http://purl.org/linked-data/cube#Observation"
XSD_INT = "http://www.w3.org/2001/XMLSchema#integer"

SECTIONS, SENTENCES, OBSERVATIONS, DOCUMENTS, PROGRAMS = 8, 40, 120, 20, 30
INDICATORS, AREAS, YEARS = 50, 30, (2018, 2019, 2020, 2021, 2022, 2023)
TRIPLES_PER_REPORT = 960
WORDS = ["行政复议", "法治督察", "规范性文件", "执法监督", "普法宣传", "公共法律服务",
         "合法性审查", "依法决策", "行政诉讼", "矛盾纠纷化解"]

PREFIX = (
    f"PREFIX fz: <{FZ}> PREFIX fzd: <{ID}> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-"
    "syntax-ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
)


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@zh'


def _int(value: int) -> str:
    return f'"{value}"^^<{XSD_INT}>'


def generate(triples: int, path: Path, seed: int = 7) -> int:
    """Write about ``triples`` triples as N-Quads to ``path``; return the number of reports."""
    rng = random.Random(seed)
    reports = max(1, triples // TRIPLES_PER_REPORT)
    with path.open("w", encoding="utf-8") as out:
        for r in range(reports):
            g = f"<{G}{r}>"
            year = YEARS[r % len(YEARS)]
            area = f"<{ID}area/{r % AREAS}>"
            rep = f"<{ID}report/{r}>"
            lines = [
                f"{rep} <{RDF_TYPE}> <{FZ}AnnualReport> {g} .",
                f"{rep} <{LABEL}> {_lit(f'第{r}区{year}年法治政府建设年度报告')} {g} .",
                f"{rep} <{FZ}reportingYear> {_int(year)} {g} .",
                f"{rep} <{FZ}reportingArea> {area} {g} .",
            ]
            for s in range(SECTIONS):
                sec = f"<{ID}section/{r}/{s}>"
                lines += [
                    f"{sec} <{RDF_TYPE}> <{FZ}ReportSection> {g} .",
                    f"{sec} <{FZ}headingText> {_lit(f'第{s}部分 {WORDS[s % 10]}')} {g} .",
                    f"{rep} <{FZ}hasSection> {sec} {g} .",
                ]
            for t in range(SENTENCES):
                sen = f"<{ID}sentence/{r}/{t}>"
                word = WORDS[rng.randrange(10)]
                text = f"全年办理{word}案件{rng.randrange(1000)}件，同比增长{rng.randrange(99)}%。"
                lines += [
                    f"{sen} <{FZ}sentenceOf> <{ID}section/{r}/{t % SECTIONS}> {g} .",
                    f"{sen} <{RDF_VALUE}> {_lit(text)} {g} .",
                    f"{sen} <{FZ}mentions> <{ID}document/{r}/{t % DOCUMENTS}> {g} .",
                ]
            for o in range(OBSERVATIONS):
                obs = f"<{ID}obs/{r}/{o}>"
                lines += [
                    f"{obs} <{RDF_TYPE}> <{QB_OBS}> {g} .",
                    f"{obs} <{FZ}indicator> <{ID}indicator/{(r + o) % INDICATORS}> {g} .",
                    f"{obs} <{FZ}obsValue> {_int(rng.randrange(100000))} {g} .",
                    f"{obs} <{FZ}reportingYear> {_int(year)} {g} .",
                    f"{obs} <{FZ}statedIn> <{ID}sentence/{r}/{o % SENTENCES}> {g} .",
                ]
            for d in range(DOCUMENTS):
                doc = f"<{ID}document/{r}/{d}>"
                lines += [
                    f"{doc} <{RDF_TYPE}> <{FZ}PolicyDocument> {g} .",
                    f"{doc} <{LABEL}> {_lit(f'关于加强{WORDS[d % 10]}工作的意见（{r}-{d}）')}"
                    f" {g} .",
                    f"{doc} <{FZ}issuedBy> <{ID}body/{r % 200}> {g} .",
                    f"{doc} <{FZ}documentType> <{ID}doctype/{d % 6}> {g} .",
                ]
            for p in range(PROGRAMS):
                prog = f"<{ID}program/{r}/{p}>"
                lines += [
                    f"{prog} <{RDF_TYPE}> <{FZ}Initiative> {g} .",
                    f"{prog} <{LABEL}> {_lit(f'{WORDS[p % 10]}专项行动{p}')} {g} .",
                    f"{prog} <{FZ}reportingYear> {_int(year)} {g} .",
                    f"{prog} <{FZ}area> {area} {g} .",
                ]
                for prop in ("responsibleBody", "governedBy", "implementedIn", "relevantFor",
                             "about"):
                    if rng.random() < 0.5:
                        lines.append(f"{prog} <{FZ}{prop}> <{ID}{prop}/{rng.randrange(40)}> {g} .")
            out.write("\n".join(lines) + "\n")
    return reports


@dataclass(frozen=True)
class Query:
    """One benchmark query: a name, what it does, and a generator of concrete variants."""

    name: str
    what: str
    graph: bool
    make: Callable[[random.Random, int], str]


QUERIES: list[Query] = [
    Query("Q1", "lookup: all properties of one observation", False,
          lambda rng, n: f"SELECT ?p ?o WHERE {{ <{ID}obs/{rng.randrange(n)}/"
                         f"{rng.randrange(OBSERVATIONS)}> ?p ?o }}"),
    Query("Q2", "label CONTAINS search (Chinese)", False,
          lambda rng, n: PREFIX + "SELECT ?s ?t WHERE { ?s rdf:value ?t FILTER(CONTAINS(?t, "
                         f'"{WORDS[rng.randrange(10)]}案件{rng.randrange(1000)}件")) }}'),
    Query("Q3", "2-hop join: observations stated in one section's sentences", False,
          lambda rng, n: PREFIX + "SELECT ?obs ?v WHERE { ?sen fz:sentenceOf "
                         f"<{ID}section/{rng.randrange(n)}/{rng.randrange(SECTIONS)}> . "
                         "?obs fz:statedIn ?sen ; fz:obsValue ?v }"),
    Query("Q4", "GROUP BY aggregate: average value per indicator", False,
          lambda rng, n: PREFIX + "SELECT ?ind (AVG(?v) AS ?avg) (COUNT(*) AS ?n) WHERE { "
                         "?o fz:indicator ?ind ; fz:obsValue ?v } GROUP BY ?ind"),
    Query("Q5", "OPTIONAL-heavy: programmes of one year and area, 5 OPTIONALs", False,
          lambda rng, n: PREFIX + "SELECT * WHERE { ?p a fz:Initiative ; fz:reportingYear "
                         f"{YEARS[rng.randrange(6)]} ; fz:area <{ID}area/{rng.randrange(AREAS)}> "
                         "OPTIONAL { ?p fz:responsibleBody ?b } OPTIONAL { ?p fz:governedBy ?gv } "
                         "OPTIONAL { ?p fz:implementedIn ?i } OPTIONAL { ?p fz:relevantFor ?r } "
                         "OPTIONAL { ?p fz:about ?a } }"),
    Query("Q6", "ORDER BY DESC LIMIT 20 for one indicator", False,
          lambda rng, n: PREFIX + "SELECT ?o ?v WHERE { ?o fz:indicator "
                         f"<{ID}indicator/{rng.randrange(INDICATORS)}> ; fz:obsValue ?v }} "
                         "ORDER BY DESC(?v) LIMIT 20"),
    Query("Q7", "CONSTRUCT a document's neighbourhood", True,
          lambda rng, n: _q7(f"<{ID}document/{rng.randrange(n)}/{rng.randrange(DOCUMENTS)}>")),
    Query("Q8", "COUNT(*)", False,
          lambda rng, n: "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
]
MIX = ("Q1", "Q3", "Q5", "Q6", "Q7")


def _q7(doc: str) -> str:
    return PREFIX + (
        f"CONSTRUCT {{ {doc} ?p ?o . ?s ?sp ?so }} WHERE {{ {{ {doc} ?p ?o }} UNION "
        f"{{ ?s fz:mentions {doc} ; ?sp ?so }} }}"
    )


def by_name(name: str) -> Query:
    return next(q for q in QUERIES if q.name == name)
