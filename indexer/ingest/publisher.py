"""Index segments written by worker processes and published by the one writer.

Whoosh's writer is pure Python and costs as much CPU per article as segmentation, so the
main process cannot both write every document and keep up with the workers.  Instead each
batch of stored articles becomes an *index job*: a worker builds the documents and writes
one complete segment (files only, no table of contents), and the main process — the only
holder of the index lock — publishes finished segments by writing a new table of contents
that lists them, after deleting the older versions of re-ingested articles.

Whoosh's commit also deletes every segment file the new table does not list; while jobs
are in flight that would delete their half-written files, so intermediate publications
leave files alone and the last one (nothing in flight) cleans up.
"""
from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files

from indexer.schema import document_fields, labels
from indexer.codec.segment_writer import fast_writer, write_segment

__all__ = ["Doc", "write_job", "Publisher", "MAX_UNPUBLISHED", "MIN_PART_DOCS", "drop_unpublished"]

# (article id, published timestamp or None, site, cached analysis): what a document needs.
Doc = tuple[int, Any, str, dict[str, Any], dict[str, list[str]]]

# Jobs dispatched but not yet published.  More lets the writer fall further behind the
# store (the index of a killed ingest misses at most this many batches, which the rerun
# restores); fewer makes the main process wait for workers.
MAX_UNPUBLISHED = 2

# The last batch of an ingest is written as up to one segment per worker, each of at least
# this many documents: nothing is left to analyse then, and one worker writing the whole
# batch while the others wait was a third of a 1,000-article ingest's time.  (Earlier
# batches stay whole: their segment is written while the next batch is analysed.)  Each
# extra segment repeats the term index (+24 % of segment bytes for 2 x 500 articles) and
# nothing merges an ingest's segments, so small last batches stay one segment.
MIN_PART_DOCS = 250


def write_job(job: tuple[str, list[Doc]]) -> tuple[Any, float]:
    """Worker side: write ``docs`` as one new segment of the index at ``gen_path``.

    Returns the segment (for the table of contents) and the seconds spent."""
    started = time.process_time()
    gen_path, docs = job
    ix = FileStorage(gen_path, supports_mmap=False).open_index()
    known = set(ix.schema.names())  # an index built before a facet existed lacks its field
    fields = ({k: v for k, v in document_fields(*doc).items() if k in known} for doc in docs)
    segment = write_segment(ix, fields,
                            limitmb=512, temp_name=f"job{os.getpid()}.tmp")
    return segment, time.process_time() - started


@dataclass
class _Job:
    result: Any  # multiprocessing AsyncResult, or the finished (segment, seconds)
    replaced: list[int]  # ids whose older documents must go when this job is published
    aids: set[int] = field(default_factory=set)

    def ready(self) -> bool:
        return not hasattr(self.result, "ready") or self.result.ready()

    def get(self) -> tuple[Any, float]:
        return self.result.get() if hasattr(self.result, "get") else self.result


