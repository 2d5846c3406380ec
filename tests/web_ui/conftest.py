"""Fixtures for the explorer tests: the seed plus the three sample reports, in memory and on disk.

``ui_store`` holds the real dataset built from ``data/`` (ontology, vocabularies, curated names,
the seed report) plus the fictional sample reports of ``tests/data/samples`` (so "many reports"
views have something to compare). ``ui_client`` is a TestClient over it; ``ui_server`` is a real
``fazhi-graph serve`` process on a free loopback port over an on-disk copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib

from fazhi_graph.settings import Settings
from fazhi_graph.store import Store, build_store, open_store
from tests.loopback import free_port, stop

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "tests" / "data" / "samples"
SEED_ID = "chengdongqu-2020"
BODY = "/id/org/chengdongqu/quzhengfu"
"""城东区人民政府, the seed's reporting body."""


@pytest.fixture(scope="session")
def ui_graphs() -> list[tuple[str, rdflib.Graph]]:
    from fazhi_graph.pipeline import dataset_graphs, report_graph

    graphs = dataset_graphs(ROOT)
    for path in sorted(SAMPLES.glob("*.txt")):
        graphs.append(report_graph(path, {}))
    from fazhi_graph.build import findings

    graphs.append(findings(graphs))  # as `fazhi-graph build` stores them
    return graphs


@pytest.fixture(scope="session")
def ui_store(ui_graphs: list[tuple[str, rdflib.Graph]]) -> Iterator[Store]:
    store = open_store(backend="memory")
    for name, graph in ui_graphs:
        store.replace_graph(name, graph)
    yield store
    store.close()


@pytest.fixture(scope="session")
def ui_client(ui_store: Store) -> Iterator[TestClient]:
    from fazhi_graph.web.app import create_app
    from fazhi_graph.web.executor import WorkerSpec

    settings = Settings.from_env({}, query_timeout_s=10.0)
    app = create_app(ui_store, settings, workers=[WorkerSpec("fork", 1, 2)])
    with TestClient(app) as client:
        yield client


HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="session")
def ui_server(ui_graphs: list[tuple[str, rdflib.Graph]],
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a real ``fazhi-graph serve`` over an on-disk copy of the test dataset."""
    path = tmp_path_factory.mktemp("ui") / "store"
    build_store(path, ui_graphs)
    port = free_port()
    env = {**os.environ, "FAZHI_HOME": str(ROOT)}
    cli = Path(sys.executable).with_name("fazhi-graph")
    proc = subprocess.Popen(
        [str(cli), "serve", "--store", str(path), "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(base + "/-/status", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"the server did not start: {err}")
            time.sleep(0.1)
        yield base
    finally:
        stop(proc)
