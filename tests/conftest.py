"""Shared fixtures: the project root, the seed report, the sample reports (test fixtures only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.remote_servers import Server, ServerUnavailableError, start_oxigraph, start_virtuoso

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "reports" / "000_47a56254960e4c13.txt"
SAMPLES = ROOT / "tests" / "data" / "samples"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_facts() -> Any:
    from fazhi_graph.pipeline import catalogue, extract_file

    entry = next(e for e in catalogue(ROOT) if e["file"] == SEED.name)
    return extract_file(SEED, entry)


@pytest.fixture(scope="session")
def seed_graph(seed_facts: Any) -> Any:
    from fazhi_graph.rdf import to_graph

    return to_graph(seed_facts)


def copy_project(home: Path) -> Any:
    """Copy the project's data, ontology and queries to ``home``; return its Settings (the
    store at ``home/var/store``, not built)."""
    import shutil

    from fazhi_graph.settings import Settings

    for folder in ("data", "ontology", "queries"):
        shutil.copytree(ROOT / folder, home / folder)
    return Settings.from_env(project_root=home, store_path=home / "var" / "store")


def sample_names() -> list[str]:
    return sorted(p.stem for p in SAMPLES.glob("*.txt"))


def load_gold(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.gold.json").read_text(encoding="utf-8"))
    return data


def four_report_graphs() -> list[tuple[str, Any]]:
    """(name, rdflib graph) of the ontology, the vocabularies, the shared graph, the seed and
    the three sample reports (fictional; test fixtures only, never part of the shipped
    catalogue), laid out as a build stores them."""
    from fazhi_graph.namespaces import GRAPH
    from fazhi_graph.ontology import load_ontology, load_vocabularies
    from fazhi_graph.pipeline import catalogue, report_graph
    from fazhi_graph.shared import SHARED_GRAPH, split_reports

    entry = next(e for e in catalogue(ROOT) if e["file"] == SEED.name)
    graphs = [report_graph(SEED, entry)]
    graphs += [report_graph(SAMPLES / f"{name}.txt", {}) for name in sample_names()]
    own, shared = split_reports(graphs)
    return [
        (str(GRAPH["ontology"]), load_ontology()),
        (str(GRAPH["vocab"]), load_vocabularies()),
        (SHARED_GRAPH, shared),
        *own,
    ]


@pytest.fixture(scope="session")
def four_report_store() -> Any:
    """A memory store holding the ontology, the vocabularies, the seed and the three sample
    reports. Shared by the session: do not write to it (``load_into_memory()`` gives a copy)."""
    from fazhi_graph.store import open_store

    store = open_store(backend="memory")
    for name, graph in four_report_graphs():
        store.replace_graph(name, graph)
    return store


# --------------------------------------------------------------------------- real engines


def _server(kind: str, directory: Path) -> Iterator[Server]:
    start = start_oxigraph if kind == "oxigraph" else start_virtuoso
    try:
        server = start(directory)
    except ServerUnavailableError as exc:
        pytest.skip(f"{kind} cannot be started here: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real ``oxigraph serve`` on a free loopback port, for the whole run (skipped with the
    reason when it cannot be started). Modules that use it clear what they need first."""
    yield from _server("oxigraph", tmp_path_factory.mktemp("oxigraph"))


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A private Virtuoso on free loopback ports, for the whole run (see oxigraph_server)."""
    yield from _server("virtuoso", tmp_path_factory.mktemp("virtuoso"))
