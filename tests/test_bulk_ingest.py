"""`ingest DIR`: parallel, validated, the same graphs as single-file ingest, resumable.

Every test works on a real on-disk store in a copy of the project (data, ontology, queries),
with small synthetic corpora from `fazhi_graph.synth`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fazhi_graph.build import build
from fazhi_graph.bulk import ingest_folder
from fazhi_graph.cli import app
from fazhi_graph.errors import CatalogueError
from fazhi_graph.ingest import ingest
from fazhi_graph.namespaces import GRAPH
from fazhi_graph.settings import Settings
from fazhi_graph.store import META_GRAPH, open_store
from fazhi_graph.synth import write_corpus

from .conftest import ROOT

REPORT = str(GRAPH["report/"])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with its store built once; tests copy it again."""
    home = tmp_path_factory.mktemp("base") / "project"
    for folder in ("data", "ontology", "queries"):
        shutil.copytree(ROOT / folder, home / folder)
    build(Settings.from_env(project_root=home, store_path=home / "var" / "store"))
    return home


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Settings:
    home = tmp_path / "project"
    shutil.copytree(built, home)
    return Settings.from_env(project_root=home, store_path=home / "var" / "store")


def catalogue(settings: Settings) -> dict[str, dict[str, object]]:
    path = settings.project_root / "data" / "reports" / "reports.toml"
    return {e["file"]: e for e in tomllib.loads(path.read_text(encoding="utf-8"))["report"]}


def report_graphs(settings: Settings) -> dict[str, set[str]]:
    """Each report graph's triples as N-Triples lines."""
    out: dict[str, set[str]] = {}
    with open_store(settings.store_path, read_only=True) as store:
        for name in store.graph_names():
            if name.startswith(REPORT):
                out[name] = {str(q.triple) for q in store.quads(name)}
    return out


def meta_hashes(settings: Settings) -> dict[str, str]:
    with open_store(settings.store_path, read_only=True) as store:
        return {
            str(q.subject.value): str(q.object.value)  # type: ignore[union-attr]
            for q in store.quads(META_GRAPH)
            if str(q.predicate.value).endswith("/identifier")
            and str(q.subject.value).startswith(REPORT)  # type: ignore[union-attr]
        }


def assert_consistent(settings: Settings) -> None:
    """Catalogue, copies and store agree: every catalogued report is stored, hashed, copied."""
    reports = settings.project_root / "data" / "reports"
    graphs = report_graphs(settings)
    hashes = meta_hashes(settings)
    assert set(graphs) == set(hashes)  # no graph without its hash: nothing half-written
    for name, entry in catalogue(settings).items():
        assert (reports / name).exists()
        graph = f"{REPORT}{entry['id']}" if "id" in entry else None
        if graph is not None:
            assert graphs.get(graph)


def test_folder_ingest_stores_what_single_ingest_stores(
    project: Settings, built: Path, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    reports = write_corpus(corpus, 2, seed=11)
    result = ingest_folder(project, corpus, workers=2, batch=1)
    assert sorted(result.added) == sorted(r.file for r in reports)
    assert not result.failed and not result.unchanged and result.triples > 2000
    entries = catalogue(project)
    for report in reports:
        copy = project.project_root / "data" / "reports" / report.file
        assert copy.read_bytes() == (corpus / report.file).read_bytes()
        assert entries[report.file]["fictional"] is True
        assert entries[report.file]["area"] == report.entry["area"]
    assert "000_47a56254960e4c13.txt" in entries  # the seed stays
    assert_consistent(project)
    bulk_graphs, bulk_hashes = report_graphs(project), meta_hashes(project)

    # the same reports through single-file ingest into another copy: the same store content
    other = Settings.from_env(
        project_root=tmp_path / "other", store_path=tmp_path / "other" / "var" / "store"
    )
    shutil.copytree(built, other.project_root)
    for report in reports:
        assert ingest(other, corpus / report.file, {}).status == "added"
    assert report_graphs(other) == bulk_graphs
    assert meta_hashes(other) == bulk_hashes
    # the bulk entries also carry what the folder's reports.toml says (id, fictional, note)
    extra = {"id", "fictional", "note"}
    assert catalogue(other) == {
        f: {k: v for k, v in e.items() if k not in extra or not f.startswith("synth")}
        for f, e in entries.items()
    }
    with (
        open_store(project.store_path, read_only=True) as a,
        open_store(other.store_path, read_only=True) as b,
    ):
        assert a.count(str(GRAPH["checks"])) > 0  # findings to compare: random figures clash
        for graph in (str(GRAPH["curated"]), str(GRAPH["checks"])):
            assert {str(q.triple) for q in a.quads(graph)} == {
                str(q.triple) for q in b.quads(graph)
            }


def test_grouped_commits_store_what_batch_by_batch_commits_store(
    project: Settings, built: Path, tmp_path: Path
) -> None:
    """Writing several batches at once (``commit``) changes nothing stored, the shared
    graph's chained hash included; only the write times and version tokens differ."""
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4, seed=12)
    other = Settings.from_env(
        project_root=tmp_path / "other", store_path=tmp_path / "other" / "var" / "store"
    )
    shutil.copytree(built, other.project_root)
    grouped = ingest_folder(project, corpus, workers=2, batch=1)  # one write of 4 batches
    single = ingest_folder(other, corpus, workers=2, batch=1, commit=1)  # 4 writes
    assert grouped.added == single.added and len(grouped.added) == 4

    def quads(settings: Settings) -> set[str]:
        with open_store(settings.store_path, read_only=True) as store:
            return {
                str(q)
                for q in store.quads()
                if not (q.graph_name.value == META_GRAPH  # type: ignore[union-attr]
                        and (q.subject.value == META_GRAPH  # type: ignore[union-attr]
                             or str(q.predicate.value).endswith("/modified")))
            }  # fmt: skip

    assert quads(project) == quads(other)
    assert catalogue(project) == catalogue(other)


