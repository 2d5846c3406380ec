"""The memory worker's copy of the store: exact, lean, and failing cleanly."""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox
import pytest
import rdflib

from fazhi_graph.errors import StoreError
from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.store import OxigraphStore, build_store, open_store
from fazhi_graph.web.executor import QueryExecutor, WorkerSpec, default_specs
from fazhi_graph.web.render import QueryRequest
from fazhi_graph.web.worker import (
    HandleBudget,
    copy_into_memory,
    load_store,
    private_memory_mb,
    release_free_memory,
)

EX = "http://ex.org/"


def _source() -> ox.Store:
    store = ox.Store()
    g = ox.NamedNode(EX + "g")
    blank = ox.BlankNode("b3f2ax0")
    p = ox.NamedNode(EX + "p")
    store.extend([
        ox.Quad(blank, p, ox.Literal("行政复议 \"案件\"\n第二行", language="zh"), g),
        ox.Quad(ox.NamedNode(EX + "a"), p, blank, ox.DefaultGraph()),
        ox.Quad(ox.NamedNode(EX + "a"), p, ox.Literal("1.50", datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#decimal")), g),
        ox.Quad(ox.NamedNode(EX + "a"), p, ox.Triple(ox.NamedNode(EX + "x"), p,
                                                     ox.Literal("z")), g),
    ])
    store.add_graph(ox.NamedNode(EX + "empty"))
    return store


def test_copy_keeps_every_quad_blank_node_id_and_named_graph() -> None:
    source = _source()
    copy = copy_into_memory(source)
    assert set(copy) == set(source)
    assert ox.BlankNode("b3f2ax0") in {q.subject for q in copy}
    assert set(copy.named_graphs()) == set(source.named_graphs())
    assert len(copy_into_memory(ox.Store())) == 0


class _FailingDump:
    """A source whose dump writes a little, then fails (a RocksDB read error, say)."""

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        output.write(b"<http://ex.org/a> <http://ex.org/p> <http://ex.org/o> .\n")
        raise OSError("IO error: checksum mismatch")

    def named_graphs(self) -> list[ox.NamedNode]:
        return []


class _Garbage:
    """A source whose dump is not N-Quads, and far longer than the pipe holds."""

    def dump(self, output: IO[bytes], format: ox.RdfFormat) -> None:
        for _ in range(10_000):
            output.write(b"this is not n-quads " * 100)

    def named_graphs(self) -> list[ox.NamedNode]:
        return []


@pytest.mark.parametrize("source", [_FailingDump(), _Garbage()], ids=["read", "parse"])
def test_a_failed_copy_is_a_store_error_and_leaves_no_thread(source: Any) -> None:
    with pytest.raises(StoreError, match="cannot copy the store into memory"):
        copy_into_memory(source)
    assert not [t for t in threading.enumerate() if t.name == "fazhi-copy-dump"]


def test_memory_load_gives_the_same_data_and_version(tmp_path: Path) -> None:
    g = rdflib.Graph().parse(data='<http://ex.org/a> <http://ex.org/p> "x"@zh .',
                             format="turtle")
    build_store(tmp_path / "store", [("http://ex.org/g", g)])
    with open_store(tmp_path / "store", read_only=True) as disk:
        quads, version = set(disk.raw), disk.version()
    memory = load_store(tmp_path / "store", memory=True)
    assert memory.read_only and memory.version() == version and set(memory.raw) == quads


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="malloc_trim is glibc's")
def test_release_free_memory_trims_the_heap() -> None:
    assert release_free_memory() is True


def test_the_worker_does_not_import_rdflib() -> None:
    """rdflib would cost every query worker process about 15 MB."""
    code = ("import sys, fazhi_graph.web.worker; "
            "print(sorted({'rdflib', 'fastapi'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=f'<http://ex.org/a> <http://ex.org/p> "{text}" .',
                                format="turtle")


@pytest.fixture
def disk_store(tmp_path: Path) -> Path:
    build_store(tmp_path / "store", [("http://ex.org/g", _graph("x"))])
    return tmp_path / "store"


def test_reopen_gives_a_fresh_handle_on_the_same_data(disk_store: Path) -> None:
    store = load_store(disk_store, memory=False)
    assert isinstance(store, OxigraphStore)
    old, quads = store.raw, set(store.raw)
    store.reopen()
    assert store.raw is not old and set(store.raw) == quads and set(old) == quads


def test_reopen_refuses_a_store_rebuilt_meanwhile(disk_store: Path) -> None:
    store = load_store(disk_store, memory=False)
    assert isinstance(store, OxigraphStore)
    old = store.raw
    build_store(disk_store, [("http://ex.org/g", _graph("y"))])
    with pytest.raises(StoreError, match="changed on disk"):
        store.reopen()
    assert store.raw is old
    with pytest.raises(StoreError, match="read-only from disk"):
        copy = load_store(disk_store, memory=True)
        assert isinstance(copy, OxigraphStore)
        copy.reopen()


def test_budget_reopens_past_the_limit_and_waits_for_the_old_handles_jobs(
    disk_store: Path,
) -> None:
    store = load_store(disk_store, memory=False)
    assert isinstance(store, OxigraphStore)
    assert private_memory_mb() > 1
    budget = HandleBudget(store, limit_mb=1, every_s=0)
    old = store.raw
    running = budget.started()  # a job on the old handle
    budget.tick()
    assert budget.reopened == 1 and store.raw is not old
    assert budget.started() != running  # new jobs are counted on the new handle
    budget.tick()
    assert budget.reopened == 1  # no second reopen while the old handle is still in use
    budget.finished(running)
    budget.tick()  # the old handle is free: the heap is trimmed
    budget.tick()
    assert budget.reopened == 1  # over the (tiny) limit, but not grown since: no reopen
    assert HandleBudget(store, limit_mb=10_000).reopened == 0


def test_a_disk_worker_over_its_budget_keeps_answering(
    disk_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAZHI_DISK_WORKER_MB", "1")  # reopens on the watchdog's first tick
    executor = QueryExecutor([WorkerSpec("disk", 1, 2)], store_path=disk_store)
    request = QueryRequest("SELECT ?o WHERE { ?s ?p ?o }", "json", "turtle", 100,
                           prefixes=PREFIXES)

    async def scenario() -> None:
        first = await executor.query(request, timeout=20)
        await asyncio.sleep(1.5)
        again = await executor.query(request, timeout=20)
        assert first.body == again.body and b'"x"' in first.body

    try:
        asyncio.run(scenario())
    finally:
        executor.close()


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_disk_fallback_process_exits_once_the_memory_worker_is_ready(
    disk_store: Path,
) -> None:
    executor = QueryExecutor(default_specs(forked=False, memory=True, cpus=2),
                             store_path=disk_store)
    executor.start()
    try:
        deadline = time.monotonic() + 30
        fallback: set[int] = set()
        while time.monotonic() < deadline:
            workers = executor.stats()["workers"]
            fallback |= {w["pid"] for w in workers if w["kind"] == "disk"}
            if any(w["kind"] == "memory" and w["state"] == "ready" for w in workers):
                break
            time.sleep(0.05)
        assert fallback, "no disk fallback was started"
        while any(_alive(p) for p in fallback) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in fallback)
        assert os.getpid() not in fallback
    finally:
        executor.close()
