"""A term's postings, positions and field lengths for the evaluator, read from the postings
sidecars (``indexer.codec.sidecar``) where the segments have them, else from Whoosh's blocks
(``indexer.codec.whoosh_blocks``), and cached per index reader.

Docnums are the searcher's (segment offset added); deleted documents are included, the
caller filters them.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from math import log
from pickle import loads
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from indexer.codec.whoosh_blocks import MISSING, segment_blocks, term_extent
from indexer.codec.sidecar import FIELDS as SIDECAR_FIELDS
from indexer.codec.sidecar import NO_POSITIONS, POSITIONAL, Sidecar, open_merged, open_sidecar, term_key

__all__ = ["TermReader", "Cache", "SHIFT", "NO_IDS", "in_sorted", "intersect_sorted"]

# Cache bounds per reader: a server on a 100k-article archive must stay under 400 MB.
CACHE_PACKED = 4_000_000  # postings: docnum + frequency (8 bytes each)
CACHE_POSITIONS = 200_000  # cached word occurrences from Whoosh's blocks (≈ 60 bytes each)
SHIFT = 20  # doc << SHIFT | position: articles stay far below 2**20 syllables


class TermReader:
    def __init__(self, searcher, folder: str | None = None, sidecars: bool = True,
                 prefetch: bool = False) -> None:
        self.searcher = searcher
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self.n = searcher.doc_count_all()
        if folder is None:
            storage = getattr(getattr(searcher, "_ix", None), "storage", None)
            folder = getattr(storage, "folder", None)
        self.sources = _sources(folder if sidecars else None, self.leaves)
        for src in self.sources if prefetch else ():
            if src.sidecar is not None:
                src.sidecar.prefetch()
        self._packed = Cache(CACHE_PACKED, lambda v: len(v[0]))
        self._lengths: dict[str, np.ndarray] = {}
        self._df: dict[tuple[str, str], int] = {}
        self._avg: dict[str, float] = {}
        self._totals: dict[str, int] = {}
        self._occurrences = Cache(CACHE_POSITIONS)

    @property
    def sidecars(self) -> int:
        """Segments read through a postings sidecar (the others: Whoosh's blocks)."""
        return sum(len(src.leaves) for src in self.sources if src.sidecar is not None)

    def close(self) -> None:
        for src in self.sources:
            if src.sidecar is not None:
                src.sidecar.close()

    def packed(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums int32, frequencies float32) of one term, docnums ascending: from the
        sidecars, else Whoosh's blocks.  Cached: reading new terms is a query's cost."""
        key = (field, text)
        got = self._packed.get(key)
        if got is not None:
            return got
        btext = text.encode("utf-8")
        skey = np.uint64(term_key(field, btext)) if field in SIDECAR_FIELDS else None
        ids: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        for src in self.sources:
            if src.sidecar is not None and skey is not None:
                found = src.sidecar.read(skey)
                if found is not None:
                    ids.append(found[0])
                    tfs.append(found[1])
                continue
            for block_ids, block_weights, _ in self.blocks(field, text, leaves=src.leaves):
                ids.append(np.array(block_ids, dtype=np.int32))
                tfs.append(np.array(block_weights, dtype=np.float32))
        if len(ids) == 1:
            got = (ids[0], tfs[0])
        elif ids:
            got = (np.concatenate(ids), np.concatenate(tfs))
        else:
            got = (NO_IDS, _NO_TFS)
        if len(self._df) > 500_000:
            self._df.clear()
        self._df[key] = len(got[0])
        return self._packed.put(key, got)

    def frequency(self, field: str, text: str) -> int:
        """Occurrences of a term (Whoosh's ``reader.frequency``: the postings' frequencies
        summed), from the cached postings."""
        return int(self.packed(field, text)[1].sum(dtype=np.float64))

    def doc_frequency(self, field: str, text: str) -> int:
        """Documents holding a term, deleted ones included."""
        df = self._df.get((field, text))
        return len(self.packed(field, text)[0]) if df is None else df

    def field_length(self, field: str) -> int:
        """Tokens of a field over every document (Whoosh's ``reader.field_length``)."""
        got = self._totals.get(field)
        if got is None:
            got = self._totals[field] = self.searcher.reader().field_length(field)
        return got

    def idf(self, field: str, text: str) -> float:
        """Whoosh's idf (``log(N / (df + 1)) + 1``, deleted documents counted)."""
        df = self._df.get((field, text))
        if df is None:
            self.packed(field, text)
            df = self._df[(field, text)]
        return log(self.n / (df + 1)) + 1

    def avg_length(self, field: str) -> float:
        got = self._avg.get(field)
        if got is None:
            got = self._avg[field] = self.searcher.avg_field_length(field) or 1
        return got

    def field_lengths(self, field: str) -> np.ndarray:
        got = self._lengths.get(field)
        if got is None:
            parts = []
            for reader, _ in self.leaves:
                column = _length_column(reader, field)
                if column is not None:  # the whole column at once, not a call per document
                    parts.append(_BYTE_LENGTH[column])
                    continue
                dfl = reader.doc_field_length
                parts.append(np.array([dfl(d, field, 0) or 0
                                       for d in range(reader.doc_count_all())], dtype=np.float64))
            got = self._lengths[field] = np.concatenate(parts) if parts else \
                np.zeros(0, dtype=np.float64)
        return got

    def occurrences(self, field: str, word: str, cands: np.ndarray) -> np.ndarray | None:
        """Sorted doc<<SHIFT|position of ``word`` in the documents ``cands``, from the
        sidecars; None when a segment has no sidecar positions for it."""
        if field not in POSITIONAL:
            return None
        skey = np.uint64(term_key(field, word.encode("utf-8")))
        every_id, every_tf = self.packed(field, word)  # the sources' postings, in order
        parts = []
        for src in self.sources:
            lo, hi = np.searchsorted(cands, (src.lo, src.hi)).tolist()
            if lo == hi:  # no candidate in these segments
                continue
            if src.sidecar is None:
                return None
            first, last = np.searchsorted(every_id, (src.lo, src.hi)).tolist()
            ids = every_id[first:last]
            if not len(ids):
                continue
            # the candidates searched in the postings: a common word has far more postings
            mine = cands[lo:hi]
            kept = np.searchsorted(ids, mine[in_sorted(mine, ids)])
            if not len(kept):
                continue
            counts = every_tf[first:last].astype(np.int64)
            lens = counts[kept]
            got = src.sidecar.positions(skey, np.cumsum(counts)[kept] - lens, lens)
            if got is None:
                continue
            if got is NO_POSITIONS:
                return None
            pos, starts = got
            # the kept postings' slices of the positions, without expanding the others
            firsts = np.cumsum(lens) - lens  # where each kept posting starts in the output
            at = np.repeat(starts - firsts, lens) + np.arange(int(lens.sum()))
            docs = np.repeat(ids[kept].astype(np.int64), lens)
            parts.append((docs << SHIFT) | pos[at])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def blocks(self, field: str, text: str, values: bool = False,
               only: set[int] | None = None, leaves: list[tuple[Any, int]] | None = None):
        """(global docnum list, weights, values or None) per Whoosh posting block of one
        term in ``leaves`` (default: every segment); with ``only``, blocks holding none of
        those documents are skipped undecoded.  Deleted documents are included (the caller
        filters them)."""
        btext = text.encode("utf-8")
        only_sorted = sorted(only) if only is not None else None
        for reader, offset in self.leaves if leaves is None else leaves:
            info = term_extent(reader, field, btext)
            if info is MISSING:
                continue
            if info is None:  # not a plain Whoosh 3 segment: its own matcher
                yield from _matcher_blocks(reader, offset, field, btext, values, only)
                continue
            yield from segment_blocks(reader, info, offset, values, only_sorted)

    def positions(self, field: str, word: str, only: set[int] | None = None) -> set[int]:
        key = (field, word)
        got = self._occurrences.get(key)
        if got is not None:
            return got
        got = set()
        for ids, _, values in self.blocks(field, word, values=True, only=only):
            for d, v in zip(ids, values):  # pickled position deltas after a 4-byte count
                if only is None or d in only:
                    base = d << SHIFT
                    got.update(base + p for p in accumulate(loads(v[4:])))
        if only is not None:
            return got
        return self._occurrences.put(key, got)


def in_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mask of the elements of ``a`` found in ``b`` (sorted ascending): a binary search per
    element of ``a``, no sort (``np.isin`` and ``np.intersect1d`` sort both arrays)."""
    if not len(a) or not len(b):
        return np.zeros(len(a), dtype=bool)
    top = int(b[-1]) + 1
    if len(a) * 12 > len(b) + top // 5:  # many dense values (common words' docnums): a
        # bitmap costs about a nanosecond per value below ``top``, a search 60 per element
        seen = np.zeros(top, dtype=bool)
        seen[b] = True
        out = np.zeros(len(a), dtype=bool)
        below = int(np.searchsorted(a, top))
        out[:below] = seen[a[:below]]
        return out
    at = np.searchsorted(b, a)
    np.minimum(at, len(b) - 1, out=at)
    return b[at] == a


def intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The elements of both sorted, duplicate-free arrays, ascending (the shorter one is
    searched in the longer)."""
    if len(a) > len(b):
        a, b = b, a
    return a[in_sorted(a, b)]


_BYTE_LENGTH = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)
NO_IDS = np.zeros(0, dtype=np.int32)  # no documents (shared: never written to)
_NO_TFS = np.zeros(0, dtype=np.float32)


@dataclass
class _Source:
    """Consecutive segments read through one sidecar (merged or a segment's own), or one
    segment read through Whoosh (``sidecar`` None); docnums ``lo`` to ``hi``."""
    sidecar: Sidecar | None
    leaves: list[tuple[Any, int]]
    lo: int
    hi: int


def _sources(folder: str | None, leaves: list[tuple[Any, int]]) -> list[_Source]:
    def whoosh(leaf):
        return _Source(None, [leaf], leaf[1], leaf[1] + leaf[0].doc_count_all())
    try:
        segments = [(r.segment().segment_id(), r.doc_count_all()) for r, _ in leaves]
    except AttributeError:  # not segment readers
        folder = None
    if folder is None:
        return [whoosh(leaf) for leaf in leaves]
    out: list[_Source] = []
    merged = open_merged(folder, segments)
    if merged is not None:
        covered = leaves[:len(merged.segments)]
        merged.bases = np.array([offset for _, offset in covered], dtype=np.int32)
        out.append(_Source(merged, covered, covered[0][1],
                           covered[-1][1] + segments[len(covered) - 1][1]))
    for leaf, (sid, size) in list(zip(leaves, segments))[len(merged.segments) if merged else 0:]:
        sc = open_sidecar(folder, sid, size)
        if sc is None:
            out.append(whoosh(leaf))
            continue
        sc.bases = np.array([leaf[1]], dtype=np.int32)
        out.append(_Source(sc, [leaf], leaf[1], leaf[1] + size))
    return out


class Cache:
    """Least recently used first out, bounded by the summed ``size`` of the values
    (postings, scores, positions: their count is what the memory bound is about)."""

    def __init__(self, limit: int, size: Callable[[Any], int] = len) -> None:
        self.items: OrderedDict = OrderedDict()
        self.limit, self.size, self.total = limit, size, 0

    def get(self, key: Any) -> Any:
        got = self.items.get(key)
        if got is not None:
            self.items.move_to_end(key)
        return got

    def put(self, key: Any, value: Any) -> Any:
        """Store ``value`` under a key not in the cache; the oldest go past the limit."""
        self.items[key] = value
        self.total += self.size(value)
        while self.total > self.limit and len(self.items) > 1:
            self.total -= self.size(self.items.popitem(last=False)[1])
        return value


def _length_column(reader, field: str) -> np.ndarray | None:
    """The segment's quantised length bytes of ``field`` (one per document), read in one
    piece from Whoosh's length column (one byte per document up to the last non-zero one),
    or None when it is not laid out that way."""
    try:
        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        n = reader.doc_count_all()
        if column is None or len(column) != n or column._typecode != "B" or column._default:
            return None
        count = min(column._count, n)
        raw = column._dbfile.get(column._basepos, count) if count else b""
    except (AttributeError, TypeError):
        return None
    out = np.zeros(n, dtype=np.uint8)
    out[:count] = np.frombuffer(raw, dtype=np.uint8, count=count)
    return out


def _matcher_blocks(reader, offset: int, field: str, btext: bytes, values: bool,
                    only: set[int] | None):
    """The same blocks through Whoosh's own matcher (any codec)."""
    if (field, btext) not in reader:
        return
    m = reader.postings(field, btext)
    m = getattr(m, "child", m)  # deletions are filtered by the caller
    while m.is_active():
        m._read_ids()
        ids = [offset + d for d in m._ids] if offset else list(m._ids)
        if only is not None and only.isdisjoint(ids):
            m._next_block()
            continue
        m._read_weights()
        if values:
            m._read_values()
        yield ids, m._weights, (m._values if values else None)
        m._next_block()
