"""What the crawler does with each answer (``archive.crawl.responses``): failures and retries
with their reasons, pages kept byte for byte as sent, redirects, a callback that raises, and
an unreachable robots.txt — against a real local site."""
from __future__ import annotations

import sqlite3
import unicodedata

from archive.crawl.crawler import crawl
from archive.encoding import decode_html
from tests.crawlsite import (DISALLOWED, HTML, WIN1258, CrawlSite, Site, article_paths,
                             fast_settings, profile_for, warc_pages)


def test_faults_skipped_or_failed_with_reasons(full):
    site, report, _, data, _ = full
    errors = dict(report.errors)
    u = site.url
    assert errors[u("/bai-viet/loi-may-chu.html")] == "http_500"
    assert errors[u("/bai-viet/luon-cham.html")] == "timeout"
    assert errors[u("/bai-viet/vong-lap.html")] == "redirect_loop"
    assert report.skipped["content_type"] == 1 and report.skipped["too_large"] == 2
    assert report.ignored_links["offsite"] > 0 and "offsite" not in report.skipped
    db = sqlite3.connect(data / "crawl.sqlite3")
    reason = dict(db.execute("SELECT url, reason FROM urls"))
    assert reason[u("/bai-viet/bang-gia.html")] == "content_type:application/pdf"
    assert reason[u("/bai-viet/rat-lon.html")] == reason[u("/bai-viet/rat-lon-2.html")] == "too_large"
    assert reason[u(f"{DISALLOWED}mat.html")] == "robots"
    failures = db.execute("SELECT COUNT(*) FROM failures WHERE url=?", (u("/bai-viet/loi-may-chu.html"),))
    assert failures.fetchone()[0] == 3  # first try + 2 retries, each logged
    hits = site.site.hits
    assert hits["/bai-viet/loi-may-chu.html"] == 3 and hits["/bai-viet/luon-cham.html"] == 3
    assert hits["/bai-viet/chap-chon.html"] == 3 and hits["/bai-viet/qua-tai.html"] == 2
    assert hits["/bai-viet/vong-lap.html"] == 1 and hits["/bai-viet/vong-lap-2.html"] == 1


def test_windows_1258_page_kept_as_sent(full):
    site, _, got, _, _ = full
    page = next(p for p in got if p.url.endswith(WIN1258))
    raw = (HTML / "thtg.vn" / "giam-ngheo-cai-lay-tan-tru.windows-1258.html").read_bytes()
    assert page.body == raw and "windows-1258" in page.headers["content-type"]
    utf8 = (HTML / "thtg.vn" / "giam-ngheo-cai-lay-tan-tru.html").read_bytes()

    def title(text: str) -> str:
        return unicodedata.normalize("NFC", text.split("<title>", 1)[1].split("</title>", 1)[0])
    assert title(decode_html(page.body, page.headers["content-type"]).text) == title(utf8.decode("utf-8"))


def test_redirect_keeps_requested_and_final_url(full):
    site, _, got, _, _ = full
    page = next(p for p in got if p.url.endswith("/chuyen-huong.html"))
    assert page.final_url == site.url("/bai-viet/dich-den.html")


def test_callback_errors_are_recorded_not_raised(tmp_path):
    with CrawlSite(Site(faults=False)) as site:
        def boom(page):
            if "vnexpress" in page.url:
                raise ValueError("cleaner choked")
        report = crawl(["lan"], tmp_path, fast_settings(delay=0.01), profiles={"lan": profile_for(site)},
                       on_article=boom)
        bad = [u for u, why in report.errors if why == "callback:ValueError"]
        assert len(bad) == 2 and all("vnexpress" in u for u in bad)
        assert article_paths(warc_pages(tmp_path)) == sorted(site.site.expected_articles())


def test_unavailable_robots_txt_means_hands_off(tmp_path):
    with CrawlSite(Site(robots_status=503)) as site:
        report = crawl(["lan"], tmp_path, fast_settings(delay=0.01), profiles={"lan": profile_for(site)})
        assert [e.path for e in site.site.log] == ["/robots.txt"]
        assert report.errors == [(site.url("/robots.txt"), "robots_unavailable:http_503")]
        assert report.queued_left == 2  # start page and feed wait for a later run
