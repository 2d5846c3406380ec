"""The same extractor on three other reports of the genre, scored against their answer keys.

The sample reports are fictional test fixtures (tests/data/samples); nothing is written for
any one of them. Targets are those of the genre-wide issue: metrics ≥ 95 % with value and unit,
all documents, ≥ 90 % of programmes, bodies and places, no non-values read as metrics.
"""

from pathlib import Path

import pytest

from fazhi_graph.evaluation import score
from fazhi_graph.pipeline import extract_file

from .conftest import SAMPLES, load_gold, sample_names

TARGETS = {
    "metrics": 0.95,
    "documents": 1.0,
    "programs": 0.9,
    "organizations": 0.9,
    "places": 0.9,
    "metrics_named": 0.8,
}


@pytest.mark.parametrize("name", sample_names())
def test_recall(name: str) -> None:
    gold = load_gold(name)
    facts = extract_file(SAMPLES / f"{name}.txt", {})
    result = score(facts, gold)
    failures = [
        f"{fam}: {result.recall(fam):.1%} < {target:.0%}; missed {result.misses.get(fam, [])[:8]}"
        for fam, target in TARGETS.items()
        if result.recall(fam) < target
    ]
    assert not failures, "\n".join(failures)
    assert result.total["not_values_clean"] == 0, result.misses.get("not_values_clean")


@pytest.mark.parametrize("name", sample_names())
def test_metadata_read_from_title(name: str) -> None:
    gold = load_gold(name)["report"]
    facts = extract_file(SAMPLES / f"{name}.txt", {})
    assert (facts.meta.issuer, facts.meta.area, facts.meta.year) == (
        gold["issuer"],
        gold["area"],
        gold["year"],
    )


@pytest.mark.parametrize("name", sample_names())
def test_problem_and_plan_counts(name: str) -> None:
    gold = load_gold(name)
    facts = extract_file(SAMPLES / f"{name}.txt", {})
    assert len(facts.problems) == gold["problems_count"]
    assert len(facts.measures) == gold["next_steps_count"]


def test_samples_present() -> None:
    assert len(sample_names()) == 3, Path(SAMPLES).iterdir()
