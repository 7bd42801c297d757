"""Bulk indexing (``indexer.opensearch.bulk``): what is retried, what is reported, nothing
dropped.  The retry decisions are checked against a real HTTP server on 127.0.0.1 that
answers ``_bulk`` the way a loaded cluster does (429 for the whole request, 429/503 or a
mapping refusal per item), through the real opensearch-py client; a mapping refusal is
also checked on a real node."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from indexer.opensearch import BulkFailed, BulkReport, connect
from indexer.opensearch.bulk import RETRY_STATUS, BulkFeeder
from indexer.opensearch.mapping import index_body

DOCS = [(str(i), {"id": i, "site": "baomau.example", "province": ["Long An"]})
        for i in range(1, 5)]
REFUSED = {"type": "mapper_parsing_exception", "reason": "không đọc được trường 'tỉnh'"}


class BusyCluster:
    """A ``_bulk`` endpoint whose answer to each request is ``script(n, ids)``: an HTTP
    status for the whole request, or a status per document id.  Records the ids sent."""

    def __init__(self, script) -> None:
        self.script, self.requests = script, []
        cluster = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def _answer(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._answer(200, {"version": {"number": "2.19.0", "distribution": "opensearch"}})

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8")
                lines = [json.loads(x) for x in raw.splitlines() if x]
                ids = [a["index"]["_id"] for a in lines[0::2]]
                cluster.requests.append(ids)
                got = cluster.script(len(cluster.requests), ids)
                if isinstance(got, int):
                    self._answer(got, {"error": {"type": "es_rejected_execution_exception"},
                                       "status": got})
                    return
                items = []
                for i in ids:
                    item = {"_index": "bulk-test", "_id": i, "status": got.get(i, 201)}
                    if item["status"] >= 300:
                        item["error"] = (REFUSED if item["status"] == 400 else
                                         {"type": "es_rejected_execution_exception",
                                          "reason": "hàng đợi đầy"})
                    items.append({"index": item})
                self._answer(200, {"took": 1, "errors": any(v >= 300 for v in got.values()),
                                   "items": items})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "BusyCluster":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _feed(cluster: BusyCluster, docs=DOCS, **kw) -> BulkReport:
    client = connect(cluster.url)
    try:
        return BulkFeeder(client, "bulk-test", threads=1, chunk=10, backoff=0.001,
                          **kw).feed(iter(docs))
    finally:
        client.close()


def test_429_and_5xx_are_the_retried_statuses():
    assert {429, 500, 502, 503, 504} == RETRY_STATUS
    assert 400 not in RETRY_STATUS and 409 not in RETRY_STATUS


def test_a_whole_request_refused_with_429_is_sent_again():
    with BusyCluster(lambda n, ids: 429 if n == 1 else {}) as cluster:
        report = _feed(cluster)
    assert cluster.requests == [["1", "2", "3", "4"]] * 2
    assert report.indexed == 4 and report.failures == []
    assert report.retried == 4  # every document of the request went again


def test_only_the_items_that_failed_with_a_retryable_status_go_again():
    def script(n, ids):
        return {"2": 429, "3": 503} if n == 1 else {}
    with BusyCluster(script) as cluster:
        report = _feed(cluster)
    assert cluster.requests == [["1", "2", "3", "4"], ["2", "3"]]
    assert report.indexed == 4 and report.failures == [] and report.retried == 2


def test_a_refused_item_is_reported_at_once_and_not_retried():
    with BusyCluster(lambda n, ids: {"3": 400}) as cluster:
        report = _feed(cluster)
    assert cluster.requests == [["1", "2", "3", "4"]]
    assert report.indexed == 3 and report.retried == 0
    assert report.failures == [("3", "mapper_parsing_exception: không đọc được trường 'tỉnh'")]


def test_an_item_still_failing_after_every_retry_is_reported_with_its_reason():
    with BusyCluster(lambda n, ids: {"2": 503}) as cluster:
        report = _feed(cluster, retries=2)
    assert cluster.requests == [["1", "2", "3", "4"], ["2"], ["2"]]  # 1 + 2 retries
    assert report.indexed == 3 and report.retried == 2
    assert report.failures == [("2", "es_rejected_execution_exception: hàng đợi đầy")]
    err = BulkFailed(report)
    assert err.report is report and str(err).startswith("1 documents not indexed (2: es_rejected")


def test_a_request_refused_every_time_reports_each_document_by_status():
    with BusyCluster(lambda n, ids: 429) as cluster:
        report = _feed(cluster, retries=1)
    assert len(cluster.requests) == 2
    assert report.indexed == 0
    assert sorted(report.failures) == [(i, "HTTP 429") for i, _ in DOCS]


def test_documents_are_cut_into_requests_of_chunk_and_progress_counts_them():
    seen: list[int] = []
    docs = [(str(i), {"id": i}) for i in range(1, 8)]
    with BusyCluster(lambda n, ids: {}) as cluster:
        client = connect(cluster.url)
        report = BulkFeeder(client, "bulk-test", threads=2, chunk=3,
                            progress=seen.append).feed(iter(docs))
        client.close()
    assert sorted(len(r) for r in cluster.requests) == [1, 3, 3]
    assert sorted(i for r in cluster.requests for i in r) == sorted(i for i, _ in docs)
    assert report.indexed == 7 and sum(seen) == 7


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
