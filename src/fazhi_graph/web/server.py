"""Serve the endpoint with uvicorn: :func:`run` (what ``fazhi-graph serve`` calls).

Standalone, for tests and benchmarks (the CLI is the usual way)::

    python -m fazhi_graph.web.server --store var/store --port 8000 [--timeout 30] [--disk]

The store is opened read-only unless the server is started in write mode, which needs a
token (``FAZHI_WRITE_TOKEN``), on loopback too.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from fazhi_graph.errors import FazhiError
from fazhi_graph.settings import Settings
from fazhi_graph.store import open_store
from fazhi_graph.web.errors import ServerConfigError
from fazhi_graph.web.http_protocol import guarded_protocol

__all__ = ["main", "run"]

log = logging.getLogger("fazhi_graph.web")


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_settings(settings: Settings) -> None:
    """Refuse unsafe combinations: writes without a token, on any interface.

    Not even on loopback: any web page open in a browser on the same machine could post a
    form with ``update=DROP ALL`` to ``http://127.0.0.1:8000/sparql``.
    """
    if not settings.read_only and not settings.write_token:
        where = "loopback" if _loopback(settings.host) else settings.host
        raise ServerConfigError(
            f"refusing to accept unauthenticated updates (on {where}): set "
            "FAZHI_WRITE_TOKEN to a secret, or serve read-only; on loopback too, since any "
            "web page in a local browser can send requests to it"
        )


def run(settings: Settings) -> None:
    """Open the store and serve ``/sparql`` and ``/store`` until interrupted."""
    import uvicorn

    from fazhi_graph.web.app import create_app

    check_settings(settings)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(message)s")
    path = None if settings.backend in ("memory", "remote") else settings.store_path
    store = open_store(path, backend=settings.backend, read_only=settings.read_only)
    app = create_app(store, settings)
    log.info(
        "serving %s on http://%s:%d/sparql (%s, time limit %g s)",
        path or ("an in-memory store" if settings.backend == "memory" else store),
        settings.host, settings.port,
        "read-only" if settings.read_only else "WRITABLE", settings.query_timeout_s,
    )
    try:
        uvicorn.run(
            app, host=settings.host, port=settings.port, log_level="warning",
            access_log=False, timeout_keep_alive=30, server_header=False,
            http=guarded_protocol(settings.max_header_bytes, settings.request_read_timeout_s),
            limit_concurrency=settings.max_connections,
        )
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> None:
    """Command line for running the server without the ``fazhi-graph`` CLI."""
    parser = argparse.ArgumentParser(prog="python -m fazhi_graph.web.server")
    parser.add_argument("--store", type=Path, help="on-disk store directory")
    parser.add_argument("--backend", default=None, help="store backend (oxigraph, memory)")
    parser.add_argument("--host", default=None, help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="TCP port (default 8000)")
    parser.add_argument("--timeout", type=float, default=None, help="query time limit, s")
    parser.add_argument("--max-rows", type=int, default=None, help="default row cap")
    parser.add_argument("--disk", action="store_true", help="query the on-disk store directly")
    parser.add_argument("--write", action="store_true", help="accept updates (needs a token)")
    parser.add_argument("--rate-limit", type=float, default=None,
                        help="requests per second per client (0: no limit)")
    parser.add_argument("--rate-burst", type=int, default=None,
                        help="requests a client may send at once")
    parser.add_argument("--rate-limit-loopback", action="store_true", default=None,
                        help="rate-limit loopback clients too")
    parser.add_argument("--read-timeout", type=float, default=None,
                        help="seconds a client has to send a whole request")
    parser.add_argument("--allow-service", action="append", default=None, metavar="IRI",
                        help="endpoint SERVICE may call (repeatable; IRI* for a prefix)")
    args = parser.parse_args(argv)
    settings = Settings.from_env(
        store_path=args.store, backend=args.backend, host=args.host, port=args.port,
        query_timeout_s=args.timeout, max_rows=args.max_rows,
        in_memory=False if args.disk else None, read_only=False if args.write else None,
        allow_service=tuple(args.allow_service) if args.allow_service else None,
        rate_limit=args.rate_limit, rate_burst=args.rate_burst,
        rate_limit_loopback=args.rate_limit_loopback, request_read_timeout_s=args.read_timeout,
    )
    try:
        run(settings)
    except FazhiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
