"""Ingest and reindex: items → (clean, analyse in worker processes) → store → index.

Segmentation is the expensive step (underthesea); it runs in worker processes on all cores
and its result is cached with the stored article, keyed by the content hash and the
analyser version, so re-ingesting unchanged text or reindexing never segments again.
The main process is the single writer of both the SQLite store and the Whoosh index and
commits both every ``batch`` articles: a crash loses at most one batch, and a rerun of the
same ingest restores it because ingest is idempotent (url is the key).
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.article import Article
from archive.sources import Failure, RawItem, RecordError, iter_raw, to_article
from archive.store import Store
from indexer import entities as entities_mod
from indexer.analysis import ANALYSER_VERSION, normalize, segment
from indexer.index import document, new_generation, open_current, switch_to, writer_lock

__all__ = ["IngestReport", "analyse", "ingest_paths", "ingest_items", "reindex", "store_path"]

log = logging.getLogger(__name__)
ENTITIES_VERSION = getattr(entities_mod, "ENTITIES_VERSION", 1)


def store_path(data_dir: Path) -> Path:
    return Path(data_dir) / "archive.sqlite3"


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    first_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def stored(self) -> int:
        return self.added + self.replaced + self.unchanged

    def fail(self, reason: str, message: str) -> None:
        self.failed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.first_failures) < 10:
            self.first_failures.append(message)

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "replaced": self.replaced, "unchanged": self.unchanged,
                "failed": self.failed, "reasons": self.reasons,
                "first_failures": self.first_failures, "seconds": round(self.seconds, 2)}


def _segment_article(article: Article) -> dict[str, Any]:
    return {
        "title": segment(normalize(article.title)),
        "sapo": segment(normalize(article.sapo)) if article.sapo else "",
        "paragraphs": [segment(normalize(p)) for p in article.paragraphs],
        "captions": [segment(normalize(c)) for c in article.captions],
    }


def analyse(article: Article, cached: dict[str, Any] | None = None) -> dict[str, Any]:
    """Segmentation + entities for an article, reusing ``cached`` parts that are current."""
    if cached and cached.get("v") == ANALYSER_VERSION and cached.get("seg"):
        seg = cached["seg"]
    else:
        seg = _segment_article(article)
    if cached and cached.get("ev") == ENTITIES_VERSION and "entities" in cached and \
            cached.get("v") == ANALYSER_VERSION:
        ents = cached["entities"]
    else:
        ents = entities_mod.extract_entities(article).to_dict()
    return {"v": ANALYSER_VERSION, "ev": ENTITIES_VERSION, "seg": seg, "entities": ents}


# -- worker side -----------------------------------------------------------------------
_worker_store: Store | None = None


def _worker_init(db_path: str) -> None:
    global _worker_store
    try:
        _worker_store = Store(db_path, readonly=True) if Path(db_path).exists() else None
    except Exception:  # the cache is an optimisation: work without it
        _worker_store = None


def _process(item: RawItem) -> tuple[str, Article | None, dict[str, Any] | None, str, str]:
    """Clean/validate and analyse one item; never raises (errors come back as data)."""
    try:
        article = to_article(item)
    except RecordError as exc:
        return item.source, None, None, exc.reason, f"{item.source}: {exc}"
    except ValueError as exc:  # archive.clean.CleanError and NotAnArticle are ValueErrors
        reason = getattr(exc, "reason", None)
        if reason is None:
            log.exception("cleaning %s failed", item.source)
            reason = "error"
        return item.source, None, None, reason, f"{item.source}: {exc}"
    except Exception as exc:  # a cleaner bug on one page must not stop the ingest
        log.exception("cleaning %s failed", item.source)
        return item.source, None, None, "error", f"{item.source}: {type(exc).__name__}: {exc}"
    cached = None
    if _worker_store is not None:
        try:
            cached = _worker_store.cached_analysis(article.url, article.content_hash)
        except Exception:
            cached = None
    try:
        analysis = analyse(article, cached)
    except Exception as exc:
        log.exception("analysing %s failed", item.source)
        return item.source, None, None, "error", f"{item.source}: {type(exc).__name__}: {exc}"
    return item.source, article, analysis, "", ""


def _results(items: Iterable[RawItem | Failure], db_path: Path, workers: int
             ) -> Iterator[tuple[str, Article | None, dict | None, str, str]]:
    raw = (i for i in items)

    def only_items() -> Iterator[RawItem]:
        for item in raw:
            if isinstance(item, Failure):
                pending_failures.append(item)
            else:
                yield item

    pending_failures: list[Failure] = []
    if workers <= 1:
        _worker_init(str(db_path))
        for item in only_items():
            while pending_failures:
                f = pending_failures.pop(0)
                yield f.source, None, None, f.reason, f.message
            yield _process(item)
    else:
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(workers, initializer=_worker_init, initargs=(str(db_path),)) as pool:
            for result in pool.imap(_process, only_items(), chunksize=4):
                while pending_failures:
                    f = pending_failures.pop(0)
                    yield f.source, None, None, f.reason, f.message
                yield result
    for f in pending_failures:
        yield f.source, None, None, f.reason, f.message


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


def ingest_items(items: Iterable[RawItem | Failure], data_dir: Path, *,
                 workers: int | None = None, batch: int = 1000,
                 progress: Callable[[int], None] | None = None) -> IngestReport:
    """Clean, analyse, store and index ``items``; the url is the key (re-ingest replaces)."""
    data_dir = Path(data_dir)
    report = IngestReport()
    start = time.perf_counter()
    with writer_lock(data_dir, "ingest"):
        store = Store(store_path(data_dir))
        try:
            try:
                ix = open_current(data_dir)
            except Exception:
                path, ix = new_generation(data_dir)
                switch_to(data_dir, path)
            writer = ix.writer(limitmb=256)
            pending = 0
            try:
                for source, article, analysis, reason, message in _results(
                        items, store_path(data_dir), workers or default_workers()):
                    if progress:
                        progress(1)
                    if article is None:
                        report.fail(reason, message)
                        store.record_failure(source, reason, message)
                        continue
                    old = store.db.execute("SELECT content_hash FROM articles WHERE url=?",
                                           (article.url,)).fetchone()
                    article_id = store.save(article, analysis=analysis)
                    writer.update_document(**document(article_id, article, analysis))
                    if old is None:
                        report.added += 1
                    elif old[0] == article.content_hash:
                        report.unchanged += 1
                    else:
                        report.replaced += 1
                    pending += 1
                    if pending >= batch:
                        store.commit()
                        writer.commit()
                        writer = ix.writer(limitmb=256)
                        pending = 0
                store.commit()
                writer.commit()
            except BaseException:
                store.commit()  # failures recorded so far are worth keeping
                writer.cancel()
                raise
        finally:
            store.close()
    report.seconds = time.perf_counter() - start
    return report


def ingest_paths(paths: Iterable[Path | str], data_dir: Path, **kwargs: Any) -> IngestReport:
    return ingest_items(iter_raw(paths), data_dir, **kwargs)


def reindex(data_dir: Path, *, progress: Callable[[int], None] | None = None,
            workers: int | None = None) -> int:
    """Rebuild the whole index from the store into a new generation, then switch to it."""
    data_dir = Path(data_dir)
    with writer_lock(data_dir, "reindex"):
        store = Store(store_path(data_dir))
        try:
            path, ix = new_generation(data_dir)
            writer = ix.writer(limitmb=256)
            count = 0
            try:
                for row in store.iter_all():
                    analysis = row.analysis
                    if not analysis or analysis.get("v") != ANALYSER_VERSION or \
                            analysis.get("ev") != ENTITIES_VERSION:
                        analysis = analyse(row.article, analysis)
                        store.db.execute("UPDATE articles SET analysis=? WHERE id=?",
                                         (_blob(analysis), row.id))
                    writer.add_document(**document(row.id, row.article, analysis))
                    count += 1
                    if progress:
                        progress(1)
                writer.commit(optimize=True)
                store.commit()
            except BaseException:
                writer.cancel()
                raise
            switch_to(data_dir, path)
            return count
        finally:
            store.close()


def _blob(analysis: dict[str, Any]) -> bytes:
    import json
    import zlib
    return zlib.compress(json.dumps(analysis, ensure_ascii=False).encode(), 6)
