"""A query worker process: holds a store, runs queries on a few threads, reports back.

The web server (:mod:`fazhi_graph.web.executor`) talks to each worker over one socket with
:class:`multiprocessing.connection.Connection` framing. Messages are tuples:

server → worker
    ``(job_id, "query", (QueryRequest, spool_dir))``,
    ``(job_id, "dump", (DumpRequest, spool_dir))``,
    ``(0, "exit", None)``
worker → server
    ``(0, "ready", info)`` once the store is open; ``(0, "failed", message)`` if it cannot be;
    ``(job_id, "ok", QueryOutcome)``, ``(job_id, "bytes", body)``, ``(job_id, "file", path)``,
    ``(job_id, "error", (class_name, message))`` for a :class:`FazhiError`,
    ``(job_id, "bug", traceback_text)`` for anything else (the server answers 500).

pyoxigraph releases the GIL while it evaluates, so the threads of one worker use several cores.
A worker is never asked to stop a query: the server kills the whole process when a query runs
past its time limit (and resubmits the other queries that were running in it). Workers leave
when told to, when the server's socket closes, or when the server process disappears.

Memory: a memory worker hands what the copy left behind back to the system once the copy is
done (:func:`release_free_memory`). A disk worker gets a fresh store handle whenever its
private memory passes ``FAZHI_DISK_WORKER_MB`` (default 128; 0: never), because RocksDB's
caches in a read-only handle grow with everything the queries read and cannot be bounded
otherwise (:class:`HandleBudget`).

Run standalone (what the server does for an on-disk store)::

    python -m fazhi_graph.web.worker --fd 5 --store var/store [--memory] [--threads 4]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from fazhi_graph.errors import FazhiError, StoreError
from fazhi_graph.store import OxigraphStore, Store, open_store
from fazhi_graph.web.render import DumpRequest, QueryRequest, Spill, run_dump, run_query

__all__ = [
    "HandleBudget",
    "copy_into_memory",
    "load_store",
    "main",
    "private_memory_mb",
    "release_free_memory",
    "serve",
]


_PIPE_BUFFER = 1 << 20
"""Buffer on each end of the pipe that copies a store into memory."""

DISK_BUDGET_ENV = "FAZHI_DISK_WORKER_MB"
DEFAULT_DISK_BUDGET_MB = 128.0
"""Private memory (MB) above which a disk worker reopens its store (see :class:`HandleBudget`)."""


def load_store(path: Path, *, memory: bool) -> Store:
    """Open the on-disk store read-only; with ``memory``, copy it into RAM and close it."""
    disk = open_store(path, read_only=True)
    if not memory:
        return disk
    try:
        raw = copy_into_memory(disk.raw)
    finally:
        disk.close()
    release_free_memory()  # what reading RocksDB and parsing left behind
    return OxigraphStore(raw, path=None, read_only=True)


def copy_into_memory(source: ox.Store) -> ox.Store:
    """A new in-memory store with every quad and named graph of ``source``, blank node ids
    kept.

    One thread dumps ``source`` as N-Quads into a pipe while this one parses the pipe into
    the new store. At 1M triples the copy then holds about 40 MB less (after
    :func:`release_free_memory`) than ``bulk_extend`` straight from ``quads_for_pattern``,
    whose RocksDB reads interleave with the new store's allocations and leave holes in the
    heap. It takes about 15% longer (21 s against 18 s at 1M on two busy cores), while the
    disk fallback serves. (``bulk_load`` from the pipe takes as little memory but gives blank
    nodes new ids.)
    """
    read_fd, write_fd = os.pipe()
    failures: list[BaseException] = []

    def dump() -> None:
        try:
            with open(write_fd, "wb", buffering=_PIPE_BUFFER) as out:
                source.dump(out, format=ox.RdfFormat.N_QUADS)
        except BaseException as exc:  # raised by the loading thread, unless it failed first
            failures.append(exc)

    dumper = threading.Thread(target=dump, name="fazhi-copy-dump", daemon=True)
    dumper.start()
    target = ox.Store()
    try:
        with open(read_fd, "rb", buffering=_PIPE_BUFFER) as data:
            # lenient: the IRIs were checked when they went into the store (10% faster)
            target.bulk_extend(ox.parse(data, format=ox.RdfFormat.N_QUADS, lenient=True))
        for graph in source.named_graphs():  # empty ones too, which N-Quads cannot carry
            target.add_graph(graph)
    except (OSError, SyntaxError, ValueError) as exc:
        raise StoreError(f"cannot copy the store into memory: {exc}") from exc
    finally:
        dumper.join()  # the read end is closed: a blocked writer gets BrokenPipeError
    if failures:
        raise StoreError(
            f"cannot copy the store into memory: reading it failed: {failures[0]}"
        ) from failures[0]
    return target


def release_free_memory() -> bool:
    """Hand memory that ``free`` kept back to the system (glibc ``malloc_trim``).

    Returns ``False`` where the C library has no ``malloc_trim`` (musl, macOS): nothing to do.
    """
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
    return True


def private_memory_mb() -> float:
    """This process's resident memory that is not file-backed (MB); 0 where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            fields = statm.read().split()
        return (int(fields[1]) - int(fields[2])) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


