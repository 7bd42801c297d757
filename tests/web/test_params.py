"""Request parameters of the page and the API, parsed into one SearchRequest."""
from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from indexer.search import SearchError
from web.params import int_param, request_from_args


def test_repeatable_filters_dates_and_paging():
    req = request_from_args(MultiDict([("q", "giảm nghèo"), ("province", "Long An"),
                                       ("province", " Tiền Giang "), ("province", ""),
                                       ("from", "2024-01-01"), ("page", "2"),
                                       ("per_page", "50"), ("sort", "newest")]))
    assert req.q == "giảm nghèo" and req.filters == {"province": ("Long An", "Tiền Giang")}
    assert req.date_from == date(2024, 1, 1) and req.date_to is None
    assert (req.page, req.per_page, req.sort) == (2, 50, "newest")


@pytest.mark.parametrize("args, fragment", [
    ({"page": "x"}, "'page' must be an integer"),
    ({"page": "0"}, "'page' must be between"),
    ({"per_page": "1000"}, "'per_page' must be between"),
    ({"from": "2024-13-01"}, "'from' must be a date"),
    ({"sort": "random"}, "'sort' must be one of"),
    ({"q": "a\x00b"}, "NUL"),
    ({"province": "x" * 1000}, "too long"),
])
def test_bad_values_are_search_errors_that_say_what_is_wrong(args, fragment):
    with pytest.raises(SearchError) as err:
        request_from_args(MultiDict(args))
    assert fragment in str(err.value)


def test_int_param_default_when_absent():
    assert int_param(MultiDict(), "page", 7, 1, 10) == 7
