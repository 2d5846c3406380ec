"""The ``--store PATH|remote`` and ``--endpoint URL`` options of the commands that read a store.

``query``, ``stats``, ``export``, ``check`` and ``serve`` take them. ``--store PATH`` names an
on-disk store directory (default ``$FAZHI_STORE``, else ``var/store`` in the project);
``--store remote`` the dataset pushed to an external SPARQL engine (:mod:`fazhi_graph.remote`,
``docs/scaling.md``), whose query endpoint is ``--endpoint URL`` or ``$FAZHI_REMOTE_ENDPOINT``.
Everything else about the engine (its update and Graph Store endpoints, the user, the password
or token, the authentication scheme) comes from the ``FAZHI_REMOTE_*`` environment variables
(:meth:`~fazhi_graph.remote_http.RemoteConfig.from_env`): never from the command line, and a
URL carrying ``user:password@`` is refused. ``--endpoint`` without ``--store remote`` is a usage
error. A directory that is really called ``remote`` is ``--store ./remote``.

>>> store_choice("remote", "http://127.0.0.1:7878/query")
StoreChoice(path=None, remote=True, endpoint='http://127.0.0.1:7878/query')
>>> store_choice("var/store", None).path
PosixPath('var/store')
>>> store_choice("./remote", None).remote
False
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fazhi_graph.settings import Settings
from fazhi_graph.store import Store, open_store

if TYPE_CHECKING:
    from fazhi_graph.remote_http import RemoteConfig

__all__ = ["REMOTE", "EndpointOption", "StoreChoice", "StoreOrRemoteOption", "store_choice"]

REMOTE = "remote"
"""The ``--store`` value that means the external engine rather than a directory."""

StoreOrRemoteOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="PATH|remote",
        help="Store directory (default: $FAZHI_STORE, else var/store in the project), or "
        "remote: the dataset pushed to an external SPARQL engine (--endpoint; "
        "docs/scaling.md).",
    ),
]
"""``--store PATH|remote`` (parse it with :func:`store_choice`)."""

EndpointOption = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        metavar="URL",
        help="With --store remote: the external engine's SPARQL query endpoint (default "
        "$FAZHI_REMOTE_ENDPOINT). Credentials come from FAZHI_REMOTE_USER and "
        "FAZHI_REMOTE_PASSWORD (or FAZHI_REMOTE_TOKEN), never from the URL; see "
        "docs/scaling.md.",
    ),
]
"""``--endpoint URL``, only with ``--store remote``."""


@dataclass(frozen=True)
class StoreChoice:
    """Which store a command reads: a directory (or the default one), or a remote engine."""

    path: Path | None = None
    """The store directory given with ``--store`` (``None``: the default, or remote)."""
    remote: bool = False
    """Whether ``--store remote`` was given."""
    endpoint: str | None = None
    """The ``--endpoint`` given (``None``: ``$FAZHI_REMOTE_ENDPOINT``)."""

    @property
    def backend(self) -> str | None:
        """The :attr:`Settings.backend <fazhi_graph.settings.Settings.backend>` override."""
        return REMOTE if self.remote else None

    def remote_config(self) -> RemoteConfig:
        """The engine's configuration: ``--endpoint``, then the environment (no request made).

        Raises :class:`~fazhi_graph.errors.StoreError` when no endpoint is known or a URL is
        not usable (not http(s), or carrying credentials).
        """
        from fazhi_graph.remote_http import RemoteConfig

        return RemoteConfig.from_env(endpoint=self.endpoint)

    def open(self, settings: Settings, *, read_only: bool = True) -> Store:
        """Open the chosen store (read-only unless told); a missing local store is an error
        when opened read-only."""
        if self.remote:
            from fazhi_graph.remote import open_remote

            return open_remote(self.remote_config(), read_only=read_only)
        path = None if settings.backend == "memory" else settings.store_path
        return open_store(path, backend=settings.backend, read_only=read_only)

    def export_endpoint(self) -> None:
        """Check the engine's configuration now and put ``--endpoint`` into
        ``$FAZHI_REMOTE_ENDPOINT``, for code that opens the store itself from the environment
        (``serve``: ``open_store(backend="remote")`` in the web server and its workers)."""
        from fazhi_graph.remote_http import ENV_ENDPOINT

        self.remote_config()  # no endpoint, or a bad URL: the CLI's one-line error, now
        if self.endpoint is not None:
            os.environ[ENV_ENDPOINT] = self.endpoint


def store_choice(store: str | None, endpoint: str | None) -> StoreChoice:
    """Parse ``--store`` and ``--endpoint``; a combination that makes no sense is a usage
    error (:class:`typer.BadParameter`, exit status 2)."""
    if store == REMOTE:
        return StoreChoice(remote=True, endpoint=endpoint)
    if endpoint is not None:
        raise typer.BadParameter(
            "--endpoint needs --store remote (an external SPARQL engine); a local store is "
            "given with --store PATH alone",
            param_hint="'--endpoint'",
        )
    if store is None:
        return StoreChoice()
    path = Path(store)
    if path.exists() and not path.is_dir():
        raise typer.BadParameter(
            f"{store} is a file; give a store directory, or remote", param_hint="'--store'"
        )
    return StoreChoice(path=path)
