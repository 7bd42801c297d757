"""A real 3-node OpenSearch cluster on 127.0.0.1 (1 replica): one node is SIGKILLed in the
middle of a stream of searches; once the cluster is yellow no search fails and every
answer is the one given before the kill, and indexing resumes with no document lost."""
from __future__ import annotations

import threading
import time

import pytest

from indexer import SearchRequest
from indexer.opensearch import OpenSearchEngine, connect, reindex_opensearch
from indexer.opensearch.bulk import BulkFeeder
from indexer.opensearch.lifecycle import alias_target

pytestmark = pytest.mark.opensearch

QUERIES = ["giảm nghèo", "giam ngheo", '"nông thôn mới"', "ocop", "", "Long An"]


def _answer(engine: OpenSearchEngine, q: str) -> tuple:
    res = engine.search(SearchRequest(q=q, per_page=50))
    return res["total"], sorted(r["id"] for r in res["results"]), res["facets"]


def test_search_survives_a_killed_node_and_indexing_resumes(tmp_path, copy_of_archive):
    from tests import opensearch_node as osnode
    try:
        cluster = osnode.start_cluster(3, osnode.ensure_distribution(), tmp_path / "cluster",
                                       heap="256m", timeout=240, wait_status="green")
    except osnode.OpenSearchError as exc:
        pytest.fail(f"cannot start a real 3-node OpenSearch cluster: {exc}", pytrace=False)
    try:
        urls = ",".join(cluster.urls)
        client = connect(urls)
        reindex_opensearch(copy_of_archive, client, shards=3, replicas=1)
        cluster.wait_for_status("green", nodes=3, timeout=120)
        engine = OpenSearchEngine(copy_of_archive, urls)
        want = {q: _answer(engine, q) for q in QUERIES}
        answers: list[tuple[float, str, object]] = []  # (time, query, answer or error)
        stop = threading.Event()

        def stream() -> None:
            while not stop.is_set():
                for q in QUERIES:
                    try:
                        answers.append((time.monotonic(), q, _answer(engine, q)))
                    except Exception as exc:  # recorded, judged below
                        answers.append((time.monotonic(), q, exc))

        t = threading.Thread(target=stream)
        t.start()
        time.sleep(2.0)
        victim = cluster.nodes[1]
        assert victim.kill() == -9  # SIGKILL, mid-stream
        cluster.wait_for_status("yellow", nodes=2, timeout=120)
        yellow = time.monotonic()
        time.sleep(3.0)
        stop.set()
        t.join()
        after = [(q, a) for ts, q, a in answers if ts >= yellow]
        assert after, "no search ran after the cluster turned yellow"
        failed = [a for _, a in after if isinstance(a, Exception)]
        assert failed == []
        assert all(a == want[q] for q, a in after)

        # indexing resumes on the two live nodes: every stored article goes in again
        index = alias_target(client)[0]
        docs = [(str(i), {"id": i, "site": "after-kill.example"}) for i in range(10**6, 10**6 + 200)]
        report = BulkFeeder(client, index, threads=2, chunk=50).feed(iter(docs))
        assert report.failures == [] and report.indexed == 200
        client.indices.refresh(index=index)
        stored = want[""][0]
        assert client.count(index=index)["count"] == stored + 200  # no document lost
        victim.restart()
        cluster.wait_for_status("green", nodes=3, timeout=180)
        assert client.count(index=index)["count"] == stored + 200
        engine.close()
    finally:
        cluster.stop(remove_data=True)
