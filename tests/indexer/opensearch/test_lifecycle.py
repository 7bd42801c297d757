"""Feeding OpenSearch from the store (``indexer.opensearch.lifecycle``): a reindex swaps
the alias atomically, an ingest's articles are sent on (real node on 127.0.0.1)."""
from __future__ import annotations

import threading

import pytest

from indexer import SearchRequest
from indexer.opensearch import (OpenSearchEngine, alias_target, connect,
                                reindex_opensearch, sync_opensearch)

pytestmark = pytest.mark.opensearch


def test_reindex_swaps_the_alias_while_searches_keep_answering(opensearch_node, copy_of_archive):
    client = connect(opensearch_node.url)
    alias = "swap-test"
    reindex_opensearch(copy_of_archive, client, alias=alias)
    first = alias_target(client, alias)
    engine = OpenSearchEngine(copy_of_archive, opensearch_node.url, alias=alias)
    want = engine.search(SearchRequest(q="giảm nghèo"))["total"]
    seen, errors, stop = [], [], threading.Event()

    def stream():
        while not stop.is_set():
            try:
                seen.append(engine.search(SearchRequest(q="giảm nghèo"))["total"])
            except Exception as exc:  # counted: there must be none
                errors.append(exc)

    t = threading.Thread(target=stream)
    t.start()
    try:
        reindex_opensearch(copy_of_archive, client, alias=alias)
    finally:
        stop.set()
        t.join()
    second = alias_target(client, alias)
    assert len(first) == len(second) == 1 and first != second
    assert not client.indices.exists(index=first[0])  # the old index is dropped
    from indexer.opensearch.mapping import stats_alias  # and its stats, moved alongside
    assert alias_target(client, stats_alias(alias)) == [stats_alias(second[0])]
    assert not client.indices.exists(index=stats_alias(first[0]))
    assert errors == [] and seen and set(seen) == {want}
    engine.close()


def test_ingest_sends_new_articles_on(opensearch_node, copy_of_archive, tmp_path):
    import json
    from indexer import ingest_paths, started_at
    client = connect(opensearch_node.url)
    alias = "sync-test"
    reindex_opensearch(copy_of_archive, client, alias=alias)
    before = client.count(index=alias)["count"]
    since = started_at()
    items = [{"url": "https://moi.example/bai-1", "title": "Hợp tác xã chè Thái Nguyên",
              "body": "Hợp tác xã chè Thái Nguyên xuất khẩu lô hàng đầu tiên.",
              "published": "2025-03-01T08:00:00"}]
    records = tmp_path / "new.jsonl"
    records.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), "utf-8")
    assert ingest_paths([records], copy_of_archive, workers=1).added == 1
    report = sync_opensearch(copy_of_archive, client, since=since, alias=alias)
    assert report.indexed >= 1 and report.failures == []
    assert client.count(index=alias)["count"] == before + 1
    engine = OpenSearchEngine(copy_of_archive, opensearch_node.url, alias=alias)
    hits = engine.search(SearchRequest(q="chè Thái Nguyên"))["results"]
    assert hits[0]["url"] == "https://moi.example/bai-1"  # title and body match best
    engine.close()


def test_ingest_into_an_index_without_its_stats_index_asks_for_a_reindex(opensearch_node,
                                                                         copy_of_archive):
    from indexer.opensearch import EngineUnavailable
    from indexer.opensearch.mapping import stats_alias
    client = connect(opensearch_node.url)
    alias = "old-test"
    reindex_opensearch(copy_of_archive, client, alias=alias)
    (stats,) = alias_target(client, stats_alias(alias))
    client.indices.delete(index=stats)  # as an index built before the stats index stands
    with pytest.raises(EngineUnavailable, match="reindex"):
        sync_opensearch(copy_of_archive, client, since="1970-01-01T00:00:00", alias=alias)
    assert not client.indices.exists(index=stats_alias(alias))  # no stray index made
    reindex_opensearch(copy_of_archive, client, alias=alias)  # which mends it
    assert alias_target(client, stats_alias(alias))


def test_an_unreachable_cluster_is_a_clear_error(archive_dir):
    from indexer import IndexMissing
    engine = OpenSearchEngine(archive_dir, "http://127.0.0.1:9")
    with pytest.raises(IndexMissing, match="unreachable"):
        engine.search(SearchRequest(q="giảm nghèo"))
    with pytest.raises(IndexMissing, match="unreachable"):
        reindex_opensearch(archive_dir, connect("http://127.0.0.1:9"))


# "Kim Jong Un" side by side in two articles (one word, "jong un"), "Kim Jong-un" in one
# body; the rest fills the archive so that the pair stands out from chance.
HYPHEN_DOCS = [
    ("k1", "Thăm nhà máy", "Nhà lãnh đạo Kim Jong-un thị sát một nhà máy."),
    ("k3", "Kim Jong Un phát biểu", "Ông Kim Jong Un phát biểu đầu năm."),
    ("k5", "Thông điệp của Kim Jong Un", "Kim Jong Un gửi thông điệp."),
    ("m1", "Mưa lớn ở miền Trung", "Mưa lớn kéo dài nhiều ngày khiến nhiều tuyến đường ở các "
     "tỉnh miền Trung bị ngập sâu, hàng nghìn hộ dân phải sơ tán đến nơi an toàn."),
    ("m2", "Giá lúa tăng", "Giá lúa tại các tỉnh đồng bằng sông Cửu Long tăng mạnh trong "
     "tuần qua, nông dân phấn khởi vì vụ mùa bội thu sau nhiều năm hạn mặn kéo dài."),
    ("m3", "Khai giảng năm học mới", "Học sinh cả nước bước vào năm học mới với nhiều đổi mới "
     "trong chương trình giáo dục phổ thông, các trường chuẩn bị kỹ cơ sở vật chất."),
]


def test_hyphened_pairs_are_recorded_by_the_build_and_by_each_feed(opensearch_node, tmp_path):
    # one "Kim Jong-un" at the build (in a body: a headline counts twice, it is in the body
    # field too): not yet a hyphened pair (two places at least); the ingest brings a
    # second, and "jong un" then matches across the hyphen, as on the embedded engine
    import json
    from indexer import ArchiveSearcher, ingest_paths, started_at
    from tests.querying import ingest_docs
    data = ingest_docs(tmp_path, HYPHEN_DOCS)
    client = connect(opensearch_node.url)
    alias = "hyphen-test"
    reindex_opensearch(data, client, alias=alias)

    def both(q: str) -> tuple[set[str], set[str]]:
        engine, local = OpenSearchEngine(data, opensearch_node.url, alias=alias), \
            ArchiveSearcher(data)
        try:
            return tuple({h["url"].rsplit("/", 1)[1]
                          for h in e.search(SearchRequest(q=q, per_page=50))["results"]}
                         for e in (engine, local))
        finally:
            engine.close()
            local.close()

    assert both("jong un") == ({"k3", "k5"}, {"k3", "k5"})
    since = started_at()
    records = tmp_path / "new.jsonl"
    records.write_text(json.dumps({"url": "https://mau.example/k2", "title": "Thượng đỉnh",
                                   "body": "Cuộc gặp với ông Kim Jong-un."},
                                  ensure_ascii=False) + "\n", "utf-8")
    assert ingest_paths([records], data, workers=1).added == 1
    sync_opensearch(data, client, since=since, alias=alias)
    assert both("jong un") == ({"k1", "k2", "k3", "k5"},) * 2
