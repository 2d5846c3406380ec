"""The worker pool: real cancellation, resubmission, queueing, start-up failures."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib

from fazhi_graph.errors import QueryTimeoutError, StoreError
from fazhi_graph.namespaces import PREFIXES
from fazhi_graph.store import Store, build_store
from fazhi_graph.web.executor import QueryExecutor, WorkerSpec, default_specs
from fazhi_graph.web.render import QueryRequest

from .conftest import CARTESIAN, OBSERVATIONS_A, OBSERVATIONS_B

SLOW = (  # about a second on these graphs: long enough to be interrupted, short enough to wait
    "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . VALUES ?x { 0 1 2 3 4 5 6 7 8 9 } }"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation }"


def req(query: str) -> QueryRequest:
    return QueryRequest(query, "json", "turtle", 100, prefixes=PREFIXES)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still "exists": look at its state
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def pids(executor: QueryExecutor, state: str = "ready") -> set[int]:
    return {w["pid"] for w in executor.stats()["workers"] if w["state"] == state}


@pytest.fixture
def pool(memory_store: Store) -> Iterator[QueryExecutor]:
    executor = QueryExecutor([WorkerSpec("fork", 1, 2)], store=memory_store)
    yield executor
    executor.close()


def test_timeout_kills_the_worker_and_a_new_one_serves(pool: QueryExecutor) -> None:
    async def scenario() -> None:
        await pool.query(req("ASK {}"), timeout=10)
        (first,) = pids(pool)
        with pytest.raises(QueryTimeoutError, match=r"time limit of 0\.5 s"):
            await pool.query(req(CARTESIAN), timeout=0.5)
        deadline = time.monotonic() + 10
        while alive(first) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not alive(first), "the runaway query's process must be gone (CPU freed)"
        outcome = await pool.query(req(COUNT), timeout=10)
        assert b'"%d"' % (OBSERVATIONS_A + OBSERVATIONS_B) in outcome.body
        assert first not in pids(pool)

    asyncio.run(scenario())


def test_other_queries_in_a_killed_worker_are_resubmitted(pool: QueryExecutor) -> None:
    async def scenario() -> None:
        await pool.query(req("ASK {}"), timeout=10)
        innocent = asyncio.create_task(pool.query(req(SLOW), timeout=30))
        await asyncio.sleep(0.1)
        with pytest.raises(QueryTimeoutError):
            await pool.query(req(CARTESIAN), timeout=0.3)
        outcome = await innocent  # ran again on the replacement worker
        assert outcome.rows == 1

    asyncio.run(scenario())


def test_a_crashed_worker_is_replaced_and_the_query_retried(pool: QueryExecutor) -> None:
    async def scenario() -> None:
        await pool.query(req("ASK {}"), timeout=10)
        (first,) = pids(pool)
        task = asyncio.create_task(pool.query(req(SLOW), timeout=30))
        await asyncio.sleep(0.2)
        os.kill(first, 9)
        assert (await task).rows == 1
        assert first not in pids(pool)

    asyncio.run(scenario())


def test_queued_query_runs_once_the_runaway_is_stopped(memory_store: Store) -> None:
    executor = QueryExecutor([WorkerSpec("fork", 1, 1)], store=memory_store)

    async def scenario() -> None:
        runaway = asyncio.create_task(executor.query(req(CARTESIAN), timeout=0.5))
        await asyncio.sleep(0.1)
        waiting = asyncio.create_task(executor.query(req(COUNT), timeout=20))
        with pytest.raises(QueryTimeoutError):
            await runaway
        assert (await waiting).rows == 1

    try:
        asyncio.run(scenario())
    finally:
        executor.close()


def test_waiting_too_long_for_a_worker_is_a_timeout(memory_store: Store) -> None:
    executor = QueryExecutor([WorkerSpec("fork", 1, 1)], store=memory_store)

    async def scenario() -> None:
        runaway = asyncio.create_task(executor.query(req(CARTESIAN), timeout=3))
        await asyncio.sleep(0.1)
        with pytest.raises(QueryTimeoutError, match="no query worker became free"):
            await executor.query(req(COUNT), timeout=0.3)
        with pytest.raises(QueryTimeoutError):
            await runaway

    try:
        asyncio.run(scenario())
    finally:
        executor.close()


def test_close_stops_every_worker(memory_store: Store) -> None:
    executor = QueryExecutor([WorkerSpec("fork", 2, 1)], store=memory_store)

    async def warm() -> None:
        await asyncio.gather(*(executor.query(req("ASK {}"), timeout=10) for _ in range(4)))

    asyncio.run(warm())
    started = pids(executor)
    # workers start on demand: under load the 4 queries may all land on the first one
    assert 1 <= len(started) <= 2
    executor.close()
    deadline = time.monotonic() + 10
    while any(alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in started)


@pytest.fixture(scope="module")
def disk_store(
    tmp_path_factory: pytest.TempPathFactory, web_graphs: list[tuple[str, rdflib.Graph]]
) -> Path:
    path = tmp_path_factory.mktemp("disk") / "store"
    build_store(path, web_graphs)
    return path


def test_memory_workers_with_disk_fallback(disk_store: Path) -> None:
    executor = QueryExecutor(
        default_specs(forked=False, memory=True, cpus=2), store_path=disk_store
    )

    async def scenario() -> None:
        outcome = await executor.query(req(COUNT), timeout=20)
        assert b'"%d"' % (OBSERVATIONS_A + OBSERVATIONS_B) in outcome.body
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            kinds = {(w["kind"], w["state"]) for w in executor.stats()["workers"]}
            if kinds == {("memory", "ready")}:
                break
            await asyncio.sleep(0.1)
        assert kinds == {("memory", "ready")}, kinds  # the disk fallback retired
        assert (await executor.query(req(COUNT), timeout=20)).body == outcome.body

    try:
        asyncio.run(scenario())
    finally:
        executor.close()


def test_disk_workers(disk_store: Path) -> None:
    executor = QueryExecutor(
        default_specs(forked=False, memory=False, cpus=2), store_path=disk_store
    )
    try:
        outcome = asyncio.run(executor.query(req(COUNT), timeout=20))
        assert outcome.rows == 1
        assert {w["kind"] for w in executor.stats()["workers"]} == {"disk"}
    finally:
        executor.close()


def test_workers_that_cannot_start_give_a_clear_error(tmp_path: Path) -> None:
    executor = QueryExecutor([WorkerSpec("disk", 1, 1)], store_path=tmp_path / "missing")
    try:
        with pytest.raises(StoreError, match="no query worker could be started: no store at"):
            asyncio.run(executor.query(req("ASK {}"), timeout=30))
    finally:
        executor.close()


def test_what_a_killed_worker_was_spooling_is_removed(pool: QueryExecutor) -> None:
    """A worker killed while writing a big answer leaves a partial spool file; the server
    removes it, but never a file it has already taken over to send."""
    from fazhi_graph.web.render import spool_prefix

    async def scenario() -> None:
        await pool.query(req("ASK {}"), timeout=10)
        (first,) = pids(pool)
        spool: Path = pool._spool
        partial = spool / f"{spool_prefix(first)}partial"
        partial.write_bytes(b"half an answer")
        taken = spool / f"sent-{spool_prefix(first)}answer"
        taken.write_bytes(b"an answer being sent")
        os.kill(first, 9)
        deadline = time.monotonic() + 10
        while (partial.exists() or first in pids(pool)) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert not partial.exists()
        assert taken.exists()
        assert (await pool.query(req("ASK {}"), timeout=10)).form == "boolean"

    asyncio.run(scenario())
