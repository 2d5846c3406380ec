"""Rendering explorer pages: Jinja2 templates, the display language, and page twins.

Every HTML page has a machine-readable twin: the same URL with ``.json`` (or ``Accept:
application/json``), and for resources also ``.ttl``, ``.jsonld`` and ``.nt`` (or the
matching ``Accept``). :func:`choose_format` makes that choice; :func:`render` fills a template
with the page data plus what every page shows (language, navigation, license, version).

Errors of the explorer are :class:`PageError` (a
:class:`~fazhi_graph.web.errors.NotFoundError` or other HTTP error): a browser gets an HTML
page, every other client the JSON error shape ``{"ok": false, "error": …, "status": …}``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from fazhi_graph.web.errors import HttpError, NotAcceptableError, NotFoundError
from fazhi_graph.web.handlers import error_response
from fazhi_graph.web.labels import LANGS, Label
from fazhi_graph.web.links import curie, page_url
from fazhi_graph.web.negotiation import JSONLD, NTRIPLES, TURTLE, MediaFormat, negotiate

__all__ = [
    "HTML",
    "PAGE_JSON",
    "RDF_PAGE_FORMATS",
    "PageError",
    "PageNotFoundError",
    "choose_format",
    "json_page",
    "make_environment",
    "page_error_handler",
    "render",
    "ui_lang",
]

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
LANG_COOKIE = "fz_lang"
"""Cookie remembering the display language (``zh``, ``en`` or ``both``)."""

HTML = MediaFormat("html", "text/html", ("application/xhtml+xml",), ("html",), "HTML", "")
PAGE_JSON = MediaFormat("json", "application/json", (), ("json",), "JSON", "")
PAGE_FORMATS: tuple[MediaFormat, ...] = (HTML, PAGE_JSON)
"""Formats of a page without RDF: HTML first, then its JSON twin."""
RDF_PAGE_FORMATS: tuple[MediaFormat, ...] = (HTML, PAGE_JSON, TURTLE, JSONLD, NTRIPLES)
"""Formats of a resource page: HTML, JSON twin, Turtle, JSON-LD, N-Triples."""


class PageError(HttpError):
    """An explorer error: HTML for browsers, the JSON error shape for everyone else."""


class PageNotFoundError(PageError, NotFoundError):
    """No such resource, report or page (HTTP 404)."""

    status = 404


class PageNotAcceptableError(PageError, NotAcceptableError):
    """The page has no representation the client accepts (HTTP 406)."""

    status = 406


def wants_html(request: Request) -> bool:
    """Whether the client prefers HTML to JSON (browsers do; API clients do not)."""
    fmt = negotiate(request.headers.get("accept"), (PAGE_JSON, HTML))
    accept = request.headers.get("accept") or ""
    return fmt is HTML and "text/html" in accept


def choose_format(
    request: Request, suffix: str | None, formats: Sequence[MediaFormat] = PAGE_FORMATS
) -> MediaFormat:
    """The representation to send: the URL suffix wins, then ``?format=``, then ``Accept``."""
    wanted = suffix or request.query_params.get("format")
    if wanted:
        for fmt in formats:
            if wanted.lower() in (fmt.key, *fmt.names):
                return fmt
        raise PageNotFoundError(
            f"this page has no {wanted!r} form; available: " + ", ".join(f.key for f in formats)
        )
    chosen = negotiate(request.headers.get("accept"), formats)
    if chosen is None:
        raise PageNotAcceptableError(
            "no representation of this page matches the Accept header; available: "
            + ", ".join(f.media_type for f in formats)
        )
    return chosen


def ui_lang(request: Request) -> str:
    """The display language: ``?lang=``, else the cookie, else ``Accept-Language``, else zh."""
    for value in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if value in LANGS:
            return value
    accept = (request.headers.get("accept-language") or "").lower()
    if accept.startswith("en"):
        return "en"
    return "zh"


def _bi(zh: str, en: str) -> Markup:
    """Bilingual UI text: both spans, CSS shows the chosen language."""
    return Markup(
        '<span class="bi"><span class="l-zh" lang="zh">{}</span>'
        '<span class="l-en" lang="en">{}</span></span>'
    ).format(zh, en)


def _plain(lang: str, zh: str, en: str) -> str:
    """UI text as plain text in one language (for attributes and ``<option>``)."""
    if lang == "en":
        return en
    if lang == "both":
        return f"{zh} / {en}"
    return zh


def _label(label: Label | None, *, pinyin: bool = False) -> Markup:
    """A resource's name in both languages (English falls back to Chinese)."""
    if label is None:
        return Markup("")
    zh = label.zh or label.en or label.fallback
    en = label.en or zh
    cls = "bi" if label.en else "bi en-missing"
    html = Markup(
        '<span class="{}"><span class="l-zh" lang="zh">{}</span>'
        '<span class="l-en" lang="{}">{}</span></span>'
    ).format(cls, zh, "en" if label.en else "zh", en)
    if pinyin and label.pinyin:
        html += Markup(' <span class="pinyin" lang="zh-Latn-pinyin">{}</span>').format(label.pinyin)
    return html


def _tojson(value: Any) -> Markup:
    text = json.dumps(value, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _highlight(text: str, terms: Sequence[str]) -> Markup:
    """``text`` with every occurrence of ``terms`` wrapped in ``<mark>`` (escaped)."""
    from fazhi_graph.web.search_index import highlight_spans

    out = Markup("")
    pos = 0
    for begin, end in highlight_spans(text, terms):
        out += escape(text[pos:begin]) + Markup("<mark>{}</mark>").format(text[begin:end])
        pos = end
    return out + escape(text[pos:])


def make_environment() -> Environment:
    """The Jinja2 environment of the explorer (templates are package data)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(("html", "xml", "svg")),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        bi=_bi, label=_label, page_url=page_url, curie=curie, tojson=_tojson, highlight=_highlight
    )
    return env


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template`` with ``context`` plus the common page context."""
    explorer = request.app.state.explorer
    env: Environment = explorer.templates
    state = request.app.state.fazhi
    lang = ui_lang(request)
    full = {
        "request": request,
        "lang": lang,
        "version": state.version(),
        "path": request.url.path,
        "query_string": request.url.query,
        "t": lambda zh, en: _plain(lang, zh, en),
        "vendor_missing": not (STATIC / "vendor" / ".stamp").exists(),
        **context,
    }
    body = env.get_template(template).render(full)
    response = HTMLResponse(body, status_code=status, headers=headers)
    response.headers["Vary"] = "Accept, Cookie"
    return response


def json_page(data: dict[str, Any], *, status: int = 200) -> JSONResponse:
    """A JSON twin (``{"ok": true, …}``)."""
    response = JSONResponse({"ok": True, **data}, status_code=status)
    response.headers["Vary"] = "Accept"
    return response


async def page_error_handler(request: Request, exc: Exception) -> Response:
    """HTML error page for browsers, the common JSON error shape for the rest."""
    assert isinstance(exc, PageError)
    status = exc.status
    if request.method != "HEAD" and wants_html(request):
        return render(request, "error.html", {"status": status, "message": str(exc)}, status=status)
    return error_response(status, str(exc), head=request.method == "HEAD")
