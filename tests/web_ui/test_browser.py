"""The explorer in a real browser: Debian's chromium driven by Playwright, against a real server.

Every page is loaded with a request guard that fails any request not addressed to the local
server (and the test asserts none was made) and a console listener (no errors allowed).
Screenshots of each view go to ``var/screenshots/`` (ignored by git).

Chromium comes from the system (``/usr/bin/chromium``, installed by ``.ci/run`` with apt-get);
Playwright never downloads a browser here. Without chromium the tests are skipped, except in
CI (``CI`` set), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

import pytest

from fazhi_graph.namespaces import BASE

from .conftest import BODY, ROOT, SEED_ID

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("FAZHI_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "var" / "screenshots"

sync_api = pytest.importorskip("playwright.sync_api")
if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
    if os.environ.get("CI"):
        raise RuntimeError(f"chromium is missing at {CHROMIUM}: .ci/run installs it with apt-get")
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


class Watch:
    """What a page did that it should not: console errors, requests off the local server."""

    def __init__(self, base: str) -> None:
        self.host = urlparse(base).netloc
        self.errors: list[str] = []
        self.outside: list[str] = []

    def attach(self, page: Any) -> None:
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        parsed = urlparse(url)
        if parsed.scheme in ("data", "blob") or parsed.netloc == self.host:
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def check(self) -> None:
        assert self.outside == [], f"requests left the local server: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=shutil.which("chromium") or CHROMIUM,
                                     args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Any, ui_server: str) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  base_url=ui_server, accept_downloads=True)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    watch = Watch(ui_server)
    watch.attach(pg)
    yield pg, watch
    context.close()


def shot(pg: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"))


def test_every_view_loads_cleanly(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    for path, name in [("/", "home"), ("/reports", "reports"), (f"/reports/{SEED_ID}", "reader"),
                       (BODY, "entity"), ("/search?q=复议", "search"), ("/metrics", "metrics"),
                       ("/ontology", "ontology"), ("/query", "query"), ("/graph", "graph")]:
        response = pg.goto(path)
        assert response is not None and response.status == 200, path
        if name in ("query", "graph"):
            pg.wait_for_load_state("networkidle")
        assert pg.locator("h1").first.is_visible(), path
        shot(pg, name)
    watch.check()


def test_entity_page_language_toggle_is_remembered(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto(BODY)
    heading = pg.locator("h1 .l-zh")
    assert heading.is_visible() and heading.inner_text() == "城东区人民政府"
    pg.click("[data-set-lang=en]")
    assert pg.locator("h1 .l-en").inner_text() == "Chengdong District People's Government"
    assert not heading.is_visible()
    assert pg.evaluate("document.documentElement.className") == "lang-en"
    pg.goto("/metrics")  # another page: the choice is remembered (cookie + localStorage)
    assert pg.evaluate("document.documentElement.className") == "lang-en"
    assert pg.locator("h1 .l-en").is_visible()
    pg.click("[data-set-lang=both]")
    pg.goto(BODY)
    assert pg.locator("h1 .l-zh").is_visible() and pg.locator("h1 .l-en").is_visible()
    watch.check()


def test_source_sentence_into_reader(page: tuple[Any, Watch]) -> None:
    """Open an entity, follow a source sentence into the reader: highlighted and in view."""
    pg, watch = page
    pg.goto(BODY)
    link = pg.locator(f'.inverse a.to-reader[href^="/reports/{SEED_ID}#char-"]:visible').first
    href = link.get_attribute("href")
    assert href is not None
    link.click()
    pg.wait_for_url(f"**{href}")
    anchor = href.split("#", 1)[1]
    sentence = pg.locator(f"#{anchor}")
    assert sentence.is_visible()
    assert "targeted" in (sentence.get_attribute("class") or "")
    in_view = "el => { const r = el.getBoundingClientRect(); " \
        "return r.top >= 0 && r.bottom <= innerHeight; }"
    assert sentence.evaluate(in_view)
    facts = pg.locator("#reader-text a.fact")
    assert facts.count() > 100
    observation = pg.locator("#reader-text a.fact.k-observation").first
    observation.hover()
    tooltip = pg.locator("#fact-tooltip")
    assert tooltip.is_visible() and tooltip.inner_text()
    shot(pg, "reader-anchor")
    observation.click()
    pg.wait_for_url("**/id/obs/**")
    assert pg.locator(".sources blockquote").count() >= 1
    watch.check()


def test_query_editor_runs_a_saved_query(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/query")
    pg.click('[data-saved="metrics"]')
    rows = pg.locator(".yasr table.dataTable tbody tr")
    rows.first.wait_for()
    assert rows.count() > 10
    assert "query=" in pg.url  # the query is kept in the URL
    shot(pg, "query")
    # the URL reproduces the query
    pg.goto(pg.url)
    pg.locator(".yasr table.dataTable tbody tr").first.wait_for()
    watch.check()


def test_query_editor_chart_and_graph_views(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    construct = ("CONSTRUCT { ?b fz:jurisdiction ?p } WHERE { ?b fz:jurisdiction ?p }")
    pg.goto("/query?query=" + quote(construct))
    pg.locator(".select_graph").wait_for()
    pg.click(".select_graph")
    pg.locator(".yasr-graph canvas").first.wait_for()
    pg.goto("/query?saved=metrics")
    pg.locator(".yasr table.dataTable tbody tr").first.wait_for()
    pg.click(".select_chart")
    pg.locator(".yasr-chart svg rect.bar").first.wait_for()
    watch.check()


def _node_count(pg: Any) -> int:
    return int(pg.evaluate("window.fzGraph.cy.nodes().length"))


def test_graph_explorer_expands_and_finds_a_path(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    body = BASE + BODY.lstrip("/")
    pg.goto("/graph?focus=" + quote(body, safe=""))
    pg.wait_for_function(  # a function, not an expression: the CSP forbids eval
        "() => window.fzGraph && window.fzGraph.cy.nodes().length > 1")
    before = _node_count(pg)
    # click a neighbour on the canvas: it expands
    target = pg.evaluate("""(focus) => {
        // the best connected neighbour that no other node overlaps (so the click lands on it
        // and its expansion brings new nodes)
        const cy = window.fzGraph.cy;
        const gap = (a, b) => Math.hypot(a.renderedPosition().x - b.renderedPosition().x,
                                         a.renderedPosition().y - b.renderedPosition().y);
        const free = n => cy.nodes().every(m => m === n || gap(m, n) > 30);
        const ranked = cy.nodes().filter(n => n.id() !== focus)
                         .sort((a, b) => b.data('degree') - a.data('degree'));
        const n = ranked.filter(free)[0] || ranked[0];
        const p = n.renderedPosition();
        return {id: n.id(), x: p.x, y: p.y};
    }""", body)
    box = pg.locator("#cy").bounding_box()
    pg.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
    pg.wait_for_function(f"() => window.fzGraph.cy.nodes().length > {before}")
    assert _node_count(pg) > before
    shot(pg, "graph")
    # undo removes what the expansion added
    pg.click("#undo")
    assert _node_count(pg) == before
    # shortest path: select two nodes, set the ends, find
    venue = BASE + "id/place/chengdongqu/qinyuanxiaoqu"
    pg.goto("/graph?from=" + quote(body, safe="") + "&to=" + quote(venue, safe=""))
    steps = pg.locator("#path-steps li")
    steps.first.wait_for()
    assert steps.count() >= 1
    assert pg.locator("#path-steps blockquote a.to-reader").count() >= 1
    assert pg.evaluate("window.fzGraph.cy.$('edge.path').length") == steps.count()
    svg = pg.evaluate("window.fzGraph.svg()")
    assert svg.startswith("<svg") and "<circle" in svg
    with pg.expect_download() as download:
        pg.click('[data-export="turtle"]')
    assert download.value.suggested_filename.endswith(".ttl")
    watch.check()


def test_search_autocomplete(page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto("/")
    pg.fill("#home-q", "城东区人民")
    option = pg.locator("#home-q-list li").first
    option.wait_for()
    option.click()
    pg.wait_for_url("**/id/**")
    assert "城东区" in pg.locator("h1").inner_text()
    watch.check()
