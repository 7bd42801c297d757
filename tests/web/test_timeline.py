"""The timeline chart: one bar per API bucket, labelled in Vietnamese for each interval."""
from __future__ import annotations

import re

from web.timeline import bars, timeline_svg


def _tl(interval, *spans):
    return {"interval": interval, "buckets": [
        {"key": k, "start": s, "end": e, "count": c} for k, s, e, c in spans]}


def test_each_interval_is_labelled_in_vietnamese():
    day = bars(_tl("day", ("2024-02-29", "2024-02-29", "2024-02-29", 2)))
    week = bars(_tl("week", ("2025-W01", "2024-12-30", "2025-01-05", 1),
                    ("2025-W02", "2025-01-06", "2025-01-12", 0)))
    month = bars(_tl("month", ("2024-02", "2024-02-01", "2024-02-29", 3)))
    year = bars(_tl("year", ("2024", "2024-01-01", "2024-12-31", 4)))
    assert (day[0].label, day[0].text) == ("29/02/2024", "29/02/2024")
    assert [(b.label, b.text) for b in week] == [
        ("tuần 1/2025", "tuần 1/2025 (30/12/2024–05/01/2025)"),
        ("tuần 2/2025", "tuần 2/2025 (06/01–12/01/2025)")]
    assert (month[0].label, month[0].text) == ("02/2024", "02/2024")
    assert (year[0].label, year[0].text) == ("2024", "2024")


def test_a_bucket_cut_by_the_date_filter_says_its_days():
    cut = bars(_tl("month", ("2024-03", "2024-03-15", "2024-03-31", 1)))[0]
    assert cut.text == "03/2024 (15/03–31/03/2024)"
    year = bars(_tl("year", ("2024", "2024-01-01", "2024-06-30", 1)))[0]
    assert year.text == "2024 (01/01–30/06/2024)"


def test_no_buckets_no_bars():
    assert bars(None) == [] and bars(_tl("month")) == []


def test_svg_links_each_bar_to_its_range_and_names_the_interval():
    svg = timeline_svg(_tl("day", ("2024-02-28", "2024-02-28", "2024-02-28", 3),
                           ("2024-02-29", "2024-02-29", "2024-02-29", 1)),
                       lambda start, end: f"/?from={start}&to={end}")
    assert "<svg" in svg and "/?from=2024-02-29&amp;to=2024-02-29" in svg
    assert "Số bài theo ngày: 4 bài, từ 28/02/2024 đến 29/02/2024" in svg
    assert 'aria-label="28/02/2024: 3 bài"' in svg
    weeks = timeline_svg(_tl("week", ("2024-W09", "2024-02-26", "2024-03-03", 2),
                             ("2024-W10", "2024-03-04", "2024-03-10", 0)),
                         lambda start, end: f"/?from={start}&to={end}",
                         selected=("2024-03-04", "2024-03-10"))
    assert "Số bài theo tuần" in weeks and 'data-start="2024-03-04" data-end="2024-03-10"' in weeks
    assert weeks.count('class="bar selected"') == 1


def test_normalised_heights_use_the_same_buckets():
    svg = timeline_svg(_tl("week", ("2024-W09", "2024-02-26", "2024-03-03", 2),
                           ("2024-W10", "2024-03-04", "2024-03-10", 1)),
                       lambda s, e: "/", volume={"2024-02-26": 8, "2024-03-04": 1})
    assert "tuần 9/2024 (26/02–03/03/2024): 2 bài (25,0% trong 8 bài của kho)" in svg
    assert "(100,0% trong 1 bài của kho)" in svg


def test_a_single_bar_is_not_drawn():
    assert timeline_svg(_tl("month", ("2024-11", "2024-11-01", "2024-11-30", 3)),
                        lambda s, e: "/") == ""


def test_long_week_labels_do_not_overlap():
    from datetime import date, timedelta
    monday = date(2019, 3, 25)
    weeks = [(monday + timedelta(weeks=i)).isoformat() for i in range(390)]
    spans = [(w, w, (date.fromisoformat(w) + timedelta(days=6)).isoformat(), i % 3)
             for i, w in enumerate(weeks)]
    svg = str(timeline_svg(_tl("week", *spans), lambda a, b: "?"))
    ticks = [(float(x), label) for x, label in
             re.findall(r'<text class="tick" x="([\d.]+)"[^>]*>([^<]+)</text>', svg)]
    assert len(ticks) >= 4 and ticks[0][1] == "tuần 13/2019"
    for (x1, a), (x2, b) in zip(ticks, ticks[1:]):  # ~8.4px a character at 13px
        assert x2 - 4.2 * len(b) > x1 + 4.2 * len(a), (a, b)
