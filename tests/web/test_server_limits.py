"""Server-level limits of a real ``fazhi-graph serve`` process on loopback, over raw sockets.

Slow clients (slowloris headers, a silent connection, a dribbled body) get 408 and are
disconnected; an oversized request head gets 431; the rate limit applies to the address a
trusted proxy forwards; raw ``..`` paths never reach a file outside the static folder. The
server keeps answering other clients throughout.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import rdflib

from fazhi_graph.store import build_store
from fazhi_graph.web.headers import CONTENT_SECURITY_POLICY
from tests.loopback import free_port

pytestmark = pytest.mark.slow

READ_TIMEOUT = 1.5
BURST = 5
WAIT_LIMIT = 20.0
"""Longest a test waits for the server to act before it fails (never a timing assertion)."""


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, web_graphs: list[tuple[str, rdflib.Graph]]
) -> Iterator[tuple[str, int]]:
    """``fazhi-graph serve`` on a free loopback port with short limits; always stopped."""
    folder = tmp_path_factory.mktemp("limits")
    store = folder / "store"
    build_store(store, web_graphs)
    port = free_port()
    command = Path(sys.executable).parent / "fazhi-graph"
    env = {**os.environ, "FAZHI_WRITE_TOKEN": "", "FAZHI_RATE_LIMIT": "", "FAZHI_RATE_BURST": ""}
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        [str(command), "serve", "--store", str(store), "--port", str(port), "--on-disk",
         "--timeout", "5", "--read-timeout", str(READ_TIMEOUT),
         "--rate-limit", "0.5", "--rate-burst", str(BURST)],
        stdout=log, stderr=subprocess.STDOUT, env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError((folder / "server.log").read_text())
            try:
                if httpx.get(f"{base}/sparql", params={"query": "ASK {}"}).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not become ready in 60 s")
            time.sleep(0.1)
        yield base, port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (bounded wait)."""
    sock.settimeout(WAIT_LIMIT)
    data = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk


