"""The evaluator must give exactly what Whoosh gives."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh.fields import TEXT
from whoosh.analysis import SpaceSeparatedTokenizer

from indexer.search.evaluate import Evaluator
from indexer.schema import Tokens
from indexer.search.query import build, parse
from indexer.search import ArchiveSearcher, SearchRequest

QUERIES = ["giảm nghèo", "nông thôn mới", "giam ngheo", '"chương trình mục tiêu"',
           "Long An -ocop", "title:ocop", "xây dựng OR đường", "nông*", "Phó Chủ tịch UBND"]


@pytest.mark.parametrize("phrase", [False, True])
def test_tokens_field_gives_whoosh_postings(phrase):
    text = "giảm_nghèo bền_vững tại long_an giảm_nghèo nhanh giảm_nghèo"
    ours = sorted(Tokens(analyzer=SpaceSeparatedTokenizer(), phrase=phrase).index(text))
    theirs = sorted(TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=phrase).index(text))
    assert ours == theirs and len(ours) == 5


def _exact(q):
    """The query in Whoosh's own nodes: ``Adjacent`` an explicit phrase (sloppy by one
    position where it may step over a punctuation gap: looser inside a phrase's words,
    which these queries and documents do not tell apart), ``Within`` a ``Require``."""
    from whoosh import query as Q
    from indexer.search.nodes import Adjacent, Within
    if isinstance(q, Adjacent):
        return Q.Phrase(q.fieldname, list(q.words), boost=q.boost,
                        slop=1 if q.side_by_side else 2)
    if isinstance(q, Within):
        return Q.Require(_exact(q.scoring), _exact(q.required))
    return q if q.is_leaf() else q.apply(_exact)


def _matches(dense) -> dict[int, float]:
    """{docnum: score} of a dense score array's matching documents."""
    return {d: s for d, s in enumerate(dense.tolist()) if s > 0}


@pytest.mark.parametrize("q", QUERIES)
def test_scores_equal_whoosh(searcher, q):
    whoosh_searcher, cols = searcher.snapshot()
    ours = build(parse(q), whoosh_searcher.reader())
    expected = {h.docnum: h.score for h in whoosh_searcher.search(_exact(ours), limit=None)}
    got = _matches(Evaluator(whoosh_searcher).scores(ours))
    got = {d: s for d, s in got.items() if cols.live[d]}
    assert got.keys() == expected.keys()
    for d, s in expected.items():
        assert got[d] == pytest.approx(s, rel=1e-9)


def test_top_orders_by_score_then_docnum():
    scores = np.zeros(12)
    scores[[5, 2, 9, 1]] = [1.0, 3.0, 3.0, 0.5]
    assert Evaluator.top(scores, 3) == [(2, 3.0), (9, 3.0), (5, 1.0)]
    assert Evaluator.top(scores, 2) == [(2, 3.0), (9, 3.0)]
    allowed = np.zeros(12, dtype=bool)
    allowed[[5, 7]] = True
    assert Evaluator.top(scores, 5, allowed=allowed) == [(5, 1.0)]
    assert Evaluator.top(scores, 0) == [] and Evaluator.top(np.zeros(3), 2) == []


def test_parallel_reindex_finds_the_same(copy_of_archive, monkeypatch):
    before = ArchiveSearcher(copy_of_archive)
    expected = {q: before.search(SearchRequest(q=q, per_page=100))["total"] for q in QUERIES}
    before.close()
    import indexer.ingest.reindexer as reindex_mod
    monkeypatch.setattr(reindex_mod, "PARALLEL_MIN", 2)
    monkeypatch.setattr(reindex_mod, "SEGMENT_DOCS", 7)
    ticks = []
    count = reindex_mod.reindex(copy_of_archive, workers=2, progress=ticks.append)
    after = ArchiveSearcher(copy_of_archive)
    assert sum(ticks) == count == after.stats()["indexed"]
    assert len(after.snapshot()[0].reader().leaf_readers()) > 2
    got = {q: after.search(SearchRequest(q=q, per_page=100))["total"] for q in QUERIES}
    after.close()
    assert got == expected and any(got.values())


def _compounds(reader, field: str, count: int) -> list[list[str]]:
    """Syllables of compound words the index holds (no fixed list), folded for fold views."""
    from archive.textnorm import fold
    words = [t.decode().split("_") for t in reader.lexicon("words") if b"_" in t]
    words = [w for w in words if all(s.isalnum() for s in w)]
    step = max(1, len(words) // count)
    picked = words[::step][:count] + [w for w in words if len(w) > 2][:count // 2]
    return [[fold(s) for s in w] if "fold" in field else w for w in picked]


@pytest.mark.parametrize("field", ["syl", "fold", "t_syl", "t_fold"])
def test_pair_lookups_equal_position_checks(searcher, field):
    """Explicit phrases give exactly what position checks give; ``Adjacent`` gives a
    superset (exact for two folded syllables) with the same scores.  An index without pair
    fields takes the positional path; positions from the sidecars and from Whoosh's blocks
    give the same documents."""
    from whoosh import query as Q
    from indexer.search.nodes import Adjacent
    whoosh_searcher, _ = searcher.snapshot()
    reader = whoosh_searcher.reader()
    by_pairs, by_positions = Evaluator(whoosh_searcher), Evaluator(whoosh_searcher)
    # pairs, then positions from Whoosh's blocks
    by_whoosh = Evaluator(whoosh_searcher, sidecars=False)
    by_positions._pairs = {}
    assert by_pairs._pairs and by_pairs.terms.sidecars == len(by_pairs.terms.leaves) >= 1
    grams = _compounds(reader, field, 60)
    # and syllables that are not side by side in the compound: mostly no match
    grams += [[w[-1], w[0]] for w in grams[:20]]
    found = 0
    for words in grams:
        for kind in (Q.Phrase, Adjacent):
            q = kind(field, words)
            got, expected = _matches(by_pairs.scores(q)), _matches(by_positions.scores(q))
            assert _matches(by_whoosh.scores(q)) == pytest.approx(got, rel=1e-9)
            if kind is Q.Phrase or len(words) > 2 or "fold" in field:
                assert got.keys() == expected.keys(), words
            else:
                assert got.keys() >= expected.keys(), words
            for d, s in expected.items():
                assert got[d] == pytest.approx(s, rel=1e-9)
            found += bool(expected)
    assert found >= 10
