"""Security headers on every response; CORS only when configured, only on the API."""
from __future__ import annotations

from flask import Flask

from web import security


def _app(origins) -> Flask:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = origins
    app.add_url_rule("/api/x", "api", lambda: "{}")
    app.add_url_rule("/page", "page", lambda: "<p>")
    security.install(app)
    return app


def test_headers_on_pages_and_api():
    c = _app([]).test_client()
    for path in ("/page", "/api/x"):
        r = c.get(path, headers={"Origin": "https://evil.example"})
        assert r.headers["Content-Security-Policy"] == security.PAGE_CSP
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert r.headers["Referrer-Policy"] == "no-referrer"
        assert "Access-Control-Allow-Origin" not in r.headers


def test_cors_for_listed_origins_on_the_api_only():
    c = _app(["https://bao.vn"]).test_client()
    assert c.get("/api/x", headers={"Origin": "https://bao.vn"}).headers[
        "Access-Control-Allow-Origin"] == "https://bao.vn"
    assert "Access-Control-Allow-Origin" not in c.get(
        "/api/x", headers={"Origin": "https://khac.vn"}).headers
    assert "Access-Control-Allow-Origin" not in c.get(
        "/page", headers={"Origin": "https://bao.vn"}).headers


def test_archived_pages_policy_forbids_scripts_and_network():
    assert "sandbox" in security.RAW_CSP and "default-src 'none'" in security.RAW_CSP
    assert "script-src" not in security.RAW_CSP  # falls back to default-src 'none'
