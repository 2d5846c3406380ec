"""Follow the explorer's own links from the home page: every page answers, none fails."""

from __future__ import annotations

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

from .conftest import HTML

SKIP = ("/static/", "/sparql", "/store", "/-/", "/api/")
LIMIT = 200
_HREF = re.compile(r'href="([^"]+)"')


def test_crawl_internal_links(ui_client):
    seen: set[str] = set()
    queue = deque(["/"])
    failures = []
    while queue and len(seen) < LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        r = ui_client.get(url, headers=HTML)
        if r.status_code != 200:
            failures.append((url, r.status_code))
            continue
        if not r.headers["content-type"].startswith("text/html"):
            continue
        for href in _HREF.findall(r.text):
            href = urldefrag(href.replace("&amp;", "&"))[0]
            parsed = urlparse(href)
            if parsed.scheme or not href.startswith("/") or href.startswith(SKIP):
                continue
            if href.endswith((".csv", ".ttl", ".nt", ".jsonld", ".json", ".svg")):
                continue
            if href not in seen:
                queue.append(href)
    assert failures == []
    assert len(seen) >= 100
