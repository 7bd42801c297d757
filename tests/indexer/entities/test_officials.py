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


@pytest.mark.parametrize("sentence, name", [
    # no comma between "ông NAME" and the title
    ("Ông Lê Văn Khoa Chánh văn phòng UBND tỉnh, cho biết dự án đã được duyệt.", "Lê Văn Khoa"),
    # a name whose last word also names a body ("Viện", "Hội")
    ("Xác nhận với báo, đại tá Nguyễn Văn Viện, phó giám đốc Công an tỉnh, cho biết.",
     "Nguyễn Văn Viện"),
    # unit heads and state inspectors named by their service
    ("Ông Trịnh Văn Lộc, Hạt trưởng Hạt kiểm lâm thị xã Hương Thủy cho biết.", "Trịnh Văn Lộc"),
    ("Tối 17/2, kiểm lâm viên Hà Văn Tám chứng kiến một con bò tót lao vào ôtô.", "Hà Văn Tám"),
    ("Lô heo được kiểm dịch viên Đinh Văn Mười (Chi cục Chăn nuôi và thú y tỉnh) niêm phong.",
     "Đinh Văn Mười"),
    ("Thống đốc Ngân hàng Nhà nước Lê Văn Hưng trao đổi với các ngân hàng.", "Lê Văn Hưng"),
    # the parent body in brackets between the title and the name; an acting head
    ("Quyền Cục trưởng Cục Kiểm lâm (Bộ Nông nghiệp và Phát triển nông thôn) Đỗ Văn Tín cho hay.",
     "Đỗ Văn Tín"),
    # a Hmong surname
    ("Đại biểu Tráng Thị Mây – Quyền Chủ tịch tỉnh Sơn La từ chối trả lời.", "Tráng Thị Mây"),
    # appointed to, or holding, the title: a verb instead of punctuation
    ("Ông Trần Văn Nam được bầu giữ chức chủ tịch UBND tỉnh Quảng Bình nhiệm kỳ mới.",
     "Trần Văn Nam"),
    ("Người ký văn bản là ông Lê Văn Mạnh, nay ông Lê Văn Mạnh là Phó chủ tịch UBND xã.",
     "Lê Văn Mạnh"),
])
def test_more_writing_shapes(sentence: str, name: str) -> None:
    assert name in names(extract_entities(art(sentence)))


def test_former_holder_named_after_the_office() -> None:
    e = extract_entities(art("Ông Trần Văn Nam được bầu giữ chức chủ tịch UBND tỉnh Quảng Bình, "
                             "thay thế ông Nguyễn Hữu Tài nghỉ hưu theo chế độ."))
    assert names(e) == {"Trần Văn Nam", "Nguyễn Hữu Tài"}
    tai = next(o for o in e.officials if o.name == "Nguyễn Hữu Tài")
    assert tai.titles == ("nguyên chủ tịch UBND tỉnh Quảng Bình",)
    assert names(extract_entities(art("Chủ tịch UBND xã cho biết bà đã thay mặt ông Lê Văn Tý "
                                      "nhận quà."))) == set()


def test_a_list_shares_its_title() -> None:
    e = extract_entities(art("Cơ quan điều tra đã khởi tố các ông Nguyễn Văn Hai, Trần Văn Ba, "
                             "nguyên Phó chủ tịch UBND huyện Cẩm Mỹ."))
    assert names(e) == {"Nguyễn Văn Hai", "Trần Văn Ba"}
    e = extract_entities(art("Các bị cáo Ngô Thanh Hòa, Vũ Trọng Lâm là trưởng phòng và phó "
                             "trưởng phòng khảo thí Sở GD-ĐT bị xét xử."))
    assert names(e) == {"Ngô Thanh Hòa", "Vũ Trọng Lâm"}


def test_two_word_short_form_is_the_full_name() -> None:
    e = extract_entities(art("ĐBQH Nguyễn Thái Sơn (đoàn Phú Yên) phát biểu tại Quốc hội.",
                             "Người dân rất lo lắng, ĐBQH Thái Sơn nói thêm."))
    assert names(e) == {"Nguyễn Thái Sơn"}


@pytest.mark.parametrize("sentence, wanted", [
    # the name after "là" is the title's own person, not the one before it
    ("Con trai ông là thượng tướng Võ Văn Tâm, nguyên phó tổng tham mưu trưởng.",
     {"Võ Văn Tâm"}),
    # a given name that also opens a title ("Chánh") is kept
    ("Ông Võ Văn Chánh, phó chủ tịch UBND tỉnh Đồng Nai, đề nghị sửa văn bản.", {"Võ Văn Chánh"}),
    # a foreign official joined by a verb, or of a foreign body in brackets
    ("Tại Trung Quốc, ông Lý Văn Cường là Thủ tướng từ năm 2013.", set()),
    ("Bắc Kinh truy tố cựu Chủ tịch Tổ chức Cảnh sát hình sự quốc tế (Interpol) Mạnh Hoàng Vân.",
     set()),
])
def test_new_shape_traps(sentence: str, wanted: set[str]) -> None:
    assert names(extract_entities(art(sentence))) == wanted
