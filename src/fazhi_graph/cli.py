"""``fazhi-graph``: thin commands over the library.

Every :class:`~fazhi_graph.errors.FazhiError` becomes one line ``error: <message>`` on stderr and
exit status 1 (usage errors exit 2, as click does); never a traceback. The one handler is
:meth:`_Group.invoke`. Progress goes to stderr, and only on a terminal.

Commands: ``build``, ``export``, ``validate``, ``stats``, ``serve`` (the web app, from
:mod:`fazhi_graph.web.server`) and ``query`` (from :mod:`fazhi_graph.web.cli_query`).
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from fazhi_graph.cli_store import EndpointOption, StoreChoice, StoreOrRemoteOption, store_choice
from fazhi_graph.errors import FazhiError
from fazhi_graph.settings import Settings
from fazhi_graph.store import BuildSummary, Store, is_store_dir


class _Group(TyperGroup):
    """The command group; its :meth:`invoke` is the CLI's single handler for FazhiError."""

    def invoke(self, ctx: Any) -> Any:  # a click Context (typer vendors its own click)
        """Run the command; turn a FazhiError into ``error: <message>`` and exit status 1."""
        try:
            return super().invoke(ctx)
        except FazhiError as exc:
            typer.echo(f"error: {_one_line(exc)}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    name="fazhi-graph",
    cls=_Group,
    help="Knowledge graph of Chinese local governments' annual rule-of-law reports "
    "(法治政府建设年度报告): build it, check it, export it, count it, serve it over SPARQL.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="Store directory (default: $FAZHI_STORE, else var/store in the project).",
        file_okay=False,
    ),
]


def _one_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return "; ".join(lines) or type(exc).__name__


def _settings(**overrides: Any) -> Settings:
    """Settings from the environment and the options; a bad value is a usage error."""
    try:
        return Settings.from_env(**overrides)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


def _stderr() -> Console:
    return Console(stderr=True, highlight=False)


def _stdout() -> Console:
    console = Console(highlight=False)
    if not console.is_terminal:  # piped: do not squeeze tables into 80 columns
        console = Console(highlight=False, width=max(console.width, 200))
    return console


def _open(settings: Settings) -> Store:
    """Open the configured local store read-only."""
    return StoreChoice().open(settings)


def _chosen(store: str | None, endpoint: str | None) -> tuple[StoreChoice, Settings]:
    """``--store PATH|remote`` and ``--endpoint``, and the settings they make."""
    choice = store_choice(store, endpoint)
    return choice, _settings(backend=choice.backend, store_path=choice.path)


@contextmanager
def _progress(title: str) -> Iterator[Callable[[str], None] | None]:
    """Yield a ``say(message)`` callback: a spinner on a terminal, silence when piped."""
    console = _stderr()
    if not console.is_terminal:
        yield None
        return
    with console.status(title) as status:

        def say(message: str) -> None:
            status.update(f"{title}: {message}")

        yield say


def _run_build(settings: Settings) -> BuildSummary:
    from fazhi_graph.build import build as build_dataset

    with _progress("building") as say:
        return build_dataset(settings, progress=say)


def _print_summary(summary: BuildSummary) -> None:
    console = _stdout()
    if console.is_terminal:
        table = Table("graph", "triples", title=f"Built {summary.path}")
        for name, n in summary.triples.items():
            table.add_row(name, f"{n:,}")
        table.add_row("[b]total[/b]", f"[b]{summary.total_triples:,}[/b]")
        console.print(table)
    typer.echo(
        f"built {len(summary.graphs)} graph{'' if len(summary.graphs) == 1 else 's'}, "
        f"{summary.total_triples} triples in "
        f"{summary.seconds:.1f} s at {summary.path} (version {summary.version})"
    )


# --------------------------------------------------------------------------- build


@app.command()
def build(store: StoreOption = None) -> None:
    """Extract every report in data/reports/, validate with SHACL, write the store.

    The store is replaced atomically: if any report is bad or validation fails, the previous
    store stays as it was.
    """
    _print_summary(_run_build(_settings(store_path=store)))


# --------------------------------------------------------------------------- export


