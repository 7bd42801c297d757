"""Dates as Vietnamese sites write them, in structured data and in visible lines."""
from __future__ import annotations

from datetime import datetime

import pytest

from archive.article import VN_TZ
from archive.clean.dates import find_visible_date, parse_date


@pytest.mark.parametrize("text, expected", [
    ("2024-11-08T17:32:41+07:00", datetime(2024, 11, 8, 17, 32, 41, tzinfo=VN_TZ)),
    ("3/24/2024 7:12:35 AM", datetime(2024, 3, 24, 7, 12, 35, tzinfo=VN_TZ)),  # ASP.NET, US order
    ("3/24/2024 7:12:35 PM", datetime(2024, 3, 24, 19, 12, 35, tzinfo=VN_TZ)),
])
def test_structured_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("line", ["07:12 ngày 24/03/2024", "Thứ hai, 24/3/2024 - 07:12 (GMT+7)"])
def test_visible_vietnamese_date_lines(line):
    assert find_visible_date(line) == datetime(2024, 3, 24, 7, 12, tzinfo=VN_TZ)


def test_no_date_is_none_not_a_guess():
    assert parse_date("bogus") is None and parse_date(None) is None
    assert find_visible_date("Không có ngày tháng ở đây") is None
