"""Page metadata: <meta>, JSON-LD (article nodes, breadcrumbs, @graph), canonical, bylines."""
from __future__ import annotations

import json

import lxml.html
import pytest

from archive.clean.meta import (is_source_credit, read_meta, split_authors, strip_title_suffix,
                                text_of, tidy_author)


def _doc(head: str, body: str = ""):
    return lxml.html.fromstring(f"<html lang='vi'><head>{head}</head><body>{body}</body></html>")


def test_meta_tags_title_canonical_and_language():
    pm = read_meta(_doc("<title>Giảm nghèo ở Tiền Giang | THTG</title>"
                        "<meta property='og:title' content='Giảm nghèo &amp;#8211; Tiền Giang'>"
                        "<meta name='description' content='Tóm tắt'>"
                        "<link rel='canonical' href='/tin/giam-ngheo.html'>"),
                   "https://thtg.vn/chuyen-muc/x.html")
    assert pm.title_tag == "Giảm nghèo ở Tiền Giang | THTG"
    assert pm.get("og:title") == "Giảm nghèo – Tiền Giang"  # entities encoded twice, read once
    assert pm.get("twitter:title", "description") == "Tóm tắt"
    assert pm.get("keywords") is None
    assert pm.canonical == "https://thtg.vn/tin/giam-ngheo.html"
    assert pm.lang == "vi"


def test_json_ld_article_inside_a_graph_with_breadcrumbs():
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "NewsArticle", "headline": "Long An giảm nghèo bền vững",
         "datePublished": "2024-03-12T08:00:00+07:00", "author": {"@type": "Person", "name": "Minh Anh"}},
        {"@type": "BreadcrumbList", "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Trang chủ"},
            {"@type": "ListItem", "position": 2, "item": {"@id": "/xa-hoi", "name": "Xã hội"}}]}]}
    pm = read_meta(_doc(f"<script type='application/ld+json'>{json.dumps(ld)};</script>"), None)
    assert pm.ld_value("headline") == "Long An giảm nghèo bền vững"
    assert pm.ld_value("author") == {"@type": "Person", "name": "Minh Anh"}
    assert pm.ld_value("missing") is None
    assert pm.ld_breadcrumbs == ["Trang chủ", "Xã hội"]


def test_broken_json_ld_and_non_article_nodes_are_ignored():
    pm = read_meta(_doc("<script type='application/ld+json'>{not json</script>"
                        "<script type='application/ld+json'>{\"@type\": \"Organization\", "
                        "\"name\": \"Báo X\"}</script>"), None)
    assert pm.ld == []


@pytest.mark.parametrize("title, names, expected", [
    ("Giá vàng giảm | Báo Dân trí", (), "Giá vàng giảm"),
    ("Tiền Giang: đoàn công tác học tập mô hình giảm nghèo - THTG", ("THTG",),
     "Tiền Giang: đoàn công tác học tập mô hình giảm nghèo"),
    ("Nông thôn mới - bước đi mới", (), "Nông thôn mới - bước đi mới"),
    ("Một tiêu đề", (), "Một tiêu đề"),
])
def test_strip_title_suffix(title, names, expected):
    assert strip_title_suffix(title, names) == expected


@pytest.mark.parametrize("text, credit", [("Theo Ngoisao", True), ("Theo TTXVN", True),
                                          ("Nguồn: VnExpress", True), ("Theo Hồ Hương", False),
                                          ("Minh Anh", False)])
def test_source_credits_name_a_publication_not_a_person(text, credit):
    assert is_source_credit(text) is credit


@pytest.mark.parametrize("text, expected", [("Theo Hồ Hương", "Hồ Hương"), ("Hà Thu (tổng hợp)", "Hà Thu"),
                                            ("Bài và ảnh: Thanh Tùng.", "Thanh Tùng"),
                                            ("Theo Ngoisao", ""), ("PV: Lan Anh", "Lan Anh")])
def test_tidy_author(text, expected):
    assert tidy_author(text) == expected


@pytest.mark.parametrize("text, expected", [("NHẬT XUÂN - NGHI VŨ", ["NHẬT XUÂN", "NGHI VŨ"]),
                                            ("Minh Anh, Thu Hà và Quốc Việt", ["Minh Anh", "Thu Hà", "Quốc Việt"]),
                                            ("Lan Hương / Ngọc Mai", ["Lan Hương", "Ngọc Mai"]),
                                            ("Theo TTXVN", [])])
def test_split_authors(text, expected):
    assert split_authors(text) == expected


def test_text_of_collapses_whitespace():
    assert text_of(lxml.html.fromstring("<p>Long\n   An <b>giảm</b>\tnghèo</p>")) == "Long An giảm nghèo"
