"""web: the Flask app — a search page blueprint and a JSON API blueprint."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["create_app"]

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": "data",
    "CORS_ORIGINS": [],          # e.g. ["https://example.org"]; off by default
    "EXPORT_MAX": 10000,         # most rows one CSV/JSON export streams
    "JSON_AS_ASCII": False,
    "FEED_CACHE_SIZE": 256,      # feed searches kept in memory (web.feedcache)
    "REFRESH_INTERVAL": 0.5,     # seconds between looks for a newly published index
    "ENGINE": None,              # "embedded" | "opensearch"; None: $VNARCHIVE_ENGINE or embedded
    "OPENSEARCH_URL": None,      # None: $VNARCHIVE_OPENSEARCH_URL
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app for one data dir; no module-level app or index exists."""
    from indexer import open_engine
    from web import api, feeds, officials, pages, security

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # the engine behind the seam (``indexer.search.SearchEngine``): embedded unless
    # ENGINE / $VNARCHIVE_ENGINE says opensearch; the blueprints never know which
    app.extensions["vnarchive"] = open_engine(
        Path(app.config["DATA_DIR"]), app.config.get("ENGINE"), app.config.get("OPENSEARCH_URL"),
        prefetch=True, refresh_interval=float(app.config["REFRESH_INTERVAL"]))
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp, url_prefix="/api")
    app.register_blueprint(officials.pages)
    app.register_blueprint(officials.api, url_prefix="/api")
    app.jinja_env.filters["official_slug"] = officials.official_slug
    app.register_blueprint(feeds.bp)
    feeds.feed_cache(app)  # made before the first request: no two caches under a race
    security.install(app)
    _install_errors(app)
    return app


def _install_errors(app: Flask) -> None:
    from flask import render_template, request
    from werkzeug.exceptions import HTTPException

    from archive.store import StoreError
    from indexer import IndexMissing
    from web.api import error, handle_http_error

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        if request.path.startswith("/api/") or request.path == "/api":
            return handle_http_error(exc)
        messages = {400: "Yêu cầu không hợp lệ.", 404: "Không tìm thấy trang này.",
                    405: "Phương thức không được hỗ trợ.",
                    503: "Kho lưu trữ chưa sẵn sàng (chưa có chỉ mục)."}
        return render_template("error.html", code=exc.code,
                               message=messages.get(exc.code or 500, exc.description)), exc.code

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return _http(exc)
        if isinstance(exc, (StoreError, IndexMissing)):  # damaged files: say so, 503
            app.logger.error("%s: %s", request.path, exc)
            if request.path.startswith("/api/"):
                return error(503, "unavailable", str(exc))
            return render_template("error.html", code=503, message=str(exc)), 503
        app.logger.exception("unhandled error on %s", request.path)
        if request.path.startswith("/api/"):
            return error(500, "internal_error", "internal error; it has been logged")
        return render_template("error.html", code=500,
                               message="Lỗi máy chủ; lỗi đã được ghi lại."), 500
