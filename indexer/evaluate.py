"""Evaluate a query tree over cached postings: the full match set and BM25F scores at once.

Whoosh walks every matching document through a tree of Python matchers, and our query trees
are wide (each word is an OR of exact, compound and folded views, phrases included): a
common word costs ~1 ms per matching document, twice (once for the match set behind totals
and facets, once for ranking).  Here each term's postings are read a block at a time into a
``{docnum: weight}`` dict, cached per reader, and the tree is combined with dict/set
operations.  Scores are Whoosh's own BM25F (B=0.75, K1=1.2, global idf and average length,
quantised field lengths, phrase score = sum of its words' scores), so the ranking is the same.
Adjacency comes from the folded adjacent-syllable pair fields (``fpair``/``t_fpair``, see
``indexer.index.PAIR_FIELDS``): a phrase's candidates are the intersection of its pairs'
postings (and, for the exact ``syl`` views, of its syllables' postings).  That is exact for
two folded syllables, and an ``Adjacent`` node (a query word's syllables side by side)
accepts it for two exact syllables too; three syllables or more, and an explicit ``Phrase``
over exact syllables, have their positions checked on those candidates only (documents
holding the compound word in ``words`` need no check).  An index built before the pair
fields existed falls back to positions throughout.
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from collections.abc import Callable, Iterable
from itertools import accumulate
from math import log
from pickle import loads
from typing import Any

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from archive.textnorm import fold
from indexer.index import PAIR_FIELDS, PAIR_JOIN
from indexer.postings import MISSING, segment_blocks, term_extent
from indexer.sidecar import FIELDS as SIDECAR_FIELDS
from indexer.sidecar import (NO_POSITIONS, POSITIONAL, Sidecar, open_merged, open_sidecar,
                             term_key)

__all__ = ["Adjacent", "Evaluator", "Unsupported"]

B, K1 = 0.75, 1.2
# Cache bounds per reader, together ≈ 70 MB at most: a server on a 100k-article archive
# must stay under 400 MB (measured warm: 449 MB with bounds of ≈ 170 MB, 413 MB with
# ≈ 100 MB).  Most of it holds packed postings: a query's cost is decoding the terms it
# has not met yet.
CACHE_PACKED = 4_000_000  # postings: docnum + frequency (8 bytes each)
CACHE_SCORED = 2_000_000  # term scores: docnum + score (12 bytes each)
CACHE_POSITIONS = 200_000  # cached word occurrences (≈ 60 bytes each)
CACHE_PHRASE_DOCS = 1_000_000  # phrase matches: docnum + score (12 bytes each)
SHIFT = 20  # doc << SHIFT | position: articles stay far below 2**20 syllables


class Adjacent(Q.Phrase):
    """Syllables side by side, for query words and the adjacency bonus.  Two syllables are
    answered from the folded pair and the syllables' postings alone (for exact views: the
    folded pair side by side and every exact syllable present — a pair written with other
    diacritics next to the exact syllables elsewhere is a negligible risk); longer runs are
    checked on positions like a phrase, on the pair candidates only.  Whoosh itself (the
    fallback) treats it as the exact phrase."""


class Unsupported(Exception):
    """A query node this evaluator does not model; the caller falls back to Whoosh."""


class Evaluator:
    """Scores of a query tree as one dense float64 array over the reader's docnums (0: no
    match; a BM25F score is never 0 for a matching document: idf > 0.9 and tf > 0)."""

    def __init__(self, searcher, folder: str | None = None, sidecars: bool = True) -> None:
        self.searcher = searcher
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self.n = searcher.doc_count_all()
        if folder is None:
            storage = getattr(getattr(searcher, "_ix", None), "storage", None)
            folder = getattr(storage, "folder", None)
        self._sources = _sources(folder if sidecars else None, self.leaves)
        self._packed = _Cache(CACHE_PACKED, lambda v: len(v[0]))
        self._scored = _Cache(CACHE_SCORED, lambda v: len(v[0]))
        self._lengths: dict[str, np.ndarray] = {}
        self._df: dict[tuple[str, str], int] = {}
        self._avg: dict[str, float] = {}
        self._phrases = _Cache(CACHE_PHRASE_DOCS, lambda v: len(v[0]))
        self._occurrences = _Cache(CACHE_POSITIONS)
        indexed = set(searcher.schema.names())
        self._pairs = {f: p for f, p in PAIR_FIELDS.items() if p in indexed}

    @property
    def sidecars(self) -> int:
        """Segments read through a postings sidecar (the others: Whoosh's blocks)."""
        return sum(len(src.leaves) for src in self._sources if src.sidecar is not None)

    # -- postings -----------------------------------------------------------------------
    def _blocks(self, field: str, text: str, values: bool = False,
                only: set[int] | None = None):
        """(global docnum list, weights, values or None) per Whoosh posting block of one
        term; with ``only``, blocks holding none of those documents are skipped undecoded.
        Deleted documents are included (the caller filters them)."""
        btext = text.encode("utf-8")
        only_sorted = sorted(only) if only is not None else None
        for reader, offset in self.leaves:
            info = term_extent(reader, field, btext)
            if info is MISSING:
                continue
            if info is None:  # not a plain Whoosh 3 segment: its own matcher
                yield from _matcher_blocks(reader, offset, field, btext, values, only)
                continue
            yield from segment_blocks(reader, info, offset, values, only_sorted)

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

    def packed(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums int32, frequencies float32) of one term, docnums ascending: from each
        segment's sidecar, else its Whoosh blocks.  Cached: decoding is a query's cost."""
        key = (field, text)
        got = self._packed.get(key)
        if got is not None:
            return got
        btext = text.encode("utf-8")
        skey = np.uint64(term_key(field, btext)) if field in SIDECAR_FIELDS else None
        ids: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        for src in self._sources:
            if src.sidecar is not None and skey is not None:
                found = src.sidecar.read(skey)
                if found is not None:
                    ids.append(found[0])
                    tfs.append(found[1])
                continue
            for reader, offset in src.leaves:
                info = term_extent(reader, field, btext)
                if info is MISSING:
                    continue
                blocks = _matcher_blocks(reader, offset, field, btext, False, None) \
                    if info is None else segment_blocks(reader, info, offset)
                for block_ids, block_weights, _ in blocks:
                    ids.append(np.array(block_ids, dtype=np.int32))
                    tfs.append(np.array(block_weights, dtype=np.float32))
        if len(ids) == 1:
            got = (ids[0], tfs[0])
        elif ids:
            got = (np.concatenate(ids), np.concatenate(tfs))
        else:
            got = (_NO_IDS, _NO_TFS)
        if len(self._df) > 500_000:
            self._df.clear()
        self._df[key] = len(got[0])
        return self._packed.put(key, got)

    def postings(self, field: str, text: str) -> dict[int, float]:
        """{docnum: term frequency} of one term."""
        ids, tfs = self.packed(field, text)
        return dict(zip(ids.tolist(), tfs.tolist()))

    def _field_lengths(self, field: str) -> np.ndarray:
        got = self._lengths.get(field)
        if got is None:
            parts = []
            for reader, _ in self.leaves:
                column = _length_column(reader, field)
                if column is not None:  # the whole column at once, not a call per document
                    parts.append(_BYTE_LENGTH[np.frombuffer(bytes(column), dtype=np.uint8)])
                    continue
                dfl = reader.doc_field_length
                parts.append(np.array([dfl(d, field, 0) or 0
                                       for d in range(reader.doc_count_all())], dtype=np.float64))
            got = self._lengths[field] = np.concatenate(parts) if parts else \
                np.zeros(0, dtype=np.float64)
        return got

    # -- scoring ------------------------------------------------------------------------
    def _term_scores(self, field: str, text: str, boost: float) -> Sparse:
        """(docnums, boosted BM25F scores) of one term (read-only: cached)."""
        key = (field, text, boost)
        got = self._scored.get(key)
        if got is not None:
            return got
        ids, tfs = self.packed(field, text)
        if not len(ids):
            return ids, _NO_SCORES
        tf = tfs.astype(np.float64)
        top = self.idf(field, text) * (K1 + 1)
        kb = K1 * B / self.avg_length(field)
        scores = top * tf / (tf + K1 * (1 - B) + kb * self._field_lengths(field)[ids])
        if boost != 1.0:
            scores *= boost
        return self._scored.put(key, (ids, scores))

    def _scores_for(self, field: str, words: list[str], docs: np.ndarray) -> Sparse:
        """Sum of the words' BM25F scores, computed for ``docs`` only (sorted docnums,
        each holding every word)."""
        kb = K1 * B / self.avg_length(field)
        norm = K1 * (1 - B) + kb * self._field_lengths(field)[docs]
        total = np.zeros(len(docs), dtype=np.float64)
        for w in words:
            ids, tfs = self.packed(field, w)
            tf = tfs[np.searchsorted(ids, docs)].astype(np.float64)
            total += self.idf(field, w) * (K1 + 1) * tf / (tf + norm)
        return docs, total

    def _phrase(self, q: Q.Phrase) -> Sparse:
        if q.slop != 1:
            raise Unsupported("sloppy phrase")
        loose = type(q) is Adjacent
        key = (q.fieldname, tuple(q.words), loose)
        got = self._phrases.get(key)
        if got is None:
            pf = self._pairs.get(q.fieldname)
            if pf is None:
                got = self._phrase_docs(q.fieldname, list(q.words))
            else:
                got = self._pair_docs(q.fieldname, pf, list(q.words), exact=not loose)
            self._phrases.put(key, got)
        return got if q.boost == 1.0 else (got[0], got[1] * q.boost)

    def _pair_docs(self, field: str, pair_field: str, words: list[str], exact: bool
                   ) -> Sparse:
        """Documents with every adjacent folded pair and every syllable of ``words``;
        positions checked on those candidates only when ``exact`` requires it."""
        folded = field in ("fold", "t_fold")
        keys = words if folded else [fold(w) for w in words]
        needed = [(pair_field, a + PAIR_JOIN + b) for a, b in zip(keys, keys[1:])]
        if not folded:
            needed += [(field, w) for w in words]
        posts = []
        for key in needed:
            posts.append(self.packed(*key)[0])
            if not len(posts[-1]):  # one missing pair or syllable: no need to read the others
                return _NO_IDS, _NO_SCORES
        posts.sort(key=len)
        cands = posts[0]
        for p in posts[1:]:
            cands = np.intersect1d(cands, p, assume_unique=True)
        if len(cands) and (len(words) > 2 or (exact and not folded)):
            sure = _NO_IDS
            if not folded:  # the compound word, as segmented, has its syllables side by side
                compound = self.packed(("t_" if field == "t_syl" else "") + "words",
                                       "_".join(words))[0]
                sure = np.intersect1d(cands, compound, assume_unique=True)
            check = np.setdiff1d(cands, sure, assume_unique=True)
            if len(check):
                sure = np.union1d(sure, self._adjacent(field, words, check))
            cands = sure
        return self._scores_for(field, words, cands.astype(np.int32))

    def _adjacent(self, field: str, words: list[str], cands: np.ndarray,
                  decode_whole: bool = False) -> np.ndarray:
        """Documents of ``cands`` (sorted) with ``words`` side by side.  Each word's
        occurrences are doc<<SHIFT|position integers, so adjacency is an intersection of
        sorted arrays (from the sidecars) or of sets (from Whoosh's blocks, decoded for the
        candidates only unless ``decode_whole``: then the word is decoded whole and cached)."""
        spans = self._occurrences_of(field, words[0], cands)
        if spans is not None:
            for word in words[1:]:
                if not len(spans):
                    break
                got = self._occurrences_of(field, word, cands)
                if got is None:
                    break
                spans = np.intersect1d(spans + 1, got, assume_unique=True)
            else:
                return np.unique(spans >> SHIFT).astype(np.int32)
        check = set(cands.tolist())
        only = None if decode_whole else check
        found = self._positions(field, words[0], only)
        for word in words[1:]:
            found = {x + 1 for x in found}.intersection(self._positions(field, word, only))
            if not found:
                return _NO_IDS
        return np.array(sorted({x >> SHIFT for x in found}.intersection(check)), dtype=np.int32)

    def _occurrences_of(self, field: str, word: str, cands: np.ndarray) -> np.ndarray | None:
        """Sorted doc<<SHIFT|position of ``word`` in the documents ``cands``, from the
        sidecars; None when a segment has no sidecar positions for it."""
        if field not in POSITIONAL:
            return None
        skey = np.uint64(term_key(field, word.encode("utf-8")))
        parts = []
        for src in self._sources:
            lo, hi = np.searchsorted(cands, (src.lo, src.hi)).tolist()
            if lo == hi:  # no candidate in these segments
                continue
            if src.sidecar is None:
                return None
            got = src.sidecar.read(skey, positions=True)
            if got is None:
                continue
            if got is NO_POSITIONS:
                return None
            ids, tfs, pos = got
            keep = np.isin(ids, cands[lo:hi], assume_unique=True)
            if not keep.any():
                continue
            counts = tfs.astype(np.int64)
            each = np.repeat(keep, counts)
            docs = np.repeat(ids.astype(np.int64), counts)[each]
            parts.append((docs << SHIFT) | pos[each])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def _phrase_docs(self, field: str, words: list[str]) -> Sparse:
        """A phrase on an index without pair fields: positions of every candidate."""
        per_word = [self._term_scores(field, w, 1.0) for w in words]
        if not all(len(ids) for ids, _ in per_word):
            return _NO_IDS, _NO_SCORES
        cands = min((ids for ids, _ in per_word), key=len)
        for ids, _ in per_word:
            cands = np.intersect1d(cands, ids, assume_unique=True)
        sure = _NO_IDS
        if field in ("syl", "t_syl"):
            # a document holding the compound word has its syllables side by side
            compound = self.packed(("t_" if field == "t_syl" else "") + "words",
                                   "_".join(words))[0]
            sure = np.intersect1d(cands, compound, assume_unique=True)
            cands = np.setdiff1d(cands, sure, assume_unique=True)
        if len(cands):
            # a word whose documents are mostly candidates is decoded whole and cached
            few = len(cands) * 2 < min(len(ids) for ids, _ in per_word)
            sure = np.union1d(sure, self._adjacent(field, words, cands, decode_whole=not few))
        total = np.zeros(len(sure), dtype=np.float64)
        for ids, scores in per_word:
            total += scores[np.searchsorted(ids, sure)]
        return sure, total

    def _positions(self, field: str, word: str, only: set[int] | None = None) -> set[int]:
        key = (field, word)
        got = self._occurrences.get(key)
        if got is not None:
            return got
        got = set()
        for ids, _, values in self._blocks(field, word, values=True, only=only):
            for d, v in zip(ids, values):  # pickled position deltas after a 4-byte count
                if only is None or d in only:
                    base = d << SHIFT
                    got.update(base + p for p in accumulate(loads(v[4:])))
        if only is not None:
            return got
        return self._occurrences.put(key, got)

    def scores(self, q: Any) -> np.ndarray:
        """Scores of every document for ``q`` (deleted ones included), dense."""
        return self._dense(self._node(q))

    def _node(self, q: Any) -> Sparse | np.ndarray:
        kind = type(q)
        if kind is Q.Term:
            return self._term_scores(q.fieldname, q.text, q.boost)
        if kind is Q.Phrase or kind is Adjacent:
            return self._phrase(q)
        if q is Q.NullQuery or kind is type(Q.NullQuery):
            return _NO_IDS, _NO_SCORES
        if kind is Q.Every:
            return np.full(self.n, q.boost, dtype=np.float64)
        if kind in (Q.And, Q.Or):
            if getattr(q, "scale", None) or getattr(q, "minmatch", 0):
                raise Unsupported("scaled or minmatch Or")
            if kind is Q.And:  # an empty part empties the AND: the rest is never read
                parts = []
                for sub in q.subqueries:
                    parts.append(self._node(sub))
                    if _empty(parts[-1]):
                        return _NO_IDS, _NO_SCORES
                out = self._and(parts)
            else:
                out = self._or([self._node(sub) for sub in q.subqueries])
        elif kind is Q.AndMaybe:
            a = self._node(q.a)
            if _empty(a):
                return _NO_IDS, _NO_SCORES
            a = self._dense(a, copy=True)
            b = self._dense(self._node(q.b))
            out = a + np.where(a > 0, b, 0.0)
        elif kind is Q.AndNot:
            a = self._node(q.a)
            if _empty(a):
                return _NO_IDS, _NO_SCORES
            b = self._dense(self._node(q.b))
            out = np.where(b > 0, 0.0, self._dense(a))
        else:
            raise Unsupported(kind.__name__)
        if q.boost != 1.0:
            out = out * q.boost if isinstance(out, np.ndarray) else (out[0], out[1] * q.boost)
        return out

    def _dense(self, part: Sparse | np.ndarray, copy: bool = False) -> np.ndarray:
        if isinstance(part, np.ndarray):
            return part.copy() if copy else part
        out = np.zeros(self.n, dtype=np.float64)
        out[part[0]] = part[1]
        return out

    def _or(self, parts: list[Sparse | np.ndarray]) -> Sparse | np.ndarray:
        parts = [p for p in parts if not _empty(p)]
        if not parts:
            return _NO_IDS, _NO_SCORES
        if len(parts) == 1:
            return parts[0]
        out = np.zeros(self.n, dtype=np.float64)
        for p in parts:
            if isinstance(p, np.ndarray):
                out += p
            else:
                out[p[0]] += p[1]  # docnums are unique within a part
        return out

    def _and(self, parts: list[Sparse | np.ndarray]) -> Sparse | np.ndarray:
        if len(parts) == 1:
            return parts[0]
        out = self._dense(parts[0], copy=True)
        ok = out > 0
        for p in parts[1:]:
            d = self._dense(p)
            ok &= d > 0
            out += d
        out[~ok] = 0.0
        return out

    @staticmethod
    def top(scores: np.ndarray, k: int, allowed: np.ndarray | None = None
            ) -> list[tuple[int, float]]:
        """Best ``k`` (docnum, score) of a dense score array (``allowed``: a mask), ties by
        docnum as Whoosh orders them."""
        if k <= 0 or not len(scores):
            return []
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        docs = np.flatnonzero(scores > 0)
        vals = scores[docs]
        if len(docs) > k:
            # the k-th best score found by partition; only scores at least as high sorted
            floor = np.partition(vals, len(vals) - k)[len(vals) - k]
            keep = vals >= floor
            docs, vals = docs[keep], vals[keep]
        order = np.lexsort((docs, -vals))[:k]
        return list(zip(docs[order].tolist(), vals[order].tolist()))


_BYTE_LENGTH = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)
# (sorted docnums, float64 scores) of one node; dense float64 arrays for combined nodes
Sparse = tuple[np.ndarray, np.ndarray]
_NO_IDS = np.zeros(0, dtype=np.int32)
_NO_TFS = np.zeros(0, dtype=np.float32)
_NO_SCORES = np.zeros(0, dtype=np.float64)


def _empty(part: Sparse | np.ndarray) -> bool:
    return not len(part[0]) if isinstance(part, tuple) else not part.any()


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
        out.append(_Source(merged, covered, 0, covered[-1][1] + segments[len(covered) - 1][1]))
    for leaf, (sid, size) in list(zip(leaves, segments))[len(merged.segments) if merged else 0:]:
        sc = open_sidecar(folder, sid, size)
        if sc is None:
            out.append(whoosh(leaf))
            continue
        sc.bases = np.array([leaf[1]], dtype=np.int32)
        out.append(_Source(sc, [leaf], leaf[1], leaf[1] + size))
    return out


class _Cache:
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


def _length_column(reader, field: str):
    """The segment's quantised length bytes of ``field`` (one per document), if readable."""
    try:
        perdoc = reader._perdoc
        column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None or len(column) != reader.doc_count_all():
            return None
        return column
    except (AttributeError, TypeError):
        return None


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
