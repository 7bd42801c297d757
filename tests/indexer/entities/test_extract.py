"""Entity extraction: provinces (63/34), officials, programmes — one example per rule and trap.

The sentences are written for these tests (fictional people); the seed article is read from
../shared at run time.
"""
from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from pathlib import Path

import pytest

from archive.article import Article
from indexer.entities.extract import Entities, Official, extract_entities, find_programs
from indexer.entities.gazetteer import canonical_province, gazetteer, province_2025

SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SEED = SHARED / "corpus" / "gold" / "thtg.vn" / "giam-ngheo-cai-lay-tan-tru.json"


def art(*paragraphs: str, title: str = "Tin địa phương") -> Article:
    return Article(url="https://example.vn/a", title=title, paragraphs=paragraphs)


def names(e: Entities) -> set[str]:
    return {o.name for o in e.officials}


# --- gazetteer --------------------------------------------------------------------------

def test_gazetteer_has_63_and_34_provinces() -> None:
    g = gazetteer()
    assert len(g.short_2025) == 63
    assert len(set(g.short_2025.values())) == 34 == len(g.shorts_2025)


@pytest.mark.parametrize("text, short63, short34", [
    ("long an", "Long An", "Tây Ninh"),
    ("Tiền Giang", "Tiền Giang", "Đồng Tháp"),
    ("TP.HCM", "Hồ Chí Minh", "Hồ Chí Minh"),
    ("tp hcm", "Hồ Chí Minh", "Hồ Chí Minh"),
    ("Sài Gòn", "Hồ Chí Minh", "Hồ Chí Minh"),
    ("BR-VT", "Bà Rịa - Vũng Tàu", "Hồ Chí Minh"),
    ("Thừa Thiên - Huế", "Thừa Thiên Huế", "Huế"),
    ("Đắc Lắk", "Đắk Lắk", "Đắk Lắk"),
    ("Thanh Hoá", "Thanh Hóa", "Thanh Hóa"),
    ("hoa binh", "Hòa Bình", "Phú Thọ"),
    ("Tỉnh Bình Dương", "Bình Dương", "Hồ Chí Minh"),
])
def test_canonical_province_accepts_any_spelling(text: str, short63: str, short34: str) -> None:
    assert canonical_province(text) == short63
    assert province_2025(text) == short34


def test_canonical_province_rejects_unknown() -> None:
    assert canonical_province("Atlantis") is None
    assert canonical_province("  ") is None


# --- provinces in text ------------------------------------------------------------------

def test_district_implies_province() -> None:
    e = extract_entities(art("Đoàn công tác của huyện Tân Trụ đến thăm thị xã Cai Lậy."))
    assert set(e.provinces) == {"Long An", "Tiền Giang"}
    assert set(e.provinces_2025) == {"Tây Ninh", "Đồng Tháp"}


def test_tone_placement_variants_are_one_province() -> None:
    e = extract_entities(art("Mưa lớn ở Thanh Hoá và Thanh Hóa, Hoà Bình cũng bị ảnh hưởng."))
    assert e.provinces == ("Thanh Hóa", "Hòa Bình")


def test_abbreviations_and_hyphenated_names() -> None:
    e = extract_entities(art("Xe khách từ TP. HCM đi BR-VT rồi ra Thừa Thiên - Huế."))
    assert set(e.provinces) == {"Hồ Chí Minh", "Bà Rịa - Vũng Tàu", "Thừa Thiên Huế"}


@pytest.mark.parametrize("sentence", [
    "Cửa hàng nằm trên đường Yên Bái, quận Hải Châu.",       # street (district: Đà Nẵng)
    "Anh Nguyễn Thái Bình là kỹ sư cầu đường.",              # person
    "Cơn bão hình thành trên Thái Bình Dương.",              # the Pacific
    "Nhà số 12 Hà Nội cũ đã bị phá.",                        # address
    "Chị Huế bán hàng ở chợ.",                               # given name
    "Hội nghị bàn về tư tưởng Hồ Chí Minh.",                 # the person, not the city
    "Theo báo Công an TP. HCM, giá vàng tăng.",              # newspaper title
])
def test_province_traps(sentence: str) -> None:
    e = extract_entities(art(sentence, title="Tin"))
    assert "Thái Bình" not in e.provinces and "Yên Bái" not in e.provinces
    assert "Hà Nội" not in e.provinces and "Thừa Thiên Huế" not in e.provinces
    assert "Hồ Chí Minh" not in e.provinces