@app.command()
def export(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Output format: turtle (ttl), trig, nquads (nq), ntriples (nt), jsonld "
            "(json-ld) or rdfxml (xml). trig and nquads keep graph names; the others write "
            "the union of all graphs. For analysis: csv (one row per observation, UTF-8 with "
            "BOM), graphml or gexf (the entity network, for Gephi); with --graph, one report.",
        ),
    ] = "turtle",
    graph: Annotated[
        str | None,
        typer.Option("--graph", "-g", help="Export only this named graph (its full IRI)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write to this file (atomically: a temporary file, then a rename) instead "
            "of standard output.",
            dir_okay=False,
        ),
    ] = None,
    store: StoreOrRemoteOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Serialise the stored dataset, or one graph, in an RDF format, or export tidy tables.

    csv writes the observations table (columns in docs/exports.md); graphml and gexf the
    network of bodies, places, documents, initiatives and reports. Every format works over
    --store remote too (read through SPARQL queries).
    """
    from fazhi_graph.export import export as export_store
    from fazhi_graph.export import get_format

    name = get_format(fmt).name  # an unknown format fails before the store is opened
    choice, settings = _chosen(store, endpoint)
    with choice.open(settings) as opened:
        if output is None:
            stream = typer.get_binary_stream("stdout")
            export_store(opened, name, graph=graph, out=stream)
            stream.flush()
            return
        output = output.absolute()
        tmp = output.with_name(f".{output.name}.{secrets.token_hex(4)}.tmp")
        try:
            with tmp.open("wb") as out:
                export_store(opened, name, graph=graph, out=out)
            os.replace(tmp, output)
        finally:
            tmp.unlink(missing_ok=True)
    _stderr().print(f"wrote {output}", markup=False)


# --------------------------------------------------------------------------- validate


@app.command()
def validate(
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Validate the graphs in this store directory instead of extracting them "
            "from data/ in memory.",
            file_okay=False,
        ),
    ] = None,
    engine: Annotated[
        str,
        typer.Option(
            "--engine",
            help="compiled: the shapes compiled to SPARQL and run by Oxigraph (what build and "
            "ingest use); pyshacl: pySHACL, the reference they are tested against (same "
            "results, about ten times slower).",
        ),
    ] = "compiled",
) -> None:
    """Check the dataset against the SHACL shapes; exit status 1 on violations.

    Without --store the reports in data/reports/ are extracted in memory (the store is not
    touched); with --store the stored graphs are checked.
    """
    from fazhi_graph.build import data as extract_data
    from fazhi_graph.build import union
    from fazhi_graph.export import to_rdflib_graph
    from fazhi_graph.ontology import validate as reference_validate
    from fazhi_graph.shacl_sparql import validate_compiled
    from fazhi_graph.store import META_GRAPH

    engines = {"compiled": validate_compiled, "pyshacl": reference_validate}
    if engine not in engines:
        raise typer.BadParameter(
            f"unknown engine {engine!r}; give compiled or pyshacl", param_hint="--engine"
        )
    shacl_validate = engines[engine]

    if store is None:
        settings = _settings()
        with _progress("validating") as say:
            data = union(extract_data(settings, progress=say))
            if say is not None:
                say(f"checking {len(data)} triples")
            result = shacl_validate(data)
    else:
        settings = _settings(store_path=store)
        with _open(settings) as opened, _progress("validating") as say:
            names = [g for g in opened.graph_names() if g != META_GRAPH]
            data = union([(g, to_rdflib_graph(opened, g)) for g in names])
            if say is not None:
                say(f"checking {len(data)} triples")
            result = shacl_validate(data)

    console = _stdout()
    console.print(result.text, markup=False, soft_wrap=True)
    if result.conforms:
        console.print(f"[green]conforms[/green]: {len(data):,} triples checked")
        return
    violations = sum(1 for r in result.results if r[-1] == "Violation")
    typer.echo(f"error: {violations} SHACL violation(s) in {len(data)} triples", err=True)
    raise typer.Exit(1)


# --------------------------------------------------------------------------- stats


@app.command()
def stats(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")
    ] = False,
    store: StoreOrRemoteOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Count triples per graph, instances per class and the main facts per report."""
    from fazhi_graph.namespaces import REPORT_GRAPH_PREFIX
    from fazhi_graph.stats import curie
    from fazhi_graph.stats import stats as count

    choice, settings = _chosen(store, endpoint)
    with choice.open(settings) as opened:
        result = count(opened)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return

    console = _stdout()
    graphs = Table(title="Graphs", caption=f"version {result.version}")
    graphs.add_column("graph", overflow="fold")
    graphs.add_column("triples", justify="right")
    for name, n in result.graphs.items():
        graphs.add_row(curie(name), f"{n:,}")
    graphs.add_row("[b]total[/b]", f"[b]{result.total_triples:,}[/b]")
    console.print(graphs)

    classes = Table(title="Instances per class")
    classes.add_column("class", overflow="fold")
    classes.add_column("label (en)", overflow="fold")
    classes.add_column("instances", justify="right")
    for c in result.classes:
        classes.add_row(c.curie, c.label or "", f"{c.instances:,}")
    console.print(classes)

    if result.reports:
        columns = result.main_classes
        reports = Table(title="Per report graph (fzg:report/…)")
        reports.add_column("report", no_wrap=True)
        for heading in ("triples", *columns.values()):
            reports.add_column(heading, justify="right", overflow="fold")
        for r in result.reports:
            rid = r.graph.removeprefix(REPORT_GRAPH_PREFIX)
            reports.add_row(rid, f"{r.triples:,}", *(f"{r.counts[c]:,}" for c in columns))
        console.print(reports)


