"""Bulk indexing (``indexer.opensearch.bulk``): which statuses are retried, the rate, and a
document the real node refuses reported by id, never dropped.  (Retries themselves are not
driven here: a real node cannot be made to answer 429 on demand, and the house rule is a
real node, never an imitation of one.)"""
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
