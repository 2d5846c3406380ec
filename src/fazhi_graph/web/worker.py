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

Run standalone (what the server does for an on-disk store)::

    python -m fazhi_graph.web.worker --fd 5 --store var/store [--memory] [--threads 4]
"""

from __future__ import annotations

import argparse
import contextlib
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

from fazhi_graph.errors import FazhiError
from fazhi_graph.store import OxigraphStore, Store, open_store
from fazhi_graph.web.render import DumpRequest, QueryRequest, Spill, run_dump, run_query

__all__ = ["load_store", "main", "serve"]



def load_store(path: Path, *, memory: bool) -> Store:
    """Open the on-disk store read-only; with ``memory``, copy it into RAM and close it."""
    import pyoxigraph as ox

    disk = open_store(path, read_only=True)
    if not memory:
        return disk
    raw = ox.Store()
    raw.bulk_extend(disk.raw.quads_for_pattern(None, None, None, None))
    disk.close()
    return OxigraphStore(raw, path=None, read_only=True)


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
    conn: Connection, store: Store, *, threads: int, info: dict[str, Any] | None = None
) -> None:
    """Answer jobs from ``conn`` on ``threads`` threads until told to stop; never returns."""
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
            try:
                status, value = _handle(store, kind, payload)
                reply: tuple[int, str, Any] = (job_id, status, value)
            except FazhiError as exc:
                reply = (job_id, "error", (type(exc).__name__, str(exc)))
            except Exception:  # a bug: report it (the server answers 500), keep serving
                reply = (job_id, "bug", traceback.format_exc())
            try:
                send(reply)
            except (OSError, ValueError):
                os._exit(0)

    ready = {"pid": os.getpid(), "version": _version(store), **(info or {})}
    send((0, "ready", ready))
    for _ in range(max(1, threads)):
        threading.Thread(target=loop, daemon=True).start()
    while True:  # the watchdog: leave when the server is gone
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


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
    info = {"load_seconds": round(time.perf_counter() - started, 3), "memory": args.memory}
    serve(conn, store, threads=args.threads, info=info)


if __name__ == "__main__":
    main()
