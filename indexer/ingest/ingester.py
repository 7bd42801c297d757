"""Ingest: items → (clean, analyse in worker processes) → store → index segments.
(``indexer.ingest.reindexer`` makes a new index from the store: ``reindex``.)

Segmentation is the expensive step (underthesea); it runs in worker processes on all cores
and its result is cached with the stored article, keyed by the content hash and the
analyser version, so re-ingesting unchanged text or reindexing never segments again.
The main process is the single writer of the SQLite store and the only publisher of index
segments, which workers write batch by batch (``indexer.ingest.publisher``).  The store commits
every ``batch`` articles before their segment can be published, so the index never holds
an article the store lacks; a crash loses at most one batch from the store and a few from
the index, and a rerun of the same ingest restores them (ingest is idempotent, url is the
key; the same capture again changes nothing but its "last seen").
"""
from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from archive.article import Article
from archive.sources import Failure, Limits, RawItem, RecordError, iter_raw, to_article
from archive.dedup import simhash
from archive.datadir import DataDir
from archive.store import Capture, Store
from indexer.entities.extract import extract_entities
from indexer.analysis.analyzer import ANALYSER_VERSION, normalize, segment
from indexer.generations import (IndexDamaged, IndexMissing, NoSpace, current_path,
                                 is_no_space, new_generation, open_current, switch_to,
                                 writer_lock)
from indexer.ingest.orphans import die_with_parent
from indexer.ingest.publisher import Publisher, drop_unpublished
from indexer.ingest.report import IngestReport
from indexer.schema import has_views, with_views
from indexer.codec.wordstats import write_word_stats
from indexer.codec.sidecar_merge import index_segments, merge, merge_due

__all__ = ["IngestReport", "analyse", "ingest_paths", "ingest_items", "worker_pool", "default_workers"]

log = logging.getLogger(__name__)
ENTITIES_VERSION = 3  # bump when entity extraction changes: reindex then redoes it

# Syndicated copies are detected on bodies of at least this many characters.
MIN_SIMHASH_CHARS = 300


def _segment_article(article: Article, paragraphs: list[str]) -> dict[str, Any]:
    """``paragraphs``: the article's paragraphs, already normalised (simhash uses them too)."""
    return {"title": segment(normalize(article.title)),
            "sapo": segment(normalize(article.sapo)) if article.sapo else "",
            "paragraphs": [segment(p) for p in paragraphs],
            "captions": [segment(normalize(c)) for c in article.captions]}


def analyse(article: Article, cached: dict[str, Any] | None = None,
            timings: dict[str, float] | None = None) -> dict[str, Any]:
    """Segmentation + entities for an article, reusing ``cached`` parts that are current."""
    t0 = time.process_time()
    paragraphs = None  # normalised once, for segmentation and the fingerprint
    if cached and cached.get("v") == ANALYSER_VERSION and cached.get("seg"):
        seg = cached["seg"]
    else:
        paragraphs = [normalize(p) for p in article.paragraphs]
        seg = _segment_article(article, paragraphs)
    t1 = time.process_time()
    if cached and cached.get("ev") == ENTITIES_VERSION and "entities" in cached and \
            cached.get("v") == ANALYSER_VERSION:
        ents = cached["entities"]
    else:
        ents = extract_entities(article).to_dict()
    t2 = time.process_time()
    if cached and "sh" in cached:
        sh = cached["sh"]
    else:  # near-duplicate fingerprint of the body; too short a text says nothing
        body = article.body
        if len(body) < MIN_SIMHASH_CHARS:
            sh = None
        elif paragraphs is not None:  # the same hash as simhash(body), without normalising twice
            sh = simhash("\n".join(paragraphs), normalized=True)
        else:
            sh = simhash(body)
    t3 = time.process_time()
    out = {"v": ANALYSER_VERSION, "ev": ENTITIES_VERSION, "seg": seg, "entities": ents,
           "sh": sh}
    if cached and cached.get("seg") is seg and has_views(cached):
        out.update(views=cached["views"], vf=cached["vf"])
    out = with_views(out)  # the index fields' token streams, cached (indexer.schema)
    if timings is not None:
        for stage, spent in (("segment", t1 - t0), ("entities", t2 - t1), ("dedup", t3 - t2),
                             ("views", time.process_time() - t3)):
            timings[stage] = timings.get(stage, 0.0) + spent
    return out


