"""Crawl settings and the report."""
from __future__ import annotations

from archive.crawl.config import CONTACT_URL, CrawlReport, CrawlSettings


def test_user_agent_names_the_project_and_a_contact():
    agent = CrawlSettings().agent()
    assert agent.startswith("vnarchive/") and CONTACT_URL in agent
    assert CrawlSettings(user_agent="rieng/1.0").agent() == "rieng/1.0"


def test_polite_defaults():
    s = CrawlSettings()
    assert s.delay >= 1.0 and s.concurrency_per_host == 1 and s.retries >= 1
    assert s.max_page_bytes <= 10 * 1024 * 1024


def test_report_counts_skips_by_reason():
    r = CrawlReport()
    r.skip("robots")
    r.skip("robots", 2)
    r.skip("offsite")
    assert r.skipped["robots"] == 3 and r.skipped["offsite"] == 1


def test_report_rate_and_ignored_links():
    r = CrawlReport(fetched=10, elapsed=4.0)
    assert r.pages_per_s == 2.5 and CrawlReport().pages_per_s == 0.0
    r.ignore("offsite")
    r.ignore("offsite")
    assert r.ignored_links == {"offsite": 2}
