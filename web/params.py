"""Query-string → SearchRequest, shared by the page and the API (one set of rules)."""
from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from indexer.search import FACETS, MAX_PAGE, MAX_PER_PAGE, SORTS, SearchError, SearchRequest

__all__ = ["request_from_args", "int_param", "FILTER_PARAMS"]

FILTER_PARAMS = FACETS
MAX_VALUE_CHARS = 200


def int_param(args: MultiDict, name: str, default: int, lo: int, hi: int) -> int:
    """An integer query parameter within [lo, hi]; a clear SearchError otherwise."""
    raw = args.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SearchError(f"'{name}' must be an integer, got {raw[:20]!r}") from None
    if not lo <= value <= hi:
        raise SearchError(f"'{name}' must be between {lo} and {hi}")
    return value


def _date(args: MultiDict, name: str) -> date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SearchError(f"'{name}' must be a date YYYY-MM-DD, got {raw[:20]!r}") from None


def request_from_args(args: MultiDict, *, default_per_page: int = 20) -> SearchRequest:
    for key, values in args.lists():
        for value in values:
            if "\x00" in value:
                raise SearchError(f"'{key}' contains a NUL character")
    sort = args.get("sort", "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise SearchError(f"'sort' must be one of {', '.join(SORTS)}")
    filters: dict[str, tuple[str, ...]] = {}
    for name in FILTER_PARAMS:
        values = tuple(v.strip() for v in args.getlist(name) if v.strip())
        if any(len(v) > MAX_VALUE_CHARS for v in values):
            raise SearchError(f"'{name}' value too long")
        if len(values) > 50:
            raise SearchError(f"too many '{name}' values (at most 50)")
        if values:
            filters[name] = values
    return SearchRequest(
        q=args.get("q", ""),
        filters=filters,
        date_from=_date(args, "from"),
        date_to=_date(args, "to"),
        sort=sort,
        page=int_param(args, "page", 1, 1, MAX_PAGE),
        per_page=int_param(args, "per_page", default_per_page, 1, MAX_PER_PAGE),
    )
