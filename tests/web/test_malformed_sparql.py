"""A corpus of malformed SPARQL: every item gets a 4xx in the JSON error shape, never a 5xx.

Each text is sent three ways (GET ``?query=``, a form POST, an ``application/sparql-query``
POST); byte-level damage (invalid UTF-8, NUL bytes, oversized bodies) is sent as bytes. The
limits are the small ones of ``conftest.small_settings`` (5,000 characters, 20,000 bytes), so
the "1 MB" items are far over them, as a 1 MB query is over the default 1,000,000 bytes.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from .conftest import TestClient

MB = 1_048_576
POSITION = re.compile(r"\d+:\d+")

# (name, query text, expected status, what the message must say)
CORPUS: list[tuple[str, str, int, str]] = [
    ("unclosed brace", "SELECT * WHERE { ?s ?p ?o", 400, "1:26"),
    ("extra brace", "SELECT * WHERE { ?s ?p ?o }}", 400, "1:29"),
    ("unbalanced parenthesis", "SELECT * WHERE { FILTER((1 = 1) }", 400, "does not parse"),
    ("unknown prefix", "SELECT * WHERE { ?s nope:p ?o }", 400, "Prefix not found"),
    ("prefix without colon", "PREFIX ex <http://x/> ASK {}", 400, "does not parse"),
    ("invalid IRI", "ASK { <http://x y> ?p ?o }", 400, "IRI"),
    ("relative prefix IRI", "PREFIX : <not an iri> ASK {}", 400, "IRI"),
    ("unterminated huge literal", 'ASK { ?s ?p "' + "x" * 4900 + " }", 400, "does not parse"),
    ("unterminated long literal", 'ASK { ?s ?p """abc }', 400, "does not parse"),
    ("lone surrogate escape", 'ASK { FILTER("\\uD800" = 1) }', 400, "does not parse"),
    ("bad escape", 'ASK { FILTER("\\q" = 1) }', 400, "does not parse"),
    ("NUL byte at the end", "ASK {}\x00", 400, "1:8"),
    ("NUL bytes only", "\x00" * 64, 400, "does not parse"),
    ("control characters", "ASK {\x01\x02\x1b[31m}", 400, "does not parse"),
    ("two queries", "ASK {} ASK {}", 400, "does not parse"),
    ("update sent as a query", "INSERT DATA { <a:b> <a:c> <a:d> }", 400, "does not parse"),
    ("variable bound twice", "SELECT ?x WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }", 400, ""),
    ("ungrouped variable", "SELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?o }", 400, "unbound"),
    ("negative limit", "SELECT * WHERE { ?s ?p ?o } LIMIT -1", 400, "does not parse"),
    ("empty expression", "ASK { FILTER(?x = ) }", 400, "does not parse"),
    ("keyword only", "SELECT", 400, "1:7"),
    ("trailing ORDER BY", "SELECT * { ?s ?p ?o } ORDER BY", 400, "does not parse"),
    ("broken CONSTRUCT template", "CONSTRUCT { ?s ?p } WHERE {}", 400, "does not parse"),
    ("replacement character", "ASK {\ufffd}", 400, "does not parse"),
    ("right-to-left override", "ASK { ?s ?p \u202e?o }", 400, "does not parse"),
    ("deep brace nesting", "ASK " + "{" * 200 + "}" * 200, 400, "nests brackets"),
    ("deep parenthesis nesting", "ASK { FILTER(" + "(" * 300 + "1" + ")" * 300 + ") }", 400,
     "nests brackets"),
    ("deep collection nesting", "ASK { ?s ?p " + "(" * 100 + ")" * 100 + " }", 400,
     "nests brackets"),
    ("deep nesting unbalanced", "SELECT * WHERE " + "{" * 2000, 400, "nests brackets"),
    ("SERVICE", "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 400,
     "SERVICE"),
    ("only whitespace", " \n\t ", 400, "empty"),
]


def _send(client: TestClient, how: str, text: str) -> Any:
    if how == "get":
        return client.get("/sparql", params={"query": text})
    if how == "form":
        return client.post("/sparql", data={"query": text})
    return client.post("/sparql", content=text.encode("utf-8"),
                       headers={"Content-Type": "application/sparql-query"})


def assert_json_4xx(response: Any, status: int | tuple[int, ...], says: str = "") -> str:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body == {"ok": False, "error": body["error"], "status": response.status_code}
    message: str = body["error"]
    assert len(message) > 15 and says in message, message
    return message


