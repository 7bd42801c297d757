"""A search as an Atom feed: ``GET /feeds/search.atom?<the search page's parameters>``.

Stateless (the query is the URL), newest matches first, at most ``MAX_ENTRIES`` entries
(``per_page`` lowers it), cached by readers through ``ETag`` / ``Cache-Control`` and on
the server per index generation (``web.feedcache``).  Atom requires a date on every entry,
so undated articles are left out of feeds.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timezone
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, url_for
from werkzeug.datastructures import MultiDict

from indexer import SearchEngine, IndexMissing, SearchError
from web.export import plain_snippet
from web.feedcache import FeedCache, request_key
from web.params import page_hint, request_from_args

__all__ = ["bp", "MAX_ENTRIES", "feed_title", "atom", "feed_cache", "CACHE_SIZE"]

bp = Blueprint("feeds", __name__)

MAX_ENTRIES = 100
DEFAULT_ENTRIES = 50
MAX_AGE = 300  # seconds a reader may keep the feed without asking again
CACHE_SIZE = 256  # feed searches kept per app (``FEED_CACHE_SIZE`` in the app config)
ATOM = "http://www.w3.org/2005/Atom"
# only what selects the result set; sort and paging are the feed's own
VIEW_PARAMS = ("page", "per_page", "sort", "pmode", "norm", "interval")


def feed_title(args: MultiDict) -> str:
    """«giảm nghèo» · Long An — the query, then the filter values.

    >>> feed_title(MultiDict([("q", "giảm nghèo"), ("province", "Long An")]))
    'vnarchive: «giảm nghèo» · Long An'
    """
    parts = [f"«{args['q'].strip()}»"] if args.get("q", "").strip() else []
    parts += [v for k, v in args.items(multi=True) if k not in VIEW_PARAMS + ("q",) and v]
    return "vnarchive: " + (" · ".join(parts) or "bài mới nhất")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = text
    return el


def atom(res: dict, args: MultiDict, self_url: str, page_url: str,
         permalink) -> bytes:
    """The feed document for one search answer."""
    ET.register_namespace("", ATOM)
    hits = [h for h in res["results"] if h.get("published")]
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "vi"})
    _sub(feed, "id", self_url)
    _sub(feed, "title", feed_title(args))
    _sub(feed, "subtitle", f"{res['total']} bài khớp; {len(hits)} bài mới nhất trong nguồn tin")
    updated = max((h["published"] for h in hits), default=None) or \
        datetime.fromtimestamp(0, timezone.utc).isoformat()
    _sub(feed, "updated", updated)
    _sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    _sub(_sub(feed, "author"), "name", "vnarchive")
    _sub(feed, "generator", "vnarchive")
    for h in hits:
        entry = _sub(feed, "entry")
        link = permalink(h["id"])
        _sub(entry, "id", link)
        _sub(entry, "title", h["title"] or h["url"])
        _sub(entry, "updated", h["published"])
        _sub(entry, "published", h["published"])
        _sub(entry, "link", rel="alternate", type="text/html", href=link)
        if h.get("url", "").lower().startswith(("http://", "https://")):
            _sub(entry, "link", rel="via", href=h["url"])
        _sub(_sub(entry, "author"), "name", h.get("site") or "vnarchive")
        if h.get("snippet"):
            _sub(entry, "summary", plain_snippet(h["snippet"]))
        for value in (*h.get("provinces", ()), *h.get("programs", ())):
            _sub(entry, "category", term=value)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def searcher() -> SearchEngine:
    return current_app.extensions["vnarchive"]


def feed_cache(app=None) -> FeedCache:
    """The app's feed cache (its ``stats()`` say how many searches it saved)."""
    app = app or current_app
    return app.extensions.setdefault(
        "vnarchive.feeds", FeedCache(int(app.config.get("FEED_CACHE_SIZE", CACHE_SIZE))))


@bp.get("/feeds/search.atom")
def search_feed():
    args = MultiDict(request.args)
    try:
        req = request_from_args(args, default_per_page=DEFAULT_ENTRIES)
        req = replace(req, sort="newest", page=1, per_page=min(req.per_page, MAX_ENTRIES),
                      with_facets=False)
        res = feed_cache().get(searcher().generation(), request_key(req),
                               lambda: searcher().search(req))
    except SearchError as exc:
        return Response(page_hint(exc) + "\n" + str(exc) + "\n", 400, mimetype="text/plain")
    except IndexMissing:
        return Response("Kho lưu trữ chưa có chỉ mục.\n", 503, mimetype="text/plain")
    root = request.host_url.rstrip("/")
    selecting = [(k, v) for k, v in args.items(multi=True) if k not in VIEW_PARAMS and v]
    page_url = root + url_for("pages.search_page", **_multi(selecting), sort="newest")
    body = atom(res, args, request.url, page_url,
                lambda aid: root + url_for("pages.article_page", article_id=aid))
    response = Response(body, mimetype="application/atom+xml")
    response.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


def _multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out
