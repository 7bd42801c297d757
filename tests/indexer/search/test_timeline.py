"""The timeline's interval choice and calendar buckets (pure functions, no index)."""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from indexer.search import SearchError
from indexer.search.timeline import (EPOCH, MAX_BUCKETS, bucket_count, bucket_start, buckets,
                                     choose_interval, histogram, local_days, timeline_of)


def _days(*isos: str) -> np.ndarray:
    return np.array([(date.fromisoformat(d) - EPOCH).days for d in isos], dtype=np.int64)


@pytest.mark.parametrize("first, last, expected", [
    ("2024-03-05", "2024-03-05", "day"),
    ("2024-03-01", "2024-03-31", "day"),        # a few weeks: days
    ("2024-01-01", "2024-04-09", "day"),        # 100 days: still days
    ("2024-01-01", "2024-04-10", "week"),       # 101 days: weeks
    ("2024-01-01", "2024-12-31", "week"),       # a year: 53 ISO weeks
    ("2024-01-01", "2025-12-31", "month"),      # two years: 105 weeks, so months
    ("2019-03-26", "2026-09-08", "month"),      # the session archive: 91 months
    ("2017-01-01", "2025-04-30", "month"),      # exactly 100 months
    ("2017-01-01", "2025-05-01", "year"),       # 101 months: years
    ("1975-04-30", "2026-01-01", "year"),       # decades: years
])
def test_interval_is_the_finest_that_fits(first, last, expected):
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    got = choose_interval(a, b)
    assert got == expected
    assert got == "year" or bucket_count(a, b, got) <= MAX_BUCKETS
    finer = ("day", "week", "month", "year").index(got) - 1
    if finer >= 0:
        assert bucket_count(a, b, ("day", "week", "month")[finer]) > MAX_BUCKETS


def test_weeks_are_iso_weeks_monday_to_sunday():
    got = buckets(date(2024, 12, 28), date(2025, 1, 7), "week")
    assert [(b.key, b.start.isoformat(), b.end.isoformat()) for b in got] == [
        ("2024-W52", "2024-12-23", "2024-12-29"),
        ("2025-W01", "2024-12-30", "2025-01-05"),   # week 1 of 2025 starts in 2024
        ("2025-W02", "2025-01-06", "2025-01-12")]
    assert all(b.start.weekday() == 0 and b.end.weekday() == 6 for b in got)
    assert bucket_start(date(2024, 3, 3), "week") == date(2024, 2, 26)   # a Sunday
    assert bucket_start(date(2024, 3, 4), "week") == date(2024, 3, 4)    # a Monday
    assert buckets(date(2020, 12, 31), date(2020, 12, 31), "week")[0].key == "2020-W53"


def test_month_ends_and_the_leap_day():
    got = buckets(date(2023, 12, 15), date(2024, 4, 2), "month")
    assert [(b.key, b.start.day, b.end.isoformat()) for b in got] == [
        ("2023-12", 1, "2023-12-31"), ("2024-01", 1, "2024-01-31"),
        ("2024-02", 1, "2024-02-29"), ("2024-03", 1, "2024-03-31"),
        ("2024-04", 1, "2024-04-30")]
    assert buckets(date(2023, 2, 1), date(2023, 2, 1), "month")[0].end == date(2023, 2, 28)
    assert buckets(date(1900, 2, 1), date(1900, 2, 1), "month")[0].end == date(1900, 2, 28)
    days = buckets(date(2024, 2, 28), date(2024, 3, 1), "day")
    assert [b.key for b in days] == ["2024-02-28", "2024-02-29", "2024-03-01"]
    assert [(b.key, b.end.isoformat()) for b in buckets(date(2023, 6, 1), date(2024, 2, 1),
                                                        "year")] == [
        ("2023", "2023-12-31"), ("2024", "2024-12-31")]


def test_buckets_are_continuous_and_cover_the_range():
    for interval in ("day", "week", "month", "year"):
        got = buckets(date(2023, 11, 20), date(2024, 3, 10), interval)
        assert got[0].start <= date(2023, 11, 20) and got[-1].end >= date(2024, 3, 10)
        assert all(a.end + timedelta(days=1) == b.start for a, b in zip(got, got[1:]))
        assert len(got) == bucket_count(date(2023, 11, 20), date(2024, 3, 10), interval)
    assert buckets(date(9999, 12, 1), date(9999, 12, 31), "month")[-1].end == date.max


def test_local_days_are_vietnam_days():
    # 2024-03-03 17:30 UTC is 00:30 on Monday the 4th in Vietnam
    ts = np.array([1709487000, 1709487000 - 3600, -1], dtype=np.int64)
    assert [EPOCH + timedelta(days=int(d)) if d >= 0 else None for d in local_days(ts)] == [
        date(2024, 3, 4), date(2024, 3, 3), None]


def test_histogram_counts_every_dated_match_once():
    days = _days("2024-02-28", "2024-02-29", "2024-02-29", "2024-03-03", "2024-03-04")
    interval, got = histogram(days, None, None)
    assert interval == "day" and [b["count"] for b in got] == [1, 2, 0, 0, 1, 1]
    interval, got = histogram(days, None, None, "week")
    assert [(b["key"], b["count"]) for b in got] == [("2024-W09", 4), ("2024-W10", 1)]
    interval, got = histogram(days, None, None, "month")
    assert [(b["key"], b["count"]) for b in got] == [("2024-02", 2 + 1), ("2024-03", 2)]
    assert sum(b["count"] for b in got) == len(days)


def test_an_explicit_range_cuts_the_outer_buckets():
    days = _days("2024-01-03", "2024-12-30")
    interval, got = histogram(days, date(2024, 1, 1), date(2024, 12, 31))
    assert interval == "week" and len(got) == 53
    # ISO week 1 of 2024 starts on Monday 1 January; the last one runs into 2025
    assert (got[0]["start"], got[0]["end"]) == ("2024-01-01", "2024-01-07")
    assert (got[-1]["key"], got[-1]["start"], got[-1]["end"]) == (
        "2025-W01", "2024-12-30", "2024-12-31")
    _, got = histogram(_days("2024-03-20"), date(2024, 3, 15), None, "month")
    assert (got[0]["start"], got[0]["end"]) == ("2024-03-15", "2024-03-31")


def test_open_century_is_kept_to_the_matches_years():
    interval, got = histogram(_days("2020-05-01", "2024-05-01"), date(1800, 1, 1), None)
    assert interval == "month" and got[0]["key"] == "2020-05"


def test_undated_and_too_many_buckets():
    out = timeline_of(_days("2024-01-05"), 4, None, None)
    assert out == {"interval": "day", "undated": 3, "buckets": [
        {"key": "2024-01-05", "start": "2024-01-05", "end": "2024-01-05", "count": 1}]}
    assert timeline_of(_days(), 2, None, None) == {"interval": "month", "buckets": [],
                                                    "undated": 2}
    with pytest.raises(SearchError) as err:
        timeline_of(_days("2000-01-01", "2024-01-01"), 2, None, None, "day")
    assert err.value.code == "too_many_buckets" and "at most 1000" in str(err.value)
