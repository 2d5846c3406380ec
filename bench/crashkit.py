"""Kill ``fazhi-graph build`` and ``ingest`` with SIGKILL at random points and check what is left.

Shared by ``tests/test_faults.py`` (a few kills each) and ``bench/faults.py`` (many).

A *project* is a copy of ``data/``, ``ontology/`` and ``queries/`` in a temporary directory,
used through ``FAZHI_HOME`` and ``FAZHI_STORE`` by real ``fazhi-graph`` processes. A
:class:`State` is what a project holds: the store's version token, a digest of the actual
content of every named graph (recomputed from the stored quads, not read from the meta
graph), the meta graph's recorded hash of each graph, and the catalogue and report texts.

One trial: reset the project to the known previous state A, start the command, SIGKILL it
after a random delay (drawn with a fixed seed from 0 to the command's full run time), then
classify what is on disk: ``"old"`` (exactly A), ``"new"`` (exactly the complete result B of
the same command run undisturbed) or a failure naming what is mixed.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import pyoxigraph as ox  # noqa: E402

from fazhi_graph.namespaces import PREFIXES  # noqa: E402
from fazhi_graph.pipeline import catalogue  # noqa: E402
from fazhi_graph.store import META_GRAPH, is_store_dir  # noqa: E402
from fazhi_graph.storedir import leftovers  # noqa: E402

FAZHI = Path(sys.executable).parent / "fazhi-graph"
SAMPLE = ROOT / "tests" / "data" / "samples" / "heyang-district-2021.txt"
"""The report the ingest trials add (a fictional test sample, never in the shipped data)."""


# --------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class Project:
    """A project directory used by real ``fazhi-graph`` processes."""

    home: Path

    @property
    def store(self) -> Path:
        """The store directory."""
        return self.home / "var" / "store"

    @property
    def reports(self) -> Path:
        """``data/reports``."""
        return self.home / "data" / "reports"

    @property
    def env(self) -> dict[str, str]:
        """Environment pointing ``fazhi-graph`` at this project."""
        return {**os.environ, "FAZHI_HOME": str(self.home), "FAZHI_STORE": str(self.store)}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``fazhi-graph ARGS`` to completion."""
        result = subprocess.run([str(FAZHI), *args], env=self.env, capture_output=True,
                                text=True, timeout=600)
        if check and result.returncode != 0:
            raise RuntimeError(f"fazhi-graph {' '.join(args)} failed: {result.stderr}")
        return result


def new_project(where: Path) -> Project:
    """Copy the project's data, ontology and queries to ``where`` (no store yet)."""
    where.mkdir(parents=True, exist_ok=True)
    for folder in ("data", "ontology", "queries"):
        shutil.copytree(ROOT / folder, where / folder)
    return Project(where)


def snapshot_files(project: Project, to: Path) -> None:
    """Save the store and ``data/reports`` of ``project`` to ``to`` (no process may write)."""
    shutil.rmtree(to, ignore_errors=True)
    to.mkdir(parents=True)
    shutil.copytree(project.reports, to / "reports")
    if project.store.exists():
        shutil.copytree(project.store, to / "store")


def restore_files(project: Project, saved: Path) -> None:
    """Put back what :func:`snapshot_files` saved, removing everything else beside the store."""
    shutil.rmtree(project.reports)
    shutil.copytree(saved / "reports", project.reports)
    var = project.store.parent
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    if (saved / "store").exists():
        shutil.copytree(saved / "store", project.store)


# --------------------------------------------------------------------------- states


_BNODE = re.compile(rb"_:[A-Za-z0-9_.-]+")


def _digest(lines: list[bytes]) -> str:
    return "sha256:" + hashlib.sha256(b"\n".join(sorted(lines))).hexdigest()


@dataclass(frozen=True)
class State:
    """What a project holds; equal states hold the same data."""

    version: str
    content: dict[str, str]
    """Named graph → digest of its sorted N-Triples, recomputed from the stored quads, with
    blank-node labels blanked out (two builds label the shapes' blank nodes differently)."""
    exact: dict[str, str]
    """The same with blank-node labels, as the meta graph's hashes are computed."""
    recorded: dict[str, str]
    """Named graph → the hash the meta graph records for it."""
    catalogue: str
    texts: dict[str, str]
    """Report file in ``data/reports/`` → SHA-256 of its bytes."""

    def same_data(self, other: State) -> bool:
        """Whether the store content, catalogue and texts equal ``other``'s."""
        return (self.content, self.catalogue, self.texts) == (
            other.content, other.catalogue, other.texts
        )


