"""The SQLite archive: one row per article url, the source of truth the index is built from."""
from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.article import Article, now_vn
from archive.dedup import bands, hamming

__all__ = ["Store", "StoredArticle", "StoreError", "MAX_DUPLICATE_DISTANCE"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id           INTEGER PRIMARY KEY,
    url          TEXT NOT NULL UNIQUE,
    site         TEXT NOT NULL,
    title        TEXT NOT NULL,
    sapo         TEXT,
    paragraphs   TEXT NOT NULL,          -- JSON list
    captions     TEXT NOT NULL,          -- JSON list
    authors      TEXT NOT NULL,          -- JSON list
    published    TEXT,                   -- ISO 8601 with offset
    modified     TEXT,
    fetched      TEXT NOT NULL,
    section      TEXT,
    tags         TEXT NOT NULL,          -- JSON list
    language     TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    raw_html     BLOB,                   -- zlib-compressed page bytes, NULL for JSON sources
    analysis     BLOB,                   -- zlib-compressed JSON cache written by the indexer
    simhash      INTEGER,
    updated      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_site ON articles(site);
-- Near-duplicate lookup: the 64-bit simhash cut into 4 bands of 16 bits; two hashes at
-- most 3 bits apart share at least one whole band (pigeonhole).
CREATE TABLE IF NOT EXISTS simhash_bands (
    band       INTEGER NOT NULL,
    value      INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY (band, value, article_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS simhash_bands_article ON simhash_bands(article_id);
CREATE TABLE IF NOT EXISTS failures (
    id      INTEGER PRIMARY KEY,
    source  TEXT NOT NULL,
    reason  TEXT NOT NULL,
    message TEXT NOT NULL,
    at      TEXT NOT NULL
);
"""


class StoreError(RuntimeError):
    """The archive file cannot be opened or written."""


class StoredArticle:
    """An article row: the Article plus its archive id and cached analysis."""

    __slots__ = ("id", "article", "analysis", "simhash")

    def __init__(self, id: int, article: Article, analysis: dict[str, Any] | None,
                 simhash: int | None) -> None:
        self.id = id
        self.article = article
        self.analysis = analysis
        self.simhash = simhash


MAX_DUPLICATE_DISTANCE = 3  # the bands table below holds MAX_DUPLICATE_DISTANCE + 1 bands


def _to_sql(h: int | None) -> int | None:
    """SQLite integers are signed 64-bit; simhashes are unsigned."""
    return None if h is None else (h - (1 << 64) if h >= 1 << 63 else h)


def _from_sql(h: int | None) -> int | None:
    return None if h is None else h & ((1 << 64) - 1)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_COLUMNS = ("id, url, site, title, sapo, paragraphs, captions, authors, published, modified, "
            "fetched, section, tags, language, analysis, simhash")


class Store:
    """Article rows keyed by url; re-saving a url replaces the row and keeps its id.

    Opened in WAL mode so readers (the web server) never block the ingest writer.
    """

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = Path(path)
        try:
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                self.db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open archive {self.path}: {exc}") from exc
        self.db.execute("PRAGMA busy_timeout=30000")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            yield
        except BaseException:
            self.db.rollback()
            raise
        else:
            self.db.commit()

    # -- writing -------------------------------------------------------------------------
    def save(self, article: Article, *, analysis: dict[str, Any] | None = None,
             simhash: int | None = None) -> int:
        """Insert or replace the article with this url; return its stable id."""
        raw = zlib.compress(article.raw_html, 6) if article.raw_html else None
        blob = zlib.compress(json.dumps(analysis, ensure_ascii=False).encode(), 6) \
            if analysis is not None else None
        row = (
            article.url, article.site, article.title, article.sapo,
            json.dumps(article.paragraphs, ensure_ascii=False),
            json.dumps(article.captions, ensure_ascii=False),
            json.dumps(article.authors, ensure_ascii=False),
            _iso(article.published), _iso(article.modified),
            _iso(article.fetched or now_vn()), article.section,
            json.dumps(article.tags, ensure_ascii=False), article.language,
            article.content_hash, raw, blob, _to_sql(simhash), now_vn().isoformat(),
        )
        cur = self.db.execute(
            """INSERT INTO articles (url, site, title, sapo, paragraphs, captions, authors,
                   published, modified, fetched, section, tags, language, content_hash,
                   raw_html, analysis, simhash, updated)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(url) DO UPDATE SET
                   site=excluded.site, title=excluded.title, sapo=excluded.sapo,
                   paragraphs=excluded.paragraphs, captions=excluded.captions,
                   authors=excluded.authors, published=excluded.published,
                   modified=excluded.modified, fetched=excluded.fetched,
                   section=excluded.section, tags=excluded.tags, language=excluded.language,
                   content_hash=excluded.content_hash,
                   raw_html=COALESCE(excluded.raw_html, articles.raw_html),
                   analysis=excluded.analysis, simhash=excluded.simhash,
                   updated=excluded.updated
               RETURNING id""",
            row,
        )
        article_id = int(cur.fetchone()[0])
        self._write_bands(article_id, simhash)
        return article_id

    def update_analysis(self, article_id: int, analysis: dict[str, Any],
                        simhash: int | None) -> None:
        """Replace the cached analysis (and fingerprint) of an unchanged article."""
        blob = zlib.compress(json.dumps(analysis, ensure_ascii=False).encode(), 6)
        self.db.execute("UPDATE articles SET analysis=?, simhash=? WHERE id=?",
                        (blob, _to_sql(simhash), article_id))
        self._write_bands(article_id, simhash)

    def _write_bands(self, article_id: int, simhash: int | None) -> None:
        self.db.execute("DELETE FROM simhash_bands WHERE article_id=?", (article_id,))
        if simhash is not None:
            self.db.executemany(
                "INSERT OR IGNORE INTO simhash_bands (band, value, article_id) VALUES (?,?,?)",
                [(band, value, article_id)
                 for band, value in bands(simhash, MAX_DUPLICATE_DISTANCE)])

    def near_duplicates(self, article_id: int,
                        max_distance: int = MAX_DUPLICATE_DISTANCE) -> list[tuple[int, int]]:
        """(id, bit distance) of other articles whose body simhash is within
        ``max_distance`` bits (at most 3, the banding's guarantee), nearest first."""
        row = self.db.execute("SELECT simhash FROM articles WHERE id=?", (article_id,)).fetchone()
        if not row or row[0] is None:
            return []
        h = _from_sql(row[0])
        found: dict[int, int] = {}
        for band, value in bands(h, MAX_DUPLICATE_DISTANCE):
            for other, other_hash in self.db.execute(
                    """SELECT a.id, a.simhash FROM simhash_bands b JOIN articles a
                       ON a.id = b.article_id
                       WHERE b.band=? AND b.value=? AND b.article_id != ?""",
                    (band, value, article_id)):
                distance = hamming(h, _from_sql(other_hash))
                if distance <= max_distance:
                    found[other] = distance
        return sorted(found.items(), key=lambda kv: (kv[1], kv[0]))

    def record_failure(self, source: str, reason: str, message: str) -> None:
        self.db.execute("INSERT INTO failures (source, reason, message, at) VALUES (?,?,?,?)",
                        (source, reason, message[:1000], now_vn().isoformat()))

    def commit(self) -> None:
        self.db.commit()

    # -- reading -------------------------------------------------------------------------
    def _row_to_stored(self, row: sqlite3.Row | tuple) -> StoredArticle:
        (id_, url, site, title, sapo, paragraphs, captions, authors, published, modified,
         fetched, section, tags, language, analysis, simhash) = row
        article = Article(
            url=url, site=site, title=title, sapo=sapo,
            paragraphs=tuple(json.loads(paragraphs)), captions=tuple(json.loads(captions)),
            authors=tuple(json.loads(authors)), published=_dt(published),
            modified=_dt(modified), fetched=_dt(fetched), section=section,
            tags=tuple(json.loads(tags)), language=language,
        )
        cache = json.loads(zlib.decompress(analysis)) if analysis else None
        return StoredArticle(id_, article, cache, _from_sql(simhash))

    def get(self, article_id: int) -> StoredArticle | None:
        row = self.db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id=?",
                              (article_id,)).fetchone()
        return self._row_to_stored(row) if row else None

    def get_many(self, ids: Iterable[int]) -> dict[int, StoredArticle]:
        ids = list(ids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id IN ({marks})", ids)
        return {row[0]: self._row_to_stored(row) for row in rows}

    def id_for_url(self, url: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE url=?", (url,)).fetchone()
        return int(row[0]) if row else None

    def cached_analysis(self, url: str, content_hash: str) -> dict[str, Any] | None:
        """The stored analysis when the stored text is unchanged (same content hash)."""
        row = self.db.execute("SELECT analysis FROM articles WHERE url=? AND content_hash=?",
                              (url, content_hash)).fetchone()
        return json.loads(zlib.decompress(row[0])) if row and row[0] else None

    def raw_html(self, article_id: int) -> bytes | None:
        row = self.db.execute("SELECT raw_html FROM articles WHERE id=?",
                              (article_id,)).fetchone()
        return zlib.decompress(row[0]) if row and row[0] else None

    def rows_between(self, after: int, upto: int, limit: int) -> list[StoredArticle]:
        """Rows with ``after < id <= upto`` in id order, at most ``limit``."""
        rows = self.db.execute(
            f"SELECT {_COLUMNS} FROM articles WHERE id>? AND id<=? ORDER BY id LIMIT ?",
            (after, upto, limit)).fetchall()
        return [self._row_to_stored(row) for row in rows]

    def iter_all(self, batch: int = 500, *, updated_since: str | None = None
                 ) -> Iterator[StoredArticle]:
        """Every row in id order; ``updated_since`` (ISO time): only rows saved since."""
        last = 0
        since = "AND updated>=?" if updated_since else ""
        while True:
            rows = self.db.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE id>? {since} ORDER BY id LIMIT ?",
                (last, updated_since, batch) if updated_since else (last, batch)).fetchall()
            if not rows:
                return
            for row in rows:
                yield self._row_to_stored(row)
            last = rows[-1][0]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def stats(self) -> dict[str, Any]:
        n, sites, first, last = self.db.execute(
            "SELECT count(*), count(DISTINCT site), min(published), max(published) FROM articles"
        ).fetchone()
        failures = self.db.execute("SELECT count(*) FROM failures").fetchone()[0]
        return {"articles": n, "sites": sites, "first_published": first,
                "last_published": last, "failures": failures}
