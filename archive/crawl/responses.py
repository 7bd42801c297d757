"""What the crawler does with each finished request (mixed into the scheduler in
``archive.crawl.crawler``): robots.txt answers, failures and retries, pages written to WARC
and handed on, redirects.  One bad page is recorded as that page's failure, never raised.
"""
from __future__ import annotations

import logging
import random
import time
from concurrent.futures import Future

from archive.urls import canonical_url

from .config import _REDIRECT_STATUS, _RETRY_STATUS, _retry_after
from .fetch import FetchedPage, FetchError, Response, media_type
from .frontier import politeness_key
from .links import is_feed, is_sitemap, parse_feed, parse_html, parse_sitemap
from .warc import HTML_TYPES, page_headers

__all__ = ["ResponseHandling"]

log = logging.getLogger("archive.crawl.crawler")


class ResponseHandling:
    """Needs from the scheduler: ``futures``, ``frontier``, ``report``, ``warc``, ``s``
    (settings), ``work``, ``robots_pending``, ``host()``, ``set_robots()``, ``enqueue()``,
    ``classify()``, ``in_scope()``, ``warc_committed()``, ``tick()``, ``on_article``."""

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
                           headers=page_headers(resp.header_list), body=resp.body, fetched=resp.started,
                           record_id=self.warc.last_record_id)
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
