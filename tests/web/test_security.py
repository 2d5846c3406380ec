"""Abuse and security: writes, outgoing connections, escaping, CSP, path traversal, rate limit.

In-process tests over a real store (the application from ``create_app`` with its query
workers); the server-level limits (header size, slow clients) are in
``test_server_limits.py`` against a real ``fazhi-graph serve`` process.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, SKOS

from fazhi_graph.extract import extract
from fazhi_graph.facts import Facts
from fazhi_graph.namespaces import DATA, FZ, GRAPH
from fazhi_graph.pipeline import schema_graphs
from fazhi_graph.rdf import to_graph
from fazhi_graph.report import meta_for
from fazhi_graph.store import Store, open_store
from fazhi_graph.web.errors import ServerConfigError
from fazhi_graph.web.headers import CONTENT_SECURITY_POLICY
from fazhi_graph.web.ratelimit import TokenBuckets
from fazhi_graph.web.server import check_settings

from .conftest import TestClient, make_client, small_settings

TOKEN = "s3cret-write-token"
TITLE = "清河区人民政府关于2021年度法治政府建设情况的报告\n\n"
BODY = (
    "一、主要举措和成效\n（一）推进<script>alert('body')</script>依法行政。全年办理行政复议案件"
    "128件，出台《<img src=x onerror=alert(1)>管理办法》。\"><svg onload=alert(2)>局召开会议3次。\n"
    "二、存在的问题\n一是</textarea><script>alert(3)</script>法治意识有待提高。\n"
    "三、下一步安排\n一是加强法治政府建设，推进依法行政。\n"
)
TEXT = TITLE + BODY + "我区坚持依法行政，推进法治政府建设，各项工作取得新进展。\n" * 6
CRAFTED = DATA["body/crafted"]
CRAFTED_LABEL = '"><script>alert("label")</script><img src=x onerror=alert(4)>'
EVIL_IRI = "javascript:alert(5)"


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def crafted_facts() -> Facts:
    return extract(TEXT, meta_for(TEXT, "crafted.txt", {}))


@pytest.fixture(scope="module")
def crafted_store(crafted_facts: Facts) -> Iterator[Store]:
    """The ontology, the vocabularies and one report whose text and labels carry markup."""
    store = open_store(backend="memory")
    for name, graph in schema_graphs():
        store.replace_graph(name, graph)
    graph = to_graph(crafted_facts)
    graph.add((CRAFTED, RDF.type, FZ.PublicBody))
    graph.add((CRAFTED, RDFS.label, rdflib.Literal(CRAFTED_LABEL, lang="zh")))
    graph.add((CRAFTED, SKOS.prefLabel, rdflib.Literal(CRAFTED_LABEL, lang="en")))
    graph.add((CRAFTED, RDFS.seeAlso, rdflib.URIRef(EVIL_IRI)))
    store.replace_graph(str(GRAPH[f"report/{crafted_facts.meta.report_id}"]), graph)
    yield store
    store.close()


@pytest.fixture(scope="module")
def site(crafted_store: Store) -> Iterator[TestClient]:
    with make_client(crafted_store, small_settings()) as client:
        yield client


@pytest.fixture(scope="module")
def writable(crafted_store: Store) -> Iterator[TestClient]:
    settings = small_settings(read_only=False, write_token=TOKEN)
    with make_client(crafted_store, settings) as client:
        yield client


class Listener:
    """A TCP socket on loopback that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = int(self.sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    self.connections.append(conn.recv(4096) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    probe = Listener()
    yield probe
    probe.close()


# --------------------------------------------------------------------------- helpers


class _Markup(HTMLParser):
    """Collects what could run in a page: scripts, event handlers, javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append(values)
            src, kind = values.get("src"), values.get("type")
            if not (src and src.startswith("/static/")) and kind != "application/json":
                self.problems.append(f"inline or foreign script {values}")
        if tag in ("iframe", "object", "embed", "svg", "base"):
            self.problems.append(f"<{tag}> in the page")
        if tag in ("img", "script") and values.get("src"):
            self.loads.append(str(values["src"]))
        if tag == "link" and values.get("href") and values.get("rel") in ("stylesheet", "icon"):
            self.loads.append(str(values["href"]))
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name in ("href", "src", "action", "formaction") and value and (
                value.strip().lower().startswith(("javascript:", "data:text"))
            ):
                self.problems.append(f"{name}={value!r} on <{tag}>")


def assert_inert(html: str) -> _Markup:
    """The page runs only our own script files, has no handlers and loads nothing foreign."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    assert not parser.problems, parser.problems
    assert all(url.startswith("/") and not url.startswith("//") for url in parser.loads), (
        parser.loads
    )
    return parser


def html(client: TestClient, url: str, **params: str) -> str:
    response = client.get(url, params=params or None, headers={"Accept": "text/html"})
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    return response.text


def assert_json_error(response: Any, *statuses: int) -> dict[str, Any]:
    assert response.status_code in statuses, (response.status_code, response.text[:300])
    body: dict[str, Any] = response.json()
    assert body["ok"] is False and body["status"] == response.status_code
    assert isinstance(body["error"], str) and len(body["error"]) > 20
    return body


# --------------------------------------------------------------------------- escaping, CSP


def test_report_reader_renders_markup_in_the_text_inert(
    site: TestClient, crafted_facts: Facts
) -> None:
    page = html(site, f"/reports/{crafted_facts.meta.report_id}")
    assert_inert(page)
    assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in page
    assert "&lt;/textarea&gt;&lt;script&gt;alert(3)" in page
    assert "<script>alert" not in page and "<img src=x" not in page


def test_entity_pages_escape_crafted_labels(site: TestClient, crafted_facts: Facts) -> None:
    document = crafted_facts.documents[0]
    assert document.title.startswith("<img src=x onerror=")
    doc_page = html(site, f"/id/doc/{document.key}")
    assert_inert(doc_page)
    assert "&lt;img src=x onerror=alert(1)&gt;管理办法" in doc_page
    crafted = html(site, "/id/body/crafted")
    parser = assert_inert(crafted)
    assert "&lt;script&gt;alert(&#34;label&#34;)" in crafted or "&lt;script&gt;alert(" in crafted
    assert not [s for s in parser.scripts if "alert" in str(s)]
    assert 'href="javascript:' not in crafted.lower()


def test_search_escapes_the_query_and_the_hits(site: TestClient) -> None:
    for q in ("<script>alert(6)</script>", "管理办法", "script", "crafted", '"><img src=x>'):
        page = html(site, "/search", q=q)
        assert_inert(page)
        assert "<script>alert" not in page and "<img src=x" not in page
    hits = site.get("/search.json", params={"q": "管理办法"}).json()
    assert hits["ok"] is True


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/query", {"query": "</script><script>alert(7)</script>"}),
        ("/graph", {"focus": "https://w3id.org/fazhi-graph/id/body/crafted"}),
        ("/graph", {"focus": "</script><script>alert(8)</script>"}),
        ("/metrics", {"report": "<script>alert(9)</script>"}),
        ("/", {"lang": "<script>alert(10)</script>"}),
    ],
)
def test_pages_escape_url_parameters(site: TestClient, url: str, params: dict[str, str]) -> None:
    response = site.get(url, params=params, headers={"Accept": "text/html"})
    assert response.status_code < 500
    if response.headers["content-type"].startswith("text/html"):
        assert_inert(response.text)
        assert "<script>alert" not in response.text


