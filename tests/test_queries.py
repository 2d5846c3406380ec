"""Every saved query in queries/ parses, has a bilingual title, and answers on the seed alone.

The library's full tests (several reports, parameters, docs) are in test_query_library.py.
"""

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph

from fazhi_graph.namespaces import GRAPH
from fazhi_graph.ontology import load_vocabularies
from fazhi_graph.sparql import bind, saved_queries
from fazhi_graph.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
QUERIES = saved_queries(ROOT / "queries")


@pytest.fixture(scope="module")
def store(seed_graph: Graph) -> Store:
    s = open_store(backend="memory")
    s.replace_graph(str(GRAPH["report/chengdongqu-2020"]), seed_graph)
    s.replace_graph(str(GRAPH["vocab"]), load_vocabularies())
    return s


def rows(store: Store, name: str) -> list[dict[str, Any]]:
    result = store.query(bind(QUERIES[name]))
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    out = []
    for sol in result:
        row = {}
        for n in names:
            term = sol[n]
            row[n] = None if term is None else term.value
        out.append(row)
    return out


def test_every_query_has_titles_and_description() -> None:
    assert len(QUERIES) >= 25
    for q in QUERIES.values():
        assert q.title_zh and q.title_en and q.description, q.name


# queries whose answer on the seed alone is empty by design: they compare reports, or look for
# faults the seed does not have (tested with data that has rows here and in test_query_library)
EMPTY_ON_SEED = {
    "conflicting-values",
    "measures-followed-up",
    "problems-without-measures",
    "recurring-documents",
    "recurring-problems",
    "unanchored-facts",
}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_runs(store: Store, name: str) -> None:
    got = rows(store, name)
    assert bool(got) != (name in EMPTY_ON_SEED), f"{name}: {len(got)} rows on the seed"


def test_problems_without_measures(seed_graph: Graph) -> None:
    # the seed plans a measure (5) for the area of its three problems (A4); take it away
    from fazhi_graph.namespaces import AREA, FZ

    g = Graph()
    g += seed_graph
    for measure in list(g.subjects(FZ.area, AREA["A4"])):
        if (None, FZ.plannedMeasure, measure) in g:
            g.remove((None, FZ.plannedMeasure, measure))
    s = open_store(backend="memory")
    s.replace_graph(str(GRAPH["report/x"]), g)
    s.replace_graph(str(GRAPH["vocab"]), load_vocabularies())
    assert len(rows(s, "problems-without-measures")) == 3


def test_mediation_rate(store: Store) -> None:
    (row,) = rows(store, "mediation-rate")
    assert Decimal(row["rate"]) == Decimal("98.1")
    assert (row["numerator"], row["denominator"]) == ("367", "374")
    assert Decimal(row["recomputed"]) == Decimal("98.1")
    assert "调解率98.1%" in row["sentence"]


def test_stated_twice(store: Store) -> None:
    found = {(r["value"], r["sentences"]) for r in rows(store, "stated-twice")}
    assert ("142", "2") in found


def test_documents(store: Store) -> None:
    titles = {r["title"] for r in rows(store, "documents")}
    assert len(titles) == 9
    assert "劳动争议调解仲裁法" in titles


def test_hedged_values(store: Store) -> None:
    surfaces = {r["surface"] for r in rows(store, "hedged-values")}
    assert {"近千万元", "91余场次"} <= surfaces


def test_rates_vs_parts(store: Store) -> None:
    by_rate = {r["rate"]: r["consistent"] for r in rows(store, "rates-vs-parts")}
    assert by_rate["98.1"] == "true"


def test_fangguanfu_reaches_narrower_initiatives(store: Store) -> None:
    labels = {r["initiativeLabel"] for r in rows(store, "fangguanfu-bodies")}
    assert len(labels) >= 3
