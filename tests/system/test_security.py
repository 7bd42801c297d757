"""Security: stored XSS is inert everywhere, raw pages are sandboxed, no traversal, headers
on every response, loopback by default, and the web app cannot write."""
from __future__ import annotations

import csv
import io
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import lxml.html
import pytest

from indexer import ingest_paths

ROOT = Path(__file__).resolve().parents[2]
MARK = "xssmarker"
PAYLOAD = ('<script>alert("xss")</script><img src=x onerror=alert(1)>'
           '<a href="javascript:alert(2)">bấm</a>" onmouseover="alert(3)\' onfocus=\'alert(4)')
BODY = ("Huyện Tân Trụ tổ chức hội nghị tổng kết chương trình giảm nghèo bền vững năm nay với "
        "sự tham gia của đông đảo cán bộ và người dân các xã trong huyện.")

RECORDS = [
    {"url": "https://xss.example/bai-1", "title": f"{MARK} {PAYLOAD}", "sapo": f"{MARK} {PAYLOAD}",
     "body": f"{BODY} {MARK} {PAYLOAD}\n{BODY}", "authors": [PAYLOAD, "Phóng viên"],
     "site": f"<script>alert(5)</script>{MARK}.example", "published": "2024-03-01T08:00:00+07:00"},
    {"url": "https://xss.example/bai-2", "title": f'=HYPERLINK("https://evil.example","{MARK}")',
     "body": f"@SUM(1+1) {MARK}\n{BODY}", "site": "+cmd|' /C calc'!A0",
     "published": "2024-03-02T08:00:00+07:00"},
    {"url": "javascript:alert(1)//https://xss.example/", "title": f"{MARK} bad url", "body": BODY},
]

# A crawled page of our own: hostile markup around a real-looking article with a caption.
PAGE = f"""<!doctype html><html><head><meta charset="utf-8">
<title>{MARK} &lt;script&gt;alert(6)&lt;/script&gt; Tin trang</title>
<link rel="canonical" href="https://xss.example/trang-1">
<meta property="og:title" content="{MARK} &lt;img src=x onerror=alert(7)&gt; Tin trang">
<script>window.parent.pwned = 1; alert("raw")</script>
</head><body onload="alert(8)"><article>
<h1>{MARK} &lt;script&gt;alert(6)&lt;/script&gt; Tin trang</h1>
<p class="author">&lt;b onmouseover=alert(9)&gt;Tác giả&lt;/b&gt;</p>
<p>{BODY} &lt;script&gt;alert(10)&lt;/script&gt; {MARK}</p>
<p onclick="alert(11)">{BODY} <a href="javascript:alert(12)">liên kết</a> <img src=x onerror="alert(13)"></p>
<figure><img src="data:image/png;base64,AAAA" alt="ảnh"><figcaption>{MARK} &lt;iframe src=javascript:alert(14)&gt; Ảnh minh hoạ hội nghị</figcaption></figure>
<p>{BODY} Người dân phấn khởi với kết quả đạt được trong năm qua.</p>
<iframe src="javascript:alert(15)"></iframe><svg onload="alert(16)"></svg>
</article></body></html>"""


@pytest.fixture(scope="module")
def xss_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("security")
    src = tmp / "hostile.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS),
                   encoding="utf-8")
    page = tmp / "trang.html"
    page.write_text(PAGE, encoding="utf-8")
    data = tmp / "data"
    report = ingest_paths([src, page], data, workers=1)
    assert report.added == 3, report.to_dict()
    assert report.reasons, "a javascript: url must be refused at ingest"
    return data


@pytest.fixture(scope="module")
def xss_client(xss_dir: Path):
    from web import create_app
    return create_app({"DATA_DIR": str(xss_dir), "TESTING": True}).test_client()


@pytest.fixture(scope="module")
def ids(xss_client) -> dict[str, int]:
    res = xss_client.get("/api/search", query_string={"q": MARK, "per_page": 50}).get_json()
    found = {r["url"]: r["id"] for r in res["results"]}
    assert len(found) == 3, found
    return found


_BAD_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.I)
_SCRIPT_SCHEME = re.compile(r"^\s*(javascript|vbscript):", re.I)


def assert_inert(html: str, where: str) -> None:
    """No element, attribute or URL in ``html`` can run code; the payload shows as text."""
    assert "<script>alert" not in html, where
    doc = lxml.html.document_fromstring(html)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        if tag == "script":  # only our own external script, never inline code
            assert el.get("src", "").startswith("/static/") and not (el.text or "").strip(), where
        assert tag not in ("iframe", "object", "embed", "base", "frame"), (where, tag)
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (where, tag, name, value)
            if name.lower() in ("href", "src", "action", "formaction", "xlink:href", "srcdoc"):
                assert not _SCRIPT_SCHEME.match(value), (where, tag, name, value)
                # data: is fine for an icon or image, never for a link or a frame
                if tag in ("a", "area", "form", "button", "script", "iframe", "input"):
                    assert not _BAD_SCHEME.match(value), (where, tag, name, value)


