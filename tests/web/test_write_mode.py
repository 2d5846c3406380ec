"""Write mode: updates and Graph Store writes need the bearer token; data then changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rdflib

from fazhi_graph.store import open_store

from .conftest import (
    OBSERVATIONS_A,
    OBSERVATIONS_B,
    REPORT_B,
    TestClient,
    fill,
    make_client,
    small_settings,
)
from .test_sparql_endpoint import assert_error, count

TOKEN = "s3cret-token"
INSERT = (
    "PREFIX qb: <http://purl.org/linked-data/cube#> "
    "INSERT DATA { GRAPH <http://x.org/new> { <http://x.org/o1> a qb:Observation } }"
)


@pytest.fixture(scope="module")
def writable(web_graphs: list[tuple[str, rdflib.Graph]]) -> Iterator[TestClient]:
    store = fill(open_store(backend="memory"), web_graphs)
    settings = small_settings(read_only=False, write_token=TOKEN)
    with make_client(store, settings) as client:
        yield client
    store.close()


def update(client: TestClient, text: str, token: str | None = TOKEN, form: bool = False) -> object:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    if form:
        return client.post("/sparql", data={"update": text}, headers=headers)
    return client.post(
        "/sparql",
        content=text.encode(),
        headers={**headers, "Content-Type": "application/sparql-update"},
    )


def test_update_needs_the_token(writable: TestClient) -> None:
    before = count(writable)
    response = update(writable, INSERT, token=None)
    body = assert_error(response, 401, "Bearer")
    assert body["status"] == 401
    assert response.headers["www-authenticate"].startswith("Bearer")  # type: ignore[attr-defined]
    assert_error(update(writable, INSERT, token="wrong"), 403, "token")
    assert count(writable) == before


def test_update_with_token_changes_the_data_and_the_etag(writable: TestClient) -> None:
    before = writable.get(
        "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation }"}
    )
    response = update(writable, INSERT)
    assert response.status_code == 204  # type: ignore[attr-defined]
    after = writable.get(
        "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation }"}
    )
    assert int(after.json()["results"]["bindings"][0]["n"]["value"]) == (
        OBSERVATIONS_A + OBSERVATIONS_B + 1
    )
    assert after.headers["etag"] != before.headers["etag"]
    assert after.headers["x-fazhi-cache"] == "miss"


def test_update_errors(writable: TestClient) -> None:
    assert_error(update(writable, "INSERT DATA { <http://a> }"), 400, "parse")
    assert_error(update(writable, "LOAD <http://example.org/data.ttl>"), 400, "LOAD")
    assert_error(
        writable.post(
            "/sparql",
            data={"update": INSERT, "using-graph-uri": "http://g"},
            headers={"Authorization": f"Bearer {TOKEN}"},
        ),
        400,
        "using",
    )


def test_service_description_lists_update(writable: TestClient) -> None:
    assert "SPARQL11Update" in writable.get("/sparql").text


def test_graph_store_writes(writable: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    graph = "http://x.org/gsp"
    turtle = b"<http://x.org/s> <http://x.org/p> 1, 2 ."
    assert_error(
        writable.put(
            "/store",
            params={"graph": graph},
            content=turtle,
            headers={"Content-Type": "text/turtle"},
        ),
        401,
    )
    created = writable.put(
        "/store",
        params={"graph": graph},
        content=turtle,
        headers={**auth, "Content-Type": "text/turtle"},
    )
    assert created.status_code == 201
    merged = writable.post(
        "/store",
        params={"graph": graph},
        content=b'<http://x.org/s> <http://x.org/p> "3" .',
        headers={**auth, "Content-Type": "application/n-triples"},
    )
    assert merged.status_code == 204
    got = rdflib.Graph().parse(
        data=writable.get("/store", params={"graph": graph}).content, format="turtle"
    )
    assert len(got) == 3
    replaced = writable.put(
        "/store",
        params={"graph": graph},
        content=b"",
        headers={**auth, "Content-Type": "text/turtle"},
    )
    assert replaced.status_code == 204
    assert_error(
        writable.put(
            "/store",
            params={"graph": graph},
            content=b"x",
            headers={**auth, "Content-Type": "text/csv"},
        ),
        415,
    )
    assert_error(
        writable.put(
            "/store",
            params={"graph": graph},
            content=b"<a> <b",
            headers={**auth, "Content-Type": "text/turtle"},
        ),
        400,
    )
    assert writable.delete("/store", params={"graph": graph}, headers=auth).status_code == 204
    assert_error(writable.get("/store", params={"graph": graph}), 404)
    assert_error(writable.delete("/store", params={"graph": graph}, headers=auth), 404)
    assert_error(writable.delete("/store", headers=auth), 400, "which graph")


def test_form_update(writable: TestClient) -> None:
    text = f"DROP GRAPH <{REPORT_B}>"
    assert update(writable, text, form=True).status_code == 204  # type: ignore[attr-defined]
    assert (
        count(
            writable,
            "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation FILTER("
            "STRSTARTS(STR(?o), 'https://w3id.org/fazhi-graph/id/obs/b')) }",
        )
        == 0
    )
