"""The timeline chart: continuous month bars (gaps shown), years past eight years."""
from __future__ import annotations

from web.timeline import MAX_MONTH_BARS, bars, timeline_svg


def test_months_between_are_filled_with_zero_bars():
    b = bars([{"month": "2024-11", "count": 3}, {"month": "2025-02", "count": 1}])
    assert [(x.label, x.count) for x in b] == [("11/2024", 3), ("12/2024", 0), ("01/2025", 0),
                                                ("02/2025", 1)]
    assert b[1].start == "2024-12-01" and b[1].end == "2024-12-31"
    assert b[3].end == "2025-02-28"


def test_long_spans_become_years():
    months = [{"month": "2001-05", "count": 2}, {"month": "2001-09", "count": 1},
              {"month": "2024-01", "count": 4}]
    b = bars(months)
    assert len(b) == 24 and b[0].label == "2001" and b[0].count == 3 and b[-1].count == 4
    assert (2024 - 2001) * 12 > MAX_MONTH_BARS


def test_no_dated_months_no_bars():
    assert bars([]) == [] and bars([{"month": "", "count": 5}]) == []


def test_svg_links_each_bar_to_its_range():
    svg = timeline_svg([{"month": "2024-11", "count": 3}, {"month": "2024-12", "count": 1}],
                       lambda start, end: f"/?from={start}&to={end}")
    assert "<svg" in svg and "/?from=2024-11-01&amp;to=2024-11-30" in svg
    assert "/?from=2024-12-01&amp;to=2024-12-31" in svg


def test_a_single_bar_is_not_drawn():
    assert timeline_svg([{"month": "2024-11", "count": 3}], lambda s, e: "/") == ""
