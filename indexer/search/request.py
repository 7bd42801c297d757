"""A search request and its validation (entry point: ``SearchRequest``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime

from archive.article import VN_TZ
from indexer.schema import FACET_FIELDS

__all__ = ["SearchRequest", "SearchError", "FACETS", "SORTS", "MAX_PER_PAGE", "MAX_PAGE",
           "day_start", "day_end", "INTERVALS"]

FACETS = FACET_FIELDS
SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
INTERVALS = ("day", "week", "month", "year")  # of the timeline (search.timeline)


class SearchError(ValueError):
    """A request that cannot be answered as asked (→ HTTP 400 / CLI error)."""

    def __init__(self, message: str, code: str = "bad_request") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # facet values whose articles are left out (``-province=…``), applied like a filter
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facet_limit: int = 10
    with_snippets: bool = True
    # False: hits only ("bare") — no facet counts, month histogram or did-you-mean
    with_facets: bool = True
    # the timeline's buckets: None chooses by the range (``search.timeline``)
    interval: str | None = None

    def validate(self) -> None:
        if self.sort not in SORTS:
            raise SearchError(f"sort must be one of {', '.join(SORTS)}")
        if not 1 <= self.page <= MAX_PAGE:
            raise SearchError(f"page must be between 1 and {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if self.interval is not None and self.interval not in INTERVALS:
            raise SearchError(f"interval must be one of {', '.join(INTERVALS)}")
        unknown = (set(self.filters) | set(self.exclude)) - set(FACETS)
        if unknown:
            raise SearchError(f"unknown filter {sorted(unknown)[0]!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise SearchError("'from' is after 'to'")


def day_start(d: date | None) -> int | None:
    return int(datetime.combine(d, dtime.min, VN_TZ).timestamp()) if d else None


def day_end(d: date | None) -> int | None:
    return int(datetime.combine(d, dtime.max, VN_TZ).timestamp()) if d else None
