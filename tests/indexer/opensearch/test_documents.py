"""An article's OpenSearch document (``indexer.opensearch.documents``), built from a real
analysis of a Vietnamese article: the fields the mapping declares, the embedded index's
tokens and positions (gap tokens included), facets as keyword arrays."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from archive.article import Article
from archive.textnorm import fold
from indexer.ingest.ingester import analyse
from indexer.opensearch.documents import TEXT_FIELDS, source
from indexer.opensearch.mapping import index_body
from indexer.schema import GAP, document

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


def test_words_are_segmented_and_fwords_is_their_folded_twin(src):
    words = src["words"].split()
    assert {"long_an", "bền_vững", "chủ_tịch"} <= set(words)
    assert src["fwords"] == fold(src["words"])
    assert "giam" in src["fwords"].split() and "ben_vung" in src["fwords"].split()


def test_the_folded_views_drop_diacritics_and_d_bar(src):
    assert src["fold"] == fold(src["syl"])
    assert "ngheo" in src["fold"].split() and "da" in src["fold"].split()


def test_folded_pairs_never_cross_a_gap(src):
    pairs = src["fpair"].split()
    assert "giam_ngheo" in pairs and "long_an" in pairs
    assert "covid_19" not in pairs and "vung_nam" not in pairs


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
