"""The crawler against a real local site built from ../shared pages, faults included."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"

from tests.archive.crawl.conftest import DELAY  # noqa: E402
from tests.crawlsite import (BIG, DISALLOWED, HTML, CrawlSite, Site, article_paths, fast_settings,  # noqa: E402
                             profile_for, warc_pages)

from archive.crawl.crawler import crawl  # noqa: E402
from archive.sites import load_crawl_profiles  # noqa: E402
from archive.urls import canonical_url  # noqa: E402
from archive.crawl.warc import iter_warc_pages  # noqa: E402


def test_shared_corpus_present():
    assert (SHARED / "corpus" / "html" / "MANIFEST.tsv").is_file(), f"missing {SHARED}"


def test_every_allowed_article_archived_exactly_once(full):
    site, report, got, data, _ = full
    paths = [urlsplit(p.url).path for p in got]
    assert sorted(paths) == sorted(set(paths)), "an article handed over twice"
    assert set(paths) == site.site.expected_articles()
    assert article_paths(warc_pages(data)) == sorted(site.site.expected_articles())
    # sitemap-only and RSS-only articles were found too
    assert site.site.sitemap_only() in paths and site.site.rss_only() in paths
    assert report.articles == len(got) and report.fetched > len(got)


def test_callback_pages_equal_what_warc_gives_back(full):
    _, _, got, data, _ = full
    from_warc = {p.url: p for p in warc_pages(data)}
    for page in got:
        assert from_warc[page.url] == page
        assert page.status == 200 and page.fetched.tzinfo is not None
    # Re-cleaning from the WARC can leave out what the crawl took for listings.
    articles_only = [p for f in sorted((data / "warc").glob("*.warc.gz"))
                     for p in iter_warc_pages(f, skip_listings=True)]
    assert sorted(p.url for p in articles_only) == sorted(p.url for p in got)
    assert len(from_warc) > len(articles_only)


def test_each_article_requested_once_and_variants_deduplicated(full):
    site, _, _, _, _ = full
    requested = [e.path for e in site.site.log]
    for path in site.site.articles:
        assert requested.count(path) == 1, path
    assert not any("utm_" in p or "#" in p for p in requested)


def test_big_pages_not_read_whole(full):
    site, _, _, _, _ = full
    sent = {e.path: e.sent for e in site.site.log}
    # Content-Length over the limit: refused on the headers (only socket buffers filled).
    assert sent["/bai-viet/rat-lon.html"] < BIG // 2
    # No length: cut off soon after the 1 MB limit, far from 20 MB.
    assert sent["/bai-viet/rat-lon-2.html"] < BIG // 2


def test_robots_obeyed_and_user_agent_identifies(full):
    site, _, _, _, _ = full
    log = site.site.log
    assert log[0].path == "/robots.txt"
    paths = [e.path for e in log]
    assert not any(p.startswith(DISALLOWED) or "?in=" in p for p in paths)
    assert "/tai-lieu/anh.jpg" not in paths
    assert all(e.host == site.host for e in log), "offsite link (localhost) was requested"
    assert all(e.user_agent.startswith("vnarchive/") and "https://example.org/vnarchive-test" in e.user_agent
               for e in log)


def test_delays_respected(full):
    site, _, _, _, elapsed = full
    starts = [e.t for e in site.site.log]
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= DELAY * 0.95
    by_path: dict[str, list[float]] = {}
    for e in site.site.log:
        by_path.setdefault(e.path, []).append(e.t)
    first, second = by_path["/bai-viet/qua-tai.html"]
    assert second - first >= 1.0  # Retry-After: 1
    tries = by_path["/bai-viet/loi-may-chu.html"]
    assert tries[1] - tries[0] >= 0.05 and tries[2] - tries[1] >= 0.1  # backoff doubles
    assert elapsed < 30


def test_warc_opens_with_warcio_tools(full):
    _, _, _, data, _ = full
    from warcio.archiveiterator import ArchiveIterator
    for f in (data / "warc").glob("*.warc.gz"):
        out = subprocess.run([sys.executable, "-m", "warcio.cli", "index", str(f)], capture_output=True, text=True)
        assert out.returncode == 0 and '"warc-type": "request"' in out.stdout
        with open(f, "rb") as fh:
            types = [r.rec_type for r in ArchiveIterator(fh)]
        assert types[0] == "warcinfo" and types.count("response") == types.count("request")


def test_revisit_uses_conditional_get(full):
    site, _, _, data, _ = full
    before = len(site.site.log)
    got = []
    report = crawl(["lan"], data, fast_settings(delay=DELAY, revisit_after=0), on_article=got.append,
                   profiles={"lan": profile_for(site)})
    again = site.site.log[before:]
    assert {e.path for e in again} >= {"/", "/chuyen-muc/kinh-te?trang=1", "/rss/tin-moi.rss", "/sitemap.xml"}
    assert all(e.status == 304 and e.if_none_match for e in again), [(e.path, e.status) for e in again]
    assert got == [] and report.skipped["not_modified"] == len(again)


def test_page_cap_then_resume(tmp_path):
    with CrawlSite(Site(faults=False)) as site:
        prof = {"lan": profile_for(site)}
        ticks: list[dict] = []
        first = crawl(["lan"], tmp_path, fast_settings(delay=0.01, max_pages=6), profiles=prof,
                      progress=ticks.append)
        pages = [e for e in site.site.log if e.path != "/robots.txt"]
        assert first.fetched == len(pages) == 6 and first.queued_left > 0
        assert ticks[-1]["fetched"] == 6 and ticks[-1]["queued"] == first.queued_left
        got = []
        crawl(["lan"], tmp_path, fast_settings(delay=0.01), profiles=prof, on_article=got.append)
        requested = [e.path for e in site.site.log]
        assert all(requested.count(p) == 1 for p in site.site.articles)
        assert article_paths(warc_pages(tmp_path)) == sorted(site.site.expected_articles())


@pytest.mark.parametrize("where", ["on_article", "queueing links"])
def test_interrupt_between_record_and_commit_keeps_each_page_once(tmp_path, monkeypatch, where):
    """A Ctrl-C that lands after a WARC record is written but before its row commits (here
    made to happen on purpose) must leave no record the database does not know about."""
    from archive.crawl import crawler as crawl_mod
    with CrawlSite(Site(faults=False)) as site:
        prof = {"lan": profile_for(site)}
        articles = 0

        def count(page):
            nonlocal articles
            articles += 1
            if where == "on_article" and articles == 3:
                raise KeyboardInterrupt

        real_enqueue = crawl_mod._Crawler.enqueue

        def enqueue(self, *args, **kw):
            if where == "queueing links" and articles == 3:
                raise KeyboardInterrupt
            return real_enqueue(self, *args, **kw)

        monkeypatch.setattr(crawl_mod._Crawler, "enqueue", enqueue)
        first = crawl(["lan"], tmp_path, fast_settings(delay=0.01), profiles=prof, on_article=count)
        assert first.interrupted and articles == 3
        monkeypatch.setattr(crawl_mod._Crawler, "enqueue", real_enqueue)
        crawl(["lan"], tmp_path, fast_settings(delay=0.01), profiles=prof)
        assert article_paths(warc_pages(tmp_path)) == sorted(site.site.expected_articles())


_CHILD = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
from pathlib import Path
from archive.crawl.crawler import crawl, CrawlProfile
from tests.crawlsite import fast_settings
prof = CrawlProfile("lan", start_urls=({base!r} + "/",), rss=({base!r} + "/rss/tin-moi.rss",),
                   article_pattern=r"/bai-viet/.+\\.html", listing_pattern=r"/chuyen-muc/")
seen = 0
def show(page):
    global seen
    seen += 1
    print("ARTICLE", page.url, flush=True)
    if {self_kill} and seen == 6:
        # the worst moment: WARC record flushed, database not yet told
        os.kill(os.getpid(), signal.SIGKILL)
report = crawl(["lan"], Path({data!r}), fast_settings(delay={delay}), profiles={{"lan": prof}}, on_article=show)
print("DONE interrupted=%s" % report.interrupted, flush=True)
"""


