"""Bulk indexing (``indexer.opensearch.bulk``): which statuses are retried, the rate, a
document the real node refuses reported by id, never dropped, and the retries themselves:
a real node with one write thread and a write queue of one answers concurrent bulks with
429, and every document still goes in (or is reported, when no retry is left)."""
from __future__ import annotations

import pytest

from indexer.opensearch import BulkReport, connect
from indexer.opensearch.bulk import RETRY_STATUS, BulkFeeder
from indexer.opensearch.mapping import index_body


def test_429_and_5xx_are_the_retried_statuses():
    assert {429, 500, 502, 503, 504} == RETRY_STATUS
    assert 400 not in RETRY_STATUS and 409 not in RETRY_STATUS


def test_per_second_is_documents_over_seconds():
    assert BulkReport(indexed=300, seconds=2.0).per_second == 150.0
    assert BulkReport().per_second == 0.0


@pytest.mark.opensearch
def test_a_refused_document_is_reported_never_dropped(opensearch_node):
    client = connect(opensearch_node.url)
    client.indices.create(index="refuse-test", body=index_body())
    docs = [(str(i), {"id": i, "site": "a.example"}) for i in range(1, 6)]
    docs.insert(2, ("99", {"id": 99, "no_such_field": "x"}))  # strict mapping refuses it
    report = BulkFeeder(client, "refuse-test", threads=2, chunk=2).feed(iter(docs))
    assert report.indexed == 5
    assert [doc_id for doc_id, _ in report.failures] == ["99"]
    assert "strict" in report.failures[0][1]
    client.indices.delete(index="refuse-test")


@pytest.fixture(scope="module")
def busy_node(tmp_path_factory):
    """A real node with one write thread and a write queue of one: concurrent bulk
    requests really are rejected with 429 (``rejected_execution_exception``)."""
    from tests import opensearch_node as osnode
    node = osnode.start_node(osnode.ensure_distribution(), tmp_path_factory.mktemp("busy"),
                             "busy", heap="512m", timeout=300,
                             settings={"thread_pool.write.size": 1,
                                       "thread_pool.write.queue_size": 1})
    yield node
    node.stop(remove_data=True)


def _docs(n: int) -> list[tuple[str, dict]]:
    # ~2,000 tokens a document, so that a bulk keeps the one write thread busy a while
    text = " ".join(f"t{j % 997}" for j in range(2000))
    return [(str(i), {"id": i, "syl": text, "fold": text, "site": ["a.example"]})
            for i in range(1, n + 1)]


def _feed_until_rejected(client, index: str, docs, **kw) -> BulkReport:
    """Feed with many more senders than the node takes; asked again (into a fresh index)
    in the unlikely case that the node kept up and rejected nothing."""
    for _ in range(3):
        client.indices.create(index=index, body=index_body())
        report = BulkFeeder(client, index, threads=8, chunk=5, **kw).feed(iter(docs))
        client.indices.refresh(index=index)
        if report.retried or any("rejected" in r for _, r in report.failures):
            return report
        client.indices.delete(index=index)
    pytest.fail("the node with one write thread and a queue of one never answered 429")


@pytest.mark.opensearch
def test_rejected_bulks_are_retried_until_every_document_is_in(busy_node):
    client = connect(busy_node.url)
    docs = _docs(400)
    docs.insert(100, ("999", {"id": 999, "no_such_field": "x"}))  # refused for good
    report = _feed_until_rejected(client, "retry-test", docs, retries=12, backoff=0.05)
    assert report.retried > 0  # the node did answer 429, and those were sent again
    assert report.indexed == 400
    assert client.count(index="retry-test")["count"] == 400  # none lost
    assert [(i, r.split(":")[0]) for i, r in report.failures] == \
        [("999", "strict_dynamic_mapping_exception")]  # reported, never dropped
    client.indices.delete(index="retry-test")


@pytest.mark.opensearch
def test_without_retries_left_a_rejected_document_is_reported_with_its_reason(busy_node):
    client = connect(busy_node.url)
    docs = _docs(400)
    report = _feed_until_rejected(client, "noretry-test", docs, retries=0)
    failed = {i for i, _ in report.failures}
    assert failed and report.retried == 0
    assert all("429" in r or "rejected" in r for _, r in report.failures), report.failures[:3]
    # every document is either in the index or in the report: nothing silently dropped
    assert report.indexed + len(failed) == len(docs)
    assert client.count(index="noretry-test")["count"] == report.indexed
    got = client.search(index="noretry-test", body={"size": 0, "aggs": {
        "ids": {"terms": {"field": "id", "size": 1000}}}})
    indexed = {str(b["key"]) for b in got["aggregations"]["ids"]["buckets"]}
    assert indexed | failed == {i for i, _ in docs} and not indexed & failed
    client.indices.delete(index="noretry-test")