class HandleBudget:
    """Keeps a disk worker's memory near ``limit_mb`` by giving its store a fresh handle.

    A read-only RocksDB handle caches blocks, indexes and filters of everything queries read
    (at 10M triples, about 165 MB in a worker after 150 MIX queries) and pyoxigraph cannot
    bound those caches. The watchdog calls :meth:`tick`; past the limit (and at most every
    ``every_s`` seconds, and only when memory grew by ``limit_mb / 4`` since the last time),
    new jobs get a fresh handle (:meth:`OxigraphStore.reopen`), the old one closes when the
    jobs started on it are done, and the freed heap goes back to the system. The store's files
    stay in the OS page cache, so a fresh handle answers as fast: measured at 10M, scans took
    the same time and a lookup's first access a few milliseconds more.
    """

    def __init__(self, store: OxigraphStore, limit_mb: float, *, every_s: float = 10.0) -> None:
        self.store = store
        self.limit_mb = limit_mb
        self.every_s = every_s
        self.reopened = 0
        """How many times the store got a fresh handle."""
        self._lock = threading.Lock()
        self._generation = 0
        self._running: dict[int, int] = {}
        self._last = float("-inf")
        self._floor = 0.0
        self._retiring = False

    def started(self) -> int:
        """A job starts: returns the handle generation to pass to :meth:`finished`."""
        with self._lock:
            self._running[self._generation] = self._running.get(self._generation, 0) + 1
            return self._generation

    def finished(self, generation: int) -> None:
        """A job started on ``generation`` is done."""
        with self._lock:
            left = self._running[generation] - 1
            if left:
                self._running[generation] = left
            else:
                del self._running[generation]

    def tick(self) -> None:
        """Reopen past the limit; trim the heap once the old handle's jobs are done."""
        if self._retiring:
            with self._lock:
                busy = any(g < self._generation for g in self._running)
            if not busy:
                self._retiring = False
                release_free_memory()
                self._floor = private_memory_mb()
            return
        now = time.monotonic()
        if now - self._last < self.every_s:
            return
        used = private_memory_mb()
        if used <= self.limit_mb or used - self._floor < self.limit_mb / 4:
            return
        self._last = now
        try:
            self.store.reopen()
        except FazhiError:  # changed on disk, or cannot be opened: keep the handle we have
            return
        with self._lock:
            self._generation += 1
        self.reopened += 1
        self._retiring = True


def disk_budget_mb() -> float:
    """The limit of :class:`HandleBudget` from ``FAZHI_DISK_WORKER_MB`` (0: none)."""
    try:
        return max(0.0, float(os.environ.get(DISK_BUDGET_ENV, DEFAULT_DISK_BUDGET_MB)))
    except ValueError:
        return DEFAULT_DISK_BUDGET_MB


