"""Faults: kill -9 of build and ingest, a query worker killed mid-query, disk full, read-only.

Real processes throughout: ``.venv/bin/fazhi-graph`` on a copy of the project in tmp_path,
killed with SIGKILL after random delays (fixed seed); a real server on loopback whose query
worker is killed; a real small file system (tmpfs, when running as root) that fills up.
The long variant is ``bench/faults.py`` (more kills, results in ``bench/faults.md``).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from fazhi_graph.errors import StoreError, StoreLockedError
from fazhi_graph.journal import JOURNAL_NAME, recover
from fazhi_graph.settings import Settings
from fazhi_graph.store import build_store, is_store_dir, open_store
from fazhi_graph.storedir import clean_leftovers, leftovers, writer_lock

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from crashkit import (
    SAMPLE,
    Project,
    Scenario,
    consistency_problems,
    delays,
    new_project,
    prepare,
    read_state,
    restore_files,
    snapshot_files,
    trial,
)
from loadgen import ServeProcess

pytestmark = pytest.mark.slow

SEED = 20261128
KILLS = 5
"""Kills per command in CI; ``bench/faults.py`` runs more."""


# --------------------------------------------------------------------------- kill -9


@pytest.fixture(scope="module")
def build_scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return prepare("build", tmp_path_factory.mktemp("kill-build"))


@pytest.fixture(scope="module")
def ingest_scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return prepare("ingest", tmp_path_factory.mktemp("kill-ingest"))


@pytest.mark.parametrize("name", ["build", "ingest"])
def test_kill_9_at_random_points_leaves_old_or_new_never_a_mix(
    name: str, request: pytest.FixtureRequest
) -> None:
    scenario: Scenario = request.getfixturevalue(f"{name}_scenario")
    outcomes = []
    for i, delay in enumerate(delays(SEED + len(name), KILLS, scenario.seconds)):
        result = trial(scenario, delay, validate=i == KILLS - 1, rerun=i in (0, KILLS - 1))
        outcomes.append(result)
        assert result.ok, result
    assert all(r.repaired in ("old", "new") for r in outcomes)
    assert outcomes[-1].validated is True and outcomes[0].rerun_ok is True


CRASH = """
import os, sys
from pathlib import Path
from fazhi_graph import ingest
from fazhi_graph.settings import Settings
from fazhi_graph.store import OxigraphStore

home, stage, sample = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
original = OxigraphStore.replace_graphs

def crash(self, graphs):
    if self.path is None:  # the in-memory scratch copy: not the commit
        return original(self, graphs)
    if stage == "committed":
        original(self, graphs)
    os._exit(9)  # a crash at exactly this point: no cleanup, no finally

OxigraphStore.replace_graphs = crash
ingest.ingest(Settings.from_env({}, project_root=home, store_path=home / "var" / "store"),
              sample, {})
