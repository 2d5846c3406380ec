"""Scale: bulk ingest of a synthetic national corpus, `oxigraph load` side by side, saved queries.

Usage: .venv/bin/python bench/scale.py [--reports 1000 [10000 ...]] [--runs 5] [--seed 0]
           [--variants validated,unvalidated] [--workers 2] [--skip-queries] [--skip-serving]
           [--out FILE]

For each corpus size N, in one run:

1. `fazhi-graph synth` writes N fictional reports (`fazhi_graph.synth.write_corpus`).
2. A copy of the project (data, ontology, queries) with its store built from the seed is
   made per variant, and `fazhi-graph ingest DIR` (`fazhi_graph.bulk.ingest_folder`) runs in
   a child process, sampled every 0.2 s for the resident memory of its whole process tree
   (main process and workers) and of its largest single process. Variants:
   ``validated`` (what the CLI does: every report SHACL-validated) and ``unvalidated``
   (``validate=False``, only to show what validation costs; the CLI cannot skip it).
3. The resulting store is dumped to N-Quads and loaded with `oxigraph load` (PyPI `oxigraph`,
   the bench extra) into a fresh store, and the same quads are written through our own write
   path (`fazhi_graph.store.add_graphs`, batches of 8 report graphs, as `ingest DIR` writes),
   timed side by side: triples/s of each and the ratio.
4. Every saved query in `queries/` (parameters at their defaults) runs on the embedded store
   (read-only, as the server opens it), each in its own process stopped after 60 s: one
   warm-up, then the median of ``--runs`` runs (a warm-up over 15 s is reported as it is),
   results fully consumed.
5. The store is served as `fazhi-graph serve` serves it (the server picks memory or disk
   mode), every saved query goes once through `/sparql`, and the server's whole process tree
   is sampled for resident memory (peak RSS against the 1 GiB target, and PSS).

Results are appended to bench/scale.md with the machine description.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
OXIGRAPH = Path(PY).with_name("oxigraph")

TARGET_SECONDS_10K = 600.0
TARGET_LOAD_RATIO = 0.8
TARGET_QUERY_S = 1.0


# --------------------------------------------------------------------------- the machine


def machine() -> dict[str, str]:
    """CPU model, cores, memory, OS, Python, pyoxigraph and oxigraph CLI versions, load."""
    import pyoxigraph

    cpu = memory = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    cli = subprocess.run([str(OXIGRAPH), "--version"], capture_output=True, text=True)
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "oxigraph CLI": cli.stdout.strip() or "not installed",
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


# --------------------------------------------------------------------------- memory sampling


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _rss_kib(pid: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def run_sampled(command: list[str], env: dict[str, str]) -> tuple[float, int, int, str, float]:
    """Run ``command``; return (seconds, peak tree RSS KiB, peak single-process RSS KiB,
    stdout, CPU seconds of the process and the children it waited for)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak_tree = peak_one = 0
    while proc.poll() is None:
        tree = _children()
        pids, stack = [], [proc.pid]
        while stack:
            pid = stack.pop()
            pids.append(pid)
            stack.extend(tree.get(pid, []))
        sizes = [_rss_kib(p) for p in pids]
        peak_tree = max(peak_tree, sum(sizes))
        peak_one = max(peak_one, *sizes)
        time.sleep(0.2)
    out, err = proc.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err.decode()[-3000:]}")
    return seconds, peak_tree, peak_one, out.decode(), cpu


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- child: ingest


def child_ingest(home: str, corpus: str, workers: int, validate: bool) -> None:
    """Run in a child process: one bulk ingest, its summary as JSON on stdout."""
    from fazhi_graph.bulk import ingest_folder
    from fazhi_graph.settings import Settings

    settings = Settings.from_env(project_root=Path(home), store_path=Path(home) / "var" / "store")
    result = ingest_folder(settings, Path(corpus), workers=workers, validate=validate)
    print(json.dumps({"added": len(result.added), "failed": [f.error for f in result.failed],
                      "triples": result.triples, "seconds": result.seconds}))  # fmt: skip


