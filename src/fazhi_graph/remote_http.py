"""Talking to a remote SPARQL engine over HTTP: the three W3C protocols, credentials, errors.

* Queries go through SPARQLWrapper (SPARQL 1.1 Protocol, POST form), with
  ``default-graph-uri`` / ``named-graph-uri`` always stated, so an engine's own idea of the
  default graph (Virtuoso's: every graph, its system graphs included) never leaks in.
* Updates (SPARQL 1.1 Update) and graph uploads (Graph Store Protocol, ``PUT``) go through
  httpx, which keeps its connections open between the batches of a push.
* Credentials (user and password, basic or digest, or a bearer token) come from
  :class:`RemoteConfig`; they are sent, never written into a message, a log or a ``repr``.
* A result the engine cut short is an error, not an answer: Virtuoso's ``X-SPARQL-MaxRows``
  (``ResultSetMaxRows`` reached) and ``X-SQL-State: S1TAT`` (an "anytime" partial result) are
  detected, and a body that does not parse (oxigraph's cancelled responses) is refused.

>>> RemoteConfig("http://h/sparql", user="u", password="secret")
RemoteConfig(endpoint='http://h/sparql', update_endpoint=None, graph_store=None, user='u', ...)
>>> "secret" in repr(RemoteConfig("http://h/sparql", user="u", password="secret"))
False
"""

from __future__ import annotations

import os
import urllib.error
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import httpx
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLExceptions, SPARQLWrapper

from fazhi_graph.errors import QuerySyntaxError, QueryTimeoutError, StoreError

ENV_ENDPOINT = "FAZHI_REMOTE_ENDPOINT"
"""Environment variable: the remote SPARQL query endpoint."""
ENV_UPDATE_ENDPOINT = "FAZHI_REMOTE_UPDATE_ENDPOINT"
"""Environment variable: the SPARQL Update endpoint (default: the query endpoint)."""
ENV_GRAPH_STORE = "FAZHI_REMOTE_GRAPH_STORE"
"""Environment variable: the Graph Store Protocol endpoint (none: loads use SPARQL Update)."""
ENV_USER = "FAZHI_REMOTE_USER"
"""Environment variable: the user name for updates and uploads."""
ENV_PASSWORD = "FAZHI_REMOTE_PASSWORD"
"""Environment variable: the password (kept out of the process list and shell history)."""
ENV_TOKEN = "FAZHI_REMOTE_TOKEN"
"""Environment variable: a bearer token, instead of a user and password."""
ENV_AUTH = "FAZHI_REMOTE_AUTH"
"""Environment variable: ``basic`` (the default) or ``digest`` (Virtuoso)."""

NTRIPLES_ACCEPT = "application/n-triples, text/turtle;q=0.9"
"""What a CONSTRUCT asks for (N-Triples is a subset of Turtle, so both parse)."""
RESULTS_ACCEPT = "application/sparql-results+json"
"""What a SELECT or ASK asks for."""