sys.exit(3)  # not reached when the crash point was hit
"""
"""Ingest the sample in a fresh interpreter that dies (``os._exit``) either just before the
store commit (``staged``: files staged and journalled) or just after it (``committed``: files
not yet in place)."""


def _crash_in_child(project: Project, stage: str) -> int:
    done = subprocess.run([sys.executable, "-c", CRASH, str(project.home), stage, str(SAMPLE)],
                          env=project.env, capture_output=True, text=True, timeout=300)
    return done.returncode


@pytest.mark.parametrize(("stage", "expected"), [("staged", "back"), ("committed", "forward")])
def test_a_crash_either_side_of_the_commit_is_repaired(
    ingest_scenario: Scenario, stage: str, expected: str
) -> None:
    project = ingest_scenario.project
    restore_files(project, ingest_scenario.saved)
    assert _crash_in_child(project, stage) == 9
    journal = project.reports / JOURNAL_NAME
    assert journal.exists()
    staged = {p.name for p in project.reports.iterdir() if p.name.endswith(".staged")}
    assert staged == {".reports.toml.staged", f".{SAMPLE.name}.staged"}
    settings = Settings.from_env({}, project_root=project.home, store_path=project.store)
    with writer_lock(project.store):
        assert recover(settings) == expected
    assert not journal.exists()
    assert not [p for p in project.reports.iterdir() if p.name.startswith(".")]
    state = read_state(project)
    target = ingest_scenario.old if expected == "back" else ingest_scenario.new
    assert state.same_data(target)
    assert consistency_problems(project) == []
    # the next ingest finds nothing left to repair and completes
    assert project.run("ingest", str(SAMPLE), check=False).returncode == 0
    assert read_state(project).same_data(ingest_scenario.new)


def test_leftovers_of_a_killed_build_are_cleaned_by_the_next(tmp_path: Path) -> None:
    project = new_project(tmp_path / "p")
    project.run("build")
    before = read_state(project)
    junk_new = project.store.with_name(".store.new-deadbeef")
    shutil.copytree(project.store, junk_new)
    (junk_new / "CURRENT").unlink()  # half-written
    junk_old = project.store.with_name(".store.old-0badcafe")
    shutil.copytree(project.store, junk_old)
    (project.store.with_name(".store.lock")).write_text("")  # left by a killed build
    assert len(leftovers(project.store)) == 2
    project.run("build")
    assert leftovers(project.store) == []
    assert read_state(project).same_data(before)


def test_a_store_missing_between_the_two_renames_is_put_back(tmp_path: Path) -> None:
    """Where directories cannot be swapped in one step, a crash between the renames leaves
    the previous store as ``.old-*``: the next writer restores it before anything else."""
    path = tmp_path / "store"
    build_store(path, [("https://example.org/g", _tiny())])
    with open_store(path, read_only=True) as store:
        version = store.version()
    os.rename(path, path.with_name(".store.old-12345678"))
    with writer_lock(path):
        clean_leftovers(path)
    assert is_store_dir(path) and leftovers(path) == []
    with open_store(path, read_only=True) as store:
        assert store.version() == version


def test_a_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "store"
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from fazhi_graph.storedir import writer_lock\n"
        "with writer_lock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True)\n"
        "    time.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
        with pytest.raises(StoreLockedError, match="another build or ingest"):
            build_store(path, [("https://example.org/g", _tiny())])
        assert not path.exists() and leftovers(path) == []
    finally:
        holder.send_signal(signal.SIGKILL)  # kill -9: the kernel releases the lock
        holder.wait()
    build_store(path, [("https://example.org/g", _tiny())])
    assert is_store_dir(path)


def _tiny() -> object:
    import rdflib

    g = rdflib.Graph()
    g.add((rdflib.URIRef("https://example.org/s"), rdflib.RDFS.label, rdflib.Literal("x")))
    return g


# --------------------------------------------------------------------------- a worker killed


SLOW = ("SELECT (COUNT(*) AS ?n) WHERE { ?a <http://www.w3.org/2000/01/rdf-schema#label> ?c . "
        "?d ?e ?f }")
"""A query that runs for seconds on the project's store and then answers."""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, int]]:
    work = tmp_path_factory.mktemp("worker-kill")
    project = new_project(work / "p")
    project.run("build")
    expected = _count(project.store)
    with ServeProcess(project.store, 60, work / "server.log") as server:
        yield server, expected


def _count(store: Path) -> int:
    raw = ox.Store.read_only(str(store))
    rows = raw.query(SLOW, use_default_graph_as_union=True)
    assert isinstance(rows, ox.QuerySolutions)
    (row,) = list(rows)
    n = row["n"]
    assert n is not None
    return int(n.value)


def _busy_worker(server: ServeProcess, exclude: set[int], within_s: float = 30) -> int:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        for worker in server.workers():
            if worker["running"] > 0 and worker["pid"] not in exclude:
                return int(worker["pid"])
        time.sleep(0.05)
    raise AssertionError(f"no worker ran the query within {within_s} s: {server.workers()}")


def _ask_slow(server: ServeProcess, tag: str, out: dict[str, httpx.Response]) -> threading.Thread:
    def ask() -> None:
        out["response"] = httpx.post(
            server.endpoint, data={"query": f"{SLOW} # {tag}"},
            headers={"Accept": "application/sparql-results+json"}, timeout=120,
        )

    thread = threading.Thread(target=ask)
    thread.start()
    return thread


def test_a_worker_killed_mid_query_is_replaced_and_the_answer_is_whole(
    served: tuple[ServeProcess, int],
) -> None:
    """Killed once: the query is rerun on the replacement and the answer is complete."""
    server, expected = served
    out: dict[str, httpx.Response] = {}
    thread = _ask_slow(server, "once", out)
    victim = _busy_worker(server, set())
    os.kill(victim, signal.SIGKILL)
    thread.join(timeout=120)
    assert not thread.is_alive(), "the client hung"
    response = out["response"]
    assert response.status_code == 200, response.text
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == expected
    assert victim not in {w["pid"] for w in server.workers()}