# -- worker side -----------------------------------------------------------------------
_worker_store: Store | None = None


def _worker_init(db_path: str, parent: int | None = None) -> None:
    global _worker_store
    if parent is not None:
        die_with_parent(parent)
    try:
        _worker_store = Store(db_path, readonly=True) if Path(db_path).exists() else None
    except Exception:  # the cache is an optimisation: work without it
        _worker_store = None


# (source, article, analysis, reason, message, seconds per stage, refused page): the last
# is (url, bytes) of an HTML page the cleaner refused, kept for `reclean`, else None.
_Result = tuple[str, Article | None, dict[str, Any] | None, str, str, dict[str, float],
                tuple[str | None, bytes] | None]


def _process(item: RawItem) -> _Result:
    """Clean/validate and analyse one item; never raises (errors come back as data).
    The last element holds the seconds spent per stage, for the ingest report."""
    timings: dict[str, float] = {}
    started = time.process_time()
    source, article, analysis, reason, message = _process_timed(item, timings)
    timings["clean"] = time.process_time() - started - sum(timings.values())
    refused = None
    if article is None and reason.startswith("not-article") and item.kind == "html" \
            and isinstance(item.payload, (bytes, bytearray)):
        refused = (item.url, bytes(item.payload))
    return source, article, analysis, reason, message, timings, refused


def located(source: str, message: str) -> str:
    """``source: message`` with the location said once (record errors carry it already).

    >>> located("a.jsonl:3", "a.jsonl:3: field 'url' is required")
    "a.jsonl:3: field 'url' is required"
    >>> located("a.html", "not an article")
    'a.html: not an article'
    """
    return message if message.startswith(source + ":") else f"{source}: {message}"


def _process_timed(item: RawItem, timings: dict[str, float]
                   ) -> tuple[str, Article | None, dict[str, Any] | None, str, str]:
    try:
        article = to_article(item)
    except RecordError as exc:
        return item.source, None, None, exc.reason, located(item.source, str(exc))
    except ValueError as exc:  # archive.clean.cleaner.CleanError and NotAnArticle are ValueErrors
        reason = getattr(exc, "reason", None)
        if reason is None:
            log.exception("cleaning %s failed", item.source)
            reason = "error"
        return item.source, None, None, reason, located(item.source, str(exc))
    except Exception as exc:  # a cleaner bug on one page must not stop the ingest
        log.exception("cleaning %s failed", item.source)
        return item.source, None, None, "error", located(item.source,
                                                         f"{type(exc).__name__}: {exc}")
    cached = None
    if _worker_store is not None:
        try:
            cached = _worker_store.cached_analysis(article.url, article.content_hash)
        except Exception:
            cached = None
    try:
        analysis = analyse(article, cached, timings)
    except Exception as exc:
        log.exception("analysing %s failed", item.source)
        return item.source, None, None, "error", located(item.source,
                                                         f"{type(exc).__name__}: {exc}")
    return item.source, article, analysis, "", ""