# --------------------------------------------------------------------------- check


@app.command()
def check(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the findings as JSON instead of a table.")
    ] = False,
    write: Annotated[
        bool,
        typer.Option(
            "--write",
            help="Also store the findings in the named graph fzg:checks of the store, "
            "replacing the previous ones. With --store remote they go through the engine's "
            "SPARQL Update endpoint ($FAZHI_REMOTE_UPDATE_ENDPOINT, default: the query "
            "endpoint) with the credentials in FAZHI_REMOTE_USER and FAZHI_REMOTE_PASSWORD.",
        ),
    ] = False,
    report: Annotated[
        str | None,
        typer.Option("--report", help="Check only this report (its id, e.g. chengdongqu-2020)."),
    ] = None,
    store: StoreOrRemoteOption = None,
    endpoint: EndpointOption = None,
) -> None:
    """Check the figures of every report for consistency; exit status 1 on any finding.

    A stated rate against its numerator and denominator (within the rounding its precision
    allows), the same fact stated twice with different values, percentages outside 0-100, and
    parts larger than their total. The rules are in docs/checks.md.
    """
    from fazhi_graph.checks import CHECKS_GRAPH, run_checks, write_findings
    from fazhi_graph.errors import StoreError
    from fazhi_graph.stats import curie

    choice, settings = _chosen(store, endpoint)
    if write and not choice.remote:
        path = None if settings.backend == "memory" else settings.store_path
        if path is not None and not is_store_dir(path):
            raise StoreError(f"no store at {path}; run `fazhi-graph build` first")
    with choice.open(settings, read_only=not write) as opened:
        findings = run_checks(opened, report=report)
        if write:
            try:
                write_findings(opened, findings)
            except StoreError as exc:
                if not choice.remote:
                    raise
                raise StoreError(_remote_write_failed(exc)) from exc
            _stderr().print(f"stored {len(findings)} finding(s) in {CHECKS_GRAPH}", markup=False)

    if as_json:
        body = {"count": len(findings), "findings": [f.to_dict() for f in findings]}
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
    elif findings:
        table = Table(title="Consistency findings", show_lines=True)
        table.add_column("kind", no_wrap=True)
        table.add_column("report", no_wrap=True)
        for heading in ("stated", "expected", "±"):
            table.add_column(heading, justify="right")
        table.add_column("message", overflow="fold", ratio=3)
        table.add_column("source (offsets, quote)", overflow="fold", ratio=2)
        for f in findings:
            quotes = "\n".join(
                f"{s.begin}-{s.end} {s.quote[:60]}{'…' if len(s.quote) > 60 else ''}"
                for s in f.sources
            )
            table.add_row(
                str(f.kind),
                f.report_id,
                str(f.stated),
                "" if f.expected is None else str(f.expected),
                "" if f.tolerance is None else str(f.tolerance),
                f"{f.message_zh}\n{f.message_en}",
                quotes or curie(f.observations[0]),
                end_section=False,
            )
        _stdout().print(table)
    if not findings:
        if not as_json:
            typer.echo("no findings: every checked figure is consistent")
        return
    if not as_json:
        reports = len({f.report for f in findings})
        typer.echo(f"{len(findings)} finding(s) in {reports} report(s)")
    raise typer.Exit(1)


