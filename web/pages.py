"""The HTML pages: search (/), a facet's full value list, one article, its versions and the
differences between two, its archived raw copies.

Everything works without JavaScript: the search page is one GET form (query, sort, dates,
facet checkboxes); static/app.js only auto-submits and completes the query box.
"""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from archive.store import StoreError
from archive.textdiff import article_diff
from indexer import ArchiveSearcher, IndexDamaged, IndexMissing, SearchError
from indexer.search import FACETS
from web.params import request_from_args
from web.rawview import with_banner
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


def searcher() -> ArchiveSearcher:
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
    except IndexDamaged:
        return _error_page(args, "Chỉ mục tìm kiếm bị hỏng; các bài viết vẫn xem được. "
                                 "Hãy chạy `vnarchive reindex` để dựng lại.", 503)
    except IndexMissing:
        return _error_page(args, "Kho lưu trữ chưa có chỉ mục. Hãy chạy "
                                 "`vnarchive ingest` trước.", 503)
    except StoreError:
        return _error_page(args, "Không đọc được kho lưu trữ; hãy chạy `vnarchive check`.", 503)
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


_ID = "<int(max=9223372036854775807):article_id>"
_N = "<int(max=9223372036854775807):n>"


def _versions(article_id: int) -> list[dict]:
    try:
        return searcher().versions(article_id) or []
    except IndexMissing:
        abort(404)


@bp.get(f"/articles/{_ID}")
def article_page(article_id: int):
    data = _article_or_404(article_id)
    has_raw = searcher().raw_html(article_id) is not None
    # Near-duplicates ("also published by") are shown only when the archive provides them.
    duplicates = [d for d in data.get("duplicates") or [] if isinstance(d, dict)]
    return render_template("article.html", a=data, has_raw=has_raw, duplicates=duplicates,
                           versions=_versions(article_id), shown=None)


@bp.get(f"/articles/{_ID}/versions/{_N}")
def version_page(article_id: int, n: int):
    """One earlier (or the current) version as it was captured; no entities of its own."""
    found = searcher().version(article_id, n)
    if found is None:
        abort(404)
    return render_template("article.html", a=found, has_raw=found["has_raw"], duplicates=[],
                           versions=_versions(article_id), shown=found)


@bp.get(f"/articles/{_ID}/diff")
def diff_page(article_id: int):
    """Word-level differences between two versions (?a=&b=, default the last two)."""
    versions = _versions(article_id)
    if not versions:
        abort(404)
    by_n = {v["version"]: v for v in versions}
    older = versions[-2]["version"] if len(versions) > 1 else versions[-1]["version"]
    a, b = request.args.get("a", str(older)), request.args.get("b",
                                                                 str(versions[-1]["version"]))
    if not (a.isdigit() and b.isdigit() and int(a) in by_n and int(b) in by_n):
        abort(404)
    old, new = by_n[int(a)], by_n[int(b)]
    return render_template("diff.html", old=old, new=new, versions=versions,
                           diff=article_diff(old, new), article_id=article_id)


def _raw_response(article_id: int, version: dict | None):
    raw = searcher().raw_html(article_id, version["version"] if version else None)
    if raw is None:
        abort(404)
    if version is None:  # the latest capture with a page: say which one it is
        version = next((v for v in reversed(_versions(article_id)) if v["has_raw"]), None)
    captured = datetime.fromisoformat(version["fetched"]) if version else None
    back = request.host_url.rstrip("/") + url_for("pages.article_page", article_id=article_id)
    body = with_banner(raw, captured=captured, url=(version or {}).get("url", ""), back=back,
                       version=version["version"] if version else None)
    response = Response(body, mimetype="text/html")
    # The archived page is untrusted: sandboxed, no scripts, nothing loaded from anywhere.
    response.headers["Content-Security-Policy"] = RAW_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.get(f"/articles/{_ID}/raw")
def article_raw(article_id: int):
    _article_or_404(article_id)
    return _raw_response(article_id, None)


@bp.get(f"/articles/{_ID}/versions/{_N}/raw")
def version_raw(article_id: int, n: int):
    found = searcher().version(article_id, n)
    if found is None:
        abort(404)
    return _raw_response(article_id, found)
