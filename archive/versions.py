"""Every distinct capture of a url: the versions table beside the store's articles.

A capture is one fetch of a page (or one JSON record).  Its text is compared, by
``Article.content_hash``, with the version just before it in capture time: the same text
only widens that version's seen interval (``last_seen``, ``seen``); different text is a
new version, numbered in order of arrival (numbers never change, so links to them hold).
The *current* version is the one captured last; the store's ``articles`` row is a copy of
it, and that is what the index holds.  Each version keeps the whole ``Article`` (as
zlib-compressed JSON) and its raw page, so ``reclean`` can re-derive it.

Functions take the store's connection and write inside the caller's transaction: a version
and the articles row it updates commit together or not at all.
"""
from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterator

from archive.article import Article

__all__ = ["SCHEMA", "SCHEMA_VERSION", "Capture", "Version", "migrate", "has_versions",
           "record_capture", "list_versions", "get_version", "raw_page", "rewrite_version",
           "iter_raw_versions", "article_from_json"]

SCHEMA_VERSION = 1  # PRAGMA user_version of a store that has the versions table filled

SCHEMA = """
CREATE TABLE IF NOT EXISTS versions (
    article_id     INTEGER NOT NULL,
    n              INTEGER NOT NULL,     -- 1, 2, ... in order of arrival
    content_hash   TEXT NOT NULL,
    fetched        TEXT NOT NULL,        -- first capture with this text (ISO 8601)
    last_seen      TEXT NOT NULL,        -- last capture with this text
    seen           INTEGER NOT NULL DEFAULT 1,
    warc_record_id TEXT,                 -- WARC-Record-ID of the first capture, if crawled
    record         BLOB NOT NULL,        -- zlib-compressed JSON of Article.to_dict()
    raw_html       BLOB,                 -- zlib-compressed page bytes, NULL for JSON sources
    PRIMARY KEY (article_id, n)
);
"""


@dataclass(frozen=True, slots=True)
class Capture:
    """What saving one capture did: the version it landed in, whether that version is new,
    and whether it is the current one (the articles row and the index show it)."""
    article_id: int
    n: int
    new: bool
    current: bool
    fetched: datetime


@dataclass(frozen=True, slots=True)
class Version:
    article_id: int
    n: int
    content_hash: str
    fetched: datetime
    last_seen: datetime
    seen: int
    warc_record_id: str | None
    has_raw: bool
    current: bool
    article: Article

    def to_dict(self) -> dict[str, Any]:
        """Every Article field, plus the version's own."""
        data = self.article.to_dict()
        data.update({"id": self.article_id, "version": self.n,
                     "content_hash": self.content_hash, "fetched": self.fetched.isoformat(),
                     "last_seen": self.last_seen.isoformat(), "seen": self.seen,
                     "warc_record_id": self.warc_record_id, "has_raw": self.has_raw,
                     "current": self.current})
        return data


def _pack(article: Article) -> bytes:
    return zlib.compress(json.dumps(article.to_dict(), ensure_ascii=False).encode(), 6)


def article_from_json(data: dict[str, Any]) -> Article:
    """The Article an ``Article.to_dict()`` came from (unknown keys ignored)."""
    fields = {k: v for k, v in data.items() if k in Article.__dataclass_fields__}
    for name in ("published", "modified", "fetched"):
        if fields.get(name):
            fields[name] = datetime.fromisoformat(fields[name])
    return Article(**fields)


def has_versions(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='versions'"
                      ).fetchone() is not None


def migrate(db: sqlite3.Connection, row_to_article) -> int:
    """Give a store from before versions its table: each article becomes its version 1
    (text, fetch time, raw page moved over).  One transaction: a kill leaves the old
    schema whole.  Returns the number of articles migrated."""
    if db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION and has_versions(db):
        return 0
    moved = 0
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(SCHEMA.strip().rstrip(";"))
        last = 0
        while True:
            rows = db.execute(
                "SELECT id, url, site, title, sapo, paragraphs, captions, authors, published, "
                "modified, fetched, section, tags, language, content_hash, updated, raw_html "
                "FROM articles WHERE id>? AND id NOT IN (SELECT article_id FROM versions) "
                "ORDER BY id LIMIT 500", (last,)).fetchall()
            if not rows:
                break
            for row in rows:
                article = row_to_article(row[:14])
                db.execute(
                    "INSERT INTO versions (article_id, n, content_hash, fetched, last_seen, "
                    "seen, record, raw_html) VALUES (?,1,?,?,?,1,?,?)",
                    (row[0], row[14], row[10], row[15] or row[10], _pack(article), row[16]))
                moved += 1
            last = rows[-1][0]
        # the raw page now lives with its version only
        db.execute("UPDATE articles SET raw_html=NULL WHERE raw_html IS NOT NULL")
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except BaseException:
        db.rollback()
        raise
    db.commit()
    return moved


