"""Dates and authors as real sites write them (issue 15)."""
from __future__ import annotations

from datetime import datetime

import pytest

from archive.article import VN_TZ
from archive.clean.cleaner import clean_page
from archive.clean.dates import find_visible_date, parse_date

PARAS = [f"Đoạn {i}: sáng nay, ủy ban nhân dân tỉnh Mẫu Sơn tổ chức hội nghị tổng kết công tác "
         "giảm nghèo, đánh giá kết quả năm qua và đề ra nhiệm vụ cho năm tới." for i in range(4)]


def _page(head: str = "", header: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    return (f"<html><head><title>Hội nghị giảm nghèo</title>{head}</head><body><div class='bai'>"
            f"<h1>Hội nghị giảm nghèo</h1>{header}<div class='noidung'>{body}</div></div>"
            "</body></html>")


@pytest.mark.parametrize("text, want", [
    ("3/24/2024 7:12:35 AM", datetime(2024, 3, 24, 7, 12, 35)),
    ("3/24/2024 7:12:35 PM", datetime(2024, 3, 24, 19, 12, 35)),
    ("Published on 03-08-2011  01:00 AM", datetime(2011, 3, 8, 1, 0)),
    ("07:12 ngày 24/03/2024", datetime(2024, 3, 24, 7, 12)),
    ("Thứ hai, 24/3/2024 - 07:12", datetime(2024, 3, 24, 7, 12)),
    ("Thứ Hai, 24/3/2024, 07:12 (GMT+7)", datetime(2024, 3, 24, 7, 12)),
    ("12:05 AM 1/2/2024", datetime(2024, 1, 2, 0, 5)),
])
def test_visible_and_us_style_dates(text: str, want: datetime) -> None:
    assert find_visible_date(text) == want.replace(tzinfo=VN_TZ)
    assert parse_date(text) == want.replace(tzinfo=VN_TZ)


def test_us_style_date_in_json_ld_and_itemprop_meta() -> None:
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"Hội nghị giảm '
          'nghèo","datePublished":"3/24/2024 7:12:35 AM","dateModified":"3/25/2024 9:00:00 PM",'
          '"author":{"@type":"Person","name":"&#x110;&#x1ED7; Trung"}}</script>')
    a = clean_page(_page(ld), "https://bao-mau.vn/a.html")
    assert a.published == datetime(2024, 3, 24, 7, 12, 35, tzinfo=VN_TZ)
    assert a.modified == datetime(2024, 3, 25, 21, 0, tzinfo=VN_TZ)
    assert a.authors == ("Đỗ Trung",)
    meta = '<meta itemprop="datePublished" content="3/24/2024 7:12:35 AM">'
    assert clean_page(_page(meta), "https://bao-mau.vn/b.html").published == \
        datetime(2024, 3, 24, 7, 12, 35, tzinfo=VN_TZ)


def test_unlabelled_dateline_under_the_headline() -> None:
    a = clean_page(_page(header="<span class='x1'>07:12 ngày 24/03/2024</span>"),
                   "https://bao-mau.vn/c.html")
    assert a.published == datetime(2024, 3, 24, 7, 12, tzinfo=VN_TZ)
    assert list(a.paragraphs) == PARAS


def test_published_and_updated_lines_are_kept_apart() -> None:
    header = ("<div class='meta'><span class='date'>Cập nhật: 08:30 25/03/2024</span></div>"
              "<div class='tg'>Thứ hai, 24/3/2024 - 07:12</div>")
    a = clean_page(_page(header=header), "https://bao-mau.vn/d.html")
    assert a.published == datetime(2024, 3, 24, 7, 12, tzinfo=VN_TZ)
    assert a.modified == datetime(2024, 3, 25, 8, 30, tzinfo=VN_TZ)


def test_byline_as_a_link_to_the_author_page() -> None:
    header = "<div class='info'><a href='/tac-gia/do-trung.html'>Đỗ Trung</a></div>"
    a = clean_page(_page(header=header), "https://bao-mau.vn/e.html")
    assert a.authors == ("Đỗ Trung",)


@pytest.mark.parametrize("credit", ["Theo Ngoisao", "Theo TTXVN", "Nguồn: VnExpress"])
def test_source_credit_is_not_an_author(credit: str) -> None:
    page = _page(header=f"<span class='author'>{credit}</span>")
    assert clean_page(page, "https://bao-mau.vn/f.html").authors == ()
