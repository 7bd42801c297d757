"""Hostile inputs of our own making, for the reliability and fuzz tests and for
``bench/hostile.py``: forged canonicals, truncated and inflating WARC records, deep and
broken JSON, pages and lines too big to hold.  All text is fictional."""
from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

__all__ = ["article_html", "write_warc", "write_gzip_zeros", "gzip_bomb", "deep_json",
           "BODY"]

BODY = ("Sáng nay, Ủy ban nhân dân huyện Mẫu Sơn tổ chức hội nghị tổng kết chương trình "
        "giảm nghèo bền vững giai đoạn vừa qua, với sự tham gia của đại diện các xã, hợp tác "
        "xã và người dân trong vùng.",
        "Theo báo cáo, tỷ lệ hộ nghèo của huyện đã giảm mạnh nhờ các mô hình trồng lúa hữu "
        "cơ, nuôi bò sinh sản và đào tạo nghề cho lao động nông thôn; nhiều tuyến đường giao "
        "thông nông thôn được bê tông hoá.",
        "Hội nghị cũng đề ra kế hoạch cho năm tới, tập trung hỗ trợ vốn vay ưu đãi và chuyển "
        "đổi số trong sản xuất nông nghiệp ở các xã vùng sâu.")


def article_html(title: str, *, canonical: str | None = None, og_url: str | None = None,
                 extra_paragraphs: int = 0) -> bytes:
    head = f"<title>{title}</title>"
    if canonical:
        head += f'<link rel="canonical" href="{canonical}">'
    if og_url:
        head += f'<meta property="og:url" content="{og_url}">'
    paras = "".join(f"<p>{p}</p>" for p in BODY + BODY[:1] * extra_paragraphs)
    return (f"<html><head><meta charset='utf-8'>{head}</head><body><article><h1>{title}</h1>"
            f"{paras}</article></body></html>").encode()


def write_warc(path: Path, pages: list[tuple[str, bytes]], *, content_encoding: str = "",
               truncate_by: int = 0, payload_length: int | None = None) -> Path:
    """A WARC file of 200 text/html responses (``target uri``, payload).  ``truncate_by``
    cuts that many bytes off the end of the (uncompressed) file, inside the last record."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False, warc_version="1.1")
    for uri, payload in pages:
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if content_encoding:
            headers.append(("Content-Encoding", content_encoding))
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(uri, "response", payload=io.BytesIO(payload),
                                           length=payload_length or len(payload),
                                           http_headers=http)
        writer.write_record(record)
    data = buf.getvalue()
    if truncate_by:
        data = data[:-truncate_by]
    path.write_bytes(data)
    return path


def gzip_bomb(size: int, chunk: bytes = b"<p>" + b"\0" * 65533 + b"\n") -> bytes:
    """gzip data that inflates to ``size`` bytes (about 1000:1)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    out, left = [], size
    while left > 0:
        piece = chunk[:left]
        out.append(comp.compress(piece))
        left -= len(piece)
    out.append(comp.flush())
    return b"".join(out)


def write_gzip_zeros(path: Path, size: int) -> Path:
    """``size`` zero bytes (no newline at all) gzipped, written without holding them."""
    block = b"\0" * (1 << 20)
    with gzip.open(path, "wb", compresslevel=1) as fh:
        for _ in range(size >> 20):
            fh.write(block)
    return path


def deep_json(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth + b"\n"


def good_record(i: int, marker: str = "hostile") -> str:
    return json.dumps({"url": f"https://tin-tot.example/bai-{i}", "title": f"Bài tốt số {i}",
                       "body": "\n".join(BODY) + f"\nMã {marker} {i}."}, ensure_ascii=False)


class TrickleServer:
    """An HTTP server on 127.0.0.1 that answers every request one byte per ``interval``
    seconds (headers first), for at most ``max_seconds`` per connection."""

    RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Padding: " + b"x" * 400
                + b"\r\n\r\n<html></html>")

    def __init__(self, interval: float = 0.2, max_seconds: float = 30.0) -> None:
        import socket
        import threading
        self.interval, self.max_seconds = interval, max_seconds
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        import threading
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn) -> None:
        import time
        started = time.monotonic()
        try:
            conn.settimeout(1.0)
            try:
                conn.recv(65536)
            except OSError:
                pass
            for byte in self.RESPONSE:
                if self.stop.is_set() or time.monotonic() - started > self.max_seconds:
                    break
                conn.sendall(bytes([byte]))
                time.sleep(self.interval)
        except OSError:
            pass
        finally:
            conn.close()

    def __enter__(self) -> "TrickleServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()
