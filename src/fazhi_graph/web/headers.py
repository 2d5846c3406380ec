"""Security headers on every response, among them a strict Content-Security-Policy.

Every asset the pages use is served from this server (``/static/``; nothing from a CDN), so
the policy allows no other origin: scripts only from our own files (no inline script, no
``eval``), connections only back to this server, no frames, no plugins, forms posting only
here. Inline *styles* are allowed: the pages colour their legend dots with ``style="--kind:
…"`` and YASGUI and cytoscape.js insert their own ``<style>`` elements; styles cannot run
code. Every response also gets ``X-Content-Type-Options: nosniff`` (a Turtle or JSON answer
is never sniffed into HTML) and a same-origin referrer policy.

>>> "script-src 'self'" in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY
True
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CONTENT_SECURITY_POLICY", "SECURITY_HEADERS", "SecurityHeadersMiddleware"]

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
))
"""The policy sent with every response: this server only, no inline script, no eval."""

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
"""Sent with every response (HTML pages, and also SVG, JSON and RDF: a policy on a non-HTML
answer costs nothing and covers a browser that renders it anyway)."""


_RAW_HEADERS = [
    (name.lower().encode("latin-1"), value.encode("latin-1"))
    for name, value in SECURITY_HEADERS.items()
]
_RAW_NAMES = frozenset(name for name, _ in _RAW_HEADERS)


class SecurityHeadersMiddleware:
    """ASGI middleware adding :data:`SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Raw header pairs, ours replacing any of the same name: on every response,
                # so cheaper than setting them one by one through MutableHeaders.
                kept = [pair for pair in message.get("headers", ())
                        if pair[0].lower() not in _RAW_NAMES]
                message["headers"] = kept + _RAW_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
