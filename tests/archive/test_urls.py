"""One canonical URL for the cleaner and the crawler alike, and which declared canonical
urls a page may key itself by (issue 20, point 1)."""
from __future__ import annotations

import pytest

from archive.urls import (TRACKING_PARAMS, accept_declared_url, canonical_url, origin_of,
                          registrable_domain)


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


@pytest.mark.parametrize("host, domain", [
    ("https://www.thtg.vn/a.html", "thtg.vn"), ("https://m.thtg.vn/", "thtg.vn"),
    ("baochinhphu.vn", "baochinhphu.vn"), ("a.nld.com.vn", "nld.com.vn"),
    ("tinhuy.longan.gov.vn", "longan.gov.vn"), ("evil.example.com", "example.com"),
    ("news.bbc.co.uk", "bbc.co.uk"), ("http://127.0.0.1:8000/x", "127.0.0.1"),
    ("localhost", "localhost"),
])
def test_registrable_domain_follows_the_public_suffix_list(host, domain):
    assert registrable_domain(host) == domain


def test_a_public_suffix_alone_is_nobodys_domain():
    assert registrable_domain("com.vn") is None and registrable_domain("gov.vn") is None


def test_canonical_on_the_same_site_is_taken():
    url, note = accept_declared_url("https://thtg.vn/bai?utm_source=x",
                                    "https://m.thtg.vn/bai-amp")
    assert (url, note) == ("https://thtg.vn/bai", "")


@pytest.mark.parametrize("declared", [
    "https://thtg.vn/that-article/",          # another site's article
    "https://com.vn/", "https://other.com.vn/x",  # a sibling under a public suffix
])
def test_canonical_on_another_site_is_refused_with_a_reason(declared):
    url, note = accept_declared_url(declared, "https://evil.example.com/fake.html")
    assert url is None and "another site" in note


@pytest.mark.parametrize("declared", ["javascript:alert(1)", "data:text/html,x", "ftp://a.vn/"])
def test_only_http_urls_become_keys(declared):
    url, note = accept_declared_url(declared, "https://thtg.vn/a")
    assert url is None and "not http(s)" in note
    url, note = accept_declared_url(declared, None)
    assert url is None and "not http(s)" in note


def test_a_local_file_has_only_its_declared_url():
    url, note = accept_declared_url("https://thtg.vn/bai/", "file:///tmp/bai.html")
    assert (url, note) == ("https://thtg.vn/bai/", "")
