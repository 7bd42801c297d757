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
import random
import re
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from .crawlconf import (CONTACT_URL, XML_TYPES, _REDIRECT_STATUS, _RETRY_STATUS, _REVISIT_KINDS,
                        CrawlReport, CrawlSettings, SiteProfile, _Host, _retry_after, _Scope,
                        load_site_profiles)
from .discover import is_feed, is_sitemap, parse_feed, parse_html, parse_sitemap
from .fetch import FetchedPage, FetchError, Response, fetch, media_type
from .frontier import Frontier, canonical_url, origin_of, politeness_key
from .robots import Robots
from .warc import HTML_TYPES, WarcStore, page_headers, trim_warc

__all__ = ["CrawlSettings", "CrawlReport", "SiteProfile", "crawl", "load_site_profiles", "CONTACT_URL"]

log = logging.getLogger(__name__)


class _Crawler:
    def __init__(self, data_dir: Path, settings: CrawlSettings, on_article, progress):
        self.s, self.on_article, self.progress = settings, on_article, progress
        self.agent = settings.agent()
        self.report = CrawlReport()
        self.frontier = Frontier(data_dir / "crawl.sqlite3")
        self.close_open_warcs(data_dir / "warc")  # left open by a killed run
        if self.frontier.recover():
            log.info("resuming: pages in flight when the last run stopped are queued again")
        self.warc = WarcStore(data_dir / "warc", on_open=self._warc_opened)
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
    def add_target(self, target: str, profiles: Mapping[str, SiteProfile]) -> None:
        prof = profiles.get(target)
        if prof is None:
            if "://" not in target and "." not in target:
                log.error("no site profile named %r", target)
                self.report.errors.append((target, "unknown_profile"))
                return
            url = target if "://" in target else f"https://{target.strip('/')}/"
            prof = SiteProfile(name=target, start_urls=(url,))
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
                fut = pool.submit(_fetch_task, row["url"], self.agent, self.s.timeout, limit, extra, accept)
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
        fut = pool.submit(_robots_task, origin, self.agent, self.s.timeout)
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

    # -- results ---------------------------------------------------------------------------
    def handle(self, fut: Future) -> None:
        kind, item = self.futures.pop(fut)
        result = fut.result()
        now = time.time()
        if kind == "robots":
            origin = str(item)
            self.robots_pending.discard(origin)
            h = self.host(politeness_key(origin))
            h.inflight -= 1
            h.next_allowed = max(h.next_allowed, now + h.delay)
            if isinstance(result, Response) and result.status < 500 and result.status != 429:
                body = result.body.decode("utf-8", "replace") if result.status == 200 else ""
                if result.status == 200:
                    name, _, size = self.write_warc(result, None)
                    with self.frontier.tx():
                        self.warc_committed(name, size)
                self.frontier.save_robots(origin, body, result.status)
                self.set_robots(origin, result.status, body, fresh=True)
            else:
                # RFC 9309: robots.txt unreachable means assume everything is disallowed;
                # the queue is kept for a later run rather than marked as refused.
                reason = result.reason if isinstance(result, FetchError) else f"http_{result.status}"
                h.blocked = True
                self.report.errors.append((origin + "/robots.txt", f"robots_unavailable:{reason}"))
                log.warning("robots.txt of %s unavailable (%s): host skipped this run", origin, reason)
            return
        row: dict = item  # type: ignore[assignment]
        h = self.host(row["host"])
        h.inflight -= 1
        h.next_allowed = max(h.next_allowed, now + h.delay)
        try:
            if isinstance(result, FetchError):
                self.failed(row, result.reason, result.transient, None)
            else:
                self.response(row, result)
        except Exception as exc:  # one bad page must never stop the crawl
            log.exception("internal error on %s", row["url"])
            with self.frontier.tx():
                self.frontier.log_failure(row["url"], f"internal:{exc!r}", row["attempts"] + 1)
                self.frontier.update(row["id"], state="failed", reason=f"internal:{type(exc).__name__}")
            self.report.errors.append((row["url"], f"internal:{type(exc).__name__}"))
        self.tick()

    def failed(self, row: dict, reason: str, transient: bool, retry_after: float | None) -> None:
        attempt = row["attempts"] + 1
        now = time.time()
        log.warning("%s: %s (attempt %d)", row["url"], reason, attempt)
        with self.frontier.tx():
            self.frontier.log_failure(row["url"], reason, attempt)
            if transient and attempt <= self.s.retries:
                wait_s = min(self.s.backoff * 2 ** (attempt - 1) * random.uniform(1.0, 1.25), self.s.max_backoff)
                if retry_after is not None:
                    wait_s = max(wait_s, min(retry_after, self.s.max_retry_after))
                    h = self.host(row["host"])  # the server asked the whole host to slow down
                    h.next_allowed = max(h.next_allowed, now + min(retry_after, self.s.max_retry_after))
                self.frontier.update(row["id"], state="queued", next_at=now + wait_s, reason=reason)
                self.work.add(row["host"])
                self.report.retried += 1
                return
            self.frontier.update(row["id"], state="failed", reason=reason, fetched_at=now)
        self.report.errors.append((row.get("via") or row["url"], reason))

    def write_warc(self, resp: Response, requested: str | None, role: str | None = None) -> tuple[str, int, int]:
        name, offset, size = self.warc.write(resp, requested, role)
        self.report.archived += 1
        return name, offset, size

    def response(self, row: dict, resp: Response) -> None:
        now = time.time()
        status = resp.status
        if status in _RETRY_STATUS:
            self.report.fetched += 1
            return self.failed(row, f"http_{status}", True,
                               _retry_after(resp.headers.get("retry-after"), now))
        self.report.fetched += 1
        self.report.bytes += len(resp.raw_body)
        done = {"status": status, "fetched_at": now, "bytes": len(resp.raw_body)}
        if resp.skipped:
            self.report.skip(resp.skipped.split(":")[0] if resp.skipped.startswith("content_type") else resp.skipped)
            with self.frontier.tx():
                self.frontier.update(row["id"], state="skipped", reason=resp.skipped, **done)
            return
        if status == 304:
            self.report.skip("not_modified")
            with self.frontier.tx():
                self.frontier.update(row["id"], state="notmodified", **done)
            return
        requested = row["via"] or row["url"]
        if status in _REDIRECT_STATUS and resp.headers.get("location"):
            return self.redirect(row, resp, requested, done)
        if status != 200:
            with self.frontier.tx():
                self.frontier.log_failure(row["url"], f"http_{status}", row["attempts"] + 1)
                self.frontier.update(row["id"], state="failed", reason=f"http_{status}", **done)
            self.report.errors.append((requested, f"http_{status}"))
            return
        ctype = media_type(resp.headers.get("content-type", ""))
        links: list[tuple[str, str | None]] = []
        xml = row["kind"] in ("sitemap", "feed") or ctype not in HTML_TYPES
        role, is_article = row["kind"], False
        if xml and is_sitemap(resp.body):
            pages, children = parse_sitemap(resp.body)
            links = [(u, "sitemap") for u in children] + [(u, None) for u in pages]
            role = "sitemap"
        elif xml and is_feed(resp.body):
            links = [(u, None) for u in parse_feed(resp.body)]
            role = "feed"
        elif ctype in HTML_TYPES:
            page = parse_html(resp.body, resp.headers.get("content-type", ""), resp.url)
            links = [(u, None) for u in page.links] + [(u, "feed") for u in page.feeds]
            is_article = row["kind"] == "article" or (row["kind"] in ("page", "seed") and
                                                      self.classify(resp.url) == "page" and page.is_article)
            canon = canonical_url(page.canonical) if page.canonical else None
            if canon and canon != row["url"] and self.in_scope(canon):
                known = self.frontier.get(canon)
                if known is not None and known["archived"]:
                    is_article = False  # the same page under its canonical url is already in
                    self.report.skip("duplicate_canonical")
                elif known is not None and known["state"] == "queued":
                    with self.frontier.tx():
                        self.frontier.update(known["id"], state="skipped", reason="duplicate_canonical")
            role = "article" if is_article else "listing"
        name, offset, size = self.write_warc(resp, requested, role)
        done.update(state="done", archived=1, warc_file=name, warc_offset=offset,
                    etag=resp.headers.get("etag"), last_modified=resp.headers.get("last-modified"))
        if is_article and self.on_article is not None:
            self.call_back(row, resp, requested)
        with self.frontier.tx():
            self.frontier.update(row["id"], **done)
            self.warc_committed(name, size)
            for href, kind in links:
                self.enqueue(href, kind, row["depth"] + 1)

    def call_back(self, row: dict, resp: Response, requested: str) -> None:
        page = FetchedPage(url=requested, final_url=resp.url, status=resp.status,
                           headers=page_headers(resp.header_list), body=resp.body, fetched=resp.started)
        try:
            self.on_article(page)
            self.report.articles += 1
        except Exception as exc:  # the cleaner's trouble is logged, never the crawl's end
            log.warning("on_article failed for %s: %r", requested, exc)
            with self.frontier.tx():
                self.frontier.log_failure(requested, f"callback:{type(exc).__name__}:{exc}"[:500], 0)
            self.report.errors.append((requested, f"callback:{type(exc).__name__}"))

    def redirect(self, row: dict, resp: Response, requested: str, done: dict) -> None:
        name, offset, size = self.write_warc(resp, requested)
        target = canonical_url(resp.headers["location"], base=resp.url)
        hops = row["hops"] + 1
        reason = None
        if target is None:
            reason = "bad_redirect"
        elif hops > self.s.max_redirects:
            reason = "too_many_redirects"
        elif not self.in_scope(target):
            reason = "redirect_offsite"
        else:
            known = self.frontier.get(target)
            if known is not None:
                # Back to a url on this chain (or one being fetched) is a loop; to a page
                # reached some other way is only a duplicate.
                looping = target in (row["url"], requested) or known["via"] == requested
                reason = "redirect_loop" if looping else "redirect_to_known"
        with self.frontier.tx():
            self.frontier.update(row["id"], state="redirected", archived=1, warc_file=name,
                                 warc_offset=offset, reason=reason, **done)
            self.warc_committed(name, size)
            if reason is None:
                self.enqueue(target, row["kind"] if row["kind"] != "page" else None, row["depth"],
                             via=requested, hops=hops)
            elif reason in ("redirect_loop", "too_many_redirects", "bad_redirect"):
                self.frontier.log_failure(requested, reason, row["attempts"] + 1)
        if reason in ("redirect_loop", "too_many_redirects", "bad_redirect"):
            self.report.errors.append((requested, reason))
            self.report.skip(reason)
        elif reason:
            self.report.skip(reason)

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
                self.report.interrupted = True
                for fut in self.futures:
                    fut.cancel()
        self.finish()
        return self.report

    def finish(self) -> None:
        self.warc.close()
        self.close_open_warcs(self.warc.directory)
        self.report.elapsed = time.monotonic() - self.t0
        self.report.queued_left = self.frontier.queued_count()
        self.tick(force=True)
        self.frontier.close()


