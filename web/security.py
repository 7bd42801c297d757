"""Security headers on every response, and opt-in CORS for the API.

CORS is off by default; ``app.config["CORS_ORIGINS"]`` lists allowed origins
(``["*"]`` allows any).  Only /api/ responses ever carry CORS headers."""
from __future__ import annotations

from flask import Flask, Response, request

__all__ = ["install", "PAGE_CSP", "RAW_CSP"]

# Our pages load nothing from elsewhere and only our own small script.
PAGE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'self'; form-action 'self'")
# An archived page is shown as inert data: no scripts, no plugins, no network, sandboxed.
RAW_CSP = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
           "base-uri 'none'; form-action 'none'; frame-ancestors 'self'")


def install(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        origins = app.config.get("CORS_ORIGINS") or []
        origin = request.headers.get("Origin")
        if request.path.startswith("/api/") and origin and ("*" in origins or origin in origins):
            response.headers["Access-Control-Allow-Origin"] = "*" if "*" in origins else origin
            response.headers["Vary"] = "Origin"
            response.headers["Access-Control-Expose-Headers"] = \
                "X-Total-Count, X-Export-Limit, X-Export-Truncated, Content-Disposition"
            if request.method == "OPTIONS":  # preflight: read-only API
                response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
                response.headers["Access-Control-Max-Age"] = "600"
        return response
