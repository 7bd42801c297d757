"""The API's timeline over a real index: the interval follows the range, the buckets plus
the undated count are the total, and each bucket is exactly what its from/to filter finds."""
from __future__ import annotations

import json

import pytest

# (published, as the record gives it) — around a leap day, a week boundary (Sunday 3 /
# Monday 4 March 2024), a year end, and a UTC time that is already Monday in Vietnam.
DATES = ["2023-12-31T10:00:00+07:00", "2024-01-01T08:00:00+07:00",
         "2024-02-28T09:00:00+07:00", "2024-02-29T09:00:00+07:00",
         "2024-02-29T21:00:00+07:00", "2024-03-01T06:00:00+07:00",
         "2024-03-03T23:30:00+07:00", "2024-03-03T17:30:00+00:00",
         "2024-03-04T00:10:00+07:00", "2024-03-31T12:00:00+07:00",
         "2024-06-15T12:00:00+07:00", "2025-01-02T12:00:00+07:00"]
UNDATED = 2


@pytest.fixture(scope="module")
def tl_client(tmp_path_factory):
    from indexer import ingest_paths
    from web import create_app
    folder = tmp_path_factory.mktemp("timeline")
    records = folder / "dated.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for i, published in enumerate(DATES + [None] * UNDATED):
            record = {"url": f"https://dong-thoi-gian.example/bai-{i}",
                      "title": f"Chợ phiên vùng cao số {i}",
                      "body": f"Chợ phiên số {i} ở Hà Giang đông khách dịp cuối tuần."}
            if published:
                record["published"] = published
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    data = folder / "data"
    assert ingest_paths([records], data, workers=1).stored == len(DATES) + UNDATED
    return create_app({"DATA_DIR": str(data), "TESTING": True}).test_client()


