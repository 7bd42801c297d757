"""The query segmenter's statistics read from the cluster (``indexer.opensearch.stats``),
checked against the same figures counted by hand from the documents sent (the session
archive on a real node on 127.0.0.1)."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from archive.datadir import DataDir
from archive.textnorm import fold
from indexer.opensearch.producer import bulk_lines
from indexer.opensearch.stats import ClusterStats
from indexer.schema import GAP, pairs

pytestmark = pytest.mark.opensearch


@pytest.fixture(scope="module")
def sources(archive_dir) -> list[dict]:
    return [json.loads(raw.decode("utf-8").splitlines()[1])
            for _, raw in bulk_lines(DataDir(archive_dir).store, "x", chunk=50, workers=1)]


@pytest.fixture()
def stats(opensearch_engine) -> ClusterStats:
    return ClusterStats(opensearch_engine.client, opensearch_engine.alias,
                        lambda fn, **kw: fn(**kw))


def _field(source: dict, field: str) -> list[str]:
    """A document's tokens of ``field``; the statistics-only fields, which the searched
    documents do not carry, as the embedded index has them."""
    if field == "fwords":
        return fold(source["words"]).split()
    if field == "fpair":
        return pairs(source["fold"].split())
    return source[field].split()


def _tokens(sources, field) -> Counter:
    return Counter(t for s in sources for t in _field(s, field))


@pytest.mark.parametrize("field,term", [("syl", "nghèo"), ("fold", "ngheo"), ("syl", "tỉnh"),
                                        ("words", "giảm"), ("fwords", "giam"),
                                        ("syl", "khôngcótừnày")])
def test_term_frequency_is_the_occurrences_over_the_archive(stats, sources, field, term):
    assert stats.frequency(field, term) == _tokens(sources, field)[term]


def test_prefetch_asks_once_and_gives_the_same_counts(stats, sources):
    stats.prefetch("giảm nghèo bền vững")
    for field, term in [("syl", "giảm"), ("fold", "vung"), ("words", "giảm"),
                        ("fpair", "giam_ngheo")]:
        assert stats.frequency(field, term) == _tokens(sources, field)[term]


def test_field_length_counts_tokens_without_the_gaps(stats, sources):
    syl = _tokens(sources, "syl")
    assert syl[GAP] > 0  # the archive has punctuation, so the gaps matter here
    assert stats.field_length("syl") == sum(syl.values()) - syl[GAP]
    assert stats.field_length("words") == sum(_tokens(sources, "words").values())


@pytest.mark.parametrize("folded,field", [(False, "words"), (True, "fwords")])
def test_word_counts_give_the_table_its_size_and_the_total(stats, sources, folded, field):
    counts, total = stats.word_counts(folded)
    want = _tokens(sources, field)
    assert len(counts) == len(want) and total == sum(want.values())
    word = "giảm" if not folded else "giam"
    assert counts.get(word) == want[word] > 0
    assert counts.get("khôngcótừnày", 0) == 0


def test_a_folded_pairs_documents_are_the_articles_holding_it(stats, sources):
    for pair in ("giam_ngheo", "long_an", "khong_co"):
        want = sum(1 for s in sources if pair in _field(s, "fpair"))
        assert stats.doc_frequency("fpair", pair) == want
    assert stats.doc_frequency("fpair", "giam_ngheo") > 0


def test_adjacent_docs_counts_articles_with_the_two_exact_syllables_side_by_side(stats,
                                                                                sources):
    def side_by_side(s, a, b):
        t = s["syl"].split()
        return any(x == a and y == b for x, y in zip(t, t[1:]))
    want = sum(1 for s in sources if side_by_side(s, "giảm", "nghèo"))
    assert want > 0 and stats.adjacent_docs("giảm", "nghèo") == want
    assert stats.adjacent_docs("nghèo", "giảm") == sum(1 for s in sources
                                                      if side_by_side(s, "nghèo", "giảm"))


def test_expand_prefix_gives_the_terms_in_term_order(stats, sources):
    want = sorted({t for t in _tokens(sources, "fold") if t.startswith("ngh")},
                  key=lambda t: t.encode("utf-8"))
    assert len(want) > 1 and stats.expand_prefix("fold", "ngh") == want
    assert stats.expand_prefix("syl", "zzqqx") == []


def test_meta_holds_the_mapping_version_and_vocabulary_sizes(stats, sources):
    from indexer.opensearch import MAPPING_VERSION
    meta = stats.meta()
    assert meta["vnarchive_mapping_version"] == MAPPING_VERSION
    assert meta["words_terms"] == len(_tokens(sources, "words"))


def test_did_you_mean_vocabulary_is_the_embedded_one(stats, searcher, sources):
    # the folded syllables of the archive, a typo and a word no article holds
    folded = sorted({t for t in _tokens(sources, "fold") if t.isalpha()})[:300]
    asked = folded + ["nghoe", "zzqqxx"]
    _, cols = searcher.snapshot()
    vocab = cols.vocabulary()
    assert stats.known_folds(asked) == vocab.known_folds(asked) == set(folded)
    assert stats.best_forms(asked) == vocab.best_forms(asked)
    assert stats.best_forms(["ngheo"])["ngheo"][0] == "nghèo"
