"""WARC files: what the crawler writes, and the pages the cleaner reads back from them.

Each run writes its own gzipped WARC/1.1 file(s) (one gzip member per record, so a
file cut short by kill -9 is whole up to its last committed record and can be trimmed
back to it).  Every exchange is a ``response`` record plus a ``request`` record that
points at it; a page reached through redirects also carries ``WARC-Vnarchive-Requested-URI``
(the url the crawl asked for) so :func:`iter_warc_pages` can give back ``url`` and
``final_url`` alike.
"""
from __future__ import annotations

import io
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .fetch import FetchedPage, Response, media_type

__all__ = ["WarcStore", "iter_warc_pages", "iter_warc_records", "BadRecord", "trim_warc", "page_headers", "HTML_TYPES"]

HTML_TYPES = ("text/html", "application/xhtml+xml")
REQUESTED_URI = "WARC-Vnarchive-Requested-URI"
# What the crawler took the page for: "article", "listing", "seed", "sitemap", "feed".
ROLE = "WARC-Vnarchive-Role"
# http.client has already undone chunking; a record that still said "chunked" would be
# de-chunked a second time by readers.
_DROP = {"transfer-encoding"}


def page_headers(header_list: list[tuple[str, str]]) -> dict[str, str]:
    """Headers as a :class:`FetchedPage` carries them: lower-cased, and describing the
    decoded body (the original Content-Encoding is kept under another name)."""
    headers = {k.lower(): v for k, v in header_list if k.lower() not in _DROP}
    if "content-encoding" in headers:
        headers["x-archive-orig-content-encoding"] = headers.pop("content-encoding")
    return headers


def _warc_date(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcStore:
    """Appends records to ``<dir>/<prefix>-<stamp>-<n>.warc.gz``, rolling over at ``max_size``."""

    def __init__(self, directory: Path, prefix: str = "vnarchive", max_size: int = 1 << 30,
                 software: str = "vnarchive", on_open: Callable[[str, int], None] | None = None):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.prefix, self.max_size, self.software = prefix, max_size, software
        self.stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        self.serial = 0
        self.fh: io.BufferedWriter | None = None
        self.name = ""
        self.last_record_id: str | None = None  # of the last response record written
        self.writer: WARCWriter | None = None
        # Told of each new file once its warcinfo is on disk, so crash recovery knows it.
        self.on_open = on_open

    def _open(self) -> None:
        self.name = f"{self.prefix}-{self.stamp}-{os.getpid()}-{self.serial:05d}.warc.gz"
        self.serial += 1
        self.fh = open(self.directory / self.name, "ab")
        self.writer = WARCWriter(self.fh, gzip=True, warc_version="1.1")
        info = self.writer.create_warcinfo_record(self.name, {
            "software": self.software, "hostname": socket.gethostname(),
            "format": "WARC File Format 1.1", "robots": "obey"})
        self.writer.write_record(info)
        self.fh.flush()
        if self.on_open:
            self.on_open(self.name, self.fh.tell())

    def write(self, resp: Response, requested: str | None = None,
              role: str | None = None) -> tuple[str, int, int]:
        """Write one exchange; returns (file name, record offset, file size after it), flushed."""
        if self.fh is None or self.fh.tell() >= self.max_size:
            self.close()
            self._open()
        assert self.fh is not None and self.writer is not None
        offset = self.fh.tell()
        date = _warc_date(resp.started)
        http_headers = StatusAndHeaders(f"{resp.status} {resp.reason}".strip(),
                                        [(k, v) for k, v in resp.header_list if k.lower() not in _DROP],
                                        protocol=resp.version)
        warc_headers = {"WARC-Date": date}
        if requested and requested != resp.url:
            warc_headers[REQUESTED_URI] = requested
        if role:
            warc_headers[ROLE] = role
        record = self.writer.create_warc_record(
            resp.url, "response", payload=io.BytesIO(resp.raw_body), length=len(resp.raw_body),
            http_headers=http_headers, warc_headers_dict=warc_headers)
        self.writer.write_record(record)
        self.last_record_id = record.rec_headers.get_header("WARC-Record-ID")
        path = resp.url.split("://", 1)[-1]
        path = "/" + path.split("/", 1)[1] if "/" in path else "/"
        req_headers = StatusAndHeaders(f"GET {path} {resp.version}", resp.request_headers,
                                       is_http_request=True)
        request = self.writer.create_warc_record(
            resp.url, "request", payload=io.BytesIO(b""), length=0, http_headers=req_headers,
            warc_headers_dict={"WARC-Date": date,
                               "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID")})
        self.writer.write_record(request)
        self.fh.flush()
        return self.name, offset, self.fh.tell()

    def sync(self) -> None:
        if self.fh is not None:
            self.fh.flush()
            os.fsync(self.fh.fileno())

    def close(self) -> None:
        if self.fh is not None:
            self.sync()
            self.fh.close()
            self.fh = None


