"""One settings object for the CLI, the library and the web app.

:class:`Settings` is a frozen dataclass: build one with :meth:`Settings.from_env`, which reads
the environment and then applies explicit overrides (the CLI passes its options as overrides,
so an option always beats an environment variable, which beats the default).

Environment variables:

``FAZHI_HOME``
    the project root (the directory holding ``data/`` and ``ontology/``).
``FAZHI_STORE``
    the on-disk store directory (default ``$FAZHI_HOME/var/store``).
``FAZHI_WRITE_TOKEN``
    the bearer token that authorises SPARQL updates (an environment variable keeps it out of
    the process list and shell history).
``FAZHI_RATE_LIMIT``, ``FAZHI_RATE_BURST``
    the per-client rate limit (requests per second, 0 for none) and its burst.

>>> s = Settings.from_env(project_root=Path("/srv/fazhi"), port=8080)
>>> s.store_path
PosixPath('/srv/fazhi/var/store')
>>> s.port, s.read_only
(8080, True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

ENV_HOME = "FAZHI_HOME"
"""Environment variable naming the project root."""
ENV_STORE = "FAZHI_STORE"
"""Environment variable naming the store directory."""
ENV_WRITE_TOKEN = "FAZHI_WRITE_TOKEN"
"""Environment variable holding the SPARQL update bearer token."""
ENV_RATE_LIMIT = "FAZHI_RATE_LIMIT"
"""Environment variable: requests per second per client (0 turns the rate limit off)."""
ENV_RATE_BURST = "FAZHI_RATE_BURST"
"""Environment variable: requests a client may send at once before the rate limit applies."""

DEFAULT_PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The checkout this module lives in (``src/fazhi_graph/settings.py`` → two levels up)."""


def default_store_path(project_root: Path) -> Path:
    """Return where the store lives when nothing else says: ``project_root/var/store``.

    >>> default_store_path(Path("/p"))
    PosixPath('/p/var/store')
    """
    return project_root / "var" / "store"


