"""Bulk bodies made in worker processes (entry point: ``bulk_lines``).

Turning a stored row into an OpenSearch document (reading the cached analysis, building the
views and pairs, encoding JSON) is Python work of a few milliseconds an article: in one
process it, not OpenSearch, bounded the bulk rate.  Workers forked like the embedded
reindex's (``indexer.ingest.reindexer``) each take runs of ``chunk`` ids and return the
ready NDJSON lines of their documents, with the distinct words seen; the parent only sends.
With a stats index, each run also gives one document of its statistics-only counts
(``indexer.opensearch.documents.StatsTally``), sent in the same requests.
A stale analysis cache is redone and stored by the worker, as the embedded reindex does.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive.store import Store
from indexer.ingest.orphans import die_with_parent
from indexer.ingest.reindexer import stored_documents
from indexer.opensearch.documents import StatsTally, source

__all__ = ["bulk_lines", "encode", "PARALLEL_MIN"]

PARALLEL_MIN = 2000  # below this, forking workers costs more than it saves


def encode(index: str, doc_id: str, src: dict[str, Any]) -> bytes:
    """One document's two bulk lines (action, source)."""
    return (json.dumps({"index": {"_index": index, "_id": doc_id}}) + "\n"
            + json.dumps(src, ensure_ascii=False) + "\n").encode("utf-8")


STATS_ID = "stats"  # the doc id prefix of a run's counts (never an article id: not a number)

_Job = tuple[str, str, int, int, int, "str | None", "str | None", "frozenset[int] | None"]


def _chunk(job: _Job) -> tuple[list[tuple[str, bytes]], set, set]:
    """Worker: the bulk lines of the rows with lo < id <= hi (at most ``limit``; only the
    ``wanted`` ones when given), and of their counts' document when there is a stats
    index."""
    db_path, index, lo, hi, limit, stats_index, stats_id, wanted = job
    store = Store(db_path)
    try:
        lines: list[tuple[str, bytes]] = []
        words: set[str] = set()
        tally = StatsTally()
        for fields in stored_documents(store, store.rows_between(lo, hi, limit), lambda: None):
            if wanted is not None and int(fields["aid"]) not in wanted:
                continue
            src = source(fields)
            words.update(fields["words"])
            tally.add(fields)
            lines.append((fields["aid"], encode(index, fields["aid"], src)))
        if stats_index and tally.articles:
            lines.append((stats_id, encode(stats_index, stats_id, tally.source())))
        return lines, words, set(tally.counts["fwords"])
    finally:
        store.close()


def bulk_lines(db_path: Path | str, index: str, *, chunk: int, workers: int,
               vocab: dict[str, set[str]] | None = None, updated_since: str | None = None,
               stats_index: str | None = None, stats_key: str = ""
               ) -> Iterator[tuple[str, bytes]]:
    """(id, bulk lines) of every stored article (or those saved since ``updated_since``),
    made by ``workers`` processes when the archive is large enough; ``vocab`` collects the
    distinct ``words`` and ``fwords``.  With ``stats_index``, every run of ``chunk``
    articles is followed by its counts' document, id ``stats-<stats_key>-<first id>``
    (``stats_key`` tells one feed's runs from another's: counts add up)."""
    store = Store(db_path, readonly=True)
    try:
        if updated_since:
            ids = [r[0] for r in store.db.execute(
                "SELECT id FROM articles WHERE updated>=? ORDER BY id", (updated_since,))]
        else:
            ids = [r[0] for r in store.db.execute("SELECT id FROM articles ORDER BY id")]
    finally:
        store.close()
    jobs: list[_Job] = []
    for i in range(0, len(ids), chunk):
        part = ids[i:i + chunk]
        # the run of ids (``rows_between`` bounds), restricted to the wanted ones
        limit = part[-1] - part[0] + 1 if updated_since else len(part)
        wanted = frozenset(part) if updated_since else None
        jobs.append((str(db_path), index, part[0] - 1, part[-1], limit, stats_index,
                     f"{STATS_ID}-{stats_key}-{part[0]}", wanted))
    if workers <= 1 or len(ids) < PARALLEL_MIN:
        yield from _collect(map(_chunk, jobs), vocab)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        yield from _collect(pool.imap(_chunk, jobs), vocab)


def _collect(results, vocab) -> Iterator[tuple[str, bytes]]:
    for lines, words, fwords in results:
        if vocab is not None:
            vocab["words"] |= words
            vocab["fwords"] |= fwords
        yield from lines