@pytest.mark.parametrize("how", ["kill-9 from outside", "kill-9 inside on_article", "Ctrl-C"])
def test_stopped_then_rerun_gives_the_same_archive(tmp_path, full, how):
    reference = article_paths(warc_pages(full[3]))
    with CrawlSite() as site:
        code = "import os, signal\n" + _CHILD.format(
            root=str(ROOT), tests=str(ROOT / "tests"), base=site.url(""), data=str(tmp_path),
            delay=DELAY, self_kill=how == "kill-9 inside on_article")
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        seen = 0
        assert child.stdout is not None
        for line in child.stdout:
            seen += line.startswith("ARTICLE")
            if seen == 6 and how != "kill-9 inside on_article":
                os.kill(child.pid, signal.SIGKILL if how.startswith("kill") else signal.SIGINT)
                break
        rest = child.stdout.read()
        child.wait()
        if how == "Ctrl-C":
            assert child.returncode == 0 and "DONE interrupted=True" in rest
        else:
            assert child.returncode == -signal.SIGKILL
        killed_at = len(site.site.log)
        report = crawl(["lan"], tmp_path, fast_settings(delay=DELAY), profiles={"lan": profile_for(site)})
        assert not report.interrupted
        assert article_paths(warc_pages(tmp_path)) == reference  # same set, each once
        requested = [e.path for e in site.site.log]
        twice = [p for p in site.site.articles if requested.count(p) > 1]
        assert len(twice) <= 1, twice  # at most the one in flight at the kill
        rerun = [e.path for e in site.site.log[killed_at:]]
        assert "/robots.txt" not in rerun and "/sitemap.xml" not in rerun


def test_plain_url_without_profile_uses_article_heuristic(tmp_path):
    with CrawlSite(Site(base_tag=True, faults=False)) as site:
        got = []
        report = crawl([site.url("/")], tmp_path, fast_settings(delay=0.01), on_article=got.append)
        paths = {urlsplit(p.url).path for p in got}
        assert paths == site.site.expected_articles()
        listing_pages = {e.path for e in site.site.log if e.path.startswith("/chuyen-muc/")}
        assert len(listing_pages) >= 10 and not (paths & listing_pages)
        assert report.articles == len(got)


def test_site_profiles_classify_the_corpus_urls():
    """The [crawl] tables of corpus/sites agree with what ../shared says each page is."""
    import re
    profiles = load_crawl_profiles(ROOT / "corpus" / "sites")
    rows = [line.split("\t") for line in (HTML / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    checked = 0
    for path, kind, url, *_ in rows:
        prof = profiles.get(path.split("/")[0])
        if prof is None or not prof.article_pattern:
            continue
        is_article = bool(re.search(prof.article_pattern, canonical_url(url)))
        assert is_article == (kind == "article"), (path, url)
        checked += 1
        if kind == "listing" and prof.listing_pattern:
            assert re.search(prof.listing_pattern, canonical_url(url)), url
    assert checked >= 15
