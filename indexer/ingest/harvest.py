"""Crawl and ingest in one go (entry point: ``harvest``): pages the crawler hands on are
cleaned, stored and indexed in batches while the crawl goes on, so an interrupted crawl
keeps what it archived *and* what it indexed."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from archive.crawl.config import CrawlReport, CrawlSettings
from archive.crawl.crawler import crawl
from archive.crawl.fetch import FetchedPage
from archive.sites import CrawlProfile
from archive.sources import RawItem
from indexer.ingest.ingester import ingest_items
from indexer.ingest.report import by_reason

__all__ = ["Harvest", "harvest"]


@dataclass
class Harvest:
    crawl: CrawlReport = field(default_factory=CrawlReport)
    stored: int = 0   # article pages stored (added, replaced or unchanged)
    failed: int = 0   # article pages the cleaner refused (not articles after all)

    def summary(self) -> str:
        """The outcome as the CLI prints it (English), the first five errors listed."""
        r = self.crawl
        lines = [f"crawl: {r.fetched} fetched ({r.pages_per_s:.1f} pages/s), {r.archived} "
                 f"archived to WARC, {r.articles} article pages, {self.stored} stored, "
                 f"{self.failed} not articles; skipped: {by_reason(r.skipped)}; "
                 f"{len(r.errors)} errors; {r.queued_left} left in the queue"
                 + (" (interrupted; run again to resume)" if r.interrupted else "")]
        lines += [f"  - {url}: {reason}" for url, reason in r.errors[:5]]
        return "\n".join(lines)


def _item(page: FetchedPage) -> RawItem:
    url = page.final_url or page.url
    return RawItem(url, "html", page.body, url, page.headers.get("content-type"),
                   page.fetched, page.record_id)


def harvest(targets: Sequence[str], data_dir: Path, settings: CrawlSettings, *,
            batch: int = 100, progress: Callable[[dict], None] | None = None,
            profiles: Mapping[str, CrawlProfile] | None = None) -> Harvest:
    """Crawl ``targets`` into ``data_dir`` and ingest every ``batch`` article pages
    (``profiles``: as for ``crawl``, default the site profiles on disk)."""
    out = Harvest()
    pending: list[RawItem] = []

    def flush() -> None:
        if pending:
            report = ingest_items(list(pending), data_dir, workers=1)
            pending.clear()
            out.stored += report.stored
            out.failed += report.failed

    def on_article(page: FetchedPage) -> None:
        pending.append(_item(page))
        if len(pending) >= batch:
            flush()

    out.crawl = crawl(list(targets), data_dir, settings, on_article=on_article, progress=progress,
                      profiles=profiles)
    flush()
    return out
