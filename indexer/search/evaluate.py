"""Evaluate a query tree over cached postings: the full match set and BM25F scores at once.

Whoosh walks every matching document through a tree of Python matchers, and our query trees
are wide (each word is an OR of exact, compound and folded views, phrases included), so a
common word cost a lot per matching document.  Here each term's postings come as arrays
(``indexer.search.postings_cache``), a term's scores are computed in one vectorised step, and the tree is
combined as dense score arrays over the docnums (0: no match).  Scores are Whoosh's own
BM25F (B=0.75, K1=1.2, global idf and average length, quantised field lengths, phrase score
= sum of its words' scores), so the ranking is the same.
Adjacency comes from the folded adjacent-syllable pair fields (``fpair``/``t_fpair``, see
``indexer.schema.PAIR_FIELDS``): a phrase's candidates are the intersection of its pairs'
postings (and, for the exact ``syl`` views, of its syllables' postings).  That is exact for
two folded syllables, and an ``Adjacent`` node (a query word's syllables side by side)
accepts it for two exact syllables too; three syllables or more, and an explicit ``Phrase``
over exact syllables, have their positions checked on those candidates only (documents
holding the compound word in ``words`` need no check).  An index built before the pair
fields existed falls back to positions throughout.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from whoosh import query as Q

from archive.textnorm import fold
from indexer.schema import GAP_FIELDS, GAP_TERM, PAIR_FIELDS, PAIR_JOIN
from indexer.search.nodes import ADJACENT, Adjacent, AtLeast, Within
from indexer.search.parts import NO_SCORES, NO_SPANS, Sparse, empty, matched, span_docs, values
from indexer.search.postings_cache import (NO_IDS, SHIFT, Cache, TermReader, in_sorted,
                                           intersect_sorted)

__all__ = ["Evaluator", "Unsupported"]

B, K1 = 0.75, 1.2
# Cache bounds per reader (``indexer.search.postings_cache`` holds the postings): a server on a 100k-article
# archive must stay under 400 MB.
CACHE_SCORED = 2_000_000  # term scores: docnum + score (12 bytes each)
CACHE_PHRASE_DOCS = 1_000_000  # phrase matches: docnum + score (12 bytes each)


class Unsupported(Exception):
    """A query node this evaluator does not model; the caller falls back to Whoosh."""


class Evaluator:
    """Scores of a query tree as one dense float64 array over the reader's docnums (0: no
    match; a BM25F score is never 0 for a matching document: idf > 0.9 and tf > 0)."""

    def __init__(self, searcher, folder: str | None = None, sidecars: bool = True,
                 prefetch: bool = False, live: np.ndarray | None = None) -> None:
        self.terms = TermReader(searcher, folder, sidecars, prefetch)
        self.live = live  # the live docnums (bool), for counts that exclude deleted ones
        self.n = self.terms.n
        self._scored = Cache(CACHE_SCORED, lambda v: len(v[0]))
        self._phrases = Cache(CACHE_PHRASE_DOCS, lambda v: len(v[0]))
        indexed = set(searcher.schema.names())
        self._pairs = {f: p for f, p in PAIR_FIELDS.items() if p in indexed}
        # (an index from before the gap fields knows no gaps: its phrases do not cross
        # punctuation until ``vnarchive reindex``)
        self._gaps = {f: g for f, g in GAP_FIELDS.items() if g in indexed}
        # While a ``Within``'s scoring part (or an ``AndMaybe``'s optional one) is
        # evaluated, only the documents the required part matched count: phrases check
        # positions on those only (sorted docnums; None: every document).
        self._scope: np.ndarray | None = None

    def close(self) -> None:
        self.terms.close()

    # -- scoring ------------------------------------------------------------------------
    def _term_scores(self, field: str, text: str, boost: float) -> Sparse:
        """(docnums, boosted BM25F scores) of one term (read-only: cached)."""
        key = (field, text, boost)
        got = self._scored.get(key)
        if got is not None:
            return got
        ids, tfs = self.terms.packed(field, text)
        if not len(ids):
            return ids, NO_SCORES
        tf = tfs.astype(np.float64)
        top = self.terms.idf(field, text) * (K1 + 1)
        kb = K1 * B / self.terms.avg_length(field)
        scores = top * tf / (tf + K1 * (1 - B) + kb * self.terms.field_lengths(field)[ids])
        if boost != 1.0:
            scores *= boost
        return self._scored.put(key, (ids, scores))

    def _scores_for(self, field: str, words: list[str], docs: np.ndarray) -> Sparse:
        """Sum of the words' BM25F scores, computed for ``docs`` only (sorted docnums,
        each holding every word)."""
        kb = K1 * B / self.terms.avg_length(field)
        norm = K1 * (1 - B) + kb * self.terms.field_lengths(field)[docs]
        total = np.zeros(len(docs), dtype=np.float64)
        for w in words:
            ids, tfs = self.terms.packed(field, w)
            tf = tfs[np.searchsorted(ids, docs)].astype(np.float64)
            total += self.terms.idf(field, w) * (K1 + 1) * tf / (tf + norm)
        return docs, total

    def _phrase(self, q: Q.Phrase) -> Sparse:
        if q.slop != 1:
            raise Unsupported("sloppy phrase")
        steps = q.steps if type(q) is Adjacent else (ADJACENT,) * (len(q.words) - 1)
        loose = getattr(q, "anything_between", False)
        key = (q.fieldname, tuple(q.words), steps, loose)
        got = self._phrases.get(key)
        if got is None:
            pf = self._pairs.get(q.fieldname)
            if pf is None:
                got = self._phrase_docs(q.fieldname, list(q.words), steps, loose)
            else:
                got = self._pair_docs(q.fieldname, pf, list(q.words), steps, loose)
            if self._scope is None:  # a scoped answer is partial: never cached
                self._phrases.put(key, got)
        return got if q.boost == 1.0 else (got[0], got[1] * q.boost)

    def _pair_docs(self, field: str, pair_field: str, words: list[str],
                   steps: tuple[tuple[int, ...], ...], loose: bool = False) -> Sparse:
        """Documents with the folded pair of every two syllables that must stand side by
        side, and every syllable of ``words``; positions checked on those candidates unless
        the pairs decide (two folded syllables side by side: a pair never spans a gap)."""
        folded = field in ("fold", "t_fold")
        keys = words if folded else [fold(w) for w in words]
        needed = [(pair_field, a + PAIR_JOIN + b)
                  for a, b, step in zip(keys, keys[1:], steps) if step == ADJACENT]
        side_by_side = len(needed) == len(steps)
        if not folded or not side_by_side:
            needed += [(field, w) for w in dict.fromkeys(words)]
        posts = []
        for key in needed:
            posts.append(self.terms.packed(*key)[0])
            if not len(posts[-1]):  # one missing pair or syllable: no need to read the others
                return NO_IDS, NO_SCORES
        posts.sort(key=len)  # the rarest first: every later step searches fewer candidates
        cands = posts[0] if self._scope is None else intersect_sorted(posts[0], self._scope)
        for p in posts[1:]:
            cands = cands[in_sorted(cands, p)]
        if len(cands) and (len(words) > 2 or not folded or not side_by_side):
            sure = np.zeros(len(cands), dtype=bool)
            if not folded and side_by_side:
                # the compound word, as segmented, has its syllables side by side
                compound = self.terms.packed(("t_" if field == "t_syl" else "") + "words",
                                             "_".join(words))[0]
                sure = in_sorted(cands, compound)
            if not sure.all():
                sure |= in_sorted(cands, self._adjacent(field, words, cands[~sure], steps,
                                                        loose=loose))
            cands = cands[sure]
        return self._scores_for(field, words, cands.astype(np.int32))

    def _adjacent(self, field: str, words: list[str], cands: np.ndarray,
                  steps: tuple[tuple[int, ...], ...], decode_whole: bool = False,
                  loose: bool = False) -> np.ndarray:
        """Documents of ``cands`` (sorted) with ``words`` in order, ``steps`` apart, the
        positions skipped being gaps (any position with ``loose``).  Each word's
        occurrences are doc<<SHIFT|position integers, so adjacency is an intersection of
        sorted arrays (from the sidecars) or of sets (from Whoosh's blocks, decoded for the
        candidates only unless ``decode_whole``: then the word is decoded whole and
        cached)."""
        gap = None if loose else self._gaps.get(field)
        spans = self.terms.occurrences(field, words[0], cands)
        if spans is not None:
            for word, step in zip(words[1:], steps):
                if not len(spans):
                    return NO_IDS
                cands = span_docs(spans)  # only documents still in the running are expanded
                got = self.terms.occurrences(field, word, cands)
                if got is None:
                    break
                # sorted occurrences: the next word's that follow a span, found by search
                keep = np.zeros(len(got), dtype=bool)
                for s in step:
                    starts = spans
                    if s > 1 and not loose:  # only where every position skipped is a gap:
                        # the gaps are read for the few spans the next word follows there
                        starts = spans[in_sorted(spans + s, got)]
                        gaps = None if gap is None or not len(starts) else \
                            self.terms.occurrences(gap, GAP_TERM, span_docs(starts))
                        for k in range(1, s):
                            starts = starts[in_sorted(starts + k,
                                                      NO_SPANS if gaps is None else gaps)]
                    keep |= in_sorted(got, starts + s)
                spans = got[keep]
            else:
                return span_docs(spans).astype(np.int32)
        check = set(cands.tolist())
        only = None if decode_whole else check
        gapset = None
        found = self.terms.positions(field, words[0], only)
        for word, step in zip(words[1:], steps):
            nxt: set[int] = set()
            for s in step:
                if s > 1 and not loose:
                    if gapset is None:
                        gapset = set() if gap is None else \
                            self.terms.positions(gap, GAP_TERM, only)
                    nxt.update(x + s for x in found
                               if all(x + k in gapset for k in range(1, s)))
                else:
                    nxt.update(x + s for x in found)
            found = nxt.intersection(self.terms.positions(field, word, only))
            if not found:
                return NO_IDS
        return np.array(sorted({x >> SHIFT for x in found}.intersection(check)), dtype=np.int32)

    def _phrase_docs(self, field: str, words: list[str], steps: tuple[tuple[int, ...], ...],
                     loose: bool = False) -> Sparse:
        """A phrase on an index without pair fields: positions of every candidate."""
        per_word = [self._term_scores(field, w, 1.0) for w in words]
        if not all(len(ids) for ids, _ in per_word):
            return NO_IDS, NO_SCORES
        cands = min((ids for ids, _ in per_word), key=len)
        if self._scope is not None:
            cands = intersect_sorted(cands, self._scope)
        for ids, _ in per_word:
            cands = intersect_sorted(cands, ids)
        sure = NO_IDS
        if field in ("syl", "t_syl") and all(s == ADJACENT for s in steps):
            # a document holding the compound word has its syllables side by side
            compound = self.terms.packed(("t_" if field == "t_syl" else "") + "words",
                                   "_".join(words))[0]
            inside = in_sorted(cands, compound)
            sure, cands = cands[inside], cands[~inside]
        if len(cands):
            # a word whose documents are mostly candidates is decoded whole and cached
            few = len(cands) * 2 < min(len(ids) for ids, _ in per_word)
            sure = np.union1d(sure, self._adjacent(field, words, cands, steps,
                                                   decode_whole=not few, loose=loose))
        total = np.zeros(len(sure), dtype=np.float64)
        for ids, scores in per_word:
            total += scores[np.searchsorted(ids, sure)]
        return sure, total

    def headline_docs(self, words) -> int:
        """Live articles whose headline (``t_fold``) holds every one of ``words`` (folded
        ``QueryWord``s: syllables and steps), in any order (the query segmenter's
        evidence for a reading, ``segmentation.headline_reading``)."""
        ids = None
        for w in words:
            syl = list(w.syllables)
            got = (self._phrase(Adjacent("t_fold", syl, steps=w.steps)) if len(syl) > 1
                   else self._term_scores("t_fold", syl[0], 1.0))[0]
            ids = got if ids is None else intersect_sorted(ids, got)
            if not len(ids):
                return 0
        if ids is None:
            return 0
        return int(self.live[ids].sum()) if self.live is not None else len(ids)

    def adjacent_docs(self, a: str, b: str) -> int:
        """Documents with the exact syllables ``a`` ``b`` side by side (the query
        segmenter's evidence that they form one word)."""
        return len(self._phrase(Adjacent("syl", [a, b]))[0])

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
            return NO_IDS, NO_SCORES
        if kind is Q.Every:
            return np.full(self.n, q.boost, dtype=np.float64)
        if kind in (Q.And, Q.Or):
            if getattr(q, "scale", None) or getattr(q, "minmatch", 0):
                raise Unsupported("scaled or minmatch Or")
            if kind is Q.And:
                out = self._and(q.subqueries)
            else:
                out = self._or([self._node(sub) for sub in q.subqueries])
        elif kind is Q.AndMaybe:
            a = self._node(q.a)
            if empty(a):
                return NO_IDS, NO_SCORES
            a = self._dense(a, copy=True)
            b = self._dense(self._scoped(q.b, matched(a)))
            out = a + np.where(a > 0, b, 0.0)
        elif kind is Within:
            req = self._node(q.required)
            if empty(req):
                return NO_IDS, NO_SCORES
            out = np.where(self._dense(req) > 0, self._dense(self._scoped(q.scoring, matched(req))), 0.0)
        elif kind is AtLeast:
            out = self._at_least([self._node(sub) for sub in q.subqueries], q.minimum)
        elif kind is Q.AndNot:
            a = self._node(q.a)
            if empty(a):
                return NO_IDS, NO_SCORES
            b = self._dense(self._scoped(q.b, matched(a)))  # only what a matched can be excluded
            out = np.where(b > 0, 0.0, self._dense(a))
        else:
            raise Unsupported(kind.__name__)
        if q.boost != 1.0:
            out = out * q.boost if isinstance(out, np.ndarray) else (out[0], out[1] * q.boost)
        return out

    def _scoped(self, q: Any, docs: np.ndarray) -> Sparse | np.ndarray:
        """``q``'s scores, exact for ``docs`` (sorted; other documents: any value)."""
        outer = self._scope
        self._scope = docs if outer is None else intersect_sorted(docs, outer)
        try:
            return self._node(q)
        finally:
            self._scope = outer

    def _dense(self, part: Sparse | np.ndarray, copy: bool = False) -> np.ndarray:
        if isinstance(part, np.ndarray):
            return part.copy() if copy else part
        out = np.zeros(self.n, dtype=np.float64)
        out[part[0]] = part[1]
        return out

    def _or(self, parts: list[Sparse | np.ndarray]) -> Sparse | np.ndarray:
        parts = [p for p in parts if not empty(p)]
        if not parts:
            return NO_IDS, NO_SCORES
        if len(parts) == 1:
            return parts[0]
        if all(type(p) is tuple for p in parts) and \
                sum(len(p[0]) for p in parts) * 8 < self.n:  # few documents: stay sparse
            docs = np.unique(np.concatenate([p[0] for p in parts]))
            vals = np.zeros(len(docs), dtype=np.float64)
            for p in parts:
                vals[np.searchsorted(docs, p[0])] += p[1]
            return docs, vals
        out = np.zeros(self.n, dtype=np.float64)
        for p in parts:
            if isinstance(p, np.ndarray):
                out += p
            else:
                out[p[0]] += p[1]  # docnums are unique within a part
        return out

    def _at_least(self, parts: list[Sparse | np.ndarray], minimum: int) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float64)
        hits = np.zeros(self.n, dtype=np.int32)
        for p in parts:
            d = self._dense(p)
            out += d
            hits += d > 0
        out[hits < (minimum or max(int(hits.max()), 1))] = 0.0
        return out

    def _and(self, subqueries: list[Any]) -> Sparse:
        """Documents matching every part, scores summed in order.  The parts' match sets
        come first (a ``Within``'s required part only), each within the documents still
        in the running, and an empty one empties the AND: the rest is never read.  Only
        then are the ``Within`` parts scored, on the documents that matched them all."""
        parts: list[Sparse | np.ndarray] = []
        docs = NO_IDS
        for sub in subqueries:
            node = sub.required if type(sub) is Within else sub
            part = self._node(node) if not parts else self._scoped(node, docs)
            got = matched(part)
            docs = got if not parts else intersect_sorted(docs, got)
            parts.append(part)
            if not len(docs):
                return NO_IDS, NO_SCORES
        total = np.zeros(len(docs), dtype=np.float64)
        ok = np.ones(len(docs), dtype=bool)
        for sub, part in zip(subqueries, parts):
            if type(sub) is Within:  # as ``_node`` scores it: the scoring part's, boosted
                vals = values(self._scoped(sub.scoring, docs), docs)
                if sub.boost != 1.0:
                    vals = vals * sub.boost
                ok &= vals > 0
            else:
                vals = values(part, docs)
            total += vals
        return (docs, total) if ok.all() else (docs[ok], total[ok])

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