def _search(client, **params):
    r = client.get("/api/search", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _sum(res):
    return sum(b["count"] for b in res["timeline"]["buckets"]) + res["timeline"]["undated"]


@pytest.mark.parametrize("params, interval", [
    ({}, "week"),                                               # 13 months: weeks
    ({"from": "2024-02-26", "to": "2024-03-10"}, "day"),
    ({"from": "2024-01-01", "to": "2024-12-31"}, "week"),
    ({"from": "2023-01-01", "to": "2025-12-31"}, "month"),
    ({"from": "2010-01-01", "to": "2025-12-31"}, "year"),
    ({"interval": "month"}, "month"),
    ({"q": "chợ phiên", "from": "2024-02-01", "to": "2024-03-31"}, "day"),
])
def test_buckets_and_undated_add_up_to_the_total(tl_client, params, interval):
    res = _search(tl_client, **params)
    assert res["timeline"]["interval"] == interval
    assert _sum(res) == res["total"] > 0
    assert res["timeline"]["undated"] == (0 if "from" in params else UNDATED)


def test_each_bucket_is_exactly_its_from_to_filter(tl_client):
    for params in ({}, {"from": "2024-02-26", "to": "2024-03-10"},
                   {"from": "2024-01-15", "to": "2024-12-31"}, {"interval": "month"}):
        res = _search(tl_client, **params)
        for b in res["timeline"]["buckets"]:
            got = _search(tl_client, **{k: v for k, v in params.items() if k == "interval"},
                          **{"from": b["start"], "to": b["end"]})
            assert got["total"] == b["count"], (params, b)


def test_days_and_weeks_are_vietnams(tl_client):
    days = {b["key"]: b["count"] for b in _search(
        tl_client, **{"from": "2024-02-26", "to": "2024-03-10"})["timeline"]["buckets"]}
    assert days["2024-02-29"] == 2 and days["2024-03-01"] == 1
    assert days["2024-03-03"] == 1 and days["2024-03-04"] == 2  # 17:30 UTC is Monday here
    weeks = {b["key"]: (b["start"], b["count"]) for b in _search(
        tl_client, **{"from": "2024-02-26", "to": "2024-03-10",
                      "interval": "week"})["timeline"]["buckets"]}
    assert weeks == {"2024-W09": ("2024-02-26", 5), "2024-W10": ("2024-03-04", 2)}
    months = {b["key"]: b["count"] for b in _search(
        tl_client, interval="month")["timeline"]["buckets"]}
    assert months["2024-02"] == 3 and months["2023-12"] == 1 and months["2024-04"] == 0


def test_bad_interval_is_a_clear_400(tl_client):
    r = tl_client.get("/api/search?interval=hour")
    assert r.status_code == 400 and "interval" in r.get_json()["error"]["message"]
    r = tl_client.get("/api/search?interval=day&from=1990-01-01&to=2024-01-01")
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "too_many_buckets"
    page = tl_client.get("/?interval=day&from=1990-01-01&to=2024-01-01")
    assert page.status_code == 400 and "thu hẹp" in page.get_data(as_text=True)


def test_the_page_draws_the_chosen_interval(tl_client):
    html = tl_client.get("/?from=2024-02-26&to=2024-03-10").get_data(as_text=True)
    assert "Số bài theo ngày: 12" not in html  # only the range's articles
    assert "Số bài theo ngày: 7 bài, từ 26/02/2024 đến 10/03/2024" in html
    assert 'href="?from=2024-02-29&amp;to=2024-02-29"' in html
    html = tl_client.get("/?from=2024-01-01&to=2024-12-31&norm=1").get_data(as_text=True)
    assert "Số bài theo tuần" in html and "trong cùng tuần" in html
    assert "tuần 9/2024 (26/02–03/03/2024): 5 bài (100,0% trong 5 bài của kho)" in html


# -- issue 19c: the page's "chia cột theo" select -----------------------------------------
def _page(client, status=200, **params):
    from bs4 import BeautifulSoup
    r = client.get("/", query_string=params)
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    return BeautifulSoup(r.get_data(as_text=True), "lxml")


def _choice(soup) -> tuple[str, list[str]]:
    select = soup.select_one("select#interval")
    assert soup.select_one("label[for=interval]").get_text() == "Chia cột theo"
    options = [o.get_text() for o in select.select("option")]
    return select.select_one("option[selected]")["value"], options


def test_interval_select_starts_on_auto_and_keeps_links_clean(tl_client):
    year = {"from": "2024-01-01", "to": "2024-12-31"}
    for extra in ({}, {"interval": "auto"}):
        soup = _page(tl_client, **year, **extra)
        assert _choice(soup) == ("auto", ["Tự động (tuần)", "Ngày", "Tuần", "Tháng", "Năm"])
        assert "Số bài theo tuần" in soup.select_one("svg.timeline title").get_text()
        hrefs = [a["href"] for a in soup.select("a[href]")]
        assert hrefs and not [h for h in hrefs if "interval=" in h]  # auto is the default


def test_a_chosen_interval_redraws_and_stays_in_the_links(tl_client):
    soup = _page(tl_client, interval="month", **{"from": "2024-01-01", "to": "2024-12-31"})
    assert _choice(soup)[0] == "month"
    assert soup.select_one("select#interval option[value=auto]").get_text() == "Tự động"
    assert "Số bài theo tháng" in soup.select_one("svg.timeline title").get_text()
    bars = soup.select("svg.timeline a[data-start]")
    assert len(bars) == 12 and all("interval=month" in a["href"] for a in bars)


def test_one_bar_keeps_the_select_to_choose_again(tl_client):
    soup = _page(tl_client, interval="year", **{"from": "2024-02-26", "to": "2024-03-10"})
    assert soup.select_one("svg.timeline") is None  # one bar says nothing
    assert _choice(soup)[0] == "year"
    assert "trong một năm" in soup.select_one(".one-bar").get_text()


def test_too_many_bars_says_so_in_vietnamese_and_keeps_the_form(tl_client):
    soup = _page(tl_client, 400, q="chợ", interval="day",
                 **{"from": "1990-01-01", "to": "2024-01-01"})
    alert = soup.select_one("[role=alert]")
    assert "thu hẹp khoảng ngày" in alert.get_text()
    select = alert.select_one("select#interval")
    assert select["aria-invalid"] == "true" and "error-msg" in select["aria-describedby"]
    assert _choice(alert)[0] == "day"
    assert alert.select_one("#from")["value"] == "1990-01-01"
    assert alert.select_one("#to")["value"] == "2024-01-01"
    assert soup.select_one("#q")["value"] == "chợ"
    assert len(soup.select("[name=interval]")) == 1 and len(soup.select("[name=from]")) == 1


def test_the_interval_survives_a_page_without_a_chart(tl_client):
    soup = _page(tl_client, q="zzqxy", interval="week")
    assert soup.select_one("select#interval") is None
    assert soup.select_one("input[type=hidden][name=interval]")["value"] == "week"
    soup = _page(tl_client, 400, q="chợ", interval="week", **{"from": "2025-01-01",
                                                              "to": "2024-01-01"})
    assert soup.select_one("input[type=hidden][name=interval]")["value"] == "week"
