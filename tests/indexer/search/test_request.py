"""A search request validates itself; day bounds are Vietnam days."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from archive.article import VN_TZ
from indexer.search.request import (FACETS, MAX_PAGE, MAX_PER_PAGE, SearchError, SearchRequest,
                                    day_end, day_start)


def test_a_plain_request_is_valid():
    SearchRequest(q="giảm nghèo", filters={"province": ("Long An",)}).validate()


@pytest.mark.parametrize("kw, fragment", [
    ({"sort": "random"}, "sort must be one of"),
    ({"page": 0}, "page must be between"),
    ({"page": MAX_PAGE + 1}, "page must be between"),
    ({"per_page": MAX_PER_PAGE + 1}, "per_page must be between"),
    ({"filters": {"tinh": ("x",)}}, "unknown filter 'tinh'"),
    ({"date_from": date(2025, 1, 2), "date_to": date(2025, 1, 1)}, "'from' is after 'to'"),
])
def test_invalid_requests_say_why(kw, fragment):
    with pytest.raises(SearchError, match=fragment) as err:
        SearchRequest(**kw).validate()
    assert err.value.code == "bad_request"


def test_every_facet_is_a_filter():
    SearchRequest(filters={f: ("x",) for f in FACETS}).validate()


def test_day_bounds_cover_the_whole_vietnam_day():
    d = date(2024, 11, 8)
    assert day_start(d) == int(datetime(2024, 11, 8, 0, 0, tzinfo=VN_TZ).timestamp())
    assert day_end(d) - day_start(d) == 86399
    assert day_start(None) is None and day_end(None) is None