def _status_and_body(raw: bytes) -> tuple[int, bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def _raw(port: int, request: bytes) -> tuple[int, bytes]:
    """Send ``request`` (its head ending in one CRLF pair) with ``Connection: close``."""
    head, _, rest = request.partition(b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(head + b"\r\nConnection: close\r\n\r\n" + rest)
        return _status_and_body(_read_until_closed(sock))


def _healthy(base: str) -> None:
    assert httpx.get(f"{base}/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_slowloris_headers_get_408_and_are_disconnected(server: tuple[str, int]) -> None:
    base, port = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sent = 0
        closed_at = None
        start = time.monotonic()
        while time.monotonic() - start < WAIT_LIMIT:
            try:
                sock.sendall(f"X-Slow-{sent}: a\r\n".encode())
                sent += 1
            except OSError:  # the server has closed the connection
                closed_at = sent
                break
            sock.settimeout(0.3)
            try:
                if sock.recv(65536, socket.MSG_PEEK):
                    closed_at = sent
                    break
            except TimeoutError:
                pass
        assert closed_at is not None, "a slowloris client was never disconnected"
        data = _read_until_closed(sock)
    assert data.startswith(b"HTTP/1.1 408")
    status, body = _status_and_body(data)
    error = json.loads(body)
    assert (status, error["status"], error["ok"]) == (408, 408, False)
    assert "not received within" in error["error"]
    _healthy(base)


def test_a_silent_connection_is_closed(server: tuple[str, int]) -> None:
    _base, port = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        data = _read_until_closed(sock)
    assert data.startswith(b"HTTP/1.1 408")


def test_a_dribbled_body_is_cut_off(server: tuple[str, int]) -> None:
    base, port = server
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 1000\r\n\r\nASK {"
        )
        data = _read_until_closed(sock)
    assert data == b"" or data.startswith(b"HTTP/1.1 408")
    _healthy(base)


def test_keep_alive_pauses_between_requests_are_not_cut(server: tuple[str, int]) -> None:
    base, _port = server
    with httpx.Client() as client:
        first = client.get(f"{base}/sparql", params={"query": "ASK {}"})
        time.sleep(READ_TIMEOUT + 0.5)  # idle longer than the read deadline, within keep-alive
        second = client.get(f"{base}/sparql", params={"query": "ASK {}"})
    assert first.status_code == second.status_code == 200


def test_an_oversized_header_gets_431(server: tuple[str, int]) -> None:
    base, port = server
    big = b"a" * 40_000
    status, body = _raw(port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Big: "
                        + big + b"\r\n\r\n")
    assert status == 431
    assert "over 16,384 bytes" in json.loads(body)["error"]
    status, _ = _raw(port, b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Fits: "
                     + b"a" * 8_000 + b"\r\n\r\n")
    assert status == 200
    _healthy(base)


def test_many_headers_and_a_huge_url_get_431(server: tuple[str, int]) -> None:
    _base, port = server
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(3000))
    assert _raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")[0] == 431
    url = b"/sparql?query=" + b"A" * 1_048_576  # a 1 MB query in the URL
    assert _raw(port, b"GET " + url + b" HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 431


def test_an_oversized_body_gets_413(server: tuple[str, int]) -> None:
    base, _port = server
    response = httpx.post(f"{base}/sparql", content=b"#" * 1_200_000,
                          headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413 and response.json()["status"] == 413


def test_rate_limit_applies_to_the_forwarded_client(server: tuple[str, int]) -> None:
    base, _port = server
    proxy = {"X-Forwarded-For": "203.0.113.50"}
    with httpx.Client() as client:
        codes = [client.get(f"{base}/sparql", params={"query": "ASK {}"}, headers=proxy)
                 for _ in range(BURST + 1)]
        assert [r.status_code for r in codes[:BURST]] == [200] * BURST
        refused = codes[BURST]
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["status"] == 429
        other = client.get(f"{base}/sparql", params={"query": "ASK {}"},
                           headers={"X-Forwarded-For": "203.0.113.51"})
        assert other.status_code == 200
        local = [client.get(f"{base}/sparql", params={"query": "ASK {}"}).status_code
                 for _ in range(BURST * 2)]
    assert set(local) == {200}  # loopback itself is not limited


@pytest.mark.parametrize(
    "path",
    [b"/static/../../../../../../etc/passwd", b"/static/../settings.py",
     b"/static/%2e%2e/%2e%2e/settings.py", b"/static/..%2f..%2f..%2fpyproject.toml",
     b"/reports/../../etc/passwd", b"/static/css/../../../../../../etc/passwd",
     b"/..%2f..%2f..%2fetc%2fpasswd", b"/static/\\..\\..\\settings.py"],
)
def test_raw_dot_dot_paths_never_reach_a_file(server: tuple[str, int], path: bytes) -> None:
    _base, port = server
    status, body = _raw(port, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status in (400, 404), status
    assert b"root:x:0:0" not in body and b"class Settings" not in body
    assert b"[build-system]" not in body


def test_html_pages_from_the_real_server_carry_the_policy(server: tuple[str, int]) -> None:
    base, _port = server
    response = httpx.get(f"{base}/", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "request_line",
    [b"GET /sparql?query=ASK%20{\xff\xfe} HTTP/1.1", b"GET /sparql?query=ASK\x00{} HTTP/1.1",
     b"GET /sparql?query=ASK {} HTTP/1.1", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
     b"GET /sparql?query=ASK%7B%7D HTTP/9.9", b"BREW /sparql HTTP/1.1"],
)
def test_raw_garbage_in_the_request_line_gets_a_json_400(
    server: tuple[str, int], request_line: bytes
) -> None:
    base, port = server
    status, body = _raw(port, request_line + b"\r\nHost: x\r\n\r\n")
    assert 400 <= status < 500, (status, body[:200])
    error = json.loads(body)
    assert error["ok"] is False and error["status"] == status and len(error["error"]) > 15
    _healthy(base)