def test_unchanged_files_are_skipped_and_a_changed_one_replaced(
    project: Settings, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    reports = write_corpus(corpus, 3, seed=12)
    ingest_folder(project, corpus, workers=1, batch=3)
    with open_store(project.store_path, read_only=True) as store:
        version = store.version()
    toml = (project.project_root / "data" / "reports" / "reports.toml").read_bytes()

    again = ingest_folder(project, corpus, workers=1)
    assert sorted(again.unchanged) == sorted(r.file for r in reports) and not again.written
    with open_store(project.store_path, read_only=True) as store:
        assert store.version() == version  # nothing written at all
    assert (project.project_root / "data" / "reports" / "reports.toml").read_bytes() == toml

    changed = corpus / reports[1].file
    changed.write_text(changed.read_text(encoding="utf-8") + "\n补充说明。\n", encoding="utf-8")
    third = ingest_folder(project, corpus, workers=1)
    assert third.replaced == [reports[1].file] and len(third.unchanged) == 2
    assert len(report_graphs(project)) == 4  # the seed and three, not a second copy
    copy = project.project_root / "data" / "reports" / reports[1].file
    assert copy.read_bytes() == changed.read_bytes()
    assert_consistent(project)


def test_broken_files_are_named_and_the_good_ones_ingested(
    project: Settings, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    reports = write_corpus(corpus, 2, seed=13)
    (corpus / "broken-gbk.txt").write_bytes("某某县法治政府建设年度报告".encode("gb18030") * 20)
    (corpus / "off-genre.txt").write_text("这是一份关于天气的说明。" * 40, encoding="utf-8")
    runner = CliRunner()
    home = {"FAZHI_HOME": str(project.project_root), "FAZHI_STORE": str(project.store_path)}
    result = runner.invoke(app, ["ingest", str(corpus), "--workers", "2"], env=home)
    assert result.exit_code == 1
    assert "2 added, 0 replaced, 0 unchanged, 2 failed" in result.stdout
    assert "broken-gbk.txt" in result.stderr and "not UTF-8" in result.stderr
    assert "off-genre.txt" in result.stderr and "法治政府" in result.stderr
    entries = catalogue(project)
    assert {r.file for r in reports} <= set(entries)
    assert "broken-gbk.txt" not in entries and "off-genre.txt" not in entries
    assert not (project.project_root / "data" / "reports" / "broken-gbk.txt").exists()
    assert_consistent(project)

    # fixed: the next run ingests only what failed before
    (corpus / "broken-gbk.txt").unlink()
    (corpus / "off-genre.txt").unlink()
    write_corpus(tmp_path / "more", 3, seed=13)  # same seed: first two are the same reports
    extra = next(
        p for p in sorted((tmp_path / "more").glob("*.txt")) if not (corpus / p.name).exists()
    )
    shutil.copy(extra, corpus / extra.name)
    fixed = runner.invoke(app, ["ingest", str(corpus)], env=home)
    assert fixed.exit_code == 0, fixed.output
    assert "1 added, 0 replaced, 2 unchanged, 0 failed" in fixed.stdout


def test_a_folder_without_reports_is_an_error(project: Settings, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogueError, match=r"no \*\.txt"):
        ingest_folder(project, tmp_path / "empty")
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty"), "--year", "2020"])
    assert result.exit_code == 2 and "describe one file" in result.output


def test_kill_9_mid_run_loses_nothing_committed_and_resume_finishes(
    project: Settings, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    reports = write_corpus(corpus, 5, seed=14)
    toml = project.project_root / "data" / "reports" / "reports.toml"
    env = {
        **os.environ,
        "FAZHI_HOME": str(project.project_root),
        "FAZHI_STORE": str(project.store_path),
    }
    command = [sys.executable, "-m", "fazhi_graph.cli", "ingest", str(corpus)]
    proc = subprocess.Popen(
        [*command, "--workers", "1", "--batch", "1", "--commit", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the workers die with it
    )
    try:
        deadline = time.monotonic() + 120
        while b"synth-" not in toml.read_bytes():  # the first batch is committed
            assert proc.poll() is None, "the run ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    committed = {f for f in catalogue(project) if f.startswith("synth-")}
    assert 1 <= len(committed) < 5
    assert_consistent(project)  # opens cleanly; no graph without its hash

    resumed = ingest_folder(project, corpus, workers=2, batch=2)
    assert set(resumed.unchanged) == committed  # nothing committed is redone
    assert set(resumed.added) == {r.file for r in reports} - committed
    assert not resumed.failed
    assert {f for f in catalogue(project) if f.startswith("synth-")} == {r.file for r in reports}
    assert len(report_graphs(project)) == 6
    assert_consistent(project)
