"""An article's OpenSearch document (``indexer.opensearch.documents``), built from a real
analysis of a Vietnamese article: the fields the mapping declares, the embedded index's
tokens and positions (gap tokens included), facets as keyword arrays; the statistics-only
counts of a run of articles as one stats document."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from archive.article import Article
from archive.textnorm import fold
from indexer.ingest.ingester import analyse
from indexer.opensearch.documents import (COUNT_DELIMITER, STAT_FIELDS, TEXT_FIELDS,
                                          StatsTally, source)
from indexer.opensearch.mapping import index_body, stats_body
from indexer.schema import GAP, document, pairs

VN = timezone(timedelta(hours=7))
ARTICLE = Article(
    url="https://baomau.example/long-an-giam-ngheo", site="baomau.example",
    title="Long An giảm nghèo bền vững",
    paragraphs=("Năm 2025, tỉnh Long An giảm nghèo nhanh; COVID-19 đã qua.",
                "Ông Nguyễn Văn A, Chủ tịch UBND tỉnh Long An, phát biểu."),
    published=datetime(2025, 3, 1, 8, 0, tzinfo=VN), authors=("Trần Thị B",),
    section="Xã hội", tags=("giảm nghèo",))


@pytest.fixture(scope="module")
def doc() -> dict:
    return document(7, ARTICLE, analyse(ARTICLE))


@pytest.fixture(scope="module")
def src(doc) -> dict:
    return source(doc)


def test_every_field_is_one_the_strict_mapping_declares(src):
    props = index_body()["mappings"]["properties"]
    assert set(src) <= set(props)
    assert set(TEXT_FIELDS) <= set(src) and src["id"] == 7


def test_text_fields_hold_the_embedded_tokens_at_the_embedded_positions(doc, src):
    for name in ("syl", "fold", "t_syl", "t_fold", "words", "t_words"):
        assert src[name].split() == list(doc[name]), name


def test_punctuation_keeps_a_gap_token_of_its_own(src):
    syl = src["syl"].split()
    assert GAP == "|" and GAP in syl
    # COVID-19: one gap between its parts, as the query's gapped step expects
    i = syl.index("covid")
    assert syl[i:i + 3] == ["covid", GAP, "19"]
    # the comma after "Năm 2025" breaks adjacency too
    assert syl[syl.index("2025") + 1] == GAP
    assert GAP not in src["t_syl"].split()  # the headline has no punctuation


def test_words_are_segmented(src):
    words = src["words"].split()
    assert {"long_an", "bền_vững", "chủ_tịch"} <= set(words)


def test_the_statistics_only_fields_stay_out_of_the_searched_document(src):
    assert not set(STAT_FIELDS) & set(src)


def _counts(text: str) -> Counter:
    out: Counter = Counter()
    for token in text.split():
        term, n = token.split(COUNT_DELIMITER)
        assert term not in out  # each term once, its count beside it
        out[term] = int(n)
    return out


def test_a_tally_holds_the_folded_words_and_pairs_of_its_articles_with_their_counts(doc):
    other = document(9, ARTICLE, analyse(ARTICLE))  # the same text twice: counts double
    tally = StatsTally()
    tally.add(doc)
    tally.add(other)
    got = tally.source()
    assert set(got) == set(STAT_FIELDS) <= set(stats_body()["mappings"]["properties"])
    fwords = Counter(fold(" ".join(doc["words"])).split())
    assert _counts(got["fwords"]) == Counter({w: 2 * n for w, n in fwords.items()})
    assert _counts(got["fwords"])["ben_vung"] == 2 and "giam" in _counts(got["fwords"])
    fpair = Counter(pairs(doc["fold"]))
    assert _counts(got["fpair"]) == Counter({p: 2 * n for p, n in fpair.items()})
    # a pair's documents: once an article however often it stands there
    assert _counts(got["fpair_docs"]) == Counter({p: 2 for p in fpair})
    assert fpair["long_an"] > 1 and _counts(got["fpair_docs"])["long_an"] == 2


def test_the_folded_views_drop_diacritics_and_d_bar(src):
    assert src["fold"] == fold(src["syl"])
    assert "ngheo" in src["fold"].split() and "da" in src["fold"].split()


def test_folded_pairs_never_cross_a_gap(doc):
    tally = StatsTally()
    tally.add(doc)
    counted = _counts(tally.source()["fpair"])
    assert "giam_ngheo" in counted and "long_an" in counted
    assert "covid_19" not in counted and "vung_nam" not in counted


def test_dates_and_facets_are_keywords_of_the_vietnamese_calendar(src):
    assert src["published"] == int(ARTICLE.published.timestamp())
    assert src["month"] == "2025-03" and src["year"] == ["2025"]
    assert src["site"] == ["baomau.example"]
    assert src["province"] == ["Long An"]
    assert src["author"] == ["Trần Thị B"] and src["section"] == ["Xã hội"]
    assert src["tag"] == ["giảm nghèo"]
    assert all(isinstance(v, list) for k, v in src.items()
               if index_body()["mappings"]["properties"][k]["type"] == "keyword"
               and k != "month")


def test_an_undated_article_has_no_date_fields():
    undated = Article(url="https://baomau.example/khong-ngay", site="baomau.example",
                      title="Hợp tác xã chè", paragraphs=("Chè Thái Nguyên xuất khẩu.",))
    got = source(document(8, undated, analyse(undated)))
    assert not {"published", "month", "year"} & set(got)
    assert got["t_syl"] == "hợp tác xã chè"
