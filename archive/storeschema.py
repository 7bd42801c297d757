"""The SQLite schema of the article store (``archive.store``), as data.  The versions table
is ``archive.versions.SCHEMA``; columns added later are added by the store when it opens an
older file."""
from __future__ import annotations

__all__ = ["SCHEMA"]

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
