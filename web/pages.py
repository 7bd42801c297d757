"""The HTML pages: search (/), a facet's full value list, one article, its archived raw copy.

Everything works without JavaScript: the search page is one GET form (query, sort, dates,
facet checkboxes); static/app.js only auto-submits and completes the query box.
"""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexer import IndexMissing, SearchEngine, SearchError
from indexer.search import FACETS
from web.params import request_from_args
from web.security import RAW_CSP
from web.timeline import timeline_svg

__all__ = ["bp"]

bp = Blueprint("pages", __name__)

FACET_LABELS = {
    "province": "Tỉnh/thành (theo tên trong bài)",
    "province_2025": "Tỉnh/thành (theo địa giới từ 1/7/2025)",
    "official": "Quan chức",
    "program": "Chương trình",
    "site": "Trang báo",
    "year": "Năm",
}
SHORT_LABELS = {"province": "Tỉnh/thành", "province_2025": "Tỉnh/thành (từ 1/7/2025)",
                "official": "Quan chức", "program": "Chương trình", "site": "Trang báo",
                "year": "Năm"}
SORT_LABELS = {"relevance": "Liên quan", "newest": "Mới nhất", "oldest": "Cũ nhất"}
# Parameters that only shape the page, never the result set (dropped from export links).
VIEW_PARAMS = ("page", "per_page", "pmode")
EXAMPLES = ("giảm nghèo", "giam ngheo", '"nông thôn mới"', "title:lũ")


def searcher() -> SearchEngine:
    return current_app.extensions["vnarchive"]


def _args() -> MultiDict:
    return MultiDict(request.args)


def url_with(args: MultiDict, **changes) -> str:
    """This page's url with some parameters replaced (None removes), page reset to 1."""
    out = MultiDict(args)
    if "page" not in changes:
        out.pop("page", None)
    for key, value in changes.items():
        key = key.rstrip("_")  # from_= for the reserved word
        out.poplist(key)
        if value is not None:
            out[key] = str(value)
    return "?" + urlencode([(k, v) for k, v in out.items(multi=True) if v != ""])


def toggle(args: MultiDict, name: str, value: str) -> str:
    out = MultiDict(args)
    out.pop("page", None)
    values = out.getlist(name)
    out.poplist(name)
    if value in values:
        values.remove(value)
    else:
        values.append(value)
    for v in values:
        out.add(name, v)
    return "?" + urlencode([(k, v) for k, v in out.items(multi=True) if v != ""])


def clear_filters(args: MultiDict) -> str:
    keep = [(k, args.get(k)) for k in ("q", "sort", "pmode") if args.get(k)]
    return "?" + urlencode(keep)


def result_args(args: MultiDict) -> str:
    """The query string that selects the current result set (for export links)."""
    return urlencode([(k, v) for k, v in args.items(multi=True)
                      if k not in VIEW_PARAMS and v != ""])


def province_mode(args: MultiDict) -> str:
    mode = args.get("pmode", "")
    if mode in ("name", "2025"):
        return mode
    return "2025" if args.getlist("province_2025") and not args.getlist("province") else "name"


def shown_facets(args: MultiDict) -> list[str]:
    prov = "province_2025" if province_mode(args) == "2025" else "province"
    return [prov, "official", "program", "site", "year"]


@bp.app_context_processor
def _helpers():
    return {"url_with": url_with, "toggle": toggle, "FACET_LABELS": FACET_LABELS,
            "SHORT_LABELS": SHORT_LABELS, "SORT_LABELS": SORT_LABELS,
            "clear_filters": clear_filters, "result_args": result_args, "FACETS": FACETS,
            "safe_url": safe_url}


def safe_url(url: str | None) -> bool:
    """Only http(s) links to originals are rendered as links (no javascript:, data:, ...)."""
    return bool(url) and url.lower().startswith(("http://", "https://"))


def _error_page(args: MultiDict, message: str, status: int):
    return render_template("search.html", args=args, res=None, error=message,
                           shown=shown_facets(args), pmode=province_mode(args)), status


@bp.get("/")
def search_page():
    args = _args()
    try:
        req = request_from_args(args)
        res = searcher().search(req)
    except SearchError as exc:
        return _error_page(args, str(exc), 400)
    except IndexMissing:
        return _error_page(args, "Kho lưu trữ chưa có chỉ mục. Hãy chạy "
                                 "`vnarchive ingest` trước.", 503)
    pages = (res["total"] + req.per_page - 1) // req.per_page
    timeline = timeline_svg(res.get("months", []),
                            lambda a, b: url_with(args, from_=a, to=b),
                            (args.get("from") or None, args.get("to") or None))
    browsing = not args.get("q", "").strip()
    return render_template("search.html", args=args, res=res, req=req, pages=pages,
                           error=None, timeline=timeline, shown=shown_facets(args),
                           pmode=province_mode(args), browsing=browsing,
                           has_filters=bool(req.filters or req.date_from or req.date_to),
                           examples=EXAMPLES)


@bp.get("/facets/<name>")
def facet_page(name: str):
    """The "xem thêm" page: every value of one facet as checkboxes, other filters kept."""
    if name not in FACETS:
        abort(404)
    args = _args()
    try:
        req = request_from_args(args)
        values = searcher().facet_values(name, req)
    except SearchError as exc:
        return _error_page(args, str(exc), 400)
    except IndexMissing:
        abort(503)
    return render_template("facet.html", args=args, name=name, values=values,
                           back=url_for("pages.search_page") + url_with(args))


def _article_or_404(article_id: int) -> dict:
    try:
        data = searcher().article(article_id)
    except IndexMissing:
        abort(404)
    if data is None:
        abort(404)
    return data


@bp.get("/articles/<int(max=9223372036854775807):article_id>")
def article_page(article_id: int):
    data = _article_or_404(article_id)
    has_raw = searcher().raw_html(article_id) is not None
    # Near-duplicates ("also published by") are shown only when the archive provides them.
    duplicates = [d for d in data.get("duplicates") or [] if isinstance(d, dict)]
    return render_template("article.html", a=data, has_raw=has_raw, duplicates=duplicates)


@bp.get("/articles/<int(max=9223372036854775807):article_id>/raw")
def article_raw(article_id: int):
    _article_or_404(article_id)
    raw = searcher().raw_html(article_id)
    if raw is None:
        abort(404)
    response = Response(raw, mimetype="text/html")
    # The archived page is untrusted: sandboxed, no scripts, nothing loaded from anywhere.
    response.headers["Content-Security-Policy"] = RAW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
