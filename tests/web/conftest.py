"""Fixtures for the web tests: small synthetic graphs, an in-memory store, a TestClient."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import rdflib
from rdflib.namespace import QB, RDF, RDFS, SKOS, XSD

from fazhi_graph.namespaces import DATA, FZ, GRAPH
from fazhi_graph.settings import Settings
from fazhi_graph.store import Store, open_store

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

REPORT_A = str(GRAPH["report/a"])
REPORT_B = str(GRAPH["report/b"])
VOCAB = str(GRAPH["vocab"])
OBSERVATIONS_A = 120
OBSERVATIONS_B = 30
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
"""A query that never finishes on these graphs (a 5-way cartesian product)."""


def _report(key: str, count: int) -> rdflib.Graph:
    g = rdflib.Graph()
    report = DATA[f"report/{key}"]
    g.add((report, RDF.type, FZ.AnnualReport))
    g.add((report, RDFS.label, rdflib.Literal(f"{key}区2023年法治政府建设年度报告", lang="zh")))
    g.add((report, FZ.reportingYear, rdflib.Literal(2023, datatype=XSD.gYear)))
    for i in range(count):
        obs = DATA[f"obs/{key}{i}"]
        g.add((obs, RDF.type, QB.Observation))
        g.add((obs, RDFS.label, rdflib.Literal(f"{key}区 指标{i} 行政复议案件", lang="zh")))
        g.add((obs, RDF.value, rdflib.Literal(i)))
        g.add((obs, FZ.indicator, DATA[f"indicator/{i % 5}"]))
    return g


def _vocab() -> rdflib.Graph:
    g = rdflib.Graph()
    for i in range(5):
        concept = DATA[f"indicator/{i}"]
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.prefLabel, rdflib.Literal(f"指标{i}", lang="zh")))
        g.add((concept, SKOS.prefLabel, rdflib.Literal(f"Indicator {i}", lang="en")))
    return g


@pytest.fixture(scope="session")
def web_graphs() -> list[tuple[str, rdflib.Graph]]:
    """Three named graphs shaped like ours: two reports and a vocabulary."""
    return [
        (REPORT_A, _report("a", OBSERVATIONS_A)),
        (REPORT_B, _report("b", OBSERVATIONS_B)),
        (VOCAB, _vocab()),
    ]


def fill(store: Store, graphs: list[tuple[str, rdflib.Graph]]) -> Store:
    for name, graph in graphs:
        store.replace_graph(name, graph)
    return store


@pytest.fixture(scope="module")
def memory_store(web_graphs: list[tuple[str, rdflib.Graph]]) -> Iterator[Store]:
    store = fill(open_store(backend="memory"), web_graphs)
    yield store
    store.close()


def small_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "query_timeout_s": 2.0,
        "max_rows": 50,
        "max_rows_limit": 500,
        "max_body_bytes": 20_000,
        "max_query_chars": 5_000,
    }
    values.update(overrides)
    return Settings.from_env({}, **values)


@pytest.fixture(scope="module")
def web_settings() -> Settings:
    return small_settings()


def make_client(store: Store, settings: Settings) -> TestClient:
    from fazhi_graph.web.app import create_app
    from fazhi_graph.web.executor import WorkerSpec

    return TestClient(create_app(store, settings, workers=[WorkerSpec("fork", 2, 2)]))


@pytest.fixture(scope="module")
def client(memory_store: Store, web_settings: Settings) -> Iterator[TestClient]:
    with make_client(memory_store, web_settings) as test_client:
        yield test_client
