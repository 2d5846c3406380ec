"""``fazhi-graph query``: run a saved query, a ``.rq`` file or ``-e 'SPARQL'`` on the store.

Saved queries take named parameters: ``fazhi-graph query compare-indicator --param
indicator=fzi:reply-rate --param year=2020`` (``--list`` shows each query's parameters, and
``docs/queries.md`` describes them). Values are bound as typed terms by
:func:`fazhi_graph.sparql.bind`; ``*`` leaves a parameter unbound ("every …").

A Typer command function; ``cli.py`` registers it with ``app.command("query")(query_command)``.
It raises :class:`fazhi_graph.errors.FazhiError` for every user mistake (unknown saved query,
malformed query, wrong format for the query form, missing store), which the CLI's error
handler turns into a one-line message and a non-zero exit.

``--store remote --endpoint URL`` runs the query on the dataset pushed to an external SPARQL
engine (:mod:`fazhi_graph.cli_store`, shared with ``stats``, ``export``, ``check`` and ``serve``).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from fazhi_graph.cli_store import EndpointOption, StoreOrRemoteOption, store_choice
from fazhi_graph.errors import FormatError, QueryError
from fazhi_graph.settings import Settings
from fazhi_graph.sparql import (
    OUTPUT_FORMATS,
    bind,
    load_query,
    parse_param_values,
    run_query,
    saved_queries,
)

__all__ = ["query_command"]


def query_command(
    query: Annotated[
        str | None,
        typer.Argument(help="Name of a saved query in queries/ (see --list) or a .rq file."),
    ] = None,
    expression: Annotated[
        str | None,
        typer.Option("--expression", "-e", help="The SPARQL query text itself."),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f",
            help="Output: table, csv, tsv, json (JSON-LD for graphs), turtle or ntriples "
            "(graph results).",
        ),
    ] = "table",
    store: StoreOrRemoteOption = None,
    max_rows: Annotated[
        int | None,
        typer.Option("--max-rows", help="Show at most this many rows (table and graphs)."),
    ] = None,
    list_queries: Annotated[
        bool, typer.Option("--list", help="List the saved queries and exit.")
    ] = False,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param", "-p",
            help="A query parameter as name=value (repeatable); * leaves it unbound.",
        ),
    ] = None,
    endpoint: EndpointOption = None,
) -> None:
    """Run a SPARQL query on the store (or, with --store remote, on an external engine) and
    print the result."""
    choice = store_choice(store, endpoint)
    settings = Settings.from_env(backend=choice.backend, store_path=choice.path)
    directory = settings.project_root / "queries"
    if list_queries:
        for saved in saved_queries(directory).values():
            titles = " / ".join(t for t in (saved.title_zh, saved.title_en) if t)
            params = " ".join(f"{p.name}={p.default}" for p in saved.params)
            typer.echo(f"{saved.name}\t{titles}" + (f"\t[{params}]" if params else ""))
        return
    if (query is None) == (expression is None):
        raise QueryError(
            "give exactly one query: a saved query's name or a .rq file, or -e 'SPARQL' "
            "(fazhi-graph query --list shows the saved queries)"
        )
    if output_format not in OUTPUT_FORMATS:
        raise FormatError(output_format, list(OUTPUT_FORMATS))
    values = parse_param_values(param or [])
    source = expression if expression is not None else load_query(str(query), directory)
    text = bind(source, values)
    with choice.open(settings) as opened:
        output = run_query(opened, text, fmt=output_format, max_rows=max_rows)
    sys.stdout.write(output)