# --------------------------------------------------------------------------- steps


def base_project(work: Path) -> Path:
    """A copy of the project's data, ontology and queries with its store built."""
    home = work / "base"
    for folder in ("data", "ontology", "queries"):
        shutil.copytree(ROOT / folder, home / folder)
    env = {**os.environ, "FAZHI_HOME": str(home), "FAZHI_STORE": str(home / "var" / "store")}
    subprocess.run([PY, "-m", "fazhi_graph.cli", "build"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    return home


def ingest(base: Path, work: Path, corpus: Path, variant: str, workers: int) -> dict[str, Any]:
    home = work / f"project-{variant}"
    shutil.copytree(base, home)
    env = {**os.environ, "FAZHI_HOME": str(home), "FAZHI_STORE": str(home / "var" / "store")}
    command = [PY, __file__, "--child-ingest", str(home), str(corpus), str(workers),
               "1" if variant == "validated" else "0"]  # fmt: skip
    seconds, tree, one, out, cpu = run_sampled(command, env)
    summary = json.loads(out.strip().splitlines()[-1])
    if summary["failed"]:
        raise SystemExit(f"{len(summary['failed'])} reports failed: {summary['failed'][:3]}")
    store = home / "var" / "store"
    return {"home": home, "store": store, "wall": seconds, "ingest_s": summary["seconds"],
            "reports": summary["added"], "triples": summary["triples"], "rss_tree_kib": tree,
            "rss_one_kib": one, "store_bytes": _du(store), "cpu_s": cpu}  # fmt: skip


def dump_nquads(store_dir: Path, out: Path) -> int:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(store_dir))
    store.dump(str(out), format=ox.RdfFormat.N_QUADS)
    n = len(store)
    del store
    return n


def oxigraph_load(nquads: Path, work: Path) -> float:
    target = work / "oxload"
    started = time.perf_counter()
    subprocess.run([str(OXIGRAPH), "load", "--location", str(target), "--file", str(nquads)],
                   check=True, capture_output=True)  # fmt: skip
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return seconds


def our_load(nquads: Path, work: Path) -> float:
    """The same quads through fazhi_graph.store.add_graphs as `ingest DIR` calls it: 8 report
    graphs a batch, triples through the bulk loader, then their hashes in a transaction."""
    import pyoxigraph as ox

    from fazhi_graph.store import META_GRAPH, add_graphs, ntriples, open_store

    graphs: dict[str, list[ox.Triple]] = {}
    for quad in ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value != META_GRAPH:
            graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    payloads = [(name, ntriples(triples)) for name, triples in graphs.items()]
    target = work / "ourload"
    started = time.perf_counter()
    with open_store(target) as store:
        for start in range(0, len(payloads), 8):
            chunk = {n: (nt, "sha256:-") for n, nt in payloads[start : start + 8]}
            add_graphs(store, chunk, seed=str(start), atomic=False)  # as `ingest DIR` writes
    seconds = time.perf_counter() - started
    shutil.rmtree(target)
    return seconds


QUERY_TIMEOUT_S = 60.0


def child_query(store_dir: str, name: str, runs: int) -> None:
    """Run in a child process: one saved query, ``runs`` times after a warm-up; JSON out.

    Gives up (median ``null``) when the runs have not finished within ``QUERY_TIMEOUT_S``:
    the query runs in a thread (pyoxigraph releases the GIL), and the process exits.
    """
    import threading

    import pyoxigraph as ox

    from fazhi_graph.namespaces import PREFIXES
    from fazhi_graph.sparql import bind, saved_queries
    from fazhi_graph.store import open_store

    text = bind(saved_queries(ROOT / "queries")[name])
    answer: dict[str, Any] = {}

    def measure() -> None:
        times: list[float] = []
        rows = 0
        with open_store(Path(store_dir), read_only=True) as store:
            for i in range(runs + 1):
                started = time.perf_counter()
                result = store.query(text, prefixes=PREFIXES)
                rows = len(list(result)) if not isinstance(result, ox.QueryBoolean) else 1
                elapsed = time.perf_counter() - started
                if i == 0 and elapsed > QUERY_TIMEOUT_S / 4:  # slow: the warm-up says enough
                    times = [elapsed]
                    break
                if i > 0:
                    times.append(elapsed)
        answer.update(median=statistics.median(times), rows=rows)

    worker = threading.Thread(target=measure, daemon=True)
    worker.start()
    worker.join(QUERY_TIMEOUT_S - 5)
    print(json.dumps(answer if answer else {"median": None, "rows": 0}), flush=True)
    os._exit(0)  # a query still running cannot be cancelled: end the process


def query_latencies(store_dir: Path, runs: int) -> list[tuple[str, float | None, int]]:
    """(name, median seconds or None past the time limit, rows) of every saved query.

    Each query runs in its own process, killed after ``QUERY_TIMEOUT_S`` in all (pyoxigraph
    cannot cancel a query); parameters at their defaults, one warm-up, results fully
    consumed. A query whose warm-up takes over a quarter of the limit is not repeated: that
    one time is reported.
    """
    from fazhi_graph.sparql import saved_queries

    out: list[tuple[str, float | None, int]] = []
    for name in saved_queries(ROOT / "queries"):
        command = [PY, __file__, "--child-query", str(store_dir), name, str(runs)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=True,
                                  timeout=QUERY_TIMEOUT_S)  # fmt: skip
        except subprocess.TimeoutExpired:
            out.append((name, None, 0))
            continue
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        out.append((name, answer["median"], answer["rows"]))
    return out


# --------------------------------------------------------------------------- serving

SERVE_READY_S = 900.0
TARGET_SERVE_BYTES = 1 << 30


def _tree_memory_kib(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in KiB of ``pid`` and its descendants (PSS counts shared pages once)."""
    from loadgen import descendants

    pss = rss = 0
    for p in descendants(pid):
        try:
            text = Path(f"/proc/{p}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith("Pss:"):
                pss += int(line.split()[1])
            elif line.startswith("Rss:"):
                rss += int(line.split()[1])
    return pss, rss


def serving(store_dir: Path, runs: int) -> dict[str, Any]:
    """Serve the store as `fazhi-graph serve` does and measure the server's process tree.

    The server picks memory or disk mode itself (memory when 6x the store fits in half the
    free RAM). Once its primary workers are ready, every saved query is sent through /sparql
    ``runs`` times (60 s limit each, results fully read); the tree's PSS and RSS are sampled
    every 0.2 s meanwhile. Returns the mode, the start-up time, the peaks and the final PSS.
    """
    import threading

    import httpx
    from loadgen import free_port, stop_tree

    from fazhi_graph.sparql import bind, saved_queries

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FAZHI_WRITE_TOKEN": ""}
    started = time.monotonic()
    process = subprocess.Popen(
        [PY, "-m", "fazhi_graph.web.server", "--store", str(store_dir), "--port", str(port),
         "--timeout", str(QUERY_TIMEOUT_S), "--rate-limit", "0"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    peak = {"pss": 0, "rss": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            pss, rss = _tree_memory_kib(process.pid)
            peak["pss"], peak["rss"] = max(peak["pss"], pss), max(peak["rss"], rss)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    mode = "?"
    try:
        while time.monotonic() - started < SERVE_READY_S:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {process.stderr.read()[-2000:]!r}")
            with contextlib.suppress(httpx.HTTPError, KeyError, ValueError):
                workers = httpx.get(base + "/-/status", timeout=5).json()["executor"]["workers"]
                primary = [w for w in workers if w["kind"] in ("memory", "disk")]
                kinds = {w["kind"] for w in primary}
                mode = "memory" if "memory" in kinds else "disk"
                if any(w["kind"] == mode and w["state"] == "ready" for w in primary):
                    break
            time.sleep(0.2)
        ready_s = time.monotonic() - started
        times: dict[str, float | None] = {}
        with httpx.Client(timeout=QUERY_TIMEOUT_S + 10) as client:
            for name, saved in saved_queries(ROOT / "queries").items():
                samples: list[float] = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    answer = client.get(base + "/sparql", params={
                        "query": bind(saved), "max-rows": "100000", "format": "json"})
                    if answer.status_code != 200:
                        break
                    samples.append(time.perf_counter() - t0)
                times[name] = statistics.median(samples) if samples else None
        final_pss, final_rss = _tree_memory_kib(process.pid)
    finally:
        stop.set()
        sampler.join()
        stop_tree(process)
    return {"mode": mode, "ready_s": ready_s, "peak_pss_kib": peak["pss"],
            "peak_rss_kib": peak["rss"], "final_pss_kib": final_pss,
            "final_rss_kib": final_rss, "times": times}


# --------------------------------------------------------------------------- report


def _mib(kib: int) -> str:
    return f"{kib / 1024:,.0f} MiB"


def markdown(info: dict[str, str], args: argparse.Namespace, sizes: list[dict[str, Any]]) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    lines = [f"## Run of {when}", "", "`bench/scale.py " + " ".join(sys.argv[1:]) + "`", ""]
    lines += ["| machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in info.items()] + [""]
    for size in sizes:
        n = size["n"]
        lines += [f"### {n:,} synthetic reports", ""]
        lines += [f"Corpus written in {size['synth_s']:.1f} s ({size['corpus_bytes'] / 1e6:.1f} MB "
                  "of text). Store built from the seed beforehand (not counted).", ""]  # fmt: skip
        lines += ["| ingest variant | wall s | CPU s per report | reports/s | report triples | "
                  "triples/s | peak RSS, process tree | peak RSS, largest process | store size |",
                  "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for variant, r in size["ingest"].items():
            lines.append(
                f"| {variant} | {r['wall']:.1f} | {r['cpu_s'] / max(1, r['reports']):.2f} | "
                f"{r['reports'] / r['wall']:.2f} | "
                f"{r['triples']:,} | {r['triples'] / r['wall']:,.0f} | {_mib(r['rss_tree_kib'])} | "
                f"{_mib(r['rss_one_kib'])} | {r['store_bytes'] / 1e6:.0f} MB |"
            )
        first = next(iter(size["ingest"].values()))
        lines += ["", f"Loading the same data ({size['quads']:,} quads, N-Quads dump of the "
                  f"`{next(iter(size['ingest']))}` store):", "",
                  "| loader | s | triples/s | ratio to `oxigraph load` |",
                  "|---|---|---|---|"]  # fmt: skip
        ox_rate = size["quads"] / size["oxload_s"]
        rows = [("`oxigraph load` (CLI)", size["oxload_s"], size["quads"])]
        rows.append(("our write path (`add_graphs`, 8 graphs a batch, bulk loader)",
                     size["ourload_s"], size["quads"]))  # fmt: skip
        for variant, r in size["ingest"].items():
            rows.append((f"our whole `ingest DIR`, {variant} (extraction included)",
                         r["wall"], r["triples"]))  # fmt: skip
        for label, seconds, triples in rows:
            rate = triples / seconds
            lines.append(f"| {label} | {seconds:.1f} | {rate:,.0f} | {rate / ox_rate:.2f}x |")
        if not size["queries"]:
            lines += ["", "Saved queries: not measured in this run (`--skip-queries`).", ""]
            continue
        lines += ["", f"Saved queries on the embedded store (read-only), median of {args.runs} "
                  "runs after a warm-up, parameters at their defaults:", "",
                  "| query | median s | rows | under 1 s |", "|---|---|---|---|"]  # fmt: skip
        for name, median, count in size["queries"]:
            if median is None:
                lines.append(f"| {name} | > {QUERY_TIMEOUT_S:.0f} (stopped) | – | **no** |")
                continue
            ok = "yes" if median < TARGET_QUERY_S else "**no**"
            lines.append(f"| {name} | {median:.3f} | {count:,} | {ok} |")
        slow = [q for q in size["queries"] if q[1] is None or q[1] >= TARGET_QUERY_S]
        lines += ["", f"{len(size['queries']) - len(slow)} of {len(size['queries'])} saved "
                  f"queries answer in under 1 s at {n:,} reports."]  # fmt: skip
        served = size.get("serving")
        if served:
            ok = "met" if served["peak_rss_kib"] * 1024 < TARGET_SERVE_BYTES else "**not met**"
            answered = [t for t in served["times"].values() if t is not None]
            lines += ["", f"Serving (`python -m fazhi_graph.web.server`, which chose "
                      f"**{served['mode']}** mode; ready in {served['ready_s']:.1f} s), "
                      f"every saved query sent once through `/sparql` "
                      f"({len(answered)} of {len(served['times'])} answered within "
                      f"{QUERY_TIMEOUT_S:.0f} s): peak RSS of the process tree "
                      f"{_mib(served['peak_rss_kib'])} (target under 1 GiB: {ok}), peak PSS "
                      f"{_mib(served['peak_pss_kib'])}, PSS after the queries "
                      f"{_mib(served['final_pss_kib'])}.", ""]  # fmt: skip
        rate = first["reports"] / first["wall"]
        lines += [f"At this rate ({next(iter(size['ingest']))}), 10,000 reports would take "
                  f"{10_000 / rate / 60:.0f} min (target: under 10 min).", ""]  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child-query":
        child_query(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--child-ingest":
        home, corpus, workers, validate = sys.argv[2:6]
        child_ingest(home, corpus, int(workers), validate == "1")
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, nargs="+", default=[1000])
    parser.add_argument("--variants", default="validated,unvalidated")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "scale.md")
    parser.add_argument("--skip-queries", action="store_true", help="skip the saved queries")
    parser.add_argument("--skip-serving", action="store_true",
                        help="skip serving the store (memory of the server)")
    args = parser.parse_args()
    from fazhi_graph.synth import write_corpus

    info = machine()
    sizes: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="fazhi-scale-") as tmp:
        work = Path(tmp)
        base = base_project(work)
        for n in args.reports:
            size: dict[str, Any] = {"n": n, "ingest": {}}
            corpus = work / f"corpus-{n}"
            started = time.perf_counter()
            write_corpus(corpus, n, seed=args.seed)
            size["synth_s"] = time.perf_counter() - started
            size["corpus_bytes"] = _du(corpus)
            for variant in args.variants.split(","):
                print(f"[{n}] ingest, {variant} …", file=sys.stderr, flush=True)
                size["ingest"][variant] = ingest(base, work / str(n), corpus, variant, args.workers)
            first = next(iter(size["ingest"].values()))
            nquads = work / f"dump-{n}.nq"
            size["quads"] = dump_nquads(first["store"], nquads)
            print(f"[{n}] oxigraph load and our write path …", file=sys.stderr, flush=True)
            size["oxload_s"] = oxigraph_load(nquads, work / str(n))
            size["ourload_s"] = our_load(nquads, work / str(n))
            nquads.unlink()
            size["queries"] = []
            if not args.skip_queries:
                print(f"[{n}] saved queries …", file=sys.stderr, flush=True)
                size["queries"] = query_latencies(first["store"], args.runs)
            if not args.skip_serving:
                print(f"[{n}] serving memory …", file=sys.stderr, flush=True)
                size["serving"] = serving(first["store"], 1)
            for r in size["ingest"].values():
                shutil.rmtree(r["home"])
            sizes.append(size)
            text = markdown(info, args, [size])
            print(text)
            header = "" if args.out.exists() else (
                "# Benchmark: scale (bulk ingest of a synthetic corpus, loading, saved queries)\n\n"
                "Appended by `bench/scale.py`, one section per run and corpus size.\n\n"
            )  # fmt: skip
            with args.out.open("a", encoding="utf-8") as fh:
                fh.write(header + text + "\n")


if __name__ == "__main__":
    main()
