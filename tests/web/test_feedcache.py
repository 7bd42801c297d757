"""The feed cache on its own: LRU order, the cap, generations, concurrent misses, errors."""
from __future__ import annotations

import threading

import pytest

from indexer import SearchRequest
from web.feedcache import FeedCache, request_key


def test_lru_keeps_the_recently_used_within_the_cap():
    cache = FeedCache(capacity=2)
    calls = []

    def build(v):
        return lambda: calls.append(v) or v
    assert cache.get("g1", "a", build("A")) == "A"
    assert cache.get("g1", "b", build("B")) == "B"
    assert cache.get("g1", "a", build("A2")) == "A"      # a hit, and now the newest
    assert cache.get("g1", "c", build("C")) == "C"       # evicts b, the least recent
    assert len(cache) == 2
    assert cache.get("g1", "b", build("B2")) == "B2"     # b was evicted: built again
    assert calls == ["A", "B", "C", "B2"]
    assert cache.stats() == {"hits": 1, "misses": 4, "size": 2, "capacity": 2}


def test_a_new_generation_drops_every_older_answer():
    cache = FeedCache()
    cache.get("g1", "a", lambda: 1)
    cache.get("g1", "b", lambda: 2)
    assert cache.get("g2", "a", lambda: 10) == 10
    assert len(cache) == 1 and cache.get("g2", "a", lambda: 99) == 10


def test_concurrent_misses_on_one_key_search_once():
    cache = FeedCache()
    started, release, calls = threading.Event(), threading.Event(), []

    def slow():
        calls.append(1)
        started.set()
        release.wait(5)
        return "answer"
    got = []
    threads = [threading.Thread(target=lambda: got.append(cache.get("g", "k", slow)))
               for _ in range(4)]
    threads[0].start()
    started.wait(5)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(5)
    assert got == ["answer"] * 4 and len(calls) == 1


def test_a_failed_build_is_not_stored():
    cache = FeedCache()

    def boom():
        raise RuntimeError("index went away")
    with pytest.raises(RuntimeError):
        cache.get("g", "k", boom)
    assert len(cache) == 0 and cache.get("g", "k", lambda: 5) == 5
    with pytest.raises(ValueError):
        FeedCache(capacity=0)


def test_request_key_ignores_order_spacing_and_unicode_form():
    import unicodedata
    a = SearchRequest(q=unicodedata.normalize("NFD", "giảm nghèo "),
                      filters={"site": ("b", "a")}, exclude={"province": ("X",)})
    b = SearchRequest(q="giảm  nghèo", filters={"site": ("a", "b")},
                      exclude={"province": ("X",)})
    assert request_key(a) == request_key(b)
    assert request_key(b) != request_key(SearchRequest(q="giảm nghèo",
                                                      filters={"site": ("a", "b")}))
    assert request_key(b) != request_key(SearchRequest(q="giảm  nghèo", per_page=5,
                                                      filters={"site": ("a", "b")},
                                                      exclude={"province": ("X",)}))
