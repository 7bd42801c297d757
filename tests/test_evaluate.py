"""The evaluator and the lean writer must give exactly what Whoosh gives."""
from __future__ import annotations

import pytest
from whoosh.fields import TEXT
from whoosh.analysis import SpaceSeparatedTokenizer

import indexer.pipeline as pipeline
from indexer.evaluate import Evaluator
from indexer.index import Tokens
from indexer.query import build, parse
from indexer.search import ArchiveSearcher, SearchRequest

QUERIES = ["giảm nghèo", "nông thôn mới", "giam ngheo", '"chương trình mục tiêu"',
           "Long An -ocop", "title:ocop", "xây dựng OR đường", "nông*", "Phó Chủ tịch UBND"]


@pytest.mark.parametrize("phrase", [False, True])
def test_tokens_field_gives_whoosh_postings(phrase):
    text = "giảm_nghèo bền_vững tại long_an giảm_nghèo nhanh giảm_nghèo"
    ours = sorted(Tokens(analyzer=SpaceSeparatedTokenizer(), phrase=phrase).index(text))
    theirs = sorted(TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=phrase).index(text))
    assert ours == theirs and len(ours) == 5


@pytest.mark.parametrize("q", QUERIES)
def test_scores_equal_whoosh(searcher, q):
    whoosh_searcher, cols = searcher._ensure()
    wq = build(parse(q), whoosh_searcher.reader())
    expected = {h.docnum: h.score for h in whoosh_searcher.search(wq, limit=None)}
    got = Evaluator(whoosh_searcher).scores(wq)
    got = {d: s for d, s in got.items() if d in cols.live}
    assert got.keys() == expected.keys()
    for d, s in expected.items():
        assert got[d] == pytest.approx(s, rel=1e-9)


def test_top_orders_by_score_then_docnum():
    assert Evaluator.top({5: 1.0, 2: 3.0, 9: 3.0, 1: 0.5}, 3) == [(2, 3.0), (9, 3.0), (5, 1.0)]
    assert Evaluator.top({5: 1.0, 2: 3.0}, 5, allowed={5}) == [(5, 1.0)]


def test_parallel_reindex_finds_the_same(copy_of_archive, monkeypatch):
    before = ArchiveSearcher(copy_of_archive)
    expected = {q: before.search(SearchRequest(q=q, per_page=100))["total"] for q in QUERIES}
    before.close()
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 2)
    monkeypatch.setattr(pipeline, "SEGMENT_DOCS", 7)
    ticks = []
    count = pipeline.reindex(copy_of_archive, workers=2, progress=ticks.append)
    after = ArchiveSearcher(copy_of_archive)
    assert sum(ticks) == count == after.stats()["indexed"]
    assert len(after._ensure()[0].reader().leaf_readers()) > 2
    got = {q: after.search(SearchRequest(q=q, per_page=100))["total"] for q in QUERIES}
    after.close()
    assert got == expected and any(got.values())
