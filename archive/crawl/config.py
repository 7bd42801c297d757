"""What a crawl is told and what it tells back: settings and the report.

Kept apart from the scheduler in :mod:`archive.crawl.crawler` (which re-exports these names).
"""
from __future__ import annotations

import email.utils
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CrawlSettings", "CrawlReport", "CONTACT_URL"]

log = logging.getLogger("archive.crawl.crawler")

CONTACT_URL = "https://github.com/vnarchive/vnarchive"
XML_TYPES = ("application/xml", "text/xml", "application/rss+xml", "application/atom+xml",
             "application/rdf+xml", "application/x-gzip", "application/gzip", "text/plain",
             "application/octet-stream")
_RETRY_STATUS = {408, 425, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524}
_REDIRECT_STATUS = {301, 302, 303, 307, 308}
_REVISIT_KINDS = ("seed", "listing", "sitemap", "feed")


@dataclass
class CrawlSettings:
    contact_url: str = CONTACT_URL
    user_agent: str = ""                 # default: "vnarchive/0.1 (+<contact_url>)"
    delay: float = 1.0                   # seconds between requests to one host
    concurrency_per_host: int = 1
    workers: int = 4                     # hosts fetched in parallel
    timeout: float = 20.0                # one socket operation (connect, one read)
    request_deadline: float = 60.0       # one whole request: connect + headers + body
    max_pages: int | None = None         # per run
    max_bytes: int | None = None         # per run, bodies as received
    max_page_bytes: int = 10 * 1024 * 1024
    retries: int = 3                     # after the first attempt
    backoff: float = 2.0                 # first retry wait; doubles each time
    max_backoff: float = 600.0
    max_retry_after: float = 3600.0
    max_crawl_delay: float = 60.0
    max_redirects: int = 5
    max_depth: int | None = None         # link hops from a start url (feeds/sitemaps exempt)
    allowed_hosts: tuple[str, ...] = ()  # added to every target's own
    article_pattern: str | None = None   # for targets whose profile has none
    listing_pattern: str | None = None
    revisit_after: float = 3600.0        # re-poll start pages, listings, feeds after this
    robots_ttl: float = 86400.0
    retry_failed: bool = False           # give pages that failed in earlier runs another go
    profiles_dir: Path | None = None     # default: archive.sites.sites_dirs()

    def agent(self) -> str:
        return self.user_agent or f"vnarchive/0.1 (+{self.contact_url})"


@dataclass
class CrawlReport:
    fetched: int = 0                     # responses received (robots.txt not counted)
    archived: int = 0                    # responses written to WARC
    articles: int = 0                    # pages handed to on_article
    skipped: dict[str, int] = field(default_factory=dict)          # urls not fetched or not kept, by reason
    ignored_links: dict[str, int] = field(default_factory=dict)    # links never queued (offsite, ...)
    errors: list[tuple[str, str]] = field(default_factory=list)
    retried: int = 0
    bytes: int = 0
    elapsed: float = 0.0
    queued_left: int = 0
    interrupted: bool = False
    warc_files: list[str] = field(default_factory=list)

    @property
    def pages_per_s(self) -> float:
        return self.fetched / self.elapsed if self.elapsed > 0 else 0.0

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + n

    def ignore(self, reason: str) -> None:
        self.ignored_links[reason] = self.ignored_links.get(reason, 0) + 1


@dataclass
class _Scope:
    hosts: frozenset[str]
    article: re.Pattern[str] | None
    listing: re.Pattern[str] | None


@dataclass
class _Host:
    delay: float
    next_allowed: float = 0.0
    inflight: int = 0
    blocked: bool = False


def _retry_after(value: str | None, now: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    except (TypeError, ValueError):
        return None