@dataclass(frozen=True)
class Settings:
    """Everything the CLI, the build and the web app can be told.

    Build with :meth:`from_env`; the constructor itself reads no environment.
    """

    project_root: Path = DEFAULT_PROJECT_ROOT
    """Project directory holding ``data/reports/``, ``data/curated/`` and ``ontology/``
    (env ``FAZHI_HOME``)."""

    store_path: Path = field(default_factory=lambda: default_store_path(DEFAULT_PROJECT_ROOT))
    """Directory of the on-disk oxigraph store (env ``FAZHI_STORE``; default
    ``project_root/var/store``)."""

    backend: str = "oxigraph"
    """Name of the store backend to open (see :func:`fazhi_graph.store.available_backends`)."""

    host: str = "127.0.0.1"
    """Interface the web server listens on (loopback by default; ``0.0.0.0`` to publish)."""

    port: int = 8000
    """TCP port the web server listens on."""

    in_memory: bool = True
    """Serve from an in-memory copy of the store (fast, leaves the disk store closed); when
    ``False`` the server queries the on-disk store directly."""

    query_timeout_s: float = 30.0
    """Wall-clock limit for one SPARQL query, in seconds."""

    max_rows: int = 10000
    """Rows a query returns when the client does not ask for a limit (the response says when it
    truncated)."""

    max_rows_limit: int = 100000
    """Largest row limit a client may ask for."""

    max_body_bytes: int = 1_000_000
    """Largest accepted HTTP request body, in bytes."""

    max_query_chars: int = 100_000
    """Longest accepted SPARQL query or update text, in characters."""

    read_only: bool = True
    """Refuse SPARQL updates (HTTP 403) unless this is ``False``."""

    write_token: str | None = None
    """Bearer token a client must send to run an update when ``read_only`` is ``False``
    (env ``FAZHI_WRITE_TOKEN``); without one the server accepts no writes at all."""

    allow_service: tuple[str, ...] = ()
    """Endpoint IRIs a query may call with ``SERVICE``; empty refuses every ``SERVICE``
    clause (the server makes no outbound requests)."""

    rate_limit: float = 10.0
    """Requests per second one client (IP address) may send, sustained, before it gets HTTP
    429 with ``Retry-After`` (env ``FAZHI_RATE_LIMIT``); 0 turns the limit off."""

    rate_burst: int = 120
    """Requests one client may send at once before :attr:`rate_limit` applies
    (env ``FAZHI_RATE_BURST``)."""

    rate_limit_loopback: bool = False
    """Rate-limit clients on the loopback interface too (off: local tools, benchmarks and
    tests are not limited; a reverse proxy on the same host must send ``X-Forwarded-For``)."""

    max_header_bytes: int = 16_384
    """Largest request line plus headers, in bytes (HTTP 431 above it)."""

    request_read_timeout_s: float = 15.0
    """Seconds a client has to send a whole request, headers and body, from its first byte
    (or from connecting); a slower client gets HTTP 408 and is disconnected."""

    max_connections: int = 1000
    """Open connections the server accepts at once (HTTP 503 beyond)."""

    def __post_init__(self) -> None:
        """Check ranges, so a bad value fails here rather than deep inside the server."""
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {self.port}")
        if self.query_timeout_s <= 0:
            raise ValueError(f"query_timeout_s must be positive, not {self.query_timeout_s}")
        if self.rate_limit < 0 or self.request_read_timeout_s <= 0:
            raise ValueError("rate_limit must be >= 0 and request_read_timeout_s positive")
        for name in ("max_rows", "max_rows_limit", "max_body_bytes", "max_query_chars",
                     "rate_burst", "max_header_bytes", "max_connections"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if self.max_rows > self.max_rows_limit:
            raise ValueError(
                f"max_rows ({self.max_rows}) must not exceed max_rows_limit ({self.max_rows_limit})"
            )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Read the environment, then apply ``overrides`` (``None`` values are ignored).

        ``store_path`` follows ``project_root`` unless it is set itself (by ``FAZHI_STORE`` or
        an override). ``env`` defaults to :data:`os.environ`.

        >>> Settings.from_env({"FAZHI_HOME": "/h"}).store_path
        PosixPath('/h/var/store')
        >>> Settings.from_env({"FAZHI_HOME": "/h", "FAZHI_STORE": "/s"}).store_path
        PosixPath('/s')
        >>> Settings.from_env({}, project_root=Path("/o"), store_path=None).store_path
        PosixPath('/o/var/store')
        """
        environ = os.environ if env is None else env
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise TypeError(f"unknown settings {unknown}; known: {sorted(known)}")
        values: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}

        if "project_root" not in values and environ.get(ENV_HOME):
            values["project_root"] = Path(environ[ENV_HOME])
        if "store_path" not in values and environ.get(ENV_STORE):
            values["store_path"] = Path(environ[ENV_STORE])
        if "write_token" not in values and environ.get(ENV_WRITE_TOKEN):
            values["write_token"] = environ[ENV_WRITE_TOKEN]
        for name, env_name, kind in (("rate_limit", ENV_RATE_LIMIT, float),
                                     ("rate_burst", ENV_RATE_BURST, int)):
            if name not in values and environ.get(env_name):
                try:
                    values[name] = kind(environ[env_name])
                except ValueError as exc:
                    raise ValueError(f"{env_name}={environ[env_name]!r} is not a number") from exc

        root = Path(values.get("project_root", DEFAULT_PROJECT_ROOT)).expanduser().resolve()
        values["project_root"] = root
        store = values.get("store_path")
        values["store_path"] = (
            default_store_path(root) if store is None else Path(store).expanduser().absolute()
        )
        if "allow_service" in values:
            values["allow_service"] = tuple(values["allow_service"])
        return cls(**values)
