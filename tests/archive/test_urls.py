"""One canonical URL for the cleaner and the crawler alike."""
from __future__ import annotations

import pytest

from archive.urls import TRACKING_PARAMS, canonical_url, origin_of


@pytest.mark.parametrize("given, expected", [
    ("HTTP://Bao.VN:80/a/../tin.htm?utm_medium=x&b=1&a=2#top", "http://bao.vn/tin.htm?a=2&b=1"),
    ("https://vnexpress.net/a-1.html?utm_source=fb&id=2#box", "https://vnexpress.net/a-1.html?id=2"),
    ("https://bao.vn:8443/x", "https://bao.vn:8443/x"),
    ("https://bao.vn", "https://bao.vn/"),
    ("https://bao.vn/a?fbclid=1&zarsrc=2&gidzl=3&itm_source=4&vn_source=5", "https://bao.vn/a"),
])
def test_one_spelling_per_page(given, expected):
    assert canonical_url(given) == expected


def test_unicode_paths_are_percent_encoded_either_way():
    a = canonical_url("/thời-sự", "https://bao.vn/x/")
    assert a == "https://bao.vn/th%E1%BB%9Di-s%E1%BB%B1"
    assert canonical_url("/th%e1%bb%9di-s%E1%BB%B1", "https://bao.vn/") == a


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "mailto:a@b.vn", "data:text/html,x",
                                 "file:///etc/passwd", "", "http://", "https://[::1"])
def test_non_http_urls_have_no_canonical_form(bad):
    assert canonical_url(bad) is None


def test_the_tracking_list_is_the_union_the_two_old_lists_had():
    for name in ("utm_campaign", "fbclid", "gclid", "msclkid", "_ga", "ref", "icid", "spm",
                 "gbraid", "wbraid", "mc_cid", "itm_medium", "vn_campaign", "cmpid"):
        assert TRACKING_PARAMS.match(name), name
    assert not TRACKING_PARAMS.match("id") and not TRACKING_PARAMS.match("page")


def test_origin_of():
    assert origin_of("https://bao.vn:8443/a?b") == "https://bao.vn:8443"
