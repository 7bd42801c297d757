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

import heapq
from bisect import bisect_left
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import accumulate
from math import log
from pickle import loads
from typing import Any

from whoosh import query as Q
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

from archive.textnorm import fold
from indexer.index import PAIR_FIELDS, PAIR_JOIN
from indexer.postings import MISSING, segment_blocks, term_extent

__all__ = ["Adjacent", "Evaluator", "Unsupported"]

B, K1 = 0.75, 1.2
# Cache bounds per reader, together ≈ 70 MB at most: a server on a 100k-article archive
# must stay under 400 MB (measured warm: 449 MB with bounds of ≈ 170 MB, 413 MB with
# ≈ 100 MB).  Most of it holds packed postings: a query's cost is decoding the terms it
# has not met yet.
CACHE_PACKED = 3_500_000  # packed postings (8 bytes each)
CACHE_POSTINGS = 80_000  # postings as {docnum: tf} dicts (≈ 100 bytes each)
CACHE_SCORED = 80_000  # term scores as {docnum: score} dicts (≈ 100 bytes each)
CACHE_SCORED_PACKED = 1_000_000  # term scores packed (8 bytes each)
CACHE_POSITIONS = 200_000  # cached word occurrences (≈ 60 bytes each)
CACHE_PHRASE_DOCS = 80_000  # cached phrase matches (≈ 100 bytes each)
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
    def __init__(self, searcher) -> None:
        self.searcher = searcher
        self.leaves = [(s.reader(), offset) for s, offset in searcher.leaf_searchers()]
        self.n = searcher.doc_count_all()
        self._packed = _Cache(CACHE_PACKED, lambda v: len(v[0]))
        self._postings = _Cache(CACHE_POSTINGS)
        self._scored = _Cache(CACHE_SCORED)
        self._scored_packed = _Cache(CACHE_SCORED_PACKED)
        self._lengths: dict[str, array] = {}
        self._df: dict[tuple[str, str], int] = {}
        self._avg: dict[str, float] = {}
        self._phrases = _Cache(CACHE_PHRASE_DOCS)
        self._occurrences = _Cache(CACHE_POSITIONS)
        indexed = set(searcher.schema.names())
        self._pairs = {f: p for f, p in PAIR_FIELDS.items() if p in indexed}

    # -- postings -----------------------------------------------------------------------
    def _blocks(self, field: str, text: str, values: bool = False,
                only: set[int] | None = None):
        """(global docnum list, weights, values or None) per posting block of one term;
        with ``only``, blocks holding none of those documents are skipped undecoded.
        Deleted documents are included (the caller filters them)."""
        btext = text.encode("utf-8")
        only_sorted = sorted(only) if only is not None else None
        df, raw = 0, True
        for reader, offset in self.leaves:
            info = term_extent(reader, field, btext)
            if info is MISSING:
                continue
            if info is None:  # not a plain Whoosh 3 segment: its own matcher
                raw = False
                yield from _matcher_blocks(reader, offset, field, btext, values, only)
                continue
            df += info.doc_frequency()
            yield from segment_blocks(reader, info, offset, values, only_sorted)
        if raw:  # the term infos' document frequency: idf without a second look-up
            if len(self._df) > 500_000:
                self._df.clear()
            self._df[(field, text)] = df

    def idf(self, field: str, text: str) -> float:
        """Whoosh's idf (``log(N / (df + 1)) + 1``, deleted documents counted)."""
        df = self._df.get((field, text))
        if df is None:
            return self.searcher.idf(field, text)
        return log(self.n / (df + 1)) + 1

    def avg_length(self, field: str) -> float:
        got = self._avg.get(field)
        if got is None:
            got = self._avg[field] = self.searcher.avg_field_length(field) or 1
        return got

    def packed(self, field: str, text: str) -> tuple[array, array]:
        """(docnums, weights) of one term as compact arrays (8 bytes a posting, so the
        postings of every term a day's queries touch stay cached: decoding is the cost)."""
        key = (field, text)
        got = self._packed.get(key)
        if got is not None:
            return got
        ids, weights = array("i"), array("f")  # weights are float32 on disk: lossless
        for block_ids, block_weights, _ in self._blocks(field, text):
            ids.extend(block_ids)
            weights.extend(block_weights)
        return self._packed.put(key, (ids, weights))

    def postings(self, field: str, text: str) -> dict[int, float]:
        """{docnum: term frequency} of one term (read-only: it is cached)."""
        key = (field, text)
        got = self._postings.get(key)
        if got is not None:
            return got
        return self._postings.put(key, dict(zip(*self.packed(field, text))))

    def _field_lengths(self, field: str) -> array:
        got = self._lengths.get(field)
        if got is None:
            # 4 bytes a document (a list of ints held ~36 per document and field: ~30 MB
            # over the scored fields of a 100k archive)
            got = array("I")
            for reader, _ in self.leaves:
                column = _length_column(reader, field)
                if column is not None:  # the whole column at once, not a call per document
                    got.extend(_BYTE_LENGTH[b] for b in column)
                    continue
                dfl = reader.doc_field_length
                got.extend(dfl(d, field, 0) or 0 for d in range(reader.doc_count_all()))
            self._lengths[field] = got
        return got

    # -- scoring ------------------------------------------------------------------------
    def _term_scores(self, field: str, text: str, boost: float) -> dict[int, float]:
        """{docnum: boosted BM25F score} of one term (read-only: cached).  Recent ones stay
        dicts; more are kept packed (an array aligned with the packed docnums, 8 bytes a
        posting), rebuilt into a dict in C instead of re-scoring every posting."""
        key = (field, text, boost)
        got = self._scored.get(key)
        if got is not None:
            return got
        packed = self._scored_packed.get(key)
        if packed is not None:
            got = dict(zip(self.packed(field, text)[0], packed))
        else:
            got = self._score_term(field, text, boost)
            # a dict keeps the packed docnums' order
            self._scored_packed.put(key, array("d", got.values()))
        return self._scored.put(key, got)

    def _score_term(self, field: str, text: str, boost: float) -> dict[int, float]:
        ids, tfs = self.packed(field, text)
        if not ids:
            return {}
        idf = self.idf(field, text)
        avgfl = self.avg_length(field)
        lengths = self._field_lengths(field)
        k = K1 * (1 - B)
        kb = K1 * B / avgfl
        top = idf * (K1 + 1)
        if boost == 1.0:
            return {d: top * tf / (tf + k + kb * lengths[d]) for d, tf in zip(ids, tfs)}
        return {d: top * tf / (tf + k + kb * lengths[d]) * boost for d, tf in zip(ids, tfs)}

    def _scores_for(self, field: str, words: list[str], docs: Iterable[int]
                    ) -> dict[int, float]:
        """Sum of the words' BM25F scores, computed for ``docs`` only (which hold them all)."""
        avgfl = self.avg_length(field)
        lengths = self._field_lengths(field)
        k = K1 * (1 - B)
        kb = K1 * B / avgfl
        docs = docs if isinstance(docs, (set, frozenset)) else set(docs)
        per = [(self._tf_of(field, w, docs), self.idf(field, w) * (K1 + 1)) for w in words]
        out = {}
        for d in docs:
            norm = k + kb * lengths[d]
            total = 0.0
            for post, top in per:
                tf = post[d]
                total += top * tf / (tf + norm)
            out[d] = total
        return out

    def _tf_of(self, field: str, word: str, docs: set[int]) -> dict[int, float]:
        """{docnum: tf} for ``docs`` (all holding ``word``): looked up by bisection in the
        packed postings when they are few, else the whole postings dict."""
        ids, tfs = self.packed(field, word)
        if len(docs) * 16 >= len(ids):
            return self.postings(field, word)
        return {d: tfs[bisect_left(ids, d)] for d in docs}

    def _phrase(self, q: Q.Phrase) -> dict[int, float]:
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
        if q.boost != 1.0:  # boosted copies are cached too: trees repeat a few boosts
            bkey = key + (q.boost,)
            boosted = self._phrases.get(bkey)
            if boosted is None:
                boosted = self._phrases.put(bkey, {d: v * q.boost for d, v in got.items()})
            return boosted
        return got

    def _pair_docs(self, field: str, pair_field: str, words: list[str], exact: bool
                   ) -> dict[int, float]:
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
            if not posts[-1]:  # one missing pair or syllable: no need to read the others
                return {}
        posts.sort(key=len)
        cands = set(posts[0])
        for p in posts[1:]:
            cands = _intersect(cands, p)
        if cands and (len(words) > 2 or (exact and not folded)):
            sure: set[int] = set()
            if not folded:  # the compound word, as segmented, has its syllables side by side
                compound = self.packed(("t_" if field == "t_syl" else "") + "words",
                                       "_".join(words))[0]
                sure = _intersect(set(cands), compound)
            check = cands - sure
            if check:
                spans = self._positions(field, words[0], check)
                for j in range(1, len(words)):
                    spans = {x + 1 for x in spans}.intersection(
                        self._positions(field, words[j], check))
                    if not spans:
                        break
                sure.update(d for d in {x >> SHIFT for x in spans} if d in check)
            cands = sure
        return self._scores_for(field, words, cands)

    def _phrase_docs(self, field: str, words: list[str]) -> dict[int, float]:
        per_word = [self._term_scores(field, w, 1.0) for w in words]
        if not all(per_word):
            return {}
        cands = set(min(per_word, key=len))
        for p in per_word:
            cands.intersection_update(p)
        out = {}
        if field in ("syl", "t_syl"):
            # a document holding the compound word has its syllables side by side
            compound = self.postings(("t_" if field == "t_syl" else "") + "words", "_".join(words))
            for d in cands.intersection(compound):
                out[d] = sum(p[d] for p in per_word)
            cands.difference_update(compound)
        if not cands:
            return out
        # Each word's occurrences as one set of doc<<SHIFT|position ints: the adjacency test
        # is then a set intersection in C.  A word whose documents are mostly candidates is
        # decoded whole and cached; otherwise only the candidates' postings are decoded.
        def occurrences(j: int) -> set[int]:
            few = len(cands) * 2 < len(per_word[j])  # decode the candidates only, no caching
            return self._positions(field, words[j], cands if few else None)

        spans = occurrences(0)
        for j in range(1, len(words)):
            spans = {x + 1 for x in spans}.intersection(occurrences(j))
            if not spans:
                return out
        for d in {x >> SHIFT for x in spans}.intersection(cands):
            out[d] = sum(p[d] for p in per_word)
        return out

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

    def scores(self, q: Any) -> dict[int, float]:
        """{docnum: score} of every document matching ``q`` (deleted ones included)."""
        kind = type(q)
        if kind is Q.Term:
            return self._term_scores(q.fieldname, q.text, q.boost)
        if kind is Q.Phrase or kind is Adjacent:
            return self._phrase(q)
        if q is Q.NullQuery or kind is type(Q.NullQuery):
            return {}
        if kind in (Q.And, Q.Or):
            if getattr(q, "scale", None) or getattr(q, "minmatch", 0):
                raise Unsupported("scaled or minmatch Or")
            if kind is Q.And:  # an empty part empties the AND: the rest is never read
                parts = []
                for sub in q.subqueries:
                    parts.append(self.scores(sub))
                    if not parts[-1]:
                        return {}
                out = _and(parts)
            else:
                out = _or([self.scores(sub) for sub in q.subqueries])
        elif kind is Q.AndMaybe:
            a = self.scores(q.a)
            if not a:
                return {}
            b = self.scores(q.b)
            out = {d: v + b[d] if d in b else v for d, v in a.items()}
        elif kind is Q.AndNot:
            a = self.scores(q.a)
            if not a:
                return {}
            b = self.scores(q.b)
            out = {d: v for d, v in a.items() if d not in b}
        else:
            raise Unsupported(kind.__name__)
        if q.boost != 1.0:
            out = {d: v * q.boost for d, v in out.items()}
        return out

    @staticmethod
    def top(scores: dict[int, float], k: int, allowed: Iterable[int] | None = None
            ) -> list[tuple[int, float]]:
        """Best ``k`` (docnum, score), ties by docnum as Whoosh orders them."""
        if k <= 0:
            return []
        if allowed is not None:
            scores = {d: scores[d] for d in allowed if d in scores}
        if len(scores) > 4 * k:
            # the k-th best score found in C; only scores at least as high are sorted
            floor = heapq.nlargest(k, scores.values())[-1]
            items = [(d, v) for d, v in scores.items() if v >= floor]
        else:
            items = list(scores.items())
        items.sort(key=lambda ds: (-ds[1], ds[0]))
        return items[:k]


