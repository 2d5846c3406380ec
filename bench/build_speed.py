"""Speed of extraction and of `fazhi-graph build`; writes bench/build-speed.md.

Usage: .venv/bin/python bench/build_speed.py [--runs N]

Two measurements, side by side in one run:

* extraction time per report (read, check, extract facts, turn them into an rdflib graph) for
  the seed and the fictional sample reports, after one warm-up that loads the vocabularies;
* wall time of the whole `fazhi-graph build` command (a new process each time, Python start-up
  and exit included) on the project's data, with the validation worker (the default: SHACL
  validation prepared and run in a forked process on the second core) and without it
  (`FAZHI_VALIDATION_WORKER=0`, everything in one process), interleaved run by run.

The targets are those of the project's first issue: under 100 ms per report, under 3 s per
build of the seed.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "tests" / "data" / "samples"
OUT = ROOT / "bench" / "build-speed.md"
CLI = Path(sys.executable).with_name("fazhi-graph")


def extraction_ms(runs: int) -> list[tuple[str, float, float]]:
    """Median milliseconds per report file: to its facts, and on to its rdflib graph."""
    from fazhi_graph.pipeline import extract_file
    from fazhi_graph.rdf import to_graph

    files = sorted((ROOT / "data" / "reports").glob("*.txt")) + sorted(SAMPLES.glob("*.txt"))
    to_graph(extract_file(files[0], {}))  # warm-up: vocabularies, lexicon, pinyin tables
    out = []
    for path in files:
        facts_ms, graph_ms = [], []
        for _ in range(runs):
            started = time.perf_counter()
            facts = extract_file(path, {})
            extracted = time.perf_counter()
            to_graph(facts)
            facts_ms.append(1000 * (extracted - started))
            graph_ms.append(1000 * (time.perf_counter() - extracted))
        out.append((path.name, statistics.median(facts_ms), statistics.median(graph_ms)))
    return out


def build_seconds(runs: int) -> dict[str, list[float]]:
    """Wall seconds of `fazhi-graph build`, with and without the validation worker."""
    variants = {"with the validation worker": "", "in one process": "0"}
    times: dict[str, list[float]] = {name: [] for name in variants}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            for name, flag in variants.items():
                store = Path(tmp) / f"store-{i}-{flag or 'w'}"
                env = {**os.environ, "FAZHI_VALIDATION_WORKER": flag}
                started = time.perf_counter()
                subprocess.run(
                    [str(CLI), "build", "--store", str(store)],
                    check=True,
                    capture_output=True,
                    env=env,
                    cwd=ROOT,
                )
                times[name].append(time.perf_counter() - started)
    return times


def render(
    extraction: list[tuple[str, float, float]], builds: dict[str, list[float]], runs: int
) -> str:
    worker, single = (statistics.median(v) for v in builds.values())
    lines = [
        "# Benchmark: extraction and build speed",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`bench/build_speed.py --runs {runs}` on {platform.machine()} with "
        f"{os.cpu_count()} cores, Python {platform.python_version()}. Medians of {runs} runs; "
        "the machine is shared, so single runs vary by about ±10 %.",
        "",
        "## Extraction, per report (target: under 100 ms)",
        "",
        "Text to facts (sections, sentences, every extracted fact with its offsets) is the "
        "extraction; facts to an rdflib graph (labels in pinyin, one node per fact) follows.",
        "",
        "| report | text → facts, ms | facts → RDF graph, ms | total, ms |",
        "|---|---|---|---|",
        *(
            f"| {name} | {facts:.0f} | {graph:.0f} | {facts + graph:.0f} |"
            for name, facts, graph in extraction
        ),
        "",
        "## `fazhi-graph build` of the project's data, wall time (target: under 3 s)",
        "",
        "| variant | median s | runs (s) |",
        "|---|---|---|",
        *(
            f"| {name} | {statistics.median(v):.2f} | {', '.join(f'{x:.2f}' for x in v)} |"
            for name, v in builds.items()
        ),
        "",
        f"The validation worker makes a build {single / worker:.2f}x as fast as validating in "
        f"one process. Target under 3 s: {'met' if worker < 3 else '**not met**'} "
        f"({worker:.2f} s).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions of each measurement")
    args = parser.parse_args()
    text = render(extraction_ms(args.runs), build_seconds(args.runs), args.runs)
    OUT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
