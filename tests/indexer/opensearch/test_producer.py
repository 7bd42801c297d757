"""Bulk lines made from the store (``indexer.opensearch.producer``): two NDJSON lines a
document (action, source), every stored article once, the vocabulary collected, an
ingest's articles only when asked, and with a stats index each run's counts after it."""
from __future__ import annotations

import json

import pytest

from archive.datadir import DataDir
from archive.store import Store
from archive.textnorm import fold
from indexer.opensearch.documents import COUNT_DELIMITER, StatsTally, source
from indexer.opensearch.producer import PARALLEL_MIN, bulk_lines, encode


def test_encode_gives_an_action_line_and_a_source_line():
    src = {"id": 3, "t_syl": "giảm nghèo bền vững", "province": ["Long An"]}
    raw = encode("vnarchive-test", "3", src)
    assert isinstance(raw, bytes) and raw.endswith(b"\n")
    action, body = raw.decode("utf-8").splitlines()
    assert json.loads(action) == {"index": {"_index": "vnarchive-test", "_id": "3"}}
    assert json.loads(body) == src
    assert "giảm nghèo" in body  # UTF-8 as it is, not \\u escapes (smaller requests)


@pytest.fixture(scope="module")
def stored_ids(archive_dir) -> list[int]:
    store = Store(DataDir(archive_dir).store, readonly=True)
    try:
        return [r[0] for r in store.db.execute("SELECT id FROM articles ORDER BY id")]
    finally:
        store.close()


@pytest.fixture(scope="module")
def produced(archive_dir):
    vocab: dict[str, set[str]] = {"words": set(), "fwords": set()}
    lines = list(bulk_lines(DataDir(archive_dir).store, "vn-test", chunk=3, workers=1,
                            vocab=vocab))
    return lines, vocab


def test_every_stored_article_once_in_id_order(produced, stored_ids):
    lines, _ = produced
    assert len(stored_ids) < PARALLEL_MIN  # this archive is made in the parent process
    assert [int(i) for i, _ in lines] == stored_ids


def test_each_document_is_an_index_action_and_its_source(produced):
    lines, _ = produced
    for doc_id, raw in lines:
        action, body = (json.loads(x) for x in raw.decode("utf-8").splitlines())
        assert action == {"index": {"_index": "vn-test", "_id": doc_id}}
        assert body["id"] == int(doc_id)
        assert set(body) >= {"words", "syl", "fold", "t_syl", "site"}


def test_the_sources_are_the_documents_module_ones(produced, archive_dir):
    from indexer.ingest.reindexer import stored_documents
    lines, _ = produced
    store = Store(DataDir(archive_dir).store, readonly=True)
    try:
        first = next(stored_documents(store, store.rows_between(0, 10**9, 1), lambda: None))
    finally:
        store.close()
    assert json.loads(lines[0][1].decode("utf-8").splitlines()[1]) == source(first)


def test_the_vocabulary_is_every_distinct_word_and_folded_word(produced):
    lines, vocab = produced
    words, fwords = set(), set()
    for _, raw in lines:
        body = json.loads(raw.decode("utf-8").splitlines()[1])
        words.update(body["words"].split())
        fwords.update(fold(body["words"]).split())
    assert vocab == {"words": words, "fwords": fwords}
    assert "nghèo" in vocab["words"] and "ngheo" in vocab["fwords"]


def test_an_ingest_sends_only_what_was_saved_since(archive_dir, stored_ids):
    path = DataDir(archive_dir).store
    assert list(bulk_lines(path, "vn-test", chunk=5, workers=1,
                           updated_since="9999-01-01T00:00:00")) == []
    every = [int(i) for i, _ in bulk_lines(path, "vn-test", chunk=5, workers=1,
                                           updated_since="1970-01-01T00:00:00")]
    assert every == stored_ids


def test_with_a_stats_index_each_run_is_followed_by_its_counts(archive_dir, stored_ids):
    from indexer.ingest.reindexer import stored_documents
    lines = list(bulk_lines(DataDir(archive_dir).store, "vn-test", chunk=4, workers=1,
                            stats_index="vn-test-stats", stats_key="k"))
    runs = [stored_ids[i:i + 4] for i in range(0, len(stored_ids), 4)]
    want: list[str] = []
    for run in runs:
        want += [str(i) for i in run] + [f"stats-k-{run[0]}"]
    assert [doc_id for doc_id, _ in lines] == want
    store = Store(DataDir(archive_dir).store, readonly=True)
    try:
        tally = StatsTally()
        for fields in stored_documents(store, store.rows_between(0, 10**9, 4), lambda: None):
            tally.add(fields)
    finally:
        store.close()
    action, body = (json.loads(x) for x in lines[4][1].decode("utf-8").splitlines())
    assert action == {"index": {"_index": "vn-test-stats", "_id": "stats-k-" + want[0]}}
    assert body == tally.source() and COUNT_DELIMITER in body["fwords"]


def test_an_ingest_counts_only_the_articles_it_sends(archive_dir, stored_ids):
    path = DataDir(archive_dir).store
    assert list(bulk_lines(path, "vn-test", chunk=5, workers=1, stats_index="s",
                           updated_since="9999-01-01T00:00:00")) == []
