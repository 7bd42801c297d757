"""The archived raw page in real headless Chromium: the banner shows, nothing of the page
runs or navigates (scripts, inline handlers, meta refresh, forms, frames, base, beacons).

Skips without /usr/bin/chromium like tests/system/test_browser.py (fails under CI)."""
from __future__ import annotations

import threading

import pytest

from indexer import ingest_paths

from tests.system.test_browser import ARGS, CHROMIUM, _need_chromium

pytestmark = pytest.mark.browser

BODY = ("Huyện Tân Trụ tổ chức hội nghị tổng kết chương trình giảm nghèo bền vững năm nay với "
        "sự tham gia của đông đảo cán bộ và người dân các xã trong huyện.")
HOSTILE = f"""<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="refresh" content="0;url=/pwned-refresh">
<title>Tin gốc</title>
<link rel="canonical" href="https://bao-thu.example/tin/bai-1.html">
<base href="/pwned-base/">
<link rel="stylesheet" href="/pwned-css">
<style>div {{ display:none !important; }} body > * {{ visibility:hidden; }}</style>
<script>document.title = "PWNED"; location.href = "/pwned-script";</script>
<script src="/pwned-external.js"></script>
</head><body onload="location.href='/pwned-onload'"><article>
<h1>Huyện Tân Trụ tổng kết giảm nghèo</h1>
<p>{BODY}</p><p>{BODY} Người dân phấn khởi.</p>
<img src="/pwned-img" onerror="location.href='/pwned-onerror'">
<form id="f" action="/pwned-form" method="get"><input name="x" value="1" autofocus
 onfocus="this.form.submit()"><button id="send" type="submit">Gửi</button></form>
<iframe src="/pwned-iframe"></iframe><svg onload="location.href='/pwned-svg'"></svg>
<object data="/pwned-object"></object>
</article></body></html>"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rawinert")
    page = tmp / "bai-1.html"
    page.write_text(HOSTILE, encoding="utf-8")
    data = tmp / "data"
    assert ingest_paths([page], data, workers=1).added == 1
    from web import create_app
    from werkzeug.serving import make_server
    app = create_app({"DATA_DIR": str(data), "TESTING": True})
    seen: list[str] = []
    inner = app.wsgi_app

    def logging_app(environ, start_response):  # every request that reaches the server
        seen.append(environ.get("PATH_INFO", ""))
        return inner(environ, start_response)

    app.wsgi_app = logging_app
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}", seen
    srv.shutdown()
    thread.join(5)


def test_raw_page_is_inert_and_has_a_banner_in_chromium(hostile_server) -> None:
    _need_chromium()
    from playwright.sync_api import sync_playwright
    base, seen = hostile_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            ctx = browser.new_context(base_url=base)
            pg = ctx.new_page()
            dialogs: list[str] = []
            pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            pg.goto("/articles/1")
            raw_href = pg.locator("a.raw").get_attribute("href")
            seen.clear()
            pg.goto(raw_href)
            pg.wait_for_timeout(1500)  # a meta refresh of 0 s or a script would have fired
            banner = pg.locator("#vnarchive-banner")
            assert banner.is_visible()
            text = banner.inner_text()
            assert "Bản lưu trữ" in text and "bao-thu.example/tin/bai-1.html" in text
            assert pg.url == base + raw_href and pg.title() == "Tin gốc"
            pg.locator("#send").click(timeout=2000, force=True)  # a form may not submit
            pg.wait_for_timeout(500)
            assert pg.url == base + raw_href
            pwned = [path for path in seen if "pwned" in path]
            assert not pwned and not dialogs, (pwned, dialogs)
            assert seen == [raw_href], seen  # not even an image or a style sheet was fetched
            # the banner's link leads back to the article page
            banner.locator("a", has_text="Về trang bài viết").click()
            pg.wait_for_url(base + "/articles/1")
            assert "Các phiên bản đã lưu" in pg.content()
        finally:
            browser.close()
