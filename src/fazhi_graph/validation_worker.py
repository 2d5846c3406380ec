"""SHACL validation in a second process that gets ready while the data is being extracted.

Preparing validation (compiling the shapes, loading the ontology and vocabularies) and running
it take a build's second core. :class:`ValidationWorker` forks a child process that prepares
a :class:`~fazhi_graph.shacl_sparql.CompiledValidation` on the second core while the parent
extracts; the parent then sends the data as N-Triples and carries on (findings, writing
the new store) until it needs the verdict::

    with ValidationWorker() as worker:
        graph = make_data()               # meanwhile the child prepares
        verdict = worker.submit(graph)    # the child validates, the parent goes on
        ...
        result = verdict()                # a ValidationResult, as validate(graph) gives

Where a child cannot be forked safely (no ``fork`` start method, or the process already runs
other threads, whose locks a forked child could inherit held) the worker validates in-process
when the verdict is asked for; a child that dies is replaced by the same in-process
validation. Either way the result is the one :func:`~fazhi_graph.ontology.validate` (pySHACL)
gives, computed by :mod:`fazhi_graph.shacl_sparql`.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType

import rdflib

from fazhi_graph.errors import FazhiError, OntologyError
from fazhi_graph.ontology import ValidationResult
from fazhi_graph.shacl_sparql import CompiledValidation
from fazhi_graph.shacl_sparql import validate_compiled as validate
from fazhi_graph.store import ntriples, to_oxigraph

__all__ = ["ENV_VAR", "ValidationWorker", "can_fork"]

ENV_VAR = "FAZHI_VALIDATION_WORKER"
"""Set to ``0`` to validate in-process (one core; the build is then about a second slower)."""

Verdict = Callable[[], ValidationResult]
"""Blocks until the validation is done; returns its result or raises its error."""


def can_fork() -> bool:
    """Whether a child can be forked safely here: ``fork`` exists and this is the only thread.

    Threads are counted by the operating system where it says (Linux ``/proc``), since native
    libraries (RocksDB under an open store) run threads Python does not know about. The
    environment variable ``FAZHI_VALIDATION_WORKER=0`` turns the worker off.
    """
    if os.environ.get(ENV_VAR, "").strip() == "0":
        return False
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        import threading

        return threading.active_count() == 1


class ValidationWorker:
    """A child process that prepares one validation now and runs it on :meth:`submit`.

    Use it as a context manager: leaving the block stops the child if it is still running.
    """

    def __init__(self) -> None:
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None
        if can_fork():
            context = multiprocessing.get_context("fork")
            parent, child = context.Pipe()
            self._process = context.Process(target=_child, args=(child,), daemon=True)
            self._process.start()
            child.close()
            self._conn = parent

    @property
    def forked(self) -> bool:
        """Whether validation runs in a child process (else in this one)."""
        return self._process is not None

    def submit(self, data: rdflib.Graph) -> Verdict:
        """Hand ``data`` over for validation; the returned callable waits for the result."""
        conn = self._conn
        if conn is None:
            return lambda: validate(data)
        try:
            conn.send_bytes(ntriples(to_oxigraph(data, salt="d")))
        except OSError:
            return lambda: validate(data)

        def verdict() -> ValidationResult:
            try:
                status, payload = conn.recv()
            except (EOFError, OSError):
                return validate(data)  # the child died: same validation, in this process
            finally:
                self.close()
            if status == "ok":
                assert isinstance(payload, ValidationResult)
                return payload
            raise OntologyError(str(payload)) if status == "ontology" else FazhiError(payload)

        return verdict

    def close(self) -> None:
        """Stop the child (if any) and release the pipe."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._process is not None:
            if self._process.is_alive():
                self._process.kill()
            self._process.join()
            self._process = None

    def __enter__(self) -> ValidationWorker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _child(conn: Connection) -> None:
    """Prepare, wait for the data, validate, send ``(status, payload)`` back."""
    try:
        prepared: CompiledValidation | BaseException = CompiledValidation()
    except BaseException as exc:  # reported once the data arrives
        prepared = exc
    try:
        data = conn.recv_bytes()
    except (EOFError, OSError):
        return  # the parent gave up (an error before it had data); nothing to do
    try:
        if isinstance(prepared, BaseException):
            raise prepared
        conn.send(("ok", prepared.run_ntriples(data)))
    except OntologyError as exc:
        conn.send(("ontology", str(exc)))
    except Exception as exc:
        conn.send(("error", f"validation failed in the worker process: {exc!r}"))
