"""uvicorn's HTTP protocol with the limits it lacks: header size and slow clients.

uvicorn's default parser (httptools) accepts a request head of any size, and uvicorn only
times out *idle* keep-alive connections: a client that connects and sends nothing, or sends
its headers a byte at a time (slowloris), or its body very slowly, holds a connection for
ever. :func:`guarded_protocol` returns the protocol class :func:`fazhi_graph.web.server.run`
gives uvicorn, which adds:

- a limit on the request line plus headers (``max_header_bytes``): HTTP 431 and close;
- a deadline for receiving a whole request (``request_read_timeout_s``), counted from the
  connection or from the first byte of the request: HTTP 408 and close.

Both answers, and uvicorn's own 400 for a request that is not HTTP, use the endpoint's JSON
error shape.
"""

from __future__ import annotations

import asyncio
import json
from asyncio import TimerHandle
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["GuardedHttpToolsProtocol", "guarded_protocol"]

LINGER_S = 2.0
"""After refusing a request that is still arriving, read and drop its bytes this long before
closing: closing with unread data would reset the connection and the client would never see
the answer."""

_REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large"}


def _raw_error(status: int, message: str) -> bytes:
    body = json.dumps({"ok": False, "error": message, "status": status}).encode("utf-8")
    head = (
        f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """httptools protocol with a head size limit and a request read deadline."""

    max_header_bytes = 16_384
    """Largest request line plus headers, in bytes."""
    read_timeout_s = 15.0
    """Seconds to receive one whole request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_open = True
        self._head_bytes = 0
        self._head_tail = b""
        self._read_timer: TimerHandle | None = None
        self._refused = False

    # --- the read deadline

    def _arm(self) -> None:
        if self._read_timer is None:
            self._read_timer = self.loop.call_later(self.read_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _too_slow(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete or not self.cycle.response_started:
            self.transport.write(_raw_error(
                408,
                f"the request was not received within {self.read_timeout_s:g} s; send the "
                "whole request at once",
            ))
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock: a connection that sends nothing is closed too."""
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the clock."""
        self._disarm()
        super().connection_lost(exc)

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status`` and end the connection, dropping what the client still sends."""
        self._disarm()
        self._refused = True
        self.transport.write(_raw_error(status, message))
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self.loop.call_later(LINGER_S, self.transport.close)

    def send_400_response(self, msg: str) -> None:
        """A request the HTTP parser rejects: 400 in the JSON error shape, then close."""
        self._refuse(
            400,
            f"{msg.rstrip('.')}: the request is not valid HTTP/1.1 (check the request line "
            "and headers; percent-encode non-ASCII bytes in the URL)",
        )

    # --- the head size

    def _head_too_large(self, data: bytes) -> bool:
        """Whether the head, with ``data`` added, is over the limit (``data`` may also hold
        the end of the head and a body: only the bytes up to the blank line count)."""
        end = (self._head_tail + data).find(b"\r\n\r\n")
        size = self._head_bytes + (
            len(data) if end < 0 else end + 4 - len(self._head_tail)
        )
        self._head_bytes += len(data)
        self._head_tail = (self._head_tail + data)[-3:]
        return size > self.max_header_bytes

    def data_received(self, data: bytes) -> None:
        """Check the head's size, start the clock for a new request, then parse."""
        if self._refused:
            return
        if self._head_open:
            self._arm()
            if self._head_too_large(data):
                self._refuse(
                    431,
                    f"the request line and headers are over {self.max_header_bytes:,} bytes; "
                    "send long queries in a POST body",
                )
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        """The head is in: stop counting its size."""
        self._head_open = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The whole request is in: stop the clock; the next bytes start a new head."""
        self._disarm()
        self._head_open = True
        self._head_bytes = 0
        self._head_tail = b""
        super().on_message_complete()


def guarded_protocol(max_header_bytes: int, read_timeout_s: float) -> type[HttpToolsProtocol]:
    """The protocol class with these limits (uvicorn's ``http=`` takes a class)."""
    return type(
        "GuardedHttpToolsProtocol",
        (GuardedHttpToolsProtocol,),
        {"max_header_bytes": max_header_bytes, "read_timeout_s": read_timeout_s},
    )