def test_error_pages_escape_the_path(site: TestClient) -> None:
    response = site.get("/id/<script>alert(11)</script>", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert_inert(response.text)
    assert "<script>alert" not in response.text


def test_content_security_policy_allows_no_other_origin() -> None:
    directives = dict(
        (part.split(" ", 1)[0], part.split(" ", 1)[1].split())
        for part in CONTENT_SECURITY_POLICY.split("; ")
    )
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]  # no inline script, no eval
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    allowed = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}
    for name, sources in directives.items():
        assert set(sources) <= allowed, (name, sources)
    assert "'unsafe-inline'" in directives["style-src"]  # styles only: they cannot run code


@pytest.mark.parametrize(
    "url", ["/", "/reports", "/search?q=x", "/sparql?query=ASK%7B%7D", "/static/css/site.css",
            "/no-such-page", "/store?graph=http://x.org/nothing"],
)
def test_every_response_has_the_security_headers(site: TestClient, url: str) -> None:
    response = site.get(url)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


# --------------------------------------------------------------------------- path traversal

TRAVERSALS = [
    "/static/%2e%2e/%2e%2e/settings.py",
    "/static/..%2f..%2fsettings.py",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/....//....//settings.py",
    "/static/%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/..%5c..%5csettings.py",
    "/static/css/..%00/../../app.py",
    "/reports/..%2f..%2f..%2fetc%2fpasswd",
    "/reports/%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/reports/%2e%2e",
    "/id/..%2f..%2f..%2fetc%2fpasswd",
    "/graph/..%2f..%2fpyproject.toml",
    "/query/saved/..%2f..%2fpyproject.rq",
    "/ontology.%2e%2e%2fpyproject",
    "/resource?iri=file:///etc/passwd",
    "/resource.ttl?iri=file:///etc/passwd",
    "/store?graph=file:///etc/passwd",
    "/api/graph/export?format=../../etc/passwd",
    "/metrics.csv?report=../../etc/passwd",
]
SECRETS = ("root:x:0:0", "[build-system]", "def create_app", "class Settings")


