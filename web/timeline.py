"""The "bài theo tháng" chart: server-side inline SVG, one link per bar, no JS library.

>>> months = [{"month": "2024-11", "count": 3}, {"month": "2025-02", "count": 1}]
>>> svg = timeline_svg(months, lambda a, b: f"?from={a}&to={b}")
>>> "<title" in svg and "from=2024-11-01" in svg and "to=2025-02-28" in svg
True
>>> [b.count for b in bars(months)]
[3, 0, 0, 1]
"""
from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["Bar", "bars", "timeline_svg"]

# Beyond this many months one bar per month gets too thin to click: bars become years.
MAX_MONTH_BARS = 96
WIDTH, HEIGHT, AXIS = 720, 150, 22


@dataclass(frozen=True)
class Bar:
    label: str        # "11/2024" or "2024"
    start: str        # YYYY-MM-DD, first day covered
    end: str          # YYYY-MM-DD, last day covered
    count: int


def _months_between(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def bars(months: Sequence[dict]) -> list[Bar]:
    """Continuous bars (empty months included, so gaps show) from ``[{month, count}]``."""
    counts = {m["month"]: int(m["count"]) for m in months if len(m.get("month", "")) == 7}
    if not counts:
        return []
    span = _months_between(min(counts), max(counts))
    if len(span) <= MAX_MONTH_BARS:
        out = []
        for ym in span:
            y, m = int(ym[:4]), int(ym[5:7])
            last = calendar.monthrange(y, m)[1]
            out.append(Bar(f"{m:02d}/{y}", f"{ym}-01", f"{ym}-{last:02d}", counts.get(ym, 0)))
        return out
    years: dict[int, int] = {}
    for ym in span:
        years[int(ym[:4])] = years.get(int(ym[:4]), 0) + counts.get(ym, 0)
    return [Bar(str(y), f"{y:04d}-01-01", f"{y:04d}-12-31", c) for y, c in sorted(years.items())]


def volume_of(bar: Bar, volume: dict[str, int]) -> int:
    """The archive's article count over a bar's months (``volume``: month → count)."""
    return sum(volume.get(m, 0) for m in _months_between(bar.start[:7], bar.end[:7]))


def share(count: int, of: int) -> float:
    """``count`` as a fraction of ``of`` (0 when the archive has nothing then).

    >>> share(3, 12), share(0, 0)
    (0.25, 0.0)
    """
    return count / of if of else 0.0


def timeline_svg(months: Sequence[dict], link: Callable[[str, str], str],
                 selected: tuple[str | None, str | None] = (None, None),
                 volume: dict[str, int] | None = None) -> Markup:
    """An accessible bar chart; ``link(start, end)`` gives each bar's filtering URL.

    With ``volume`` (the whole archive's count per month) bar heights are the matches'
    share of everything archived that month, so a month the archive holds more of does not
    look like more coverage."""
    data = bars(months)
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
    title = (f"Số bài theo {'tháng' if '/' in data[0].label else 'năm'}: {total} bài, "
             f"từ {data[0].label} đến {data[-1].label}")
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'aria-labelledby="tl-title" role="group" '
             f'xmlns="http://www.w3.org/2000/svg">',
             f'<title id="tl-title">{escape(title)}</title>',
             f'<line class="axis" x1="0" y1="{plot}" x2="{WIDTH}" y2="{plot}"/>']
    label_every = max(1, -(-len(data) // 6))  # at most ~6 labels: readable on a phone
    for i, b in enumerate(data):
        h = 0.0 if b.count == 0 else max(2.0, plot * heights[i] / peak)
        x = offset + i * step + gap / 2
        chosen = selected == (b.start, b.end)
        cls = "bar selected" if chosen else "bar"
        text = f"{b.label}: {b.count} bài"
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
        if i % label_every == 0:
            cx = min(max(x + (step - gap) / 2, 28.0), WIDTH - 28.0)  # keep labels inside
            parts.append(f'<text class="tick" x="{cx:.1f}" y="{HEIGHT - 6}" '
                         f'text-anchor="middle">{escape(b.label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
