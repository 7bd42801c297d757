"""Query-string → SearchRequest, shared by the page and the API (one set of rules).

A bad parameter raises :class:`ParamError`: its message (English, the API's language) and a
Vietnamese ``hint`` for the page that says what to change, and the ``field`` to mark.
"""
from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from indexer.search import FACETS, MAX_PAGE, MAX_PER_PAGE, SORTS, SearchError, SearchRequest
from indexer.search.request import INTERVALS

__all__ = ["request_from_args", "int_param", "FILTER_PARAMS", "ParamError", "page_hint",
           "error_field", "EXCLUDE"]

FILTER_PARAMS = FACETS
MAX_VALUE_CHARS = 200
EXCLUDE = "-"  # ``-province=Long An``: leave that value's articles out
_VI_NAMES = {"page": "Số trang", "per_page": "Số kết quả mỗi trang", "limit": "Giới hạn",
             "from": "Ngày bắt đầu", "to": "Ngày kết thúc", "sort": "Cách sắp xếp",
             "interval": "Khoảng thời gian của biểu đồ"}


class ParamError(SearchError):
    """A parameter the request cannot use, with a Vietnamese hint for the search page."""

    def __init__(self, message: str, hint: str, field: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        self.field = field


def page_hint(exc: Exception) -> str:
    """The Vietnamese sentence the page shows for a failed request."""
    hint = getattr(exc, "hint", None)
    if hint:
        return hint
    if getattr(exc, "code", "") == "too_many_buckets":
        return ("Khoảng thời gian của biểu đồ quá nhỏ so với khoảng ngày đã chọn. Hãy thu hẹp "
                "khoảng ngày, hoặc chọn khoảng lớn hơn (tuần, tháng, năm).")
    if getattr(exc, "code", "") == "bad_query":
        return ("Không hiểu được câu tìm kiếm. Hãy kiểm tra dấu ngoặc kép và các toán tử "
                "(OR, -, title:) rồi tìm lại.")
    return "Yêu cầu tìm kiếm không hợp lệ. Hãy sửa lại các ô bên dưới rồi tìm lại."


def error_field(exc: Exception) -> str | None:
    """The form field the page marks for a failed request (too many timeline bars: the
    interval, shown with the dates, as either change fixes it)."""
    if getattr(exc, "code", "") == "too_many_buckets":
        return "interval"
    return getattr(exc, "field", None)


def int_param(args: MultiDict, name: str, default: int, lo: int, hi: int) -> int:
    """An integer query parameter within [lo, hi]; a clear ParamError otherwise."""
    raw = args.get(name, "").strip()
    label = _VI_NAMES.get(name, f"«{name}»")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ParamError(f"'{name}' must be an integer, got {raw[:20]!r}",
                         f"{label} phải là một số nguyên (đang là «{raw[:20]}»).",
                         name) from None
    if not lo <= value <= hi:
        raise ParamError(f"'{name}' must be between {lo} and {hi}",
                         f"{label} phải từ {lo} đến {hi} (đang là {value}).", name)
    return value


def _date(args: MultiDict, name: str) -> date | None:
    raw = args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ParamError(f"'{name}' must be a date YYYY-MM-DD, got {raw[:20]!r}",
                         f"{_VI_NAMES[name]} phải là một ngày có thật, dạng năm-tháng-ngày "
                         f"(ví dụ 2024-06-30); đang là «{raw[:20]}».", name) from None


def _values(args: MultiDict, key: str, name: str) -> tuple[str, ...]:
    values = tuple(v.strip() for v in args.getlist(key) if v.strip())
    if any(len(v) > MAX_VALUE_CHARS for v in values):
        raise ParamError(f"'{key}' value too long",
                         f"Một giá trị lọc «{name}» dài quá {MAX_VALUE_CHARS} ký tự.", key)
    if len(values) > 50:
        raise ParamError(f"too many '{key}' values (at most 50)",
                         f"Chọn tối đa 50 giá trị cho bộ lọc «{name}».", key)
    return values


def request_from_args(args: MultiDict, *, default_per_page: int = 20) -> SearchRequest:
    for key, values in args.lists():
        for value in values:
            if "\x00" in value:
                raise ParamError(f"'{key}' contains a NUL character",
                                 "Địa chỉ trang chứa ký tự không hợp lệ; hãy gõ lại.", key)
    sort = args.get("sort", "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise ParamError(f"'sort' must be one of {', '.join(SORTS)}",
                         "Cách sắp xếp không hợp lệ; hãy chọn trong danh sách «Sắp xếp».",
                         "sort")
    interval = args.get("interval", "").strip() or None
    if interval not in (None, "auto", *INTERVALS):
        raise ParamError(f"'interval' must be auto or one of {', '.join(INTERVALS)}",
                         "Khoảng thời gian của biểu đồ phải là ngày (day), tuần (week), "
                         "tháng (month) hoặc năm (year).", "interval")
    filters: dict[str, tuple[str, ...]] = {}
    exclude: dict[str, tuple[str, ...]] = {}
    for name in FILTER_PARAMS:
        values = _values(args, name, name)
        if values:
            filters[name] = values
        left_out = _values(args, EXCLUDE + name, name)
        if left_out:
            exclude[name] = left_out
    date_from, date_to = _date(args, "from"), _date(args, "to")
    if date_from and date_to and date_from > date_to:
        raise ParamError("'from' is after 'to'",
                         f"Ngày bắt đầu ({date_from:%d/%m/%Y}) sau ngày kết thúc "
                         f"({date_to:%d/%m/%Y}). Hãy đổi một trong hai ngày, hoặc xóa một ô.",
                         "from")
    return SearchRequest(
        q=args.get("q", ""),
        filters=filters,
        exclude=exclude,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=int_param(args, "page", 1, 1, MAX_PAGE),
        per_page=int_param(args, "per_page", default_per_page, 1, MAX_PER_PAGE),
        interval=None if interval == "auto" else interval,
    )
