"""The remote store backend: push speed, and query latency through our `/sparql` or directly.

Usage: .venv/bin/python bench/remote_engines.py [--runs 5] [--out bench/remote-engines.md]

In one run, on the ontology, vocabularies, seed report and the three fictional sample reports
(tests/data/samples), with `oxigraph serve` (PyPI `oxigraph`) and a private Virtuoso (Debian
`virtuoso-opensource`), both on loopback and started here (tests/remote_servers.py):

1. `push` (fazhi_graph.push) of the whole dataset to each engine, through the Graph Store
   Protocol and through batched SPARQL Update: median seconds and triples/s.
2. Saved queries that give the same answer on every engine, each timed three ways, interleaved
   round by round: posted straight to the engine (the text and dataset parameters the remote
   store sends, one httpx keep-alive client); through `RemoteStore.query` in process; and
   through `fazhi-graph serve --store remote` (`/sparql`, JSON). The ratio of the last to the
   first is the overhead of our endpoint over querying the engine directly. Every request's
   text carries a comment of its own, so neither our result cache nor the engine's plan cache
   answers; the direct requests open a new connection each, as SPARQLWrapper does.

Results are appended to the output file with the machine description.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fazhi_graph import remote_query  # noqa: E402
from fazhi_graph.namespaces import PREFIXES  # noqa: E402
from fazhi_graph.push import push  # noqa: E402
from fazhi_graph.remote import RemoteConfig, RemoteStore  # noqa: E402
from fazhi_graph.sparql import bind, saved_queries  # noqa: E402
from fazhi_graph.store import Store, open_store  # noqa: E402
from tests.conftest import four_report_graphs  # noqa: E402
from tests.remote_servers import Server, free_port, start_oxigraph, start_virtuoso  # noqa: E402

QUERIES = ["reports", "documents", "fangguanfu-bodies", "designated-venues",
           "problems-without-measures", "three-systems-problems"]
OUT = ROOT / "bench" / "remote-engines.md"


def config(server: Server, *, gsp: bool) -> RemoteConfig:
    return RemoteConfig(server.query, update_endpoint=server.update,
                        graph_store=server.graph_store if gsp else None, user=server.user,
                        password=server.password, auth=server.auth,  # type: ignore[arg-type]
                        atomic_put=server.atomic_put)


def clear(store: RemoteStore) -> None:
    store.graph_list_ttl_s = 0
    for graph in store.graph_names():
        store.client.update(f"DROP SILENT GRAPH <{graph}>")


def push_seconds(local: Store, server: Server, gsp: bool, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        with RemoteStore(config(server, gsp=gsp)) as target:
            clear(target)
            started = time.perf_counter()
            push(local, target)
            times.append(time.perf_counter() - started)
    return times


def serve(server: Server) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_REMOTE_")}
    process = subprocess.Popen(
        [sys.executable, "-m", "fazhi_graph.cli", "serve", "--store", "remote", "--endpoint",
         server.query, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/-/status", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("fazhi-graph serve did not come up")


def latencies(server: Server, runs: int) -> dict[str, dict[str, float]]:
    """Median ms per query: direct to the engine, RemoteStore in process, our /sparql."""
    store = RemoteStore(config(server, gsp=True))
    graphs = store.graph_names()
    process, base = serve(server)
    out: dict[str, dict[str, list[float]]] = {q: {"direct": [], "store": [], "ours": []}
                                              for q in QUERIES}
    texts = {q: bind(saved_queries(ROOT / "queries")[q]) for q in QUERIES}
    accept = {"Accept": "application/sparql-results+json"}
    try:
        with httpx.Client(timeout=120) as client:
            for round_ in range(runs + 1):  # the first round warms up
                for name, saved in texts.items():
                    # every request gets a text of its own: no result or plan cache answers
                    text = [f"{saved}\n# round {round_} way {way}" for way in range(3)]
                    form = {"query": remote_query.prepare(text[0], PREFIXES),
                            "default-graph-uri": graphs, "named-graph-uri": graphs}
                    t0 = time.perf_counter()
                    # urllib, a new connection per request, as SPARQLWrapper (in the store)
                    body = urllib.parse.urlencode(form, doseq=True).encode()
                    with urllib.request.urlopen(
                        urllib.request.Request(server.query, data=body, headers=accept)
                    ) as response:
                        response.read()
                    t1 = time.perf_counter()
                    list(store.query(text[1], prefixes=PREFIXES))  # type: ignore[call-overload]
                    t2 = time.perf_counter()
                    client.post(f"{base}/sparql", data={"query": text[2]},
                                headers=accept).raise_for_status()
                    t3 = time.perf_counter()
                    if round_:
                        out[name]["direct"].append(1000 * (t1 - t0))
                        out[name]["store"].append(1000 * (t2 - t1))
                        out[name]["ours"].append(1000 * (t3 - t2))
    finally:
        process.terminate()
        process.wait(timeout=30)
        store.close()
    return {q: {k: statistics.median(v) for k, v in ways.items()} for q, ways in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    local = open_store(backend="memory")
    for name, graph in four_report_graphs():
        local.replace_graph(name, graph)
    triples = local.count()
    lines = [f"\n## {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n",
             f"`bench/remote_engines.py --runs {args.runs}` on {platform.machine()} with "
             f"{os.cpu_count()} cores, {platform.system()} {platform.release()}, Python "
             f"{platform.python_version()}; {triples:,} triples (ontology, vocabularies, seed "
             "and three sample reports). Client and servers share the cores.\n",
             "| engine | loader | push, median s | triples/s |", "|---|---|---|---|"]
    latency_rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for kind, start in (("oxigraph serve", start_oxigraph), ("Virtuoso", start_virtuoso)):
            directory = Path(tmp) / kind.split()[0]
            directory.mkdir()
            server = start(directory)
            try:
                for gsp in (False, True):
                    seconds = statistics.median(push_seconds(local, server, gsp, args.runs))
                    loader = "Graph Store PUT" if gsp else "SPARQL Update batches"
                    rate = triples / seconds
                    lines.append(f"| {kind} | {loader} | {seconds:.2f} | {rate:,.0f} |")
                for name, ms in latencies(server, args.runs).items():
                    latency_rows.append(
                        f"| {kind} | {name} | {ms['direct']:.1f} | {ms['store']:.1f} | "
                        f"{ms['ours']:.1f} | {ms['ours'] / ms['direct']:.2f}x |")
            finally:
                server.stop()
    lines += ["", "Median ms per query (interleaved rounds after one warm-up):", "",
              "| engine | query | engine directly | RemoteStore | our /sparql | ours / direct |",
              "|---|---|---|---|---|---|", *latency_rows, ""]
    text = "\n".join(lines)
    print(text)
    if not args.out.exists():
        args.out.write_text("# Remote engines: push speed and query overhead\n", encoding="utf-8")
    with args.out.open("a", encoding="utf-8") as out:
        out.write(text)


if __name__ == "__main__":
    main()
