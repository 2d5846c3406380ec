"""Answer repeated identical requests from memory, and tag responses for HTTP caches.

The data only changes on build or ingest, and the store's version token changes with it, so a
response is fully determined by (version, operation, query text, dataset parameters, format,
row limit). That tuple keys a small LRU of finished response bodies, and its hash is the
response's (weak) ``ETag``, so ``If-None-Match`` is answered with 304 before any work.

>>> cache = ResultCache(max_entries=2, max_bytes=100)
>>> cache.put(("v1", "q"), CachedResponse(b"body", "text/csv", {}))
>>> cache.get(("v1", "q")).body
b'body'
>>> etag_for(("v1", "q")) == etag_for(("v1", "q")), etag_for(("v1", "q")) == etag_for(("v2", "q"))
(True, False)
>>> etag_matches('W/"x", "y"', '"y"'), etag_matches("*", 'W/"z"'), etag_matches(None, '"y"')
(True, True, False)
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

__all__ = ["CachedResponse", "ResultCache", "etag_for", "etag_matches"]


@dataclass(frozen=True)
class CachedResponse:
    """A finished 200 response."""

    body: bytes
    content_type: str
    headers: dict[str, str]


class ResultCache:
    """A thread-safe LRU of responses bounded by entry count and total bytes."""

    def __init__(
        self, *, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024,
        max_entry_bytes: int = 8 * 1024 * 1024,
    ) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self._entries: OrderedDict[Hashable, CachedResponse] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> CachedResponse | None:
        """The cached response for ``key`` (and mark it recently used), or ``None``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: Hashable, entry: CachedResponse) -> None:
        """Store ``entry`` unless it is too big; evict the least recently used to fit."""
        size = len(entry.body)
        if size > self.max_entry_bytes or self.max_entries <= 0:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while self._entries and (
                len(self._entries) > self.max_entries or self._bytes > self.max_bytes
            ):
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.body)

    def clear(self) -> None:
        """Forget everything (after a write)."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def etag_for(key: Hashable) -> str:
    """A weak entity tag derived from a cache key (same key, same tag)."""
    digest = hashlib.blake2b(repr(key).encode("utf-8"), digest_size=12).hexdigest()
    return f'W/"{digest}"'


def etag_matches(header: str | None, etag: str) -> bool:
    """Weak comparison of ``If-None-Match`` against ``etag`` (``*`` matches anything)."""
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    for part in header.split(","):
        tag = part.strip()
        if tag == "*" or tag.removeprefix("W/") == wanted:
            return True
    return False
