"""The shared graph: what several reports say alike about a node is stored once.

Oxigraph's union default graph returns a triple once per named graph holding it, so a
national law's title kept in every citing report's graph would multiply every join through
it by the number of reports. These tests pin the split (:mod:`fazhi_graph.shared`) and that
every write path (build, single ingest, bulk ingest) stores each triple once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF

from fazhi_graph.build import build
from fazhi_graph.bulk import ingest_folder
from fazhi_graph.errors import StoreError
from fazhi_graph.ingest import ingest
from fazhi_graph.namespaces import DATA, FZ, GRAPH, PREFIXES
from fazhi_graph.settings import Settings
from fazhi_graph.shared import SHARED_GRAPH, report_id_of, split_shared
from fazhi_graph.store import META_GRAPH, open_store
from fazhi_graph.synth import write_corpus

from .conftest import SAMPLES, copy_project

SEED_GRAPH = str(GRAPH["report/chengdongqu-2020"])


def _is_own(term: Any) -> bool:
    return str(term).startswith(str(DATA)) and str(term)[len(DATA) :].split("/")[1:2] == [
        "chengdongqu-2020"
    ]


def test_split_is_a_partition_by_the_reports_own_nodes(seed_graph: Graph) -> None:
    own, shared = split_shared(SEED_GRAPH, seed_graph)
    assert len(own) + len(shared) == len(seed_graph)
    assert set(own) | set(shared) == set(seed_graph)
    assert all(_is_own(s) or _is_own(o) for s, _p, o in own)
    assert not any(_is_own(s) or _is_own(o) for s, _p, o in shared)
    report = DATA["report/chengdongqu-2020"]
    assert (report, RDF.type, FZ.AnnualReport) in own
    laws = {s for s, _p, _o in shared.triples((None, RDF.type, FZ.PolicyDocument))}
    assert any("/doc/cn/" in str(d) for d in laws), "national laws are described once, shared"
    for law in laws:  # each is still reachable from the report's own graph
        assert (None, FZ.mentions, law) in own


def test_report_id_of_names_report_graphs_only() -> None:
    assert report_id_of(SEED_GRAPH) == "chengdongqu-2020"
    with pytest.raises(StoreError, match="not a report graph"):
        report_id_of(str(GRAPH["curated"]))


def _triples_by_graph(settings: Settings) -> dict[str, set[tuple[str, str, str]]]:
    out: dict[str, set[tuple[str, str, str]]] = {}
    with open_store(settings.store_path, read_only=True) as store:
        for quad in store.quads():
            name = str(quad.graph_name.value)  # type: ignore[union-attr]
            out.setdefault(name, set()).add(
                (str(quad.subject), str(quad.predicate), str(quad.object))
            )
    return out


def _assert_each_triple_once(settings: Settings) -> None:
    by_graph = _triples_by_graph(settings)
    data = {n: t for n, t in by_graph.items() if n.startswith(str(GRAPH["report/"]))}
    data[SHARED_GRAPH] = by_graph[SHARED_GRAPH]
    counts = Counter(t for triples in data.values() for t in triples)
    repeated = [t for t, n in counts.items() if n > 1]
    assert repeated == [], f"{len(repeated)} triples in more than one graph, e.g. {repeated[:3]}"
    with open_store(settings.store_path, read_only=True) as store:
        assert SHARED_GRAPH in {
            q.subject.value  # type: ignore[union-attr]
            for q in store.quads(META_GRAPH)
        }, "the shared graph has its hash in the meta graph"
        rows = store.query(
            "SELECT ?d ?t WHERE { ?d a fz:PolicyDocument ; dct:title ?t }", prefixes=PREFIXES
        )
        assert isinstance(rows, ox.QuerySolutions)
        pairs = [(str(row["d"]), str(row["t"])) for row in rows]
        assert len(pairs) == len(set(pairs)), "a join through a shared node is not multiplied"


def test_every_write_path_stores_shared_triples_once(tmp_path: Path) -> None:
    settings = copy_project(tmp_path / "project")
    ingest(settings, SAMPLES / "heyang-district-2021.txt", {})  # no store yet: a build
    ingest(settings, SAMPLES / "qinghe-county-2022.txt", {})  # single ingest
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6, seed=3)
    result = ingest_folder(settings, corpus, workers=1, batch=3, commit=1)  # two writes
    assert not result.failed
    _assert_each_triple_once(settings)
    incremental = _triples_by_graph(settings)

    build(settings)  # the same catalogue from scratch
    _assert_each_triple_once(settings)
    rebuilt = _triples_by_graph(settings)
    for name in (SHARED_GRAPH, *(n for n in rebuilt if n.startswith(str(GRAPH["report/"])))):
        assert incremental[name] == rebuilt[name], f"{name} differs between ingest and build"
    law, title = f"<{DATA['doc/cn/zhonghuarenmingongheguoxingzhengchufafa']}>", f"<{DCTERMS.title}>"
    cited = [n for n, triples in rebuilt.items() if any(o == law for _s, _p, o in triples)]
    assert len(cited) > 1, "the law is cited by several reports"
    assert [t for t in rebuilt[SHARED_GRAPH] if t[:2] == (law, title)] != []
    assert not any(t[:2] == (law, title) for n in cited for t in rebuilt[n])
