"""Polite, resumable harvesting of news sites into WARC files.

One scheduler thread owns the database, the WARC writer and the callback; worker threads
only talk HTTP.  For each page: WARC record written and flushed → ``on_article`` →
one transaction marks it done *and* queues the links found on it.  A kill between any
two of those steps loses nothing: the row is still ``inflight``, the WARC file is cut back
to its last committed size, and the next run fetches that one page again.

Politeness per host (``www.`` ignored): robots.txt (RFC 9309, cached a day), one request
at a time by default with ``delay`` seconds from the end of one to the start of the next
(or robots' Crawl-delay if longer), Retry-After honoured host-wide, exponential backoff
on 429/5xx/timeouts, conditional GET when listings and feeds are revisited.
"""
from __future__ import annotations

import logging
import re
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from archive.datadir import DataDir

from .config import (CONTACT_URL, XML_TYPES, _REDIRECT_STATUS, _REVISIT_KINDS,
                        CrawlReport, CrawlSettings, _Host, _Scope)
from .fetch import FetchedPage, FetchError, Response, abort_requests, fetch
from archive.sites import CrawlProfile, crawl_profiles
from archive.urls import canonical_url, origin_of

from .frontier import Frontier, politeness_key
from .responses import ResponseHandling
from .robots import Robots
from .warc import HTML_TYPES, WarcStore, trim_warc

__all__ = ["CrawlSettings", "CrawlReport", "CrawlProfile", "crawl", "CONTACT_URL"]

log = logging.getLogger(__name__)


