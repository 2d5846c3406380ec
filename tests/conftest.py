"""Shared fixtures: the project root, the seed report, the sample reports (test fixtures only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "reports" / "000_47a56254960e4c13.txt"
SAMPLES = ROOT / "tests" / "data" / "samples"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_facts() -> Any:
    from fazhi_graph.pipeline import catalogue, extract_file

    entry = next(e for e in catalogue(ROOT) if e["file"] == SEED.name)
    return extract_file(SEED, entry)


@pytest.fixture(scope="session")
def seed_graph(seed_facts: Any) -> Any:
    from fazhi_graph.rdf import to_graph

    return to_graph(seed_facts)


def sample_names() -> list[str]:
    return sorted(p.stem for p in SAMPLES.glob("*.txt"))


def load_gold(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SAMPLES / f"{name}.gold.json").read_text(encoding="utf-8"))
    return data