@pytest.mark.parametrize("url", TRAVERSALS)
def test_path_traversal_is_refused(site: TestClient, url: str) -> None:
    method = "POST" if url.startswith("/api/graph/export") else "GET"
    response = site.request(method, url, content=b"{}" if method == "POST" else None)
    assert response.status_code in (200, 400, 404, 405, 406, 422), response.status_code
    assert not any(secret in response.text for secret in SECRETS)
    if response.status_code == 200:  # an empty answer about an IRI, never a file's content
        assert url.startswith(("/store", "/metrics.csv")), url


# --------------------------------------------------------------------------- writes


DIRECT = {"Content-Type": "application/sparql-update"}


@pytest.mark.parametrize("auth", [None, f"Bearer {TOKEN}"])
def test_read_only_refuses_every_write(site: TestClient, auth: str | None) -> None:
    headers = {} if auth is None else {"Authorization": auth}
    turtle = {"Content-Type": "text/turtle", **headers}
    data = b"<http://x.org/s> <http://x.org/p> <http://x.org/o> ."
    for response in (
        site.post("/sparql", content=b"DROP ALL", headers={**DIRECT, **headers}),
        site.post("/sparql", data={"update": "CLEAR ALL"}, headers=headers),
        site.post("/sparql", content=b"LOAD <file:///etc/passwd>", headers={**DIRECT, **headers}),
        site.put("/store?graph=http://x.org/g", content=data, headers=turtle),
        site.post("/store?graph=http://x.org/g", content=data, headers=turtle),
        site.delete("/store?graph=http://x.org/g", headers=headers),
    ):
        assert_json_error(response, 403)
    assert_json_error(site.get("/sparql", params={"update": "DROP ALL"}), 400)
    count = site.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert int(count.json()["results"]["bindings"][0]["n"]["value"]) > 1000


def test_write_mode_needs_the_token(writable: TestClient) -> None:
    insert = b"INSERT DATA { GRAPH <http://x.org/g> { <http://x.org/s> <http://x.org/p> 1 } }"
    assert_json_error(writable.post("/sparql", content=insert, headers=DIRECT), 401)
    wrong = {**DIRECT, "Authorization": "Bearer not-the-token"}
    assert_json_error(writable.post("/sparql", content=insert, headers=wrong), 403)
    assert_json_error(
        writable.put("/store?graph=http://x.org/g", content=b"",
                     headers={"Content-Type": "text/turtle"}), 401
    )


