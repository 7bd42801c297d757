"""Match sets: a query matches the articles that contain its words, nothing else (issue 14).

A small real archive of made-up articles, each written to tell two readings of a query apart.
"""
import unicodedata

import pytest

from indexer import ArchiveSearcher, SearchRequest
from tests.querying import ingest_docs

DOCS = [
    ("m1", "Tin tặc tấn công ngân hàng",
     "Một nhóm tin tặc đã tấn công hệ thống ngân hàng. Tin tặc đòi tiền chuộc."),
    ("m2", "Công tác phòng chống dịch", "Công tác phòng chống dịch được đẩy mạnh ở cơ sở."),
    ("m3", "Bắt nhóm đạo tặc", "Nhận được tin, bọn đạo tặc bỏ chạy khỏi làng."),
    ("m4", "Du lịch Hạ Long đón khách", "Vịnh Hạ Long đón hàng nghìn khách trong dịp lễ."),
    ("m5", "Hà Nội mưa lớn", "Hà Nội mưa lớn, cầu Long Biên ngập nước."),
    ("m6", "Vụ cháy nhà dân", "Trước đó, khoảng 22h ngày 5/10, người dân phát hiện khói."),
    ("m7", "Vĩnh Long và An Giang", "Hai tỉnh Vĩnh Long, An Giang hợp tác phát triển."),
    ("m8", "Giữ gìn hoà bình", "Nhân dân mong muốn hoà bình lâu dài."),
    ("m9", "Long An giảm nghèo", "Tỉnh Long An triển khai giảm nghèo bền vững."),
    ("m10", "Cảnh giác lừa đảo", "Người dùng cần cảnh giác với tin tặc giả danh ngân hàng."),
    ("m11", "Hồ sơ vụ án", "Vụ án cũng đã được đưa ra xét xử."),
    ("m12", "Kết quả xét tuyển", "Kết quả cũng được công bố sớm."),
    ("m13", "Ca bệnh mới", "Thêm một ca COVID-19 mới được ghi nhận."),
    ("m14", "Số ca giảm", "Số ca COVID ngày 19 giảm mạnh."),
]


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    root = tmp_path_factory.mktemp("matchsets")
    ingest_docs(root, DOCS)
    searcher = ArchiveSearcher(root / "data")
    yield searcher
    searcher.close()


def found(s, q: str) -> set[str]:
    res = s.search(SearchRequest(q=q, per_page=100))
    assert res["total"] == len(res["results"])
    return {h["url"].rsplit("/", 1)[1] for h in res["results"]}


def test_an_accented_syllable_matches_only_itself(s):
    assert found(s, "tặc") == {"m1", "m3", "m10"}
    assert found(s, "tác") == {"m2", "m7"}  # công tác, hợp tác: never tặc


def test_a_compound_matches_only_side_by_side(s):
    # underthesea keeps "tin tặc" apart here; two articles with it side by side make it a word
    assert found(s, "tin tặc") == found(s, "tin tac") == {"m1", "m10"}  # m3: "tin, … tặc"


def test_case_never_changes_the_set(s):
    assert found(s, "Hạ Long") == found(s, "hạ long") == found(s, "HẠ LONG") == {"m4"}


def test_unaccented_words_match_as_words(s):
    assert found(s, "ha long") == {"m4"}  # not Hà Nội … Long Biên
    assert found(s, "giam ngheo long an") == {"m9"}


def test_punctuation_breaks_a_word(s):
    assert found(s, "Long An") == {"m9"}  # not "Vĩnh Long, An Giang"
    assert found(s, "long an") == {"m9"}


def test_quoted_phrase_steps_over_punctuation_between_words(s):
    assert found(s, '"trước đó khoảng 22h ngày"') == {"m6"}
    assert found(s, '"truoc do khoang 22h ngay"') == {"m6"}
    assert found(s, '"Vĩnh Long An Giang"') == {"m7"}
    # never inside a word: the words of the phrase must each stand whole
    assert found(s, '"tin tặc đòi"') == {"m1"}


def test_a_phrase_never_steps_over_another_word(s):
    # punctuation may stand between a phrase's words, another word may not
    assert found(s, '"cũng được"') == found(s, '"cung duoc"') == {"m12"}  # not "cũng đã được"
    assert found(s, "COVID-19") == {"m13"}  # not "COVID ngày 19"


def test_nfd_and_tone_placement_give_the_same_set(s):
    want = found(s, "hòa bình")
    assert want == {"m8"}
    assert found(s, "hoà bình") == want
    assert found(s, unicodedata.normalize("NFD", "hòa bình")) == want
    assert found(s, unicodedata.normalize("NFD", "HOÀ BÌNH")) == want


def test_strict_matches_announce_no_fallback(s):
    assert s.search(SearchRequest(q="tin tặc"))["fallback"] is None


def test_fallback_accented_to_folded(s):
    res = s.search(SearchRequest(q="hạ lóng"))  # mistyped diacritics
    assert res["fallback"] == "accented_to_folded" and res["total"] == 1


def test_fallback_adjacent_to_anywhere(s):
    res = s.search(SearchRequest(q="10/5"))  # written 5/10: both numbers, not in this order
    assert res["fallback"] == "adjacent_to_anywhere"
    assert {h["url"].rsplit("/", 1)[1] for h in res["results"]} == {"m6"}


def test_fallback_all_to_most_words(s):
    res = s.search(SearchRequest(q="Hạ Long tàu vũ trụ"))
    assert res["fallback"] == "all_to_most_words"  # each word still strict, as typed
    assert [h["url"].rsplit("/", 1)[1] for h in res["results"]] == ["m4"]
