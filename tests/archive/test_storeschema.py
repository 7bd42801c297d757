"""The store's schema creates the tables the store reads."""
from __future__ import annotations

import sqlite3

from archive.storeschema import SCHEMA


def test_schema_creates_articles_and_failures_and_is_idempotent():
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    db.executescript(SCHEMA)  # IF NOT EXISTS throughout: opening twice changes nothing
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "failures"} <= tables
    cols = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
    assert {"url", "title", "content_hash"} <= cols
