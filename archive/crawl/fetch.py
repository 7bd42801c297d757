"""One HTTP exchange, standard library only, with hard limits on time and size.

The crawler follows redirects itself (so every hop is checked against robots.txt and
recorded), so :func:`fetch` never follows one.  Bodies are streamed: a page whose
``Content-Length`` is over the limit is refused before a byte of it is read, one without
a length is cut off as soon as it passes the limit, and a non-HTML type is refused on its
headers alone.
"""
from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import urlsplit

__all__ = ["FetchedPage", "Response", "FetchError", "fetch", "media_type", "abort_requests"]

_CHUNK = 64 * 1024


class _Watch:
    """One request's deadline: when it passes (or on ``abort``), the socket is shut down
    under whatever read or write is blocked on it, which then fails at once.  Socket
    timeouts alone cannot do this: a server sending one byte a second resets them forever."""

    def __init__(self, conn: http.client.HTTPConnection, seconds: float) -> None:
        self.conn, self.why = conn, ""
        self.timer = threading.Timer(seconds, self.abort, args=("timeout",))
        self.timer.daemon = True

    def __enter__(self) -> "_Watch":
        with _ACTIVE_LOCK:
            _ACTIVE.add(self)
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()
        with _ACTIVE_LOCK:
            _ACTIVE.discard(self)

    def abort(self, why: str) -> None:
        self.why = self.why or why
        sock = self.conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


_ACTIVE: set[_Watch] = set()
_ACTIVE_LOCK = threading.Lock()


def abort_requests() -> int:
    """End every request in flight in this process now (Ctrl-C); returns how many."""
    with _ACTIVE_LOCK:
        watches = list(_ACTIVE)
    for w in watches:
        w.abort("interrupted")
    return len(watches)


@dataclass(frozen=True)
class FetchedPage:
    """A fetched (or archived) page as handed to the cleaner."""

    url: str           # the url the crawler asked for
    final_url: str     # the url after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes        # content-decoded (no gzip), as the server's charset encodes it
    fetched: datetime  # aware
    record_id: str | None = None  # WARC-Record-ID of the response record holding it

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class Response:
    """What came back, with what the WARC record needs (raw headers and payload)."""

    url: str
    status: int
    reason: str
    version: str                     # "HTTP/1.1"
    header_list: list[tuple[str, str]]
    raw_body: bytes                  # as sent, still content-encoded
    body: bytes                      # content-decoded
    request_headers: list[tuple[str, str]]
    started: datetime
    elapsed: float
    skipped: str | None = None       # e.g. "content_type:application/pdf", "too_large"
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.headers:
            self.headers = {k.lower(): v for k, v in self.header_list}


class FetchError(Exception):
    """A request that produced no usable response; ``reason`` is short and loggable."""

    def __init__(self, reason: str, transient: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _decode_content(raw: bytes, encoding: str, limit: int) -> bytes:
    """Undo gzip/deflate, refusing to inflate past ``limit`` (a gzip bomb is a big page too)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return raw
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"content_encoding:{encoding}", transient=False)
    wbits = 47 if encoding != "deflate" else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(raw, limit + 1)
    except zlib.error:
        if encoding == "deflate":  # some servers send raw deflate without the zlib header
            try:
                inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                out = inflater.decompress(raw, limit + 1)
            except zlib.error as exc:
                raise FetchError("bad_content_encoding", transient=False) from exc
        else:
            raise FetchError("bad_content_encoding", transient=False)
    if len(out) > limit or inflater.unconsumed_tail:
        raise FetchError("too_large", transient=False)
    return out


def fetch(url: str, *, user_agent: str, timeout: float, max_bytes: int,
          extra_headers: dict[str, str] | None = None,
          accept: tuple[str, ...] | None = None, deadline: float | None = None) -> Response:
    """GET ``url`` once.  ``accept`` lists media types whose bodies are worth reading.

    Network failures raise :class:`FetchError`; HTTP errors are responses like any other.
    ``timeout`` bounds each socket operation; ``deadline`` (default ``3 * timeout``) the
    whole exchange: connect, headers and body.
    """
    limit = deadline if deadline is not None else 3 * timeout
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("bad_url", transient=False)
    conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    kwargs: dict = {"timeout": min(timeout, limit)}
    if parts.scheme == "https":
        kwargs["context"] = ssl.create_default_context()
    conn = conn_cls(parts.hostname, parts.port, **kwargs)
    watch = _Watch(conn, limit)
    try:
        with watch:
            resp = _exchange(conn, url, parts, user_agent, timeout, max_bytes,
                             extra_headers, accept, limit)
        if watch.why:  # a shut-down socket reads as the end of the body: never keep it
            raise FetchError(watch.why)
        return resp
    except FetchError as exc:
        if watch.why and exc.reason != watch.why:
            raise FetchError(watch.why) from exc
        raise
    finally:
        # Closing without reading the rest is how an oversized body is left unread.
        conn.close()


def _exchange(conn: http.client.HTTPConnection, url: str, parts, user_agent: str,
              timeout: float, max_bytes: int, extra_headers: dict[str, str] | None,
              accept: tuple[str, ...] | None, limit: float) -> Response:
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip",
               "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5",
               "Connection": "close"}
    headers.update(extra_headers or {})
    host_header = parts.netloc.rsplit("@", 1)[-1]
    request_headers = [("Host", host_header)] + list(headers.items())
    started = datetime.now(timezone.utc)
    t0 = time.monotonic()
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        header_list = [(k, v) for k, v in resp.getheaders()]
        lowered = {k.lower(): v for k, v in header_list}
        version = "HTTP/1.0" if resp.version == 10 else "HTTP/1.1"
        skipped = None
        raw = b""
        ctype = media_type(lowered.get("content-type", ""))
        length = lowered.get("content-length", "")
        if resp.status == 200 and accept is not None and ctype not in accept:
            skipped = f"content_type:{ctype or 'none'}"
        elif length.isdigit() and int(length) > max_bytes:
            skipped = "too_large"
        else:
            chunks: list[bytes] = []
            total = 0
            while True:
                if time.monotonic() - t0 > limit:
                    raise FetchError("timeout")  # a trickling server must not hold us forever
                chunk = resp.read1(_CHUNK) if hasattr(resp, "read1") else resp.read(_CHUNK)
                if not chunk:
                    break
                total += len(chunk)
                if total > max_bytes:
                    skipped = "too_large"
                    chunks = []
                    break
                chunks.append(chunk)
            raw = b"".join(chunks)
        body = b""
        if skipped is None:
            body = _decode_content(raw, lowered.get("content-encoding", ""), max_bytes)
        return Response(url=url, status=resp.status, reason=resp.reason or "", version=version,
                        header_list=header_list, raw_body=raw, body=body,
                        request_headers=request_headers, started=started,
                        elapsed=time.monotonic() - t0, skipped=skipped)
    except FetchError:
        raise
    except (socket.timeout, TimeoutError) as exc:
        raise FetchError("timeout") from exc
    except ssl.SSLError as exc:
        raise FetchError("tls_error", transient=False) from exc
    except (http.client.HTTPException, OSError) as exc:
        raise FetchError(f"connection:{type(exc).__name__}") from exc
