"""schemathesis against the app's own OpenAPI description: no 5xx, responses as described.

Every operation of ``/openapi.json`` (the explorer's pages and APIs, ``/sparql``, ``/store``)
gets generated requests, valid and invalid; each answer must not be a server error and must
conform to the description (status, content type, body schema). The app runs in-process over
a store with the ontology, the vocabularies and one real report.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from fazhi_graph.store import Store, open_store
from fazhi_graph.web.app import create_app
from fazhi_graph.web.executor import WorkerSpec

from .conftest import small_settings

EXAMPLES = 12 * int(os.environ.get("FAZHI_FUZZ_SCALE", "1"))
"""Generated requests per operation (``FAZHI_FUZZ_SCALE`` multiplies it for a long run)."""


@pytest.fixture(scope="module")
def fuzz_store() -> Iterator[Store]:
    from pathlib import Path

    from fazhi_graph.pipeline import catalogue, report_graph, schema_graphs

    root = Path(__file__).resolve().parents[2]
    store = open_store(backend="memory")
    for name, graph in schema_graphs():
        store.replace_graph(name, graph)
    entry = catalogue(root)[0]
    store.replace_graph(*report_graph(root / "data" / "reports" / str(entry["file"]), entry))
    yield store
    store.close()


@pytest.fixture(scope="module")
def api(fuzz_store: Store) -> Iterator[Any]:
    app = create_app(fuzz_store, small_settings(rate_limit=0),
                     workers=[WorkerSpec("fork", 1, 2)])
    yield schemathesis.openapi.from_asgi("/openapi.json", app)


CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]
"""No 5xx, and answers as described. (Not ``positive_data_acceptance``: the description types
an IRI parameter as a string, and the server rightly refuses ``*`` with a 400.)"""


def test_no_server_error_and_responses_as_described(api: Any) -> None:
    # schemathesis' pytest plugin does not run under this pytest, so each operation's
    # strategy is driven by hypothesis here; a failure names the operation and the request
    operations = [result.ok() for result in api.get_all_operations()]
    assert {"GET /sparql", "POST /sparql", "GET /store", "GET /search"} <= {
        f"{op.method.upper()} {op.path}" for op in operations
    }
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.call_and_validate(checks=CHECKS)

        check()
