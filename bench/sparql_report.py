"""Render results of bench/sparql_endpoint.py as Markdown, checked against issue 3's targets."""

from __future__ import annotations

import argparse
import platform
import time
from typing import Any

from sparql_data import MIX, QUERIES

FAZHI, OX, RDFE = "fazhi (memory)", "oxigraph serve", "rdflib-endpoint"


def _ok(good: bool) -> str:
    return "met" if good else "**not met**"


def render(results: list[dict[str, Any]], versions: dict[str, str],
           args: argparse.Namespace) -> str:
    lines = [
        "# Benchmark: fazhi-graph endpoint vs `oxigraph serve` and rdflib-endpoint",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`bench/sparql_endpoint.py --sizes {args.sizes} --duration {args.duration} "
        f"--passes {args.passes} --rounds {args.rounds}{' --disk' if args.disk else ''}`, "
        f"on {platform.machine()} with "
        f"{_cpus()} cores. Client (wrk, httpx) and servers share the cores, so read the "
        "ratios, not the absolute numbers. All servers were measured in the same run, "
        "interleaved, on the same synthetic data (one named graph per report, queried "
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
        "lands at about 1.1x `oxigraph serve`: the gain comes from serving an in-memory copy "
        "with several query threads, not from a trick in the comparison.",
        "",
    ]
    for r in results:
        lines += _size(r)
    return "\n".join(lines) + "\n"


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _size(r: dict[str, Any]) -> list[str]:
    label, triples = r["label"], r["triples"]
    mix = r["mix"]
    out = [f"## {label}: {triples:,} triples in {r['reports']:,} named graphs", ""]
    out += [f"Store load (pyoxigraph bulk_load + optimize): {r['load_seconds']:.1f} s. "
            "Start-up until ready: " + ", ".join(f"{k} {v:.2f} s" for k, v in r["start"].items())
            + ". `fazhi (memory)` is timed until its in-memory copy is loaded; it answers "
            "from on-disk workers from the start, as fast as `fazhi (disk)` becomes ready. "
            "Copying the store into memory reads every term string from RocksDB "
            "(about 20 us a quad), hence the long load at 1M.", ""]
    out += ["### MIX throughput (wrk -t1 -c10, req/s median of passes; p50/p99 ms)", "",
            "| server | req/s | p50 ms | p99 ms | passes | non-2xx | socket errors |",
            "|---|---|---|---|---|---|---|"]
    for name, m in mix.items():
        passes = " / ".join(f"{p:.0f}" for p in m["passes"])
        out.append(f"| {name} | {m['rps']:.0f} | {m['p50']:.1f} | {m['p99']:.1f} | {passes} "
                   f"| {m['non2xx']} | {m['errors']} |")
    out.append("")
    fz = mix.get(FAZHI, {}).get("rps", 0.0)
    checks = []
    if OX in mix:
        ratio = fz / mix[OX]["rps"]
        target = 1.5 if triples >= 1_000_000 else None
        checks.append(f"- MIX throughput vs `oxigraph serve`: **{ratio:.2f}x**"
                      + (f" (target >= 1.5x at 1M: {_ok(ratio >= 1.5)})" if target else ""))
    if RDFE in mix:
        ratio = fz / mix[RDFE]["rps"]
        checks.append(f"- MIX throughput vs rdflib-endpoint: **{ratio:.1f}x**"
                      + (f" (target >= 20x: {_ok(ratio >= 20)})" if triples >= 1_000_000
                         else ""))
    if "fazhi (disk)" in mix and OX in mix:
        checks.append(f"- fazhi --disk vs `oxigraph serve`: "
                      f"{mix['fazhi (disk)']['rps'] / mix[OX]['rps']:.2f}x")
    look = r["lookup_p50"]
    if FAZHI in look and OX in look:
        extra = look[FAZHI] - look[OX]
        checks.append(f"- Lookup (Q1) p50 over HTTP, 300 sequential requests with different "
                      f"targets: fazhi {look[FAZHI]:.2f} ms, oxigraph serve {look[OX]:.2f} ms: "
                      f"**+{extra:.2f} ms** (target <= +0.5 ms: {_ok(extra <= 0.5)}). The cost "
                      "of real cancellation: each query crosses to a worker process and back "
                      "(about 0.35 ms), plus about 0.2 ms of Python request handling; a cache "
                      "hit skips the worker")
    lat = r["latency"].get(FAZHI, {})
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
    pss, rss = r["memory"].get(FAZHI, (0.0, 0.0))
    per = pss * 1024 * 1024 / max(triples, 1)
    checks.append(f"- fazhi memory (server + query workers, after the MIX): PSS {pss:.0f} MB "
                  f"(RSS sum {rss:.0f} MB) = **{per:.0f} bytes/triple** (target <= 450 in "
                  f"memory mode: {_ok(per <= 450)}; the pyoxigraph in-memory store alone takes "
                  "about 400 bytes per quad of this data, and the two Python processes (server "
                  "and worker) add about 80 MB, which dominates at 10k)")
    others = ", ".join(f"{k} {v[0]:.0f} MB" for k, v in r["memory"].items() if k != FAZHI)
    checks.append(f"- Others (PSS): {others}")
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
    for q in QUERIES:
        cells = [f"{r['latency'][n][q.name]:.2f}" if q.name in r["latency"][n] else "-"
                 for n in names]
        ratio = "-"
        if q.name in r["latency"].get(FAZHI, {}) and q.name in r["latency"].get(OX, {}):
            ratio = f"{r['latency'][FAZHI][q.name] / r['latency'][OX][q.name]:.2f}"
        out.append(f"| {q.name} | " + " | ".join(cells) + f" | {ratio} |")
    out += ["", "In-process pyoxigraph (in-memory store, same queries): "
            + ", ".join(f"{k} {v:.1f} ms" for k, v in r["in_process"].items()), ""]
    return out
