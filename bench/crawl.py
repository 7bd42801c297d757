"""Crawler throughput against the local test site, and memory with a 5,000-URL frontier.

    .venv/bin/python bench/crawl.py [--pages 1500] [--frontier 5000]

The site runs in a child process (tests/crawlsite.py) so its memory is not counted.
1. pages/s: no delay, whole site (small generated articles plus the ../shared pages),
   one request at a time (the polite default) and four at a time.
2. memory: a sitemap naming N article urls is read, the run stops after 30 pages, so
   the frontier holds ~N queued urls; tracemalloc peak and the RSS growth are reported.
"""
from __future__ import annotations

import argparse
import logging
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from archive.crawl.crawler import CrawlSettings, CrawlProfile, crawl  # noqa: E402
from archive.crawl.frontier import Frontier  # noqa: E402


def serve(extra: int) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "crawlsite.py"), str(extra)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip().rstrip("/")


def profile(base: str) -> CrawlProfile:
    return CrawlProfile("lan", start_urls=(base + "/",), sitemaps=(base + "/sitemap-bai-viet.xml",),
                       article_pattern=r"/bai-viet/.+\.html", listing_pattern=r"/chuyen-muc/")


def settings(**kw) -> CrawlSettings:
    return CrawlSettings(delay=0.0, timeout=2.0, retries=0, backoff=0.01, max_page_bytes=1 << 20,
                         contact_url="https://example.org/vnarchive-bench", **kw)


def throughput(pages: int, concurrency: int) -> dict:
    proc, base = serve(pages)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            articles = []
            rep = crawl(["lan"], Path(tmp), settings(concurrency_per_host=concurrency, workers=concurrency),
                        profiles={"lan": profile(base)}, on_article=lambda p: articles.append(len(p.body)))
            return {"concurrency": concurrency, "fetched": rep.fetched, "articles": rep.articles,
                    "seconds": round(rep.elapsed, 2), "pages_per_s": round(rep.pages_per_s, 1),
                    "MB_per_s": round(rep.bytes / rep.elapsed / 1e6, 2)}
    finally:
        proc.terminate()
        proc.wait()


def frontier_memory(n: int) -> dict:
    proc, base = serve(n)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            tracemalloc.start()
            t0 = time.perf_counter()
            rep = crawl(["lan"], Path(tmp), settings(max_pages=30), profiles={"lan": profile(base)})
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            f = Frontier(Path(tmp) / "crawl.sqlite3")
            queued = f.queued_count()
            f.close()
            return {"frontier_urls": queued, "fetched": rep.fetched, "seconds": round(time.perf_counter() - t0, 2),
                    "tracemalloc_peak_MB": round(peak / 1e6, 2),
                    "rss_growth_MB": round((rss1 - rss0) / 1024, 1),
                    "sqlite_MB": round(sum(p.stat().st_size for p in Path(tmp).glob("crawl.sqlite3*")) / 1e6, 2)}
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    logging.getLogger("archive").setLevel(logging.ERROR)  # the site's fault pages are expected
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=1500)
    ap.add_argument("--frontier", type=int, default=5000)
    args = ap.parse_args()
    print("memory  ", frontier_memory(args.frontier), flush=True)
    for c in (1, 4):
        print("speed   ", throughput(args.pages, c), flush=True)


if __name__ == "__main__":
    main()
