"""Search quality pinned on a tiny fixed index of fictional Vietnamese records (written for
these tests): exact diacritics outrank folded matches, every way of typing a word finds the
same article, unaccented queries get their diacritics back as a suggestion."""
from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import pytest

from archive.sources import RawItem
from indexer.ingest.ingester import ingest_items
from indexer.search.query import parse, word_query
from indexer.search import ArchiveSearcher, SearchRequest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from relevance import flip_tones  # noqa: E402

RECORDS = [
    ("duong-pho", "Sửa đường phố cũ ở thị trấn Hòa Lạc",
     "Thị trấn sửa lại ba con đường phố cũ, lát gạch vỉa hè và trồng thêm cây xanh."),
    ("duong-lieu", "Hàng dương ven biển được trồng mới",
     "Người dân trồng hàng dương dài hai cây số để chắn gió cát cho làng chài."),
    ("giam-ngheo", "Huyện miền núi giảm nghèo bền vững nhờ nuôi bò",
     "Nhiều hộ thoát nghèo nhờ mô hình nuôi bò sinh sản; công tác giảm nghèo được duy trì."),
    ("giam-doc", "Giám đốc hợp tác xã được khen thưởng",
     "Ông giám đốc dẫn dắt hợp tác xã làm ăn có lãi suốt năm năm liền."),
    ("thuy-loi", "Công trình thuỷ lợi giúp nông dân khoẻ hơn",
     "Kênh thuỷ lợi mới đưa nước về tận ruộng, bà con bớt vất vả khi tưới tiêu."),
    ("hoa-binh", "Lễ hội hoà bình ở vùng biên",
     "Lễ hội mừng hoà bình thu hút đông đảo người dân và du khách tham dự."),
    ("cho-que", "Phiên chợ quê ngày giáp Tết",
     "Chợ quê họp từ sáng sớm, bán bánh chưng, lá dong và hoa đào cho ngày Tết."),
    ("cau-tre", "Làng xây cầu tre qua suối cho học sinh đến trường",
     "Dân làng góp tre và công sức dựng cây cầu mới để các em đi học an toàn mùa mưa lũ."),
]


@pytest.fixture(scope="module")
def vn(tmp_path_factory: pytest.TempPathFactory) -> ArchiveSearcher:
    data = tmp_path_factory.mktemp("relevance")
    items = [RawItem(slug, "json", {"url": f"https://bao-thu.example/{slug}", "title": title,
                                    "body": body, "published": "2024-03-0%d" % (i % 9 + 1)})
             for i, (slug, title, body) in enumerate(RECORDS)]
    report = ingest_items(items, data, workers=1)
    assert report.stored == len(RECORDS)
    searcher = ArchiveSearcher(data)
    yield searcher
    searcher.close()


def slugs(vn: ArchiveSearcher, q: str) -> list[str]:
    res = vn.search(SearchRequest(q=q, per_page=10, with_snippets=False))
    return [r["url"].rsplit("/", 1)[1] for r in res["results"]]


def test_exact_diacritics_rank_above_folded_matches(vn):
    assert slugs(vn, "đường")[0] == "duong-pho"
    assert slugs(vn, "dương")[0] == "duong-lieu"
    # unaccented: both are found, neither is lost
    assert set(slugs(vn, "duong")[:2]) == {"duong-pho", "duong-lieu"}


def test_old_and_new_tone_placement_are_the_same_word(vn):
    assert slugs(vn, "hòa bình") == slugs(vn, "hoà bình")
    assert slugs(vn, "hòa bình")[0] == "hoa-binh"
    assert slugs(vn, "thủy lợi khỏe")[0] == "thuy-loi"


def test_nfd_input_is_searched_as_nfc(vn):
    q = "giảm nghèo bền vững"
    nfd = unicodedata.normalize("NFD", q)
    assert nfd != q
    assert slugs(vn, nfd) == slugs(vn, q)
    assert slugs(vn, q)[0] == "giam-ngheo"


def test_unaccented_query_finds_accented_text(vn):
    assert slugs(vn, "giam ngheo")[0] == "giam-ngheo"
    assert slugs(vn, "cau tre qua suoi")[0] == "cau-tre"


def test_capitals_find_the_same_article(vn):
    assert slugs(vn, "GIẢM NGHÈO BỀN VỮNG") == slugs(vn, "giảm nghèo bền vững")
    assert slugs(vn, "CHỢ QUÊ")[0] == "cho-que"


def test_suggestion_restores_diacritics(vn):
    res = vn.search(SearchRequest(q="giam ngheo ben vung", per_page=10))
    assert res["suggestion"] == "giảm nghèo bền vững"
    res = vn.search(SearchRequest(q="giam doc hop tac xa", per_page=10))
    assert res["suggestion"] == "giám đốc hợp tác xã"


def test_suggestion_for_words_typed_apart_uses_the_matching_articles(vn):
    # "nghèo" and "bò" are not neighbours in the text: restored one by one from the
    # articles that match, not from the whole index's most frequent spelling
    res = vn.search(SearchRequest(q="ngheo bo", per_page=10))
    assert res["suggestion"] == "nghèo bò"


def test_misspelt_query_gets_a_correction(vn):
    res = vn.search(SearchRequest(q="giam nghoe", per_page=10))
    assert res["suggestion"] == "giảm nghèo"


def test_no_suggestion_for_an_accented_query_that_finds_something(vn):
    assert vn.search(SearchRequest(q="giảm nghèo", per_page=10))["suggestion"] is None


@pytest.mark.parametrize("slug", [r[0] for r in RECORDS])
def test_headline_finds_its_article_first(vn, slug):
    title = dict((s, t) for s, t, _ in RECORDS)[slug]
    assert slugs(vn, title)[0] == slug


def test_long_headline_with_one_word_missing_still_finds_it(vn):
    # one word mistyped beyond repair: "most words" finds it, and says so
    q = "Làng xây cầu tre qua suối cho học sinh đến trườngxyz"
    assert slugs(vn, q)[0] == "cau-tre"
    res = vn.search(SearchRequest(q=q, per_page=10))
    assert res["fallback"] == "all_to_most_words"


def test_quoted_phrase_needs_the_words_in_order(vn):
    assert slugs(vn, '"dựng cây cầu mới"') == ["cau-tre"]
    assert slugs(vn, '"cầu mới cây dựng"') == []


def test_minus_before_a_number_is_not_an_exclusion():
    parsed = parse("máy bay Il -20")
    assert not parsed.negated
    assert "20" in parsed.positive_text()
    assert parse("giảm nghèo -ocop").negated[0].text == "ocop"


def test_compound_query_words_match_side_by_side_and_score_apart_too():
    text = repr(word_query("giảm_nghèo"))
    # the match: the exact syllables side by side; the syllables apart only add to the score
    assert text.startswith("Within(Adjacent('syl', ['giảm', 'nghèo']")
    assert "Term('syl', 'giảm'" in text and "Term('syl', 'nghèo'" in text


def test_flipper_moves_tones_both_ways():
    assert flip_tones("hòa thủy khỏe") == "hoà thuỷ khoẻ"
    assert flip_tones("hoà thuỷ khoẻ") == "hòa thủy khỏe"
    assert flip_tones("quý hoàng") == "quý hoàng"
