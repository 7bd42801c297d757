"""``fetch``: one GET against a real HTTP server on 127.0.0.1, with its limits on size, type
and encoding; redirects come back as responses (the crawler follows them itself)."""
from __future__ import annotations

import gzip
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from archive.crawl.fetch import FetchError, Response, fetch, media_type

PAGE = "<html><body><p>Giảm nghèo bền vững ở Long An</p></body></html>".encode()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    protocol_version = "HTTP/1.1"

    def _send(self, status: int, body: bytes, **named: str) -> None:
        headers = {name.replace("_", "-"): value for name, value in named.items()}
        self.send_response(status)
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        for name, value in headers.items():
            self.send_header(name, value)
        if "Content-Length" not in headers:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.server.seen.append(dict(self.headers))
        routes = {
            "/page": lambda: self._send(200, PAGE),
            "/gzip": lambda: self._send(200, gzip.compress(PAGE), Content_Encoding="gzip"),
            "/deflate-raw": lambda: self._send(200, zlib.compress(PAGE)[2:-4], Content_Encoding="deflate"),
            "/pdf": lambda: self._send(200, b"%PDF-1.4", Content_Type="application/pdf"),
            "/big-declared": lambda: self._send(200, b"x" * 10, Content_Length="999999"),
            "/bomb": lambda: self._send(200, gzip.compress(b"a" * 2_000_000), Content_Encoding="gzip"),
            "/brotli": lambda: self._send(200, b"\x00\x01", Content_Encoding="br"),
            "/bad-gzip": lambda: self._send(200, b"not gzip at all", Content_Encoding="gzip"),
            "/moved": lambda: self._send(301, b"", Location="/page"),
            "/missing": lambda: self._send(404, b"<p>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y</p>"),
        }
        routes.get(self.path, routes["/missing"])()


@pytest.fixture(scope="module")
def server():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.seen = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _get(server, path: str, **kw) -> Response:
    kw.setdefault("max_bytes", 100_000)
    return fetch(f"http://127.0.0.1:{server.server_port}{path}", user_agent="vnarchive-test/1",
                 timeout=5, **kw)


def test_a_page_comes_back_with_its_headers_and_what_was_sent(server):
    resp = _get(server, "/page", extra_headers={"If-None-Match": '"v1"'})
    assert (resp.status, resp.body, resp.skipped) == (200, PAGE, None)
    assert resp.headers["content-type"] == "text/html; charset=utf-8"
    assert resp.version == "HTTP/1.1" and resp.elapsed >= 0
    sent = server.seen[-1]
    assert sent["User-Agent"] == "vnarchive-test/1" and sent["If-None-Match"] == '"v1"'
    assert ("Host", f"127.0.0.1:{server.server_port}") in resp.request_headers


def test_gzip_and_raw_deflate_are_decoded_and_the_raw_bytes_kept(server):
    resp = _get(server, "/gzip")
    assert resp.body == PAGE and resp.raw_body == gzip.compress(PAGE)[: len(resp.raw_body)]
    assert resp.raw_body != resp.body
    assert _get(server, "/deflate-raw").body == PAGE


def test_a_type_not_accepted_is_skipped_on_its_headers(server):
    resp = _get(server, "/pdf", accept=("text/html",))
    assert resp.skipped == "content_type:application/pdf" and resp.body == b""
    assert _get(server, "/pdf").body == b"%PDF-1.4"  # no accept list: any type is read


def test_an_oversized_declared_length_is_refused_before_reading(server):
    resp = _get(server, "/big-declared")
    assert resp.skipped == "too_large" and resp.raw_body == b""


def test_a_gzip_bomb_is_too_large(server):
    with pytest.raises(FetchError) as err:
        _get(server, "/bomb")
    assert err.value.reason == "too_large" and not err.value.transient


@pytest.mark.parametrize("path, reason", [("/brotli", "content_encoding:br"),
                                          ("/bad-gzip", "bad_content_encoding")])
def test_undecodable_bodies_are_permanent_failures(server, path, reason):
    with pytest.raises(FetchError) as err:
        _get(server, path)
    assert err.value.reason == reason and err.value.transient is False


def test_redirects_and_errors_are_responses_not_exceptions(server):
    moved = _get(server, "/moved")
    assert moved.status == 301 and moved.headers["location"] == "/page"
    missing = _get(server, "/missing")
    assert missing.status == 404 and "Không tìm thấy".encode() in missing.body


@pytest.mark.parametrize("url", ["ftp://example.vn/a", "http:///nohost", "thtg.vn/tin"])
def test_bad_urls_fail_without_a_request(url):
    with pytest.raises(FetchError) as err:
        fetch(url, user_agent="t", timeout=1, max_bytes=10)
    assert err.value.reason == "bad_url" and not err.value.transient


def test_a_closed_port_is_a_transient_connection_failure():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(FetchError) as err:
        fetch(f"http://127.0.0.1:{port}/", user_agent="t", timeout=2, max_bytes=10)
    assert err.value.reason.startswith("connection:") and err.value.transient


@pytest.mark.parametrize("ctype, expected", [("text/html; charset=UTF-8", "text/html"),
                                             (" Application/XHTML+XML ", "application/xhtml+xml"),
                                             ("", "")])
def test_media_type(ctype, expected):
    assert media_type(ctype) == expected
