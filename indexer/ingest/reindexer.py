"""Reindex: rebuild the whole index from the store into a new generation, then switch.

Segmentation is cached with each stored article (``indexer.ingest.ingester.analyse``), so a
reindex only re-analyses articles whose cache is stale (another analyser version).
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from archive.store import Store
from indexer.schema import document, with_views
from indexer.generations import (NoSpace, drop_generation, is_no_space, new_generation,
                                 switch_to, writer_lock)
from indexer.codec.segment_writer import MERGE_MAX_DOCS, fast_writer, write_segment
from indexer.ingest.orphans import die_with_parent
from indexer.ingest.ingester import ANALYSER_VERSION, ENTITIES_VERSION, analyse, default_workers
from archive.datadir import DataDir
from indexer.codec.sidecar_merge import index_segments, merge
from indexer.codec.wordstats import write_word_stats

__all__ = ["reindex", "stored_documents"]

PARALLEL_MIN = 2000  # below this, forking reindex workers costs more than it saves
SEGMENT_DOCS = MERGE_MAX_DOCS  # articles per segment written by a reindex worker


def reindex(data_dir: Path, *, progress: Callable[[int], None] | None = None,
            workers: int | None = None) -> int:
    """Rebuild the whole index from the store into a new generation, then switch to it.

    With several workers each one writes its own segment for a contiguous range of ids
    (Whoosh's writer is pure Python, so this is the only way to use more than one core);
    the segments are then published together in one table of contents."""
    data_dir = Path(data_dir)
    workers = workers or default_workers()
    with writer_lock(data_dir, "reindex"):
        store = Store(DataDir(data_dir).store)
        try:
            ids = [r[0] for r in store.db.execute("SELECT id FROM articles ORDER BY id")]
        finally:
            store.close()
        path, ix = new_generation(data_dir)
        try:
            if workers <= 1 or len(ids) < PARALLEL_MIN:
                count = _reindex_serial(data_dir, ix, progress)
            else:
                count = _reindex_parallel(data_dir, path, ix, ids, workers, progress)
            # one merged postings sidecar: a query term is then one lookup, not one per segment
            merge(path, index_segments(ix))
            with ix.reader() as reader:  # the segmenter's word counts, ready for the first query
                write_word_stats(path, reader)
            switch_to(data_dir, path)
        except BaseException as exc:
            # A half-built generation is never served; left behind it would keep a full
            # disk full.  The live one is untouched.
            drop_generation(data_dir, path)
            if is_no_space(exc):
                raise NoSpace(f"disk full while reindexing {data_dir} ({exc}): the previous index "
                              "is still serving; free some space and run `vnarchive "
                              "reindex` again") from exc
            raise
        return count


def _current(analysis: dict[str, Any] | None) -> bool:
    return bool(analysis) and analysis.get("v") == ANALYSER_VERSION and \
        analysis.get("ev") == ENTITIES_VERSION


def stored_documents(store: Store, rows: Iterable[Any], tick: Callable[[], None]
               ) -> Iterator[dict[str, Any]]:
    """The index documents of stored rows; a stale analysis cache (another analyser
    version) is redone and stored, and one without its views (a store from before they
    were cached, ``indexer.schema.with_views``) gets them stored, committed once the rows
    are spent: a second reindex then reads them.  A cache written before entities came
    first (``archive.stored.laid_out``) is stored again as it is: result rows then read
    the entities alone."""
    for row in rows:
        analysis = row.analysis
        if not _current(analysis):
            analysis = analyse(row.article, analysis)
        else:
            analysis = with_views(analysis)  # the same object when it has them
        if analysis is not row.analysis or not row.laid_out:
            store.update_analysis(row.id, analysis, analysis.get("sh"))
        yield document(row.id, row.article, analysis)
        tick()
    store.commit()


def _reindex_serial(data_dir: Path, ix, progress: Callable[[int], None] | None) -> int:
    store = Store(DataDir(data_dir).store)
    writer = fast_writer(ix)
    try:
        count = 0
        for fields in stored_documents(store, store.iter_all(),
                                 (lambda: progress(1)) if progress else (lambda: None)):
            writer.add_document(**fields)
            count += 1
        writer.commit(optimize=True)
        return count
    except BaseException:
        writer.cancel()
        raise
    finally:
        store.close()


_done = None  # shared counter of documents written by reindex workers (for progress)


def _write_range(job: tuple[str, str, int, int]) -> list:
    """Worker: write the articles with lo < id <= hi as segments of SEGMENT_DOCS at most.

    Bounded segments keep Whoosh's posting pool in memory: a bigger pool spills sorted runs
    to disk and merges them back posting by posting in Python, which costs more than the
    extra segments (the evaluator reads all segments' postings alike)."""
    from whoosh import index as whoosh_index

    db_path, gen_path, lo, hi = job
    store = Store(db_path)
    ix = whoosh_index.open_dir(gen_path)

    def tick():
        with _done.get_lock():
            _done.value += 1

    segments = []
    try:  # the temp dir is shared with the parent writer, which removes it when done
        last = lo
        while last < hi:
            rows = store.rows_between(last, hi, SEGMENT_DOCS)
            if not rows:
                break
            segments.append(write_segment(ix, stored_documents(store, rows, tick), limitmb=1024))
            last = rows[-1].id
        return segments
    finally:
        store.close()


def _reindex_parallel(data_dir: Path, path: Path, ix, ids: list[int], workers: int,
                      progress: Callable[[int], None] | None) -> int:
    global _done
    ctx = multiprocessing.get_context("fork")
    _done = ctx.Value("q", 0)
    step = -(-len(ids) // workers)
    bounds = [ids[0] - 1] + [ids[min(len(ids), (i + 1) * step) - 1] for i in range(workers)]
    jobs = [(str(DataDir(data_dir).store), str(path), bounds[i], bounds[i + 1])
            for i in range(workers) if bounds[i + 1] > bounds[i]]
    writer = fast_writer(ix)  # holds the index lock and publishes the workers' segments
    try:
        with ctx.Pool(len(jobs), initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
            pending = pool.map_async(_write_range, jobs)
            reported = 0
            while not pending.ready():
                pending.wait(0.5)
                if progress and _done.value > reported:
                    progress(_done.value - reported)
                    reported = _done.value
            segments = [seg for part in pending.get() for seg in part]
        if progress and len(ids) > reported:
            progress(len(ids) - reported)
        writer._close_segment()
        writer._commit_toc(segments)
        writer._finish()
    except BaseException:
        writer.cancel()
        raise
    return len(ids)
