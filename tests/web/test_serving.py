"""Serving: the address is bound before anything is said, limits set deliberately."""
from __future__ import annotations

import socket

import pytest
from flask import Flask

from web.serving import CHANNEL_TIMEOUT, CONNECTION_LIMIT, create_server


def test_a_busy_port_is_an_oserror_before_serving():
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    try:
        with pytest.raises(OSError):
            create_server(Flask(__name__), "127.0.0.1", busy.getsockname()[1])
    finally:
        busy.close()


def test_limits_are_passed_to_waitress():
    server = create_server(Flask(__name__), "127.0.0.1", 0, connection_limit=50,
                           channel_timeout=7)
    try:
        assert server.adj.connection_limit == 50 and server.adj.channel_timeout == 7
        assert CONNECTION_LIMIT >= 1000 and CHANNEL_TIMEOUT <= 60
    finally:
        server.close()


def test_waitress_own_errors_have_the_json_shape_and_security_headers():
    import json
    import threading
    import urllib.request
    from urllib.error import HTTPError

    server = create_server(Flask(__name__), "127.0.0.1", 0)
    port = server.effective_port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/search",
                                     headers={"X-Big": "x" * 300_000})
        with pytest.raises(HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        assert err.value.code == 431
        assert err.value.headers["X-Content-Type-Options"] == "nosniff"
        assert err.value.headers["Content-Security-Policy"]
        body = json.loads(err.value.read())
        assert body["error"]["code"] == "request_header_fields_too_large"
    finally:
        server.close()


def test_warm_up_loads_the_first_query_or_says_why_it_cannot(app, tmp_path):
    from indexer.analysis import crfseg
    from web import create_app
    from web.serving import warm_up
    try:
        assert warm_up(app) is None
        empty = create_app({"DATA_DIR": str(tmp_path / "nothing"), "TESTING": True})
        problem = warm_up(empty)
        assert isinstance(problem, str) and problem
    finally:  # warm_up switches the process to underthesea's own model; ingest tests want ours
        crfseg.use_model(True)
