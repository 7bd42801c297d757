"""The reads beside search: one article, its archived page, stats, completion, did-you-mean."""
from __future__ import annotations

from archive.datadir import DataDir
from archive.store import Store
from indexer.search import SearchRequest

SEED_URL_PART = "lanh-dao-huyen-tan-tru-tinh-long-an"


def _seed_id(searcher) -> int:
    got = searcher.search(SearchRequest(q="Tân Trụ học tập kinh nghiệm giảm nghèo Cai Lậy"))
    return next(h["id"] for h in got["results"] if SEED_URL_PART in h["url"])


def test_article_has_every_field_entities_and_no_raw_html(searcher):
    a = searcher.article(_seed_id(searcher))
    assert a["title"] and a["paragraphs"] and a["site"] == "thtg.vn"
    assert {"Long An", "Tiền Giang"} <= set(a["provinces"])
    names = {o["name"] for o in a["officials"]}
    assert {"Võ Thị Búp", "Trương Minh Trí"} <= names
    assert all(o["titles"] for o in a["officials"])
    assert "raw_html" not in a and isinstance(a["duplicates"], list)
    assert searcher.article(10**9) is None


def test_raw_html_is_kept_for_pages_only(searcher, archive_dir):
    raw = searcher.raw_html(_seed_id(searcher))
    assert raw and b"<html" in raw.lower()
    store = Store(DataDir(archive_dir).store, readonly=True)
    try:
        from_jsonl = next(r.id for r in store.iter_all() if r.article.url.startswith("https://tin-thu-nghiem.example/"))
    finally:
        store.close()
    assert searcher.raw_html(from_jsonl) is None


def test_stats_agree_with_the_store(searcher, archive_dir):
    stats = searcher.stats()
    store = Store(DataDir(archive_dir).store, readonly=True)
    try:
        stored = sum(1 for _ in store.iter_all())
    finally:
        store.close()
    assert stats["indexed"] == stats["articles"] == stored
    assert stats["index_bytes"] > 0 and stats["store_bytes"] > 0


def test_completion_restores_diacritics_from_the_archive(searcher):
    assert any(s.startswith("giảm nghèo") for s in searcher.suggest("giam ngh"))
    assert searcher.suggest("") == []


def test_did_you_mean_for_an_unaccented_query(searcher):
    got = searcher.search(SearchRequest(q="giam ngheo ben vung"))
    assert got["suggestion"] == "giảm nghèo bền vững"
    assert searcher.search(SearchRequest(q="giảm nghèo bền vững"))["suggestion"] is None
