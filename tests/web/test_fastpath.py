"""The short way in for /sparql: same answers, same error shape, other routes untouched."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from fazhi_graph.errors import QuerySyntaxError
from fazhi_graph.web.fastpath import SparqlFastPath
from fazhi_graph.web.handlers import install_error_handlers


def _app() -> FastAPI:
    async def fine(request: Request) -> Response:
        return PlainTextResponse(f"fast {request.method} {request.url.path}")

    async def refused(request: Request) -> Response:
        raise QuerySyntaxError("the query has a syntax error at line 1, column 8")

    async def broken(request: Request) -> Response:
        raise RuntimeError("a bug")

    app = FastAPI()
    install_error_handlers(app)

    @app.get("/slow")
    async def slow() -> PlainTextResponse:
        return PlainTextResponse("routed")

    app.add_middleware(SparqlFastPath, endpoints={
        ("GET", "/fine"): fine, ("GET", "/refused"): refused, ("GET", "/broken"): broken,
    })
    return app


def test_listed_requests_are_answered_and_others_are_routed() -> None:
    client = TestClient(_app())
    assert client.get("/fine").text == "fast GET /fine"
    assert client.get("/slow").text == "routed"
    # a method the fast path does not list goes through the router (which has no such
    # route here): a 404 in the JSON shape
    answer = client.post("/fine")
    assert answer.status_code == 404 and answer.json()["ok"] is False


def test_errors_keep_the_json_shape() -> None:
    client = TestClient(_app(), raise_server_exceptions=False)
    refused = client.get("/refused")
    assert refused.status_code == 400
    assert refused.json() == {"ok": False, "status": 400,
                              "error": "the query has a syntax error at line 1, column 8"}
    broken = client.get("/broken")
    assert broken.status_code == 500 and broken.json()["ok"] is False
    assert "bug in fazhi-graph" in broken.json()["error"]


def test_the_endpoint_goes_the_short_way(client: TestClient) -> None:
    """create_app puts the fast path in front of /sparql; the answer and headers are those of
    the full stack (the security headers and CORS still wrap it)."""
    app = client.app
    assert isinstance(app, FastAPI)
    assert any(m.cls is SparqlFastPath for m in app.user_middleware)
    answer = client.get("/sparql", params={"query": "ASK {}"},
                        headers={"Accept": "application/sparql-results+json",
                                 "Origin": "https://yasgui.example"})
    assert answer.status_code == 200 and answer.json()["boolean"] is True
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "content-security-policy" in answer.headers
    bad = client.get("/sparql", params={"query": "SELEC"})
    assert bad.status_code == 400 and bad.json()["ok"] is False
