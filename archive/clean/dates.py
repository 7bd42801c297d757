"""Date parsing for Vietnamese news pages: ISO 8601 variants and visible date lines.

Every result is timezone-aware; a time without a zone is Vietnam time (+07:00).

>>> parse_date("2026-03-07T08:52:11.000 +07:00").isoformat()
'2026-03-07T08:52:11+07:00'
>>> find_visible_date("Thứ Bảy, 7/3/2026, 08:05 (GMT+7)").isoformat()
'2026-03-07T08:05:00+07:00'
>>> find_visible_date("Nguyên Minh - 07/03/2026 08:47").isoformat()
'2026-03-07T08:47:00+07:00'
>>> parse_date("3/24/2024 7:12:35 PM").isoformat()
'2024-03-24T19:12:35+07:00'
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from archive.article import VN_TZ

__all__ = ["parse_date", "find_visible_date"]

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:[.,]\d+)?)?"
    r"\s*(Z|GMT|UTC|[+-]\d{2}:?\d{2})?", re.I)
# "7/3/2026, 08:05", "07/03/2026 08:47", "08:07 07/03/2026", "7-3-2026 - 08:05"
_DMY = r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"
_HM = r"(\d{1,2})[:hH](\d{2})(?::(\d{2}))?"
# A 12-hour clock ("7:12:35 AM", "01:00 PM") is the US locale of ASP.NET, vBulletin and
# friends, which also write the month first: 3/24/2024, 03-08-2011 (8 March).
_AMPM = r"(?:\s*([AaPp])\.?[Mm]\b\.?)?"
_DATE_THEN_TIME = re.compile(_DMY + r"(?:\s*[,|\-–]?\s*(?:lúc\s*)?" + _HM + _AMPM + r")?")
_TIME_THEN_DATE = re.compile(_HM + _AMPM + r"\s*(?:ngày\s*)?[,|\-–]?\s*(?:[^\d\s]{0,12}\s*,?\s*)?"
                             + _DMY)
_GMT = re.compile(r"GMT\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)


def _tz(token: str | None) -> timezone:
    if not token or token.upper() in ("GMT", "UTC", "Z"):
        return timezone.utc if token else VN_TZ
    sign = -1 if token[0] == "-" else 1
    digits = token[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


def _make(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0,
          tz: timezone = VN_TZ) -> datetime | None:
    if not (1990 <= y <= 2100):
        return None
    try:
        value = datetime(y, mo, d, h, mi, s, tzinfo=tz)
    except ValueError:
        return None
    return value if tz is VN_TZ else value.astimezone(VN_TZ)


def parse_date(text: str | None) -> datetime | None:
    """ISO-ish machine dates (meta, JSON-LD, ``<time datetime>``); visible lines as fallback."""
    if not text:
        return None
    text = text.strip()
    m = _ISO.search(text)
    if m:
        y, mo, d, h, mi, s, zone = m.groups()
        return _make(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), _tz(zone))
    return find_visible_date(text)


def _clock(h: int, ampm: str | None) -> int:
    if not ampm:
        return h
    return h % 12 + (12 if ampm.lower() == "p" else 0)


def _day_month(a: int, b: int, us: bool) -> list[tuple[int, int]]:
    """(day, month) readings of "a/b/year": day first as Vietnamese sites write it, month
    first on a 12-hour-clock (US-locale) line; the other order only when the first is no
    date at all (3/24/2024)."""
    first, other = ((b, a), (a, b)) if us else ((a, b), (b, a))
    return [first, other]


def _dated(y: str, a: str, b: str, h: str | None, mi: str | None, s: str | None,
           ampm: str | None, zone: timezone) -> datetime | None:
    hour = _clock(int(h), ampm) if h is not None else 0
    if hour >= 24:
        h = mi = s = None
        hour = 0
    for d, mo in _day_month(int(a), int(b), ampm is not None):
        value = _make(int(y), mo, d, hour, int(mi or 0), int(s or 0), zone)
        if value:
            return value
    return None


def find_visible_date(text: str) -> datetime | None:
    """First day/month/year date (with its time, if any) in a visible line."""
    zone = VN_TZ
    g = _GMT.search(text)
    if g:
        sign = "-" if g.group(1) == "-" else "+"
        zone = _tz(f"{sign}{int(g.group(2)):02d}{g.group(3) or '00'}")
    best: tuple[int, datetime] | None = None
    m = _TIME_THEN_DATE.search(text)
    if m:
        h, mi, s, ampm, d, mo, y = m.groups()
        value = _dated(y, d, mo, h, mi, s, ampm, zone) if int(h) < 24 else None
        if value:
            best = (m.start(), value)
    m = _DATE_THEN_TIME.search(text)
    if m and (best is None or m.start() < best[0]):
        d, mo, y, h, mi, s, ampm = m.groups()
        value = _dated(y, d, mo, h, mi, s, ampm, zone)
        if value:
            best = (m.start(), value)
    return best[1] if best else None
