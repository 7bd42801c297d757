"""Reclean: re-derive every stored version from its archived page, after a cleaner change.

A version is one capture; recleaning it keeps the capture (its raw page, times and WARC
record id) and replaces only what the cleaner says the page holds.  Pages are cleaned in
worker processes; only the versions that changed are written, and only a changed current
version is analysed again and re-indexed (the index holds current versions only).  The
report names every version that changed.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.article import Article
from archive.datadir import DataDir
from archive.sources import RawItem, to_article
from archive.store import Store
from archive.versions import iter_raw_versions
from indexer.generations import current_path, new_generation, open_current, switch_to, writer_lock
from indexer.ingest.ingester import analyse, default_workers, ingest_items, worker_pool
from indexer.ingest.publisher import Publisher
from indexer.ingest.report import by_reason

__all__ = ["RecleanReport", "reclean"]

CHUNK = 8  # pages handed to a worker at a time
BATCH = 500  # re-indexed articles per index segment


@dataclass
class RecleanReport:
    versions: int = 0           # versions with a raw page, all re-cleaned
    unchanged: int = 0
    changed: list[tuple[int, int, str]] = field(default_factory=list)  # (id, version, url)
    reindexed: int = 0          # changed current versions, analysed and indexed again
    failed: int = 0             # the cleaner now refuses the page: the version is kept as is
    reasons: dict[str, int] = field(default_factory=dict)
    first_failures: list[str] = field(default_factory=list)
    without_raw: int = 0        # versions from JSON records: nothing to re-derive
    refused: int = 0            # pages refused at ingest (kept in the store), tried again
    recovered: int = 0          # of those, now stored as articles
    seconds: float = 0.0

    def fail(self, reason: str, message: str) -> None:
        self.failed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.first_failures) < 10:
            self.first_failures.append(message)

    def to_dict(self) -> dict[str, Any]:
        return {"versions": self.versions, "unchanged": self.unchanged,
                "changed": [{"id": a, "version": n, "url": u} for a, n, u in self.changed],
                "reindexed": self.reindexed, "failed": self.failed, "reasons": self.reasons,
                "first_failures": self.first_failures, "without_raw": self.without_raw,
                "refused": self.refused, "recovered": self.recovered,
                "seconds": round(self.seconds, 2)}

    def summary(self) -> str:
        """The report as the CLI prints it (English), the first 20 changed versions named."""
        lines = [f"reclean: {self.versions} versions re-cleaned, {len(self.changed)} changed "
                 f"({self.reindexed} current, re-indexed), {self.unchanged} unchanged, "
                 f"{self.failed} failed, {self.without_raw} without a raw page; "
                 f"{self.recovered} of {self.refused} refused pages now stored "
                 f"in {self.seconds:.1f} s"]
        lines += [f"  changed: article {aid} version {n} {url}" for aid, n, url in self.changed[:20]]
        if len(self.changed) > 20:
            lines.append(f"  ... and {len(self.changed) - 20} more")
        if self.failed:
            lines.append("failures by reason (those versions are kept as they were): "
                         + by_reason(self.reasons))
            lines += [f"  - {line}" for line in self.first_failures[:5]]
        return "\n".join(lines)


_Stored = tuple[int, int, str, Article]  # article id, version, content hash, stored Article


def _clean(job: tuple[_Stored, RawItem]) -> tuple[_Stored, Article | None, str, str]:
    """Worker side: clean one archived page; errors come back as data."""
    stored, item = job
    try:
        article = to_article(item)
    except ValueError as exc:  # CleanError / NotAnArticle
        return stored, None, getattr(exc, "reason", None) or "error", f"{item.source}: {exc}"
    except Exception as exc:  # a cleaner bug on one page must not stop the others
        return stored, None, "error", f"{item.source}: {type(exc).__name__}: {exc}"
    old = stored[3]
    # the same capture: its url, site and fetch time are the archive's, not the cleaner's
    return stored, article.replace(url=old.url, site=old.site, fetched=old.fetched,
                                   warc_record_id=old.warc_record_id), "", ""


def _jobs(store: Store) -> Iterator[tuple[_Stored, RawItem]]:
    for aid, n, content_hash, raw, old in iter_raw_versions(store.db):
        item = RawItem(f"article {aid} version {n}", "html", raw, old.url, None, old.fetched)
        yield (aid, n, content_hash, old), item


def reclean(data_dir: Path, *, workers: int | None = None,
            progress: Callable[[int], None] | None = None) -> RecleanReport:
    """Re-derive every version with a raw page; write and re-index what changed."""
    data_dir = Path(data_dir)
    report = RecleanReport()
    start = time.perf_counter()
    layout = DataDir(data_dir)
    with writer_lock(data_dir, "reclean"):
        store = Store(layout.store)
        try:
            report.without_raw = store.db.execute(
                "SELECT count(*) FROM versions WHERE raw_html IS NULL").fetchone()[0]
            try:
                ix = open_current(data_dir)
            except Exception:
                path, ix = new_generation(data_dir)
                switch_to(data_dir, path)
            publisher = Publisher(ix, current_path(data_dir), None, commit_store=store.commit)
            jobs = list(_jobs(store))  # read first: the rewrites below change the table
            with worker_pool(workers or default_workers(), layout.store) as pool:
                results = map(_clean, jobs) if pool is None else \
                    pool.imap(_clean, jobs, chunksize=CHUNK)
                try:
                    _apply(results, store, publisher, report, progress)
                except BaseException:
                    store.commit()
                    publisher.cancel()
                    raise
        finally:
            store.close()
    refused = _refused_items(layout)
    if refused:  # ingest takes the write lock itself
        got = ingest_items(refused, data_dir, workers=workers, progress=progress)
        report.refused, report.recovered = len(refused), got.added + got.replaced
    report.seconds = time.perf_counter() - start
    return report


def _refused_items(layout: DataDir) -> list[RawItem]:
    """Pages the cleaner refused at ingest, kept with their bytes: a better cleaner may
    take them now (a page refused again is kept once more, replacing its earlier copy)."""
    store = Store(layout.store)  # read-write: adds the kept-page columns to old stores
    try:
        return [RawItem(source, "html", raw, url=url) for source, url, raw in store.refused_pages()]
    finally:
        store.close()


def _apply(results, store: Store, publisher: Publisher, report: RecleanReport,
           progress: Callable[[int], None] | None) -> None:
    pending = 0
    for (aid, n, content_hash, old), article, reason, message in results:
        report.versions += 1
        if progress:
            progress(1)
        if article is None:
            report.fail(reason, message)
            continue
        if article.content_hash == content_hash and article == old:
            report.unchanged += 1
            continue
        report.changed.append((aid, n, old.url))
        if store.is_current(aid, n):
            analysis = analyse(article)
            store.rewrite_version(aid, n, article, analysis=analysis,
                                  simhash=analysis.get("sh"))
            publisher.add(aid, article, analysis, known=True)
            report.reindexed += 1
            pending += 1
        else:
            store.rewrite_version(aid, n, article)
        if pending >= BATCH:
            publisher.dispatch()  # commits the store first
            pending = 0
    publisher.flush()
    store.commit()
