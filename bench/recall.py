"""Recall of the extractor on reports with answer keys; writes bench/recall.md.

Usage: .venv/bin/python bench/recall.py [DIR_WITH_TXT_AND_GOLD_JSON ...]
Defaults to the sample reports kept as test fixtures in tests/data/samples.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from fazhi_graph.evaluation import score
from fazhi_graph.pipeline import extract_file

ROOT = Path(__file__).resolve().parents[1]


def main(dirs: list[Path]) -> str:
    lines = [
        "# Extraction recall against answer keys",
        "",
        "| report | family | found | total | recall |",
        "|---|---|---|---|---|",
    ]
    misses: list[str] = []
    for d in dirs:
        for txt in sorted(d.glob("*.txt")):
            gold_path = txt.with_suffix(".gold.json")
            if not gold_path.exists():
                continue
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            t0 = time.perf_counter()
            facts = extract_file(txt, {})
            ms = 1000 * (time.perf_counter() - t0)
            s = score(facts, gold)
            for fam in s.total:
                lines.append(
                    f"| {txt.stem} | {fam} | {s.found.get(fam, 0)} | {s.total[fam]} | "
                    f"{100 * s.recall(fam):.1f}% |"
                )
            lines.append(
                f"| {txt.stem} | extraction ms (1st: +vocab load) | | | {ms:.0f} ms |"
            )
            for fam, items in s.misses.items():
                misses.append(f"- {txt.stem} {fam}: " + "; ".join(map(str, items)))
    return "\n".join([*lines, "", "## Misses", "", *misses, ""])


if __name__ == "__main__":
    dirs = [Path(a) for a in sys.argv[1:]] or [ROOT / "tests" / "data" / "samples"]
    report = main(dirs)
    (ROOT / "bench" / "recall.md").write_text(report, encoding="utf-8")
    print(report)
