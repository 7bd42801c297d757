"""Generic extraction: ``prune`` drops chrome, ``find_root`` finds the prose, ``walk`` reads
blocks in order with captions aside; ``is_boilerplate`` and ``link_density`` as used there."""
from __future__ import annotations

import lxml.html
import pytest

from archive.clean.extract import Blocks, find_root, is_boilerplate, link_density, prune, walk

PROSE = ("Sáng 12/3, đoàn công tác của tỉnh Tiền Giang đã đến thăm mô hình giảm nghèo bền vững, "
         "trao đổi kinh nghiệm với cán bộ xã về sinh kế cho hộ nghèo.")


def _doc(body: str):
    return lxml.html.fromstring(f"<html><body>{body}</body></html>")


def test_prune_drops_scripts_navigation_and_related_boxes():
    doc = _doc("<nav>Trang chủ | Thời sự</nav><script>var a=1</script>"
               "<div class='box-relate-news'><p>Tin liên quan khác</p></div>"
               f"<div class='detail-content'><p>{PROSE}</p></div>")
    prune(doc)
    text = doc.text_content()
    assert "Trang chủ" not in text and "var a" not in text and "Tin liên quan khác" not in text
    assert "giảm nghèo bền vững" in text


def test_prune_drops_hidden_elements():
    doc = _doc(f"<p style='display:none'>Ẩn đi</p><p class='d-none'>Cũng ẩn</p><p>{PROSE}</p>")
    prune(doc)
    assert "Ẩn đi" not in doc.text_content() and "Cũng ẩn" not in doc.text_content()


def test_a_weak_chrome_word_on_a_wrapper_that_holds_prose_survives():
    doc = _doc(f"<div class='main-sidebar-layout'><div class='detail'><p>{PROSE}</p><p>{PROSE}</p>"
               "</div></div>")
    prune(doc)
    assert "giảm nghèo" in doc.text_content()


def test_find_root_picks_the_container_with_the_prose():
    doc = _doc("<div id='menu'><p><a href='/a'>Thời sự</a></p><p><a href='/b'>Kinh tế</a></p></div>"
               f"<div id='article'><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p></div>"
               "<div id='footer'><p>Bản quyền thuộc Đài PT-TH.</p></div>")
    root = find_root(doc.body)
    assert root is not None and root.get("id") == "article"


def test_find_root_of_a_page_without_prose_is_none():
    assert find_root(_doc("<div><a href='/x'>Trang chủ</a></div>").body) is None


def test_walk_reads_blocks_in_order_with_kinds_and_captions_aside():
    root = lxml.html.fromstring(
        "<div><h2>Giảm nghèo bền vững</h2><p>Đoạn một.</p>"
        "<figure><img src='a.jpg'><figcaption>Quang cảnh buổi làm việc.</figcaption></figure>"
        "<blockquote>Trích dẫn của đồng chí Bí thư.</blockquote><ul><li>Ý thứ nhất</li></ul>"
        "<p>Đoạn hai.</p></div>")
    blocks = walk(root)
    assert isinstance(blocks, Blocks)
    assert blocks.paragraphs == ["Giảm nghèo bền vững", "Đoạn một.", "Trích dẫn của đồng chí Bí thư.",
                                 "Ý thứ nhất", "Đoạn hai."]
    assert blocks.kinds == ["h", "p", "q", "li", "p"]
    assert blocks.captions == ["Quang cảnh buổi làm việc."]


def test_walk_splits_lines_at_br_and_keeps_a_linked_word_inside_its_sentence():
    root = lxml.html.fromstring(
        "<div><p>Dòng một<br>Dòng hai</p>"
        "<div>Huyện triển khai <a href='/t'>chương trình</a> giảm nghèo.<p>Đoạn sau.</p></div></div>")
    assert walk(root).paragraphs == ["Dòng một", "Dòng hai", "Huyện triển khai chương trình giảm nghèo.",
                                     "Đoạn sau."]


def test_walk_skips_link_rows_and_boxes_headed_by_boilerplate():
    root = lxml.html.fromstring(
        "<div><p>Đoạn chính.</p><p><a href='/1'>Tin một về giảm nghèo</a> <a href='/2'>Tin hai</a></p>"
        "<div><h3>Tin liên quan</h3><p>Một bài khác hẳn.</p></div></div>")
    assert walk(root).paragraphs == ["Đoạn chính."]


def test_walk_reads_a_data_table_row_by_row():
    root = lxml.html.fromstring("<div><table><tr><td>Xã</td><td>Hộ nghèo</td></tr>"
                                "<tr><td>Tân Phú</td><td>12</td></tr></table></div>")
    assert walk(root).paragraphs == ["Xã | Hộ nghèo", "Tân Phú | 12"]


@pytest.mark.parametrize("text", ["Tin liên quan", "XEM THÊM:", "Bình luận (3)", "12/03/2024 08:15",
                                  "Thứ Hai, 12/03/2024 08:15 (GMT+7)", "Chia sẻ bài viết"])
def test_boxes_and_prompts_are_boilerplate(text):
    assert is_boilerplate(text)


@pytest.mark.parametrize("text", [PROSE, "Ý kiến của cử tri được tiếp thu.", "Xem thêm về chính sách"])
def test_sentences_are_not_boilerplate(text):
    assert not is_boilerplate(text)


def test_link_density_is_the_linked_share_of_the_text():
    el = lxml.html.fromstring("<p><a href='/x'>giảm nghèo</a> bền vững ở Long An</p>")
    assert link_density(el) == pytest.approx(len("giảm nghèo") / len("giảm nghèo bền vững ở Long An"))
    assert link_density(lxml.html.fromstring("<p></p>")) == 0.0
