"""`ingest`: adds a report, is idempotent, replaces a changed one; bad input writes nothing."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from fazhi_graph.cli import app
from fazhi_graph.errors import OffGenreError, ValidationError
from fazhi_graph.ingest import ingest
from fazhi_graph.settings import Settings
from fazhi_graph.store import open_store

from .conftest import SAMPLES, copy_project


@pytest.fixture
def project(tmp_path: Path) -> Settings:
    settings: Settings = copy_project(tmp_path / "project")
    return settings


def snapshot(settings: Settings) -> tuple[str, bytes, list[str], int]:
    reports = settings.project_root / "data" / "reports"
    with open_store(settings.store_path, read_only=True) as store:
        version, count = store.version(), store.count()
    return (
        version,
        (reports / "reports.toml").read_bytes(),
        sorted(p.name for p in reports.iterdir()),
        count,
    )


def test_add_then_unchanged_then_replaced(project: Settings, tmp_path: Path) -> None:
    sample = SAMPLES / "heyang-district-2021.txt"
    first = ingest(project, sample, {})  # no store yet: builds it with the new entry
    assert first.status == "added" and first.report_id == "heyangqu-2021"
    copied = project.project_root / "data" / "reports" / sample.name
    assert copied.read_bytes() == sample.read_bytes()
    before = snapshot(project)
    again = ingest(project, sample, {})
    assert again.status == "unchanged"
    assert snapshot(project) == before
    changed = tmp_path / sample.name
    changed.write_text(sample.read_text(encoding="utf-8") + "\n补充说明。", encoding="utf-8")
    third = ingest(project, changed, {})
    assert third.status == "replaced"
    with open_store(project.store_path, read_only=True) as store:
        names = [g for g in store.graph_names() if "/report/" in g]
    assert len(names) == 2  # the seed and heyang, not a second heyang
    toml = (project.project_root / "data" / "reports" / "reports.toml").read_text(encoding="utf-8")
    assert toml.count("\n[[report]]\n") == 2 and toml.startswith("# The report catalogue")


def test_bad_input_writes_nothing(project: Settings, tmp_path: Path) -> None:
    ingest(project, SAMPLES / "qinghe-county-2022.txt", {})
    before = snapshot(project)
    recipe = tmp_path / "recipe.txt"
    recipe.write_text(
        "红烧肉的做法\n" + "把肉切块，加糖炒色，再炖一个小时。" * 20, encoding="utf-8"
    )
    with pytest.raises(OffGenreError):
        ingest(project, recipe, {})
    untitled = tmp_path / "untitled.txt"
    untitled.write_text(
        "关于工作的情况\n" + "我们坚持依法行政，推进法治政府建设。" * 20, encoding="utf-8"
    )
    with pytest.raises(OffGenreError, match="--issuer"):
        ingest(project, untitled, {})
    assert snapshot(project) == before


def test_options_beat_the_title(project: Settings) -> None:
    result = ingest(
        project, SAMPLES / "qinghe-county-2022.txt", {"year": 2021, "url": "https://example.org/r"}
    )
    assert result.report_id == "qinghexian-2021"
    toml = (project.project_root / "data" / "reports" / "reports.toml").read_text(encoding="utf-8")
    assert 'url = "https://example.org/r"' in toml and "year = 2021" in toml


def test_invalid_graph_is_refused(project: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from fazhi_graph import ontology, shacl_sparql

    result = ontology.ValidationResult(conforms=False, results=[], text="x\n  [Violation] broken")
    monkeypatch.setattr(shacl_sparql, "validate_compiled", lambda *_a, **_k: result)
    ingest_target = SAMPLES / "yunchuan-sifaju-2022.txt"
    with pytest.raises(ValidationError, match="nothing was written"):
        ingest(project, ingest_target, {})
    assert not (project.project_root / "data" / "reports" / ingest_target.name).exists()


def test_cli_one_line_error(project: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "gbk.txt"
    bad.write_bytes("某区2021年法治政府建设情况".encode("gb18030") * 30)
    result = CliRunner().invoke(app, ["ingest", str(bad), "--store", str(project.store_path)],
                                env={"FAZHI_HOME": str(project.project_root)})  # fmt: skip
    assert result.exit_code == 1
    assert "gbk.txt" in result.output and "not UTF-8" in result.output


def test_checks_are_refreshed_by_ingest_and_build(project: Settings) -> None:
    from fazhi_graph.build import build
    from fazhi_graph.checks import CHECKS_GRAPH

    ingest(project, SAMPLES / "qinghe-county-2022.txt", {})  # builds: seed + qinghe, no findings
    with open_store(project.store_path, read_only=True) as store:
        assert CHECKS_GRAPH not in store.graph_names()
    ingest(project, SAMPLES / "heyang-district-2021.txt", {})  # its 结案率 95.3% ≠ 116/128
    with open_store(project.store_path, read_only=True) as store:
        assert store.count(CHECKS_GRAPH) > 0
    build(project)
    with open_store(project.store_path, read_only=True) as store:
        assert store.count(CHECKS_GRAPH) > 0
