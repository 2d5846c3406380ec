"""Build the store: extract every report, validate the whole dataset, write it atomically.

:func:`build` is what ``fazhi-graph build`` runs. It reads nothing but ``settings`` and writes
nothing but the store; if extraction or validation fails the previous store stays as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import rdflib

from fazhi_graph.errors import ValidationError
from fazhi_graph.namespaces import GRAPH
from fazhi_graph.ontology import ValidationResult
from fazhi_graph.settings import Settings
from fazhi_graph.store import BuildSummary, build_store

Progress = Callable[[str], None]
"""Receives a one-line description of the step starting now."""


def data(settings: Settings, *, progress: Progress | None = None) -> list[tuple[str, rdflib.Graph]]:
    """Extract the data graphs (curated names, one per report) from ``settings.project_root``.

    Raises the pipeline's errors (:class:`~fazhi_graph.errors.ReportFileError`,
    :class:`~fazhi_graph.errors.OffGenreError`, :class:`~fazhi_graph.errors.CatalogueError`...).
    """
    from fazhi_graph.pipeline import data_graphs

    _say(progress, f"extracting reports in {settings.project_root / 'data' / 'reports'}")
    return data_graphs(settings.project_root)


_SCHEMA_GRAPHS = {str(GRAPH["ontology"]), str(GRAPH["vocab"]), str(GRAPH["shapes"])}


def union(graphs: list[tuple[str, rdflib.Graph]]) -> rdflib.Graph:
    """Merge the data graphs (reports, curated) into one graph: what SHACL validates.

    The ontology, vocabularies and shapes are left out: validation reads them alongside the
    data, and their own conformance is checked by the test suite, not on every build.
    """
    merged = rdflib.Graph()
    for name, graph in graphs:
        if name not in _SCHEMA_GRAPHS:
            merged += graph
    return merged


def require_conformance(result: ValidationResult) -> None:
    """Raise :class:`ValidationError` unless ``result`` conforms.

    The message counts the violations and names the first; ``report_text`` holds the whole
    readable report.
    """
    if result.conforms:
        return
    violations = [r for r in result.results if r[-1] == "Violation"] or list(result.results)
    focus, path, message = (violations[0][:3]) if violations else ("", "", "")
    first = f"{focus} {path}: {message}".strip()
    raise ValidationError(
        f"the dataset does not conform to the SHACL shapes: {len(violations)} violation(s), "
        f"first: {first}; run `fazhi-graph validate` for the full report",
        report_text=result.text,
    )


def build(settings: Settings, *, progress: Progress | None = None) -> BuildSummary:
    """Extract, validate and store the dataset at ``settings.store_path``.

    Validation runs beside the rest on a second core (a :class:`ValidationWorker` prepares it
    while the reports are extracted, then checks the data while the findings are computed and
    the new store is written). Holds the store's writer lock and first repairs an interrupted
    ingest (:func:`fazhi_graph.journal.recover`). The new store replaces the old one only
    when extraction, validation and writing all succeed (see
    :func:`fazhi_graph.store.build_store`): a dataset that does not conform raises
    :class:`ValidationError` and the old store stays as it was.
    """
    from fazhi_graph.journal import recover
    from fazhi_graph.pipeline import schema_graphs
    from fazhi_graph.storedir import writer_lock
    from fazhi_graph.validation_worker import ValidationWorker

    with writer_lock(settings.store_path), ValidationWorker() as worker:
        recover(settings)  # an ingest that was interrupted: finish or undo it first
        extracted = data(settings, progress=progress)
        merged = union(extracted)
        _say(progress, f"validating {len(merged)} triples against the SHACL shapes")
        verdict = worker.submit(merged)
        graphs = [*schema_graphs(copy=False), *extracted]  # read only

        def complete() -> Iterator[tuple[str, rdflib.Graph]]:
            yield from graphs
            checks = findings(graphs, progress=progress)
            if len(checks[1]):
                yield checks
            require_conformance(verdict())

        _say(progress, f"writing the store at {settings.store_path}")
        return build_store(settings.store_path, complete(), progress=progress)


def findings(
    graphs: list[tuple[str, rdflib.Graph]], *, progress: Progress | None = None
) -> tuple[str, rdflib.Graph]:
    """The consistency findings of the dataset as the named graph ``fzg:checks``.

    Computed on an in-memory copy before the store is written, so a build writes the store
    once and the findings are there for the dashboard and for queries (no findings, no graph).
    """
    from fazhi_graph.checks import CHECKS_GRAPH, findings_graph, run_checks
    from fazhi_graph.store import open_store

    _say(progress, "running the consistency checks")
    with open_store(backend="memory") as scratch:
        for name, graph in graphs:
            scratch.replace_graph(name, graph)
        return CHECKS_GRAPH, findings_graph(run_checks(scratch))


def _say(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)
