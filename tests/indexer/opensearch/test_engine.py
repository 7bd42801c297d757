"""The engine contract: the embedded engine and OpenSearch (a real node on 127.0.0.1) give
the same answers on the session archive — the same matching articles, the same totals,
the same disjunctive facet counts and months, the same exports."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from indexer import SearchEngine, SearchError, SearchRequest

pytestmark = pytest.mark.opensearch

QUERIES = [
    "giảm nghèo", "giam ngheo", '"nông thôn mới"', "nông thôn mới", "nông*", "giảm ngh*",
    "ocop -xyz", "-ocop", "title:OCOP", "ocop OR \"nông thôn mới\"", "Long An",
    "giảm nghèo bền vững tại Long An năm nay", "xây dựng", "hoà bình", "",
    "giảm nghèo zzqqxx",  # no article has every word: the announced "most words" fallback
    "tặc", "tác", "hạ long", "ha long", "long an", "Long An giảm nghèo", "tin tặc",
    '"nông thôn, mới"', "giam ngheo ben vung", "COVID-19", "5/10", "hạ lóng",
    "thi xa moi",  # "thị xã" + "mới" in no headline, "thí điểm xã … mới" in one
    "dinh Jong un",  # the headline proximity bonus (ranking) on a hyphened name
    "giam nghoe ben vung",  # did-you-mean corrects the typo and restores the diacritics
]
FILTERED = [
    SearchRequest(q="giảm nghèo", filters={"site": ("tinmau.example",)}),
    SearchRequest(q="", filters={"site": ("tinmau.example", "baomau-nambo.example"),
                                 "year": ("2025", "2026")}),
    SearchRequest(q="nông thôn", filters={"province": ("long an",)}),  # case and diacritics
    SearchRequest(q="", date_from=date(2023, 1, 1), date_to=date(2025, 12, 31)),
    SearchRequest(q="ocop", sort="newest"),
    SearchRequest(q="", sort="oldest", per_page=7, page=2),
    SearchRequest(q="", filters={"official": ("Người Không Tồn Tại",)}),
    SearchRequest(q="giảm nghèo", exclude={"province": ("Long An",)}),
    SearchRequest(q="", exclude={"site": ("tinmau.example",)}, filters={"year": ("2025",)}),
]


def _same_answer(a: dict, b: dict) -> None:
    assert a["total"] == b["total"]
    assert a["fallback"] == b["fallback"]
    assert a["facets"] == b["facets"]
    assert a["months"] == b["months"]
    assert a["suggestion"] == b["suggestion"]


def _all_ids(engine: SearchEngine, req: SearchRequest) -> list[int]:
    return [r["id"] for r in engine.export(replace(req, sort="newest"), 10_000)]


def test_the_strict_queries_match_something_and_each_engine_agrees(searcher, opensearch_engine):
    # the contract is only worth what the queries exercise: strict and relaxed alike
    answers = {q: searcher.search(SearchRequest(q=q)) for q in QUERIES}
    assert any(a["fallback"] for a in answers.values())
    assert sum(1 for a in answers.values() if a["total"]) > len(QUERIES) // 2
    assert sum(1 for a in answers.values() if a["suggestion"]) >= 4  # did-you-mean compared too


def test_both_engines_answer_the_search_seam(searcher, opensearch_engine):
    assert isinstance(searcher, SearchEngine)
    assert isinstance(opensearch_engine, SearchEngine)


@pytest.mark.parametrize("q", QUERIES)
def test_same_matches_totals_and_facet_counts(searcher, opensearch_engine, q):
    req = SearchRequest(q=q, per_page=100)
    embedded, opensearch = searcher.search(req), opensearch_engine.search(req)
    _same_answer(embedded, opensearch)
    assert sorted(_all_ids(searcher, req)) == sorted(_all_ids(opensearch_engine, req))
    # the first page holds the same articles (ranked by BM25 either way; see README for
    # why the order among close scores can differ)
    assert {r["id"] for r in embedded["results"]} == {r["id"] for r in opensearch["results"]}


@pytest.mark.parametrize("req", FILTERED, ids=lambda r: f"{r.q!r}-{r.sort}-{r.filters}")
def test_same_answers_with_filters_dates_and_sorts(searcher, opensearch_engine, req):
    embedded, opensearch = searcher.search(req), opensearch_engine.search(req)
    _same_answer(embedded, opensearch)
    if req.sort != "relevance":  # a date order is fully determined: the same rows
        assert [r["id"] for r in embedded["results"]] == [r["id"] for r in opensearch["results"]]
    assert _all_ids(searcher, req) == _all_ids(opensearch_engine, req)


def test_facets_are_disjunctive_on_opensearch(opensearch_engine):
    both = opensearch_engine.search(SearchRequest(filters={"site": ("tinmau.example",)}))
    sites = {f["value"]: f["count"] for f in both["facets"]["site"]}
    assert len(sites) > 1  # other sites still counted while one is selected
    assert both["total"] == sites["tinmau.example"]


@pytest.mark.parametrize("q", ["giam ngheo", "giảm nghèo zzqqxx"])
@pytest.mark.parametrize("name", ["province", "site", "official", "year", "author",
                                  "section", "tag"])
def test_same_full_facet_lists(searcher, opensearch_engine, name, q):
    req = SearchRequest(q=q, filters={"year": ("2025",)})
    assert searcher.facet_values(name, req) == opensearch_engine.facet_values(name, req)


def test_same_article_stats_and_page(searcher, opensearch_engine):
    aid = searcher.search(SearchRequest(q="giảm nghèo"))["results"][0]["id"]
    assert searcher.article(aid) == opensearch_engine.article(aid)
    assert searcher.raw_html(aid) == opensearch_engine.raw_html(aid)
    assert searcher.versions(aid) == opensearch_engine.versions(aid)
    assert opensearch_engine.stats()["indexed"] == searcher.stats()["indexed"]


def test_same_person_facet_filter_and_person_page(searcher, opensearch_engine):
    people = searcher.search(SearchRequest())["facets"]["official"]
    assert people, "the session archive names officials"
    key = people[0]["value"]
    req = SearchRequest(filters={"official": (key,)}, per_page=100)
    _same_answer(searcher.search(req), opensearch_engine.search(req))
    assert searcher.official(people[0]["slug"]) == opensearch_engine.official(people[0]["slug"])
    name = key.split(" (")[0].split()[-1]
    assert searcher.find_officials(name) == opensearch_engine.find_officials(name)


def test_snippets_come_from_our_snippet_code(searcher, opensearch_engine):
    req = SearchRequest(q='"nông thôn mới"')
    embedded = {r["id"]: r["snippet"] for r in searcher.search(req)["results"]}
    opensearch = {r["id"]: r["snippet"] for r in opensearch_engine.search(req)["results"]}
    assert embedded == opensearch and any("<mark>" in s for s in opensearch.values())


def test_completion_restores_diacritics(opensearch_engine):
    assert any(s.startswith("giảm") for s in opensearch_engine.suggest("giam"))


def test_did_you_mean_restores_diacritics_and_corrects_typos(opensearch_engine):
    for q in ("giam ngheo ben vung", "giam nghoe ben vung"):
        assert opensearch_engine.search(SearchRequest(q=q))["suggestion"] == "giảm nghèo bền vững"
    assert opensearch_engine.search(SearchRequest(q="giảm nghèo"))["suggestion"] is None


def test_bad_requests_are_search_errors(opensearch_engine):
    with pytest.raises(SearchError):
        opensearch_engine.search(SearchRequest(q="x " * 3000))
    with pytest.raises(SearchError):
        opensearch_engine.facet_values("nope", SearchRequest())
