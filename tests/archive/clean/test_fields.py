"""Generic field finders: headline, sapo, byline authors, author links, JSON-LD authors,
section and tags, each on a small page shaped like the Vietnamese CMSs they were written for."""
from __future__ import annotations

import json

import lxml.html
import pytest

from archive.clean.fields import (byline_names, find_author_links, find_byline_authors,
                                  find_headline, find_sapo, find_section, find_tags, ld_authors,
                                  looks_like_name)
from archive.clean.meta import read_meta

TITLE = "Đoàn công tác Tiền Giang học tập mô hình giảm nghèo bền vững"
LEAD = "Ngày 12/3, đoàn công tác của tỉnh Tiền Giang đã đến học tập kinh nghiệm giảm nghèo tại Long An."
PROSE = "Huyện đã triển khai nhiều mô hình sinh kế, giúp hộ nghèo có việc làm và thu nhập ổn định."


def _page(head: str, body: str):
    doc = lxml.html.fromstring(f"<html><head>{head}</head><body>{body}</body></html>")
    return doc, read_meta(doc, "https://thtg.vn/x.html")


def test_headline_is_the_h1_that_is_the_meta_title_without_the_site_suffix():
    doc, pm = _page(f"<title>{TITLE} - Truyền hình Tiền Giang</title>",
                    f"<h1>THTG</h1><div><h1>{TITLE}</h1><p>{PROSE}</p></div>")
    text, el = find_headline(doc, pm, ["THTG"])
    assert text == TITLE and el is not None and el.tag == "h1"


def test_headline_in_an_h2_of_an_old_cms():
    doc, pm = _page(f"<meta property='og:title' content='{TITLE}'>", f"<h2>{TITLE}</h2><p>{PROSE}</p>")
    assert find_headline(doc, pm, [])[0] == TITLE


def test_headline_falls_back_to_the_stripped_meta_title_without_an_element():
    doc, pm = _page(f"<title>{TITLE} | Báo Long An</title>", f"<p>{PROSE}</p>")
    assert find_headline(doc, pm, []) == (TITLE, None)


def test_sapo_by_class_hint_after_the_headline():
    doc, pm = _page("", f"<p class='site-description'>Kênh thông tin của tỉnh nhà, cập nhật mỗi ngày.</p>"
                        f"<h1>{TITLE}</h1><div class='sapo'>{LEAD}</div>"
                        f"<div class='content'><p>{PROSE}</p><p>{PROSE}</p></div>")
    headline = next(doc.iter("h1"))
    root = doc.xpath("//div[@class='content']")[0]
    sapo = find_sapo(doc.body, root, pm, TITLE, headline)
    assert sapo is not None and sapo.get("class") == "sapo"


def test_sapo_is_the_visible_copy_of_the_description():
    doc, pm = _page(f"<meta name='description' content='{LEAD}'>",
                    f"<h1>{TITLE}</h1><p><strong>{LEAD}</strong></p><div id='c'><p>{PROSE}</p></div>")
    sapo = find_sapo(doc.body, doc.get_element_by_id("c"), pm, TITLE, next(doc.iter("h1")))
    assert sapo is not None and lxml.html.tostring(sapo, encoding="unicode").count(LEAD[:30]) == 1


def test_no_sapo_when_nothing_qualifies():
    doc, pm = _page("", f"<h1>{TITLE}</h1><div id='c'><p>{PROSE}</p></div>")
    assert find_sapo(doc.body, doc.get_element_by_id("c"), pm, TITLE, None) is None


@pytest.mark.parametrize("text, ok", [("Hữu Nghị", True), ("NHẬT XUÂN", True), ("Lê Thị Văn", True),
                                      ("Ngày 12/3/2024", False), ("https://thtg.vn", False),
                                      ("huyện đã triển khai", False), ("", False),
                                      ("Một Hai Ba Bốn Năm Sáu", False)])
def test_looks_like_name(text, ok):
    assert looks_like_name(text) is ok


@pytest.mark.parametrize("text, names", [
    ("Minh Anh - Thu Hà", ["Minh Anh", "Thu Hà"]),
    ("Lò Thị Nga (Trung tâm Văn hoá – Thông tin huyện Quan Sơn)", ["Lò Thị Nga"]),
    ("Huyện đã triển khai nhiều mô hình.", []),
])
def test_byline_names(text, names):
    assert byline_names(text) == names


def test_byline_authors_from_the_author_element_and_a_name_before_a_date():
    doc, _ = _page("", "<div class='author'>Nguyên Minh - 07/03/2026 08:47</div><p>x</p>")
    assert find_byline_authors(doc) == ["Nguyên Minh"]


def test_a_later_byline_may_extend_but_never_replace_the_first():
    doc, _ = _page("", "<p class='author'>Minh Anh</p><p>Bài</p><p class='author'>Minh Anh, Thu Hà</p>"
                       "<div class='author-box'>Quốc Việt</div>")
    assert find_byline_authors(doc) == ["Minh Anh", "Thu Hà"]


def test_author_links_and_a_sidebar_of_authors():
    doc, _ = _page("", "<a href='/tac-gia/do-trung'>Đỗ Trung</a><a rel='author' href='/u/2'>Lan Hương</a>")
    assert find_author_links(doc) == ["Đỗ Trung", "Lan Hương"]
    many = "".join(f"<a href='/tac-gia/{i}'>Tác Giả {n}</a>" for i, n in enumerate("ABCD"))
    assert find_author_links(_page("", many)[0]) == []


def test_json_ld_authors_skip_organisations_and_the_site_itself():
    ld = {"@type": "NewsArticle", "headline": TITLE, "author": [
        {"@type": "Person", "name": "Theo Hồ Hương"}, {"@type": "Organization", "name": "Báo Long An"},
        "Truyền hình Tiền Giang"]}
    _, pm = _page(f"<script type='application/ld+json'>{json.dumps(ld)}</script>", "")
    assert ld_authors(pm, ["Truyền hình Tiền Giang"]) == ["Hồ Hương"]


def test_section_is_the_most_specific_breadcrumb():
    doc, pm = _page("<meta property='article:section' content='Tin tức'>",
                    "<ul class='breadcrumb'><li><a href='/'>Trang chủ</a></li>"
                    "<li><a href='/xa-hoi'>Xã hội</a></li><li><a href='/xa-hoi/giam-ngheo'>Giảm nghèo</a></li></ul>")
    assert find_section(doc, pm) == "Giảm nghèo"
    assert find_section(*_page("<meta property='article:section' content='Tin tức'>", "")) == "Tin tức"


def test_tags_from_a_keyword_box_but_not_from_hot_topics():
    doc, _ = _page("", "<div class='hot-tags'><a>#Bão số 3</a></div>"
                       "<div class='article-tags'>Từ khóa: <a>#giảm nghèo</a>, <a>Long An</a>, <a>Long An</a></div>")
    assert find_tags(doc) == ["giảm nghèo", "Long An"]
    assert find_tags(_page("", "<p>Không có thẻ</p>")[0]) == []