def _timeline(db: sqlite3.Connection, article_id: int) -> list[tuple[datetime, int, str, datetime]]:
    rows = db.execute("SELECT fetched, n, content_hash, last_seen FROM versions "
                      "WHERE article_id=?", (article_id,)).fetchall()
    return sorted((datetime.fromisoformat(f), n, h, datetime.fromisoformat(s))
                  for f, n, h, s in rows)


def record_capture(db: sqlite3.Connection, article_id: int, article: Article,
                   raw: bytes | None, record_id: str | None) -> Capture:
    """Add one capture (``article.fetched`` set) to the versions of ``article_id``."""
    t, h = article.fetched, article.content_hash
    assert t is not None
    line = _timeline(db, article_id)
    before = [v for v in line if v[0] <= t]
    after = [v for v in line if v[0] > t]
    if before and before[-1][2] == h:  # seen again: the same text as just before
        fetched, n, _, last_seen = before[-1]
        db.execute("UPDATE versions SET last_seen=?, seen=seen+1 WHERE article_id=? AND n=?",
                   (max(last_seen, t).isoformat(), article_id, n))
        return Capture(article_id, n, False, not after, fetched)
    if after and after[0][2] == h:  # an earlier capture of the next version, arriving late
        n = after[0][1]
        db.execute("UPDATE versions SET fetched=?, seen=seen+1 WHERE article_id=? AND n=?",
                   (t.isoformat(), article_id, n))
        return Capture(article_id, n, False, len(after) == 1, t)
    n = max((v[1] for v in line), default=0) + 1
    db.execute("INSERT INTO versions (article_id, n, content_hash, fetched, last_seen, seen, "
               "warc_record_id, record, raw_html) VALUES (?,?,?,?,?,1,?,?,?)",
               (article_id, n, h, t.isoformat(), t.isoformat(), record_id, _pack(article),
                zlib.compress(raw, 6) if raw else None))
    return Capture(article_id, n, True, not after, t)


_VCOLS = "article_id, n, content_hash, fetched, last_seen, seen, warc_record_id, " \
         "raw_html IS NOT NULL, record"


def _version(row: tuple, current_n: int | None) -> Version:
    aid, n, h, fetched, last_seen, seen, rid, has_raw, record = row
    return Version(aid, n, h, datetime.fromisoformat(fetched), datetime.fromisoformat(last_seen),
                   seen, rid, bool(has_raw), n == current_n,
                   article_from_json(json.loads(zlib.decompress(record))))


def _current_n(db: sqlite3.Connection, article_id: int) -> int | None:
    line = _timeline(db, article_id)
    return line[-1][1] if line else None


def list_versions(db: sqlite3.Connection, article_id: int) -> list[Version]:
    """The versions of one article in order of capture time (oldest first)."""
    current = _current_n(db, article_id)
    rows = db.execute(f"SELECT {_VCOLS} FROM versions WHERE article_id=?", (article_id,))
    return sorted((_version(r, current) for r in rows), key=lambda v: (v.fetched, v.n))


def get_version(db: sqlite3.Connection, article_id: int, n: int) -> Version | None:
    row = db.execute(f"SELECT {_VCOLS} FROM versions WHERE article_id=? AND n=?",
                     (article_id, n)).fetchone()
    return _version(row, _current_n(db, article_id)) if row else None


def raw_page(db: sqlite3.Connection, article_id: int, n: int | None = None) -> bytes | None:
    """The raw page of version ``n``; without ``n``, of the latest capture that has one."""
    if n is not None:
        row = db.execute("SELECT raw_html FROM versions WHERE article_id=? AND n=?",
                         (article_id, n)).fetchone()
        return zlib.decompress(row[0]) if row and row[0] else None
    for _, n, _, _ in reversed(_timeline(db, article_id)):
        page = raw_page(db, article_id, n)
        if page is not None:
            return page
    return None


def rewrite_version(db: sqlite3.Connection, article_id: int, n: int, article: Article) -> None:
    """Replace what version ``n`` says its page holds (``reclean``): same capture, same
    raw page, same times; the derived text and hash change."""
    db.execute("UPDATE versions SET content_hash=?, record=? WHERE article_id=? AND n=?",
               (article.content_hash, _pack(article), article_id, n))


def iter_raw_versions(db: sqlite3.Connection, batch: int = 200
                      ) -> Iterator[tuple[int, int, str, bytes, Article]]:
    """(article id, n, content hash, raw page, stored Article) of every version with a raw
    page, in (article id, n) order, read in batches."""
    last = (0, 0)
    while True:
        rows = db.execute(
            "SELECT article_id, n, content_hash, raw_html, record FROM versions "
            "WHERE raw_html IS NOT NULL AND (article_id, n) > (?, ?) "
            "ORDER BY article_id, n LIMIT ?", (*last, batch)).fetchall()
        if not rows:
            return
        for aid, n, h, raw, record in rows:
            yield aid, n, h, zlib.decompress(raw), \
                article_from_json(json.loads(zlib.decompress(record)))
        last = (rows[-1][0], rows[-1][1])