@pytest.mark.parametrize(
    "update",
    ["LOAD <file:///etc/passwd>", "LOAD <file:///etc/passwd> INTO GRAPH <http://x.org/g>",
     "LOAD SILENT </etc/passwd>", "BASE <file:///etc/> LOAD <passwd>",
     "PREFIX f: <file:///etc/> LOAD f:passwd"],
)
def test_no_file_access_even_with_the_token(writable: TestClient, update: str) -> None:
    headers = {**DIRECT, "Authorization": f"Bearer {TOKEN}"}
    body = assert_json_error(writable.post("/sparql", content=update.encode(), headers=headers),
                             400)
    assert "LOAD" in body["error"]


def test_writes_without_a_configured_token_are_refused(crafted_store: Store) -> None:
    settings = small_settings(read_only=False)
    with make_client(crafted_store, settings) as client:
        body = assert_json_error(client.post("/sparql", content=b"CLEAR ALL", headers=DIRECT),
                                 403)
        assert "FAZHI_WRITE_TOKEN" in body["error"]
    for host in ("127.0.0.1", "0.0.0.0", "localhost"):
        with pytest.raises(ServerConfigError, match="FAZHI_WRITE_TOKEN"):
            check_settings(small_settings(read_only=False, host=host))
    check_settings(small_settings(read_only=False, write_token=TOKEN, host="0.0.0.0"))


# --------------------------------------------------------------------------- no outgoing


def _outgoing_attempts(url: str) -> list[tuple[str, str, dict[str, Any]]]:
    host = url.rstrip("/")
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE <http\\u003A//{host[7:]}/> {{ ?s ?p ?o }} }}",
        f"PREFIX r: <{url}> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
        f"BASE <{url}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"DESCRIBE <{url}>",
        f"SELECT * WHERE {{ <{url}> ?p ?o }}",
        f"ASK {{ FILTER(IRI('{url}') = <{url}>) }}",
    ]
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/sparql", {"params": {"query": q}}) for q in queries
    ]
    attempts += [
        ("GET", "/sparql", {"params": {"query": "ASK {}", "default-graph-uri": url}}),
        ("GET", "/sparql", {"params": {"query": "ASK {}", "named-graph-uri": url}}),
        ("GET", "/store", {"params": {"graph": url}}),
        ("GET", "/resource", {"params": {"iri": url}}),
        ("GET", "/graph", {"params": {"focus": url}}),
        ("GET", "/api/graph/neighbours", {"params": {"iri": url}}),
        ("POST", "/api/graph/export", {"json": {"nodes": [url], "edges": []}}),
    ]
    return attempts


def test_no_request_makes_an_outgoing_connection(
    site: TestClient, writable: TestClient, listener: Listener
) -> None:
    url = listener.url
    for method, path, kwargs in _outgoing_attempts(url):
        response = site.request(method, path, **kwargs)
        assert response.status_code < 500, (path, kwargs, response.text[:300])
    auth = {"Authorization": f"Bearer {TOKEN}"}
    rdfxml = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "{url}x">]>'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:x="http://x.org/"><rdf:Description rdf:about="http://x.org/s">'
        "<x:p>&e;</x:p></rdf:Description></rdf:RDF>"
    )
    jsonld = f'{{"@context": "{url}context.jsonld", "@id": "http://x.org/s", "p": 1}}'
    writes = [
        ("POST", "/sparql", {"content": f"LOAD <{url}data.ttl>".encode(),
                             "headers": {**DIRECT, **auth}}),
        ("POST", "/sparql", {"data": {"update": f"LOAD SILENT <{url}>"}, "headers": auth}),
        ("POST", "/sparql", {"content": (
            f"INSERT {{ <http://x.org/s> <http://x.org/p> ?o }} WHERE "
            f"{{ SERVICE <{url}> {{ ?s ?p ?o }} }}").encode(), "headers": {**DIRECT, **auth}}),
        ("PUT", "/store?graph=http://x.org/xml", {
            "content": rdfxml.encode(),
            "headers": {"Content-Type": "application/rdf+xml", **auth}}),
        ("PUT", "/store?graph=http://x.org/ld", {
            "content": jsonld.encode(),
            "headers": {"Content-Type": "application/ld+json", **auth}}),
    ]
    for method, path, kwargs in writes:
        response = writable.request(method, path, **kwargs)
        assert response.status_code < 500, (path, response.text[:300])
    time.sleep(0.5)
    assert listener.connections == []


