"""`synth`: a deterministic, varied, fictional corpus that the real extractor reads well."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest
import rdflib
from typer.testing import CliRunner

from fazhi_graph.cli import app
from fazhi_graph.errors import FazhiError
from fazhi_graph.extract import extract
from fazhi_graph.ontology import validate
from fazhi_graph.rdf import to_graph
from fazhi_graph.report import guess_meta, meta_for, read_report
from fazhi_graph.synth import FICTION_NOTE, Corpus, SynthError, write_corpus


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 12, seed=5)
    write_corpus(tmp_path / "b", 12, seed=5)
    write_corpus(tmp_path / "c", 12, seed=6)
    a, b, c = (folder_bytes(tmp_path / x) for x in "abc")
    assert a == b
    assert len(a) == 13  # 12 texts and reports.toml
    assert set(a) != set(c) or a != c


def test_every_text_and_entry_is_marked_fictional(tmp_path: Path) -> None:
    reports = write_corpus(tmp_path, 15, seed=1)
    catalogue = tomllib.loads((tmp_path / "reports.toml").read_text(encoding="utf-8"))
    entries = {e["file"]: e for e in catalogue["report"]}
    assert set(entries) == {r.file for r in reports} == {p.name for p in tmp_path.glob("*.txt")}
    assert "FICTIONAL" in (tmp_path / "reports.toml").read_text(encoding="utf-8")
    for report in reports:
        text = read_report(tmp_path / report.file)  # UTF-8, no BOM, of the genre
        assert FICTION_NOTE in text.splitlines()[:4]
        entry = entries[report.file]
        assert entry["fictional"] is True
        # the catalogue agrees with what the title says
        guessed = guess_meta(text, report.file)
        assert (guessed["issuer"], guessed["area"], guessed["year"]) == (
            entry["issuer"],
            entry["area"],
            entry["year"],
        )
        assert guessed["level"] == entry["level"]


def test_the_corpus_varies_in_areas_years_levels_titles_and_numbers() -> None:
    reports = list(Corpus(seed=2).reports(80))
    years = Counter(int(r.entry["year"]) for r in reports)
    assert set(years) <= set(range(2019, 2025)) and len(years) >= 5
    assert {r.entry["level"] for r in reports} == {"county", "district", "city"}
    assert len({r.entry["area"] for r in reports}) >= 60
    assert len({r.entry["id"] for r in reports}) == 80  # one graph per report
    assert len({r.title.replace(str(r.entry["area"]), "").replace(str(r.entry["year"]), "")
                .replace("人民政府", "") for r in reports}) >= 3  # fmt: skip
    assert len({r.text for r in reports}) == 80
    # numbered items in some reports, 一是/二是 in others
    assert any("\n1." in r.text for r in reports) and any("一是" in r.text for r in reports)


def test_synthetic_reports_extract_richly_and_conform() -> None:
    merged = rdflib.Graph()
    for report in Corpus(seed=4).reports(3):
        meta = meta_for(report.text, report.file, {})
        facts = extract(report.text, meta)
        assert len(facts.observations) >= 20
        assert len(facts.documents) >= 1
        assert len(facts.initiatives) >= 5
        assert len(facts.bodies) >= 2
        assert {o.unit for o in facts.observations} >= {"NUM", "PERCENT"}
        merged += to_graph(facts)
    result = validate(merged)
    assert result.conforms, result.text


def test_asking_for_more_than_the_generator_has_is_an_error(tmp_path: Path) -> None:
    corpus = Corpus(seed=0)
    assert corpus.capacity > 10_000  # enough for the 10,000-report benchmark
    with pytest.raises(SynthError, match="distinct area-year pairs"):
        list(corpus.reports(corpus.capacity + 1))
    with pytest.raises(FazhiError, match="at least 1"):
        write_corpus(tmp_path, 0)


def test_cli_synth(tmp_path: Path) -> None:
    out = tmp_path / "corpus"
    result = CliRunner().invoke(app, ["synth", "--reports", "4", "--seed", "9", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 4 fictional reports" in result.output
    assert len(list(out.glob("*.txt"))) == 4 and (out / "reports.toml").exists()
