"""/sparql through the TestClient: every status code, every format, awkward Accept headers."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from typing import Any

import pytest
import rdflib

from fazhi_graph.settings import Settings
from fazhi_graph.store import Store

from .conftest import (
    CARTESIAN,
    OBSERVATIONS_A,
    OBSERVATIONS_B,
    REPORT_A,
    REPORT_B,
    VOCAB,
    TestClient,
    make_client,
)

SELECT = "SELECT ?o ?v WHERE { ?o a qb:Observation ; rdf:value ?v } ORDER BY ?o"
SELECT_FEW = "SELECT ?c ?l WHERE { ?c skos:prefLabel ?l FILTER(lang(?l) = 'en') } ORDER BY ?c"
COUNT_OBS = "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation }"
ASK = "ASK { ?o a qb:Observation }"
CONSTRUCT = "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c skos:prefLabel ?l }"
DESCRIBE = "DESCRIBE <https://w3id.org/fazhi-graph/id/indicator/1>"

RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nquads",
    "text/n3": "n3",
}


def media(response: Any) -> str:
    return str(response.headers["content-type"]).split(";")[0]


def count(client: TestClient, query: str = COUNT_OBS, **params: Any) -> int:
    response = client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def assert_error(response: Any, status: int, pattern: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert media(response) == "application/json"
    body = response.json()
    assert body["ok"] is False and body["status"] == status and body["error"]
    assert re.search(pattern, body["error"]), body["error"]
    return dict(body)


# ------------------------------------------------------------------ the three ways to ask


def test_get_form_post_and_direct_post_agree(client: TestClient) -> None:
    via_get = client.get("/sparql", params={"query": SELECT_FEW})
    via_form = client.post("/sparql", data={"query": SELECT_FEW})
    via_body = client.post(
        "/sparql", content=SELECT_FEW.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    for response in (via_get, via_form, via_body):
        assert response.status_code == 200
        assert media(response) == "application/sparql-results+json"
    bodies = [r.json()["results"] for r in (via_get, via_form, via_body)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert len(bodies[0]["bindings"]) == 5


def test_default_graph_is_the_union(client: TestClient) -> None:
    assert count(client) == OBSERVATIONS_A + OBSERVATIONS_B


def test_default_graph_uri_and_named_graph_uri(client: TestClient) -> None:
    assert count(client, **{"default-graph-uri": REPORT_A}) == OBSERVATIONS_A
    assert count(client, **{"default-graph-uri": [REPORT_A, REPORT_B]}) == (
        OBSERVATIONS_A + OBSERVATIONS_B
    )
    graphs = client.get(
        "/sparql",
        params={
            "query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
            "named-graph-uri": [REPORT_B, VOCAB],
        },
    )
    found = {b["g"]["value"] for b in graphs.json()["results"]["bindings"]}
    assert found == {REPORT_B, VOCAB}
    form = client.post("/sparql", data={"query": COUNT_OBS, "default-graph-uri": REPORT_B})
    assert int(form.json()["results"]["bindings"][0]["n"]["value"]) == OBSERVATIONS_B


def test_from_and_graph_in_the_query(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{REPORT_B}> WHERE {{ ?o a qb:Observation }}"
    assert count(client, query) == OBSERVATIONS_B
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{REPORT_A}> {{ ?o a qb:Observation }} }}"
    assert count(client, query) == OBSERVATIONS_A


def test_predeclared_prefixes_and_chinese_text(client: TestClient) -> None:
    query = 'SELECT ?r WHERE { ?r a fz:AnnualReport ; rdfs:label ?l FILTER(CONTAINS(?l, "b区")) }'
    response = client.get("/sparql", params={"query": query})
    assert [b["r"]["value"] for b in response.json()["results"]["bindings"]] == [
        "https://w3id.org/fazhi-graph/id/report/b"
    ]


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize("accept", list(RESULT_TYPES))
def test_select_in_every_result_format(client: TestClient, accept: str) -> None:
    response = client.get("/sparql", params={"query": SELECT_FEW}, headers={"Accept": accept})
    assert response.status_code == 200 and media(response) == accept
    kind = RESULT_TYPES[accept]
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["c", "l"] and len(rows) == 6
    elif kind == "tsv":
        lines = response.text.splitlines()
        assert lines[0] == "?c\t?l" and len(lines) == 6
    else:
        result = rdflib.query.Result.parse(io.BytesIO(response.content), format=kind)
        assert len(list(result)) == 5


@pytest.mark.parametrize("accept", list(RESULT_TYPES))
def test_ask_in_every_result_format(client: TestClient, accept: str) -> None:
    response = client.get("/sparql", params={"query": ASK}, headers={"Accept": accept})
    assert response.status_code == 200 and media(response) == accept
    assert "true" in response.text
    assert "x-fazhi-truncated" not in response.headers


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("accept", list(GRAPH_TYPES))
def test_graph_results_in_every_format(client: TestClient, query: str, accept: str) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and media(response) == accept
    kind = GRAPH_TYPES[accept]
    data: rdflib.Graph = rdflib.Dataset() if kind in ("trig", "nquads") else rdflib.Graph()
    data.parse(data=response.content, format=kind)
    triples = sum(1 for _ in data.quads()) if isinstance(data, rdflib.Dataset) else len(data)
    assert triples == (10 if query == CONSTRUCT else 3)


@pytest.mark.parametrize(
    ("accept", "select_type", "construct_type"),
    [
        (None, "application/sparql-results+json", "text/turtle"),
        ("*/*", "application/sparql-results+json", "text/turtle"),
        ("*/*;q=0.1, text/csv", "text/csv", "text/turtle"),
        ("text/*", "text/csv", "text/turtle"),
        (
            "application/sparql-results+xml, application/rdf+xml",
            "application/sparql-results+xml",
            "application/rdf+xml",
        ),
        (
            "application/sparql-results+json,application/json,text/javascript",
            "application/sparql-results+json",
            "application/ld+json",
        ),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/sparql-results+xml",
            "application/rdf+xml",
        ),
        (
            "application/json;q=0.2, text/tab-separated-values;q=0.9, text/turtle;q=0.5",
            "text/tab-separated-values",
            "text/turtle",
        ),
        ("text/turtle;q=0, */*;q=0.5", "application/sparql-results+json", "application/n-triples"),
        (
            "APPLICATION/N-TRIPLES; charset=UTF-8, */*;q=0.1",
            "application/sparql-results+json",
            "application/n-triples",
        ),
    ],
)
def test_awkward_accept_headers(
    client: TestClient, accept: str | None, select_type: str, construct_type: str
) -> None:
    headers = {} if accept is None else {"Accept": accept}
    select = client.get("/sparql", params={"query": SELECT_FEW}, headers=headers)
    construct = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert (media(select), media(construct)) == (select_type, construct_type)


def test_no_accept_header_at_all(client: TestClient) -> None:
    request = client.build_request("GET", "/sparql", params={"query": ASK})
    del request.headers["accept"]
    response = client.send(request)
    assert response.status_code == 200 and media(response) == "application/sparql-results+json"


def test_format_parameter_overrides_accept(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": SELECT_FEW, "format": "csv"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert media(response) == "text/csv"
    response = client.get("/sparql", params={"query": CONSTRUCT, "format": "json"})
    assert media(response) == "application/ld+json"
    response = client.get(
        "/sparql", params={"query": CONSTRUCT, "format": ["rdf+xml", "application/rdf+xml"]}
    )
    assert media(response) == "application/rdf+xml"


def test_textual_types_declare_utf8(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT_FEW, "format": "tsv"})
    assert response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"


# ------------------------------------------------------------------ limits


def test_row_cap_truncates_with_header_and_json_field(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT})
    body = response.json()
    assert response.headers["x-fazhi-truncated"] == "true"
    assert response.headers["x-fazhi-row-limit"] == "50"
    assert body["truncated"] is True and len(body["results"]["bindings"]) == 50
    small = client.get("/sparql", params={"query": SELECT_FEW})
    assert small.headers["x-fazhi-truncated"] == "false" and small.json()["truncated"] is False


def test_row_cap_can_be_raised_up_to_the_maximum(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": SELECT, "max-rows": "500"})
    assert response.headers["x-fazhi-truncated"] == "false"
    assert len(response.json()["results"]["bindings"]) == OBSERVATIONS_A + OBSERVATIONS_B
    csv_rows = client.get("/sparql", params={"query": SELECT, "max-rows": "3", "format": "csv"})
    assert csv_rows.headers["x-fazhi-truncated"] == "true"
    assert len(csv_rows.text.strip().splitlines()) == 4
    assert_error(
        client.get("/sparql", params={"query": SELECT, "max-rows": "501"}), 400, "max-rows"
    )
    assert_error(client.get("/sparql", params={"query": SELECT, "max-rows": "x"}), 400)


def test_construct_is_capped_too(client: TestClient) -> None:
    query = "CONSTRUCT WHERE { ?o rdf:value ?v }"
    response = client.get("/sparql", params={"query": query, "format": "nt"})
    assert response.headers["x-fazhi-truncated"] == "true"
    assert len(response.text.strip().splitlines()) == 50


def test_413_for_an_oversized_body(client: TestClient) -> None:
    big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    assert_error(
        client.post(
            "/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}
        ),
        413,
        "limit of 20,000 bytes",
    )
    assert_error(client.post("/sparql", data={"query": big}), 413)


def test_413_and_414_for_an_overlong_query(client: TestClient) -> None:
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 6_000
    assert_error(
        client.post(
            "/sparql",
            content=long_query.encode(),
            headers={"Content-Type": "application/sparql-query"},
        ),
        413,
        "5,000",
    )
    assert_error(client.get("/sparql", params={"query": long_query}), 414, "5,000")


def test_timeout_is_503_and_the_endpoint_recovers(client: TestClient) -> None:
    started = time.monotonic()
    assert_error(
        client.get("/sparql", params={"query": CARTESIAN, "timeout": "0.5"}),
        503,
        "time limit of 0.5 s",
    )
    assert time.monotonic() - started < 30  # generous: only that it did stop
    assert count(client) == OBSERVATIONS_A + OBSERVATIONS_B


def test_other_requests_are_answered_during_a_runaway_query(client: TestClient) -> None:
    result: dict[str, Any] = {}

    def runaway() -> None:
        result["response"] = client.get("/sparql", params={"query": CARTESIAN})
        result["finished"] = time.monotonic()

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    assert (
        count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?o a qb:Observation . ?o rdf:value 3 }") == 2
    )
    answered = time.monotonic()
    thread.join(timeout=60)
    assert answered < result["finished"]
    assert result["response"].status_code == 503


def test_timeout_parameter_cannot_raise_the_limit(client: TestClient) -> None:
    assert_error(
        client.get("/sparql", params={"query": CARTESIAN, "timeout": "999"}),
        503,
        "time limit of 2 s",
    )
    assert_error(client.get("/sparql", params={"query": ASK, "timeout": "-1"}), 400, "timeout")


# ------------------------------------------------------------------ client mistakes


def test_400_syntax_error_with_line_and_column(client: TestClient) -> None:
    body = assert_error(
        client.get("/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p\n}"}),
        400,
        r"error at 3:\d+",
    )
    assert "parse" in body["error"]


def test_400_service_refused(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }"
    assert_error(client.get("/sparql", params={"query": query}), 400, "SERVICE .* refused")


@pytest.mark.parametrize(
    ("params", "pattern"),
    [
        ({"query": ""}, "empty"),
        ({"query": ASK, "default-graph-uri": "not an iri"}, "default-graph-uri"),
        ({"query": ASK, "named-graph-uri": "rel/ative"}, "named-graph-uri"),
        ({"query": ASK, "format": "html"}, "unknown format 'html'"),
        ({"update": "CLEAR ALL"}, "POST"),
        ({"query": "INSERT DATA { <http://a> <http://b> <http://c> }"}, "parse"),
    ],
)
def test_400_bad_parameters(client: TestClient, params: dict[str, str], pattern: str) -> None:
    assert_error(client.get("/sparql", params=params), 400, pattern)


def test_400_form_without_query(client: TestClient) -> None:
    assert_error(client.post("/sparql", data={"nothing": "here"}), 400, "no query=")
    assert_error(client.post("/sparql", data={"query": ASK, "update": "CLEAR ALL"}), 400, "both")


def test_400_body_not_utf8(client: TestClient) -> None:
    assert_error(
        client.post(
            "/sparql",
            content="ASK {}".encode("utf-16"),
            headers={"Content-Type": "application/sparql-query"},
        ),
        400,
        "UTF-8",
    )


def test_403_update_on_read_only_endpoint(client: TestClient) -> None:
    before = count(client)
    update = "INSERT DATA { GRAPH <http://x/g> { <http://x/s> a qb:Observation } }"
    assert_error(
        client.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        403,
        "read-only",
    )
    assert_error(client.post("/sparql", data={"update": update}), 403, "read-only")
    assert count(client) == before


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/json",
        "multipart/form-data; boundary=x",
        "application/sparql-query; charset=latin-1",
    ],
)
def test_415_unsupported_body_type(client: TestClient, content_type: str) -> None:
    assert_error(
        client.post("/sparql", content=b"ASK {}", headers={"Content-Type": content_type}), 415
    )


def test_415_missing_content_type(client: TestClient) -> None:
    request = client.build_request("POST", "/sparql", content=b"ASK {}")
    request.headers.pop("content-type", None)
    assert_error(client.send(request), 415, "Content-Type")


@pytest.mark.parametrize("accept", ["text/html", "image/png, */*;q=0"])
def test_406_when_accept_cannot_be_met(client: TestClient, accept: str) -> None:
    assert_error(
        client.get("/sparql", params={"query": ASK}, headers={"Accept": accept}),
        406,
        "application/sparql-results\\+json",
    )


def test_406_when_the_form_does_not_fit_the_accepted_type(client: TestClient) -> None:
    assert_error(
        client.get("/sparql", params={"query": ASK}, headers={"Accept": "text/turtle"}), 406, "ASK"
    )
    assert_error(
        client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"}), 406, "CONSTRUCT"
    )


def test_404_and_405_have_the_same_shape(client: TestClient) -> None:
    assert_error(client.get("/nowhere"), 404, "/sparql")
    assert_error(client.put("/sparql", content=b"x"), 405, "PUT")
    assert_error(client.delete("/sparql"), 405)


# ------------------------------------------------------------------ HTTP caching, HEAD, CORS


def test_etag_and_304(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": SELECT_FEW})
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and "Accept" in first.headers["vary"]
    again = client.get("/sparql", params={"query": SELECT_FEW}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get(
        "/sparql", params={"query": SELECT_FEW, "format": "csv"}, headers={"If-None-Match": etag}
    )
    assert other.status_code == 200 and other.headers["etag"] != etag
    assert (
        client.get(
            "/sparql", params={"query": SELECT_FEW}, headers={"If-None-Match": "*"}
        ).status_code
        == 304
    )


def test_repeated_query_comes_from_the_cache(client: TestClient) -> None:
    query = SELECT_FEW + " LIMIT 4"
    first = client.get("/sparql", params={"query": query})
    second = client.get("/sparql", params={"query": query})
    assert first.headers["x-fazhi-cache"] == "miss" and second.headers["x-fazhi-cache"] == "hit"
    assert first.content == second.content


def test_head(client: TestClient) -> None:
    response = client.head("/sparql", params={"query": SELECT_FEW})
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 0
    assert media(response) == "application/sparql-results+json"
    assert client.head("/sparql", params={"query": "SELECT nonsense"}).status_code == 400


def test_cors_for_reads(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": ASK}, headers={"Origin": "https://yasgui.example"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "X-Fazhi-Truncated" in response.headers["access-control-expose-headers"]
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    with_token = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert with_token.status_code == 400  # no cross-origin writes with credentials


def test_status_page(client: TestClient) -> None:
    status = client.get("/-/status").json()
    assert status["ok"] is True and status["read_only"] is True
    assert status["limits"]["query_timeout_s"] == 2.0
    assert {w["kind"] for w in status["executor"]["workers"]} == {"fork"}


def test_json_is_valid_even_when_truncated(client: TestClient) -> None:
    body = client.get("/sparql", params={"query": SELECT, "max-rows": 2}).content
    assert json.loads(body)["head"]["vars"] == ["o", "v"]


def test_big_answers_are_streamed_from_a_spool_file(
    monkeypatch: pytest.MonkeyPatch, memory_store: Store, web_settings: Settings
) -> None:
    """An answer over the spill size is written to a file by the worker and sent from it in
    chunks, with its length, row headers and JSON truncation field; then the file is gone."""
    from fazhi_graph.web import render

    with make_client(memory_store, web_settings) as client:
        whole = client.get("/sparql", params={"query": SELECT, "max-rows": "500"})
    monkeypatch.setattr(render, "SPILL_BYTES", 256)  # the forked workers inherit it
    with make_client(memory_store, web_settings) as client:
        spool = client.app.state.fazhi.executor._spool  # type: ignore[attr-defined]
        streamed = client.get("/sparql", params={"query": SELECT, "max-rows": "500"})
        assert streamed.status_code == 200
        assert streamed.content == whole.content and len(whole.content) > 256
        assert int(streamed.headers["content-length"]) == len(streamed.content)
        assert streamed.headers["x-fazhi-rows"] == str(OBSERVATIONS_A + OBSERVATIONS_B)
        assert streamed.json()["truncated"] is False
        capped = client.get("/sparql", params={"query": SELECT, "format": "csv"})
        assert capped.headers["x-fazhi-truncated"] == "true"
        assert len(capped.text.strip().splitlines()) == 1 + 50
        head = client.head("/sparql", params={"query": CONSTRUCT, "format": "turtle"})
        assert head.status_code == 200 and int(head.headers["content-length"]) > 256
        assert head.content == b""
        assert list(spool.iterdir()) == []
