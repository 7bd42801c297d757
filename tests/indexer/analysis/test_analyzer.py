"""The analyser, step by step, with Vietnamese examples (index and query use the same one)."""
import unicodedata

from indexer.analysis.analyzer import has_diacritics, normalize, segment, syllables, views


def test_normalize_nfd_and_tone_placement():
    nfd = unicodedata.normalize("NFD", "Hoà Bình")
    assert normalize(nfd) == normalize("Hòa Bình") == "Hòa Bình"


def test_segment_joins_compound_words_on_original_case():
    seg = segment("Phó Chủ tịch UBND huyện Tân Trụ tỉnh Long An")
    assert "Chủ_tịch" in seg.split() and "Long_An" in seg.split() and "Tân_Trụ" in seg.split()


def test_segment_handles_all_capitals_like_normal_text():
    assert segment("CHƯƠNG TRÌNH NÔNG THÔN MỚI").lower().split() == \
        segment("chương trình nông thôn mới").split()


def test_segment_of_empty_and_punctuation():
    assert segment("") == "" and segment(" – … ") == ""


def test_views_lower_case_and_fold():
    v = views(segment(normalize("Đường giao thông ở Thanh Hoá")))
    assert "đường" in v["syl"] and "duong" in v["fold"]
    assert "thanh_hóa" in v["words"]
    assert v["fold"][-2:] == ["thanh", "hoa"]


def test_syllables_split_punctuation_and_compounds():
    assert syllables("Phòng_LĐTB&XH (thị_xã)") == ["phòng", "lđtb", "xh", "thị", "xã"]


def test_has_diacritics():
    assert not has_diacritics("giam ngheo ben vung")
    assert has_diacritics("giảm nghèo") and has_diacritics("Đa")