def read_state(project: Project) -> State:
    """Open the store read-only and describe the project (raises if the store cannot open)."""
    store = ox.Store.read_only(str(project.store))
    try:
        content: dict[str, str] = {}
        exact: dict[str, str] = {}
        for graph in store.named_graphs():
            if not isinstance(graph, ox.NamedNode) or graph.value == META_GRAPH:
                continue
            triples = [ox.Triple(q.subject, q.predicate, q.object)
                       for q in store.quads_for_pattern(None, None, None, graph)]
            lines = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").splitlines()
            exact[graph.value] = _digest(lines)
            content[graph.value] = _digest([_BNODE.sub(b"_:", line) for line in lines])
        meta = ox.NamedNode(META_GRAPH)
        ident = ox.NamedNode("http://purl.org/dc/terms/identifier")
        recorded, version = {}, "unversioned"
        for quad in store.quads_for_pattern(None, ident, None, meta):
            s, o = quad.subject, quad.object
            assert isinstance(s, ox.NamedNode) and isinstance(o, ox.Literal)
            if s == meta:
                version = o.value
            else:
                recorded[s.value] = o.value
    finally:
        del store
    catalogue_file = project.reports / "reports.toml"
    texts = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(project.reports.glob("*.txt"))}
    return State(version, content, exact, recorded,
                 hashlib.sha256(catalogue_file.read_bytes()).hexdigest(), texts)


def consistency_problems(project: Project) -> list[str]:
    """What in the catalogue and the texts disagrees with the store (empty when all agree).

    Every catalogue entry has a stored report from the same file whose source hash is the
    hash of that file's text; every stored report comes from a catalogue entry; every graph's
    content is the one the meta graph records.
    """
    problems = []
    state = read_state(project)
    for graph, digest in state.exact.items():
        if state.recorded.get(graph) != digest:
            problems.append(f"<{graph}> holds other content than the meta graph records")
    for graph in set(state.recorded) - set(state.exact):
        if state.recorded[graph] != _digest([]):
            problems.append(f"the meta graph records <{graph}>, which the store lacks")
    store = ox.Store.read_only(str(project.store))
    try:
        rows = store.query(
            "SELECT ?file ?sha WHERE { ?r a fz:AnnualReport ; fz:sourceFile ?file ; "
            "fz:sourceSha256 ?sha }", prefixes=dict(PREFIXES), use_default_graph_as_union=True,
        )
        assert isinstance(rows, ox.QuerySolutions)
        stored = {}
        for row in rows:
            file, sha = row["file"], row["sha"]
            assert file is not None and sha is not None
            stored[file.value] = sha.value
    finally:
        del store
    listed = {e["file"] for e in catalogue(project.home)}
    for name in sorted(listed - set(stored)):
        problems.append(f"the catalogue lists {name}, which the store lacks")
    for name in sorted(set(stored) - listed):
        problems.append(f"the store holds {name}, which the catalogue does not list")
    for name in sorted(listed & set(stored)):
        path = project.reports / name
        text = path.read_bytes().decode("utf-8").lstrip("\ufeff") if path.exists() else ""
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != stored[name]:
            problems.append(f"data/reports/{name} is not the text the store was built from")
    return problems


def store_outcome(state: State, old: State, new: State) -> str:
    """The store alone: ``"old"``, ``"new"`` or ``"mixed"``."""
    if state.content == old.content and state.version == old.version:
        return "old"
    if state.content == new.content and state.version != old.version:
        return "new"
    return classify(state, old, new)


def classify(state: State, old: State, new: State) -> str:
    """Store, catalogue and texts together: ``"old"``, ``"new"`` or a description of the mix."""
    if state.same_data(old) and state.version == old.version:
        return "old"
    if state.same_data(new) and state.version != old.version:
        return "new"
    parts = []
    for label, mine, a, b in (
        ("graphs", state.content, old.content, new.content),
        ("texts", state.texts, old.texts, new.texts),
    ):
        for key in sorted(set(mine) | set(a) | set(b)):
            if mine.get(key) not in (a.get(key), b.get(key)):
                parts.append(f"{label}: {key} is neither old nor new")
            elif mine.get(key) != a.get(key):
                parts.append(f"{label}: {key} new")
    if state.catalogue not in (old.catalogue, new.catalogue):
        parts.append("catalogue: neither old nor new")
    elif state.catalogue == new.catalogue:
        parts.append("catalogue: new")
    if state.version == old.version:
        parts.append("version: old")
    return "mixed (" + "; ".join(parts) + ")"


# --------------------------------------------------------------------------- trials


