"""The direct block reader must give exactly Whoosh's postings, idf and block skipping."""
from __future__ import annotations

import pytest

from indexer.search.evaluate import Evaluator
from indexer.codec.whoosh_blocks import MISSING, segment_blocks, term_extent


def _terms(reader, field, limit=40):
    out = []
    for term, info in reader.iter_field(field):
        out.append(term)
        if len(out) >= limit:
            break
    # the most frequent ones too: several blocks each
    out += [t for _, t in sorted(((i.doc_frequency(), t) for t, i in reader.iter_field(field)),
                                 reverse=True)[:5]]
    return out


@pytest.mark.parametrize("field", ["syl", "fold", "words", "t_syl", "province"])
def test_blocks_equal_whoosh_matcher(searcher, field):
    whoosh_searcher, _ = searcher.snapshot()
    leaves = [(s.reader(), off) for s, off in whoosh_searcher.leaf_searchers()]
    checked = 0
    for btext in _terms(whoosh_searcher.reader(), field):
        for reader, offset in leaves:
            info = term_extent(reader, field, btext)
            assert info is not None  # a plain Whoosh 3 segment
            if info is MISSING:
                assert (field, btext) not in reader
                continue
            m = reader.postings(field, btext)
            m = getattr(m, "child", m)
            expected = []
            while m.is_active():
                expected.append((offset + m.id(), m.weight(), m.value()))
                m.next()
            got = [(d, w, v) for ids, ws, vs in segment_blocks(reader, info, offset, True)
                   for d, w, v in zip(ids, ws, vs)]
            assert got == expected and len(got) == info.doc_frequency()
            checked += 1
    assert checked > 0


def test_idf_and_packed_equal_whoosh(searcher):
    whoosh_searcher, _ = searcher.snapshot()
    ev = Evaluator(whoosh_searcher)
    for btext in _terms(whoosh_searcher.reader(), "fold", 30):
        text = btext.decode()
        ids, weights = ev.terms.packed("fold", text)
        m = whoosh_searcher.reader().postings("fold", btext)
        m = getattr(m, "child", m)
        assert list(ids) == list(m.all_ids())
        assert ev.terms.idf("fold", text) == whoosh_searcher.idf("fold", text)


def test_only_skips_blocks_without_candidates(searcher):
    whoosh_searcher, _ = searcher.snapshot()
    reader = whoosh_searcher.reader()
    field, btext = max(((field, t) for field in ("fold",) for t, _ in reader.iter_field(field)),
                       key=lambda ft: reader.doc_frequency(*ft))
    leaf, offset = [(s.reader(), o) for s, o in whoosh_searcher.leaf_searchers()][0]
    info = term_extent(leaf, field, btext)
    every = [d for ids, _, _ in segment_blocks(leaf, info, offset) for d in ids]
    wanted = [every[-1]]
    blocks = list(segment_blocks(leaf, info, offset, only_sorted=wanted))
    assert blocks and all(every[-1] in ids for ids, _, _ in blocks)
    assert sum(len(ids) for ids, _, _ in blocks) <= 128
    assert list(segment_blocks(leaf, info, offset, only_sorted=[10**9])) == []


def test_term_lookup_equals_whoosh_for_every_key(searcher):
    """Present and absent keys, in every segment (small hash tables wrap around)."""
    from indexer.codec.whoosh_blocks import term_lookup
    whoosh_searcher, _ = searcher.snapshot()
    checked = 0
    for leaf, _ in whoosh_searcher.leaf_searchers():
        table = leaf.reader()._terms._tindex
        keys = list(table.keys())
        for key in keys + [k + b"\xff" for k in keys[::7]]:
            assert term_lookup(table, key) == table.get(key)
            checked += 1
    assert checked > 100