def test_a_query_whose_worker_is_killed_twice_gets_an_error_and_later_queries_work(
    served: tuple[ServeProcess, int],
) -> None:
    server, _ = served
    out: dict[str, httpx.Response] = {}
    thread = _ask_slow(server, "twice", out)
    killed: set[int] = set()
    while thread.is_alive() and len(killed) < 5:  # kill whichever worker runs it, each time
        try:
            victim = _busy_worker(server, killed, within_s=10)
        except AssertionError:
            break
        os.kill(victim, signal.SIGKILL)
        killed.add(victim)
        time.sleep(0.2)
    thread.join(timeout=120)
    assert not thread.is_alive(), "the client hung"
    response = out["response"]
    assert len(killed) >= 2, killed
    assert response.status_code == 500, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == 500 and "crashed" in body["error"]
    deadline = time.monotonic() + 60
    while not server.workers_ready() and time.monotonic() < deadline:
        time.sleep(0.1)
    pids = {w["pid"] for w in server.workers()}
    assert not pids & killed
    after = httpx.post(server.endpoint, data={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert after.status_code == 200 and int(
        after.json()["results"]["bindings"][0]["n"]["value"]) > 0


# --------------------------------------------------------------------------- disk full, read-only


def _tmpfs(where: Path, size: str) -> Path:
    """Mount a tmpfs of ``size`` at ``where``; skip (saying why) when that is not possible."""
    if os.geteuid() != 0:
        pytest.skip("a real full disk needs a small tmpfs, and mounting one needs root")
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    return where


def _umount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(directory: Path, leave_bytes: int) -> None:
    """Fill the file system of ``directory`` until about ``leave_bytes`` are left."""
    stat = os.statvfs(directory)
    free = stat.f_bavail * stat.f_frsize
    with (directory / "filler").open("wb") as fh:
        try:
            fh.write(b"\0" * max(0, free - leave_bytes))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Project]:
    """The project on a 64 MB tmpfs with its store built."""
    mount = _tmpfs(tmp_path / "disk", "64m")
    try:
        project = new_project(mount / "p")
        project.run("build")
        yield project
    finally:
        _umount(mount)


def _one_line_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def test_build_on_a_full_disk_is_a_clear_error_and_the_store_is_untouched(
    small_disk: Project, tmp_path: Path
) -> None:
    project = small_disk
    before = read_state(project)
    _fill(project.home, 512 * 1024)
    result = project.run("build", check=False)
    _one_line_error(result, "the disk is full", "previous store is untouched")
    after = read_state(project)
    assert after.same_data(before) and after.version == before.version
    assert leftovers(project.store) == []


def test_ingest_on_a_full_disk_is_a_clear_error_and_nothing_changes(
    small_disk: Project, tmp_path: Path
) -> None:
    project = small_disk
    saved = tmp_path / "saved"
    snapshot_files(project, saved)
    before = read_state(project)
    _fill(project.home, 4 * 1024)
    result = project.run("ingest", str(SAMPLE), check=False)
    _one_line_error(result, "the disk is full")
    after = read_state(project)
    assert after.same_data(before) and after.version == before.version
    assert not (project.reports / JOURNAL_NAME).exists()
    assert sorted(p.name for p in project.reports.iterdir()) == sorted(
        p.name for p in (saved / "reports").iterdir())
    (project.home / "filler").unlink()  # space again: the same command now works
    assert project.run("ingest", str(SAMPLE), check=False).returncode == 0
    assert consistency_problems(project) == []


def _read_only(directory: Path) -> None:
    """Make ``directory``'s file system read-only (a remount as root, else chmod)."""
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(directory)], check=True)
    else:
        for path in [directory, *directory.rglob("*")]:
            path.chmod(path.stat().st_mode & ~0o222)


@pytest.fixture
def read_only_project(tmp_path: Path) -> Iterator[Project]:
    """A built project whose file system is then made read-only: a tmpfs remounted
    read-only as root (root ignores file modes), the files' write bits cleared otherwise."""
    root = os.geteuid() == 0
    home = _tmpfs(tmp_path / "disk", "64m") if root else tmp_path / "disk"
    try:
        project = new_project(home / "p")
        project.run("build")
        _read_only(home)
        yield project
    finally:
        if root:
            _umount(home)
        else:
            for path in [home, *home.rglob("*")]:
                path.chmod(path.stat().st_mode | 0o200)


def test_a_read_only_store_directory_is_a_clear_error_and_the_store_is_untouched(
    read_only_project: Project,
) -> None:
    project = read_only_project
    before = read_state(project)
    build = project.run("build", check=False)
    _one_line_error(build, "read-only" if os.geteuid() == 0 else "permission denied")
    ingest = project.run("ingest", str(SAMPLE), check=False)
    _one_line_error(ingest, "read-only" if os.geteuid() == 0 else "permission denied")
    after = read_state(project)
    assert after.same_data(before) and after.version == before.version
    assert project.run("validate", check=False).returncode == 0  # still readable


def test_error_messages_name_the_cause() -> None:
    from fazhi_graph.storedir import os_error_message

    assert "disk is full" in os_error_message(OSError(errno.ENOSPC, "No space left on device"))
    assert "read-only" in os_error_message(OSError("IO error: Read-only file system"))
    assert "permission denied" in os_error_message(OSError(errno.EACCES, "Permission denied"))
    assert json.dumps(os_error_message(OSError("odd"))) == '"odd"'
    with pytest.raises(StoreError):
        build_store(Path("/proc/fazhi-graph-cannot-write-here/store"), [])
