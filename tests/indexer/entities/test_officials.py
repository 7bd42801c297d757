"""Officials in the ways Vietnamese news writes them (issue 16), and the traps seen on the
22k vietnews archive.  The names are made up; the shapes are those of real articles."""
from __future__ import annotations

import pytest

from archive.article import Article
from indexer.entities.extract import Entities, extract_entities


def art(*paragraphs: str) -> Article:
    return Article(url="https://example.vn/a", title="Tin địa phương", paragraphs=paragraphs)


def names(e: Entities) -> set[str]:
    return {o.name for o in e.officials}


@pytest.mark.parametrize("sentence, name", [
    # title before the name, no ông/bà
    ("Phó chủ tịch UBND tỉnh Gia Lai Trần Kim Lân cho biết dự án sẽ xong.", "Trần Kim Lân"),
    ("Trưởng ban Tuyên giáo Trung ương Lê Văn Hòa cho rằng cần đổi mới.", "Lê Văn Hòa"),
    ("Phó chủ tịch UBND TP Nguyễn Văn Tâm nhấn mạnh việc này.", "Nguyễn Văn Tâm"),
    ("Đại biểu Hồ Văn Lâm nói rằng luật cần sửa.", "Hồ Văn Lâm"),
    ("Chia sẻ ý kiến này, đại biểu Phan Hồng Hải (Bình Thuận) cho rằng cần sửa luật.",
     "Phan Hồng Hải"),
    ("Trưởng thôn Quan Hạ, ông Nguyễn Văn Lựu cho biết làng đã đổi khác.", "Nguyễn Văn Lựu"),
    # title after the name: lower case, after an aside in parentheses
    ("Ông Lầu A Sử, chủ tịch UBND xã Tà Xùa, cho biết.", "Lầu A Sử"),
    ("Ông Trần Văn Bảy (48 tuổi), Phó chủ tịch xã Bình Hòa, đã đến hiện trường.",
     "Trần Văn Bảy"),
    ("Ông Ngô Đình Thạnh (46 tuổi, chủ tịch UBND xã Nghi Quang) bị tạm đình chỉ.",
     "Ngô Đình Thạnh"),
    ("Theo đó, ông Lê Văn Thịnh - Trưởng phòng Tài nguyên huyện bị cách chức.", "Lê Văn Thịnh"),
    ("Ông Huỳnh Đức Tài, Chủ tịch Đà Nẵng nói thành phố sẽ làm ngay.", "Huỳnh Đức Tài"),
    # former officials and defendants
    ("Bị cáo Lê Văn Tư (nguyên phó chủ tịch UBND phường 5) khai nhận hành vi.", "Lê Văn Tư"),
    ("Cơ quan điều tra đã bắt tạm giam Nguyễn Văn Sáu, nguyên Phó Chủ tịch UBND xã.",
     "Nguyễn Văn Sáu"),
    ("Văn bản truyền đạt kết luận của ông Nguyễn Văn Thìn (lúc này là thứ trưởng Bộ GTVT).",
     "Nguyễn Văn Thìn"),
    ("Ông Phạm Kiến Thành, cựu Đại sứ Việt Nam tại Ba Lan, đã phát biểu.", "Phạm Kiến Thành"),
    # ethnic-minority names and apostrophes
    ("Bà H' Bia Niê, Phó chủ tịch UBND huyện Krông Búk, cho biết.", "H' Bia Niê"),
    ("Ông Sùng Mí Páo, Bí thư xã Lũng Cú, nói.", "Sùng Mí Páo"),
    ("Bí thư đảng ủy xã Hạ Sơn Trương Văn Ân nói.", "Trương Văn Ân"),
    ("Sáng 5-6, ông Trần Đức Thắm, chủ tịch UBND xã Đức Long, huyện Đức Thọ, xác nhận.",
     "Trần Đức Thắm"),
    # a Vietnamese place or body sharing a word with a country ("Kỳ Anh", "Pháp luật")
    ("Thượng tá Ngô Đức Nhân - Trưởng Công an thị xã Kỳ Anh (Hà Tĩnh) cho biết.", "Ngô Đức Nhân"),
    ("Theo Chủ nhiệm Ủy ban Pháp luật Nguyễn Khắc Điền, dự thảo cần sửa.", "Nguyễn Khắc Điền"),
    ("Ông Trịnh Minh Khải (SN 1966; nguyên Phó Trưởng Phòng Tổ chức cán bộ của Sở Y tế tỉnh "
     "Cà Mau) bị tạm giam.", "Trịnh Minh Khải"),
])
def test_writing_shapes(sentence: str, name: str) -> None:
    assert name in names(extract_entities(art(sentence)))


def test_deputy_in_an_assembly_story() -> None:
    e = extract_entities(art("Quốc hội thảo luận dự án luật.",
                             "Tranh luận lại, đại biểu Lưu Bình Nhương nói cần cân nhắc."))
    assert names(e) == {"Lưu Bình Nhương"}
    e = extract_entities(art("Hội thảo của công ty.", "Đại diện đại biểu Lưu Bình Nhương nói."))
    assert names(e) == set()


def test_unit_staff_listed_by_name() -> None:
    e = extract_entities(art("Bốn cán bộ, chiến sĩ Công an huyện Mèo Vạc gồm Đỗ Văn Hùng, "
                             "Vũ Minh Đức đã được khen thưởng."))
    assert names(e) == {"Đỗ Văn Hùng", "Vũ Minh Đức"}


def test_short_form_maps_to_full_name() -> None:
    e = extract_entities(art("Bà Võ Thị Búp, Phó chủ tịch UBND thị xã Cai Lậy, cho biết như vậy.",
                             "Theo Phó Chủ tịch Búp, năm nay bà Búp sẽ đi kiểm tra từng ấp."))
    assert names(e) == {"Võ Thị Búp"}
    assert "Phó Chủ tịch" in e.officials[0].titles


@pytest.mark.parametrize("sentence", [
    "Nhiều bạn trẻ Bí thư Đoàn Sài Gòn Co.op đã có mặt từ sớm.",
    "Giám đốc Trường Cao Nguyên cho biết năm nay tuyển thêm lớp.",
    "Cán bộ Ban quản trị chung cư Simona – Hoàng Văn Thụ xác nhận thông tin.",
])
def test_official_traps(sentence: str) -> None:
    assert names(extract_entities(art(sentence))) == set()


def test_reporting_verb_is_not_part_of_the_title() -> None:
    e = extract_entities(art("Ông Nguyễn Văn Hải, Chủ tịch UBND xã Cẩm Minh cho hay, năm nay "
                             "mưa nhiều."))
    assert e.officials[0].titles == ("Chủ tịch UBND xã Cẩm Minh",)


def test_province_followed_by_foreign_country_is_not_the_vietnamese_one() -> None:
    e = extract_entities(art("Một nhà máy ở tỉnh Hà Nam, Trung Quốc bị cháy; một nhà máy ở "
                             "Hà Giang (Trung Quốc) cũng vậy."))
    assert e.provinces == ()
    e = extract_entities(art("Đoàn công tác tỉnh Hà Nam sang thăm Trung Quốc."))
    assert e.provinces == ("Hà Nam",)
