"""The HTML pages: search (/), one article, its archived raw copy."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request
from werkzeug.datastructures import MultiDict

from indexer import ArchiveSearcher, IndexMissing, SearchError
from web.params import request_from_args
from web.security import RAW_CSP

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
SORT_LABELS = {"relevance": "Liên quan", "newest": "Mới nhất", "oldest": "Cũ nhất"}


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
        out.poplist(key)
        if value is not None:
            out[key] = str(value)
    return "?" + urlencode(list(out.items(multi=True)))


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
    return "?" + urlencode(list(out.items(multi=True)))


@bp.app_context_processor
def _helpers():
    return {"url_with": url_with, "toggle": toggle, "FACET_LABELS": FACET_LABELS,
            "SORT_LABELS": SORT_LABELS}


@bp.get("/")
def search_page():
    args = _args()
    try:
        req = request_from_args(args)
    except SearchError as exc:
        return render_template("search.html", args=args, res=None, error=str(exc)), 400
    try:
        res = searcher().search(req)
    except SearchError as exc:
        return render_template("search.html", args=args, res=None, error=str(exc)), 400
    except IndexMissing:
        return render_template("search.html", args=args, res=None,
                               error="Kho lưu trữ chưa có chỉ mục. Hãy chạy "
                                     "`vnarchive ingest` trước."), 503
    pages = (res["total"] + req.per_page - 1) // req.per_page
    return render_template("search.html", args=args, res=res, req=req, pages=pages,
                           error=None)


def _article_or_404(article_id: int) -> dict:
    try:
        data = searcher().article(article_id)
    except IndexMissing:
        abort(404)
    if data is None:
        abort(404)
    return data


@bp.get("/articles/<int:article_id>")
def article_page(article_id: int):
    data = _article_or_404(article_id)
    has_raw = searcher().raw_html(article_id) is not None
    return render_template("article.html", a=data, has_raw=has_raw)


@bp.get("/articles/<int:article_id>/raw")
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
