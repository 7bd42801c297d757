"""Result rows from ranked ids (``indexer.search.hits``), on the session archive: the
API's hit keys, the ranked order, snippets, folded near-duplicates, export's extra fields."""
from __future__ import annotations

import re

import pytest

from archive.datadir import DataDir
from archive.store import Store
from archive.textnorm import fold
from indexer import SearchRequest
from indexer.search.hits import hit_rows

HIT_KEYS = {"id", "url", "title", "published", "site", "snippet", "provinces",
            "provinces_2025", "officials", "programs", "score", "also_published_by"}


@pytest.fixture(scope="module")
def store(archive_dir):
    s = Store(DataDir(archive_dir).store, readonly=True)
    yield s
    s.close()


@pytest.fixture(scope="module")
def ranked(searcher) -> list[tuple[int, float]]:
    res = searcher.search(SearchRequest(q="giảm nghèo", per_page=5))
    assert len(res["results"]) >= 2, "the session archive has articles on giảm nghèo"
    return [(r["id"], r["score"]) for r in res["results"]]


def test_rows_have_the_api_hit_keys(store, ranked, searcher):
    rows = hit_rows(store, ranked, {"giảm", "nghèo"}, with_snippets=True)
    api = searcher.search(SearchRequest(q="giảm nghèo", per_page=5))["results"]
    assert rows and all(set(r) == HIT_KEYS for r in rows)
    assert set(api[0]) == HIT_KEYS


def test_rows_keep_the_ranked_order_and_round_scores(store, ranked):
    page = [(aid, score + 0.123456789) for aid, score in reversed(ranked)]
    rows = hit_rows(store, page, set(), with_snippets=False, collapse=False)
    assert [r["id"] for r in rows] == [aid for aid, _ in page]
    assert [r["score"] for r in rows] == [round(s, 4) for _, s in page]
    assert hit_rows(store, [(ranked[0][0], None)], set(), False)[0]["score"] is None


def test_rows_read_the_article_from_the_store(store, ranked):
    aid = ranked[0][0]
    row = hit_rows(store, [(aid, 1.0)], set(), with_snippets=False)[0]
    article = store.get_many([aid])[aid].article
    assert (row["url"], row["title"], row["site"]) == (article.url, article.title, article.site)
    assert row["published"] == (article.published.isoformat() if article.published else None)


def test_snippets_mark_the_query_syllables_accented_or_not(store, ranked):
    accented = hit_rows(store, ranked, {"giảm", "nghèo"}, with_snippets=True)
    folded = hit_rows(store, ranked, {"giam", "ngheo"}, with_snippets=True)
    marked = lambda rows: {m.lower() for r in rows  # noqa: E731
                           for m in re.findall(r"<mark>(.*?)</mark>", r["snippet"])}
    assert marked(accented) == {"giảm", "nghèo"}  # accented terms: those syllables only
    assert {"giảm", "nghèo"} <= marked(folded)  # unaccented: every spelling of them
    assert {fold(m) for m in marked(folded)} == {"giam", "ngheo"}
    assert all(r["snippet"] == "" for r in hit_rows(store, ranked, {"giảm"}, False))


def test_an_id_no_longer_stored_is_left_out(store, ranked):
    rows = hit_rows(store, [(ranked[0][0], 2.0), (10**9, 1.0)], set(), False)
    assert [r["id"] for r in rows] == [ranked[0][0]]


def test_a_copy_of_a_story_on_the_same_page_is_folded_into_the_first(store, ranked):
    aid = ranked[0][0]
    assert store.get_many([aid])[aid].simhash is not None
    # the same fingerprint twice is the nearest a syndicated copy can be (distance 0)
    rows = hit_rows(store, [(aid, 2.0), (aid, 1.0)], set(), False)
    assert len(rows) == 1
    assert rows[0]["also_published_by"] == [{"id": aid, "site": rows[0]["site"],
                                             "url": rows[0]["url"]}]
    assert len(hit_rows(store, [(aid, 2.0), (aid, 1.0)], set(), False, collapse=False)) == 2


def test_full_rows_add_sapo_and_authors_for_export(store, ranked):
    rows = hit_rows(store, ranked, set(), False, full=True)
    assert all(set(r) == HIT_KEYS | {"sapo", "authors"} for r in rows)
    assert all(isinstance(r["authors"], list) and isinstance(r["sapo"], str) for r in rows)