class _Crawler(ResponseHandling):
    def __init__(self, data_dir: Path, settings: CrawlSettings, on_article, progress):
        self.s, self.on_article, self.progress = settings, on_article, progress
        self.agent = settings.agent()
        self.report = CrawlReport()
        layout = DataDir(data_dir)
        self.frontier = Frontier(layout.frontier)
        self.close_open_warcs(layout.warc_dir)  # left open by a killed run
        if self.frontier.recover():
            log.info("resuming: pages in flight when the last run stopped are queued again")
        self.warc = WarcStore(layout.warc_dir, on_open=self._warc_opened)
        self.scopes: list[_Scope] = []
        self.hosts: dict[str, _Host] = {}
        self.robots: dict[str, Robots] = {}
        self.robots_pending: set[str] = set()
        self.futures: dict[Future, tuple[str, object]] = {}
        self.work: set[str] = set()
        self.stopping = False
        self.last_progress = 0.0

    def _warc_opened(self, name: str, size: int) -> None:
        with self.frontier.tx():
            self.warc_committed(name, size)
        self.report.warc_files.append(name)

    def warc_committed(self, name: str, size: int) -> None:
        """Record (inside the caller's transaction) how far a WARC file is committed."""
        self.frontier.warc_size(name, size)

    def close_open_warcs(self, directory: Path) -> None:
        """Cut every WARC file still marked open back to the size the database committed.

        The database is the only truth: a Ctrl-C can land after a record is written and
        before (or while) its row commits, and that page will be fetched again."""
        if self.frontier.db.in_transaction:  # an interrupt between BEGIN and its try block
            self.frontier.db.rollback()
        for name, size in self.frontier.open_warc_files():
            trim_warc(directory / name, size)
            with self.frontier.tx():
                self.frontier.warc_size(name, size, closed=True)

    # -- scope ---------------------------------------------------------------------------
    def add_target(self, target: str, profiles: Mapping[str, CrawlProfile]) -> None:
        prof = profiles.get(target)
        if prof is None:
            if "://" not in target and "." not in target:
                log.error("no site profile named %r", target)
                self.report.errors.append((target, "unknown_profile"))
                return
            url = target if "://" in target else f"https://{target.strip('/')}/"
            prof = CrawlProfile(name=target, start_urls=(url,))
        hosts = set(prof.allowed_hosts) | {urlsplit(u).netloc for u in prof.start_urls}
        hosts |= set(self.s.allowed_hosts)
        keys = frozenset(politeness_key(f"http://{h.lower()}") for h in hosts if h)
        art = prof.article_pattern or (self.s.article_pattern if not prof.listing_pattern else None)
        lst = prof.listing_pattern or (self.s.listing_pattern if not prof.article_pattern else None)
        self.scopes.append(_Scope(keys, re.compile(art) if art else None, re.compile(lst) if lst else None))
        with self.frontier.tx():
            for kind, urls in (("seed", prof.start_urls), ("sitemap", prof.sitemaps), ("feed", prof.rss)):
                for u in urls:
                    c = canonical_url(u)
                    if c and self.frontier.add(c, kind):
                        self.work.add(politeness_key(c))

    def scopes_of(self, url: str) -> list[_Scope]:
        """Scopes naming the url's host, with or without its port ("www." never counts)."""
        key = politeness_key(url)
        bare = key.rsplit(":", 1)[0] if key.count(":") == 1 else key
        return [s for s in self.scopes if key in s.hosts or bare in s.hosts]

    def classify(self, url: str) -> str | None:
        """'article', 'listing', 'page' (no patterns: decided after fetching) or None (out of scope)."""
        for scope in self.scopes_of(url):
            if scope.article is None and scope.listing is None:
                return "page"
            if scope.article and scope.article.search(url):
                return "article"
            if scope.listing and scope.listing.search(url):
                return "listing"
        return None

    def in_scope(self, url: str) -> bool:
        return bool(self.scopes_of(url))

    def enqueue(self, href: str, kind: str | None, depth: int, **kw) -> None:
        url = canonical_url(href)
        if url is None:
            return
        if kind is None:
            kind = self.classify(url)
        if kind is None or not self.in_scope(url):
            self.report.ignore("offsite" if not self.in_scope(url) else "out_of_pattern")
            return
        if self.s.max_depth is not None and kind not in ("sitemap", "feed", "article") and depth > self.s.max_depth:
            self.report.ignore("too_deep")
            return
        if self.frontier.add(url, kind, depth, **kw):
            self.work.add(politeness_key(url))

    # -- scheduling ------------------------------------------------------------------------
    def host(self, key: str) -> _Host:
        if key not in self.hosts:
            self.hosts[key] = _Host(delay=self.s.delay)
        return self.hosts[key]

    def budget_left(self) -> bool:
        s, r = self.s, self.report
        started = r.fetched + sum(1 for kind, _ in self.futures.values() if kind == "page")
        return not ((s.max_pages is not None and started >= s.max_pages)
                    or (s.max_bytes is not None and r.bytes >= s.max_bytes))

    def dispatch(self, pool: ThreadPoolExecutor, now: float) -> float:
        """Start every fetch that politeness allows now; return when to look again."""
        wake = now + 1.0
        for key in list(self.work):
            h = self.host(key)
            while not h.blocked and h.inflight < self.s.concurrency_per_host:
                if h.next_allowed > now:
                    wake = min(wake, h.next_allowed)
                    break
                if not self.budget_left():
                    self.stopping = True
                    return now
                row = self.frontier.next_for_host(key, now)
                if row is None:
                    later = self.frontier.wake_time(key)
                    if later is None:
                        self.work.discard(key)
                    else:
                        wake = min(wake, later)
                    break
                origin = origin_of(row["url"])
                if not self.have_robots(origin, pool, h, now):
                    break
                if not self.robots[origin].allowed(row["url"]):
                    with self.frontier.tx():
                        self.frontier.update(row["id"], state="skipped", reason="robots")
                    self.report.skip("robots")
                    continue
                extra = {}
                if row["kind"] in _REVISIT_KINDS:
                    if row["etag"]:
                        extra["If-None-Match"] = row["etag"]
                    if row["last_modified"]:
                        extra["If-Modified-Since"] = row["last_modified"]
                accept = HTML_TYPES if row["kind"] in ("article", "listing", "page") else HTML_TYPES + XML_TYPES
                self.frontier.mark_inflight(row["id"])
                # Sitemaps may be 50 MB by their protocol; pages are held to the page limit.
                limit = max(self.s.max_page_bytes, 50 << 20) if row["kind"] == "sitemap" else self.s.max_page_bytes
                fut = pool.submit(_fetch_task, row["url"], self.agent, self.s.timeout, limit, extra, accept,
                                  self.s.request_deadline)
                self.futures[fut] = ("page", dict(row))
                h.inflight += 1
                h.next_allowed = now + h.delay
        return wake

    def have_robots(self, origin: str, pool: ThreadPoolExecutor, h: _Host, now: float) -> bool:
        if origin in self.robots:
            return True
        if origin in self.robots_pending:
            return False
        cached = self.frontier.robots(origin)
        if cached is not None and cached["fetched_at"] > time.time() - self.s.robots_ttl:
            self.set_robots(origin, cached["status"], cached["body"], fresh=False)
            return True
        self.robots_pending.add(origin)
        fut = pool.submit(_robots_task, origin, self.agent, self.s.timeout,
                          self.s.request_deadline)
        self.futures[fut] = ("robots", origin)
        h.inflight += 1
        h.next_allowed = now + h.delay
        return False

    def set_robots(self, origin: str, status: int, body: str, fresh: bool) -> None:
        if status == 200:
            robots = Robots.parse(body, self.agent)
        elif 400 <= status < 500 and status not in (401, 403, 429):
            robots = Robots.allow_all()     # RFC 9309: unavailable (4xx) means no rules
        else:
            robots = Robots.deny_all()      # 401/403 mean "keep out"
        self.robots[origin] = robots
        h = self.host(politeness_key(origin))
        if robots.crawl_delay:
            h.delay = max(h.delay, min(robots.crawl_delay, self.s.max_crawl_delay))
        if fresh:
            with self.frontier.tx():
                for sm in robots.sitemaps:
                    if self.in_scope(canonical_url(sm) or ""):
                        self.enqueue(sm, "sitemap", 0)

    def tick(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.progress is None or (not force and now - self.last_progress < 0.2):
            return
        self.last_progress = now
        r = self.report
        self.progress({"fetched": r.fetched, "archived": r.archived, "articles": r.articles,
                       "queued": self.frontier.queued_count(), "errors": len(r.errors),
                       "bytes": r.bytes, "pages_per_s": r.fetched / max(1e-9, now - self.t0)})

    def run(self) -> CrawlReport:
        self.t0 = time.monotonic()
        with ThreadPoolExecutor(self.s.workers, thread_name_prefix="fetch") as pool:
            try:
                while True:
                    now = time.time()
                    wake = now if self.stopping else self.dispatch(pool, now)
                    if not self.futures:
                        if self.stopping or not any(not self.host(k).blocked for k in self.work):
                            break
                        time.sleep(min(max(wake - time.time(), 0.001), 1.0))
                        continue
                    done, _ = wait(list(self.futures), timeout=max(0.001, min(wake - time.time(), 1.0)),
                                   return_when=FIRST_COMPLETED)
                    for fut in done:
                        self.handle(fut)
            except KeyboardInterrupt:
                # In-flight rows stay 'inflight' and are fetched again by the next run.
                # Their sockets are shut down, so the pool's threads end now, not when
                # a slow server is done with them.
                self.report.interrupted = True
                pool.shutdown(wait=False, cancel_futures=True)
                abort_requests()
        self.finish()
        return self.report

    def finish(self) -> None:
        self.warc.close()
        self.close_open_warcs(self.warc.directory)
        self.report.elapsed = time.monotonic() - self.t0
        self.report.queued_left = self.frontier.queued_count()
        self.tick(force=True)
        self.frontier.close()


def _robots_task(origin: str, agent: str, timeout: float,
                 deadline: float | None = None) -> Response | FetchError:
    """robots.txt, following up to five redirects as RFC 9309 asks (http→https is common)."""
    url = origin + "/robots.txt"
    for _ in range(6):
        result = _fetch_task(url, agent, timeout, 512 * 1024, {}, None, deadline)
        if not (isinstance(result, Response) and result.status in _REDIRECT_STATUS
                and result.headers.get("location")):
            return result
        url = canonical_url(result.headers["location"], base=url) or url
    return FetchError("robots_redirects")


def _fetch_task(url: str, agent: str, timeout: float, max_bytes: int, extra: dict,
                accept: tuple[str, ...] | None, deadline: float | None = None
                ) -> Response | FetchError:
    try:
        return fetch(url, user_agent=agent, timeout=timeout, max_bytes=max_bytes,
                     extra_headers=extra, accept=accept, deadline=deadline)
    except FetchError as exc:
        return exc
    except Exception as exc:  # a worker must hand back something, whatever happened
        return FetchError(f"error:{type(exc).__name__}", transient=False)


def crawl(targets: Sequence[str], data_dir: Path, settings: CrawlSettings | None = None, *,
          on_article: Callable[[FetchedPage], None] | None = None,
          progress: Callable[[dict], None] | None = None,
          profiles: Mapping[str, CrawlProfile] | None = None) -> CrawlReport:
    """Crawl ``targets`` (profile names, urls or bare domains) into ``data_dir``.

    Returns when the frontier is empty, a budget is spent, or on Ctrl-C (``interrupted``).
    A rerun on the same ``data_dir`` resumes; start pages, listings and feeds older than
    ``revisit_after`` are polled again with conditional GETs.
    """
    settings = settings or CrawlSettings()
    data_dir = Path(data_dir)
    if profiles is None:
        profiles = crawl_profiles(settings.profiles_dir)
    c = _Crawler(data_dir, settings, on_article, progress)
    c.frontier.requeue_for_revisit(_REVISIT_KINDS, time.time() - settings.revisit_after)
    if settings.retry_failed:
        c.frontier.requeue_failed()
    for target in targets:
        c.add_target(target, profiles)
    c.work.update(c.frontier.hosts_with_work())
    return c.run()
