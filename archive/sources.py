"""Input sources for ingest: HTML files, directories, JSON Lines (optionally gzipped), WARC.

Reading is separated from cleaning so that the expensive part (``to_article``) can run in
worker processes; a bad file or line becomes a ``Failure`` and never stops the run.
"""
from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.article import VN_TZ, Article
from archive.textnorm import clean_text

__all__ = ["RawItem", "Failure", "RecordError", "Limits", "iter_raw", "count_items",
           "to_article", "article_from_record", "SUFFIXES", "FIELD_LIMITS"]

SUFFIXES = (".html", ".htm", ".jsonl", ".jsonl.gz", ".warc", ".warc.gz")
_MB = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """What one item may weigh before it is refused as that item's failure (never a crash,
    never a silent cut).  Bounds the memory of reading and cleaning one item: measured in
    ``bench/hostile.py``.  ``vnarchive ingest --max-page-mb/--max-line-mb`` sets them."""

    max_page_bytes: int = 8 * _MB    # one HTML page: a file, or a WARC payload once inflated
    max_line_bytes: int = 16 * _MB   # one JSON Lines record, once un-gzipped


# Longest accepted value per text field, in characters: a headline of megabytes is not a
# headline, and one such value would bloat every result page that shows it.
# "text" is the body and captions together: 500k characters is some 80,000 words, dozens
# of times the longest news article, and bounds segmentation's time and memory (a 7.7 MB
# paragraph took 78 s and 730 MB; see bench/hostile.py).
FIELD_LIMITS = {"url": 4096, "title": 2000, "site": 253, "sapo": 20_000, "section": 500,
                "author": 300, "text": 500_000}
MAX_AUTHORS = 50


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
    record_id: str | None = None  # WARC-Record-ID of a WARC or crawl capture


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


def _walk(root: Path) -> Iterator[Path | Failure]:
    """Supported files under ``root`` in a stable order; a folder that cannot be listed
    is a Failure, not a silent gap."""
    errors: list[OSError] = []
    found: list[Path] = []
    for folder, dirs, names in os.walk(root, onerror=errors.append):
        dirs.sort()
        found.extend(Path(folder) / n for n in names if _kind(Path(n)))
    for child in sorted(found):
        if child.is_file():
            yield child
    for exc in errors:
        where = _shown(exc.filename or root)
        yield Failure(where, "unreadable", f"{where}: cannot list folder ({exc.strerror or exc})")


def _shown(path: Path | str) -> str:
    """A path as text that can always be stored and printed (undecodable bytes escaped)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _files(paths: Iterable[Path | str]) -> Iterator[Path | Failure]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from _walk(p)
        elif p.is_file():
            if _kind(p):
                yield p
            else:
                yield Failure(_shown(p), "unsupported-file",
                              f"{_shown(p)}: not .html/.htm/.jsonl/.jsonl.gz/.warc/.warc.gz")
        else:
            yield Failure(_shown(p), "missing", f"{_shown(p)}: no such file or directory")


def _lines(fh: Any, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) of a binary file, None for a line over ``limit`` bytes, which is
    skipped in bounded reads (a gigabyte without a newline never sits in memory)."""
    number = 0
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := fh.readline(_MB)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def _jsonl(path: Path, limits: Limits) -> Iterator[RawItem | Failure]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    name = _shown(path)
    try:
        with opener(path, "rb") as fh:
            for number, line in _lines(fh, limits.max_line_bytes):
                source = f"{name}:{number}"
                if line is None:
                    yield Failure(source, "too-large", f"{source}: line longer than "
                                  f"{limits.max_line_bytes:,} bytes (--max-line-mb)")
                    continue
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except (ValueError, UnicodeDecodeError) as exc:
                    yield Failure(source, "bad-json", f"{source}: not valid JSON ({exc})")
                    continue
                except RecursionError:
                    yield Failure(source, "bad-json", f"{source}: JSON nested too deeply")
                    continue
                yield RawItem(source, "json", record)
    except (OSError, EOFError, zlib.error) as exc:
        yield Failure(name, "unreadable", f"{name}: cannot read ({exc})")


def _warc(path: Path, limits: Limits) -> Iterator[RawItem | Failure]:
    from archive.crawl.warc import BadRecord, iter_warc_records
    name, seen = _shown(path), 0
    try:
        for page in iter_warc_records(path, skip_listings=True,
                                      max_bytes=limits.max_page_bytes):
            seen += 1
            if isinstance(page, BadRecord):
                yield Failure(f"{name}#{seen}", page.reason, f"{name}: {page.message}")
                continue
            yield RawItem(f"{name}#{seen}", "html", page.body,
                          page.final_url or page.url, page.headers.get("content-type"),
                          page.fetched, page.record_id)
    except Exception as exc:  # noqa: BLE001 - warcio fails on cut headers in many ways
        # (ArchiveLoadFailed, zlib.error, AttributeError, ...): a corrupt WARC must not stop
        # the other inputs; what came before it is kept
        yield Failure(name, "unreadable", f"{name}: cannot read WARC after {seen} "
                      f"records ({type(exc).__name__}: {str(exc)[:200]})")


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
            total += max(1, sum(1 for _ in _warc(entry, Limits())))
        else:
            total += 1
    return total