def test_bare_district_name_needs_a_cue() -> None:
    # "Tân Phú" is a district in several provinces and a common word pair; without a cue or
    # a province to resolve it, it says nothing.
    assert extract_entities(art("Gia đình ông sống yên ổn, tân phú.")).provinces == ()
    e = extract_entities(art("Ông ở huyện Châu Thành, tỉnh Đồng Tháp."))
    assert e.provinces == ("Đồng Tháp",)


def test_ambiguous_district_resolved_by_cue_type() -> None:
    assert extract_entities(art("Cháy nhà ở quận Hoàng Mai.")).provinces == ("Hà Nội",)
    assert extract_entities(art("Cháy nhà ở thị xã Hoàng Mai.")).provinces == ("Nghệ An",)


# --- officials --------------------------------------------------------------------------

def test_name_dash_title() -> None:
    e = extract_entities(art("Chiều 8/11, bà Lê Thị Hoa – Phó Chủ tịch UBND huyện Chợ Gạo "
                             "tiếp đoàn công tác."))
    assert e.officials == (Official("Lê Thị Hoa", ("Phó Chủ tịch UBND huyện Chợ Gạo",),
                                    "UBND huyện Chợ Gạo"),)


def test_title_then_name_with_place_in_between() -> None:
    e = extract_entities(art("Chủ tịch UBND tỉnh Long An Nguyễn Văn Út cho biết tiến độ."))
    assert e.officials[0].name == "Nguyễn Văn Út"
    assert e.officials[0].titles == ("Chủ tịch UBND tỉnh Long An",)


def test_name_comma_title_and_rank() -> None:
    e = extract_entities(art("Đại tá Trần Văn Bình, Trưởng Công an huyện Cái Bè, thông tin "
                             "với báo chí."))
    assert names(e) == {"Trần Văn Bình"}
    assert any("Trưởng Công an huyện Cái Bè" in t for t in e.officials[0].titles)


def test_short_mention_links_to_full_name() -> None:
    e = extract_entities(art("Ông Đặng Văn Lực phát biểu tại hội nghị.",
                             "Ông Lực, Bí thư Huyện ủy Tân Phước, nhấn mạnh yêu cầu."))
    assert e.officials == (Official("Đặng Văn Lực", ("Bí thư Huyện ủy Tân Phước",),
                                    "Huyện ủy Tân Phước"),)


def test_comrade_counts_as_official() -> None:
    e = extract_entities(art("Đồng chí Hà Văn Sơn phát biểu chỉ đạo hội nghị."))
    assert names(e) == {"Hà Văn Sơn"}


def test_bare_role_needs_public_context() -> None:
    e = extract_entities(art("Văn phòng UBND tỉnh cho biết, Phó chủ tịch Lý Văn Tám đã ký "
                             "công văn."))
    assert names(e) == {"Lý Văn Tám"}
    e = extract_entities(art("Công ty cổ phần An Phát cho biết, Chủ tịch Lý Văn Tám đã ký "
                             "hợp đồng."))
    assert names(e) == set()


@pytest.mark.parametrize("sentence", [
    "Ông Phan Văn Tư, Giám đốc Công ty TNHH Hòa Thịnh, cho biết doanh thu tăng.",
    "Tổng thống Mỹ Donald Trump gặp Thủ tướng Nhật Bản Shinzo Abe.",
    "Chủ tịch Ủy ban châu Âu Jean Juncker phát biểu.",
    "Hiệu trưởng Trường tiểu học Nguyễn Thị Minh Khai đã nghỉ hưu.",
    "Trưởng Công an phường Bạch Đằng cho biết vụ việc đang được điều tra.",
])
def test_official_traps(sentence: str) -> None:
    assert extract_entities(art(sentence)).officials == ()


def test_foreign_official_excluded_even_with_bare_title_later() -> None:
    e = extract_entities(art(
        "Thủ tướng Lê Minh Khoa tiếp Phó Thủ tướng Quốc vụ viện Trung Quốc Trương Vĩnh Hòa.",
        "Phó Thủ tướng Trương Vĩnh Hòa khẳng định quan hệ hai nước."))
    assert names(e) == {"Lê Minh Khoa"}