class Publisher:
    """Collects stored articles into index jobs and publishes their segments in order.

    ``pool`` is a multiprocessing pool (jobs run there, beside the analysis work) or None
    (jobs run inline: small ingests and tests); ``parts``: the most jobs the last batch is
    split into (``flush(last=True)``), the pool's worker count."""

    def __init__(self, ix, gen_path: Path, pool=None,
                 timing: Callable[[float], None] | None = None,
                 commit_store: Callable[[], None] | None = None, parts: int = 1,
                 min_part: int = MIN_PART_DOCS) -> None:
        self.ix, self.gen_path, self.pool = ix, str(gen_path), pool
        self.parts = max(1, parts) if pool is not None else 1
        self.min_part = max(1, min_part)
        self.timing = timing or (lambda seconds: None)
        # called before any batch leaves: the index must never hold what the store lacks
        self.commit_store = commit_store or (lambda: None)
        self.docs: list[Doc] = []
        self.replaced: list[int] = []
        self.buffered: dict[int, int] = {}  # aid -> index in self.docs
        self.jobs: deque[_Job] = deque()
        self.unpublished: set[int] = set()

    def add(self, aid: int, article, analysis: dict[str, Any], known: bool) -> None:
        """Queue one stored article; ``known``: the store had its url before this ingest."""
        doc: Doc = (aid, article.published, article.site, analysis, labels(article))
        at = self.buffered.get(aid)
        if at is not None:  # the same url twice in one batch: the later version wins
            self.docs[at] = doc
            return
        if aid in self.unpublished:  # its earlier version is still in a worker's hands
            self.flush()
        self.buffered[aid] = len(self.docs)
        self.docs.append(doc)
        if known:
            self.replaced.append(aid)

    def dispatch(self, parts: int = 1) -> None:
        """Commit the store, then hand the queued articles to a worker (to ``parts``
        workers, as as many segments, each of at least ``min_part`` documents)."""
        if not self.docs:
            return
        self.commit_store()
        docs = self.docs
        parts = max(1, min(parts, len(docs) // self.min_part))
        size = -(-len(docs) // parts)
        for at in range(0, len(docs), size):
            part = docs[at:at + size]
            job_args = (self.gen_path, part)
            if self.pool is None:
                result: Any = write_job(job_args)
            else:
                result = self.pool.apply_async(write_job, (job_args,))
            aids = {doc[0] for doc in part}
            self.jobs.append(_Job(result, [a for a in self.replaced if a in aids], aids))
        self.unpublished.update(self.buffered)
        self.docs, self.replaced, self.buffered = [], [], {}
        self._publish(self._take(len(self.jobs) - MAX_UNPUBLISHED), clean=False)

    def flush(self, last: bool = False) -> None:
        """Dispatch what is queued, wait for every job and publish them all; ``last``:
        nothing more comes, so the queued articles are split among the workers."""
        self.dispatch(self.parts if last else 1)
        self._publish(self._take(len(self.jobs)), clean=True)

    def _take(self, block_for: int = 0) -> list[_Job]:
        """Finished jobs from the front, in order, waiting for the first ``block_for``."""
        done = []
        while self.jobs and (len(done) < block_for or self.jobs[0].ready()):
            done.append(self.jobs.popleft())
        return done

    def _publish(self, jobs: Iterable[_Job], clean: bool) -> None:
        jobs = list(jobs)
        if not jobs:
            if clean:
                self._write_toc([], [], clean=True)
            return
        segments, replaced = [], []
        for job in jobs:
            segment, seconds = job.get()
            self.timing(seconds)
            segments.append(segment)
            replaced.extend(job.replaced)
            self.unpublished -= job.aids
        self._write_toc(segments, replaced, clean=clean and not self.jobs)

    def _write_toc(self, segments: list, replaced: list[int], clean: bool) -> None:
        started = time.process_time()
        writer = fast_writer(self.ix)  # takes Whoosh's lock; sees every published segment
        try:
            if replaced:
                searcher = writer.searcher()
                for aid in replaced:
                    writer.delete_by_term("aid", str(aid), searcher=searcher)
            writer._close_segment()
            final = list(writer.segments) + segments
            TOC(writer.schema, final, writer.generation).write(writer.storage, writer.indexname)
            if clean:
                clean_files(writer.storage, writer.indexname, writer.generation, final)
        finally:
            writer.release(keep_temp=bool(self.jobs))
        self.timing(time.process_time() - started)

    def cancel(self) -> None:
        """Forget unpublished work: the store keeps it and a rerun indexes it again."""
        self.jobs.clear()
        self.docs, self.replaced, self.buffered = [], [], {}


def drop_unpublished(gen_path: Path) -> None:
    """Delete segment files no table of contents lists (jobs of a failed ingest), once no
    worker writes any more: on a full disk they are the space a rerun needs."""
    try:
        ix = FileStorage(str(gen_path), supports_mmap=False).open_index()
        clean_files(ix.storage, ix.indexname, ix.latest_generation(), ix._segments())
    except Exception:  # best effort: the next complete ingest cleans up as well
        pass
