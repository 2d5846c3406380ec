"""The README's "Scaling up" commands, run step by step against a real Virtuoso.

Every line of the section's shell blocks runs as written, with two substitutions: the engine's
address (the README's ``http://127.0.0.1:8890`` becomes the test Virtuoso's free port) and the
password placeholder ``…`` (the test Virtuoso's password). ``export NAME=value`` lines and
``NAME=value`` prefixes set the environment; the local store is ``$FAZHI_STORE`` (the test
dataset, built once). What a command prints over the engine is compared with what the same
command prints on the local store; ``serve`` runs as its own process on a free port, answers one
query, and is stopped by its process id. A new command in the section fails the test until the
test knows how to check it.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from fazhi_graph.checks import CHECKS_GRAPH
from fazhi_graph.cli import app
from fazhi_graph.remote import RemoteStore
from fazhi_graph.store import build_store
from tests.conftest import ROOT, four_report_graphs
from tests.loopback import free_port, stop, wait_until_up
from tests.remote_servers import Server
from tests.test_remote_cli import REMOTE_ENV, standard
from tests.test_remote_store import clear, config

pytestmark = pytest.mark.slow

README_ENGINE = "http://127.0.0.1:8890"
"""Where the README's Virtuoso listens."""
CHECKED = {"push", "query", "stats", "export", "check", "serve"}
"""The commands this test knows how to check."""


def scaling_steps() -> list[str]:
    """The non-blank lines of the shell blocks under ``## Scaling up``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Scaling up\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def on_local_store(args: list[str], local: Path) -> list[str]:
    """The same command on the local store: ``--store PATH``, no ``--endpoint``, no
    ``--write`` (the local store stays as built), output files renamed."""
    out: list[str] = []
    words = iter(args)
    for word in words:
        if word == "--endpoint":
            next(words)
        elif word == "--store":
            out += ["--store", str(local)]
            next(words)
        elif word in ("-o", "--output"):
            out += [word, f"local-{next(words)}"]
        elif word != "--write":
            out.append(word)
    return out


def test_readme_scaling_section_step_by_step(
    virtuoso_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = virtuoso_server
    engine = server.query.removesuffix("/sparql")
    with RemoteStore(config(server, gsp=True)) as target:
        clear(target)
    local = tmp_path / "store"
    build_store(local, four_report_graphs())
    monkeypatch.chdir(tmp_path)  # where export -o writes
    env: dict[str, str | None] = {**REMOTE_ENV, "FAZHI_STORE": str(local), "COLUMNS": "200"}
    runner = CliRunner()
    ran: list[str] = []
    steps = scaling_steps()
    assert steps, "README.md lost its Scaling up commands"
    for line in steps:
        words = shlex.split(line.replace(README_ENGINE, engine), comments=True)
        assignments: dict[str, str | None] = {}
        if words[0] == "export":
            words = words[1:]
        while words and re.match(r"[A-Z_]+=", words[0]):
            name, value = words.pop(0).split("=", 1)
            assignments[name] = server.password if value == "…" else value
        if not words:  # export NAME=value: for the rest of the session
            env |= assignments
            continue
        assert words[0] == "fazhi-graph", line
        args = words[1:]
        command = args[0]
        assert command in CHECKED, f"README: this test does not check `{command}` yet: {line}"
        ran.append(command)
        if command == "serve":
            serve(args, {**env, **assignments}, tmp_path)
            continue
        there = runner.invoke(app, args, env={**env, **assignments})
        assert "Traceback" not in there.output, there.output
        if command == "push":
            assert there.exit_code == 0, there.output
            assert "counts verified" in there.stdout, there.stdout
            continue
        here = runner.invoke(app, on_local_store(args, local), env=env)
        assert there.exit_code == here.exit_code, (line, there.output)
        assert there.stdout == here.stdout, line
        compare_outputs(server, args)
        if "--write" in args:
            assert f"in {CHECKS_GRAPH}" in there.stderr, there.stderr
    assert ran[0] == "push" and set(ran) == CHECKED


def compare_outputs(server: Server, args: list[str]) -> None:
    """An ``-o FILE`` written over the engine holds what the local store wrote."""
    for flag in ("-o", "--output"):
        if flag in args:
            name = args[args.index(flag) + 1]
            there, here = Path(name).read_bytes(), Path(f"local-{name}").read_bytes()
            assert len(here) > 10_000
            assert standard(server, there) == standard(server, here), name


def serve(args: list[str], env: dict[str, str | None], tmp_path: Path) -> None:
    """Run ``fazhi-graph serve`` as written (on a free port), ask it one query, stop it."""
    port = free_port()
    command = [sys.executable, "-m", "fazhi_graph.cli", *args, "--port", str(port)]
    environ = {k: v for k, v in os.environ.items() if k not in env}
    environ |= {k: v for k, v in env.items() if v is not None}
    with (tmp_path / "serve.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=environ)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base, tmp_path / "serve.log", poll=0.2)
        reports = (
            "SELECT (COUNT(*) AS ?n) { ?r a <https://w3id.org/fazhi-graph/ontology#AnnualReport> }"
        )
        answer: Any = httpx.get(
            f"{base}/sparql",
            params={"query": reports},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        ).json()
        assert answer["results"]["bindings"][0]["n"]["value"] == "4"
    finally:
        stop(process)
