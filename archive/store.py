"""The SQLite archive: one row per article url (its current version), every distinct capture
kept beside it (``archive.versions``); the source of truth the index is built from."""
from __future__ import annotations

import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from archive.stored import StoredArticle, decode_analysis, encode_analysis
from archive.article import Article, now_vn
from archive.dedup import bands, hamming
from archive import versions as _versions
from archive.storeschema import SCHEMA
from archive.versions import Capture, Version

__all__ = ["Store", "StoredArticle", "StoreError", "MAX_DUPLICATE_DISTANCE", "Capture",
           "Version"]

class StoreError(RuntimeError):
    """The archive file cannot be opened or written."""


MAX_DUPLICATE_DISTANCE = 3  # the bands table below holds MAX_DUPLICATE_DISTANCE + 1 bands


def _to_sql(h: int | None) -> int | None:
    """SQLite integers are signed 64-bit; simhashes are unsigned."""
    return None if h is None else (h - (1 << 64) if h >= 1 << 63 else h)


def _from_sql(h: int | None) -> int | None:
    return None if h is None else h & ((1 << 64) - 1)


def _advice(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return ("; the file is damaged: restore it from a backup (the index cannot "
                "rebuild it); `vnarchive check` reports what is readable")
    if "readonly" in text or "unable to open" in text:
        return ("; the data dir must be writable by this user (SQLite keeps its WAL "
                "index, archive.sqlite3-shm, beside the file)")
    return ""


def _storable(text: str) -> str:
    """Text SQLite can hold: a file name that is not UTF-8 (surrogate escapes) is kept
    readable as ``\\xNN`` escapes instead of failing the insert."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name decodes to
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_COLUMNS = ("id, url, site, title, sapo, paragraphs, captions, authors, published, modified, "
            "fetched, section, tags, language, analysis, simhash")


class Store:
    """Article rows keyed by url, each the current version of its url; saving a capture
    with new text adds a version (``archive.versions``) and keeps the article's id.

    Opened in WAL mode so readers (the web server) never block the ingest writer.
    """

    def __init__(self, path: Path | str, *, readonly: bool = False) -> None:
        self.path = Path(path)
        try:
            if readonly:
                self.db = self._open_readonly()
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.executescript(SCHEMA)
                self._add_failure_page_columns()
                _versions.migrate(self.db, self._row_to_article)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open archive {self.path}: {exc}{_advice(exc)}") from exc
        self.db.execute("PRAGMA busy_timeout=30000")

    def _open_readonly(self) -> sqlite3.Connection:
        """Read-only, and readable even from a read-only folder: there SQLite cannot make
        the WAL's ``-shm`` index, so when no WAL content is waiting the file is opened as
        immutable.  With WAL content waiting that would hide articles: refused instead."""
        if not self.path.exists():
            raise sqlite3.OperationalError("unable to open database file (no such file)")
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False,
                             timeout=30)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            db.close()
            wal = self.path.with_name(self.path.name + "-wal")
            if os.access(self.path.parent, os.W_OK) or (wal.exists() and wal.stat().st_size):
                raise
        db = sqlite3.connect(f"file:{self.path}?immutable=1", uri=True,
                             check_same_thread=False)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db

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
        """Save one capture of the article with this url; return its stable id."""
        return self.save_capture(article, analysis=analysis, simhash=simhash).article_id

    def save_capture(self, article: Article, *, analysis: dict[str, Any] | None = None,
                     simhash: int | None = None) -> Capture:
        """Add a capture: new text becomes a new version (the current one unless a later
        capture is already stored), the same text only updates when it was last seen."""
        if article.fetched is None:
            article = article.replace(fetched=now_vn())
        found = self.db.execute("SELECT id FROM articles WHERE url=?", (article.url,)).fetchone()
        if found is None:
            article_id = self._write_row(article, analysis, simhash)
        else:
            article_id = int(found[0])
        capture = _versions.record_capture(self.db, article_id, article, article.raw_html,
                                           article.warc_record_id)
        if found is not None and capture.current:
            if capture.new:
                self._write_row(article, analysis, simhash)
            else:  # the same text: refresh the analysis cache, keep what was stored
                self.db.execute("UPDATE articles SET fetched=? WHERE id=?",
                                (capture.fetched.isoformat(), article_id))
                if analysis is not None:
                    self.update_analysis(article_id, analysis, simhash)
        return capture

    def is_current(self, article_id: int, n: int) -> bool:
        return any(v.n == n and v.current for v in self.versions(article_id))

    def rewrite_version(self, article_id: int, n: int, article: Article, *,
                        analysis: dict[str, Any] | None = None,
                        simhash: int | None = None) -> None:
        """What version ``n`` says its page holds, re-derived (``reclean``); the articles
        row follows when it is the current version."""
        _versions.rewrite_version(self.db, article_id, n, article)
        if self.is_current(article_id, n):
            self._write_row(article, analysis, simhash)

    def _write_row(self, article: Article, analysis: dict[str, Any] | None,
                   simhash: int | None) -> int:
        """Insert or overwrite the articles row of ``article.url`` (its current version)."""
        blob = encode_analysis(analysis) if analysis is not None else None
        row = (
            article.url, article.site, article.title, article.sapo,
            json.dumps(article.paragraphs, ensure_ascii=False),
            json.dumps(article.captions, ensure_ascii=False),
            json.dumps(article.authors, ensure_ascii=False),
            _iso(article.published), _iso(article.modified),
            _iso(article.fetched or now_vn()), article.section,
            json.dumps(article.tags, ensure_ascii=False), article.language,
            article.content_hash, blob, _to_sql(simhash), now_vn().isoformat(),
        )
        cur = self.db.execute(
            """INSERT INTO articles (url, site, title, sapo, paragraphs, captions, authors,
                   published, modified, fetched, section, tags, language, content_hash,
                   analysis, simhash, updated)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(url) DO UPDATE SET
                   site=excluded.site, title=excluded.title, sapo=excluded.sapo,
                   paragraphs=excluded.paragraphs, captions=excluded.captions,
                   authors=excluded.authors, published=excluded.published,
                   modified=excluded.modified, fetched=excluded.fetched,
                   section=excluded.section, tags=excluded.tags, language=excluded.language,
                   content_hash=excluded.content_hash,
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
        blob = encode_analysis(analysis)
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

    def _add_failure_page_columns(self) -> None:
        # Archives made before refused pages were kept lack these two columns.
        have = {row[1] for row in self.db.execute("PRAGMA table_info(failures)")}
        for column, kind in (("url", "TEXT"), ("raw_html", "BLOB")):
            if column not in have:
                self.db.execute(f"ALTER TABLE failures ADD COLUMN {column} {kind}")

    def record_failure(self, source: str, reason: str, message: str, *,
                       url: str | None = None, raw_html: bytes | None = None) -> None:
        """Record why an item was refused; a refused page keeps its bytes (compressed) so
        that ``refused_pages`` can hand it to a better cleaner later."""
        raw = zlib.compress(raw_html, 6) if raw_html else None
        if raw is not None:  # refused again (by `reclean`): one kept page per source
            self.db.execute("DELETE FROM failures WHERE source=? AND raw_html IS NOT NULL",
                            (_storable(source),))
        self.db.execute("INSERT INTO failures (source, reason, message, at, url, raw_html) "
                        "VALUES (?,?,?,?,?,?)",
                        (_storable(source), reason, _storable(message[:1000]),
                         now_vn().isoformat(), url, raw))

    def refused_pages(self) -> Iterator[tuple[str, str | None, bytes]]:
        """(source, url, page bytes) of every refused page kept, oldest first."""
        rows = self.db.execute("SELECT source, url, raw_html FROM failures "
                               "WHERE raw_html IS NOT NULL ORDER BY id")
        for source, url, raw in rows:
            yield source, url, zlib.decompress(raw)

    def commit(self) -> None:
        self.db.commit()

    # -- reading -------------------------------------------------------------------------
    @staticmethod
    def _row_to_article(row: sqlite3.Row | tuple) -> Article:
        (_, url, site, title, sapo, paragraphs, captions, authors, published, modified,
         fetched, section, tags, language) = row
        return Article(
            url=url, site=site, title=title, sapo=sapo,
            paragraphs=tuple(json.loads(paragraphs)), captions=tuple(json.loads(captions)),
            authors=tuple(json.loads(authors)), published=_dt(published),
            modified=_dt(modified), fetched=_dt(fetched), section=section,
            tags=tuple(json.loads(tags)), language=language,
        )

    def _row_to_stored(self, row: sqlite3.Row | tuple) -> StoredArticle:
        id_, analysis, simhash = row[0], row[14], row[15]
        return StoredArticle(id_, self._row_to_article(row[:14]), None, _from_sql(simhash),
                             analysis)

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
        return decode_analysis(row[0]) if row and row[0] else None

    def raw_html(self, article_id: int, version: int | None = None) -> bytes | None:
        """The archived page of one version (default: the latest capture that has one)."""
        if _versions.has_versions(self.db):
            page = _versions.raw_page(self.db, article_id, version)
            if page is not None or version is not None:
                return page
        # a store from before versions, opened read-only (not migrated yet)
        row = self.db.execute("SELECT raw_html FROM articles WHERE id=?",
                              (article_id,)).fetchone()
        return zlib.decompress(row[0]) if row and row[0] and version in (None, 1) else None

    def versions(self, article_id: int) -> list[Version]:
        """Every stored version of the article, oldest capture first."""
        if _versions.has_versions(self.db):
            return _versions.list_versions(self.db, article_id)
        stored = self.get(article_id)  # not migrated yet: the one row is version 1
        if stored is None:
            return []
        a = stored.article
        when = a.fetched or now_vn()
        return [Version(article_id, 1, a.content_hash, when, when, 1, None,
                        self.raw_html(article_id) is not None, True, a)]

    def version(self, article_id: int, n: int) -> Version | None:
        if _versions.has_versions(self.db):
            return _versions.get_version(self.db, article_id, n)
        return next((v for v in self.versions(article_id) if v.n == n), None)

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