def _robots_task(origin: str, agent: str, timeout: float) -> Response | FetchError:
    """robots.txt, following up to five redirects as RFC 9309 asks (http→https is common)."""
    url = origin + "/robots.txt"
    for _ in range(6):
        result = _fetch_task(url, agent, timeout, 512 * 1024, {}, None)
        if not (isinstance(result, Response) and result.status in _REDIRECT_STATUS
                and result.headers.get("location")):
            return result
        url = canonical_url(result.headers["location"], base=url) or url
    return FetchError("robots_redirects")


def _fetch_task(url: str, agent: str, timeout: float, max_bytes: int, extra: dict,
                accept: tuple[str, ...] | None) -> Response | FetchError:
    try:
        return fetch(url, user_agent=agent, timeout=timeout, max_bytes=max_bytes,
                     extra_headers=extra, accept=accept)
    except FetchError as exc:
        return exc
    except Exception as exc:  # a worker must hand back something, whatever happened
        return FetchError(f"error:{type(exc).__name__}", transient=False)


def crawl(targets: Sequence[str], data_dir: Path, settings: CrawlSettings | None = None, *,
          on_article: Callable[[FetchedPage], None] | None = None,
          progress: Callable[[dict], None] | None = None,
          profiles: Mapping[str, SiteProfile] | None = None) -> CrawlReport:
    """Crawl ``targets`` (profile names, urls or bare domains) into ``data_dir``.

    Returns when the frontier is empty, a budget is spent, or on Ctrl-C (``interrupted``).
    A rerun on the same ``data_dir`` resumes; start pages, listings and feeds older than
    ``revisit_after`` are polled again with conditional GETs.
    """
    settings = settings or CrawlSettings()
    data_dir = Path(data_dir)
    if profiles is None:
        directory = settings.profiles_dir or Path(__file__).resolve().parents[1] / "corpus" / "sites"
        profiles = load_site_profiles(directory) if directory.is_dir() else {}
    c = _Crawler(data_dir, settings, on_article, progress)
    c.frontier.requeue_for_revisit(_REVISIT_KINDS, time.time() - settings.revisit_after)
    if settings.retry_failed:
        c.frontier.requeue_failed()
    for target in targets:
        c.add_target(target, profiles)
    c.work.update(c.frontier.hosts_with_work())
    return c.run()


if __name__ == "__main__":  # python -m archive.crawl DATA_DIR TARGET...
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    rep = crawl(sys.argv[2:], Path(sys.argv[1]), CrawlSettings())
    print(rep)
