import unicodedata
from datetime import datetime

from archive.article import VN_TZ, Article, site_of
from archive.textnorm import canonical_tones, clean_text, fold


def test_clean_text_makes_nfc_and_plain_spaces():
    nfd = unicodedata.normalize("NFD", "Giảm nghèo bền vững")
    assert clean_text(f" {nfd}\u00a0\u200btại\tLong An ") == "Giảm nghèo bền vững tại Long An"


def test_clean_text_keeps_paragraph_breaks_and_drops_blank_lines():
    assert clean_text("Một\n\n  \nHai ") == "Một\nHai"


def test_both_tone_placements_meet():
    assert canonical_tones("hoà") == canonical_tones("hòa") == "hòa"
    assert canonical_tones("thuỷ") == canonical_tones("thủy") == "thủy"
    assert canonical_tones("khoẻ") == canonical_tones("khỏe") == "khỏe"
    assert canonical_tones("Thanh Hoá") == "Thanh Hóa"


def test_tone_placement_leaves_other_syllables_alone():
    for word in ("quý", "quỳnh", "hoàng", "thuyết", "khuya", "hoài", "người", "của"):
        assert canonical_tones(word) == word


def test_fold_removes_all_marks_including_d_bar():
    assert fold("Đắk Lắk, Đồng Tháp, giảm nghèo") == "Dak Lak, Dong Thap, giam ngheo"
    assert fold(unicodedata.normalize("NFD", "Đường")) == "Duong"


def test_article_defaults_site_and_timezone():
    a = Article(url="https://www.thtg.vn/x", title="T", paragraphs=["p"],
                published=datetime(2024, 11, 8, 17, 32))
    assert a.site == "thtg.vn" and a.published.tzinfo is VN_TZ
    assert a.paragraphs == ("p",)
    assert site_of("http://BAOMOI.com/a") == "baomoi.com"


def test_content_hash_tracks_visible_text_only():
    a = Article(url="https://a.vn/1", title="T", paragraphs=("p",), raw_html=b"<p>p</p>")
    b = a.replace(raw_html=b"<html>other</html>")
    assert a == b and a.content_hash == b.content_hash
    assert a.replace(paragraphs=("q",)).content_hash != a.content_hash
    assert a.to_dict()["paragraphs"] == ["p"] and "raw_html" not in a.to_dict()


def test_accented_forms_are_every_spelling_that_folds_back():
    from archive.textnorm import accented_forms, canonical_tones, fold
    forms = accented_forms("ngheo")
    assert {"nghèo", "nghẹo", "nghéo", "ngheo"} <= set(forms)
    assert all(fold(f) == "ngheo" for f in forms) and forms == sorted(set(forms))
    assert "đường" in accented_forms("duong") and "hòa" in accented_forms("hoa")
    assert all(canonical_tones(f) == f for f in accented_forms("thuy"))  # thủy, not thuỷ
    assert accented_forms("2024") == ["2024"]
