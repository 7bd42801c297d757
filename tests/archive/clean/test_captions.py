"""``lift_photo_captions``: the italic line under a picture leaves the body for the captions."""
from __future__ import annotations

import lxml.html

from archive.clean.captions import lift_photo_captions


def _root(html: str):
    return lxml.html.fromstring(f"<div id='body'>{html}</div>")


def test_italic_paragraph_after_the_picture_is_a_caption():
    root = _root("<p><img src='a.jpg'></p><p><em>Đoàn công tác thăm mô hình nuôi bò.</em></p>"
                 "<p>Sáng 12/3, đoàn công tác của tỉnh đã đến thăm.</p>")
    assert lift_photo_captions(root) == ["Đoàn công tác thăm mô hình nuôi bò."]
    assert "nuôi bò" not in root.text_content()
    assert "Sáng 12/3" in root.text_content()


def test_caption_after_a_line_break_in_an_italic_run():
    root = _root("<p><i><img src='a.jpg'><br>Ông Nguyễn Văn A phát biểu.</i></p><p>Nội dung bài.</p>")
    assert lift_photo_captions(root) == ["Ông Nguyễn Văn A phát biểu."]
    assert "phát biểu" not in root.text_content()


def test_italic_style_counts_as_italics():
    root = _root("<p><img src='a.jpg'></p><p><span style='font-style: italic'>Quang cảnh hội nghị.</span></p>")
    assert lift_photo_captions(root) == ["Quang cảnh hội nghị."]


def test_upright_text_after_a_picture_stays_in_the_body():
    root = _root("<p><img src='a.jpg'></p><p>Huyện đã giảm tỷ lệ hộ nghèo xuống 3%.</p>")
    assert lift_photo_captions(root) == []
    assert "giảm tỷ lệ hộ nghèo" in root.text_content()


def test_an_italic_word_inside_a_sentence_is_not_a_caption():
    root = _root("<p><img src='a.jpg'></p><p><em>Chương trình</em> giảm nghèo bền vững được triển khai.</p>")
    assert lift_photo_captions(root) == []
    assert "Chương trình giảm nghèo" in root.text_content()


def test_a_long_italic_passage_is_an_editors_note_not_a_caption():
    note = "Lời tòa soạn: " + "bài viết phản ánh thực trạng giảm nghèo ở vùng cao. " * 12
    root = _root(f"<p><img src='a.jpg'></p><p><em>{note}</em></p>")
    assert lift_photo_captions(root) == []
    assert "Lời tòa soạn" in root.text_content()


def test_a_right_aligned_italic_line_is_a_signature():
    root = _root("<p><img src='a.jpg'></p><p style='text-align:right'><em>Minh Anh</em></p>")
    assert lift_photo_captions(root) == []


def test_pictures_in_a_figure_are_left_to_figcaption():
    root = _root("<figure><img src='a.jpg'><figcaption>Chú thích</figcaption></figure>"
                 "<p><em>Không phải chú thích ảnh.</em></p>")
    assert lift_photo_captions(root) == []


def test_a_second_wholly_italic_block_continues_the_caption():
    root = _root("<p><img src='a.jpg'><br><em>Lãnh đạo tỉnh trao quà.</em></p>"
                 "<p><em>Ảnh: Thanh Hà</em></p><p>Bài viết tiếp tục.</p>")
    assert lift_photo_captions(root) == ["Lãnh đạo tỉnh trao quà.", "Ảnh: Thanh Hà"]
    assert root.text_content().strip() == "Bài viết tiếp tục."
