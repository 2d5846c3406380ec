"""The bulk worker's shortcuts give what the long way gives: the rdflib graph's triples without
the graph (`rdf.to_triples`), their fast conversion (`oxterms`), validation and findings on
Oxigraph triples (`bulk_worker`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from fazhi_graph import bulk_worker
from fazhi_graph.bulk_worker import Task, report_findings, work
from fazhi_graph.checks import run_checks
from fazhi_graph.errors import StoreError
from fazhi_graph.extract import extract
from fazhi_graph.namespaces import GRAPH
from fazhi_graph.oxterms import oxigraph_triples
from fazhi_graph.pipeline import schema_graphs
from fazhi_graph.rdf import to_graph, to_triples
from fazhi_graph.report import meta_for, read_report
from fazhi_graph.shacl_sparql import process_validation
from fazhi_graph.shared import split_triples
from fazhi_graph.store import graph_salt, ntriples, ntriples_digest, open_store, to_oxigraph
from fazhi_graph.synth import write_corpus

from .conftest import SAMPLES, sample_names


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("corpus")
    write_corpus(folder, 4, seed=21)
    return [*sorted(folder.glob("*.txt")), *(SAMPLES / f"{n}.txt" for n in sample_names())]


def facts_of(path: Path) -> Any:
    text = read_report(path)
    return extract(text, meta_for(text, path.name, {}))


def test_to_triples_are_the_graphs_triples_each_once(seed_facts: Any, corpus: list[Path]) -> None:
    for facts in (seed_facts, *(facts_of(p) for p in corpus)):
        triples = to_triples(facts)
        graph = to_graph(facts)
        assert len(triples) == len(set(triples)) == len(graph)
        assert set(triples) == set(graph)


def test_oxigraph_triples_is_to_oxigraph(seed_graph: Graph, corpus: list[Path]) -> None:
    for triples in (list(seed_graph), *(to_triples(facts_of(p)) for p in corpus)):
        assert oxigraph_triples(triples, salt="s") == to_oxigraph(triples, salt="s")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "triples",
    [
        [(URIRef("http://ex.org/a"), RDFS.label, Literal("x", lang="zh-Latn-pinyin"))],
        [(URIRef("http://ex.org/a"), RDFS.label, Literal("1.50", datatype=XSD.decimal))],
        [(URIRef("http://ex.org/a"), RDFS.label, Literal("x", datatype=XSD.string))],
        [(URIRef("http://ex.org/a"), RDFS.label, Literal(7))],
        [
            (BNode("n1"), RDFS.label, BNode("n2")),
            (URIRef("http://ex.org/a"), RDFS.seeAlso, BNode("n1")),
        ],
    ],
)
def test_oxigraph_triples_on_every_kind_of_term(triples: list[Any]) -> None:
    assert oxigraph_triples(triples, salt="q") == to_oxigraph(triples, salt="q")


def test_oxigraph_triples_refuses_what_to_oxigraph_refuses() -> None:
    bad = [(URIRef("http://ex.org/a b"), RDFS.label, Literal("x"))]
    with pytest.raises(StoreError, match="cannot store the triple"):
        oxigraph_triples(bad)


def test_validating_oxigraph_triples_gives_the_graphs_results(
    seed_graph: Graph, corpus: list[Path]
) -> None:
    context = process_validation()
    for graph in (seed_graph, *(to_graph(facts_of(p)) for p in corpus)):
        expected = context.run(graph)
        assert context.run_triples(oxigraph_triples(list(graph))) == expected
    broken = Graph()
    broken += seed_graph
    report = next(iter(broken.subjects(RDFS.label, None)))
    broken.add((report, RDFS.label, Literal(3)))  # not a string: a violation somewhere
    expected = context.run(broken)
    assert context.run_triples(oxigraph_triples(list(broken))) == expected


def test_findings_on_a_small_store_are_the_whole_stores(tmp_path: Path) -> None:
    """Every report of a corpus whose random figures clash, checked alone on the worker's
    store (renewed along the way), gives what run_checks gives on a store holding them all."""
    folder = tmp_path / "corpus"
    write_corpus(folder, 10, seed=4)
    done = work([Task(str(p), {}) for p in sorted(folder.glob("*.txt"))], validate=False)
    assert all(not d.error for d in done)
    whole = open_store(backend="memory")
    for name, graph in schema_graphs(copy=False):
        whole.raw.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(name))
                         for t in to_oxigraph(graph))  # fmt: skip
    for d in done:
        whole.raw.load(d.ntriples + d.shared, format=ox.RdfFormat.N_TRIPLES,
                       to_graph=ox.NamedNode(d.graph))  # fmt: skip
    assert sum(len(d.findings) for d in done) > 0, "figures to compare: random figures clash"
    for d in done * 2:  # more runs than the store is renewed after
        assert tuple(run_checks(whole, report=d.graph)) == d.findings
        assert tuple(report_findings(d.graph, d.ntriples, d.shared)) == d.findings
    assert bulk_worker._CHECKS[0]._runs > bulk_worker._RENEW_EVERY


def test_work_sends_back_what_the_rdflib_path_gives(corpus: list[Path]) -> None:
    (done,) = work([Task(str(corpus[0]), {})], validate=True)
    assert not done.error
    graph = to_graph(facts_of(corpus[0]))
    converted = to_oxigraph(graph, salt=graph_salt(done.graph))
    own, shared = split_triples(done.graph, converted)
    for sent, expected in ((done.ntriples, own), (done.shared, shared)):  # order aside
        assert sorted(sent.splitlines()) == sorted(ntriples(expected).splitlines())
    assert done.digest == ntriples_digest(ntriples(own))
    assert done.triples == len(graph)
    assert done.graph == str(GRAPH[f"report/{facts_of(corpus[0]).meta.report_id}"])


def test_a_file_that_cannot_be_read_or_does_not_conform_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    (done,) = work([Task(str(missing), {})], validate=True)
    assert done.error.startswith(f"{missing}: cannot read it")
    off_genre = tmp_path / "note.txt"
    off_genre.write_text("今天天气很好。", encoding="utf-8")
    (done,) = work([Task(str(off_genre), {})], validate=True)
    assert done.error and not done.ntriples


def test_the_bulk_catalogue_puts_and_writes_as_the_list_did(tmp_path: Path) -> None:
    """Catalogue.put drops every entry of the same file or report and appends; its text is
    catalogue_text of the entries in order (checked against that rule, duplicates included)."""
    import random

    from fazhi_graph.bulk_catalogue import Catalogue
    from fazhi_graph.ingest import catalogue_text
    from fazhi_graph.pipeline import CatalogueEntry

    reports = tmp_path / "data" / "reports"
    reports.mkdir(parents=True)
    first = "# header\n\n" + "".join(
        f'[[report]]\nfile = "{f}.txt"\narea = "{a}"\nyear = 2020\n\n' for f, a in
        (("a", "x"), ("b", "y"), ("a", "z"), ("c", "x"))  # a file and a report listed twice
    )  # fmt: skip
    (reports / "reports.toml").write_text(first, encoding="utf-8")
    catalogue = Catalogue(tmp_path)
    expected: list[CatalogueEntry] = list(catalogue.entries)
    assert len(expected) == 4
    assert catalogue.text() == catalogue_text("# header", expected).encode()

    def key(e: CatalogueEntry) -> tuple[object, ...]:
        return e.get("area"), e.get("year"), e.get("issuer")

    rng = random.Random(3)
    for _ in range(300):
        entry: CatalogueEntry = {
            "file": f"{rng.choice('abcdefg')}.txt",
            "area": rng.choice("xyzw"),
            "year": rng.choice((2020, 2021)),
        }
        if rng.random() < 0.5:
            entry["issuer"] = "i"
        kept = [e for e in expected if e["file"] != entry["file"] and key(e) != key(entry)]
        assert catalogue.put(entry) == (len(kept) != len(expected))
        expected = [*kept, entry]
        assert catalogue.entries == expected
        if rng.random() < 0.2:
            assert catalogue.text() == catalogue_text("# header", expected).encode()
    assert catalogue.by_file() == {str(e["file"]): e for e in expected}
