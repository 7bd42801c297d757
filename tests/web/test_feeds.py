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
