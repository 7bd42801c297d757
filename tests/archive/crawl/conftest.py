"""The one uninterrupted crawl of the local site that the crawler and response tests read."""
from __future__ import annotations

import time

import pytest

from archive.crawl.crawler import crawl
from tests.crawlsite import CrawlSite, fast_settings, profile_for

DELAY = 0.05


@pytest.fixture(scope="package")
def full(tmp_path_factory):
    """(site, report, pages handed on, data dir, seconds) of one crawl of the whole site."""
    data = tmp_path_factory.mktemp("full")
    with CrawlSite() as site:
        got = []
        t0 = time.monotonic()
        report = crawl(["lan"], data, fast_settings(delay=DELAY), on_article=got.append,
                       profiles={"lan": profile_for(site)})
        elapsed = time.monotonic() - t0
        yield site, report, got, data, elapsed
