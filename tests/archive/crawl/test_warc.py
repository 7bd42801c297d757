"""WARC files the crawler writes: readable by warcio's own tools, trimmed after a crash,
and read back (ours or another tool's) as the pages that were fetched."""
from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[3]

from tests.crawlsite import HTML, WIN1258, CrawlSite  # noqa: E402

from archive.crawl.fetch import fetch  # noqa: E402
from archive.crawl.warc import WarcStore, iter_warc_pages, trim_warc  # noqa: E402

AGENT = "vnarchive/0.1 (+https://example.org/vnarchive-test)"


def _get(site: CrawlSite, path: str):
    return fetch(site.url(path), user_agent=AGENT, timeout=5, max_bytes=5 << 20)


def test_records_round_trip_gzip_and_charset(tmp_path):
    with CrawlSite() as site:
        path = sorted(site.site.articles)[3]
        gz = _get(site, path)
        win = _get(site, f"/bai-viet/{WIN1258}")
    assert gz.headers["content-encoding"] == "gzip" and gz.raw_body != gz.body
    assert gz.body == site.site.articles[path]
    store = WarcStore(tmp_path)
    store.write(gz, requested=site.url("/old-url"))
    store.write(win)
    store.close()
    [f] = tmp_path.glob("*.warc.gz")
    pages = list(iter_warc_pages(f))
    assert [p.body for p in pages] == [site.site.articles[path],
                                      (HTML / "thtg.vn" / "giam-ngheo-cai-lay-tan-tru.windows-1258.html").read_bytes()]
    assert pages[0].url == site.url("/old-url") and pages[0].final_url == site.url(path)
    assert "content-encoding" not in pages[0].headers  # the body handed back is decoded
    assert pages[1].headers["content-type"] == "text/html; charset=windows-1258"
    out = subprocess.run([sys.executable, "-m", "warcio.cli", "index", str(f)], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.count('"warc-type": "response"') == 2
    check = subprocess.run([sys.executable, "-m", "warcio.cli", "check", str(f)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_trim_after_torn_write(tmp_path):
    with CrawlSite() as site:
        a = _get(site, sorted(site.site.articles)[0])
        b = _get(site, sorted(site.site.articles)[1])
    store = WarcStore(tmp_path)
    _, _, committed = store.write(a)
    _, _, end = store.write(b)
    store.close()
    [f] = tmp_path.glob("*.warc.gz")
    with open(f, "r+b") as fh:  # what kill -9 in the middle of the second record leaves
        fh.truncate(committed + (end - committed) // 2)
    trim_warc(f, committed)
    with open(f, "rb") as fh:
        types = [r.rec_type for r in ArchiveIterator(fh)]
    assert types == ["warcinfo", "response", "request"]
    assert [p.url for p in iter_warc_pages(f)] == [a.url]


def test_reads_warc_written_by_another_tool(tmp_path):
    from warcio.capture_http import capture_http
    target = tmp_path / "captured.warc.gz"
    with CrawlSite() as site:
        path = sorted(site.site.articles)[2]
        with capture_http(str(target)):
            req = urllib.request.Request(site.url(path), headers={"User-Agent": AGENT})
            with urllib.request.urlopen(req) as resp:
                body = resp.read()
    [page] = list(iter_warc_pages(target))
    assert page.body == body == site.site.articles[path] and page.status == 200