def _results(items: Iterable[RawItem | Failure], pool, workers: int) -> Iterator[_Result]:
    raw = (i for i in items)

    def only_items() -> Iterator[RawItem]:
        for item in raw:
            if isinstance(item, Failure):
                pending_failures.append(item)
            else:
                yield item

    pending_failures: list[Failure] = []
    if pool is None:
        for item in only_items():
            while pending_failures:
                f = pending_failures.pop(0)
                yield f.source, None, None, f.reason, f.message, {}, None
            yield _process(item)
    else:
        # Chunks are submitted by this loop, never by a generator handed to the pool: the
        # pool's one task thread would block in it and starve the index jobs queued behind.
        # The window bounds what is in flight, so a 22k-article file never sits in memory.
        items_left = only_items()
        in_flight: deque = deque()
        window = max(2, workers * IN_FLIGHT_PER_WORKER // CHUNK)
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < window:
                chunk = list(itertools.islice(items_left, CHUNK))
                if chunk:
                    in_flight.append(pool.apply_async(_process_chunk, (chunk,)))
                else:
                    exhausted = True
            while pending_failures:
                f = pending_failures.pop(0)
                yield f.source, None, None, f.reason, f.message, {}, None
            if not in_flight:
                break
            yield from in_flight.popleft().get()
    for f in pending_failures:
        yield f.source, None, None, f.reason, f.message, {}, None


# Items handed to the worker pool and not yet written, per worker, in chunks of CHUNK.
IN_FLIGHT_PER_WORKER = 32
CHUNK = 4


def _process_chunk(items: list[RawItem]) -> list[_Result]:
    return [_process(item) for item in items]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 4))


@contextmanager
def worker_pool(workers: int, db_path: Path) -> Iterator[Any]:
    """Worker processes for both analysis and index jobs (None: do everything here)."""
    if workers <= 1:
        _worker_init(str(db_path))
        yield None
        return
    segment("Khởi động")  # load the segmenter's model once, before forking, for all workers
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=_worker_init, initargs=(str(db_path), os.getpid())) as pool:
        yield pool


def ingest_items(items: Iterable[RawItem | Failure], data_dir: Path, *,
                 workers: int | None = None, batch: int = 1000,
                 progress: Callable[[int], None] | None = None) -> IngestReport:
    """Clean, analyse, store and index ``items``; the url is the key, and a re-ingested url
    whose text changed gets a new version (the index holds the latest).

    Workers clean and analyse; the main process stores each article, and every ``batch``
    articles commits the store and hands the batch to a worker that writes it as an index
    segment (``indexer.ingest.publisher``), published as soon as it is finished."""
    data_dir = Path(data_dir)
    report = IngestReport()
    start = time.perf_counter()
    workers = workers or default_workers()
    with writer_lock(data_dir, "ingest"):
        store = Store(DataDir(data_dir).store)
        try:
            try:
                ix = open_current(data_dir, whole=True)
            except IndexDamaged:
                raise  # adding to it would hide the damage: reindex first
            except IndexMissing:
                path, ix = new_generation(data_dir)
                switch_to(data_dir, path)
            gen_path = current_path(data_dir)
            try:
                _run(items, data_dir, workers, store, ix, gen_path, report, batch, progress)
            except BaseException:
                drop_unpublished(gen_path)
                raise
            # after the workers have exited: the merge's memory adds to nothing of theirs
            current = open_current(data_dir)
            segments = index_segments(current)
            t0 = time.process_time()
            try:
                if merge_due(gen_path, segments):
                    merge(gen_path, segments)
                    report.add_time("sidecar merge", time.process_time() - t0)
                    t0 = time.process_time()
                with current.reader() as reader:  # only the new segments are counted
                    write_word_stats(gen_path, reader)
                report.add_time("word statistics", time.process_time() - t0)
            except OSError as exc:  # the articles are in; only the speed-up is missing
                if not is_no_space(exc):
                    raise
                raise NoSpace(_NO_SPACE % (data_dir, exc)) from exc
        finally:
            store.close()
    report.seconds = time.perf_counter() - start
    return report


