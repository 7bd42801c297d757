"""Older layouts (issue 15): tables that lay text beside photos, <br> lines, photo captions."""
from __future__ import annotations

from archive.clean.cleaner import clean_page

INTRO = ("Bánh mẫu này dành cho các cặp đôi nhân ngày lễ, cách làm đơn giản, ai cũng có thể tự "
         "làm ở nhà trong một buổi chiều mà không cần dụng cụ gì đặc biệt cả.")


def _page(body: str) -> str:
    return ("<html><head><title>Cách làm bánh mẫu</title></head><body><div class='noidung'>"
            f"<h1>Cách làm bánh mẫu</h1><p>{INTRO}</p>{body}</div></body></html>")


def test_br_lines_in_one_paragraph_and_a_photo_beside_each_step() -> None:
    step = ("<table><tr><td><p><img src='/s{0}.jpg'></p></td><td><p><strong>Bước {0}:</strong>"
            "</p><p>Trộn bột và trứng với nhau, thêm chút nước cho dễ nhào nặn, chia làm hai "
            "phần bằng nhau.</p></td></tr></table>")
    page = _page("<p>- Bột mỳ<br>- 1 quả trứng gà<br>- Sôcôla trắng</p>"
                 + "".join(step.format(i) for i in (1, 2))
                 + "<table><tr><td><img src='/s3.jpg'></td><td>Cho bánh vào tủ lạnh để lớp "
                   "sôcôla đông lại.</td></tr></table>")
    a = clean_page(page, "https://bep-mau.vn/banh.html")
    assert list(a.paragraphs[:4]) == [INTRO, "- Bột mỳ", "- 1 quả trứng gà", "- Sôcôla trắng"]
    assert list(a.paragraphs[4:6]) == ["Bước 1:", a.paragraphs[5]]
    assert a.paragraphs[5].startswith("Trộn bột") and a.paragraphs[6] == "Bước 2:"
    assert a.paragraphs[-1] == "Cho bánh vào tủ lạnh để lớp sôcôla đông lại."
    assert a.captions == ()


def test_an_image_table_with_its_caption_row_is_still_a_figure() -> None:
    page = _page("<table><tr><td><img src='/a.jpg'></td></tr><tr><td>Bánh sau khi nướng. Ảnh: "
                 "Mẫu</td></tr></table><p>" + INTRO.replace("Bánh", "Món") + "</p>")
    a = clean_page(page, "https://bep-mau.vn/banh2.html")
    assert a.captions == ("Bánh sau khi nướng. Ảnh: Mẫu",)
    assert "Bánh sau khi nướng. Ảnh: Mẫu" not in a.paragraphs


def test_italic_lines_under_pictures_are_captions_not_body() -> None:
    it = "<span style='font-style: italic'>{}</span>"
    page = _page(
        "<p><img src='/1.jpg'></p><p>" + it.format("Váy liền với gam màu tươi tắn...") + "</p>"
        "<div><span><img src='/2.jpg'><br>" + it.format("Áo khoác lông cho ngày lạnh.") +
        "</span></div><div>" + it.format("Sự đối lập giữa đen và trắng luôn gây ấn tượng.") +
        "</div><p><span style='font-style: italic'><img src='/3.jpg'><br>Clutch hoàn thiện trang "
        "phục<br><br><img src='/4.jpg'><br>Clutch đính đinh tán...</span></p>"
        "<p>" + INTRO.replace("Bánh", "Món") + "</p>")
    a = clean_page(page, "https://bep-mau.vn/banh3.html")
    assert a.captions == ("Váy liền với gam màu tươi tắn...", "Áo khoác lông cho ngày lạnh.",
                          "Sự đối lập giữa đen và trắng luôn gây ấn tượng.",
                          "Clutch hoàn thiện trang phục", "Clutch đính đinh tán...")
    assert list(a.paragraphs) == [INTRO, INTRO.replace("Bánh", "Món")]


def test_an_italic_paragraph_away_from_pictures_is_body() -> None:
    quote = "<p><em>" + INTRO.replace("Bánh", "Chè") + "</em></p>"
    a = clean_page(_page(quote), "https://bep-mau.vn/banh4.html")
    assert a.captions == () and a.paragraphs[-1] == INTRO.replace("Bánh", "Chè")


def test_embedded_video_title_and_duration_are_not_body() -> None:
    player = ("<div class='vcbox' type='VideoStream'><div class='title'>VIDEO: Cận cảnh lò "
              "nướng bánh</div><video src='/v.mp4'></video><span>02:35</span></div>"
              "<p>VIDEO: Người dân xếp hàng mua bánh</p><div><iframe src='https://www.youtube."
              "com/embed/x'></iframe><p>03:10</p></div>")
    a = clean_page(_page(player + "<p>" + INTRO.replace("Bánh", "Món") + "</p>"),
                   "https://bep-mau.vn/banh5.html")
    assert list(a.paragraphs) == [INTRO, INTRO.replace("Bánh", "Món")]
    assert "VIDEO" not in a.body and "02:35" not in a.body


def test_an_italic_signature_after_the_last_photo_is_not_a_caption() -> None:
    page = _page("<p><img src='/z.jpg'></p><p>" + INTRO.replace("Bánh", "Món") + "</p>"
                 "<p><img src='/y.jpg'></p><p style='text-align: right'><em>Trần Văn Mẫu</em></p>")
    a = clean_page(page, "https://bep-mau.vn/banh6.html")
    assert a.captions == () and a.authors == ("Trần Văn Mẫu",)
