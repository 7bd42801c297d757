"""The HTML pages: search (/), a facet's full value list, one article, its versions and the
differences between two, its archived raw copies.

Everything works without JavaScript: the search page is one GET form (query, sort, dates,
facet checkboxes); static/app.js only auto-submits and completes the query box.
"""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from archive.store import StoreError
from archive.textdiff import article_diff
from indexer import SearchEngine, IndexDamaged, IndexMissing, SearchError, SearchRequest
from indexer.search import FACETS, FALLBACK_MESSAGES
from indexer.search.snippets import snippet
from web.params import EXCLUDE, error_field, page_hint, request_from_args
from web.rawview import with_banner
from web.security import RAW_CSP
from web.timeline import INTERVAL_LABELS, UNIT_NAMES, timeline_svg

__all__ = ["bp"]

bp = Blueprint("pages", __name__)

FACET_LABELS = {
    "province": "Tỉnh/thành (theo tên trong bài)",
    "province_2025": "Tỉnh/thành (theo địa giới từ 1/7/2025)",
    "official": "Quan chức",
    "program": "Chương trình",
    "site": "Trang báo",
    "year": "Năm",
    "author": "Tác giả",
    "section": "Chuyên mục",
    "tag": "Thẻ",
}
SHORT_LABELS = {"province": "Tỉnh/thành", "province_2025": "Tỉnh/thành (từ 1/7/2025)",
                "official": "Quan chức", "program": "Chương trình", "site": "Trang báo",
                "year": "Năm", "author": "Tác giả", "section": "Chuyên mục", "tag": "Thẻ"}
SORT_LABELS = {"relevance": "Liên quan", "newest": "Mới nhất", "oldest": "Cũ nhất"}
# Parameters that only shape the page, never the result set (dropped from export links).
VIEW_PARAMS = ("page", "per_page", "pmode", "norm", "interval")
EXAMPLES = ("giảm nghèo", "giam ngheo", '"nông thôn mới"', "title:lũ")
PER_PAGE_CHOICES = (10, 20, 50, 100)
FACET_PAGE_MAX = 500        # values listed on a facet's own page
FACET_PAGE_ALL = 100_000    # counted, to say honestly how many there are
# Values a parameter has when absent: left out of every link we make (clean URLs).
DEFAULTS = {"sort": "relevance", "per_page": "20", "page": "1", "interval": "auto"}
_QUERY_WORD = re.compile(r"(?<![-\w])(?:title:)?(\w+)")


def searcher() -> SearchEngine:
    return current_app.extensions["vnarchive"]


def _args() -> MultiDict:
    return MultiDict(request.args)


def _query(out: MultiDict) -> str:
    """``?a=b...`` without empty values and without parameters at their default."""
    keep = [(k, v) for k, v in out.items(multi=True)
            if v != "" and DEFAULTS.get(k) != v
            and not (k == "pmode" and v == _default_pmode(out))]
    return "?" + urlencode(keep) if keep else "?"


def _default_pmode(args: MultiDict) -> str:
    return "2025" if args.getlist("province_2025") and not args.getlist("province") else "name"


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
    return _query(out)


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
    return _query(out)


def exclude(args: MultiDict, name: str, value: str) -> str:
    """This page's url leaving out ``value``'s articles (``-name=value``): a value cannot be
    both asked for and left out, so its inclusion goes."""
    out = MultiDict(args)
    out.pop("page", None)
    kept = [v for v in out.getlist(name) if v != value]
    out.setlist(name, kept)
    if value not in out.getlist(EXCLUDE + name):
        out.add(EXCLUDE + name, value)
    return _query(out)


def clear_filters(args: MultiDict) -> str:
    return _query(MultiDict([(k, args.get(k)) for k in ("q", "sort", "per_page", "pmode")
                             if args.get(k)]))


def result_args(args: MultiDict) -> str:
    """The query string that selects the current result set (for export links)."""
    return urlencode([(k, v) for k, v in args.items(multi=True)
                      if k not in VIEW_PARAMS and v != ""])


def province_mode(args: MultiDict) -> str:
    mode = args.get("pmode", "")
    return mode if mode in ("name", "2025") else _default_pmode(args)


def number(n: int) -> str:
    """Vietnamese digit grouping: 10.000."""
    return f"{n:,}".replace(",", ".")


def query_terms(q: str) -> list[str]:
    """The words of a query worth marking on the article page (not excluded ones, no OR).

    >>> query_terms('"giảm nghèo" -covid OR title:Lũ')
    ['giảm', 'nghèo', 'lũ']
    """
    return [w.lower() for w in _QUERY_WORD.findall(q) if w != "OR"]


def highlight(text: str, terms: list[str]) -> Markup:
    """``text`` escaped, the query's words in ``<mark>``."""
    return Markup(snippet([text], terms, max_chars=len(text) + 1))


def shown_facets(args: MultiDict) -> list[str]:
    prov = "province_2025" if province_mode(args) == "2025" else "province"
    return [prov, "official", "program", "site", "year", "author", "section", "tag"]


@bp.app_context_processor
def _helpers():
    return {"url_with": url_with, "toggle": toggle, "exclude": exclude, "FACET_LABELS": FACET_LABELS,
            "SHORT_LABELS": SHORT_LABELS, "SORT_LABELS": SORT_LABELS,
            "clear_filters": clear_filters, "result_args": result_args, "FACETS": FACETS,
            "safe_url": safe_url, "number": number, "PER_PAGE_CHOICES": PER_PAGE_CHOICES,
            "search_qs": lambda args: _query(MultiDict(args))[1:], "query_terms": query_terms,
            "UNIT_NAMES": UNIT_NAMES, "INTERVAL_LABELS": INTERVAL_LABELS}


