"""Serving the app with waitress, with its limits chosen deliberately (entry point:
``create_server``).

waitress's defaults (100 connections, 120 s of silence) let 100 clients that send a header
line every few seconds lock everyone out (it reads headers without a total deadline).  The
limits here make that take many more connections; in public, a reverse proxy that buffers
requests should stand in front (README, "Serving")."""
from __future__ import annotations

import json
import logging
import re
import resource

from flask import Flask
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

from web.security import PAGE_CSP

__all__ = ["create_server", "warm_up", "CONNECTION_LIMIT", "CHANNEL_TIMEOUT"]

CONNECTION_LIMIT = 1000   # open connections accepted at once
CHANNEL_TIMEOUT = 30      # seconds of silence before a connection is closed


def create_server(app: Flask, host: str, port: int, *, threads: int = 8,
                  connection_limit: int = CONNECTION_LIMIT,
                  channel_timeout: int = CHANNEL_TIMEOUT):
    """A waitress server bound to ``host:port`` (``.run()`` serves); raises ``OSError``
    when the address cannot be bound, before anything is served."""
    from waitress.server import create_server as waitress_server

    # waitress logs one "task queue depth" warning per queued request under load; a
    # supervisor that does not drain stderr would then stall the server on a full pipe.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    _raise_open_files(connection_limit + 64)
    # poll() rather than select(), which cannot watch descriptors above 1024
    server = waitress_server(app, host=host, port=port, threads=threads, ident="vnarchive",
                             connection_limit=connection_limit, channel_timeout=channel_timeout,
                             cleanup_interval=min(10, channel_timeout), asyncore_use_poll=True)
    server.channel_class = _Channel
    return server


def warm_up(app: Flask) -> str | None:
    """Load what the first query needs (segmenter model, facet columns, field lengths, the
    did-you-mean vocabulary) before anyone waits for it; returns why it could not, if so
    (an empty or missing index, which the page itself reports)."""
    from indexer import SearchRequest
    from indexer.analysis import crfseg

    crfseg.use_model(False)  # queries are a few words: underthesea's own model, less memory
    try:
        for q in ("khởi động", "khoi dong"):
            app.extensions["vnarchive"].search(SearchRequest(q=q))
    except Exception as exc:  # noqa: BLE001 - any failure here is the page's to report
        return str(exc) or type(exc).__name__
    return None


class _JsonErrorTask(ErrorTask):
    """waitress's own error answers (431 headers too large, 400 malformed request, …), in
    the API's error shape and with the security headers every other response carries."""

    def execute(self) -> None:
        e = self.request.error
        code = re.sub(r"[^a-z]+", "_", e.reason.lower()).strip("_")
        body = json.dumps({"error": {"code": code, "message": f"{e.reason}: {e.body}"}},
                          ensure_ascii=False).encode("utf-8")
        self.status = f"{e.code} {e.reason}"
        self.response_headers.extend([
            ("Content-Type", "application/json"), ("Content-Security-Policy", PAGE_CSP),
            ("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "SAMEORIGIN")])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Channel(HTTPChannel):
    error_task_class = _JsonErrorTask


def _raise_open_files(wanted: int) -> None:
    """Let the server hold ``wanted`` descriptors (soft limit up to the hard one)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
