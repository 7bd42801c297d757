"""The "số bài theo thời gian" chart: server-side inline SVG, one link per bar, no JS library.

The bars are the API's ``timeline`` buckets (day, week, month or year, chosen by the range
in ``indexer.search.timeline``), labelled in Vietnamese.

>>> tl = {"interval": "month", "buckets": [
...     {"key": "2024-11", "start": "2024-11-01", "end": "2024-11-30", "count": 3},
...     {"key": "2024-12", "start": "2024-12-01", "end": "2024-12-31", "count": 0}]}
>>> svg = timeline_svg(tl, lambda a, b: f"?from={a}&to={b}")
>>> "<title" in svg and "from=2024-11-01" in svg and "to=2024-12-31" in svg
True
>>> [(b.label, b.count) for b in bars(tl)]
[('11/2024', 3), ('12/2024', 0)]
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

__all__ = ["Bar", "bars", "timeline_svg", "UNIT_NAMES", "INTERVAL_LABELS", "volume_of", "share"]

WIDTH, HEIGHT, AXIS = 720, 150, 22
UNIT_NAMES = {"day": "ngày", "week": "tuần", "month": "tháng", "year": "năm"}
# The page's "chia cột theo" choices; "auto" is the API's default (no ``interval``).
INTERVAL_LABELS = {"auto": "Tự động", "day": "Ngày", "week": "Tuần", "month": "Tháng",
                   "year": "Năm"}


@dataclass(frozen=True)
class Bar:
    label: str        # "05/03/2024", "tuần 10/2024", "11/2024" or "2024"
    text: str         # the label said in full (a week's dates too)
    start: str        # YYYY-MM-DD, first day covered
    end: str          # YYYY-MM-DD, last day covered
    count: int


def _dmy(iso: str) -> str:
    return f"{iso[8:10]}/{iso[5:7]}/{iso[:4]}"


def _span(start: str, end: str) -> str:
    """``04/03–10/03/2024``; the year twice when the span crosses one."""
    return f"{_dmy(start)[:5] if start[:4] == end[:4] else _dmy(start)}–{_dmy(end)}"


def _labels(interval: str, start: str, end: str) -> tuple[str, str]:
    if interval == "day":
        return _dmy(start), _dmy(start)
    if interval == "week":
        year, week, _ = date.fromisoformat(start).isocalendar()
        label = f"tuần {week}/{year}"
        return label, f"{label} ({_span(start, end)})"
    label = f"{start[5:7]}/{start[:4]}" if interval == "month" else start[:4]
    whole = date.fromisoformat(end) + timedelta(days=1)
    if start.endswith("-01" if interval == "month" else "-01-01") and \
            whole.day == 1 and (interval == "month" or whole.month == 1):
        return label, label
    return label, f"{label} ({_span(start, end)})"  # cut by the date filter


def bars(timeline: dict | None) -> list[Bar]:
    """One bar per bucket of an API ``timeline`` (``{interval, buckets}``)."""
    if not timeline:
        return []
    interval = timeline.get("interval") or "month"
    return [Bar(*_labels(interval, b["start"], b["end"]), b["start"], b["end"], int(b["count"]))
            for b in timeline.get("buckets", [])]


def volume_of(bar: Bar, volume: dict[str, int]) -> int:
    """The archive's article count in a bar (``volume``: bucket start → count, the whole
    archive bucketed at the same interval)."""
    return volume.get(bar.start, 0)


def share(count: int, of: int) -> float:
    """``count`` as a fraction of ``of`` (0 when the archive has nothing then).

    >>> share(3, 12), share(0, 0)
    (0.25, 0.0)
    """
    return count / of if of else 0.0


def timeline_svg(timeline: dict | None, link: Callable[[str, str], str],
                 selected: tuple[str | None, str | None] = (None, None),
                 volume: dict[str, int] | None = None) -> Markup:
    """An accessible bar chart; ``link(start, end)`` gives each bar's filtering URL.

    With ``volume`` (the whole archive's count per bucket, same interval) bar heights are
    the matches' share of everything archived then, so a month the archive holds more of
    does not look like more coverage."""
    data = bars(timeline)
    if len(data) < 2:  # one bar says nothing a count does not
        return Markup("")
    total = sum(b.count for b in data)
    heights = [share(b.count, volume_of(b, volume)) if volume is not None else float(b.count)
               for b in data]
    peak = max(heights) or 1
    # A few bars stay slim and centred instead of stretching into blocks.
    step = min(WIDTH / len(data), 56.0)
    offset = (WIDTH - step * len(data)) / 2
    gap = max(min(step * 0.25, 14.0), min(2.0, step * 0.2))
    plot = HEIGHT - AXIS
    unit = UNIT_NAMES.get((timeline or {}).get("interval") or "month", "tháng")
    title = f"Số bài theo {unit}: {total} bài, từ {data[0].label} đến {data[-1].label}"
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'aria-labelledby="tl-title" role="group" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="tl-title">{escape(title)}</title>',
             f'<line class="axis" x1="0" y1="{plot}" x2="{WIDTH}" y2="{plot}"/>']
    label_every = max(1, -(-len(data) // 6))  # at most ~6 labels: readable on a phone
    last_right = float("-inf")
    for i, b in enumerate(data):
        h = 0.0 if b.count == 0 else max(2.0, plot * heights[i] / peak)
        x = offset + i * step + gap / 2
        chosen = selected == (b.start, b.end)
        cls = "bar selected" if chosen else "bar"
        text = f"{b.text}: {b.count} bài"
        if volume is not None:
            pct = f"{100 * heights[i]:.1f}".replace(".", ",")
            text += f" ({pct}% trong {volume_of(b, volume)} bài của kho)"
        # The full-height hit area keeps short bars easy to click and to focus.
        parts.append(
            f'<a href="{escape(link(b.start, b.end))}" aria-label="{escape(text)}" '
            f'data-start="{b.start}" data-end="{b.end}">'
            f'<rect class="hit" x="{x:.1f}" y="0" width="{step - gap:.1f}" height="{plot}"/>'
            f'<rect class="{cls}" x="{x:.1f}" y="{plot - h:.1f}" width="{step - gap:.1f}" '
            f'height="{h:.1f}"><title>{escape(text)}</title></rect></a>')
        half = max(28.0, 4.2 * len(b.label))  # about half the label's width at 13px
        cx = min(max(x + (step - gap) / 2, half), WIDTH - half)  # keep labels inside
        if i % label_every == 0 and cx - half > last_right:  # long week labels: no overlap
            last_right = cx + half
            parts.append(f'<text class="tick" x="{cx:.1f}" y="{HEIGHT - 6}" '
                         f'text-anchor="middle">{escape(b.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
