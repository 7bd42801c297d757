"""Merging postings sidecars: the segments' own files into one ``postings.vnm`` for the
index (entry points: ``merge``, ``merge_due``).  The file format is ``indexer.codec.sidecar``.
"""
from __future__ import annotations

import mmap
import os
from array import array
from pathlib import Path

import numpy as np

from indexer.codec.nogc import no_gc
from indexer.codec.sidecar import (_ENTRY, MERGED, NO_POSITIONS, SUFFIX, Sidecar, open_merged,
                                   open_sidecar, write_sidecar)

__all__ = ["merge", "merge_due", "index_segments", "MERGE_TAIL_SEGMENTS"]


def merge(folder: Path | str, segments: list[tuple[str, int]]) -> bool:
    """Write the merged sidecar over ``segments`` (the index's, in order) from the merged
    one and the segments' own, then delete the segments' own.  False (nothing changed) when
    some segment has neither."""
    folder = Path(folder)
    inputs: list[Sidecar] = []
    old = open_merged(folder, segments)
    if old is not None:
        inputs.append(old)
    for sid, n in segments[len(old.segments) if old else 0:]:
        sc = open_sidecar(folder, sid, n)
        if sc is None:
            for i in inputs:
                i.close()
            return False
        inputs.append(sc)
    try:
        with no_gc():  # millions of short-lived row tuples: nothing for the collector
            write_sidecar(folder / MERGED, segments, *_merged_entries(inputs))
    finally:
        for i in inputs:
            i.close()
    for sid, _ in segments:
        (folder / (sid + SUFFIX)).unlink(missing_ok=True)
    return True


# Segments not yet in the merged sidecar cost a lookup each per query term; merging costs
# a pass over every sidecar.  An ingest merges once the tail has this many segments, or
# a quarter as many documents as the merged part.
MERGE_TAIL_SEGMENTS = 4


def index_segments(ix) -> list[tuple[str, int]]:
    """(segment id, documents) of an index's segments, in docnum order."""
    return [(seg.segment_id(), seg.doc_count_all()) for seg in ix._segments()]


def merge_due(folder: Path | str, segments: list[tuple[str, int]]) -> bool:
    """Whether an ingest that just published ``segments`` should :func:`merge` them."""
    merged = open_merged(folder, segments)
    covered = merged.segments if merged is not None else []
    if merged is not None:
        merged.close()
    tail = segments[len(covered):]
    if not tail:
        return False
    return len(tail) >= MERGE_TAIL_SEGMENTS or \
        4 * sum(n for _, n in tail) >= sum(n for _, n in covered)


def _merged_entries(inputs: list[Sidecar]):
    """(entries, data chunks) of the inputs' terms merged key by key, runs in segment order.
    The chunks are generated (the data is written as it is merged, never held whole) and
    fill the entries' offsets as they go."""
    tables, bases, first_seg = [], [], 0
    for sc in inputs:
        buf = os.pread(sc.fd, sc.terms * _ENTRY.itemsize, sc._entries)
        tables.append(np.frombuffer(buf, dtype=_ENTRY))
        bases.append(list(range(first_seg, first_seg + len(sc.segments))))
        first_seg += len(sc.segments)
    which = np.concatenate([np.full(len(t), i, dtype=np.int32) for i, t in enumerate(tables)])
    allents = np.concatenate(tables)
    del tables
    order = np.argsort(allents["key"], kind="stable")  # inputs are in segment order
    allents, which = allents[order], which[order]
    del order
    keys = allents["key"]
    first = np.concatenate([[True], keys[1:] != keys[:-1]])
    out = np.zeros(int(first.sum()), dtype=_ENTRY)
    out["key"] = keys[first]
    return out, _merged_chunks(inputs, bases, allents, which, first, out)


def _merged_chunks(inputs, bases, allents, which, first, out):
    maps = [mmap.mmap(sc.fd, 0, access=mmap.ACCESS_READ) for sc in inputs]
    starts = [sc._data for sc in inputs]
    fields = array("Q")  # offset, count, npos, runs, first segment: per merged term
    pending: list[bytes] = []
    size = buffered = 0
    # the current term: its runs (segment, postings, ...), its parts' bytes, its totals
    runs_of: list[int] = []
    ids_of: list[bytes] = []
    tfs_of: list[bytes] = []
    pos_of: list[bytes | None] = []
    totals = [0, 0]  # postings, positions

    def finish() -> None:
        nonlocal size, buffered
        with_pos = None not in pos_of
        head = b"" if len(runs_of) == 2 else array("I", runs_of).tobytes()
        block = b"".join([head, *ids_of, *tfs_of, *(pos_of if with_pos else ())])
        fields.extend((size, totals[0], totals[1] if with_pos else NO_POSITIONS,
                       len(runs_of) // 2, runs_of[0]))
        pending.append(block)
        size += len(block)
        buffered += len(block)
        runs_of.clear(), ids_of.clear(), tfs_of.clear(), pos_of.clear()
        totals[0] = totals[1] = 0

    # a key of one input in one segment (most pairs): its block is copied as it is
    alone = first & np.append(first[1:], True)
    step = 1 << 16
    for lo in range(0, len(allents), step):
        rows = allents[lo:lo + step].tolist()
        for row, w, new, single in zip(rows, which[lo:lo + step].tolist(),
                                       first[lo:lo + step].tolist(),
                                       alone[lo:lo + step].tolist()):
            if new and runs_of:
                finish()
            if buffered > 1 << 20:
                yield b"".join(pending)
                pending.clear()
                buffered = 0
            _, offset, count, npos, runs, seg = row
            mm, at, base = maps[w], starts[w] + offset, bases[w]
            if single and runs == 1:
                block = mm[at:at + 8 * count + (0 if npos == NO_POSITIONS else 4 * npos)]
                fields.extend((size, count, npos, 1, base[seg]))
                pending.append(block)
                size += len(block)
                buffered += len(block)
                continue
            if runs > 1:
                for s, c in np.frombuffer(mm, np.uint32, 2 * runs, at).reshape(runs, 2).tolist():
                    runs_of += (base[s], c)
                at += 8 * runs
            else:
                runs_of += (base[seg], count)
            ids_of.append(mm[at:at + 4 * count])
            tfs_of.append(mm[at + 4 * count:at + 8 * count])
            if npos == NO_POSITIONS:
                pos_of.append(None)
            else:
                pos_of.append(mm[at + 8 * count:at + 8 * count + 4 * npos])
                totals[1] += npos
            totals[0] += count
    if runs_of:
        finish()
    if pending:
        yield b"".join(pending)
    cols = np.frombuffer(fields, dtype=np.uint64).reshape(-1, 5)
    for i, name in enumerate(("offset", "count", "npos", "runs", "seg")):
        out[name] = cols[:, i]
    for mm in maps:
        mm.close()
