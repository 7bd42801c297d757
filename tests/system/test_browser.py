"""End-to-end tests in headless Chromium (Debian's `chromium`, driven by Playwright) against a
real HTTP server over the session archive.  Screenshots of the main states go to
screenshots/ (git-ignored) for a reviewer to look at.

Without /usr/bin/chromium these tests skip with a printed reason — except under CI (env CI
set), where a missing browser is a failure.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import SEED_URL

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "screenshots"
CHROMIUM = os.environ.get("VNARCHIVE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SEED_TITLE = "Lãnh đạo huyện Tân Trụ"


def _need_chromium() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    reason = f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(reason + " — required under CI", pytrace=False)
    print(f"\nSKIPPING browser tests: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(app):
    from werkzeug.serving import make_server
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def browser():
    _need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    SHOTS.mkdir(exist_ok=True)
    ctx = browser.new_context(base_url=server, accept_downloads=True, locale="vi-VN",
                              viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems  # type: ignore[attr-defined]
    yield pg
    ctx.close()
    # CSP violations and script errors surface as console errors: there must be none.
    assert not problems, problems


def total(pg) -> int:
    return int(pg.locator("#summary strong").first.inner_text())


def shot(pg, name: str, full: bool = True) -> None:
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def test_first_visit_and_typed_query(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Kho lưu trữ có" in page.locator("#summary").inner_text()
    shot(page, "01-home")
    page.fill("#q", "giảm nghèo")
    with page.expect_navigation():
        page.press("#q", "Enter")
    assert "q=gi%E1%BA%A3m+ngh%C3%A8o" in page.url
    assert total(page) >= 1
    assert page.locator(".hit h3 a", has_text=SEED_TITLE).count() >= 1
    assert page.locator(".snippet mark").count() >= 1
    assert page.input_value("#q") == "giảm nghèo"
    shot(page, "02-results")


def test_tick_facet_changes_counts(page):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    before = total(page)
    item = page.locator("#facet-province li", has_text="Long An")
    expected = int(item.locator(".count").inner_text())
    with page.expect_navigation():
        item.locator("input[type=checkbox]").check()  # app.js submits the form
    assert "province=Long+An" in page.url
    after = total(page)
    assert after == expected and after <= before
    assert page.locator("#facet-province input[value='Long An']").is_checked()
    assert page.locator(".active .chip", has_text="Long An").count() == 1
    shot(page, "03-facet-ticked")
    with page.expect_navigation():
        page.click("text=Xóa tất cả bộ lọc")
    assert total(page) == before


def test_facets_work_without_javascript(browser, server):
    ctx = browser.new_context(base_url=server, java_script_enabled=False)
    pg = ctx.new_page()
    pg.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    item = pg.locator("#facet-province li", has_text="Long An")
    expected = int(item.locator(".count").inner_text())
    item.locator("input[type=checkbox]").check()
    with pg.expect_navigation():
        pg.click("button.apply")
    assert total(pg) == expected and "province=Long+An" in pg.url
    ctx.close()


def test_paging_keeps_filters(page):
    page.goto("/?per_page=5&sort=newest")
    first = page.locator(".hit h3 a").first.inner_text()
    with page.expect_navigation():
        page.click("a[rel=next]")
    assert "page=2" in page.url and "per_page=5" in page.url and "sort=newest" in page.url
    assert page.locator(".pager .current").inner_text() == "2"
    assert page.locator(".hit h3 a").first.inner_text() != first
    assert page.locator("ol.hits").get_attribute("start") == "6"
    shot(page, "04-page-2")


def test_sort_and_per_page_selects_wait_for_enter_when_keyed(page):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    for select, key in (("#sort", "sort="), ("#per_page", "per_page=")):
        before = page.input_value(select)
        page.focus(select)
        page.keyboard.press("ArrowDown")  # arrowing through the options reloads nothing
        chosen = page.input_value(select)
        assert chosen != before and not loads
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert len(loads) == 1 and f"{key}{chosen}" in page.url
        assert page.input_value(select) == chosen
        assert page.evaluate("document.activeElement.id") == select[1:]  # focus came back
        loads.clear()
    with page.expect_navigation():
        page.select_option("#sort", "relevance")  # a pointer's choice applies at once
    assert "sort=" not in page.url and "per_page=" in page.url


def test_open_article(page):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    link = page.locator(".hit h3 a", has_text=SEED_TITLE).first
    title = link.inner_text()
    with page.expect_navigation():
        link.click()
    assert re.search(r"/articles/\d+\?q=", page.url)  # the search rides along
    assert page.locator("h1").inner_text() == title
    assert page.locator("a.original").get_attribute("href") == SEED_URL
    assert page.locator(".captions li").count() == 5
    assert page.locator(".entities").inner_text().count("Võ Thị Búp") == 1
    shot(page, "05-article")
    raw = page.request.get(page.locator("a.raw").get_attribute("href"))
    assert raw.ok and "sandbox" in raw.headers["content-security-policy"]


def test_follow_suggestion(page):
    page.goto("/?q=giam+ngheo")
    sugg = page.locator("#suggestion")
    text = sugg.inner_text()
    assert text != "giam ngheo"
    shot(page, "06-suggestion")
    with page.expect_navigation():
        sugg.click()
    assert page.input_value("#q") == text and total(page) >= 1
    assert page.locator("#suggestion").count() == 0


def test_download_csv(page, tmp_path):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o&province=Long+An")
    n = total(page)
    with page.expect_download() as info:
        page.click("#export-csv")
    target = tmp_path / "export.csv"
    info.value.save_as(target)
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == n and all("Long An" in r["provinces"] for r in rows)


def test_timeline_bar_filters_to_month(page):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    assert page.locator("svg.timeline title").first.text_content().startswith("Số bài")
    bar = page.locator("svg.timeline a[aria-label$=' bài']:not([aria-label$=': 0 bài'])").first
    count = int(re.search(r": (\d+) bài", bar.get_attribute("aria-label")).group(1))
    with page.expect_navigation():
        bar.click()
    assert re.search(r"from=\d{4}-\d\d-01&to=\d{4}-\d\d-\d\d", page.url)
    assert total(page) == count
    assert page.locator(".active .chip", has_text=" – ").count() == 1
    shot(page, "07-timeline-month")


def test_autocomplete_from_suggest_api(page):
    page.goto("/")
    page.locator("#q").press_sequentially("giam ng", delay=30)
    # (no wait_for_function: our CSP rightly forbids the eval it uses)
    page.locator("#q-suggestions option").first.wait_for(state="attached", timeout=5000)
    options = page.eval_on_selector_all("#q-suggestions option", "els => els.map(e => e.value)")
    assert any(o.startswith("giảm") for o in options)


def test_keyboard_and_phone(browser, server):
    ctx = browser.new_context(base_url=server, viewport={"width": 390, "height": 844},
                              is_mobile=True, has_touch=True)
    pg = ctx.new_page()
    pg.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"horizontal scrolling on a phone: {width}px"
    assert pg.locator("details.filterbox").get_attribute("open") is None
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.className") == "skip"
    shot(pg, "08-phone", full=False)
    pg.click("details.filterbox > summary")
    pg.locator("details.filterbox").scroll_into_view_if_needed()
    shot(pg, "09-phone-filters", full=False)
    box = pg.locator("#facet-official input[type=checkbox]").first
    box.focus()
    with pg.expect_navigation():
        pg.keyboard.press("Space")
    assert "official=" in pg.url
    ctx.close()


def test_empty_state(page):
    page.goto("/?q=zzqxy+wvvkk")
    assert "Không tìm thấy bài nào" in page.locator(".empty").inner_text()
    shot(page, "10-empty")
    with page.expect_navigation():
        page.locator(".empty a", has_text="giảm nghèo").click()
    assert total(page) >= 1


# -- issue 19: keyboard, screen readers (axe-core), facet values, errors, timeline --------
def axe_violations(pg) -> list[str]:
    """axe-core (bundled by the axe-playwright-python wheel from PyPI) on the current page:
    every violation of any impact, as "rule: target" lines."""
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(pg, options={"resultTypes": ["violations"]})
    assert results.response["testEngine"]["name"] == "axe-core"  # it really ran
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]]


def test_axe_finds_no_violation_on_search_article_and_facet_pages(page):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    assert axe_violations(page) == []
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o&from=2030-01-01&to=2020-01-01")  # the error page
    assert axe_violations(page) == []
    page.problems.remove(next(p for p in page.problems if "400" in p))  # that 400 was asked
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    with page.expect_navigation():
        page.locator(".hit h3 a", has_text=SEED_TITLE).first.click()
    assert axe_violations(page) == []
    page.goto("/facets/province?q=gi%E1%BA%A3m+ngh%C3%A8o")
    assert axe_violations(page) == []


def test_keyboard_reaches_the_first_result_in_ten_tabs(page):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    page.focus("#q")
    first = page.locator(".hit h3 a").first.get_attribute("href")
    for presses in range(1, 11):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == first:
            break
    else:
        pytest.fail("the first result is more than 10 Tab presses from the search box")
    print(f"first result after {presses} Tab presses")
    shot(page, "11-keyboard-first-result", full=False)


def test_timeline_is_one_tab_stop_with_arrow_keys(page):
    page.goto("/")
    stops = page.eval_on_selector_all("svg.timeline a", "els => els.filter(a => "
                                      "a.getAttribute('tabindex') !== '-1').length")
    assert stops == 1
    page.locator("svg.timeline a[tabindex='0']").focus()
    before = page.evaluate("document.activeElement.getAttribute('data-start')")
    page.keyboard.press("ArrowLeft")
    after = page.evaluate("document.activeElement.getAttribute('data-start')")
    assert after < before
    assert page.locator("svg.timeline a[tabindex='0']").get_attribute("data-start") == after


def test_focus_stays_on_the_facet_after_reload(page):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    box = page.locator("#facet-province input[value='Long An']")
    box.focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "province=Long+An" in page.url
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value,"
                            " document.activeElement.checked]")
    assert focused == ["province", "Long An", True]


def test_programme_chip_with_a_comma_round_trip(page):
    label = "Xóa nhà tạm, nhà dột nát"
    res = page.request.get("/api/search", params={"program": label}).json()
    assert res["total"] >= 1
    hit = res["results"][0]
    page.goto(f"/articles/{hit['id']}")
    chips = page.locator(".entities a.chip.program", has_text=label)
    assert chips.count() == 1  # one chip, not two pieces
    with page.expect_navigation():
        chips.click()
    assert total(page) == res["total"]
    assert page.locator(".hit h3 a", has_text=hit["title"]).count() == 1
    assert page.locator(".active .chip", has_text=label).count() == 1


def test_vietnamese_error_page_keeps_the_form(page):
    response = page.goto("/?q=ocop&from=2026-01-01&to=2025-01-01")
    assert response.status == 400
    page.problems.remove(next(p for p in page.problems if "400" in p))  # asked for
    alert = page.locator("[role=alert]").inner_text()
    assert "Ngày bắt đầu (01/01/2026) sau ngày kết thúc (01/01/2025)" in alert
    assert page.input_value("#q") == "ocop" and page.input_value("#from") == "2026-01-01"
    # the pickers bound each other, so the browser itself refuses the reversed range
    assert page.get_attribute("#from", "max") == "2025-01-01"
    shot(page, "12-error-kept-form")
    page.fill("#from", "2020-01-01")
    with page.expect_navigation():
        page.click("#error button[type=submit]")
    assert "from=2020-01-01" in page.url and "to=2025-01-01" in page.url
    assert page.locator("[role=alert]").count() == 0 and total(page) >= 0


def drag_over(page, bars, lo: int, hi: int) -> None:
    """Press on timeline bar ``lo``, drag across to bar ``hi``, release; wait for the load."""
    def centre(i):
        box = bars.nth(i).locator("rect.hit").bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    page.mouse.move(*centre(lo))
    page.mouse.down()
    page.mouse.move(*centre(lo + 1), steps=4)
    page.mouse.move(*centre(hi), steps=4)
    with page.expect_navigation():
        page.mouse.up()


def test_drag_selects_a_date_range_on_the_timeline(page):
    page.goto("/")
    bars = page.locator("svg.timeline a[data-start]")
    n = bars.count()
    assert n >= 3
    counts = [int(re.search(r": (\d+) bài", bars.nth(i).get_attribute("aria-label")).group(1))
              for i in range(n)]
    lo, hi = 0, min(2, n - 1)
    start, end = bars.nth(lo).get_attribute("data-start"), bars.nth(hi).get_attribute("data-end")

    drag_over(page, bars, lo, hi)
    assert f"from={start}" in page.url and f"to={end}" in page.url
    assert total(page) == sum(counts[lo:hi + 1])


def test_facet_page_filter_box(page):
    values = page.request.get("/api/facets/official").json()["values"]
    assert len(values) > 12, "the session archive should have a long official list"
    target = values[-1]["value"]
    page.goto("/facets/official")
    page.fill("#facet-filter", target.split()[-1].lower())
    visible = page.locator("#facet-values li:visible")
    assert 1 <= visible.count() < len(values)
    assert page.locator("#facet-values li:visible", has_text=target).count() == 1
    assert axe_violations(page) == []


# -- issue 19b: day buckets, ⊖ on result chips -------------------------------------------
def _busiest_month(pg) -> tuple[str, str]:
    """(first day, last day) of the month with the most articles in the session archive."""
    res = pg.request.get("/api/search", params={"interval": "month"}).json()
    best = max(res["timeline"]["buckets"], key=lambda b: b["count"])
    return best["start"], best["end"]


def test_timeline_day_bucket_click_and_drag(page):
    start, end = _busiest_month(page)
    page.goto(f"/?from={start}&to={end}")
    assert page.locator("svg.timeline title").first.text_content().startswith(
        "Số bài theo ngày")
    bars = page.locator("svg.timeline a[data-start]")
    days = [(bars.nth(i).get_attribute("data-start"), bars.nth(i).get_attribute("data-end"),
             int(re.search(r": (\d+) bài", bars.nth(i).get_attribute("aria-label")).group(1)))
            for i in range(bars.count())]
    assert len(days) >= 28 and all(s == e for s, e, _ in days)  # one bar a day
    lo = min(next(i for i, d in enumerate(days) if d[2]), len(days) - 4)
    hi = lo + 3

    drag_over(page, bars, lo, hi)
    assert f"from={days[lo][0]}" in page.url and f"to={days[hi][1]}" in page.url
    assert total(page) == sum(d[2] for d in days[lo:hi + 1])
    day = next(d for d in days if d[2])  # a click on one day's bar: that day
    page.goto(f"/?from={start}&to={end}")
    with page.expect_navigation():
        page.locator(f"svg.timeline a[data-start='{day[0]}']").click()
    assert f"from={day[0]}&to={day[0]}" in page.url
    assert total(page) == day[2] > 0


def test_exclude_chip_on_a_result_round_trip(page):
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    before = total(page)
    card = page.locator(".hit").filter(has=page.locator(".chips .chip-out")).first
    out = card.locator(".chip-out").first
    label = out.get_attribute("aria-label")
    assert label.startswith("Loại trừ tỉnh/thành ")
    value = label.removeprefix("Loại trừ tỉnh/thành ")
    # one Tab stop per result's chips: Tab lands on the first chip, arrows reach the ⊖
    stops = page.eval_on_selector_all(".hits [role=toolbar]", "bars => bars.map(b => "
                                      "[...b.querySelectorAll('a')].filter(a => "
                                      "a.getAttribute('tabindex') !== '-1').length)")
    assert stops and set(stops) == {1}
    card.locator(".chips a").first.focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == label
    with page.expect_navigation():
        out.click()
    assert "-province=" in page.url
    assert 0 <= total(page) < before
    assert page.locator(".active .chip.excluded", has_text=value).count() == 1
    api = page.request.get("/api/search", params={"q": "giảm nghèo", "-province": value,
                                                  "per_page": 100}).json()
    assert api["total"] == total(page)
    assert all(value not in h["provinces"] for h in api["results"])
    shown = page.locator(".hit .chips .chip:not(.official):not(.program)").all_inner_texts()
    assert value not in shown
    assert axe_violations(page) == []


def test_exclude_chip_on_the_article_page_keeps_the_search(page):
    res = page.request.get("/api/search", params={"q": "giảm nghèo"}).json()
    hit = next(h for h in res["results"] if h["programs"])
    page.goto(f"/articles/{hit['id']}?q=gi%E1%BA%A3m+ngh%C3%A8o")
    program = hit["programs"][0]
    out = page.get_by_role("link", name=f"Loại trừ chương trình {program}", exact=True)
    with page.expect_navigation():
        out.click()
    assert "q=gi%E1%BA%A3m+ngh%C3%A8o" in page.url and "-program=" in page.url
    expected = page.request.get("/api/search", params={"q": "giảm nghèo",
                                                       "-program": program}).json()["total"]
    assert total(page) == expected < res["total"]


# -- issue 19c: the timeline's "chia cột theo" select ---------------------------------------
def _bars(pg) -> list[tuple[str, str, int]]:
    bars = pg.locator("svg.timeline a[data-start]")
    return [(bars.nth(i).get_attribute("data-start"), bars.nth(i).get_attribute("data-end"),
             int(re.search(r": (\d+) bài", bars.nth(i).get_attribute("aria-label")).group(1)))
            for i in range(bars.count())]


def test_choosing_week_redraws_the_timeline(page):
    from datetime import date, timedelta
    page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o")
    assert page.locator("svg.timeline title").first.text_content().startswith(
        "Số bài theo tháng")
    assert page.input_value("#interval") == "auto"
    with page.expect_navigation():
        page.select_option("#interval", "week")  # a pointer's choice: redrawn at once
    assert "interval=week" in page.url
    assert page.locator("svg.timeline title").first.text_content().startswith(
        "Số bài theo tuần")
    weeks = _bars(page)
    starts = [date.fromisoformat(s) for s, _, _ in weeks]
    assert all(d.weekday() == 0 for d in starts)  # ISO weeks, Monday to Sunday
    assert all(date.fromisoformat(e) - date.fromisoformat(s) == timedelta(days=6)
               for s, e, _ in weeks)
    api = page.request.get("/api/search", params={"q": "giảm nghèo", "interval": "week"}).json()
    assert [(b["start"], b["end"], b["count"]) for b in api["timeline"]["buckets"]] == weeks
    assert page.evaluate("document.activeElement.id") == "interval"  # focus came back
    assert axe_violations(page) == []
    shot(page, "13-timeline-weeks")
    # The keyboard: arrows change the choice without reloading, Enter applies it.
    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if r.resource_type == "document" else None)
    page.keyboard.press("ArrowDown")
    assert page.input_value("#interval") == "month" and not loads
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert len(loads) == 1 and "interval=month" in page.url
    with page.expect_navigation():
        page.select_option("#interval", "auto")
    assert "interval" not in page.url and "q=gi%E1%BA%A3m+ngh%C3%A8o" in page.url


def test_too_many_bars_error_keeps_the_form_and_the_choice(page):
    response = page.goto("/?q=gi%E1%BA%A3m+ngh%C3%A8o&interval=day&from=1990-01-01&to=2024-01-01")
    assert response.status == 400
    page.problems.remove(next(p for p in page.problems if "400" in p))  # asked for
    assert "chọn khoảng lớn hơn" in page.locator("[role=alert]").inner_text()
    assert page.input_value("#interval") == "day" and page.input_value("#q") == "giảm nghèo"
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.select_option("#interval", "year")
    assert "interval=year" in page.url and "from=1990-01-01" in page.url
    assert page.locator("[role=alert]").count() == 0
    assert page.locator("svg.timeline title").first.text_content().startswith(
        "Số bài theo năm")


def test_exclude_chip_on_an_official_page(page):
    for v in page.request.get("/api/facets/official").json()["values"]:
        record = page.request.get(f"/api/officials/{v['slug']}").json()
        chips = [("program", "chương trình", p) for p in record["programs"]] + \
                [("province", "tỉnh/thành", p) for p in record["provinces"]]
        chip = next((c for c in chips if c[2]["count"] < record["article_count"]), None)
        if chip:
            break
    else:
        pytest.fail("no official in the session archive with a chip that leaves some out")
    name, kind, value = chip[0], chip[1], chip[2]["value"]
    page.goto(f"/officials/{v['slug']}")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("link", name=f"Loại trừ {kind} {value}", exact=True).click()
    assert f"-{name}=" in page.url and "official=" in page.url
    assert total(page) == record["article_count"] - chip[2]["count"] > 0
    assert page.locator(".active .chip.excluded", has_text=value).count() == 1