def _remote_write_failed(exc: FazhiError) -> str:
    """What ``check --write`` says when the remote engine did not take the findings."""
    from fazhi_graph.remote_http import ENV_AUTH, ENV_PASSWORD, ENV_UPDATE_ENDPOINT, ENV_USER

    return (
        f"the findings were not stored on the remote engine: {_one_line(exc)}. check --write "
        f"over --store remote writes through the engine's SPARQL Update endpoint: set "
        f"{ENV_UPDATE_ENDPOINT} to it (the default is the query endpoint, which most engines "
        f"do not accept updates on) and, if it asks for them, the credentials in {ENV_USER} "
        f"and {ENV_PASSWORD} ({ENV_AUTH}=digest for Virtuoso); or run check without --write"
    )


# --------------------------------------------------------------------------- serve


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option("--host", help="Interface to listen on (default 127.0.0.1, loopback only)."),
    ] = None,
    port: Annotated[
        int | None,
        typer.Option("--port", help="TCP port to listen on (default 8000).", min=0, max=65535),
    ] = None,
    store: StoreOrRemoteOption = None,
    in_memory: Annotated[
        bool | None,
        typer.Option(
            "--in-memory/--on-disk",
            help="Serve from an in-memory copy of the store when it fits (the default), or "
            "query the on-disk store directly.",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", help="Time limit for one query, in seconds (default 30).", min=0.001
        ),
    ] = None,
    max_rows: Annotated[
        int | None,
        typer.Option(
            "--max-rows",
            help="Rows a query returns when the client sets no limit (default 10000).",
            min=1,
        ),
    ] = None,
    allow_write: Annotated[
        bool,
        typer.Option(
            "--allow-write",
            help="Accept SPARQL updates (off by default); needs a write token "
            "(FAZHI_WRITE_TOKEN), on loopback too.",
        ),
    ] = False,
    write_token: Annotated[
        str | None,
        typer.Option(
            "--write-token",
            help="Bearer token required for updates; prefer the FAZHI_WRITE_TOKEN environment "
            "variable, which stays out of the process list.",
        ),
    ] = None,
    allow_service: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-service",
            help="An endpoint IRI that SERVICE clauses may call (repeatable; none by default).",
        ),
    ] = None,
    rate_limit: Annotated[
        float | None,
        typer.Option(
            "--rate-limit",
            help="Requests per second one client may send (default 10, bursts of 120; 0 for "
            "no limit; env FAZHI_RATE_LIMIT). Loopback clients are not limited.",
            min=0,
        ),
    ] = None,
    rate_burst: Annotated[
        int | None,
        typer.Option("--rate-burst", help="Requests one client may send at once.", min=1),
    ] = None,
    read_timeout: Annotated[
        float | None,
        typer.Option(
            "--read-timeout",
            help="Seconds a client has to send a whole request (default 15); slower "
            "clients get 408 and are disconnected.",
            min=0.001,
        ),
    ] = None,
    endpoint: EndpointOption = None,
) -> None:
    """Serve the SPARQL endpoint and the explorer; builds the store first if it is missing.

    --store remote --endpoint URL serves a dataset pushed to an external SPARQL engine, with
    the same limits (time-out, row cap, read-only, no SERVICE).
    """
    choice = store_choice(store, endpoint)
    if choice.remote:
        choice.export_endpoint()  # the server opens the store with open_store(backend="remote")
    settings = _settings(
        backend=choice.backend,
        store_path=choice.path,
        host=host,
        port=port,
        in_memory=in_memory,
        query_timeout_s=timeout,
        max_rows=max_rows,
        read_only=False if allow_write else None,
        write_token=write_token,
        allow_service=tuple(allow_service) if allow_service else None,
        rate_limit=rate_limit,
        rate_burst=rate_burst,
        request_read_timeout_s=read_timeout,
    )
    if settings.backend not in ("memory", "remote") and _store_is_empty(settings):
        _stderr().print(f"no store at {settings.store_path}: building it first", markup=False)
        _print_summary(_run_build(settings))

    from fazhi_graph.web.server import run

    run(settings)