def test_hostile_records_are_inert_on_the_search_page(xss_client, ids) -> None:
    r = xss_client.get("/", query_string={"q": MARK})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert_inert(html, "search page")
    assert 'alert("xss")' in lxml.html.document_fromstring(html).text_content(), \
        "the hostile title should be shown as text"
    # The site facet carries a hostile value; chips and facet links must stay inert.
    r = xss_client.get("/", query_string=[("q", MARK), ("site", f"<script>alert(5)</script>"
                                                               f"{MARK}.example")])
    assert r.status_code == 200
    assert_inert(r.get_data(as_text=True), "search page with hostile facet selected")
    r = xss_client.get("/facets/site", query_string={"q": MARK})
    assert r.status_code == 200
    assert_inert(r.get_data(as_text=True), "facet page")


def test_hostile_query_is_inert_when_echoed(xss_client) -> None:
    for q in (PAYLOAD, f'"><script>alert(1)</script>', "javascript:alert(1)", "x" * 3000 + PAYLOAD):
        for path in ("/", "/facets/site"):
            r = xss_client.get(path, query_string={"q": q, "from": PAYLOAD[:30]})
            assert r.status_code in (200, 400)
            assert_inert(r.get_data(as_text=True), f"{path} echoing {q[:20]!r}")


def test_snippets_escape_everything_but_marks(xss_client, ids) -> None:
    res = xss_client.get("/api/search", query_string={"q": f"{MARK} alert"}).get_json()
    snippets = [h["snippet"] for h in res["results"] if h["snippet"]]
    assert snippets
    for s in snippets:
        assert not re.search(r"<(?!/?mark>)", s), s  # the only tag is our <mark>
        assert_inert(f"<p>{s}</p>", "snippet")


def test_article_pages_are_inert(xss_client, ids) -> None:
    for url, aid in ids.items():
        r = xss_client.get(f"/articles/{aid}")
        assert r.status_code == 200
        html = r.get_data(as_text=True)
        assert_inert(html, f"article {url}")
    html = xss_client.get(f"/articles/{ids['https://xss.example/bai-1']}").get_data(as_text=True)
    text = lxml.html.document_fromstring(html).text_content()
    assert "onerror=alert(1)" in text  # authors, sapo, body shown as text, not markup


def test_captions_from_a_crawled_page_are_inert(xss_client, ids) -> None:
    aid = ids["https://xss.example/trang-1"]
    data = xss_client.get(f"/api/articles/{aid}").get_json()
    assert any("iframe" in c for c in data["captions"]), data["captions"]
    assert_inert(xss_client.get(f"/articles/{aid}").get_data(as_text=True), "captions")


def test_api_json_is_json_not_html(xss_client, ids) -> None:
    for path in ("/api/search?q=" + MARK, f"/api/articles/{ids['https://xss.example/bai-1']}",
                 "/api/suggest?q=xssm", "/api/facets/site?q=" + MARK):
        r = xss_client.get(path)
        assert r.status_code == 200, path
        assert r.mimetype == "application/json", path
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        json.loads(r.get_data(as_text=True))
    res = xss_client.get("/api/search", query_string={"q": MARK}).get_json()
    assert any(PAYLOAD in h["title"] for h in res["results"])  # data kept verbatim in JSON


def test_csv_export_is_inert(xss_client, ids) -> None:
    r = xss_client.get("/api/export.csv", query_string={"q": MARK})
    assert r.status_code == 200
    assert r.mimetype in ("text/csv", "text/plain")
    assert "attachment" in r.headers.get("Content-Disposition", "")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    assert len(rows) - 1 == 3
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert any("HYPERLINK" in c for c in cells)