@pytest.mark.parametrize("how", ["get", "form", "direct"])
@pytest.mark.parametrize(("name", "text", "status", "says"), CORPUS, ids=[c[0] for c in CORPUS])
def test_malformed_query_gets_a_4xx_with_a_useful_message(
    client: TestClient, how: str, name: str, text: str, status: int, says: str
) -> None:
    message = assert_json_4xx(_send(client, how, text), status, says)
    if "does not parse" in message:
        assert POSITION.search(message), message  # the parser's line and column


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_a_huge_literal_is_over_the_length_limit(client: TestClient, how: str) -> None:
    text = 'ASK { ?s ?p "' + "x" * 6000 + '" }'
    assert_json_4xx(_send(client, how, text), 414 if how == "get" else 413, "over the limit")


def test_one_megabyte_queries(client: TestClient) -> None:
    big = "ASK {} #" + "x" * MB
    assert_json_4xx(
        client.post("/sparql", content=big.encode(),
                    headers={"Content-Type": "application/sparql-query"}),
        413, "over the limit",
    )
    assert_json_4xx(client.post("/sparql", data={"query": big}), 413, "over the limit")
    long_get = "ASK {} #" + "x" * 60_000  # a 1 MB URL is refused by the server: see
    assert_json_4xx(client.get("/sparql", params={"query": long_get}), 414, "over the limit")
    # test_server_limits.py::test_many_headers_and_a_huge_url_get_431
    chunks = (b"ASK {} #" + b"x" * 65536 for _ in range(16))  # chunked, no Content-Length
    assert_json_4xx(
        client.post("/sparql", content=chunks,
                    headers={"Content-Type": "application/sparql-query"}),
        413, "over the limit",
    )


@pytest.mark.parametrize(
    ("content_type", "body", "says"),
    [
        ("application/sparql-query", b"ASK {\xff\xfe}", "not valid UTF-8"),
        ("application/sparql-query", b"\xc3\x28 ASK {}", "not valid UTF-8"),
        ("application/sparql-query", b"ASK {} \xed\xa0\x80", "not valid UTF-8"),  # surrogate
        ("application/x-www-form-urlencoded", b"query=ASK%20%7B%FF%7D", "cannot be decoded"),
        ("application/x-www-form-urlencoded", b"query=ASK \xff {}", "not valid UTF-8"),
        ("application/x-www-form-urlencoded", b"query=%ZZ", "does not parse"),
        ("application/x-www-form-urlencoded", b"quer=ASK%7B%7D", "no query="),
        ("application/sparql-query", b"\x00" * 1000, "does not parse"),
        ("application/sparql-query; charset=latin-1", b"ASK {}", "charset"),
        ("application/json", b'{"query": "ASK {}"}', "not a SPARQL request body"),
    ],
)
def test_bad_bodies(client: TestClient, content_type: str, body: bytes, says: str) -> None:
    response = client.post("/sparql", content=body, headers={"Content-Type": content_type})
    assert_json_4xx(response, (400, 415), says)


@pytest.mark.parametrize(
    "raw_query", ["ASK%20%7B%FF%7D", "ASK%20%7B%7D%00", "%C0%AF", "%ED%A0%80", "%", "%%%"]
)
def test_bad_bytes_in_the_url(client: TestClient, raw_query: str) -> None:
    assert_json_4xx(client.get(f"/sparql?query={raw_query}"), 400)


@pytest.mark.parametrize(
    "params",
    [
        {"query": "ASK {}", "default-graph-uri": "not an iri"},
        {"query": "ASK {}", "named-graph-uri": "http://x y"},
        {"query": "ASK {}", "max-rows": "NaN"},
        {"query": "ASK {}", "max-rows": "1e999"},
        {"query": "ASK {}", "timeout": "-inf"},
        {"query": "ASK {}", "timeout": "nan"},
        {"query": "ASK {}", "format": "../../etc/passwd"},
        {"update": "DROP ALL"},
    ],
)
def test_bad_parameters(client: TestClient, params: dict[str, str]) -> None:
    assert_json_4xx(client.get("/sparql", params=params), 400)


@pytest.mark.parametrize(
    "text",
    ['ASK { ?s ?p "a\x00b" }', "ASK { ?s ?p 1e99999999 }", 'ASK { ?s ?p "' + "长" * 1000 + '" }',
     "ASK { FILTER(" + "!" * 500 + "true) }", "ASK { " + " UNION ".join(["{}"] * 300) + " }"],
)
def test_odd_but_well_formed_queries_are_answered(client: TestClient, text: str) -> None:
    # a NUL in a string literal, a float overflow, long literals and chains are valid SPARQL
    assert _send(client, "direct", text).status_code == 200


def test_the_endpoint_still_answers_after_the_corpus(client: TestClient) -> None:
    assert client.get("/sparql", params={"query": "ASK {}"}).json() == {
        "head": {}, "boolean": True,
    }
