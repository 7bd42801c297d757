"""Officials as people: their page (/officials/<slug>) and JSON (/api/officials...).

A blueprint of its own so the search and article pages only gain links to it.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request

from indexer import SearchEngine, IndexMissing, SearchError
from indexer.entities.people import slug as official_slug
from indexer.search import MAX_PAGE, MAX_PER_PAGE

__all__ = ["pages", "api", "official_slug"]

pages = Blueprint("officials", __name__)
api = Blueprint("officials_api", __name__)


def _searcher() -> SearchEngine:
    return current_app.extensions["vnarchive"]


def _error(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


def _int_arg(name: str, default: int, top: int) -> int:
    raw = request.args.get(name, str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= top:
        raise SearchError(f"{name} must be a whole number between 1 and {top}")
    return int(raw)


def _record(person: str):
    q = request.args.get("q", "")
    if len(q) > 500:
        raise SearchError("'q' too long (at most 500 characters)")
    page = _int_arg("page", 1, MAX_PAGE)
    per_page = _int_arg("per_page", 20, MAX_PER_PAGE)
    if len(person) > 200:
        return None
    return _searcher().official(person, q=q, page=page, per_page=per_page)


@api.errorhandler(SearchError)
def _bad(exc: SearchError):
    return _error(404 if exc.code == "not_found" else 400, exc.code, str(exc))


@api.errorhandler(IndexMissing)
def _no_index(exc: IndexMissing):
    return _error(503, "no_index", str(exc))


@api.get("/officials")
def find():
    q = request.args.get("q", "")
    if len(q) > 200:
        raise SearchError("'q' too long (at most 200 characters)")
    limit = _int_arg("limit", 20, 100)
    return jsonify({"query": q, "officials": _searcher().find_officials(q, limit)})


@api.get("/officials/<person>")
def record(person: str):
    data = _record(person)
    if data is None:
        return _error(404, "not_found", f"no official {person[:60]!r}")
    return jsonify(data)


@pages.get("/officials/<person>")
def page(person: str):
    try:
        data = _record(person)
    except SearchError:
        abort(400)
    except IndexMissing:
        abort(503)
    if data is None:
        abort(404)
    return render_template("official.html", o=data, q=request.args.get("q", ""))