def test_raw_archived_page_is_sandboxed(xss_client, ids) -> None:
    aid = ids["https://xss.example/trang-1"]
    r = xss_client.get(f"/articles/{aid}/raw")
    assert r.status_code == 200
    csp = r.headers["Content-Security-Policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";") if d.strip()}
    assert directives.get("sandbox") == "sandbox", csp  # no allow-scripts, no allow-same-origin
    assert directives.get("default-src") == "default-src 'none'", csp
    assert "script-src" not in directives or "'none'" in directives["script-src"], csp
    assert "unsafe-eval" not in csp and "allow-scripts" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert b"alert(\"raw\")" in r.data  # served as archived, but cannot run
    # Records without a raw page have no raw route.
    assert xss_client.get(f"/articles/{ids['https://xss.example/bai-1']}/raw").status_code == 404


TRAVERSALS = [
    "/articles/../../../etc/passwd", "/articles/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/articles/1/../../archive.sqlite3", "/articles/1%2f..%2f..%2farchive.sqlite3",
    "/articles/-1", "/articles/0", "/articles/99999999999999999999999999",
    "/articles/1e3", "/articles/0x1", "/articles/%00", "/articles/1/raw/../../../etc/passwd",
    "/api/articles/..%2f..%2fetc%2fpasswd", "/api/articles/../../etc/passwd",
    "/api/articles/-1", "/api/articles/99999999999999999999999999", "/api/articles/%00",
    "/api/facets/..%2f..%2fetc%2fpasswd", "/api/facets/../../archive.sqlite3",
    "/facets/..%2f..%2fetc%2fpasswd", "/facets/__class__",
    "/static/../vnarchive_cli.py", "/static/%2e%2e/vnarchive_cli.py",
    "/static/..%2f..%2fvnarchive_cli.py", "/static/%2e%2e%2f%2e%2e%2fvnarchive_cli.py",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/....//....//etc/passwd",
    "/static/..\\..\\vnarchive_cli.py", "/archive.sqlite3", "/index/CURRENT", "/write.lock",
    "/data/archive.sqlite3", "/web/pages.py", "/templates/base.html", "/.git/config",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_traversal(xss_client, path: str) -> None:
    r = xss_client.get(path)
    assert r.status_code in (400, 404, 308), (path, r.status_code)
    body = r.data
    for leak in (b"root:x:", b"SQLite format 3", b"import click", b"[core]", b"gen-0",
                 b"{% extends"):
        assert leak not in body, (path, leak)
    if r.status_code == 308:  # werkzeug merges slashes: same origin, then a 404
        location = r.headers["Location"]
        assert location.startswith(("/", "http://localhost/")), location
        assert xss_client.get(location).status_code == 404, location


def _concrete(rule, aid: int) -> str:
    values = {"article_id": aid, "name": "site", "filename": "style.css"}
    path = rule.rule
    for arg in rule.arguments:
        path = re.sub(r"<(?:[^:<>]+:)?%s>" % arg, str(values.get(arg, "1")), path)
    return path


def test_security_headers_on_every_response(xss_client, ids) -> None:
    app = xss_client.application
    aid = ids["https://xss.example/trang-1"]
    paths = sorted({_concrete(rule, aid) for rule in app.url_map.iter_rules()})
    paths += ["/nope", "/api/nope", "/?page=0", "/api/search?per_page=1000", "/articles/999999",
              "/api/articles/999999", f"/?q={MARK}"]
    assert len(paths) >= 15
    for path in paths:
        for method in ("GET", "POST"):
            r = xss_client.open(path, method=method)
            h = r.headers
            assert h.get("Content-Security-Policy"), (method, path)
            assert "script-src 'unsafe-inline'" not in h["Content-Security-Policy"], path
            assert h.get("X-Content-Type-Options") == "nosniff", (method, path)
            assert h.get("Referrer-Policy") in ("no-referrer", "same-origin",
                                                "strict-origin-when-cross-origin"), path
            assert h.get("X-Frame-Options") in ("SAMEORIGIN", "DENY") or \
                "frame-ancestors" in h["Content-Security-Policy"], path


def test_web_app_has_no_write_routes(xss_client) -> None:
    app = xss_client.application
    for rule in app.url_map.iter_rules():
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, (rule.rule, rule.methods)
        path = _concrete(rule, 1)
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            assert xss_client.open(path, method=method).status_code == 405, (method, path)
    names = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not any(w in n for n in names for w in ("ingest", "reindex", "crawl", "delete"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listen_addresses(port: int) -> set[str]:
    """Local addresses with a LISTEN socket on ``port`` (from /proc/net/tcp{,6})."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            addr, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(addr)
    return found


def test_server_binds_loopback_by_default(xss_dir: Path) -> None:
    from vnarchive_cli import cli
    host = next(p for p in cli.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"
    port = _free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "vnarchive_cli.py"), "serve",
                             "--data-dir", str(xss_dir), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not _listen_addresses(port):
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        addrs = _listen_addresses(port)
        if Path("/proc/net/tcp").exists():
            assert addrs == {"0100007F"}, f"listening on {addrs}, expected 127.0.0.1 only"
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /api/stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert s.recv(100).split(b" ")[1] == b"200"
    finally:
        os.killpg(proc.pid, 9)
        proc.wait(timeout=10)