def trim_warc(path: Path, size: int) -> None:
    """Cut a file a killed run left open back to its last committed record."""
    if path.exists() and path.stat().st_size > size:
        with open(path, "r+b") as fh:
            fh.truncate(size)


@dataclass(frozen=True)
class BadRecord:
    """A WARC record that cannot be read whole: ``number`` counts response records from 1."""

    number: int
    reason: str      # "truncated", "too-large", "unreadable"
    message: str


def iter_warc_pages(path: Path, *, html_only: bool = True, ok_only: bool = True,
                    skip_listings: bool = False) -> Iterator[FetchedPage]:
    """The 200 HTML responses in a ``.warc`` / ``.warc.gz`` file (ours or anyone's), bodies
    decoded from any Content-Encoding, as :class:`FetchedPage` — what the cleaner needs to
    re-clean.  Redirect and error records are left out unless ``ok_only`` is False;
    ``skip_listings`` also leaves out pages our crawler recorded as not being articles
    (records from other tools carry no such mark and are kept).  Records that cannot be
    read whole are left out too (:func:`iter_warc_records` reports them)."""
    for entry in iter_warc_records(path, html_only=html_only, ok_only=ok_only,
                                   skip_listings=skip_listings):
        if isinstance(entry, FetchedPage):
            yield entry


def iter_warc_records(path: Path, *, html_only: bool = True, ok_only: bool = True,
                      skip_listings: bool = False, max_bytes: int = 1 << 62
                      ) -> Iterator[FetchedPage | BadRecord]:
    """Like :func:`iter_warc_pages`, but a record whose payload is cut short, or inflates
    past ``max_bytes``, comes back as a :class:`BadRecord` instead of a partial page.

    A file that is not WARC at all raises ``warcio.exceptions.ArchiveLoadFailed`` (or
    ``OSError`` for a broken gzip stream)."""
    number = 0
    with open(path, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            number += 1
            headers = page_headers(record.http_headers.headers)
            if html_only and media_type(headers.get("content-type", "")) not in HTML_TYPES:
                continue
            status = int(record.http_headers.get_statuscode() or 0)
            if ok_only and status != 200:
                continue
            role = record.rec_headers.get_header(ROLE)
            if skip_listings and role is not None and role != "article":
                continue
            final = record.rec_headers.get_header("WARC-Target-URI")
            requested = record.rec_headers.get_header(REQUESTED_URI) or final
            body = record.content_stream().read(max_bytes + 1)
            if len(body) > max_bytes:
                yield BadRecord(number, "too-large",
                                f"record {number} ({final}) is over {max_bytes:,} bytes")
                continue
            if getattr(record.raw_stream, "limit", 0) > 0:
                # the record's Content-Length promised more than the file holds
                yield BadRecord(number, "truncated",
                                f"record {number} ({final}) is cut short: "
                                f"{record.raw_stream.limit:,} bytes missing")
                continue
            yield FetchedPage(url=requested, final_url=final, status=status, headers=headers,
                              body=body, fetched=_parse_date(record.rec_headers.get_header("WARC-Date")),
                              record_id=record.rec_headers.get_header("WARC-Record-ID"))


def _parse_date(value: str | None) -> datetime:
    if not value:
        return datetime.now(timezone.utc)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
