"""The seed's complete fact list and graph, pinned.

Regenerate after an intended change with ``FAZHI_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff of ``tests/golden/`` before committing it.
"""

import os
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.compare import graph_diff, to_isomorphic

from fazhi_graph.factlist import fact_list
from fazhi_graph.rdf import bind_prefixes

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("FAZHI_UPDATE_GOLDEN") == "1"


def test_seed_fact_list(seed_facts: Any) -> None:
    path = GOLDEN / "seed-facts.jsonl"
    got = fact_list(seed_facts)
    if UPDATE:
        path.write_text("\n".join(got) + "\n", encoding="utf-8")
    assert path.exists(), f"{path} missing: run with FAZHI_UPDATE_GOLDEN=1 and review it"
    want = path.read_text(encoding="utf-8").splitlines()
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    assert not missing and not extra, (
        "seed facts changed\n--- missing\n"
        + "\n".join(missing[:20])
        + "\n+++ new\n"
        + "\n".join(extra[:20])
    )


def _readable(g: Graph, limit: int = 15) -> str:
    out = bind_prefixes(Graph())
    for i, t in enumerate(sorted(g)):
        if i == limit:
            break
        out.add(t)
    return out.serialize(format="turtle")


def test_seed_graph_isomorphic(seed_graph: Graph) -> None:
    path = GOLDEN / "seed.nt"
    if UPDATE:
        path.write_text(
            "".join(sorted(seed_graph.serialize(format="nt").splitlines(keepends=True))),
            encoding="utf-8",
        )
    assert path.exists(), f"{path} missing: run with FAZHI_UPDATE_GOLDEN=1 and review it"
    want = Graph().parse(path, format="nt")
    if to_isomorphic(want) != to_isomorphic(seed_graph):
        _both, only_want, only_got = graph_diff(to_isomorphic(want), to_isomorphic(seed_graph))
        raise AssertionError(
            f"seed graph differs: {len(only_want)} triples only in golden, "
            f"{len(only_got)} only in new\n"
            f"--- only in golden:\n{_readable(only_want)}\n+++ only in new:\n{_readable(only_got)}"
        )