def safe_url(url: str | None) -> bool:
    """Only http(s) links to originals are rendered as links (no javascript:, data:, ...)."""
    return bool(url) and url.lower().startswith(("http://", "https://"))


def _error_page(args: MultiDict, message: str, status: int, field: str | None = None):
    """The search page with the form as it was sent, the problem said in Vietnamese."""
    return render_template("search.html", args=args, res=None, error=message,
                           error_field=field, shown=shown_facets(args),
                           pmode=province_mode(args)), status


@bp.get("/")
def search_page():
    args = _args()
    try:
        req = request_from_args(args)
        res = searcher().search(req)
    except SearchError as exc:
        return _error_page(args, page_hint(exc), 400, error_field(exc))
    except IndexDamaged:
        return _error_page(args, "Chỉ mục tìm kiếm bị hỏng; các bài viết vẫn xem được. "
                                 "Hãy chạy `vnarchive reindex` để dựng lại.", 503)
    except IndexMissing:
        return _error_page(args, "Kho lưu trữ chưa có chỉ mục. Hãy chạy "
                                 "`vnarchive ingest` trước.", 503)
    except StoreError:
        return _error_page(args, "Không đọc được kho lưu trữ; hãy chạy `vnarchive check`.", 503)
    pages = (res["total"] + req.per_page - 1) // req.per_page
    normalised = args.get("norm") == "1"
    timeline = timeline_svg(res.get("timeline"),
                            lambda a, b: url_with(args, from_=a, to=b),
                            (args.get("from") or None, args.get("to") or None),
                            volume=_archive_volume(res["timeline"]) if normalised else None)
    browsing = not args.get("q", "").strip()
    feed_qs = result_args(MultiDict([(k, v) for k, v in args.items(multi=True) if k != "sort"]))
    return render_template("search.html", args=args, res=res, req=req, pages=pages,
                           fallback_messages=FALLBACK_MESSAGES,
                           error=None, timeline=timeline, shown=shown_facets(args),
                           pmode=province_mode(args), browsing=browsing,
                           has_filters=bool(req.filters or req.exclude or req.date_from
                                            or req.date_to),
                           examples=EXAMPLES, undated=_undated(res), normalised=normalised,
                           excluded_undated=_excluded_undated(req),
                           feed_url=url_for("feeds.search_feed") + ("?" + feed_qs if feed_qs
                                                                   else ""))


def _archive_volume(timeline: dict) -> dict[str, int]:
    """The whole archive's article count per bucket of ``timeline`` (same interval, same
    days), bucket start → count, for the normalised chart."""
    got = timeline["buckets"]
    if not got:
        return {}
    whole = searcher().search(SearchRequest(
        per_page=1, with_snippets=False, facet_limit=1, interval=timeline["interval"],
        date_from=date.fromisoformat(got[0]["start"]),
        date_to=date.fromisoformat(got[-1]["end"])))
    return {b["start"]: b["count"] for b in whole["timeline"]["buckets"]}


def _undated(res: dict) -> int:
    """Matches without a publication date (they are on no bar of the timeline)."""
    return (res.get("timeline") or {}).get("undated", 0)


def _excluded_undated(req) -> int:
    """How many undated matches a date filter leaves out (0 without one)."""
    if not (req.date_from or req.date_to):
        return 0
    whole = searcher().search(replace(req, date_from=None, date_to=None, page=1, per_page=1,
                                      with_snippets=False, facet_limit=1))
    return _undated(whole)


@bp.get("/facets/<name>")
def facet_page(name: str):
    """The "xem thêm" page: every value of one facet as checkboxes, other filters kept."""
    if name not in FACETS:
        abort(404)
    args = _args()
    try:
        req = request_from_args(args)
        values = searcher().facet_values(name, req, limit=FACET_PAGE_ALL)
    except SearchError as exc:
        return _error_page(args, page_hint(exc), 400, error_field(exc))
    except IndexMissing:
        abort(503)
    shown = values[:FACET_PAGE_MAX]
    shown += [v for v in values[FACET_PAGE_MAX:] if v["selected"]]  # ticked stay visible
    qs = result_args(args)
    return render_template("facet.html", args=args, name=name, values=shown,
                           total_values=len(values), qs=qs,
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
    args = _args()  # the search the reader came from: kept for the way back, words marked
    terms = query_terms(args.get("q", ""))
    mark = (lambda text: highlight(text, terms)) if terms else (lambda text: text)
    return render_template("article.html", a=data, has_raw=has_raw, duplicates=duplicates,
                           mark=mark, versions=_versions(article_id), version_shown=None,
                           came_from=args,
                           back=url_for("pages.search_page") + _query(args).rstrip("?"))


@bp.get(f"/articles/{_ID}/versions/{_N}")
def version_page(article_id: int, n: int):
    """One earlier (or the current) version as it was captured; no entities of its own."""
    found = searcher().version(article_id, n)
    if found is None:
        abort(404)
    return render_template("article.html", a=found, has_raw=found["has_raw"], duplicates=[],
                           versions=_versions(article_id), version_shown=found,
                           came_from=MultiDict(),
                           mark=lambda text: text, back=url_for("pages.search_page"))


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
