"""A per-client rate limit: a token bucket per IP address, HTTP 429 with ``Retry-After``.

Each client (the connection's IP address, or the ``X-Forwarded-For`` address uvicorn takes
from a trusted proxy on loopback) may send :attr:`~fazhi_graph.settings.Settings.rate_burst`
requests at once and :attr:`~fazhi_graph.settings.Settings.rate_limit` per second after that.
A request over the limit gets the common JSON error shape with status 429 and
``Retry-After`` (whole seconds until the next request is allowed). Clients on loopback, and
connections without an IP address (a Unix socket, the test client), are not limited unless
``rate_limit_loopback`` is set. The table of buckets is bounded (least recently seen clients
are forgotten first), so many addresses cannot exhaust memory.

>>> bucket = TokenBuckets(rate=1.0, burst=2)
>>> [bucket.take("a", now=0.0) for _ in range(3)]
[0.0, 0.0, 1.0]
>>> bucket.take("a", now=1.0), bucket.take("b", now=1.0)
(0.0, 0.0)
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from functools import lru_cache

from starlette.types import ASGIApp, Receive, Scope, Send

from fazhi_graph.settings import Settings
from fazhi_graph.web.handlers import error_response

__all__ = ["RateLimitMiddleware", "TokenBuckets", "client_key"]

MAX_CLIENTS = 65_536
"""Clients remembered at once; the least recently seen is dropped first (it then starts again
with a full bucket, which errs on the side of the client)."""


class TokenBuckets:
    """One token bucket per key: ``burst`` tokens, refilled at ``rate`` per second."""

    def __init__(self, rate: float, burst: int, *, max_keys: int = MAX_CLIENTS) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str, *, now: float | None = None) -> float:
        """Take one token for ``key``: 0.0 if granted, else the seconds until one is there."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[key] = (tokens, now)
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait

    def __len__(self) -> int:
        return len(self._buckets)


def client_key(scope: Scope, *, limit_loopback: bool) -> str | None:
    """The address to count a request against, or ``None`` if it is not limited."""
    client = scope.get("client")
    if not client:
        return None
    return _key_of(str(client[0]), limit_loopback)


@lru_cache(maxsize=4096)
def _key_of(host: str, limit_loopback: bool) -> str | None:
    """:func:`client_key` for one address (memoised: parsing it costs more than the rest)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # not an IP address: a Unix socket or an in-process test client
    if address.is_loopback and not limit_loopback:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        # one client usually holds a whole /64: count the network, not each address
        return str(ipaddress.ip_network(f"{host}/64", strict=False))
    return host


class RateLimitMiddleware:
    """ASGI middleware refusing requests over the per-client rate with 429."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limit_loopback = settings.rate_limit_loopback
        self.buckets = (
            TokenBuckets(settings.rate_limit, settings.rate_burst)
            if settings.rate_limit > 0
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request; pass it on, or answer 429."""
        if self.buckets is None or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        key = client_key(scope, limit_loopback=self.limit_loopback)
        wait = 0.0 if key is None else self.buckets.take(key)
        if wait <= 0.0:
            await self.app(scope, receive, send)
            return
        seconds = max(1, math.ceil(wait))
        response = error_response(
            429,
            f"too many requests from {key}: the limit is {self.buckets.rate:g} per second "
            f"(bursts of {self.buckets.burst:g}); retry after {seconds} s, or run the "
            "queries against your own copy of the data (fazhi-graph build)",
            headers={"Retry-After": str(seconds)},
            head=scope.get("method") == "HEAD",
        )
        await response(scope, receive, send)
