"""The Atom feed of a search, read back with a real feed parser (``feedparser``)."""
from __future__ import annotations

import feedparser


def _feed(client, **params):
    r = client.get("/feeds/search.atom", query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r, feedparser.parse(r.get_data())


def test_feed_is_valid_atom_with_the_newest_matches(client):
    r, feed = _feed(client, q="giảm nghèo", province="Long An")
    assert r.mimetype == "application/atom+xml"
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "vnarchive: «giảm nghèo» · Long An"
    api = client.get("/api/search", query_string={"q": "giảm nghèo", "province": "Long An",
                                                  "sort": "newest"}).get_json()
    dated = [h for h in api["results"] if h["published"]]
    assert [e.link for e in feed.entries] == [f"http://localhost/articles/{h['id']}"
                                             for h in dated]
    assert all(e.published_parsed and e.updated_parsed for e in feed.entries)
    assert any(e.summary for e in feed.entries)
    assert {t.term for t in feed.entries[0].tags} >= {"Long An"}
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["self"].startswith("http://localhost/feeds/search.atom?")
    assert links["alternate"].startswith("http://localhost/?") and "sort=newest" in \
        links["alternate"]


def test_feed_is_capped_at_100_entries(client):
    _, feed = _feed(client, per_page=100)
    total = client.get("/api/stats").get_json()["articles"]
    assert len(feed.entries) <= 100 and len(feed.entries) >= min(total, 100) - 20
    _, few = _feed(client, per_page=3)
    assert len(few.entries) <= 3
    assert client.get("/feeds/search.atom?per_page=101").status_code == 400


def test_feed_is_cacheable_and_conditional(client):
    r = client.get("/feeds/search.atom", query_string={"q": "giảm nghèo"})
    assert "max-age" in r.headers["Cache-Control"] and r.headers["ETag"]
    again = client.get("/feeds/search.atom", query_string={"q": "giảm nghèo"},
                       headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data()


def test_feed_error_is_a_clear_400(client):
    r = client.get("/feeds/search.atom?from=2026-01-01&to=2025-01-01")
    assert r.status_code == 400 and "Ngày bắt đầu" in r.get_data(as_text=True)


def test_results_page_links_its_feed(client):
    html = client.get("/", query_string={"q": "giảm nghèo", "province": "Long An",
                                         "page": "1"}).get_data(as_text=True)
    assert 'type="application/atom+xml"' in html
    assert "/feeds/search.atom?q=gi%E1%BA%A3m+ngh%C3%A8o&amp;province=Long+An" in html


# -- the server-side cache: one search per query and index generation --------------------
def _app(data_dir, **config):
    from web import create_app
    return create_app({"DATA_DIR": str(data_dir), "TESTING": True, "REFRESH_INTERVAL": 0,
                       **config})


def test_second_request_is_served_from_the_cache(app, client):
    from web.feeds import feed_cache
    cache = feed_cache(app)
    before = cache.stats()
    # (a search no other test asks the session app's feed for)
    first = client.get("/feeds/search.atom?q=gi%E1%BA%A3m+ngh%C3%A8o&province=Long+An"
                       "&site=thtg.vn")
    after_first = cache.stats()
    assert after_first["misses"] == before["misses"] + 1
    # the same search, parameters in another order and spaced differently: one entry
    again = client.get("/feeds/search.atom?site=thtg.vn&province=Long+An"
                       "&q=gi%E1%BA%A3m++ngh%C3%A8o+")
    after = cache.stats()
    assert after["hits"] == after_first["hits"] + 1 and after["misses"] == after_first["misses"]
    assert feedparser.parse(again.get_data()).entries == \
        feedparser.parse(first.get_data()).entries
    # different parameters are a different entry
    for params in ({"q": "giảm nghèo", "province": "Tiền Giang", "site": "thtg.vn"},
                   {"q": "giảm nghèo", "province": "Long An", "site": "thtg.vn", "per_page": 2}):
        client.get("/feeds/search.atom", query_string=params)
    final = cache.stats()
    assert final["misses"] == after["misses"] + 2 and final["size"] == after["size"] + 2


def test_a_new_publish_changes_the_feed(copy_of_archive, tmp_path):
    import json

    from indexer import ingest_paths
    from web.feeds import feed_cache
    app = _app(copy_of_archive)
    client = app.test_client()
    url = "/feeds/search.atom?per_page=5"  # the newest articles of the archive
    old = feedparser.parse(client.get(url).get_data())
    assert feedparser.parse(client.get(url).get_data()).entries == old.entries
    assert feed_cache(app).stats()["hits"] == 1
    generation = app.extensions["vnarchive"].generation()
    record = tmp_path / "new.jsonl"
    record.write_text(json.dumps({
        "url": "https://tin-moi.example/hop-tac-xa-kieu-moi",
        "title": "Hợp tác xã kiểu mới ở Bến Tre", "published": "2026-11-30T08:00:00+07:00",
        "body": "Hợp tác xã kiểu mới ở Bến Tre liên kết nông dân trồng dừa hữu cơ."},
        ensure_ascii=False) + "\n", encoding="utf-8")
    assert ingest_paths([record], copy_of_archive, workers=1).stored == 1
    new = feedparser.parse(client.get(url).get_data())
    assert app.extensions["vnarchive"].generation() != generation
    assert feed_cache(app).stats()["misses"] == 2
    assert new.entries[0].title == "Hợp tác xã kiểu mới ở Bến Tre"
    assert [e.link for e in new.entries[1:]] == [e.link for e in old.entries[:4]]
    assert feed_cache(app).stats()["size"] == 1  # the old generation's answer is gone


def test_the_cache_is_capped(archive_dir):
    from web.feeds import feed_cache
    app = _app(archive_dir, FEED_CACHE_SIZE=3)
    client = app.test_client()
    queries = ["giảm nghèo", "nông thôn mới", "tỉnh", "lũ", "học sinh"]
    for q in queries:
        assert client.get("/feeds/search.atom", query_string={"q": q}).status_code == 200
    stats = feed_cache(app).stats()
    assert stats == {"hits": 0, "misses": 5, "size": 3, "capacity": 3}
    client.get("/feeds/search.atom", query_string={"q": queries[-1]})   # kept: a hit
    client.get("/feeds/search.atom", query_string={"q": queries[0]})    # evicted: a miss
    stats = feed_cache(app).stats()
    assert (stats["hits"], stats["misses"], stats["size"]) == (1, 6, 3)


def test_errors_are_not_cached(app, client):
    from web.feeds import feed_cache
    before = feed_cache(app).stats()
    for _ in range(2):
        assert client.get("/feeds/search.atom?q=%22unclosed").status_code in (200, 400)
        assert client.get("/feeds/search.atom?from=2026-01-01&to=2025-01-01").status_code == 400
    after = feed_cache(app).stats()
    assert after["size"] - before["size"] <= 1
