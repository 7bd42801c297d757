"""The banner on an archived page: capture time, original url, the way back."""
from __future__ import annotations

from datetime import datetime

from web.rawview import BANNER_ID, with_banner


def test_banner_goes_after_body_in_ascii_references():
    out = with_banner(b'<html><body class="x"><p>Bai</p></body></html>',
                      captured=datetime(2024, 11, 8, 17, 32), url="https://thtg.vn/a",
                      back="/articles/1")
    head, _, rest = out.partition(b'<body class="x">')
    assert BANNER_ID.encode() in rest and rest.index(BANNER_ID.encode()) < rest.index(b"<p>Bai")
    assert b"https://thtg.vn/a" in rest and b"/articles/1" in rest
    banner = rest[:rest.index(b"<p>Bai")]
    assert all(b < 128 for b in banner)  # readable in any page encoding


def test_a_page_without_body_still_gets_the_banner():
    out = with_banner(b"<p>Chi mot doan</p>", captured=None, url="https://thtg.vn/b", back="/")
    assert BANNER_ID.encode() in out and b"Chi mot doan" in out
