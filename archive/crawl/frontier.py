"""Crawl state in SQLite: the frontier, visit history, validators, failures, WARC files.

Everything the crawler knows lives here, committed before and after each fetch, so a
crawl killed at any instant resumes from the database alone: rows left ``inflight``
go back to the queue, WARC files left open are cut back to their last committed size.
Memory stays O(hosts): the queue is read one row at a time from an index.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

__all__ = ["politeness_key", "Frontier", "PRIORITY"]

# Feeds first (they name many articles at once), then articles (the point of the
# crawl, and draining them keeps the queue short), then listings and the rest.
PRIORITY = {"robots": 0, "sitemap": 0, "feed": 0, "article": 1, "seed": 2, "listing": 2, "page": 3}

def politeness_key(url: str) -> str:
    """Hosts that are one server to be polite to: "www." and scheme don't make a new one."""
    netloc = urlsplit(url).netloc.lower()
    return netloc[4:] if netloc.startswith("www.") else netloc


_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls(
  id INTEGER PRIMARY KEY,
  url TEXT UNIQUE NOT NULL,
  host TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued',
  priority INTEGER NOT NULL,
  depth INTEGER NOT NULL DEFAULT 0,
  via TEXT,
  hops INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at REAL NOT NULL DEFAULT 0,
  status INTEGER, reason TEXT, etag TEXT, last_modified TEXT,
  fetched_at REAL, archived INTEGER NOT NULL DEFAULT 0, warc_file TEXT, warc_offset INTEGER,
  bytes INTEGER
);
CREATE INDEX IF NOT EXISTS urls_queue ON urls(state, host, priority, id);
CREATE TABLE IF NOT EXISTS robots(origin TEXT PRIMARY KEY, body TEXT, status INTEGER, fetched_at REAL);
CREATE TABLE IF NOT EXISTS failures(id INTEGER PRIMARY KEY, url TEXT, at REAL, attempt INTEGER, reason TEXT);
CREATE TABLE IF NOT EXISTS warc_files(name TEXT PRIMARY KEY, size INTEGER NOT NULL, closed INTEGER NOT NULL DEFAULT 0);
"""


class Frontier:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=5000")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        if self.db.in_transaction:  # nested: the outer block commits
            yield self.db
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- recovery and revisits -------------------------------------------------------
    def recover(self) -> int:
        """Rows a killed run left in flight go back to the queue (their WARC record was
        never committed, so they are fetched again: that is not needless)."""
        with self.tx():
            return self.db.execute("UPDATE urls SET state='queued' WHERE state='inflight'").rowcount

    def requeue_for_revisit(self, kinds: tuple[str, ...], older_than: float) -> int:
        marks = ",".join("?" * len(kinds))
        with self.tx():
            return self.db.execute(
                f"UPDATE urls SET state='queued', attempts=0, next_at=0 WHERE kind IN ({marks}) "
                "AND state IN ('done','notmodified') AND fetched_at < ?",
                (*kinds, older_than)).rowcount

    def requeue_failed(self) -> int:
        with self.tx():
            return self.db.execute("UPDATE urls SET state='queued', attempts=0, next_at=0 "
                                   "WHERE state='failed'").rowcount

    # -- queue -------------------------------------------------------------------------
    def add(self, url: str, kind: str, depth: int = 0, via: str | None = None, hops: int = 0) -> bool:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO urls(url, host, kind, priority, depth, via, hops) VALUES(?,?,?,?,?,?,?)",
            (url, politeness_key(url), kind, PRIORITY.get(kind, 3), depth, via, hops))
        return cur.rowcount > 0

    def get(self, url: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM urls WHERE url=?", (url,)).fetchone()

    def hosts_with_work(self) -> dict[str, float]:
        """host -> earliest time one of its queued urls may be fetched."""
        return {r[0]: r[1] for r in self.db.execute(
            "SELECT host, MIN(next_at) FROM urls WHERE state='queued' GROUP BY host")}

    def next_for_host(self, host: str, now: float) -> sqlite3.Row | None:
        return self.db.execute(
            "SELECT * FROM urls WHERE state='queued' AND host=? AND next_at<=? "
            "ORDER BY priority, id LIMIT 1", (host, now)).fetchone()

    def wake_time(self, host: str) -> float | None:
        row = self.db.execute("SELECT MIN(next_at) FROM urls WHERE state='queued' AND host=?",
                              (host,)).fetchone()
        return row[0]

    def mark_inflight(self, url_id: int) -> None:
        with self.tx():
            self.db.execute("UPDATE urls SET state='inflight', attempts=attempts+1 WHERE id=?", (url_id,))

    def update(self, url_id: int, **fields: object) -> None:
        """Set columns of one row (call inside :meth:`tx`)."""
        cols = ", ".join(f"{k}=?" for k in fields)
        self.db.execute(f"UPDATE urls SET {cols} WHERE id=?", (*fields.values(), url_id))

    def log_failure(self, url: str, reason: str, attempt: int) -> None:
        self.db.execute("INSERT INTO failures(url, at, attempt, reason) VALUES(?,?,?,?)",
                        (url, time.time(), attempt, reason))

    def queued_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM urls WHERE state='queued'").fetchone()[0]

    def counts(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state")}

    # -- robots cache --------------------------------------------------------------------
    def robots(self, origin: str) -> sqlite3.Row | None:
        return self.db.execute("SELECT * FROM robots WHERE origin=?", (origin,)).fetchone()

    def save_robots(self, origin: str, body: str, status: int) -> None:
        with self.tx():
            self.db.execute("INSERT OR REPLACE INTO robots VALUES(?,?,?,?)",
                            (origin, body, status, time.time()))

    # -- WARC files ------------------------------------------------------------------------
    def open_warc_files(self) -> list[tuple[str, int]]:
        return [(r[0], r[1]) for r in self.db.execute("SELECT name, size FROM warc_files WHERE closed=0")]

    def warc_size(self, name: str, size: int, closed: bool = False) -> None:
        self.db.execute("INSERT OR REPLACE INTO warc_files VALUES(?,?,?)", (name, size, int(closed)))
