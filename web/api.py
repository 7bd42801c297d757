"""The JSON API under /api; every failure has the shape {"error": {"code", "message"}}."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from indexer import IndexMissing, SearchEngine, SearchError
from web import export as _export
from web.openapi import spec
from web.params import request_from_args

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
    return error(503, "no_index", str(exc))


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


@bp.get("/suggest")
def suggest():
    q = request.args.get("q", "")
    if len(q) > 200:
        raise SearchError("'q' too long for suggestions (at most 200 characters)")
    return jsonify({"query": q, "suggestions": searcher().suggest(q) if q.strip() else []})


@bp.get("/facets/<name>")
def facet(name: str):
    req = request_from_args(request.args)
    values = searcher().facet_values(name, req)
    return jsonify({"facet": name, "values": values})


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
