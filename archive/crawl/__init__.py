"""Polite, resumable crawling into WARC files (entry point: ``crawler.crawl(targets,
data_dir, settings)``).

``crawler`` schedules hosts and pages; ``config`` holds settings and the report; ``fetch``
does one HTTP request with limits; ``frontier`` is the SQLite queue; ``robots`` reads
robots.txt; ``links`` extracts links, feeds and sitemaps; ``warc`` writes and reads WARC
records.  URLs are keyed by ``archive.urls.canonical_url``, paths by ``archive.datadir``.
"""
from archive.crawl.config import CrawlReport, CrawlSettings
from archive.crawl.crawler import crawl

__all__ = ["crawl", "CrawlSettings", "CrawlReport"]
