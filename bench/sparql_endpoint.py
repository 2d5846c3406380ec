"""Benchmark the fazhi-graph endpoint against `oxigraph serve` and rdflib-endpoint.

One command::

    .venv/bin/python bench/sparql_endpoint.py         # 10k and 1M, writes bench/sparql-endpoint.md
    .venv/bin/python bench/sparql_endpoint.py --sizes 10k --duration 5 --out /tmp/r.md  # a look
    .venv/bin/python bench/sparql_endpoint.py --render /tmp/raw.json   # re-render saved results
    .venv/bin/python bench/sparql_endpoint.py --sizes 10M --disk --duration 20 --passes 1 \
        --rounds 3 --json /tmp/10m.json --out /tmp/10m.md      # the on-disk target at 10M
    .venv/bin/python bench/sparql_endpoint.py --render /tmp/1m.json,/tmp/10m.json  # both in one

Above ``--memory-max`` triples (default 2M) the in-memory server and the in-process comparison
are skipped (the copy would take about 400 bytes of RAM a triple and minutes to load) and
``fazhi (disk)`` stands in for fazhi everywhere; above ``--rdflib-max`` rdflib-endpoint is
skipped. In the sequential latencies a query that takes longer than ``--slow-s`` on a server
is timed once there, not every round.

Needs the ``bench`` extras (``oxigraph``, ``rdflib-endpoint``, ``uvloop``, ``httptools``) and
``wrk`` (Debian package). Every server listens on 127.0.0.1 and is stopped by its PID. The
servers are measured interleaved in one run, on the same data, and reported as ratios: the
machine is shared by client and servers, so absolute numbers mean little.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadgen import descendants, free_port, stop_tree
from sparql_data import MIX, QUERIES, by_name, generate

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
JSON_TYPE = "application/sparql-results+json"
TURTLE = "text/turtle"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process tree."""
    ticks = 0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_idle(live: list[Server], *, quiet_s: float = 2.0, limit_s: float = 900.0
              ) -> dict[str, float]:
    """Wait until no server works any more (under 5% of a core for ``quiet_s``): a server
    that cannot cancel keeps running the requests a load test gave up on. Returns the
    seconds each server took to settle."""
    started = time.monotonic()
    waited: dict[str, float] = {}
    busy = [s for s in live if s.process]
    while busy and time.monotonic() - started < limit_s:
        before = {s.name: cpu_seconds(s.process.pid) for s in busy if s.process}
        time.sleep(quiet_s)
        still = []
        for s in busy:
            assert s.process is not None
            if (cpu_seconds(s.process.pid) - before[s.name]) / quiet_s < 0.05:
                waited[s.name] = time.monotonic() - started - quiet_s
            else:
                still.append(s)
        busy = still
    for s in busy:
        waited[s.name] = time.monotonic() - started
    return {name: max(0.0, seconds) for name, seconds in waited.items()}


def memory_mb(pid: int) -> tuple[float, float]:
    """(PSS, RSS) of a process tree in MB; PSS counts shared pages once."""
    pss = rss = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
        except OSError:
            continue
    return pss / 1024, rss / 1024


@dataclass
class Server:
    name: str
    argv: list[str]
    base: str
    path: str
    ready_path: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    start_seconds: float = 0.0

    @property
    def endpoint(self) -> str:
        return self.base + self.path

    def start(self, log: Path) -> None:
        started = time.monotonic()
        self.process = subprocess.Popen(
            self.argv, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            env={**os.environ, **self.env}, start_new_session=True,
        )
        deadline = started + 600
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {log.read_text()[-2000:]}")
            if self._ready():
                self.start_seconds = time.monotonic() - started
                return
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready in 600 s")

    def _ready(self) -> bool:
        try:
            response = httpx.get(self.base + self.ready_path, timeout=5)
        except httpx.TransportError:
            return False
        if response.status_code != 200:
            return False
        if self.name.startswith("fazhi"):
            workers = response.json()["executor"]["workers"]
            want = "disk" if "disk" in self.name else "memory"
            return any(w["kind"] == want and w["state"] == "ready" for w in workers)
        return True

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        stop_tree(self.process)