def test_vietnamese_ambassador_is_an_official() -> None:
    e = extract_entities(art("Đại sứ Việt Nam tại Ai Cập Hồ Văn Nam đã tới bệnh viện."))
    assert names(e) == {"Hồ Văn Nam"}


# --- programmes -------------------------------------------------------------------------

@pytest.mark.parametrize("text, label", [
    ("Huyện thuộc diện hỗ trợ theo Nghị quyết 30a của Chính phủ.", "Giảm nghèo bền vững"),
    ("Xã vừa đạt chuẩn nông thôn mới.", "Nông thôn mới"),
    ("Kinh phí từ Chương trình 135 được giải ngân.", "Vùng đồng bào dân tộc thiểu số và miền núi"),
    ("Triển khai Quyết định 1719 của Thủ tướng.", "Vùng đồng bào dân tộc thiểu số và miền núi"),
    ("Tỉnh có 40 sản phẩm đạt chuẩn OCOP.", "OCOP"),
    ("Phong trào xoá nhà tạm, nhà dột nát về đích sớm.", "Xóa nhà tạm, nhà dột nát"),
    ("Thúc đẩy chuyển đổi số trong cơ quan nhà nước.", "Chuyển đổi số"),
    ("Đề án đào tạo nghề cho lao động nông thôn đạt kết quả tốt.",
     "Việc làm và giáo dục nghề nghiệp"),
    ("Mục tiêu bảo hiểm y tế toàn dân đạt 93%.", "Bảo hiểm y tế toàn dân"),
])
def test_programme_mentions(text: str, label: str) -> None:
    assert label in extract_entities(art(text)).programs


@pytest.mark.parametrize("text", [
    "Tỷ lệ hộ nghèo giảm còn 2%, hộ cận nghèo còn 3%.",
    "Đồng bào dân tộc thiểu số đón Tết.",
    "Bộ Nông nghiệp và Phát triển nông thôn họp báo.",
    "Người lao động cần có việc làm ổn định.",
])
def test_subject_words_are_not_programmes(text: str) -> None:
    assert find_programs(text) == ()


# --- record, speed, seed ----------------------------------------------------------------

def test_to_dict_round_trip() -> None:
    e = extract_entities(art("Bà Lê Thị Hoa – Phó Chủ tịch UBND huyện Chợ Gạo dự lễ đón "
                             "xã nông thôn mới."))
    d = json.loads(json.dumps(e.to_dict(), ensure_ascii=False))
    assert Entities.from_dict(d) == e
    assert d["provinces_2025"] == ["Đồng Tháp"] and d["programs"] == ["Nông thôn mới"]


def test_nfd_input_is_handled() -> None:
    text = unicodedata.normalize("NFD", "Ông Trần Văn Nam – Chủ tịch UBND tỉnh Long An phát biểu.")
    e = extract_entities(art(text))
    assert e.provinces == ("Long An",) and names(e) == {"Trần Văn Nam"}


def seed_article() -> Article:
    d = json.loads(SEED.read_text("utf-8"))   # fails (not skips) when ../shared is missing
    return Article(url=d["url"], title=d["title"], paragraphs=tuple(d["paragraphs"]),
                   sapo=d.get("sapo"), captions=tuple(d.get("captions") or ()),
                   published=datetime.fromisoformat(d["published"]))


def test_seed_article() -> None:
    e = extract_entities(seed_article())
    assert set(e.provinces) == {"Long An", "Tiền Giang"}
    assert set(e.provinces_2025) == {"Tây Ninh", "Đồng Tháp"}
    by_name = {o.name: o for o in e.officials}
    assert set(by_name) == {"Võ Thị Búp", "Trương Minh Trí", "Phạm Thanh Mộng"}
    assert "Phó Chủ tịch UBND thị xã Cai Lậy" in by_name["Võ Thị Búp"].titles
    assert "Phó Chủ tịch UBND huyện Tân Trụ" in by_name["Trương Minh Trí"].titles
    assert any(t.startswith("Trưởng Phòng") for t in by_name["Phạm Thanh Mộng"].titles)
    assert set(e.programs) == {"Giảm nghèo bền vững", "Nông thôn mới"}
