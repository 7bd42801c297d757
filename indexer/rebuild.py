"""Reindex: rebuild the whole index from the store into a new generation, then switch.

Segmentation is cached with each stored article (``indexer.pipeline.analyse``), so a
reindex only re-analyses articles whose cache is stale (another analyser version).
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from archive.store import Store
from indexer.index import (MERGE_MAX_DOCS, document, fast_writer, new_generation,
                           switch_to, writer_lock)
from indexer.pipeline import ANALYSER_VERSION, ENTITIES_VERSION, analyse, default_workers, store_path
from indexer.sidecar import index_segments, merge
from indexer.writer import no_gc

__all__ = ["reindex"]

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
        store = Store(store_path(data_dir))
        try:
            ids = [r[0] for r in store.db.execute("SELECT id FROM articles ORDER BY id")]
        finally:
            store.close()
        path, ix = new_generation(data_dir)
        if workers <= 1 or len(ids) < PARALLEL_MIN:
            count = _reindex_serial(data_dir, ix, progress)
        else:
            count = _reindex_parallel(data_dir, path, ix, ids, workers, progress)
        # one merged postings sidecar: a query term is then one lookup, not one per segment
        merge(path, index_segments(ix))
        switch_to(data_dir, path)
        return count


def _current(analysis: dict[str, Any] | None) -> bool:
    return bool(analysis) and analysis.get("v") == ANALYSER_VERSION and \
        analysis.get("ev") == ENTITIES_VERSION


def _add_rows(store: Store, writer, rows: Iterable[Any], tick: Callable[[], None]) -> int:
    count = 0
    for row in rows:
        analysis = row.analysis
        if not _current(analysis):  # stale cache (analyser changed): analyse and keep it
            analysis = analyse(row.article, analysis)
            store.update_analysis(row.id, analysis, analysis.get("sh"))
        writer.add_document(**document(row.id, row.article, analysis))
        count += 1
        tick()
    store.commit()
    return count


def _reindex_serial(data_dir: Path, ix, progress: Callable[[int], None] | None) -> int:
    store = Store(store_path(data_dir))
    writer = fast_writer(ix)
    try:
        count = _add_rows(store, writer, store.iter_all(),
                          (lambda: progress(1)) if progress else (lambda: None))
        writer.commit(optimize=True)
        return count
    except BaseException:
        writer.cancel()
        raise
    finally:
        store.close()


_done = None  # shared counter of documents written by reindex workers (for progress)


def _write_segment(job: tuple[str, str, int, int]) -> list:
    """Worker: write the articles with lo < id <= hi as segments of SEGMENT_DOCS at most.

    Bounded segments keep Whoosh's posting pool in memory: a bigger pool spills sorted runs
    to disk and merges them back posting by posting in Python, which costs more than the
    extra segments (the evaluator reads all segments' postings alike)."""
    from whoosh import index as whoosh_index

    from indexer.index import FastWriter
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
            writer = FastWriter(ix, _lk=False, limitmb=1024)
            with no_gc():
                _add_rows(store, writer, rows, tick)
                segments.append(writer._finalize_segment())
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
    jobs = [(str(store_path(data_dir)), str(path), bounds[i], bounds[i + 1])
            for i in range(workers) if bounds[i + 1] > bounds[i]]
    writer = fast_writer(ix)  # holds the index lock and publishes the workers' segments
    try:
        with ctx.Pool(len(jobs)) as pool:
            pending = pool.map_async(_write_segment, jobs)
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