def _handle(store: Store, kind: str, payload: Any) -> tuple[str, Any]:
    if kind == "query":
        request, spool_dir = payload
        assert isinstance(request, QueryRequest)
        return "ok", run_query(store, request, spool_dir)
    if kind == "dump":
        request, spool_dir = payload
        assert isinstance(request, DumpRequest)
        spill = Spill(spool_dir)
        try:
            run_dump(store, request, spill.write)
        except BaseException:
            spill.discard()
            raise
        body, path = spill.finish()
        return ("bytes", body) if path is None else ("file", path)
    raise ValueError(f"unknown job kind {kind!r}")


def serve(
    conn: Connection, store: Store, *, threads: int, info: dict[str, Any] | None = None,
    budget: HandleBudget | None = None,
) -> None:
    """Answer jobs from ``conn`` on ``threads`` threads until told to stop; never returns.

    With a ``budget`` (a disk worker's), the watchdog keeps the store's handle in check.
    """
    send_lock = threading.Lock()
    recv_lock = threading.Lock()
    parent = os.getppid()

    def send(message: tuple[int, str, Any]) -> None:
        with send_lock:
            conn.send(message)

    def loop() -> None:
        while True:
            with recv_lock:
                try:
                    job_id, kind, payload = conn.recv()
                except (EOFError, OSError):
                    os._exit(0)
            if kind == "exit":
                os._exit(0)
            generation = budget.started() if budget is not None else 0
            try:
                status, value = _handle(store, kind, payload)
                reply: tuple[int, str, Any] = (job_id, status, value)
            except FazhiError as exc:
                reply = (job_id, "error", (type(exc).__name__, str(exc)))
            except Exception:  # a bug: report it (the server answers 500), keep serving
                reply = (job_id, "bug", traceback.format_exc())
            finally:
                if budget is not None:
                    budget.finished(generation)
            try:
                send(reply)
            except (OSError, ValueError):
                os._exit(0)

    ready = {"pid": os.getpid(), "version": _version(store), **(info or {})}
    send((0, "ready", ready))
    for _ in range(max(1, threads)):
        threading.Thread(target=loop, daemon=True).start()
    while True:  # the watchdog: leave when the server is gone; mind the memory budget
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)
        if budget is not None:
            budget.tick()


def _version(store: Store) -> str:
    try:
        return store.version()
    except FazhiError:
        return "unknown"


def detach_signals() -> None:
    """Give a new worker default signal handling in its own process group.

    Ctrl-C in a terminal then reaches only the server, which stops its workers itself.
    """
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    with contextlib.suppress(OSError):
        os.setpgid(0, 0)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of a spawned worker (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m fazhi_graph.web.worker")
    parser.add_argument("--fd", type=int, required=True, help="socket to the server")
    parser.add_argument("--store", type=Path, required=True, help="on-disk store directory")
    parser.add_argument("--memory", action="store_true", help="copy the store into RAM")
    parser.add_argument("--threads", type=int, default=2, help="queries run at once")
    args = parser.parse_args(argv)
    detach_signals()
    conn = Connection(args.fd)
    started = time.perf_counter()
    try:
        store = load_store(args.store, memory=args.memory)
    except FazhiError as exc:
        conn.send((0, "failed", str(exc)))
        sys.exit(1)
    info: dict[str, Any] = {"load_seconds": round(time.perf_counter() - started, 3),
                            "memory": args.memory}
    budget = None
    limit = disk_budget_mb()
    if isinstance(store, OxigraphStore) and store.path is not None and limit > 0:
        budget = HandleBudget(store, limit)
        info["memory_budget_mb"] = limit
    serve(conn, store, threads=args.threads, info=info, budget=budget)


if __name__ == "__main__":
    main()