def _run(items: Iterable[RawItem | Failure], data_dir: Path, workers: int, store: Store, ix,
         gen_path: Path, report: IngestReport, batch: int,
         progress: Callable[[int], None] | None) -> None:
    with worker_pool(workers, DataDir(data_dir).store) as pool:
        def commit_store() -> None:
            t0 = time.process_time()
            store.commit()
            report.add_time("store write", time.process_time() - t0)

        publisher = Publisher(ix, gen_path, pool, commit_store=commit_store,
                              timing=lambda s: report.add_time("index write", s),
                              parts=workers)
        try:
            _ingest_into(items, pool, workers, store, publisher, report, batch, progress)
        except BaseException as exc:
            _keep_what_is_done(store)
            publisher.cancel()
            if is_no_space(exc):
                raise NoSpace(_NO_SPACE % (data_dir, exc)) from exc
            raise


_NO_SPACE = ("disk full while ingesting into %s (%s): the batches committed before are "
             "stored and searchable; free some space and run the same ingest again")


def _keep_what_is_done(store: Store) -> None:
    """Commit the failures so far; if that fails too (disk full), back to the last batch."""
    try:
        store.commit()
    except sqlite3.Error:
        store.db.rollback()


def _ingest_into(items: Iterable[RawItem | Failure], pool, workers: int, store: Store,
                 publisher: Publisher, report: IngestReport, batch: int,
                 progress: Callable[[int], None] | None) -> None:
    pending = 0
    clock = time.process_time
    for source, article, analysis, reason, message, timings, refused in _results(
            items, pool, workers):
        if pending >= batch:  # a full batch, and more to come (the last one is split)
            publisher.dispatch()  # commits the store first
            pending = 0
        for stage, seconds in timings.items():
            report.add_time(stage, seconds)
        if progress:
            progress(1)
        if article is None:
            report.fail(reason, message)
            url, raw = refused if refused else (None, None)
            store.record_failure(source, reason, message, url=url, raw_html=raw)
            continue
        t0 = clock()
        try:
            capture = _save(store, article, analysis)
        except (UnicodeError, ValueError, OverflowError, sqlite3.IntegrityError,
                sqlite3.InterfaceError) as exc:  # this item's data, not the store: skip it
            report.fail("store-refused", f"{source}: {type(exc).__name__}: {exc}")
            store.record_failure(source, "store-refused", f"{source}: {exc}")
            continue
        if article.url_note:  # stored under its own url: say which claim was refused
            report.notice("canonical-refused")
            store.record_failure(source, "canonical-refused", f"{source}: {article.url_note}")
        known = capture.n > 1 or not capture.new
        if capture.current:
            # Known urls are indexed again even when unchanged: that is how a rerun after a
            # crash restores documents whose segment was never published.  A capture older
            # than the current version is kept in the store only: the index shows the latest.
            shown = article if capture.new else store.get(capture.article_id).article
            publisher.add(capture.article_id, shown, analysis, known=known)
        report.add_time("store write", clock() - t0)
        if not known:
            report.added += 1
        elif not capture.new:
            report.unchanged += 1
        else:
            report.replaced += 1
        pending += 1
    publisher.flush(last=True)
    store.commit()  # failures after the last article


def _save(store: Store, article: Article, analysis: dict[str, Any]) -> Capture:
    """Store one capture all or nothing: a savepoint inside the batch's transaction, so
    an error half-way (after the row, before its version or bands) leaves no row the index
    lacks."""
    if not store.db.in_transaction:
        store.db.execute("BEGIN")
    store.db.execute("SAVEPOINT item")
    try:
        capture = store.save_capture(article, analysis=analysis, simhash=analysis.get("sh"))
    except BaseException:
        store.db.execute("ROLLBACK TO item")
        store.db.execute("RELEASE item")
        raise
    store.db.execute("RELEASE item")
    return capture


def ingest_paths(paths: Iterable[Path | str], data_dir: Path, *, limits: Limits | None = None,
                 **kwargs: Any) -> IngestReport:
    return ingest_items(iter_raw(paths, limits or Limits()), data_dir, **kwargs)
