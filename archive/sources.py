"""Input sources for ingest: HTML files, directories, JSON Lines (optionally gzipped), WARC.

Reading is separated from cleaning so that the expensive part (``to_article``) can run in
worker processes; a bad file or line becomes a ``Failure`` and never stops the run.
"""
from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.article import VN_TZ, Article
from archive.textnorm import clean_text

__all__ = ["RawItem", "Failure", "RecordError", "iter_raw", "count_items", "to_article",
           "article_from_record",
           "SUFFIXES"]

SUFFIXES = (".html", ".htm", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz")


class RecordError(ValueError):
    """A JSON record that cannot become an article."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RawItem:
    source: str                 # where it came from: a path, "path:line" or "path#record"
    kind: str                   # "html" or "json"
    payload: Any                # page bytes or the decoded JSON object
    url: str | None = None
    content_type: str | None = None
    fetched: datetime | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    source: str
    reason: str
    message: str


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in SUFFIXES:
        if name.endswith(suffix):
            return suffix
    return None


def _files(paths: Iterable[Path | str]) -> Iterator[Path | Failure]:
    for p in map(Path, paths):
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if child.is_file() and _kind(child):
                    yield child
        elif p.is_file():
            if _kind(p):
                yield p
            else:
                yield Failure(str(p), "unsupported-file",
                              f"{p}: not .html/.htm/.jsonl/.jsonl.gz/.warc/.warc.gz")
        else:
            yield Failure(str(p), "missing", f"{p}: no such file or directory")


def _jsonl(path: Path) -> Iterator[RawItem | Failure]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                source = f"{path}:{number}"
                try:
                    record = json.loads(line)
                except (ValueError, UnicodeDecodeError) as exc:
                    yield Failure(source, "bad-json", f"{source}: not valid JSON ({exc})")
                    continue
                yield RawItem(source, "json", record)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        yield Failure(str(path), "unreadable", f"{path}: cannot read ({exc})")


def _warc(path: Path) -> Iterator[RawItem | Failure]:
    try:
        from archive.crawl.warc import iter_warc_pages
    except ImportError as exc:  # pragma: no cover - crawler module not installed
        yield Failure(str(path), "unsupported-file", f"{path}: WARC support missing ({exc})")
        return
    try:
        for number, page in enumerate(iter_warc_pages(path, skip_listings=True), 1):
            yield RawItem(f"{path}#{number}", "html", page.body, page.final_url or page.url,
                          page.headers.get("content-type"), page.fetched)
    except Exception as exc:  # a corrupt WARC must not stop the other inputs
        yield Failure(str(path), "unreadable", f"{path}: cannot read WARC ({exc})")


def count_items(paths: Iterable[Path | str]) -> int:
    """How many items (and failures) ``iter_raw`` will yield, without cleaning anything: files
    are counted, JSON Lines lines counted, WARC pages walked (for a progress bar's total)."""
    total = 0
    for entry in _files(paths):
        kind = None if isinstance(entry, Failure) else _kind(entry)
        if kind in (".jsonl", ".jsonl.gz"):
            opener = gzip.open if kind == ".jsonl.gz" else open
            try:
                with opener(entry, "rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            except (OSError, EOFError, gzip.BadGzipFile):
                total += 1  # iter_raw yields one failure for it
        elif kind in (".warc", ".warc.gz"):
            total += max(1, sum(1 for _ in _warc(entry)))
        else:
            total += 1
    return total


def iter_raw(paths: Iterable[Path | str]) -> Iterator[RawItem | Failure]:
    """Every item under ``paths`` in a stable order, or a Failure saying why not."""
    for entry in _files(paths):
        if isinstance(entry, Failure):
            yield entry
            continue
        kind = _kind(entry)
        if kind in (".jsonl", ".jsonl.gz"):
            yield from _jsonl(entry)
        elif kind in (".warc", ".warc.gz"):
            yield from _warc(entry)
        else:
            try:
                data = entry.read_bytes()
            except OSError as exc:
                yield Failure(str(entry), "unreadable", f"{entry}: cannot read ({exc})")
                continue
            yield RawItem(str(entry), "html", data, None)


def _text(record: dict[str, Any], key: str, source: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError("missing-field", f"{source}: field '{key}' is required")
        return None
    if not isinstance(value, str):
        raise RecordError("bad-field", f"{source}: field '{key}' must be a string")
    return clean_text(value)


def _published(value: Any, source: str) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError("bad-field", f"{source}: 'published' must be an ISO 8601 string")
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RecordError("bad-field",
                          f"{source}: 'published' {value[:40]!r} is not an ISO 8601 date") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=VN_TZ)


def article_from_record(record: Any, source: str = "record") -> Article:
    """Validate a JSON record ``{url, title, body, sapo?, published?, site?, authors?}``.

    >>> article_from_record({"url": "https://a.vn/1", "title": "Tin", "body": "Một\\nHai"}).paragraphs
    ('Một', 'Hai')
    """
    if not isinstance(record, dict):
        raise RecordError("bad-record", f"{source}: a record must be a JSON object")
    url = _text(record, "url", source, required=True)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "file") or not (parts.netloc or parts.path):
        raise RecordError("bad-field", f"{source}: 'url' {url[:80]!r} is not an http(s) URL")
    body = _text(record, "body", source, required=True)
    paragraphs = tuple(p for p in body.split("\n") if p.strip())
    title = _text(record, "title", source) or ""
    authors = record.get("authors") or ()
    if isinstance(authors, str):
        authors = (authors,)
    if not isinstance(authors, (list, tuple)) or not all(isinstance(a, str) for a in authors):
        raise RecordError("bad-field", f"{source}: 'authors' must be a list of strings")
    return Article(
        url=url, title=title or paragraphs[0][:120], paragraphs=paragraphs,
        site=_text(record, "site", source) or "", sapo=_text(record, "sapo", source),
        authors=tuple(clean_text(a) for a in authors if a.strip()),
        published=_published(record.get("published"), source),
    )


def to_article(item: RawItem) -> Article:
    """Clean or validate one item; raises ``archive.clean.cleaner.CleanError`` or ``RecordError``."""
    if item.kind == "json":
        return article_from_record(item.payload, item.source)
    from archive.clean.cleaner import clean_page  # heavy import, only where pages are cleaned
    url = item.url
    if url is None:
        url = Path(item.source).resolve().as_uri()
    return clean_page(item.payload, url, content_type=item.content_type, fetched=item.fetched)
