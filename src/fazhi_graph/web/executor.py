"""Run queries in killable worker processes, so a runaway query can really be stopped.

pyoxigraph has no query timeout and a thread cannot be interrupted inside Rust, so every query
runs in a worker process (:mod:`fazhi_graph.web.worker`) and the server only waits for the
answer. When a query passes its time limit the server kills the worker (the CPU is free at
once), answers 503, starts a replacement and resubmits the *other* queries that were running in
that worker, with what is left of their own time limits. The event loop never blocks on a query.

Worker kinds (:class:`WorkerSpec`):

``memory``
    a spawned process that copies the on-disk store into RAM and runs several queries at once
    on threads (pyoxigraph releases the GIL, so they use every core). One copy of the data,
    and scans 1.2-5x faster than from disk. Replacing it means loading again, so while a
    memory worker is loading, ``disk`` workers serve as a fallback and retire afterwards.
``disk``
    a spawned process that opens the on-disk store read-only; ready in a fraction of a second.
``fork``
    a child forked from the server, sharing the server's in-memory store; for stores that
    exist only in memory (tests, ``--backend memory``).

:class:`QueryExecutor` is safe to use from several event loops and threads (the TestClient
runs each request on its own loop); its state sits behind one lock and futures are resolved
through ``loop.call_soon_threadsafe``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal, TypeVar

from fazhi_graph.errors import QueryTimeoutError, StoreError
from fazhi_graph.store import Store
from fazhi_graph.web.errors import InternalError, error_class
from fazhi_graph.web.render import DumpRequest, QueryOutcome, QueryRequest, spool_prefix

__all__ = ["DumpResult", "QueryExecutor", "WorkerSpec", "default_specs"]

log = logging.getLogger("fazhi_graph.web.executor")

Kind = Literal["memory", "disk", "fork"]
_T = TypeVar("_T")

_INLINE_SEND_BYTES = 64 * 1024
_MAX_START_FAILURES = 3
_ABANDON_KILL_AFTER_S = 1.0


@dataclass(frozen=True)
class WorkerSpec:
    """How many workers of one kind to keep, and how many queries each runs at once."""

    kind: Kind
    count: int
    threads: int
    fallback: bool = False
    """A fallback runs only while the primary workers are not all ready."""


def default_specs(*, forked: bool, memory: bool, cpus: int | None = None) -> list[WorkerSpec]:
    """The worker layout for a store: forked, in-memory (with disk fallback), or on disk.

    >>> [(s.kind, s.count, s.threads) for s in default_specs(forked=False, memory=True, cpus=2)]
    [('memory', 1, 4), ('disk', 1, 2)]
    """
    n = max(1, cpus or os.cpu_count() or 1)
    if forked:
        return [WorkerSpec("fork", n, 2)]
    if memory:
        return [WorkerSpec("memory", 1, 2 * n), WorkerSpec("disk", max(1, n // 2), 2, True)]
    return [WorkerSpec("disk", n, 2)]


@dataclass(frozen=True)
class DumpResult:
    """A finished Graph Store dump: bytes, or a spooled file the caller must delete."""

    body: bytes | None
    path: Path | None


class _Resubmit(Exception):  # noqa: N818 - a control-flow signal, not an error
    """The worker died for another query's sake; run this one again elsewhere."""


class _Expired(Exception):  # noqa: N818 - a control-flow signal, not an error
    """The job's deadline passed (set on its future by a loop timer)."""


@dataclass(eq=False)
class _Job:
    id: int
    kind: str
    payload: Any
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[tuple[str, Any]]
    attempts: int = 0
    worker: _Worker | None = None
    sent_at: float = 0.0


@dataclass(eq=False)
class _Waiter:
    job: _Job
    future: asyncio.Future[_Worker]


@dataclass(eq=False)
class _Worker:
    id: int
    spec: WorkerSpec
    conn: Connection
    pid: int
    process: subprocess.Popen[bytes] | None
    state: str = "starting"  # starting → ready → retiring → dead
    inflight: dict[int, _Job] = field(default_factory=dict)
    culprits: set[int] = field(default_factory=set)
    killed: bool = False
    version: str | None = None
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def free(self) -> int:
        return self.spec.threads - len(self.inflight)


