"""Search behaviour on a small fixed index of our own fictional articles."""
import json
from datetime import date

import pytest

from indexer import ArchiveSearcher, SearchError, SearchRequest, ingest_paths

DOCS = [
    # url, published, title, body
    ("a1", "2019-05-02T08:00:00+07:00", "Long An đẩy mạnh giảm nghèo bền vững",
     "Tỉnh Long An triển khai Chương trình mục tiêu quốc gia giảm nghèo bền vững."),
    ("a2", "2021-06-03T08:00:00+07:00", "Tiền Giang xây dựng nông thôn mới",
     "Tỉnh Tiền Giang có thêm 10 xã đạt chuẩn nông thôn mới, giảm nghèo nhanh."),
    ("a3", "2023-07-04T08:00:00+07:00", "Long An và Tiền Giang hợp tác",
     "Hai tỉnh Long An và Tiền Giang chia sẻ kinh nghiệm xây dựng nông thôn mới."),
    ("a4", "2024-08-05T08:00:00+07:00", "Đường giao thông ở Hà Giang",
     "Tỉnh Hà Giang làm mới 40 km đường giao thông liên xã."),
    ("a5", "2024-09-06T08:00:00+07:00", "Rừng dương ven biển Quảng Nam",
     "Tỉnh Quảng Nam trồng thêm rừng dương chắn cát ven biển."),
]


@pytest.fixture(scope="module")
def fixed(tmp_path_factory):
    root = tmp_path_factory.mktemp("fixed")
    path = root / "docs.jsonl"
    path.write_text("\n".join(json.dumps({"url": f"https://mau.example/{u}", "published": p,
                                          "title": t, "body": b}, ensure_ascii=False)
                              for u, p, t, b in DOCS), encoding="utf-8")
    ingest_paths([path], root / "data", workers=1)
    s = ArchiveSearcher(root / "data")
    yield s
    s.close()


def urls(res):
    return [h["url"].rsplit("/", 1)[1] for h in res["results"]]


def test_facets_whole_with_disjunctive_counts(fixed):
    res = fixed.search(SearchRequest(q="", filters={"province": ("Long An",)}))
    assert sorted(urls(res)) == ["a1", "a3"]
    assert res["facets"]["province"] == [
        {"value": "Long An", "count": 2, "selected": True},
        {"value": "Tiền Giang", "count": 2, "selected": False},
        {"value": "Hà Giang", "count": 1, "selected": False},
        {"value": "Quảng Nam", "count": 1, "selected": False},
    ]
    # other facets are counted within the province filter
    assert res["facets"]["year"] == [{"value": "2023", "count": 1, "selected": False},
                                     {"value": "2019", "count": 1, "selected": False}]
    assert res["facets"]["province_2025"] == [{"value": "Tây Ninh", "count": 2,
                                               "selected": False},
                                              {"value": "Đồng Tháp", "count": 1,
                                               "selected": False}]


def test_or_within_a_facet_and_across_facets(fixed):
    both = fixed.search(SearchRequest(filters={"province": ("Long An", "Hà Giang")}))
    assert sorted(urls(both)) == ["a1", "a3", "a4"]
    narrowed = fixed.search(SearchRequest(filters={"province": ("Long An", "Hà Giang"),
                                                   "year": ("2024",)}))
    assert urls(narrowed) == ["a4"]


def test_filter_values_in_any_spelling(fixed):
    for value in ("long an", "LONG AN", "Long An"):
        assert fixed.search(SearchRequest(filters={"province": (value,)}))["total"] == 2
    merged = fixed.search(SearchRequest(filters={"province_2025": ("tay ninh",)}))
    assert sorted(urls(merged)) == ["a1", "a3"]


def test_accented_unaccented_and_phrase(fixed):
    assert set(urls(fixed.search(SearchRequest(q="giảm nghèo")))) == {"a1", "a2"}
    assert set(urls(fixed.search(SearchRequest(q="giam ngheo")))) == {"a1", "a2"}
    assert urls(fixed.search(SearchRequest(q='"giảm nghèo bền vững"'))) == ["a1"]


def test_diacritics_typed_are_meant_and_folded_queries_match_every_form(fixed):
    assert urls(fixed.search(SearchRequest(q="đường"))) == ["a4"]  # not dương
    assert set(urls(fixed.search(SearchRequest(q="duong")))) == {"a4", "a5"}


def test_negation_and_or(fixed):
    assert urls(fixed.search(SearchRequest(q="nông thôn mới -Long"))) == ["a2"]
    assert set(urls(fixed.search(SearchRequest(q="Quảng OR Giang")))) == {"a2", "a3", "a4", "a5"}


def test_fallback_to_most_words_is_announced(fixed):
    res = fixed.search(SearchRequest(q="Hà Giang tàu vũ trụ"))
    assert res["fallback"] == "all_to_most_words" and urls(res) == ["a4"]
    assert fixed.search(SearchRequest(q="Hà Giang"))["fallback"] is None


def test_date_range_and_sorting(fixed):
    res = fixed.search(SearchRequest(date_from=date(2021, 1, 1), date_to=date(2023, 12, 31),
                                     sort="oldest"))
    assert urls(res) == ["a2", "a3"]
    assert urls(fixed.search(SearchRequest(sort="newest")))[:2] == ["a5", "a4"]
    assert res["months"] == [{"month": "2021-06", "count": 1}, {"month": "2023-07", "count": 1}]


def test_paging(fixed):
    page2 = fixed.search(SearchRequest(sort="oldest", per_page=2, page=2))
    assert page2["total"] == 5 and urls(page2) == ["a3", "a4"]


def test_suggestion_restores_diacritics(fixed):
    assert fixed.search(SearchRequest(q="giam ngheo ben vung"))["suggestion"] == \
        "giảm nghèo bền vững"
    assert fixed.search(SearchRequest(q="giảm nghèo"))["suggestion"] is None


def test_snippet_marks_matches_and_escapes(fixed):
    hit = fixed.search(SearchRequest(q="giam ngheo"))["results"][0]
    assert "<mark>giảm</mark>" in hit["snippet"] or "<mark>Giảm</mark>" in hit["snippet"]


@pytest.mark.parametrize("req,message", [
    (SearchRequest(page=0), "page"), (SearchRequest(per_page=101), "per_page"),
    (SearchRequest(sort="random"), "sort"), (SearchRequest(q="x" * 5000), "too long"),
    (SearchRequest(filters={"colour": ("x",)}), "unknown filter"),
    (SearchRequest(date_from=date(2024, 1, 2), date_to=date(2024, 1, 1)), "after"),
])
def test_bad_requests_are_search_errors(fixed, req, message):
    with pytest.raises(SearchError, match=message):
        fixed.search(req)


def test_facet_list_and_export_follow_the_same_matches_as_search(fixed):
    req = SearchRequest(q="Hà Giang tàu vũ trụ")  # no article has every word: fallback
    values = fixed.facet_values("province", req)
    assert {"value": "Hà Giang", "count": 1, "selected": False} in values
    assert [r["url"].rsplit("/", 1)[1] for r in fixed.export(req, 10)][0] == "a4"


def test_match_ids_are_the_set_total_counts_and_export_lists(searcher):
    for req in (SearchRequest(q="giảm nghèo"), SearchRequest(q="nông thôn mới",
                                                             filters={"province": ("Long An",)}),
                SearchRequest(q="")):
        ids = searcher.match_ids(req)
        total = searcher.search(req)["total"]
        exported = {r["id"] for r in searcher.export(req, cap=10_000)}
        assert len(ids) == total == len(exported) and set(ids.tolist()) == exported