def servers(store: Path, ox_store: Path, nquads: Path, *, disk: bool, memory: bool = True
            ) -> list[Server]:
    """The servers to compare; ``fazhi (disk)`` with ``disk`` or when ``memory`` is off."""
    port = free_port()
    fazhi = Server(
        "fazhi (memory)",
        [sys.executable, "-m", "fazhi_graph.web.server", "--store", str(store),
         "--port", str(port), "--timeout", "120", "--max-rows", "100000"],
        f"http://127.0.0.1:{port}", "/sparql", "/-/status",
        env={"FAZHI_WRITE_TOKEN": ""},
    )
    port = free_port()
    oxi = Server(
        "oxigraph serve",
        [str(VENV_BIN / "oxigraph"), "serve-read-only", "--location", str(ox_store),
         "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        f"http://127.0.0.1:{port}", "/query", "/query?query=ASK%7B%7D",
    )
    port = free_port()
    rdfe = Server(
        "rdflib-endpoint",
        [str(VENV_BIN / "rdflib-endpoint"), "serve", str(nquads), "--host", "127.0.0.1",
         "--port", str(port)],
        f"http://127.0.0.1:{port}", "/", "/?query=ASK%7B%7D",
    )
    out = [fazhi, oxi, rdfe] if memory else [oxi, rdfe]
    if disk or not memory:
        port = free_port()
        out.insert(1 if memory else 0, Server(
            "fazhi (disk)",
            [sys.executable, "-m", "fazhi_graph.web.server", "--store", str(store), "--disk",
             "--port", str(port), "--timeout", "120", "--max-rows", "100000"],
            f"http://127.0.0.1:{port}", "/sparql", "/-/status",
            env={"FAZHI_WRITE_TOKEN": ""},
        ))
    return out


def accept(name: str) -> str:
    return TURTLE if by_name(name).graph else JSON_TYPE


def unique(query: str, tag: str) -> str:
    """Make a query text unique (a trailing comment), so no server answers it from a cache."""
    return f"{query}\n# {tag}"


def variants(names: tuple[str, ...], reports: int, count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [
        (accept(name), unique(by_name(name).make(rng, reports), f"s{seed}-{i}-{name}"))
        for i in range(count // len(names))
        for name in names
    ]


LUA = """
local paths, accepts = {}, {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  local a, p = line:match("([^\\t]+)\\t(.+)")
  accepts[#accepts + 1] = a
  paths[#paths + 1] = p
end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = accepts[i]})
end
"""


def run_wrk(server: Server, requests: list[tuple[str, str]], seconds: int, work: Path
            ) -> dict[str, Any]:
    paths = work / f"paths-{server.name.split()[0]}.tsv"
    with paths.open("w", encoding="utf-8") as out:
        for acc, query in requests:
            out.write(f"{acc}\t{server.path}?{urlencode({'query': query}, quote_via=quote)}\n")
    script = work / "mix.lua"
    script.write_text(LUA)
    result = subprocess.run(
        ["wrk", "-t1", "-c10", f"-d{seconds}s", "--timeout", "60s", "--latency",
         "-s", str(script), server.base],
        capture_output=True, text=True, env={**os.environ, "WRK_PATHS": str(paths)}, check=True,
    )
    text = result.stdout
    stats: dict[str, Any] = {"raw": text, "non2xx": 0, "errors": 0}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("Requests/sec:"):
            stats["rps"] = float(line.split()[1])
        elif line.startswith("50%"):
            stats["p50"] = _ms(line.split()[1])
        elif line.startswith("99%"):
            stats["p99"] = _ms(line.split()[1])
        elif line.startswith("Non-2xx"):
            stats["non2xx"] = int(line.split()[-1])
        elif line.startswith("Socket errors"):
            stats["errors"] = sum(int(p.split()[-1]) for p in line.split(":", 1)[1].split(","))
    return stats


def _ms(value: str) -> float:
    for unit, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return float(value)


def timed_get(http: httpx.Client, server: Server, acc: str, query: str) -> tuple[float, int]:
    started = time.perf_counter()
    response = http.get(server.endpoint, params={"query": query}, headers={"Accept": acc})
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{server.name}: {response.status_code} {response.text[:300]}")
    return elapsed, len(response.content)


def sequential(live: list[Server], reports: int, rounds: int, skip_slow: set[str],
               slow_ms: float = float("inf"), failed: dict[str, dict[str, str]] | None = None
               ) -> dict[str, dict[str, float]]:
    """Median latency (ms) per server and query, rounds interleaved across servers.

    A query slower than ``slow_ms`` on a server is not run there again (one sample); one
    that fails (a time limit, say) is recorded in ``failed`` and not run there again.
    """
    times: dict[str, dict[str, list[float]]] = {s.name: {} for s in live}
    clients = {s.name: httpx.Client(timeout=600) for s in live}
    done: set[tuple[str, str]] = set()
    rng = random.Random(11)
    try:
        for round_ in range(rounds):
            for query in QUERIES:
                text = unique(query.make(rng, reports), f"r{round_}")
                for server in live:
                    if server.name in skip_slow and query.name in ("Q4", "Q8", "Q2"):
                        continue
                    if (server.name, query.name) in done:
                        continue
                    try:
                        ms, _ = timed_get(clients[server.name], server, accept(query.name),
                                          text)
                    except (RuntimeError, httpx.HTTPError) as exc:
                        if failed is not None:
                            failed.setdefault(server.name, {})[query.name] = str(exc)[:200]
                        done.add((server.name, query.name))
                        continue
                    times[server.name].setdefault(query.name, []).append(ms)
                    if ms > slow_ms:
                        done.add((server.name, query.name))
    finally:
        for client in clients.values():
            client.close()
    return {s: {q: statistics.median(v) for q, v in qs.items()} for s, qs in times.items()}


def lookup_overhead(live: list[Server], reports: int, n: int) -> dict[str, float]:
    """p50 of Q1 with a fresh target each time (no cache hits), interleaved."""
    rng = random.Random(5)
    queries = [unique(by_name("Q1").make(rng, reports), f"l{i}") for i in range(n)]
    times: dict[str, list[float]] = {s.name: [] for s in live}
    clients = {s.name: httpx.Client(timeout=60) for s in live}
    try:
        for query in queries:
            for server in live:
                times[server.name].append(timed_get(clients[server.name], server, JSON_TYPE,
                                                    query)[0])
    finally:
        for client in clients.values():
            client.close()
    return {name: statistics.median(v) for name, v in times.items()}


def cache_hit(server: Server, reports: int, n: int) -> float:
    query = by_name("Q6").make(random.Random(3), reports)
    with httpx.Client(timeout=60) as http:
        timed_get(http, server, JSON_TYPE, query)
        samples = [timed_get(http, server, JSON_TYPE, query)[0] for _ in range(n)]
    return statistics.median(samples)


def in_process(store: Path, reports: int, rounds: int) -> dict[str, float]:
    """Median in-process time (ms) of the heavy scans on an in-memory copy."""
    disk = ox.Store.read_only(str(store))
    memory = ox.Store()
    memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    del disk
    out: dict[str, float] = {}
    rng = random.Random(1)
    for name in ("Q4", "Q8"):
        text = by_name(name).make(rng, reports)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            result = memory.query(text, use_default_graph_as_union=True)
            assert isinstance(result, ox.QuerySolutions)
            result.serialize(format=ox.QueryResultsFormat.JSON)
            samples.append((time.perf_counter() - started) * 1000)
        out[name] = statistics.median(samples)
    return out


def runaway(server: Server) -> tuple[int, float]:
    started = time.monotonic()
    response = httpx.get(server.endpoint, params={"query": CARTESIAN, "timeout": "2"},
                         timeout=120)
    return response.status_code, time.monotonic() - started


def bench_size(label: str, triples: int, args: argparse.Namespace, work: Path
               ) -> dict[str, Any]:
    data = work / f"{label}.nq"
    reports = generate(triples, data)
    store, ox_store = work / f"{label}-store", work / f"{label}-ox"
    started = time.monotonic()
    raw = ox.Store(str(store))
    raw.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    raw.optimize()
    count = len(raw)
    del raw
    load_seconds = time.monotonic() - started
    subprocess.run([str(VENV_BIN / "oxigraph"), "load", "--location", str(ox_store),
                    "--file", str(data)], check=True, capture_output=True)
    live: list[Server] = []
    memory = triples <= args.memory_max
    result: dict[str, Any] = {"label": label, "triples": count, "reports": reports,
                              "load_seconds": load_seconds, "run": run_info()}
    try:
        for server in servers(store, ox_store, data, disk=args.disk, memory=memory):
            if server.name == "rdflib-endpoint" and triples > args.rdflib_max:
                continue
            print(f"[{label}] starting {server.name}", flush=True)
            server.start(work / f"{label}-{server.name.split()[0]}.log")
            live.append(server)
        result["start"] = {s.name: s.start_seconds for s in live}
        for s in live:  # warm up
            with httpx.Client(timeout=600) as http:
                for acc, query in variants(MIX, reports, 20, seed=99):
                    timed_get(http, s, acc, query)
        runs: dict[str, list[dict[str, Any]]] = {s.name: [] for s in live}
        for p in range(args.passes):
            # fresh, unique requests per pass: the same list for every server in the pass
            mix = variants(MIX, reports, 30000 if triples < 100_000 else 6000, seed=42 + p)
            order = live if p % 2 == 0 else list(reversed(live))
            for server in order:
                print(f"[{label}] MIX pass {p + 1}: {server.name}", flush=True)
                runs[server.name].append(run_wrk(server, mix, args.duration, work))
        result["mix"] = {
            name: {
                "rps": statistics.median(r["rps"] for r in rs),
                "p50": statistics.median(r["p50"] for r in rs),
                "p99": statistics.median(r["p99"] for r in rs),
                "non2xx": sum(r["non2xx"] for r in rs),
                "errors": sum(r["errors"] for r in rs),
                "passes": [r["rps"] for r in rs],
            }
            for name, rs in runs.items()
        }
        result["memory"] = {s.name: memory_mb(s.process.pid) for s in live if s.process}
        print(f"[{label}] waiting for the servers to finish what the MIX left", flush=True)
        result["settle_seconds"] = wait_idle(live)
        print(f"[{label}] sequential latencies", flush=True)
        slow = {"rdflib-endpoint"} if triples > 100_000 else set()
        failed: dict[str, dict[str, str]] = {}
        result["latency"] = sequential(live, reports, args.rounds, slow, args.slow_s * 1000,
                                       failed)
        result["latency_failed"] = failed
        result["slow_s"] = args.slow_s
        # the heavy scans fill caches (RocksDB's block caches, the engine's heap): again
        result["memory_after_scans"] = {s.name: memory_mb(s.process.pid)
                                        for s in live if s.process}
        fazhi = next(s for s in live if s.name == ("fazhi (memory)" if memory else "fazhi (disk)"))
        result["fazhi"] = fazhi.name
        result["lookup_p50"] = lookup_overhead(
            [s for s in live if s.name in (fazhi.name, "oxigraph serve")], reports, 300)
        result["cache_hit_p50"] = cache_hit(fazhi, reports, 300)
        result["in_process"] = in_process(store, reports, args.rounds) if memory else {}
        result["runaway"] = runaway(fazhi)
        status = httpx.get(fazhi.base + "/-/status", timeout=10).json()
        result["cache_stats"] = status["cache"]
    finally:
        for server in live:
            server.stop()
        for path in (store, ox_store):
            shutil.rmtree(path, ignore_errors=True)
        data.unlink(missing_ok=True)
    return result


def run_info() -> dict[str, str]:
    """The command and time of this run, kept with each size's results."""
    return {"command": " ".join(["bench/sparql_endpoint.py", *sys.argv[1:]]),
            "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def versions() -> dict[str, str]:
    from importlib.metadata import version

    out = {p: version(p) for p in ("pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint",
                                   "fastapi", "starlette", "uvicorn", "uvloop", "httptools",
                                   "httpx")}
    out["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    out["python"] = platform.python_version()
    return out


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    from sparql_report import render

    return render(results, versions(), args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10k,1M", help="comma list of 10k, 100k, 1M, 10M")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk pass")
    parser.add_argument("--passes", type=int, default=2, help="wrk passes per server")
    parser.add_argument("--rounds", type=int, default=5, help="sequential latency rounds")
    parser.add_argument("--disk", action="store_true", help="also measure fazhi --disk")
    parser.add_argument("--rdflib-max", type=int, default=1_000_000,
                        help="skip rdflib-endpoint above this many triples")
    parser.add_argument("--memory-max", type=int, default=2_000_000,
                        help="above this many triples, skip fazhi (memory) and the in-process "
                        "comparison; fazhi (disk) is measured instead")
    parser.add_argument("--slow-s", type=float, default=30.0,
                        help="sequential latency: time a query slower than this only once")
    parser.add_argument("--work", type=Path, default=None,
                        help="directory for the data and stores (default: a temporary one)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "sparql-endpoint.md")
    parser.add_argument("--json", type=Path, default=None, help="also write raw results")
    parser.add_argument("--render", default=None,
                        help="only re-render the Markdown from raw results written by --json "
                        "(a comma list of files: their sizes in that order)")
    args = parser.parse_args()
    if args.render:
        results = [r for f in args.render.split(",") for r in json.loads(Path(f).read_text())]
        args.out.write_text(report(results, args), encoding="utf-8")
        print(f"wrote {args.out}")
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    sizes = {"10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
    results = []
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-", dir=args.work) as tmp:
        for label in args.sizes.split(","):
            results.append(bench_size(label, sizes[label], args, Path(tmp)))
            if args.json:  # after each size, so a long run leaves what it measured
                args.json.write_text(json.dumps(results, indent=1, default=str))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    args.out.write_text(report(results, args), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