def _spooled_path(status: str, value: Any) -> str | None:
    """The spool file an answer from a worker is in (a dump's or a query's), if any."""
    path = value if status == "file" else getattr(value, "path", None)
    return path if isinstance(path, str) else None


def _claim_spooled(status: str, value: Any) -> Any:
    """Rename an answer's spool file out of its worker's name space, so cleaning up after that
    worker (if it is killed) cannot delete a file the server is about to send."""
    path = _spooled_path(status, value)
    if path is None:
        return value
    claimed = Path(path).with_name("sent-" + Path(path).name)
    try:
        os.replace(path, claimed)
    except OSError:
        return value
    if status == "file":
        return str(claimed)
    return replace(value, path=str(claimed))


def _discard_spooled(status: str, value: Any) -> None:
    """Delete the spool file of an answer nobody will send."""
    path = _spooled_path(status, value)
    if path is not None:
        Path(path).unlink(missing_ok=True)


def _expire(job: _Job) -> None:
    """Loop timer callback: fail the job's future with :class:`_Expired` if still pending."""
    if not job.future.done():
        job.future.set_exception(_Expired())


def _resolve(job: _Job, value: tuple[str, Any] | BaseException) -> None:
    """Complete ``job.future`` from any thread (ignores closed loops and done futures)."""

    def settle() -> None:
        if job.future.done():
            return
        if isinstance(value, BaseException):
            job.future.set_exception(value)
        else:
            job.future.set_result(value)

    with contextlib.suppress(RuntimeError):  # the request's loop is gone
        job.loop.call_soon_threadsafe(settle)