_BYTE_LENGTH = [byte_to_length(b) if b else 0 for b in range(256)]


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


def _intersect(cands: set[int], ids: array) -> set[int]:
    """``cands`` ∩ sorted ``ids``: few candidates are bisected, not the array walked."""
    if len(cands) * 16 < len(ids):
        n = len(ids)
        return {d for d in cands if (i := bisect_left(ids, d)) < n and ids[i] == d}
    cands.intersection_update(ids)
    return cands


def _and(parts: list[dict[int, float]]) -> dict[int, float]:
    if not parts or not all(parts):
        return {}
    parts = sorted(parts, key=len)
    keys = set(parts[0])
    for p in parts[1:]:
        keys.intersection_update(p)
    # the same additions in the same order as sum(p[d] for p in parts), part by part
    first = parts[0]
    out = {d: first[d] for d in keys}
    for p in parts[1:]:
        out = {d: v + p[d] for d, v in out.items()}
    return out


def _or(parts: list[dict[int, float]]) -> dict[int, float]:
    parts = [p for p in parts if p]
    if not parts:
        return {}
    biggest = max(range(len(parts)), key=lambda i: len(parts[i]))
    out = dict(parts[biggest])
    for i, p in enumerate(parts):
        if i == biggest:
            continue
        for d, v in p.items():
            out[d] = out[d] + v if d in out else v
    return out
