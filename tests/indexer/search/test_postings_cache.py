"""The evaluator's postings: from our sidecars or Whoosh's blocks, the same either way."""
from __future__ import annotations

import numpy as np

from indexer.search import ArchiveSearcher
from indexer.search.postings_cache import Cache, TermReader


def test_sidecar_and_whoosh_blocks_give_the_same_postings_and_statistics(archive_dir):
    searcher = ArchiveSearcher(archive_dir)
    whoosh_searcher, _ = searcher.snapshot()
    fast = TermReader(whoosh_searcher)
    slow = TermReader(whoosh_searcher, sidecars=False)
    try:
        assert fast.sidecars == len(fast.leaves) and slow.sidecars == 0
        for field, text in (("fold", "ngheo"), ("syl", "nghèo"), ("words", "giảm_nghèo"),
                            ("fpair", "giam_ngheo"), ("fold", "khongcotu")):
            a_ids, a_tf = fast.packed(field, text)
            b_ids, b_tf = slow.packed(field, text)
            assert np.array_equal(a_ids, b_ids) and np.array_equal(a_tf, b_tf), (field, text)
            assert fast.idf(field, text) == slow.idf(field, text)
        assert len(fast.packed("fold", "ngheo")[0]) > 0
        assert np.array_equal(fast.field_lengths("syl"), slow.field_lengths("syl"))
    finally:
        fast.close()
        slow.close()
        searcher.close()


def test_cache_is_bounded_by_value_size_oldest_out_first():
    c = Cache(limit=5, size=len)
    c.put("a", [1, 2])
    c.put("b", [1, 2])
    c.get("a")                     # a is now the most recent
    c.put("c", [1, 2])             # total 6 > 5: b goes
    assert c.get("b") is None and c.get("a") == [1, 2] and c.total == 4
    c.put("big", list(range(10)))  # alone over the limit: still kept (the last one stays)
    assert c.get("big") is not None and len(c.items) == 1
