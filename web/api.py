"""The JSON API under /api; every failure has the shape {"error": {"code", "message"}}."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from archive.store import StoreError
from indexer import SearchEngine, IndexDamaged, IndexMissing, SearchError
from web import export as _export
from web.openapi import spec
from web.params import int_param, request_from_args

__all__ = ["bp", "error"]

bp = Blueprint("api", __name__)


def searcher() -> SearchEngine:
    return current_app.extensions["vnarchive"]


def error(status: int, code: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message}}), status


@bp.errorhandler(SearchError)
def _bad_request(exc: SearchError):
    status = 404 if exc.code == "not_found" else 400
    return error(status, exc.code, str(exc))


@bp.errorhandler(IndexMissing)
def _no_index(exc: IndexMissing):
    return error(503, "index_damaged" if isinstance(exc, IndexDamaged) else "no_index", str(exc))


@bp.errorhandler(StoreError)
def _no_store(exc: StoreError):
    return error(503, "store_unavailable", str(exc))


@bp.get("/search")
def search():
    req = request_from_args(request.args)
    return jsonify(searcher().search(req))


@bp.get("/articles/<article_id>")
def article(article_id: str):
    if not article_id.isdigit() or len(article_id) > 18:
        return error(404, "not_found", f"no article with id {article_id[:40]!r}")
    data = searcher().article(int(article_id))
    if data is None:
        return error(404, "not_found", f"no article with id {article_id}")
    return jsonify(data)


def _article_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 18 else None


_SUMMARY = ("version", "title", "content_hash", "fetched", "last_seen", "seen",
            "warc_record_id", "has_raw", "current")


@bp.get("/articles/<article_id>/versions")
def versions(article_id: str):
    aid = _article_id(article_id)
    found = searcher().versions(aid) if aid is not None else None
    if not found:
        return error(404, "not_found", f"no article with id {article_id[:40]!r}")
    return jsonify({"id": aid, "url": found[-1]["url"],
                    "versions": [{k: v[k] for k in _SUMMARY} for v in found]})


@bp.get("/articles/<article_id>/versions/<n>")
def version(article_id: str, n: str):
    aid, number = _article_id(article_id), _article_id(n)
    found = searcher().version(aid, number) if aid is not None and number is not None else None
    if found is None:
        return error(404, "not_found",
                     f"no version {n[:20]!r} of an article with id {article_id[:40]!r}")
    return jsonify(found)


@bp.get("/suggest")
def suggest():
    q = request.args.get("q", "")
    if len(q) > 200:
        raise SearchError("'q' too long for suggestions (at most 200 characters)")
    return jsonify({"query": q, "suggestions": searcher().suggest(q) if q.strip() else []})


FACET_LIST_MAX = 100_000


def _facet_list(name: str) -> tuple[list[dict], int]:
    """(the first ``limit`` values, how many values there are) for one facet."""
    req = request_from_args(request.args)
    limit = int_param(request.args, "limit", 500, 1, FACET_LIST_MAX)
    values = searcher().facet_values(name, req, limit=FACET_LIST_MAX)
    return values[:limit], len(values)


@bp.get("/facets/<name>.csv")
def facet_csv(name: str):
    """One facet's values and counts as CSV (UTF-8 with BOM, formula-safe)."""
    values, _ = _facet_list(name)
    lines = ["\ufeffvalue,count,selected"] + [
        ",".join(_export.csv_cell(c) for c in (v["value"], v["count"], v["selected"]))
        for v in values]
    response = Response("\r\n".join(lines) + "\r\n", mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="vnarchive-{name}.csv"'
    return response


@bp.get("/facets/<name>")
def facet(name: str):
    values, total = _facet_list(name)
    return jsonify({"facet": name, "values": values, "total_values": total})


@bp.get("/stats")
def stats():
    return jsonify(searcher().stats())


@bp.get("/export.csv")
def export_csv():
    """Every match (up to EXPORT_MAX, or ?limit=) as a streamed, formula-safe CSV."""
    return _export.export_csv(searcher(), request.args)


@bp.get("/export.json")
def export_json():
    """Every match (up to EXPORT_MAX, or ?limit=) as one streamed JSON document."""
    return _export.export_json(searcher(), request.args)


@bp.get("/openapi.json")
def openapi():
    return jsonify(spec(int(current_app.config.get("EXPORT_MAX", 10000))))


def handle_http_error(exc: HTTPException):
    """App-wide: JSON errors for /api paths (unknown routes, wrong methods, ...)."""
    code = (exc.name or "error").lower().replace(" ", "_")
    response, status = error(exc.code or 500, code, exc.description or exc.name)
    if getattr(exc, "valid_methods", None):  # a 405 says what is allowed
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response, status