def _store_is_empty(settings: Settings) -> bool:
    if not is_store_dir(settings.store_path):
        return True
    with _open(settings) as opened:
        return opened.count() == 0


# --------------------------------------------------------------------------- push


@app.command()
def push(
    endpoint: Annotated[
        str, typer.Option("--endpoint", help="The engine's SPARQL query endpoint URL.")
    ],
    update_endpoint: Annotated[
        str | None,
        typer.Option(
            "--update-endpoint",
            help="Its SPARQL Update endpoint (default: --endpoint; Virtuoso: …/sparql-auth).",
        ),
    ] = None,
    graph_store: Annotated[
        str | None,
        typer.Option(
            "--graph-store",
            help="Its Graph Store Protocol endpoint, used for uploads when given (Virtuoso: "
            "…/sparql-graph-crud-auth); without it, batched SPARQL Update.",
        ),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="User name for writes.")] = None,
    password_env: Annotated[
        str,
        typer.Option(
            "--password-env",
            help="Environment variable holding the password (a password never goes on the "
            "command line). A bearer token can be given in FAZHI_REMOTE_TOKEN instead.",
        ),
    ] = "FAZHI_REMOTE_PASSWORD",
    auth: Annotated[
        str, typer.Option("--auth", help="HTTP authentication: basic, or digest (Virtuoso).")
    ] = "basic",
    atomic_put: Annotated[
        bool,
        typer.Option(
            "--atomic-put",
            help="The engine's Graph Store PUT replaces a graph in one transaction (Oxigraph): "
            "upload with one PUT per graph instead of a staging graph and a MOVE.",
        ),
    ] = False,
    report: Annotated[
        list[str] | None,
        typer.Option("--report", help="Push only this report (its id; repeatable)."),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Upload the local dataset (or chosen reports) to an external SPARQL engine and verify it.

    Each report stays its own named graph, replaced atomically where the engine allows; the
    triples of every pushed graph are counted on the server afterwards, and any difference is
    an error. See docs/scaling.md.
    """
    from fazhi_graph.push import push as push_dataset
    from fazhi_graph.remote import RemoteConfig, open_remote

    if password_env != "FAZHI_REMOTE_PASSWORD" and password_env not in os.environ:
        raise typer.BadParameter(f"the environment variable {password_env} is not set")
    config = RemoteConfig.from_env(
        endpoint=endpoint,
        update_endpoint=update_endpoint,
        graph_store=graph_store,
        user=user,
        password=os.environ.get(password_env),
        auth=auth,
        atomic_put=atomic_put or None,
    )
    local = _open(_settings(store_path=store))
    with local, open_remote(config) as remote, _push_progress(local.count()) as advance:
        summary = push_dataset(local, remote, reports=report or (), progress=advance)
    typer.echo(
        f"pushed {len(summary.local)} graph{'' if len(summary.local) == 1 else 's'}, "
        f"{summary.total_triples} triples to {endpoint} in {summary.seconds:.1f} s; counts "
        f"verified on the server (version {summary.version})"
    )


@contextmanager
def _push_progress(total: int) -> Iterator[Callable[[str, int], None] | None]:
    """Yield ``advance(graph, triples)``: a progress bar on a terminal, silence when piped."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    console = _stderr()
    if not console.is_terminal:
        yield None
        return
    columns = (
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        "triples",
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("pushing", total=total)

        def advance(graph: str, triples: int) -> None:
            bar.update(task, advance=triples, description=f"pushing {graph.rsplit('/', 1)[-1]}")

        yield advance


# --------------------------------------------------------------------------- ingest


@app.command()
def ingest(
    file: Annotated[
        Path,
        typer.Argument(
            help="The report's text file (UTF-8), or a folder: every *.txt in it, in parallel."
        ),
    ],
    issuer: Annotated[
        str | None,
        typer.Option(help="Issuing body, e.g. 城东区人民政府 (default: read from the title)."),
    ] = None,
    area: Annotated[
        str | None,
        typer.Option(help="Area the report covers, e.g. 城东区 (default: from the title)."),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option(help="Level: district, county, city, prefecture, province, department…"),
    ] = None,
    year: Annotated[
        int | None, typer.Option(help="The year reported on (default: from the title).")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where the report was published.")] = None,
    workers: Annotated[
        int | None, typer.Option(help="Worker processes for a folder (default: one per core).")
    ] = None,
    batch: Annotated[int, typer.Option(min=1, help="Reports per worker task.")] = 8,
    commit: Annotated[
        int | None,
        typer.Option(
            min=1, help="Reports written to the store at once, at least (1: every batch)."
        ),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Add a report to the catalogue (data/reports/) and to the store as its own named graph.

    Metadata not given is read from the title; when it cannot be found the error says which
    option to give. Re-ingesting the same file changes nothing; a changed file replaces its
    graph atomically. Nothing is written when the file or its graph is bad.

    Given a folder, ingests every *.txt in it in parallel (metadata from the titles or the
    folder's reports.toml), skipping files already ingested unchanged; an interrupted run
    resumes where it stopped. Broken files are listed and the rest are ingested.
    """
    from fazhi_graph.ingest import ingest as ingest_report

    if file.is_dir():
        if any(v is not None for v in (issuer, area, level, year, url)):
            raise typer.BadParameter(
                "--issuer/--area/--level/--year/--url describe one file; for a folder they "
                "come from each title or from the folder's reports.toml"
            )
        _ingest_folder(_settings(store_path=store), file, workers, batch, commit)
        return

    given: dict[str, str | int] = {
        k: v
        for k, v in {
            "issuer": issuer,
            "area": area,
            "level": level,
            "year": year,
            "url": url,
        }.items()
        if v is not None
    }
    result = ingest_report(_settings(store_path=store), file, given)
    typer.echo(
        f"{result.status}: {result.report_id} ({result.triples} triples) in graph <{result.graph}>"
        if result.status != "unchanged"
        else f"unchanged: {result.report_id} is already in the catalogue and the store"
    )


def _ingest_folder(
    settings: Settings, folder: Path, workers: int | None, batch: int, commit: int | None
) -> None:
    """``ingest DIR``: the bulk path, with a progress bar on a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from fazhi_graph.bulk import COMMIT, ingest_folder

    console = _stderr()
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task("ingesting", total=None)

        def advance(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"ingesting {name}")

        result = ingest_folder(
            settings,
            folder,
            workers=workers,
            batch=batch,
            commit=COMMIT if commit is None else commit,
            progress=advance,
        )
    typer.echo(
        f"{len(result.added)} added, {len(result.replaced)} replaced, "
        f"{len(result.unchanged)} unchanged, {len(result.failed)} failed; "
        f"{result.triples} triples in {result.seconds:.1f} s"
    )
    for failure in result.failed:
        typer.echo(f"error: {_one_line(Exception(failure.error))}", err=True)
    if result.failed:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- synth


@app.command()
def synth(
    reports: Annotated[int, typer.Option("--reports", "-n", help="How many reports to write.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write them to.", file_okay=False)
    ],
    seed: Annotated[int, typer.Option(help="Random seed: the same seed, the same files.")] = 0,
) -> None:
    """Write a FICTIONAL corpus of N report texts and its reports.toml, for measuring scale.

    Invented areas, years 2019-2024, varied wording and numbers; every text and catalogue
    entry is marked fictional. Ingest it with `fazhi-graph ingest DIR`.
    """
    from fazhi_graph.synth import write_corpus

    written = write_corpus(out, reports, seed=seed)
    typer.echo(f"wrote {len(written)} fictional reports and reports.toml to {out}")


# --------------------------------------------------------------------------- query
# The ``query`` command lives in fazhi_graph.web.cli_query (saved queries and result formats in
# fazhi_graph.sparql); it is registered here like any other command.


def _register_query() -> None:
    from fazhi_graph.web.cli_query import query_command

    app.command("query")(query_command)


_register_query()


def main() -> None:
    """Entry point of the ``fazhi-graph`` script."""
    # The last garbage collection at interpreter exit walks every object still alive (the
    # pinyin dictionaries alone hold a million): ~0.2 s of a 3 s build for nothing, since the
    # process ends anyway. Freezing them first skips that walk; nothing else changes.
    atexit.register(gc.freeze)
    app(prog_name="fazhi-graph")


if __name__ == "__main__":
    main()
