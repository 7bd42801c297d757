"""Which declared canonical urls a page may key itself by (issue 20, point 1)."""
import pytest

from archive.urls import accept_declared_url, registrable_domain


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
