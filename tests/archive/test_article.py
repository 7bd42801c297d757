"""The one domain record: frozen, normalised on construction, hashed by visible content."""
from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from archive.article import VN_TZ, Article, site_of


def _article(**kw) -> Article:
    base = dict(url="https://www.thtg.vn/giam-ngheo.html", title="Giảm nghèo bền vững",
                paragraphs=["Đoàn công tác thăm mô hình.", "Ông Trí phát biểu."])
    base.update(kw)
    return Article(**base)


def test_site_comes_from_the_url_without_www():
    assert _article().site == "thtg.vn"
    assert site_of("HTTPS://WWW.Laodong.VN/x") == "laodong.vn"


def test_sequences_become_tuples_and_naive_dates_vietnam_time():
    a = _article(published=datetime(2024, 11, 8, 17, 32))
    assert isinstance(a.paragraphs, tuple)
    assert a.published.utcoffset() == VN_TZ.utcoffset(None)


def test_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        _article().title = "khác"  # type: ignore[misc]


def test_content_hash_sees_text_not_raw_bytes_or_dates():
    a = _article(raw_html=b"<html>1</html>")
    assert a.content_hash == _article(raw_html=b"<html>2</html>",
                                      published=datetime(2020, 1, 1)).content_hash
    assert a.content_hash != _article(paragraphs=["Đoàn công tác thăm mô hình."]).content_hash
    # a paragraph moved into the captions is a different page
    assert a.content_hash != _article(paragraphs=["Đoàn công tác thăm mô hình."],
                                      captions=["Ông Trí phát biểu."]).content_hash


def test_to_dict_is_json_ready_without_raw_html():
    d = _article(published=datetime(2024, 11, 8, 17, 32), raw_html=b"x").to_dict()
    assert "raw_html" not in d and d["published"] == "2024-11-08T17:32:00+07:00"
    assert d["paragraphs"] == ["Đoàn công tác thăm mô hình.", "Ông Trí phát biểu."]