def test_the_probe_sees_the_engine_connect_when_nothing_guards_it(listener: Listener) -> None:
    # without the endpoint's guard, Oxigraph itself calls out: the probe would notice
    import pyoxigraph as ox

    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"))
    deadline = time.monotonic() + 5
    while not listener.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert listener.connections and listener.connections[0].startswith(b"POST")


# --------------------------------------------------------------------------- rate limit


def _limited_client(store: Store, address: str, **overrides: Any) -> TestClient:
    from fazhi_graph.web.app import create_app
    from fazhi_graph.web.executor import WorkerSpec

    settings = small_settings(**{"rate_limit": 1.0, "rate_burst": 3, **overrides})
    app = create_app(store, settings, workers=[WorkerSpec("fork", 1, 1)])
    return TestClient(app, client=(address, 40000))


def test_rate_limit_answers_429_with_retry_after(crafted_store: Store) -> None:
    with _limited_client(crafted_store, "203.0.113.9") as client:
        codes = [client.get("/sparql", params={"query": "ASK {}"}).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        refused = client.get("/sparql", params={"query": "ASK {}"},
                             headers={"Origin": "http://example.org"})
        body = assert_json_error(refused, 429)
        assert int(refused.headers["retry-after"]) >= 1
        assert "203.0.113.9" in body["error"] and "per second" in body["error"]
        assert refused.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        # a script on another origin can read the answer and when to retry
        assert refused.headers["access-control-allow-origin"] == "*"
        assert "retry-after" in refused.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize(
    ("address", "overrides", "limited"),
    [
        ("127.0.0.1", {}, False),
        ("::1", {}, False),
        ("127.0.0.1", {"rate_limit_loopback": True}, True),
        ("198.51.100.7", {"rate_limit": 0}, False),
        ("2001:db8::1", {}, True),
    ],
)
def test_who_is_limited(crafted_store: Store, address: str, overrides: dict[str, Any],
                        limited: bool) -> None:
    with _limited_client(crafted_store, address, **overrides) as client:
        codes = {client.get("/static/css/site.css").status_code for _ in range(8)}
    assert (429 in codes) is limited, codes


def test_token_buckets_refill_and_forget() -> None:
    buckets = TokenBuckets(rate=2.0, burst=2, max_keys=3)
    assert [buckets.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.5]
    assert buckets.take("a", now=0.5) == 0.0  # refilled one token in half a second
    for key in "bcde":
        buckets.take(key, now=1.0)
    assert len(buckets) == 3  # bounded: the oldest clients are forgotten


def test_rate_limit_settings_from_the_environment() -> None:
    from fazhi_graph.settings import Settings

    settings = Settings.from_env({"FAZHI_RATE_LIMIT": "2.5", "FAZHI_RATE_BURST": "7"})
    assert (settings.rate_limit, settings.rate_burst) == (2.5, 7)
    assert Settings.from_env({"FAZHI_RATE_LIMIT": "0"}, rate_limit=4).rate_limit == 4
    with pytest.raises(ValueError, match="FAZHI_RATE_LIMIT"):
        Settings.from_env({"FAZHI_RATE_LIMIT": "fast"})
