"""Tests of fazhi_graph.validation_worker: SHACL validation in a forked child process.

A child is forked only from a single-threaded process, and the test runner may have threads
(an open store runs RocksDB's), so the forking cases run in a fresh interpreter each.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import RDF, RDFS

from fazhi_graph.errors import OntologyError
from fazhi_graph.namespaces import DATA, FZ
from fazhi_graph.ontology import ontology_dir, validate
from fazhi_graph.validation_worker import ENV_VAR, ValidationWorker, can_fork

# Builds a graph with two SHACL violations (policy documents without their sentence), runs the
# worker as the test's argv asks, and prints what it saw as JSON.
CHILD = """
import json, os, signal, sys
import rdflib
from rdflib import Literal
from rdflib.namespace import RDF, RDFS
from fazhi_graph.errors import FazhiError
from fazhi_graph.namespaces import DATA, FZ
from fazhi_graph.ontology import validate
from fazhi_graph.validation_worker import ValidationWorker

graph = rdflib.Graph()
for i in range(2):
    graph.add((DATA[f"doc/w/{i}"], RDF.type, FZ.PolicyDocument))
    graph.add((DATA[f"doc/w/{i}"], RDFS.label, Literal(f"《办法{i}》", lang="zh")))
mode = sys.argv[1]
out = {}
try:
    with ValidationWorker() as worker:
        out["forked"] = worker.forked
        pid = worker._process.pid if worker._process is not None else None
        if mode == "kill-before" and pid:
            os.kill(pid, signal.SIGKILL)
            worker._process.join()
        verdict = worker.submit(graph)
        if mode == "kill-after" and pid:
            os.kill(pid, signal.SIGKILL)
        result = verdict()
    out["conforms"] = result.conforms
    out["same"] = result == validate(graph)
    out["violations"] = sum(1 for r in result.results if r[3] == "Violation")
except FazhiError as exc:
    out["error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(out))
"""


def run_child(mode: str, env: dict[str, str] | None = None) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_a_forked_worker_gives_what_validate_gives() -> None:
    seen = run_child("plain")
    assert seen == {"forked": True, "conforms": False, "same": True, "violations": 4}


def test_the_worker_can_be_turned_off() -> None:
    seen = run_child("plain", env={ENV_VAR: "0"})
    assert seen == {"forked": False, "conforms": False, "same": True, "violations": 4}


@pytest.mark.parametrize("mode", ["kill-before", "kill-after"])
def test_a_killed_worker_is_replaced_by_in_process_validation(mode: str) -> None:
    seen = run_child(mode)
    assert seen == {"forked": True, "conforms": False, "same": True, "violations": 4}


def test_an_ontology_error_in_the_worker_reaches_the_caller(tmp_path: Path) -> None:
    target = tmp_path / "ontology"
    (target / "vocab").mkdir(parents=True)
    for path in ontology_dir().glob("*.ttl"):
        (target / path.name).write_bytes(path.read_bytes())
    for path in (ontology_dir() / "vocab").glob("*.ttl"):
        (target / "vocab" / path.name).write_bytes(path.read_bytes())
    (target / "shapes.ttl").write_text("fzsh:Broken a sh:NodeShape", encoding="utf-8")
    seen = run_child("plain", env={"FAZHI_ONTOLOGY_DIR": str(target)})
    assert seen["forked"] is True
    assert str(seen["error"]).startswith("OntologyError: ")
    assert "shapes.ttl" in str(seen["error"]) and "not valid Turtle" in str(seen["error"])


def test_in_process_when_forking_is_unsafe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "0")
    assert not can_fork()
    graph = rdflib.Graph()
    graph.add((DATA["doc/w/0"], RDF.type, FZ.PolicyDocument))
    graph.add((DATA["doc/w/0"], RDFS.label, Literal("《办法》", lang="zh")))
    with ValidationWorker() as worker:
        assert not worker.forked
        result = worker.submit(graph)()
    assert result == validate(graph)
    assert not result.conforms


def test_an_ontology_error_in_process_is_raised(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(ENV_VAR, "0")
    monkeypatch.setenv("FAZHI_ONTOLOGY_DIR", str(tmp_path))
    with ValidationWorker() as worker, pytest.raises(OntologyError):
        worker.submit(rdflib.Graph())()
