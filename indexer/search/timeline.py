"""The timeline of a match set: day, week, month or year buckets, chosen by the range.

Like Kibana's auto interval: the finest calendar interval whose buckets over the range fit
in ``MAX_BUCKETS`` (Kibana's ``histogram:maxBars`` default is 100 too).  The range is the
request's ``from``/``to``; an open end is the first or last dated match.  Buckets are
calendar-aligned (weeks are ISO weeks, Monday to Sunday) and continuous (empty ones
included, so gaps show), so each one is a ``from``/``to`` filter of its own: a bucket's count
is exactly what filtering on its dates finds (a bucket the request's ``from`` or ``to``
cuts starts or ends there).  Days are Vietnam's (UTC+7), as the date
filter's.

>>> choose_interval(date(2024, 3, 1), date(2024, 3, 31))
'day'
>>> choose_interval(date(2024, 1, 1), date(2024, 12, 31))
'week'
>>> choose_interval(date(2019, 3, 1), date(2026, 9, 30))
'month'
>>> choose_interval(date(1995, 1, 1), date(2026, 1, 1))
'year'
>>> [(b.key, b.start.isoformat(), b.end.isoformat())
...  for b in buckets(date(2024, 2, 28), date(2024, 3, 4), "week")]
[('2024-W09', '2024-02-26', '2024-03-03'), ('2024-W10', '2024-03-04', '2024-03-10')]
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from indexer.search.request import INTERVALS, SearchError

__all__ = ["INTERVALS", "MAX_BUCKETS", "MAX_FORCED_BUCKETS", "Bucket", "choose_interval",
           "bucket_start", "buckets", "histogram", "local_days", "timeline_of", "EPOCH", "bucket_count"]

MAX_BUCKETS = 100
# An interval asked for explicitly may be finer, up to this many buckets.
MAX_FORCED_BUCKETS = 1000
EPOCH = date(1970, 1, 1)
_LOCAL_OFFSET = 7 * 3600  # Vietnam keeps UTC+7 all year (no daylight saving)


@dataclass(frozen=True)
class Bucket:
    key: str      # 2024-03-05 · 2024-W10 · 2024-03 · 2024
    start: date   # first day covered
    end: date     # last day covered


def local_days(published: np.ndarray) -> np.ndarray:
    """Unix seconds → days since 1970-01-01 in Vietnam; ``-1`` (undated) stays ``-1``."""
    return np.where(published >= 0, (published + _LOCAL_OFFSET) // 86400, -1)


def bucket_start(d: date, interval: str) -> date:
    """The first day of the bucket holding ``d``."""
    if interval == "day":
        return d
    if interval == "week":
        return d - timedelta(days=d.weekday())
    if interval == "month":
        return d.replace(day=1)
    return d.replace(month=1, day=1)


def _next(start: date, interval: str) -> date:
    if interval == "day":
        return start + timedelta(days=1)
    if interval == "week":
        return start + timedelta(days=7)
    if interval == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def _key(start: date, interval: str) -> str:
    if interval == "day":
        return start.isoformat()
    if interval == "week":
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if interval == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}"


def bucket_count(first: date, last: date, interval: str) -> int:
    """How many buckets of ``interval`` cover ``first``..``last``."""
    if interval == "day":
        return (last - first).days + 1
    if interval == "week":
        return (bucket_start(last, "week") - bucket_start(first, "week")).days // 7 + 1
    if interval == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def choose_interval(first: date, last: date) -> str:
    """The finest interval with at most ``MAX_BUCKETS`` buckets over the range."""
    for interval in INTERVALS[:-1]:
        if bucket_count(first, last, interval) <= MAX_BUCKETS:
            return interval
    return "year"


def buckets(first: date, last: date, interval: str) -> list[Bucket]:
    """The continuous calendar buckets covering ``first``..``last``."""
    out = []
    start = bucket_start(first, interval)
    while start <= last:
        try:
            following = _next(start, interval)
        except (ValueError, OverflowError):  # the bucket holding 9999-12-31
            out.append(Bucket(_key(start, interval), start, date.max))
            break
        out.append(Bucket(_key(start, interval), start, following - timedelta(days=1)))
        start = following
    return out


def _day(n: int) -> date:
    return EPOCH + timedelta(days=int(n))


def histogram(days: np.ndarray, date_from: date | None, date_to: date | None,
              interval: str | None = None) -> tuple[str, list[dict]]:
    """(interval, ``[{key, start, end, count}]``) for the local days of the dated matches.

    ``interval`` None chooses one; an explicit one raises ValueError past
    ``MAX_FORCED_BUCKETS`` buckets."""
    if len(days):
        first = date_from or _day(days.min())
        last = date_to or _day(days.max())
        if interval is None and bucket_count(first, last, "year") > MAX_BUCKETS:
            # an open-ended century of empty years says nothing: keep to the matches' years
            first, last = max(first, _day(days.min())), min(last, _day(days.max()))
    elif date_from and date_to:
        first, last = date_from, date_to
    else:
        return interval or "month", []
    if interval is None:
        interval = choose_interval(first, last)
    elif bucket_count(first, last, interval) > MAX_FORCED_BUCKETS:
        raise ValueError(f"interval {interval!r} gives "
                         f"{bucket_count(first, last, interval)} buckets over "
                         f"{first}..{last} (at most {MAX_FORCED_BUCKETS}); narrow the dates "
                         f"or choose a coarser interval")
    if not len(days):
        return interval, []
    # A bucket cut by an explicit from/to covers only the days asked for, so that its
    # count is what clicking it (filtering on its start and end) finds.
    lo, hi = date_from or date.min, date_to or date.max
    spans = [Bucket(b.key, max(b.start, lo), min(b.end, hi))
             for b in buckets(first, last, interval)]
    edges = np.array([(b.start - EPOCH).days for b in spans]
                     + [(spans[-1].end - EPOCH).days + 1])
    where = np.searchsorted(edges, days, side="right") - 1
    counts = np.bincount(where, minlength=len(spans))  # the range holds every dated match
    return interval, [{"key": b.key, "start": b.start.isoformat(), "end": b.end.isoformat(),
                       "count": int(c)} for b, c in zip(spans, counts.tolist())]


def timeline_of(days: np.ndarray, total: int, date_from: date | None, date_to: date | None,
                interval: str | None = None) -> dict:
    """The API's ``timeline``: ``{interval, buckets, undated}``, where the buckets' counts
    plus ``undated`` are ``total`` (``days``: the local days of the dated matches)."""
    try:
        chosen, got = histogram(days, date_from, date_to, interval)
    except ValueError as exc:
        raise SearchError(str(exc), "too_many_buckets") from None
    return {"interval": chosen, "buckets": got, "undated": total - len(days)}
