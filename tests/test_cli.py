"""The command line: help on everything, documented options exist, one-line errors, atomic
writes, and a failed build that leaves the previous store alone."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import rdflib
from rdflib import Literal
from rdflib.namespace import RDF, RDFS
from typer.main import get_command
from typer.testing import CliRunner

from fazhi_graph import ontology, shacl_sparql
from fazhi_graph.cli import app
from fazhi_graph.namespaces import DATA, FZ, GRAPH
from fazhi_graph.ontology import ValidationResult
from fazhi_graph.settings import Settings
from fazhi_graph.store import build_store, open_store

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
G1 = str(GRAPH["report/alpha-2020"])

DOCUMENTED: dict[str, set[str]] = {
    "build": {"--store"},
    "export": {"--format", "-f", "--graph", "-o", "--output", "--store", "--endpoint"},
    "validate": {"--store"},
    "stats": {"--json", "--store", "--endpoint"},
    "check": {"--json", "--write", "--report", "--store", "--endpoint"},
    "serve": {
        "--host",
        "--port",
        "--store",
        "--in-memory",
        "--on-disk",
        "--timeout",
        "--max-rows",
        "--allow-write",
        "--write-token",
        "--endpoint",
    },
    "query": {"--store", "--endpoint"},
}
"""The options the brief and the README promise, per command."""

runner = CliRunner()


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})})


def small_graph(n: int = 3) -> rdflib.Graph:
    """2n triples: n policy documents without the sentence they come from (SHACL violations)."""
    g = rdflib.Graph()
    for i in range(n):
        doc = DATA[f"doc/alpha/{i}"]
        g.add((doc, RDF.type, FZ.PolicyDocument))
        g.add((doc, RDFS.label, Literal(f"《办法{i}》", lang="zh")))
    return g


def conforming_graph(n: int = 3) -> rdflib.Graph:
    """2n triples about untyped nodes: nothing for a shape to reject."""
    g = rdflib.Graph()
    for i in range(n):
        node = DATA[f"note/alpha/{i}"]
        g.add((node, RDFS.label, Literal(f"说明{i}", lang="zh")))
        g.add((node, RDFS.comment, Literal(f"note {i}", lang="en")))
    return g


def tree_digest(path: Path) -> dict[str, str]:
    return {
        str(p.relative_to(path)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def built(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    build_store(path, [(G1, small_graph()), (str(GRAPH["ontology"]), rdflib.Graph())])
    return path


def command_options(name: str) -> set[str]:
    group = get_command(app)
    command = group.commands[name]  # type: ignore[attr-defined]
    options: set[str] = set()
    for param in command.params:
        options.update(param.opts)
        options.update(param.secondary_opts)
    return options


# --------------------------------------------------------------------------- help and docs


def test_top_level_help_lists_every_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for name in DOCUMENTED:
        assert name in result.output


@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_command_help_mentions_every_option(name: str) -> None:
    result = invoke(name, "--help")
    assert result.exit_code == 0, result.output
    for option in DOCUMENTED[name] | command_options(name):
        if option.startswith("--"):
            assert option in result.output, f"{name} --help does not mention {option}"
    assert DOCUMENTED[name] <= command_options(name)


def test_every_command_and_option_has_help_text() -> None:
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, f"command {name} has no help"
        for param in command.params:
            if param.param_type_name == "option":
                assert getattr(param, "help", None), f"{name} {param.opts} has no help"


def readme_cli_lines() -> list[str]:
    text = README.read_text(encoding="utf-8")
    heading = re.search(r"^##+ .*(command line|CLI).*$", text, re.MULTILINE | re.IGNORECASE)
    section = text[heading.end() :] if heading else text
    section = re.split(r"^## ", section, maxsplit=1, flags=re.MULTILINE)[0]
    blocks = re.findall(r"```[^\n]*\n(.*?)```", section, re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if "fazhi-graph" in line]


def test_readme_cli_reference_matches_the_commands() -> None:
    if not README.exists():
        pytest.skip("README.md does not exist yet")
    lines = readme_cli_lines()
    assert lines, "README.md has no fenced fazhi-graph examples under its CLI heading"
    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    for line in lines:
        match = re.search(r"fazhi-graph\s+([a-z][a-z-]*)", line)
        assert match, line
        name = match.group(1)
        assert name in commands, f"README documents unknown command {name!r}"
        for option in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line[match.end() :]):
            assert option in command_options(name), f"README: {name} has no option {option}"


# --------------------------------------------------------------------------- settings


def test_settings_precedence(tmp_path: Path) -> None:
    env = {"FAZHI_HOME": str(tmp_path), "FAZHI_WRITE_TOKEN": "t"}
    settings = Settings.from_env(env)
    assert settings.project_root == tmp_path.resolve()
    assert settings.store_path == tmp_path.resolve() / "var" / "store"
    assert settings.write_token == "t"
    env["FAZHI_STORE"] = str(tmp_path / "elsewhere")
    assert Settings.from_env(env).store_path == tmp_path / "elsewhere"
    assert Settings.from_env(env, store_path=tmp_path / "cli").store_path == tmp_path / "cli"
    assert Settings.from_env(env, port=None).port == 8000  # None means "not given"


def test_settings_reject_bad_values() -> None:
    with pytest.raises(ValueError, match="max_rows"):
        Settings.from_env({}, max_rows=10, max_rows_limit=5)
    with pytest.raises(TypeError, match="unknown settings"):
        Settings.from_env({}, prot=1)
    assert invoke("serve", "--max-rows", "1000000").exit_code == 2


# --------------------------------------------------------------------------- errors


def one_line_error(result: Any) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.output + result.stderr
    return str(lines[0])


def test_bad_format_is_a_one_line_error(built: Path) -> None:
    result = invoke("export", "--format", "n3", "--store", str(built))
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "'n3'" in line and "turtle, trig, nquads, ntriples, jsonld, rdfxml" in line


def test_missing_store_is_a_one_line_error(tmp_path: Path) -> None:
    result = invoke("stats", "--store", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert "fazhi-graph build" in one_line_error(result)


def test_unknown_graph_is_a_one_line_error(built: Path) -> None:
    result = invoke("export", "--graph", str(GRAPH["report/nope"]), "--store", str(built))
    assert result.exit_code == 1
    assert G1 in one_line_error(result)


def test_usage_error_exits_2() -> None:
    assert invoke("export", "--no-such-option").exit_code == 2
    assert invoke("serve", "--port", "99999").exit_code == 2


# --------------------------------------------------------------------------- --store remote
# (against real engines: tests/test_remote_cli.py and tests/test_remote_serve.py)

REMOTE_COMMANDS = [["query", "-e", "ASK {}"], ["stats"], ["export"], ["check"], ["serve"]]
NO_REMOTE_ENV: dict[str, str | None] = {
    f"FAZHI_REMOTE_{name}": None
    for name in ("ENDPOINT", "UPDATE_ENDPOINT", "GRAPH_STORE", "USER", "PASSWORD", "TOKEN")
}


@pytest.mark.parametrize("command", REMOTE_COMMANDS, ids=lambda c: c[0])
def test_endpoint_without_store_remote_is_a_usage_error(command: list[str], built: Path) -> None:
    for store in ([], ["--store", str(built)]):
        result = invoke(*command, *store, "--endpoint", "http://127.0.0.1:9/sparql")
        assert result.exit_code == 2, result.output
        assert "--endpoint needs --store remote" in result.stderr


@pytest.mark.parametrize("command", REMOTE_COMMANDS, ids=lambda c: c[0])
def test_store_remote_without_an_endpoint_says_how_to_give_one(command: list[str]) -> None:
    result = invoke(*command, "--store", "remote", env=NO_REMOTE_ENV)
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "--endpoint URL" in line and "FAZHI_REMOTE_ENDPOINT" in line


@pytest.mark.parametrize("command", REMOTE_COMMANDS, ids=lambda c: c[0])
def test_store_remote_refuses_credentials_in_the_url(command: list[str]) -> None:
    url = "http://dba:hunter2@127.0.0.1:9/sparql"
    result = invoke(*command, "--store", "remote", "--endpoint", url, env=NO_REMOTE_ENV)
    assert result.exit_code == 1
    line = one_line_error(result)
    assert "carries credentials" in line and "FAZHI_REMOTE_PASSWORD" in line
    assert "hunter2" not in result.output + result.stderr


@pytest.mark.parametrize("command", REMOTE_COMMANDS[:-1], ids=lambda c: c[0])
def test_store_remote_that_does_not_answer_is_a_one_line_error(command: list[str]) -> None:
    url = "http://127.0.0.1:9/sparql"
    result = invoke(*command, "--store", "remote", "--endpoint", url, env=NO_REMOTE_ENV)
    assert result.exit_code == 1
    assert f"cannot reach the remote engine at {url}" in one_line_error(result)


def test_store_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "remote.txt").write_text("")
    result = invoke("stats", "--store", str(tmp_path / "remote.txt"))
    assert result.exit_code == 2 and "is a file" in result.stderr


def test_a_directory_called_remote_is_dot_slash_remote(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(built.parent)
    built.rename(built.parent / "remote")
    result = invoke("stats", "--json", "--store", "./remote", env=NO_REMOTE_ENV)
    assert result.exit_code == 0, result.output
    assert G1 in json.loads(result.stdout)["graphs"]


# --------------------------------------------------------------------------- export


def test_export_to_stdout(built: Path) -> None:
    result = invoke("export", "-f", "nt", "--store", str(built), "--graph", G1)
    assert result.exit_code == 0, result.stderr
    parsed = rdflib.Graph().parse(data=result.stdout, format="nt")
    assert len(parsed) == len(small_graph())


def test_export_to_file_is_atomic(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "dataset.trig"
    out.parent.mkdir()
    out.write_text("previous content")
    result = invoke("export", "-f", "trig", "-o", str(out), "--store", str(built))
    assert result.exit_code == 0, result.stderr
    parsed = rdflib.Dataset()
    parsed.parse(out, format="trig")
    assert len(parsed.graph(rdflib.URIRef(G1))) == len(small_graph())
    assert sorted(p.name for p in out.parent.iterdir()) == ["dataset.trig"]


def test_failed_export_keeps_previous_file(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "keep.ttl"
    out.write_text("previous content")
    result = invoke("export", "-o", str(out), "--graph", "http://nope/", "--store", str(built))
    assert result.exit_code == 1
    assert out.read_text() == "previous content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.ttl", "store"]


def test_turtle_export_is_prefixed(built: Path) -> None:
    result = invoke("export", "--store", str(built))
    assert result.exit_code == 0
    assert "@prefix fz: <https://w3id.org/fazhi-graph/ontology#> ." in result.stdout


# --------------------------------------------------------------------------- stats


def test_stats_json(built: Path) -> None:
    result = invoke("stats", "--json", "--store", str(built))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["graphs"][G1] == len(small_graph())
    assert data["reports"][0]["counts"]["fz:PolicyDocument"] == 3


def test_stats_tables(built: Path) -> None:
    result = invoke("stats", "--store", str(built))
    assert result.exit_code == 0, result.stderr
    assert "fz:PolicyDocument" in result.stdout
    assert "alpha-2020" in result.stdout


# --------------------------------------------------------------------------- validate


def fake_validation(conforms: bool) -> Any:
    def validate(data: rdflib.Graph, **_: Any) -> ValidationResult:
        results = [] if conforms else [("fzd:x", "fz:statedIn", "needs a sentence", "Violation")]
        text = "SHACL validation: " + ("conforms" if conforms else "1 violation")
        return ValidationResult(conforms=conforms, results=results, text=text)

    return validate


@pytest.mark.parametrize(
    ("engine", "module", "name"),
    [("compiled", shacl_sparql, "validate_compiled"), ("pyshacl", ontology, "validate")],
)
def test_validate_store(
    built: Path, monkeypatch: pytest.MonkeyPatch, engine: str, module: Any, name: str
) -> None:
    monkeypatch.setattr(module, name, fake_validation(True))
    result = invoke("validate", "--store", str(built), "--engine", engine)
    assert result.exit_code == 0, result.stderr
    assert "conforms" in result.stdout

    monkeypatch.setattr(module, name, fake_validation(False))
    result = invoke("validate", "--store", str(built), "--engine", engine)
    assert result.exit_code == 1
    assert "1 violation" in result.stdout
    assert "1 SHACL violation" in one_line_error(result)


def test_validate_engines_agree_and_an_unknown_one_is_refused(built: Path) -> None:
    compiled = invoke("validate", "--store", str(built))  # the default engine
    reference = invoke("validate", "--store", str(built), "--engine", "pyshacl")
    # the small store of this module does not conform: the same report, line for line
    assert compiled.exit_code == reference.exit_code == 1
    assert compiled.stdout == reference.stdout and "[Violation]" in compiled.stdout
    assert one_line_error(compiled) == one_line_error(reference)
    unknown = invoke("validate", "--store", str(built), "--engine", "jena")
    assert unknown.exit_code == 2
    assert "unknown engine 'jena'; give compiled or pyshacl" in unknown.stderr


# --------------------------------------------------------------------------- build and serve


def fake_pipeline(monkeypatch: pytest.MonkeyPatch, graphs: list[tuple[str, rdflib.Graph]]) -> None:
    """Make the build see ``graphs`` as its data and no schema graphs (validation stays real)."""
    import fazhi_graph.pipeline as pipeline

    monkeypatch.setattr(pipeline, "data_graphs", lambda root: graphs)
    monkeypatch.setattr(pipeline, "schema_graphs", lambda copy=True: [])


def test_build_writes_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_pipeline(monkeypatch, [(G1, conforming_graph(5))])
    path = tmp_path / "store"
    result = invoke("build", "--store", str(path))
    assert result.exit_code == 0, result.stderr
    assert "built 1 graph, 10 triples" in result.stdout
    with open_store(path, read_only=True) as store:
        assert store.count(G1) == 10


def test_build_with_violations_keeps_old_store(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_pipeline(monkeypatch, [(G1, small_graph(7))])
    before = tree_digest(built)
    result = invoke("build", "--store", str(built))
    assert result.exit_code == 1
    message = one_line_error(result)
    assert "does not conform to the SHACL shapes" in message
    assert "doc/alpha/" in message and "violation(s)" in message
    assert tree_digest(built) == before


def test_serve_passes_options_to_the_web_server(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = pytest.importorskip("fazhi_graph.web.server")
    seen: list[Settings] = []
    monkeypatch.setattr(server, "run", seen.append)
    result = invoke(
        "serve",
        "--store",
        str(built),
        "--host",
        "127.0.0.2",
        "--port",
        "8123",
        "--on-disk",
        "--timeout",
        "5",
        "--max-rows",
        "50",
        "--allow-write",
        "--write-token",
        "s3cret",
        "--allow-service",
        "https://query.wikidata.org/sparql",
        env={"FAZHI_WRITE_TOKEN": ""},
    )
    assert result.exit_code == 0, result.stderr
    (settings,) = seen
    assert settings.store_path == built
    assert (settings.host, settings.port, settings.in_memory) == ("127.0.0.2", 8123, False)
    assert (settings.query_timeout_s, settings.max_rows) == (5.0, 50)
    assert (settings.read_only, settings.write_token) == (False, "s3cret")
    assert settings.allow_service == ("https://query.wikidata.org/sparql",)


def test_serve_builds_a_missing_store_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = pytest.importorskip("fazhi_graph.web.server")
    fake_pipeline(monkeypatch, [(G1, conforming_graph(2))])
    seen: list[Settings] = []
    monkeypatch.setattr(server, "run", seen.append)
    path = tmp_path / "new-store"
    result = invoke("serve", "--store", str(path))
    assert result.exit_code == 0, result.stderr
    assert seen and seen[0].read_only
    with open_store(path, read_only=True) as store:
        assert store.count(G1) == 4


# --------------------------------------------------------------------------- the real pipeline


@pytest.mark.slow
def test_build_names_a_non_utf8_report_and_keeps_the_store(tmp_path: Path) -> None:
    home = tmp_path / "project"
    shutil.copytree(ROOT / "data", home / "data")
    bad = home / "data" / "reports" / "999_gbk.txt"
    bad.write_bytes("城东区2021年法治政府建设年度报告".encode("gb18030"))
    catalogue = home / "data" / "reports" / "reports.toml"
    catalogue.write_text(
        '[[report]]\nfile = "999_gbk.txt"\n\n' + catalogue.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    store = tmp_path / "store"
    build_store(store, [(G1, small_graph())])
    before = tree_digest(store)

    result = invoke("build", env={"FAZHI_HOME": str(home), "FAZHI_STORE": str(store)})

    assert result.exit_code == 1
    line = one_line_error(result)
    assert "999_gbk.txt" in line and "UTF-8" in line
    assert tree_digest(store) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".store.")] == []