@dataclass(frozen=True)
class RemoteConfig:
    """Where a remote engine is and how to authenticate; secrets stay out of ``repr``."""

    endpoint: str
    """SPARQL 1.1 Protocol query endpoint (``…/sparql``, ``…/query``)."""
    update_endpoint: str | None = None
    """SPARQL 1.1 Update endpoint; ``None`` means the query endpoint."""
    graph_store: str | None = None
    """Graph Store Protocol endpoint (``…/store``, Virtuoso's ``…/sparql-graph-crud-auth``);
    ``None`` loads through SPARQL Update instead."""
    user: str | None = None
    """User name for the update and graph-store endpoints (and queries, if they ask)."""
    password: str | None = field(default=None, repr=False)
    """Password for ``user``."""
    token: str | None = field(default=None, repr=False)
    """Bearer token (``Authorization: Bearer …``), instead of a user and password."""
    atomic_put: bool = False
    """Whether the engine's Graph Store ``PUT`` replaces a graph in one transaction
    (Oxigraph's does; Virtuoso 7's does not: readers see the graph empty for a moment). When
    it does not, a graph is ``PUT`` into a staging graph and moved over in one update."""
    auth: Literal["basic", "digest"] = "basic"
    """HTTP authentication scheme for ``user``/``password`` (Virtuoso wants ``digest``)."""
    timeout_s: float = 300.0
    """Seconds to wait for one HTTP response."""

    def __post_init__(self) -> None:
        """Refuse URLs that carry credentials or are not HTTP(S)."""
        for name in ("endpoint", "update_endpoint", "graph_store"):
            url = getattr(self, name)
            if url is None:
                continue
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise StoreError(f"the {name.replace('_', ' ')} {url!r} is not an http(s) URL")
            if parts.username is not None or parts.password is not None:
                raise StoreError(
                    f"the {name.replace('_', ' ')} URL carries credentials; give the user with "
                    f"--user and the password in an environment variable ({ENV_PASSWORD})"
                )
        if self.auth not in ("basic", "digest"):
            raise StoreError(f"unknown authentication {self.auth!r}; use basic or digest")
        if self.password is not None and self.user is None:
            raise StoreError("a password was given without a user name; give --user too")

    @property
    def updates_at(self) -> str:
        """The URL updates are sent to."""
        return self.update_endpoint or self.endpoint

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> RemoteConfig:
        """Read ``FAZHI_REMOTE_*`` variables, then apply ``overrides`` (``None`` ignored).

        >>> RemoteConfig.from_env({"FAZHI_REMOTE_ENDPOINT": "http://h/q"}).endpoint
        'http://h/q'
        >>> RemoteConfig.from_env({})
        Traceback (most recent call last):
        fazhi_graph.errors.StoreError: no remote SPARQL endpoint given: ...
        >>> RemoteConfig.from_env({"FAZHI_REMOTE_PASSWORD": "s"}, endpoint="http://h/q")
        Traceback (most recent call last):
        fazhi_graph.errors.StoreError: FAZHI_REMOTE_PASSWORD is set but FAZHI_REMOTE_USER is not;...
        """
        environ = os.environ if env is None else env
        names = {
            "endpoint": ENV_ENDPOINT,
            "update_endpoint": ENV_UPDATE_ENDPOINT,
            "graph_store": ENV_GRAPH_STORE,
            "user": ENV_USER,
            "password": ENV_PASSWORD,
            "token": ENV_TOKEN,
            "auth": ENV_AUTH,
        }
        values: dict[str, object] = {k: environ[v] for k, v in names.items() if environ.get(v)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "endpoint" not in values:
            raise StoreError(
                f"no remote SPARQL endpoint given: pass --endpoint URL or set {ENV_ENDPOINT}"
            )
        if "password" in values and "user" not in values and overrides.get("password") is None:
            raise StoreError(  # (commands without --user: serve, query, stats, export, check)
                f"{ENV_PASSWORD} is set but {ENV_USER} is not; set the user name too (and "
                f"{ENV_AUTH}=digest for Virtuoso), or unset the password"
            )
        return cls(**values)  # type: ignore[arg-type]


class HttpClient:
    """The HTTP side of a remote store: queries, updates and graph uploads."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        auth: httpx.Auth | None = None
        headers = {}
        if config.token is not None:
            headers["Authorization"] = f"Bearer {config.token}"
        elif config.user is not None:
            password = config.password or ""
            auth = (
                httpx.DigestAuth(config.user, password)
                if config.auth == "digest"
                else httpx.BasicAuth(config.user, password)
            )
        self._http = httpx.Client(auth=auth, headers=headers, timeout=config.timeout_s)

    def close(self) -> None:
        """Close the open connections."""
        self._http.close()

    # ----------------------------------------------------------------- queries

    def query(
        self,
        sparql: str,
        *,
        form: str = "SELECT",
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> tuple[bytes, str]:
        """POST ``sparql`` (a query of the given ``form``) to the query endpoint; return the
        body and its media type.

        ``default_graphs`` are sent as ``default-graph-uri``, ``named_graphs`` as
        ``named-graph-uri``. Only a query that filters its ``GRAPH ?g`` itself may send
        neither (the engine's own dataset, system graphs included, is then in view).
        """
        config = self.config
        graph_result = form in ("CONSTRUCT", "DESCRIBE")
        wrapper = SPARQLWrapper(config.endpoint)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(int(config.timeout_s))
        wrapper.setQuery(sparql)
        # SPARQLWrapper guesses the form with a regular expression that takes ``fz:addresses``
        # for an ADD update; the caller knows it (from a real tokenizer).
        wrapper.queryType = form
        for g in default_graphs:
            wrapper.addParameter("default-graph-uri", g)
        for g in named_graphs:
            wrapper.addParameter("named-graph-uri", g)
        if config.token is not None:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {config.token}")
        elif config.user is not None:
            wrapper.setHTTPAuth(config.auth.upper())
            wrapper.setCredentials(config.user, config.password or "")
        # Accept is set here, not guessed by SPARQLWrapper (which takes a query mentioning
        # DESCRIBE in a string for a DESCRIBE and then asks for anything at all).
        wrapper.setReturnFormat(TURTLE if graph_result else JSON)
        wrapper.addCustomHttpHeader("Accept", NTRIPLES_ACCEPT if graph_result else RESULTS_ACCEPT)
        try:
            response = wrapper.query().response
            headers = response.info()
            body: bytes = response.read()
        except SPARQLExceptions.QueryBadFormed as exc:
            raise QuerySyntaxError(
                f"the remote engine at {config.endpoint} refused the query as malformed: "
                f"{_said(exc)}"
            ) from exc
        except SPARQLExceptions.SPARQLWrapperException as exc:
            raise StoreError(
                f"the remote engine at {config.endpoint} failed the query "
                f"({type(exc).__name__}): {_said(exc)}"
            ) from exc
        except urllib.error.HTTPError as exc:
            raise StoreError(
                f"the remote engine at {config.endpoint} answered HTTP {exc.code} to a query: "
                f"{_said(exc)}"
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StoreError(
                f"cannot reach the remote engine at {config.endpoint} ({_reason(exc)}); is it "
                "running, and is the URL right?"
            ) from exc
        _refuse_partial(config.endpoint, dict(headers.items()))
        return body, headers.get("Content-Type", "")

    # ----------------------------------------------------------------- writes

    def update(self, sparql: str) -> None:
        """POST a SPARQL Update request (one request: one transaction on most engines)."""
        url = self.config.updates_at
        self._send("POST", url, data={"update": sparql}, what="an update")

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace ``graph`` with ``ntriples`` through the Graph Store Protocol (``PUT``).

        The body is N-Triples sent as ``text/turtle`` (every engine reads Turtle; N-Triples
        is a subset).
        """
        assert self.config.graph_store is not None
        self._send(
            "PUT",
            self.config.graph_store,
            params={"graph": graph},
            content=ntriples,
            headers={"Content-Type": "text/turtle; charset=utf-8"},
            what=f"the upload of <{graph}>",
        )

    def _send(self, method: str, url: str, *, what: str, **kwargs: object) -> None:
        try:
            response = self._http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.TimeoutException as exc:
            raise QueryTimeoutError(
                f"the remote engine at {url} did not answer {what} within "
                f"{self.config.timeout_s:g} s; retry, or load fewer triples per request"
            ) from exc
        except httpx.HTTPError as exc:
            raise StoreError(
                f"cannot reach the remote engine at {url} ({_reason(exc)}); is it running, "
                "and is the URL right?"
            ) from exc
        if response.status_code in (401, 403):
            raise StoreError(
                f"the remote engine at {url} refused {what} (HTTP {response.status_code}): "
                "check the user and password (or token), the authentication scheme (--auth "
                "digest for Virtuoso) and that the endpoint accepts writes"
            )
        if response.status_code >= 400:
            raise StoreError(
                f"the remote engine at {url} failed {what} (HTTP {response.status_code}): "
                f"{_short(response.text)}"
            )


def _refuse_partial(endpoint: str, headers: Mapping[str, str]) -> None:
    """Raise when the engine says it returned part of the result."""
    max_rows = headers.get("X-SPARQL-MaxRows")
    if max_rows:
        raise StoreError(
            f"the remote engine at {endpoint} cut the result at {max_rows} rows (its "
            "ResultSetMaxRows); raise that limit in virtuoso.ini [SPARQL], or ask for fewer rows"
        )
    if headers.get("X-SQL-State", "").upper() == "S1TAT":
        raise QueryTimeoutError(
            f"the remote engine at {endpoint} returned a partial result when its time limit "
            "ran out (MaxQueryExecutionTime); set it to 0 in virtuoso.ini [SPARQL] or simplify "
            "the query"
        )


def _said(exc: BaseException) -> str:
    body = getattr(exc, "response", None)
    if body is None and isinstance(exc, urllib.error.HTTPError):
        body = exc.read()
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    return _short(str(body) if body is not None else str(exc))


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    return _short(str(reason if reason is not None else exc) or type(exc).__name__)


def _short(text: str, limit: int = 300) -> str:
    """One line, at most ``limit`` characters (engines echo whole queries in errors)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"
