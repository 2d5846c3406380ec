"""The whole dataset from ``data/``: catalogue → report graphs, plus ontology and curated data.

>>> from fazhi_graph.pipeline import report_graph   # doctest: +SKIP
"""

from __future__ import annotations

import csv
import tomllib
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from fazhi_graph.errors import CatalogueError
from fazhi_graph.extract import extract
from fazhi_graph.facts import Facts, ReportMeta
from fazhi_graph.namespaces import DATA, GRAPH
from fazhi_graph.ontology import load_ontology, load_shapes, load_vocabularies
from fazhi_graph.rdf import bind_prefixes, to_graph
from fazhi_graph.report import meta_for, read_report
from fazhi_graph.shared import SHARED_GRAPH, split_reports

__all__ = [
    "CatalogueEntry",
    "catalogue",
    "curated_graph",
    "curated_names",
    "data_graphs",
    "dataset_graphs",
    "extract_file",
    "report_graph",
    "schema_graphs",
]

CatalogueEntry = dict[str, str | int]


def catalogue(root: Path) -> list[CatalogueEntry]:
    """The entries of ``data/reports/reports.toml`` (each has at least ``file``)."""
    path = root / "data" / "reports" / "reports.toml"
    if not path.exists():
        raise CatalogueError(f"{path}: missing; create it with one [[report]] per text file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{path}: does not parse ({exc}); fix the TOML syntax") from exc
    entries = data.get("report", [])
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and "file" in e for e in entries
    ):
        raise CatalogueError(f'{path}: every [[report]] needs a file = "…" entry')
    return entries


def extract_file(path: Path, given: CatalogueEntry | None = None) -> Facts:
    """Read, check and extract one report file (metadata from ``given``, else its title)."""
    text = read_report(path)
    meta: ReportMeta = meta_for(text, path.name, dict(given or {}))
    return extract(text, meta)


def report_graph(path: Path, given: CatalogueEntry | None = None) -> tuple[str, Graph]:
    """(named-graph IRI, graph) for one report file."""
    facts = extract_file(path, given)
    return str(GRAPH[f"report/{facts.meta.report_id}"]), to_graph(facts)


def curated_names(root: Path) -> dict[str, str]:
    """Chinese name → English name, from ``data/curated/names-en.csv`` (empty without it)."""
    path = root / "data" / "curated" / "names-en.csv"
    names: dict[str, str] = {}
    if not path.exists():
        return names
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            names[row["zh"].strip()] = row["en"].strip()
    return names


def curated_graph(root: Path, report_graphs: list[Graph]) -> Graph:
    """English names from ``data/curated/names-en.csv`` for every entity with that Chinese name.

    The graph describes itself: it was derived from the curated file, so its labels carry
    their own provenance (``fzg:curated prov:wasDerivedFrom <file>``).
    """
    g = bind_prefixes(Graph())
    if not (root / "data" / "curated" / "names-en.csv").exists():
        return g
    names = curated_names(root)
    node = URIRef(GRAPH["curated"])
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, RDFS.label, Literal("curated English names", lang="en")))
    g.add((node, RDFS.label, Literal("人工整理的英文名称", lang="zh")))
    g.add((node, PROV.wasDerivedFrom, DATA["source/curated/names-en.csv"]))
    g.add(
        (
            node,
            DCTERMS.description,
            Literal(
                "English names written and reviewed by the project's editors, "
                "one row per Chinese name.",
                lang="en",
            ),
        )
    )
    for rg in report_graphs:
        for s, _p, o in (
            *rg.triples((None, SKOS.prefLabel, None)),
            *rg.triples((None, RDFS.label, None)),
        ):
            if getattr(o, "language", None) == "zh" and str(o) in names:
                g.add((s, SKOS.prefLabel, Literal(names[str(o)], lang="en")))
                g.add((s, RDFS.label, Literal(names[str(o)], lang="en")))
    return g


def schema_graphs(*, copy: bool = True) -> list[tuple[str, Graph]]:
    """The ontology, the vocabularies and the shapes, each as its named graph.

    With ``copy=False`` the parsed graphs are shared with the loader's cache, which saves
    copying 6,000 triples; the caller must then only read them (as a build does).
    """
    return [
        (str(GRAPH["ontology"]), load_ontology(copy=copy)),
        (str(GRAPH["vocab"]), load_vocabularies(copy=copy)),
        (str(GRAPH["shapes"]), load_shapes(copy=copy)),
    ]


def data_graphs(root: Path) -> list[tuple[str, Graph]]:
    """The data of the dataset: the curated graph, the shared graph (descriptions of the
    nodes several reports name, :mod:`fazhi_graph.shared`), then one graph per catalogued
    report holding what touches the report's own nodes."""
    reports: list[tuple[str, Graph]] = []
    seen: dict[str, str] = {}
    for entry in catalogue(root):
        path = root / "data" / "reports" / str(entry["file"])
        name, graph = report_graph(path, entry)
        if name in seen:
            raise CatalogueError(
                f"{path.name} and {seen[name]} both give report graph {name}; "
                'set a distinct id = "…" in reports.toml'
            )
        seen[name] = path.name
        reports.append((name, graph))
    own, shared = split_reports(reports)
    return [
        (str(GRAPH["curated"]), curated_graph(root, [g for _n, g in reports])),
        (SHARED_GRAPH, shared),
        *own,
    ]


def dataset_graphs(root: Path) -> list[tuple[str, Graph]]:
    """Every named graph of the dataset: ontology, vocab, shapes, curated, one per report."""
    data = data_graphs(root)
    return [*schema_graphs(), *data]
