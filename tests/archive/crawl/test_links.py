"""Links, canonical URLs, feeds and sitemaps found on fetched pages."""
from __future__ import annotations

import gzip

from archive.crawl.links import is_feed, is_sitemap, parse_feed, parse_html, parse_sitemap


def test_discovery_parsers():
    xhtml = ('<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
             '<link rel="canonical" href="/tin/a.htm"/></head><body><a href="b.htm">Bão số 3</a>'
             '<a href="/anh.jpg">ảnh</a><a rel="nofollow" href="/dang-nhap">x</a></body></html>').encode()
    page = parse_html(xhtml, "application/xhtml+xml", "https://bao.vn/tin/")
    assert page.links == ["https://bao.vn/tin/b.htm"] and page.canonical == "https://bao.vn/tin/a.htm"
    atom = (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" '
            b'href="https://bao.vn/a.htm"/></entry><entry><link href="https://bao.vn/b.htm"/></entry></feed>')
    assert parse_feed(atom) == ["https://bao.vn/a.htm", "https://bao.vn/b.htm"]
    index = gzip.compress(b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
                          b'<loc> https://bao.vn/sm-2026-03.xml </loc></sitemap></sitemapindex>')
    assert parse_sitemap(index) == ([], ["https://bao.vn/sm-2026-03.xml"])


def test_windows_1258_page_links_are_read_with_its_charset():
    body = ('<html><head><meta charset="windows-1258"></head><body>'
            '<a href="/tin/giảm-nghèo.htm">Giảm nghèo</a></body></html>').encode("cp1258")
    page = parse_html(body, "text/html", "https://bao.vn/")
    # decoded with the page's charset and NFC-normalised (the crawler canonicalises later)
    assert page.links == ["https://bao.vn/tin/giảm-nghèo.htm"]


def test_article_pages_are_told_from_listings_by_structured_data():
    ld = ('<html><head><script type="application/ld+json">{"@type": "NewsArticle", '
          '"headline": "Bão số 3"}</script></head><body><p>x</p></body></html>').encode()
    assert parse_html(ld, "text/html", "https://bao.vn/a.htm").is_article
    listing = b"<html><body>" + b"".join(b'<div><a href="/t%d.htm">Tin %d</a></div>' % (i, i)
                                          for i in range(30)) + b"</body></html>"
    assert not parse_html(listing, "text/html", "https://bao.vn/").is_article


def test_feed_and_sitemap_sniffing():
    assert is_feed(b'<rss version="2.0"><channel><item><link>https://bao.vn/a</link></item></channel></rss>')
    assert is_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    assert not is_feed(b"<html></html>") and not is_sitemap(b"garbage")
