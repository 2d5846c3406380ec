"""A bounded load generator for the SPARQL endpoint, shared by ``bench/load.py`` and the CI test.

- :class:`ServeProcess` starts a real ``fazhi-graph serve`` on loopback in its own process
  group and stops it (and every process it started) by PID;
- :class:`RssSampler` samples the resident memory of that whole process tree once a second;
- :func:`query_mix` reads the saved queries of ``queries/`` with their parameters bound to
  their defaults, as ``fazhi-graph query`` and the query editor do;
- :func:`run_load` runs N clients for S seconds over the mix while one extra client keeps
  sending a query that must hit the server's time limit, and counts every outcome.

A request fails unless it gets a 200 with a complete body (JSON that parses and holds results,
or non-empty RDF). The time-out client's requests are expected to end in a 503 with the JSON
error shape; anything else it gets is a failure too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from fazhi_graph.sparql import bind, saved_queries  # noqa: E402

FAZHI = Path(sys.executable).parent / "fazhi-graph"
JSON_TYPE = "application/sparql-results+json"
TURTLE = "text/turtle"
CARTESIAN = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"
)
"""A five-way cartesian product: never finishes on any of our stores, so it must time out."""


# --------------------------------------------------------------------------- processes


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def stop_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM ``process`` (SIGKILL after 20 s), then SIGKILL whatever of its tree is left."""
    pids = descendants(process.pid)
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for pid in pids[1:]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def tree_rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` and its descendants, in MB (0 once it is gone)."""
    kb = 0
    for p in descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    kb += int(line.split()[1])
    return kb / 1024


@dataclass
class ServeProcess:
    """``fazhi-graph serve --store STORE --timeout T`` on a free loopback port.

    The per-client rate limit is off (``FAZHI_RATE_LIMIT=0``): every load client comes from
    127.0.0.1, and the point is what the query engine sustains, not the limiter.
    """

    store: Path
    timeout_s: float
    log: Path
    extra: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        """The SPARQL endpoint's URL."""
        return f"{self.base}/sparql"

    @property
    def pid(self) -> int:
        """The server's process id."""
        assert self.process is not None
        return self.process.pid

    def start(self, ready_within_s: float = 120) -> None:
        """Start the server and wait until a query worker is ready."""
        argv = [str(FAZHI), "serve", "--store", str(self.store), "--port", str(self.port),
                "--timeout", str(self.timeout_s), *self.extra]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "FAZHI_WRITE_TOKEN": "", "FAZHI_RATE_LIMIT": "0",
                     **self.env},
            )
        deadline = time.monotonic() + ready_within_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            if self.workers_ready():
                return
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"the server was not ready in {ready_within_s} s")

    def status(self) -> dict[str, Any]:
        """The server's ``/-/status`` document."""
        status: dict[str, Any] = httpx.get(f"{self.base}/-/status", timeout=10).json()
        return status

    def workers(self) -> list[dict[str, Any]]:
        """The query workers the server reports (pid, kind, state...)."""
        workers: list[dict[str, Any]] = self.status()["executor"]["workers"]
        return workers

    def workers_ready(self) -> bool:
        """Whether the primary (non-fallback) workers are all ready."""
        try:
            workers = self.workers()
        except (httpx.HTTPError, ValueError, KeyError):
            return False
        primary = [w for w in workers if not w.get("fallback")]
        return bool(primary) and all(w["state"] == "ready" for w in primary)

    def stop(self) -> None:
        """SIGTERM the server, then SIGKILL anything of its tree still running."""
        if self.process is not None:
            stop_tree(self.process)

    def __enter__(self) -> ServeProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class RssSampler:
    """Samples :func:`tree_rss_mb` of one process tree every ``interval_s`` in a thread."""

    def __init__(self, pid: int, interval_s: float = 1.0) -> None:
        self.pid = pid
        self.interval_s = interval_s
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0

    def _run(self) -> None:
        while True:
            self.samples.append((time.monotonic() - self._started, tree_rss_mb(self.pid)))
            if self._stop.wait(self.interval_s):
                break

    def __enter__(self) -> RssSampler:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self, warmup_s: float) -> dict[str, float]:
        """Start (the highest sample of the warm-up), peak, end and growth (end - start), MB.

        The warm-up is the first ``warmup_s`` seconds: the memory worker loads the store and
        the first queries allocate their caches, so "start" is memory once serving began.
        """
        values = [mb for _, mb in self.samples]
        warm = [mb for t, mb in self.samples if t <= warmup_s] or values[:1]
        start = max(warm)
        later = [mb for t, mb in self.samples if t > warmup_s] or values[-1:]
        end = statistics.median(later[-3:])
        return {"start": start, "peak": max(values), "end": end, "growth": end - start,
                "samples": float(len(values))}


# --------------------------------------------------------------------------- the query mix


@dataclass(frozen=True)
class MixQuery:
    """One query of the mix: its name, runnable text and the Accept header to send."""

    name: str
    text: str
    accept: str


_FORM = re.compile(r"^\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE | re.MULTILINE)


def _accept(text: str) -> str:
    """JSON results for SELECT and ASK, Turtle for CONSTRUCT and DESCRIBE."""
    match = _FORM.search(text)
    form = match.group(1).upper() if match else "SELECT"
    return TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON_TYPE


def query_mix(directory: Path = ROOT / "queries") -> list[MixQuery]:
    """Every saved query of ``directory``, parameters bound to their defaults."""
    mix = []
    for name, saved in saved_queries(directory).items():
        text = bind(saved)
        mix.append(MixQuery(name, text, _accept(text)))
    if not mix:
        raise RuntimeError(f"no saved queries in {directory}")
    return mix


# --------------------------------------------------------------------------- the load


@dataclass
class LoadResult:
    """Everything one run counted."""

    clients: int
    seconds: float
    requests: int = 0
    ok: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    failure_examples: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    per_query: Counter[str] = field(default_factory=Counter)
    timeout_sent: int = 0
    timeout_503: int = 0
    timeout_failures: Counter[str] = field(default_factory=Counter)
    timeout_latencies_ms: list[float] = field(default_factory=list)

    @property
    def failed(self) -> int:
        """Failed requests of the mix plus unexpected outcomes of the time-out client."""
        return sum(self.failures.values()) + sum(self.timeout_failures.values())

    @property
    def throughput(self) -> float:
        """Successful mix requests per second."""
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile (0-100) of the mix's latencies, in ms (nearest rank)."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
        return ordered[rank]

    def as_dict(self) -> dict[str, Any]:
        """The figures, for JSON and Markdown."""
        return {
            "clients": self.clients, "seconds": round(self.seconds, 2),
            "requests": self.requests, "ok": self.ok, "failed": self.failed,
            "failures": dict(self.failures), "failure_examples": self.failure_examples[:5],
            "p50_ms": self.percentile(50), "p95_ms": self.percentile(95),
            "p99_ms": self.percentile(99), "max_ms": max(self.latencies_ms, default=0.0),
            "throughput_rps": self.throughput,
            "timeout_sent": self.timeout_sent, "timeout_503": self.timeout_503,
            "timeout_failures": dict(self.timeout_failures),
            "timeout_median_ms": statistics.median(self.timeout_latencies_ms)
            if self.timeout_latencies_ms else float("nan"),
        }


def _complete(response: httpx.Response, accept: str) -> str | None:
    """``None`` when ``response`` is a 200 with a complete body, else what is wrong."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}: {response.text[:200]}"
    if accept == JSON_TYPE:
        try:
            body = response.json()
        except ValueError:
            return f"HTTP 200 with a body that is not JSON ({len(response.content)} bytes)"
        if "results" not in body and "boolean" not in body:
            return "HTTP 200 with JSON that holds no results"
    elif not response.content:
        return "HTTP 200 with an empty body"
    return None


def is_timeout_error(response: httpx.Response) -> bool:
    """Whether ``response`` is the endpoint's time-limit answer: 503 with the JSON shape."""
    if response.status_code != 503:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return (
        body.get("ok") is False and body.get("status") == 503
        and isinstance(body.get("error"), str) and bool(body["error"])
    )


async def run_load(
    endpoint: str,
    mix: list[MixQuery],
    *,
    clients: int,
    seconds: float,
    slow_query: str | None = CARTESIAN,
    cache: bool = False,
    client_timeout_s: float = 60.0,
) -> LoadResult:
    """Run ``clients`` clients over ``mix`` for ``seconds``, plus one time-out client.

    Each client sends its next query as soon as the last one is answered (a closed loop),
    starting at a different place in the mix. Unless ``cache`` is true every query text gets
    a unique trailing comment, so the server's result cache never answers and every request
    really runs in a query worker. Requests still running at the end are awaited and counted.
    """
    result = LoadResult(clients=clients, seconds=seconds)
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    timeout = httpx.Timeout(client_timeout_s)
    started = time.monotonic()
    stop_at = started + seconds

    async def mix_client(http: httpx.AsyncClient, number: int) -> None:
        i = number
        while time.monotonic() < stop_at:
            query = mix[i % len(mix)]
            text = query.text if cache else f"{query.text}\n# load c{number} r{i}"
            i += 1
            t0 = time.perf_counter()
            try:
                response = await http.post(
                    endpoint, data={"query": text}, headers={"Accept": query.accept}
                )
                problem = _complete(response, query.accept)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = (time.perf_counter() - t0) * 1000
            result.requests += 1
            if problem is None:
                result.ok += 1
                result.latencies_ms.append(elapsed)
                result.per_query[query.name] += 1
            else:
                result.failures[problem.split(":")[0]] += 1
                if len(result.failure_examples) < 20:
                    result.failure_examples.append(f"{query.name}: {problem}")

    async def timeout_client(http: httpx.AsyncClient) -> None:
        assert slow_query is not None
        i = 0
        while time.monotonic() < stop_at:
            i += 1
            t0 = time.perf_counter()
            try:
                response = await http.post(
                    endpoint, data={"query": f"{slow_query}\n# runaway {i}"},
                    headers={"Accept": JSON_TYPE},
                )
                problem = None if is_timeout_error(response) else (
                    f"HTTP {response.status_code}: {response.text[:200]}"
                )
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            result.timeout_sent += 1
            result.timeout_latencies_ms.append((time.perf_counter() - t0) * 1000)
            if problem is None:
                result.timeout_503 += 1
            else:
                result.timeout_failures[problem.split(":")[0]] += 1
                if len(result.failure_examples) < 20:
                    result.failure_examples.append(f"time-out client: {problem}")

    async with httpx.AsyncClient(limits=limits, timeout=timeout) as http:
        tasks = [mix_client(http, n) for n in range(clients)]
        if slow_query is not None:
            tasks.append(timeout_client(http))
        await asyncio.gather(*tasks)
    result.seconds = time.monotonic() - started
    return result


# --------------------------------------------------------------------------- the machine


def machine() -> dict[str, str]:
    """CPU model, cores, memory, OS, Python and pyoxigraph version."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    import pyoxigraph

    return {
        "cpu": cpu, "cores": str(os.cpu_count()), "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
        "httpx": httpx.__version__,
    }


def dumps(data: Any) -> str:
    """JSON for the raw-results file."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