@dataclass
class Trial:
    """One kill and what it left."""

    command: str
    delay_s: float
    finished: bool
    """The command ended before the kill."""
    outcome: str = ""
    """The store right after the kill, before any repair: ``old``, ``new`` or ``mixed (…)``."""
    repaired: str = ""
    """After the next command's repair step (``recover``): ``old`` or ``new``."""
    pending_journal: bool = False
    leftovers: list[str] = field(default_factory=list)
    validated: bool | None = None
    rerun_ok: bool | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Old or new state, consistent after repair, validated and rerun where checked."""
        return (self.outcome in ("old", "new") and not self.problems
                and self.validated is not False and self.rerun_ok is not False)


def kill_after(project: Project, args: list[str], delay_s: float) -> bool:
    """Start ``fazhi-graph ARGS``, SIGKILL it after ``delay_s``; whether it finished first."""
    process = subprocess.Popen([str(FAZHI), *args], env=project.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        process.wait(timeout=delay_s)
        if process.returncode != 0:
            assert process.stderr is not None
            raise RuntimeError(f"fazhi-graph {' '.join(args)} failed: {process.stderr.read()}")
        return True
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)  # kill -9 of the command's own process
        process.wait()
        return False
    finally:
        assert process.stderr is not None
        process.stderr.close()


@dataclass
class Scenario:
    """A command, the state before it (saved on disk) and the state it produces."""

    name: str
    args: list[str]
    project: Project
    saved: Path
    old: State
    new: State
    seconds: float
    """How long the command takes undisturbed."""
    catalogue_follows_store: bool
    """``ingest`` keeps catalogue and store in step; ``build`` reads a catalogue that may be
    ahead of the store."""


def prepare(kind: str, work: Path) -> Scenario:
    """A project in its previous state A, and B: ``build`` or ``ingest`` run undisturbed.

    ``build``: A is the seed built; the catalogue then gains a second report, so the build
    under test writes a store with different content. ``ingest``: A is the seed built; the
    command ingests a second report.
    """
    project = new_project(work / "project")
    project.run("build")
    if kind == "build":
        shutil.copy(SAMPLE, project.reports / SAMPLE.name)
        with (project.reports / "reports.toml").open("a", encoding="utf-8") as fh:
            fh.write(f'\n[[report]]\nfile = "{SAMPLE.name}"\n')
        args = ["build"]
    elif kind == "ingest":
        args = ["ingest", str(SAMPLE)]
    else:
        raise ValueError(f"unknown scenario {kind!r}; use build or ingest")
    saved = work / "saved"
    snapshot_files(project, saved)
    old = read_state(project)
    started = time.monotonic()
    project.run(*args)
    seconds = time.monotonic() - started
    new = read_state(project)
    if new.same_data(old):
        raise RuntimeError(f"{kind}: the command changed nothing, so a kill proves nothing")
    restore_files(project, saved)
    return Scenario(kind, args, project, saved, old, new, seconds, kind == "ingest")


def trial(scenario: Scenario, delay_s: float, *, validate: bool, rerun: bool) -> Trial:
    """Reset to A, kill the command after ``delay_s``, check the state, repair, rerun."""
    from fazhi_graph.journal import JOURNAL_NAME

    project = scenario.project
    restore_files(project, scenario.saved)
    result = Trial(scenario.name, delay_s, kill_after(project, scenario.args, delay_s))
    result.leftovers = [p.name for p in leftovers(project.store)]
    result.pending_journal = (project.reports / JOURNAL_NAME).exists()
    if not is_store_dir(project.store):
        result.outcome = "mixed (no store at the store path)"
        return result
    state = read_state(project)
    result.outcome = store_outcome(state, scenario.old, scenario.new)
    if not result.pending_journal:  # nothing to repair: the files must agree already
        full = classify(state, scenario.old, scenario.new)
        if full != result.outcome:
            result.problems.append(f"no journal, but the files are not {result.outcome}: {full}")
        if scenario.catalogue_follows_store:
            result.problems += consistency_problems(project)
    # the repair every build and ingest runs first
    _recover(project)
    state = read_state(project)
    result.repaired = classify(state, scenario.old, scenario.new)
    if result.repaired != result.outcome:
        result.problems.append(f"repair moved the store: {result.outcome} → {result.repaired}")
    if scenario.catalogue_follows_store:
        result.problems += consistency_problems(project)
    if validate:
        result.validated = project.run("validate", check=False).returncode == 0
    if rerun:
        done = project.run(*scenario.args, check=False)
        final = read_state(project)
        result.rerun_ok = (
            done.returncode == 0 and final.same_data(scenario.new)
            and not (scenario.catalogue_follows_store and consistency_problems(project))
            and not leftovers(project.store)
        )
        if not result.rerun_ok:
            result.problems.append(f"rerun: exit {done.returncode} {done.stderr.strip()[:300]}")
    return result


def _recover(project: Project) -> str | None:
    from fazhi_graph.journal import recover
    from fazhi_graph.settings import Settings
    from fazhi_graph.storedir import writer_lock

    settings = Settings.from_env({}, project_root=project.home, store_path=project.store)
    with writer_lock(project.store):
        return recover(settings)


def delays(seed: int, count: int, seconds: float) -> list[float]:
    """``count`` kill delays drawn uniformly from 0 to ``seconds`` with a fixed seed."""
    rng = random.Random(seed)
    return [round(rng.uniform(0.0, seconds), 3) for _ in range(count)]
