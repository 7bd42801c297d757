"""A query node's result, as the evaluator combines them: ``Sparse`` — (sorted docnums,
float64 scores) of the matching documents only — or dense float64 scores over every docnum
(0: no match).  A node over few documents stays sparse; combining many goes dense.
"""
from __future__ import annotations

import numpy as np

from indexer.search.postings_cache import SHIFT

__all__ = ["Sparse", "NO_SCORES", "NO_SPANS", "span_docs", "values", "matched", "empty"]

# (sorted docnums, float64 scores) of one node; dense float64 arrays for combined nodes
Sparse = tuple[np.ndarray, np.ndarray]
NO_SCORES = np.zeros(0, dtype=np.float64)
NO_SPANS = np.zeros(0, dtype=np.int64)  # no doc<<SHIFT|position occurrences


def span_docs(spans: np.ndarray) -> np.ndarray:
    """The distinct documents of sorted doc<<SHIFT|position occurrences, ascending."""
    docs = spans >> SHIFT
    if len(docs) > 1:
        docs = docs[np.concatenate(([True], docs[1:] != docs[:-1]))]
    return docs


def values(part: Sparse | np.ndarray, docs: np.ndarray) -> np.ndarray:
    """A part's scores of ``docs`` (sorted), 0 where it does not match."""
    if isinstance(part, np.ndarray):
        return part[docs]
    ids, scores = part
    if not len(ids) or not len(docs):
        return np.zeros(len(docs), dtype=np.float64)
    top = int(max(ids[-1], docs[-1])) + 1
    if len(docs) * 12 > len(ids) + top // 3:  # many: scattered, not searched (in_sorted)
        dense = np.zeros(top, dtype=np.float64)
        dense[ids] = scores
        return dense[docs]
    at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
    return np.where(ids[at] == docs, scores[at], 0.0)


def matched(part: Sparse | np.ndarray) -> np.ndarray:
    """The documents a part matches (score above 0), sorted int32."""
    if isinstance(part, np.ndarray):
        return np.flatnonzero(part > 0).astype(np.int32)
    docs, scores = part
    positive = scores > 0
    return docs if positive.all() else docs[positive]


def empty(part: Sparse | np.ndarray) -> bool:
    return not len(part[0]) if isinstance(part, tuple) else not part.any()