def iter_raw(paths: Iterable[Path | str], limits: Limits = Limits()
             ) -> Iterator[RawItem | Failure]:
    """Every item under ``paths`` in a stable order, or a Failure saying why not."""
    for entry in _files(paths):
        if isinstance(entry, Failure):
            yield entry
            continue
        kind = _kind(entry)
        if kind in (".jsonl", ".jsonl.gz"):
            yield from _jsonl(entry, limits)
        elif kind in (".warc", ".warc.gz"):
            yield from _warc(entry, limits)
        else:
            yield _page_file(entry, limits)


def _page_file(path: Path, limits: Limits) -> RawItem | Failure:
    name = _shown(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limits.max_page_bytes + 1)
    except OSError as exc:
        return Failure(name, "unreadable", f"{name}: cannot read ({exc.strerror or exc})")
    if len(data) > limits.max_page_bytes:
        return Failure(name, "too-large", f"{name}: page larger than "
                       f"{limits.max_page_bytes:,} bytes (--max-page-mb)")
    return RawItem(name, "html", data, None)


def _text(record: dict[str, Any], key: str, source: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RecordError("missing-field", f"{source}: field '{key}' is required")
        return None
    if not isinstance(value, str):
        raise RecordError("bad-field", f"{source}: field '{key}' must be a string")
    return clean_text(_unicode(value, key, source))


def _unicode(value: str, key: str, source: str) -> str:
    """JSON may escape half a surrogate pair ("\\ud800"): text no UTF-8 file can hold."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise RecordError("bad-field", f"{source}: field '{key}' holds an unpaired "
                          "surrogate (\\ud800-\\udfff), which is not text") from None
    return value


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
    if not plausible_date(dt):
        raise RecordError("bad-field", f"{source}: 'published' {value[:40]!r} is not a "
                          f"plausible publication date (years {MIN_YEAR}..next year)")
    return dt if dt.tzinfo else dt.replace(tzinfo=VN_TZ)


# News older than this, or dated after next year, is a parsing accident (0001-01-01,
# 9999-12-31): kept, it would be shown but fall outside every date filter and sort.
MIN_YEAR = 1900


def plausible_date(dt: datetime | None) -> bool:
    return dt is None or MIN_YEAR <= dt.year <= datetime.now().year + 1


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
    authors = [_unicode(a, "authors", source) for a in authors]
    return Article(
        url=url, title=title or paragraphs[0][:120], paragraphs=paragraphs,
        site=_text(record, "site", source) or "", sapo=_text(record, "sapo", source),
        authors=tuple(clean_text(a) for a in authors if a.strip()),
        published=_published(record.get("published"), source),
    )


def to_article(item: RawItem) -> Article:
    """Clean or validate one item; raises ``archive.clean.cleaner.CleanError`` or ``RecordError``."""
    if item.kind == "json":
        article = article_from_record(item.payload, item.source)
    else:
        from archive.clean.cleaner import clean_page  # heavy import, only where pages are cleaned
        url = item.url
        if url is None:
            url = Path(item.source).resolve().as_uri()
        article = clean_page(item.payload, url, content_type=item.content_type,
                             fetched=item.fetched)
        if not plausible_date(article.published):  # a page's date is a guess: drop it
            article = article.replace(published=None)
        if item.record_id:
            article = article.replace(warc_record_id=item.record_id)
    check_sizes(article, item.source)
    return article


def check_sizes(article: Article, source: str) -> None:
    """Refuse an article with a field over ``FIELD_LIMITS`` (never cut it silently)."""
    values = [("url", article.url), ("title", article.title), ("site", article.site),
              ("sapo", article.sapo or ""), ("section", article.section or "")]
    values += [("author", a) for a in article.authors]
    sizes = [(key, len(value)) for key, value in values]
    sizes.append(("text", sum(map(len, article.paragraphs)) + sum(map(len, article.captions))))
    for key, size in sizes:
        if size > FIELD_LIMITS[key]:
            raise RecordError("field-too-long", f"{source}: {key} is {size:,} characters "
                              f"(at most {FIELD_LIMITS[key]:,})")
    if len(article.authors) > MAX_AUTHORS:
        raise RecordError("field-too-long", f"{source}: {len(article.authors)} authors "
                          f"(at most {MAX_AUTHORS})")
