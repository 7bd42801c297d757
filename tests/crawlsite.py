"""A small news site on 127.0.0.1 for crawler tests, built at run time from ../shared pages.

Listing pages, sitemap index, RSS and robots.txt are generated here; article bodies are
the real pages from ``../shared/corpus/html`` served byte for byte.  Fault pages: 500s,
503-then-200, 429 with Retry-After, slow past the timeout, a redirect loop, a good
redirect, a PDF, a 20 MB page with and without Content-Length, a windows-1258 page and
paths robots.txt disallows.  Every request is logged with its start time.

``python tests/crawlsite.py`` serves it until Ctrl-C (handy for ``bench/crawl.py``).
"""
from __future__ import annotations

import gzip
import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
HTML = SHARED / "corpus" / "html"
BIG = 20 * 1024 * 1024
WIN1258 = "giam-ngheo-1258.html"
DISALLOWED = "/bai-viet/noi-bo/"


def with_base(body: bytes, site: str) -> bytes:
    """Point the page's relative links back at its real site (never requested: offsite)."""
    return re.sub(rb"<head\b[^>]*>", lambda m: m.group(0) + f'<base href="https://{site}/">'.encode(),
                  body, count=1, flags=re.I)


def corpus_pages() -> dict[str, Path]:
    """slug -> file for every article page in the corpus (windows-1258 copy kept apart)."""
    if not HTML.is_dir():
        raise FileNotFoundError(f"shared corpus missing: {HTML}")
    pages = {}
    for line in (HTML / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        path, kind = line.split("\t")[:2]
        if kind == "article" and "windows-1258" not in path:
            slug = path.replace("/", "-").replace(".", "-").removesuffix("-html") + ".html"
            pages[slug] = HTML / path
    return pages


def listings() -> dict[str, Path]:
    return {p.parent.name: p for p in sorted(HTML.glob("*/list*.html"))}


@dataclass
class LogEntry:
    t: float
    path: str
    host: str
    user_agent: str
    if_none_match: str | None
    status: int = 0
    sent: int = 0


@dataclass
class Site:
    """What the site holds and which pages are expected to end up archived."""

    base_tag: bool = False       # inject <base href=original site> so corpus links go offsite
    extra_articles: int = 0      # generated short articles, for benchmarks and big frontiers
    robots_status: int = 200     # 503: robots.txt unavailable
    faults: bool = True          # link the fault pages (they cost a few seconds of timeouts)
    articles: dict[str, bytes] = field(default_factory=dict)     # path -> body
    log: list[LogEntry] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hits: dict[str, int] = field(default_factory=dict)
    host: str = ""

    def build(self, host: str) -> None:
        self.host = host
        origin_of = {}
        for line in (HTML / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            path, _, url = line.split("\t")[:3]
            origin_of[path] = url
        for slug, path in corpus_pages().items():
            body = path.read_bytes()
            if self.base_tag:
                site = urlsplit(origin_of[str(path.relative_to(HTML))]).netloc
                body = with_base(body, site)
            self.articles[f"/bai-viet/{slug}"] = body
        for i in range(self.extra_articles):
            text = " ".join(f"Đoạn {j} của bài số {i} về giảm nghèo bền vững." for j in range(40))
            self.articles[f"/bai-viet/tin-{i:05d}.html"] = (
                f"<html><head><title>Tin {i}</title></head><body><h1>Tin {i}</h1><p>{text}</p>"
                f'<p><a href="/bai-viet/tin-{(i + 1) % self.extra_articles:05d}.html">tiếp</a></p>'
                "</body></html>").encode()

    # -- the expected outcome ---------------------------------------------------------------
    def rss_only(self) -> str:
        return sorted(self.articles)[0]

    def sitemap_only(self) -> str:
        return sorted(self.articles)[1]

    def listed(self) -> list[str]:
        """Articles the listings link to (the sitemap and RSS add the rest)."""
        return sorted(self.articles)[2:]

    def expected_articles(self) -> set[str]:
        if not self.faults:
            return set(self.articles)
        return set(self.articles) | {f"/bai-viet/{WIN1258}", "/bai-viet/chap-chon.html",
                                     "/bai-viet/qua-tai.html", "/bai-viet/cham.html",
                                     "/bai-viet/chuyen-huong.html"}

    # -- generated pages ----------------------------------------------------------------------
    def robots(self) -> str:
        # The "*" group shuts everyone out: only a crawler that finds its own group gets in.
        return ("User-agent: *\nDisallow: /\n\nUser-agent: vnarchive\n"
                f"Disallow: {DISALLOWED}\nDisallow: /*?in=\nAllow: /\n\n"
                f"Sitemap: http://{self.host}/sitemap.xml\n")

    def listing(self, page: int) -> str:
        per = 6
        items = self.listed()
        chunk = items[(page - 1) * per: page * per]
        links = []
        for i, path in enumerate(chunk):
            # Variants of one url: the crawler must fetch it once.
            links.append(f'<a href="{path}">Bài {i}</a> <a href="{path}?utm_source=fb#binh-luan">bình luận</a>')
        if page == 1 and self.faults:
            links += [f'<a href="{p}">lỗi</a>' for p in (
                "/bai-viet/loi-may-chu.html", "/bai-viet/chap-chon.html", "/bai-viet/qua-tai.html",
                "/bai-viet/cham.html", "/bai-viet/luon-cham.html", "/bai-viet/vong-lap.html",
                "/bai-viet/chuyen-huong.html", "/bai-viet/bang-gia.html", "/bai-viet/rat-lon.html",
                "/bai-viet/rat-lon-2.html", f"/bai-viet/{WIN1258}", f"{DISALLOWED}mat.html",
                f"{chunk[0]}?in=1", "/tai-lieu/anh.jpg",
                f"http://localhost:{self.host.rsplit(':', 1)[1]}{chunk[0]}")]
        more = (len(items) + per - 1) // per
        nav = f'<a rel="next" href="/chuyen-muc/kinh-te?trang={page + 1}">Trang sau</a>' if page < more else ""
        teasers = "".join(f"<article><h3>{link}</h3></article>" for link in links)
        return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Kinh tế - trang {page}</title>"
                f'<link rel="alternate" type="application/rss+xml" href="/rss/tin-moi.rss"></head>'
                f"<body><h1>Kinh tế</h1>{teasers}{nav}</body></html>")

    def home(self) -> str:
        extra = "".join(f'<li><a href="/chuyen-muc/{name}.html">{name}</a></li>' for name in listings()) \
            if self.base_tag else ""
        return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Trang chủ</title></head><body>"
                '<ul><li><a href="/chuyen-muc/kinh-te?trang=1">Kinh tế</a></li>'
                f"{extra}</ul></body></html>")

    def sitemap(self, name: str) -> str:
        if name == "sitemap.xml":
            return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/'
                    f'schemas/sitemap/0.9"><sitemap><loc>http://{self.host}/sitemap-bai-viet.xml</loc>'
                    "</sitemap></sitemapindex>")
        locs = "".join(f"<url><loc>http://{self.host}{p}</loc></url>" for p in sorted(self.articles)
                       if p != self.rss_only())
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                f'sitemap/0.9">{locs}</urlset>')

    def rss(self) -> str:
        items = "".join(f"<item><title>t</title><link>http://{self.host}{p}</link></item>"
                        for p in sorted(self.articles)[:3] if p != self.sitemap_only())
        return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tin mới</title>'
                f"{items}</channel></rss>")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # quiet: the Site keeps its own log
        pass

    def do_GET(self) -> None:
        site = self.server.site
        entry = LogEntry(time.time(), self.path, self.headers.get("Host", ""),
                         self.headers.get("User-Agent", ""), self.headers.get("If-None-Match"))
        with site.lock:
            site.log.append(entry)
            n = site.hits[self.path] = site.hits.get(self.path, 0) + 1
        try:
            self.route(site, urlsplit(self.path), n, entry)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler hung up on purpose (too big, too slow)

    def send(self, entry: LogEntry, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
             headers: dict[str, str] | None = None) -> None:
        entry.status = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        entry.sent = len(body)

    def cached(self, entry: LogEntry, body: bytes, ctype: str) -> None:
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            entry.status = 304
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send(entry, 200, body, ctype, {"ETag": etag})

    def route(self, site: Site, url, n: int, entry: LogEntry) -> None:
        path, q = url.path, url.query
        if path == "/robots.txt":
            if site.robots_status != 200:
                return self.send(entry, site.robots_status, b"unavailable", "text/plain")
            return self.send(entry, 200, site.robots().encode(), "text/plain")
        if path == "/":
            return self.cached(entry, site.home().encode(), "text/html; charset=utf-8")
        if path == "/chuyen-muc/kinh-te" and q.startswith("trang="):
            return self.cached(entry, site.listing(int(q[6:])).encode(), "text/html; charset=utf-8")
        if path.startswith("/chuyen-muc/") and path[12:-5] in listings():
            body = listings()[path[12:-5]].read_bytes()
            body = with_base(body, path[12:-5])
            return self.send(entry, 200, body)
        if path in ("/sitemap.xml", "/sitemap-bai-viet.xml"):
            return self.cached(entry, site.sitemap(path[1:]).encode(), "application/xml")
        if path == "/rss/tin-moi.rss":
            return self.cached(entry, site.rss().encode(), "application/rss+xml; charset=utf-8")
        if path.startswith(DISALLOWED):
            return self.send(entry, 200, b"<html><body>secret</body></html>")
        some = next(iter(site.articles.values()))
        slow = self.server.slow
        if path == "/bai-viet/loi-may-chu.html":
            return self.send(entry, 500, b"<html>Internal Server Error</html>")
        if path == "/bai-viet/chap-chon.html":
            return self.send(entry, 503, b"busy") if n <= 2 else self.send(entry, 200, some)
        if path == "/bai-viet/qua-tai.html":
            if n == 1:
                return self.send(entry, 429, b"slow down", headers={"Retry-After": "1"})
            return self.send(entry, 200, some)
        if path in ("/bai-viet/cham.html", "/bai-viet/luon-cham.html"):
            if n == 1 or path.endswith("luon-cham.html"):
                time.sleep(slow)
            return self.send(entry, 200, some)
        if path in ("/bai-viet/vong-lap.html", "/bai-viet/vong-lap-2.html"):
            to = "/bai-viet/vong-lap-2.html" if path.endswith("lap.html") else "/bai-viet/vong-lap.html"
            return self.send(entry, 302, b"", headers={"Location": to})
        if path == "/bai-viet/chuyen-huong.html":
            return self.send(entry, 301, b"", headers={"Location": "/bai-viet/dich-den.html"})
        if path == "/bai-viet/dich-den.html":
            return self.send(entry, 200, some)
        if path == "/bai-viet/bang-gia.html":
            return self.send(entry, 200, b"%PDF-1.4 not a page", "application/pdf")
        if path in ("/bai-viet/rat-lon.html", "/bai-viet/rat-lon-2.html"):
            return self.big(entry, chunked=path.endswith("-2.html"))
        if path == f"/bai-viet/{WIN1258}":
            return self.send(entry, 200, (HTML / "thtg.vn" / "giam-ngheo-cai-lay-tan-tru.windows-1258.html")
                             .read_bytes(), "text/html; charset=windows-1258")
        if path in site.articles:
            body, headers = site.articles[path], {"Last-Modified": "Sat, 07 Mar 2026 01:00:00 GMT"}
            if "gzip" in self.headers.get("Accept-Encoding", ""):  # as news sites do
                body, headers["Content-Encoding"] = gzip.compress(body, 6, mtime=0), "gzip"
            return self.send(entry, 200, body, headers=headers)
        return self.send(entry, 404, b"<html>not found</html>")

    def big(self, entry: LogEntry, chunked: bool) -> None:
        """20 MB of HTML, written piece by piece: the count says how much the client took."""
        entry.status = 200
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(BIG))
        self.end_headers()
        piece = b"<p>" + b"x" * (64 * 1024 - 7) + b"</p>\n"
        for _ in range(BIG // len(piece)):
            data = b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece
            self.wfile.write(data)
            entry.sent += len(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site
    slow: float


class CrawlSite:
    """Context manager: ``with CrawlSite() as s: s.url("/")``."""

    def __init__(self, site: Site | None = None, slow: float = 1.0):
        self.site = site or Site()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.site, self.server.slow = self.site, slow
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.site.build(self.host)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def __enter__(self) -> "CrawlSite":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    import sys
    with CrawlSite(Site(extra_articles=int(sys.argv[1]) if len(sys.argv) > 1 else 0)) as s:
        print(s.url("/"), flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


def profile_for(site: CrawlSite):
    """The test site's crawl profile (what a corpus/sites/*.toml [crawl] table would say)."""
    from archive.crawl.crawler import CrawlProfile
    return CrawlProfile("lan", start_urls=(site.url("/"),), rss=(site.url("/rss/tin-moi.rss"),),
                       article_pattern=r"/bai-viet/.+\.html", listing_pattern=r"/chuyen-muc/")


def fast_settings(**overrides):
    """Tiny delays and limits so the whole site crawls in a few seconds."""
    from archive.crawl.crawler import CrawlSettings
    base = dict(delay=0.05, timeout=0.4, retries=2, backoff=0.05, max_page_bytes=1024 * 1024,
                contact_url="https://example.org/vnarchive-test")
    base.update(overrides)
    return CrawlSettings(**base)


def warc_pages(data_dir: Path) -> list:
    """Every page the crawl's WARC files give back, in file order."""
    from archive.crawl.warc import iter_warc_pages
    return [p for f in sorted((data_dir / "warc").glob("*.warc.gz")) for p in iter_warc_pages(f)]


def article_paths(pages) -> list[str]:
    return sorted(urlsplit(p.url).path for p in pages if "/bai-viet/" in p.url)
