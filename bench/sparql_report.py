"""Render results of bench/sparql_endpoint.py as Markdown, checked against issue 3's targets."""

from __future__ import annotations

import argparse
import platform
import time
from typing import Any

from sparql_data import MIX, QUERIES

FAZHI, DISK, OX, RDFE = "fazhi (memory)", "fazhi (disk)", "oxigraph serve", "rdflib-endpoint"


def _ok(good: bool) -> str:
    return "met" if good else "**not met**"


def render(results: list[dict[str, Any]], versions: dict[str, str],
           args: argparse.Namespace) -> str:
    runs: dict[str, list[tuple[str, str]]] = {}  # command -> [(label, when)]
    for r in results:
        run = r.get("run") or {"command": _command(args),
                               "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
        runs.setdefault(_public(run["command"]), []).append((r["label"], run["when"]))
    origin = ("Each size comes from one run: " if len(runs) > 1 else "") + "; ".join(
        f"{', '.join(label for label, _ in sizes)} run {sizes[0][1]} with `{command}`"
        for command, sizes in runs.items())
    lines = [
        "# Benchmark: fazhi-graph endpoint vs `oxigraph serve` and rdflib-endpoint",
        "",
        f"{origin[0].upper()}{origin[1:]}, on {platform.machine()} with "
        f"{_cpus()} cores. Client (wrk, httpx) and servers share the cores, so read the "
        "ratios, not the absolute numbers. All servers of a size were measured in the same "
        "run, interleaved, on the same synthetic data (one named graph per report, queried "
        "through the union default graph).",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + ".",
        "",
        "Queries (`bench/sparql_data.py`): "
        + "; ".join(f"{q.name} {q.what}" for q in QUERIES)
        + f". The throughput MIX is {', '.join(MIX)}, each request with different "
        "parameters and a unique trailing comment, so no server answers from a cache (the "
        "300 cache hits counted are the cache test's own).",
        "",
        "**Read the ratios with the data shape in mind.** The data has one named graph per "
        "report (about a thousand at 1M) and every query goes through the union default graph, "
        "as our users' queries do. `oxigraph serve` (on disk, `--union-default-graph`) is much "
        "slower on that shape than on the single-graph data of `shared/design/ENGINES.md` "
        "(Q5 0.43 s here against 16 ms there), so the MIX ratio at 1M is far above the 1.5x "
        "target. `fazhi (disk)`, the same engine on the same on-disk store behind our HTTP layer, "
        "lands near `oxigraph serve`: the gain comes from serving an in-memory copy "
        "with several query threads, not from a trick in the comparison.",
        "",
        "Memory is the PSS of a server's whole process tree (shared pages counted once), "
        "measured after the MIX and again after the sequential latencies (whose heavy scans "
        "fill RocksDB's block caches and the engine's heap); the targets are checked on the "
        "larger of the two. At 10M only `fazhi (disk)` is measured (an in-memory copy would "
        "take about 400 bytes of RAM a triple): it is what serves a store that does not fit.",
        "",
    ]
    for r in results:
        lines += _size(r)
    return "\n".join(lines) + "\n"


def _public(command: str) -> str:
    """A run's command without where it wrote (``--json``, ``--out``, ``--work``)."""
    words, out = command.split(), []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        name = word.split("=", 1)[0]
        if name in ("--json", "--out", "--work", "--render"):
            skip = "=" not in word
            continue
        out.append(word)
    return " ".join(out)


def _command(args: argparse.Namespace) -> str:
    return (f"bench/sparql_endpoint.py --sizes {args.sizes} --duration {args.duration} "
            f"--passes {args.passes} --rounds {args.rounds}{' --disk' if args.disk else ''}")


def _memory(r: dict[str, Any], name: str) -> tuple[float, float]:
    """(PSS, RSS) of ``name``: the larger PSS of after the MIX and after the scans."""
    seen = [m[name] for m in (r["memory"], r.get("memory_after_scans", {})) if name in m]
    return max(seen, key=lambda v: v[0]) if seen else (0.0, 0.0)


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _size(r: dict[str, Any]) -> list[str]:
    label, triples = r["label"], r["triples"]
    mix = r["mix"]
    fazhi = r.get("fazhi", FAZHI)  # the fazhi server the single-server checks ran against
    out = [f"## {label}: {triples:,} triples in {r['reports']:,} named graphs", ""]
    if "run" in r:
        out += [f"Measured {r['run']['when']} with `{_public(r['run']['command'])}`.", ""]
    intro = (f"Store load (pyoxigraph bulk_load + optimize): {r['load_seconds']:.1f} s. "
             "Start-up until ready: "
             + ", ".join(f"{k} {v:.2f} s" for k, v in r["start"].items()) + ".")
    if FAZHI in r["start"]:
        intro += (" `fazhi (memory)` is timed until its in-memory copy is loaded; it answers "
                  "from on-disk workers from the start, as fast as `fazhi (disk)` becomes "
                  "ready. Copying the store into memory reads every term string from RocksDB "
                  "(about 20 us a quad), hence the long load at 1M.")
    else:
        intro += (f" No in-memory server at this size: `{fazhi}` stands for fazhi in every "
                  "check below.")
    out += [intro, ""]
    out += ["### MIX throughput (wrk -t1 -c10, req/s median of passes; p50/p99 ms)", "",
            "| server | req/s | p50 ms | p99 ms | passes | non-2xx | socket errors |",
            "|---|---|---|---|---|---|---|"]
    for name, m in mix.items():
        passes = " / ".join(_rps(p) for p in m["passes"])
        out.append(f"| {name} | {_rps(m['rps'])} | {m['p50']:.1f} | {m['p99']:.1f} | {passes} "
                   f"| {m['non2xx']} | {m['errors']} |")
    out.append("")
    settle = r.get("settle_seconds", {})
    if any(v >= 1 for v in settle.values()):
        out += ["After the MIX the servers were left to finish what wrk had given up on "
                "before anything else was measured: "
                + ", ".join(f"{k} {v:.0f} s" for k, v in settle.items())
                + " (fazhi stops a query whose client left; `oxigraph serve` cannot).", ""]
    fz = mix.get(fazhi, {}).get("rps", 0.0)
    checks = []
    if OX in mix:
        ratio = fz / mix[OX]["rps"]
        target = fazhi == FAZHI and 1_000_000 <= triples < 10_000_000
        checks.append(f"- MIX throughput of `{fazhi}` vs `oxigraph serve`: **{ratio:.2f}x**"
                      + (f" (target >= 1.5x at 1M: {_ok(ratio >= 1.5)})" if target else ""))
    if RDFE in mix:
        ratio = fz / mix[RDFE]["rps"]
        checks.append(f"- MIX throughput vs rdflib-endpoint: **{ratio:.1f}x**"
                      + (f" (target >= 20x: {_ok(ratio >= 20)})" if triples >= 1_000_000
                         else ""))
    if fazhi == FAZHI and DISK in mix and OX in mix:
        checks.append(f"- fazhi --disk vs `oxigraph serve`: "
                      f"{mix[DISK]['rps'] / mix[OX]['rps']:.2f}x")
    look = r["lookup_p50"]
    if fazhi in look and OX in look:
        extra = look[fazhi] - look[OX]
        checks.append(f"- Lookup (Q1) p50 over HTTP, 300 sequential requests with different "
                      f"targets: fazhi {look[fazhi]:.2f} ms, oxigraph serve {look[OX]:.2f} ms: "
                      f"**+{extra:.2f} ms** (target <= +0.5 ms: {_ok(extra <= 0.5)}). The cost "
                      "of real cancellation: each query crosses to a worker process and back "
                      "(0.45 ms measured in-process with the query, 0.3 ms of it the crossing), "
                      "the Python request handling takes about 0.2 ms, and with client, server "
                      "and worker on two cores each of the five process wake-ups (oxigraph "
                      "serve has two) waits for the scheduler; a cache hit skips the worker")
    lat = r["latency"].get(fazhi, {})
    for q in ("Q4", "Q8"):
        if q in lat and q in r["in_process"]:
            ratio = lat[q] / r["in_process"][q]
            checks.append(f"- Heavy scan {q} over HTTP vs the same query in-process on an "
                          f"in-memory store: {lat[q]:.1f} ms / {r['in_process'][q]:.1f} ms = "
                          f"**{ratio:.2f}x** (target <= 1.1x: {_ok(ratio <= 1.1)}"
                          + ("; a few ms at this size, so the fixed ~3 ms per request dominates"
                             if r["in_process"][q] < 20 else "") + ")")
    hit = r["cache_hit_p50"]
    checks.append(f"- Repeated identical query (Q6) from the result cache: p50 **{hit:.2f} ms** "
                  f"at the client, which bounds the server time (target < 2 ms: "
                  f"{_ok(hit < 2)}); cache over the whole run: {r['cache_stats']}")
    checks += _memory_checks(r)
    status, seconds = r["runaway"]
    non2xx = sum(m["non2xx"] for m in mix.values())
    checks.append(f"- Runaway cartesian query with timeout=2: HTTP {status} after "
                  f"{seconds:.1f} s (never a 200 with a truncated body: "
                  f"{_ok(status == 503)}); non-2xx answers during all MIX runs: {non2xx}")
    out += ["### Targets", "", *checks, ""]
    out += ["### Sequential latency (median ms; httpx keep-alive, rounds interleaved)", ""]
    names = list(r["latency"])
    out += ["| query | " + " | ".join(names) + " | fazhi / oxigraph |",
            "|---|" + "---|" * (len(names) + 1)]
    failed = r.get("latency_failed", {})
    for q in QUERIES:
        cells = [f"{r['latency'][n][q.name]:.2f}" if q.name in r["latency"][n]
                 else ("failed" if q.name in failed.get(n, {}) else "-") for n in names]
        ratio = "-"
        if q.name in r["latency"].get(fazhi, {}) and q.name in r["latency"].get(OX, {}):
            ratio = f"{r['latency'][fazhi][q.name] / r['latency'][OX][q.name]:.2f}"
        out.append(f"| {q.name} | " + " | ".join(cells) + f" | {ratio} |")
    notes = []
    if "slow_s" in r:
        notes.append(f"A query slower than {r['slow_s']:g} s on a server was timed there once, "
                     "not every round; `-` is a query not run on that server (rdflib-endpoint "
                     "skips the scans above 100k triples).")
    for name, queries in failed.items():
        for q, why in queries.items():
            notes.append(f"{q} on {name} failed: {why}.")
    if r["in_process"]:
        notes.append("In-process pyoxigraph (in-memory store, same queries): "
                     + ", ".join(f"{k} {v:.1f} ms" for k, v in r["in_process"].items()))
    out += ["", *[n for note in notes for n in (note, "")]]
    return out


def _rps(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.2f}"


def _memory_checks(r: dict[str, Any]) -> list[str]:
    triples = r["triples"]
    after = r.get("memory_after_scans", {})
    out = []

    def figure(name: str) -> str:
        mix_pss, mix_rss = r["memory"].get(name, (0.0, 0.0))
        text = f"PSS {mix_pss:.0f} MB (RSS sum {mix_rss:.0f} MB) after the MIX"
        if name in after:
            text += f", PSS {after[name][0]:.0f} MB (RSS sum {after[name][1]:.0f} MB) after " \
                    "the sequential scans"
        return text

    if FAZHI in r["memory"]:
        pss = _memory(r, FAZHI)[0]
        per = pss * 1024 * 1024 / max(triples, 1)
        out.append(f"- fazhi memory mode (server + in-memory query worker): {figure(FAZHI)}: "
                   f"**{per:.0f} bytes/triple** (target <= 450 in memory mode: "
                   f"{_ok(per <= 450)}; the pyoxigraph in-memory store alone takes about "
                   "390 bytes per quad of this data, and the two Python processes (server and "
                   "worker) about 70 MB, which dominates at 10k and is still 70 bytes a "
                   "triple at 1M)")
    if DISK in r["memory"]:
        pss = _memory(r, DISK)[0]
        target = (f" (target <= 500 MB at 10M on disk: {_ok(pss <= 500)})"
                  if triples >= 10_000_000 else "")
        out.append(f"- fazhi disk mode (server + on-disk query workers): {figure(DISK)}: "
                   f"**{pss:.0f} MB**{target}; each on-disk worker gives its store a fresh "
                   "handle when its private memory passes `FAZHI_DISK_WORKER_MB` (128), "
                   "which keeps RocksDB's caches from growing with every query")
    others = ", ".join(f"{k} {_memory(r, k)[0]:.0f} MB" for k in r["memory"]
                       if k not in (FAZHI, DISK))
    if others:
        out.append(f"- Others (PSS, the larger of the two): {others}")
    return out