class QueryExecutor:
    """A pool of query workers with per-query deadlines; see the module docstring."""

    def __init__(
        self,
        specs: list[WorkerSpec],
        *,
        store: Store | None = None,
        store_path: Path | None = None,
    ) -> None:
        if any(s.kind == "fork" for s in specs) and store is None:
            raise ValueError("fork workers need the in-memory store to share")
        if any(s.kind != "fork" for s in specs) and store_path is None:
            raise ValueError("memory and disk workers need the store's path")
        self.specs = specs
        self._store = store
        self._store_path = store_path
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._waiters: deque[_Waiter] = deque()
        self._ids = itertools.count(1)
        self._started = False
        self._closing = False
        self._paused = False
        self._failures: dict[WorkerSpec, int] = {}
        self._last_failure = ""
        self._spool = Path(tempfile.mkdtemp(prefix="fazhi-spool-"))
        self.version: str | None = None
        """The store version the workers reported most recently."""

    # ------------------------------------------------------------------ public API

    def start(self) -> None:
        """Start the workers (idempotent; also done lazily by the first query)."""
        with self._lock:
            self._started = True
            self._supervise_locked()

    def close(self) -> None:
        """Stop every worker and remove the spool directory."""
        with self._lock:
            self._closing = True
            workers = list(self._workers)
        for worker in workers:
            self._kill(worker)
        shutil.rmtree(self._spool, ignore_errors=True)

    def stats(self) -> dict[str, Any]:
        """Worker states, for the service description and tests."""
        with self._lock:
            return {
                "workers": [
                    {"kind": w.spec.kind, "pid": w.pid, "state": w.state,
                     "running": len(w.inflight)}
                    for w in self._workers
                ],
                "waiting": len(self._waiters),
            }

    async def query(self, request: QueryRequest, *, timeout: float) -> QueryOutcome:
        """Run one query; raises :class:`QueryTimeoutError` after ``timeout`` seconds."""
        status, value = await self._run("query", (request, str(self._spool)), timeout)
        if status != "ok" or not isinstance(value, QueryOutcome):
            raise InternalError(f"unexpected answer {status!r} from the query worker")
        return value

    async def dump(self, request: DumpRequest, *, timeout: float) -> DumpResult:
        """Serialise a graph or the dataset; big dumps come back as a spooled file."""
        status, value = await self._run("dump", (request, str(self._spool)), timeout)
        if status == "bytes":
            return DumpResult(value, None)
        if status == "file":
            return DumpResult(None, Path(value))
        raise InternalError(f"unexpected answer {status!r} from the query worker")

    async def exclusive(self, action: Callable[[], _T], *, timeout: float) -> _T:
        """Run ``action`` (in a thread) with no worker running, then start fresh workers.

        Used for writes: queries wait, running ones get ``timeout`` seconds to finish (then
        they are killed and resubmitted), the workers exit, ``action`` runs, and new workers
        load the new data.
        """
        with self._lock:
            self._paused = True
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                with self._lock:
                    if not any(w.inflight for w in self._workers):
                        break
                await asyncio.sleep(0.01)
            with self._lock:
                workers = list(self._workers)
            for worker in workers:
                self._kill(worker)
            while True:
                with self._lock:
                    if not self._workers:
                        break
                await asyncio.sleep(0.01)
            return await asyncio.to_thread(action)
        finally:
            with self._lock:
                self._paused = False
                self._failures.clear()
                self._supervise_locked()
                self._wake_locked()

    # ------------------------------------------------------------------ job flow

    async def _run(self, kind: str, payload: Any, timeout: float) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout
        attempts = 0  # carried over resubmissions, so a query that crashes workers stops
        while True:
            job = _Job(next(self._ids), kind, payload, loop, loop.create_future(), attempts)
            worker = await self._acquire(job, deadline, timeout)
            self._send(worker, job)
            remaining = max(deadline - time.monotonic(), 0.001)
            timer = loop.call_later(remaining, _expire, job)
            try:
                status, value = await job.future
            except _Expired:
                self._kill(worker, culprit=job)
                raise QueryTimeoutError(
                    f"the query ran past the time limit of {timeout:g} s and was stopped; "
                    "narrow it down (more specific patterns, LIMIT, fewer OPTIONALs) or run it "
                    "locally with `fazhi-graph query`"
                ) from None
            except _Resubmit:
                attempts = job.attempts
                continue
            except asyncio.CancelledError:
                self._abandon(worker, job)
                raise
            finally:
                timer.cancel()
            if status == "error":
                name, message = value
                raise error_class(name)(message)
            if status == "bug":
                log.error("query worker failed on a %s job:\n%s", kind, value)
                raise InternalError(
                    "the query engine failed on this request (a bug, logged on the server); "
                    "please report it with the query"
                )
            return status, value

    async def _acquire(self, job: _Job, deadline: float, timeout: float) -> _Worker:
        with self._lock:
            if not self._started:
                self._started = True
                self._supervise_locked()
            self._check_alive_locked()
            worker = None if self._waiters else self._pick_locked(job)
            if worker is not None:
                return worker
            waiter = _Waiter(job, job.loop.create_future())
            self._waiters.append(waiter)
            self._wake_locked()
        try:
            return await asyncio.wait_for(
                waiter.future, max(deadline - time.monotonic(), 0.001)
            )
        except TimeoutError:
            with self._lock, contextlib.suppress(ValueError):
                self._waiters.remove(waiter)
            raise QueryTimeoutError(
                f"no query worker became free within the time limit of {timeout:g} s (the "
                "server is busy with other queries); try again shortly"
            ) from None

    def _pick_locked(self, job: _Job) -> _Worker | None:
        if self._paused or self._closing:
            return None
        ready = [w for w in self._workers if w.state == "ready" and w.free > 0]
        if not ready:
            return None
        best = max(ready, key=lambda w: (not w.spec.fallback, w.free))
        best.inflight[job.id] = job
        job.worker = best
        return best

    def _check_alive_locked(self) -> None:
        if self._workers or self._paused:
            return
        raise StoreError(
            "no query worker could be started"
            + (f": {self._last_failure}" if self._last_failure else "")
        )

    def _wake_locked(self) -> None:
        while self._waiters:
            waiter = self._waiters[0]
            if waiter.future.done():
                self._waiters.popleft()
                continue
            worker = self._pick_locked(waiter.job)
            if worker is None:
                if not self._workers and not self._paused:
                    self._waiters.popleft()
                    self._fail_waiter(waiter)
                    continue
                return
            self._waiters.popleft()
            self._deliver(waiter, worker)

    def _deliver(self, waiter: _Waiter, worker: _Worker) -> None:
        def hand_over() -> None:
            if waiter.future.done():  # the waiter timed out meanwhile: give the slot back
                self._release(worker, waiter.job)
            else:
                waiter.future.set_result(worker)

        try:
            waiter.job.loop.call_soon_threadsafe(hand_over)
        except RuntimeError:  # that request's loop is closed
            worker.inflight.pop(waiter.job.id, None)

    def _fail_waiter(self, waiter: _Waiter) -> None:
        error = StoreError(
            "no query worker could be started"
            + (f": {self._last_failure}" if self._last_failure else "")
        )

        def fail() -> None:
            if not waiter.future.done():
                waiter.future.set_exception(error)

        with contextlib.suppress(RuntimeError):
            waiter.job.loop.call_soon_threadsafe(fail)

    def _release(self, worker: _Worker, job: _Job) -> None:
        with self._lock:
            worker.inflight.pop(job.id, None)
            self._after_job_locked(worker)

    def _after_job_locked(self, worker: _Worker) -> None:
        if worker.state == "retiring" and not worker.inflight:
            self._send_exit(worker)
        self._wake_locked()

    def _send(self, worker: _Worker, job: _Job) -> None:
        message = pickle.dumps((job.id, job.kind, job.payload), protocol=pickle.HIGHEST_PROTOCOL)
        job.sent_at = time.monotonic()

        def push() -> None:
            try:
                with worker.send_lock:
                    worker.conn.send_bytes(message)
            except (OSError, ValueError):
                pass  # the reader thread sees the worker die and resubmits the job

        if len(message) <= _INLINE_SEND_BYTES:
            push()
        else:
            threading.Thread(target=push, daemon=True).start()

    def _abandon(self, worker: _Worker, job: _Job) -> None:
        """The client went away: a long-running query is not worth its CPU any more."""
        if time.monotonic() - job.sent_at >= _ABANDON_KILL_AFTER_S:
            self._kill(worker, culprit=job, reason="its client left during a long query")

    # ------------------------------------------------------------------ workers

    def _supervise_locked(self) -> None:
        if self._closing or self._paused or not self._started:
            return
        primaries = [s for s in self.specs if not s.fallback]
        primary_ready = True
        for spec in primaries:
            alive = self._alive_locked(spec)
            if sum(w.state == "ready" for w in alive) < spec.count:
                primary_ready = False
            for _ in range(spec.count - len(alive)):
                self._start_locked(spec)
        for spec in self.specs:
            if not spec.fallback:
                continue
            alive = self._alive_locked(spec)
            if primary_ready:
                for worker in alive:
                    self._retire_locked(worker)
            else:
                for _ in range(spec.count - len(alive)):
                    self._start_locked(spec)

    def _alive_locked(self, spec: WorkerSpec) -> list[_Worker]:
        return [w for w in self._workers if w.spec == spec and w.state in ("starting", "ready")]

    def _start_locked(self, spec: WorkerSpec) -> None:
        if self._failures.get(spec, 0) >= _MAX_START_FAILURES:
            return
        try:
            worker = self._fork(spec) if spec.kind == "fork" else self._spawn(spec)
        except OSError as exc:
            self._failures[spec] = self._failures.get(spec, 0) + 1
            self._last_failure = f"cannot start a {spec.kind} worker: {exc}"
            log.error("%s", self._last_failure)
            return
        self._workers.append(worker)
        threading.Thread(
            target=self._read, args=(worker,), name=f"fazhi-worker-{worker.pid}", daemon=True
        ).start()

    def _spawn(self, spec: WorkerSpec) -> _Worker:
        assert self._store_path is not None
        ours, theirs = socket.socketpair()
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH", "")) if p
        )
        # Few malloc arenas: query threads otherwise each keep their own, and RSS creeps up.
        env.setdefault("MALLOC_ARENA_MAX", "2")
        argv = [
            sys.executable, "-m", "fazhi_graph.web.worker",
            "--fd", str(theirs.fileno()), "--store", str(self._store_path),
            "--threads", str(spec.threads),
        ]
        if spec.kind == "memory":
            argv.append("--memory")
        try:
            process = subprocess.Popen(
                argv, pass_fds=(theirs.fileno(),), env=env, stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        finally:
            theirs.close()
        return _Worker(next(self._ids), spec, Connection(ours.detach()), process.pid, process)

    def _fork(self, spec: WorkerSpec) -> _Worker:
        assert self._store is not None
        ours, theirs = socket.socketpair()
        others = [w.conn for w in self._workers]
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            try:
                from fazhi_graph.web.worker import detach_signals, serve

                ours.close()
                for conn in others:
                    with contextlib.suppress(OSError):
                        conn.close()
                detach_signals()
                serve(Connection(theirs.detach()), self._store, threads=spec.threads)
            finally:
                os._exit(1)
        theirs.close()
        return _Worker(next(self._ids), spec, Connection(ours.detach()), pid, None)

    def _read(self, worker: _Worker) -> None:
        """Reader thread: route one worker's messages until its socket closes."""
        while True:
            try:
                job_id, status, value = worker.conn.recv()
            except (EOFError, OSError, pickle.UnpicklingError):
                break
            if job_id == 0:
                self._control(worker, status, value)
                continue
            with self._lock:
                job = worker.inflight.pop(job_id, None)
                self._after_job_locked(worker)
            value = _claim_spooled(status, value)
            if job is not None:
                _resolve(job, (status, value))
            else:  # nobody waits for this answer any more
                _discard_spooled(status, value)
        self._gone(worker)

    def _control(self, worker: _Worker, status: str, value: Any) -> None:
        with self._lock:
            if status == "ready" and worker.state == "starting":
                worker.state = "ready"
                worker.version = str(value.get("version"))
                self.version = worker.version
                self._failures.pop(worker.spec, None)
                log.info("query worker %d (%s) ready: %s", worker.pid, worker.spec.kind, value)
                self._supervise_locked()
                self._wake_locked()
            elif status == "failed":
                self._last_failure = str(value)
                log.error("query worker %d could not start: %s", worker.pid, value)

    def _gone(self, worker: _Worker) -> None:
        """The worker's socket closed: it exited, crashed or was killed."""
        with self._lock:
            was_starting = worker.state == "starting"
            worker.state = "dead"
            jobs = list(worker.inflight.values())
            worker.inflight.clear()
            if worker in self._workers:
                self._workers.remove(worker)
            if was_starting and not self._closing:
                self._failures[worker.spec] = self._failures.get(worker.spec, 0) + 1
                if not self._last_failure:
                    self._last_failure = f"a {worker.spec.kind} worker exited while starting"
            self._supervise_locked()
            self._wake_locked()
        for job in jobs:
            if job.id in worker.culprits:
                continue
            job.attempts += 1
            if worker.killed or job.attempts < 2:
                _resolve(job, _Resubmit())
            else:
                _resolve(job, InternalError(
                    "the query engine crashed twice while running this query; it was not "
                    "retried again"
                ))
        with contextlib.suppress(OSError):
            worker.conn.close()
        self._reap(worker)
        # a killed worker may have been writing an answer to the spool: nobody will send it
        for left in self._spool.glob(spool_prefix(worker.pid) + "*"):
            left.unlink(missing_ok=True)

    def _reap(self, worker: _Worker) -> None:
        if worker.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.process.wait(timeout=10)
        else:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(worker.pid, 0)

    def _kill(
        self, worker: _Worker, culprit: _Job | None = None,
        reason: str = "a query ran past its time limit",
    ) -> None:
        with self._lock:
            if culprit is not None:
                worker.culprits.add(culprit.id)
            worker.killed = True
            if worker.state != "dead":
                worker.state = "retiring"
        if culprit is not None:
            log.warning("killing query worker %d: %s", worker.pid, reason)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(worker.pid, signal.SIGKILL)

    def _retire_locked(self, worker: _Worker) -> None:
        worker.state = "retiring"
        if not worker.inflight:
            self._send_exit(worker)

    def _send_exit(self, worker: _Worker) -> None:
        message = pickle.dumps((0, "exit", None))

        def push() -> None:
            try:
                with worker.send_lock:
                    worker.conn.send_bytes(message)
            except (OSError, ValueError):
                self._kill(worker)

        threading.Thread(target=push, daemon=True).start()

