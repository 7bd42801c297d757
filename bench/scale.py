"""Scale: the embedded engine next to OpenSearch (1 node, 3 nodes) on the same archive and
queries, in one run.

    .venv/bin/python bench/scale.py --archive PATH/archive.sqlite3     # an existing store
    .venv/bin/python bench/scale.py --limit 2000 --queries 10           # quick, from vietnews
    .venv/bin/python bench/scale.py --archive PATH --copies-to 100000   # 100k: copies, new urls

The store's cached analysis is reused by every engine (no segmentation is timed, unless
``--archive`` is omitted: the archive is then ingested first, untimed).  Per engine:
build time (embedded ``reindex``, 2 workers; OpenSearch ``reindex_opensearch``: bulk from
the store, 2 threads, new index + alias swap), articles/s, index size, open time (engine
constructed → first answer), RSS (this process for embedded; the JVMs for OpenSearch) and
p50/p95 of full queries (facets, months, snippets) from ``bench/perf.py``'s query set.
The OpenSearch nodes are real (``tests/opensearch_node.py``) on 127.0.0.1, sharing the
machine with this process.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parents[1]), str(Path(__file__).resolve().parent),
                str(Path(__file__).resolve().parents[1] / "tests")]

from common import (ROOT, VIETNEWS, copy_rows, dir_bytes, percentile, rss_tree,  # noqa: E402
                    table)


def _queries(data: Path, per_kind: int) -> list[tuple[str, dict]]:
    from perf import query_set
    return [q for qs in query_set(data, per_kind).values() for q in qs]


def _timed_queries(engine, queries: list[tuple[str, dict]]) -> tuple[float, float]:
    from indexer import SearchRequest
    times = []
    for q, filters in queries:
        t = time.perf_counter()
        engine.search(SearchRequest(q=q, filters=dict(filters), per_page=10))
        times.append(time.perf_counter() - t)
    return percentile(times, 50) * 1000, percentile(times, 95) * 1000


def embedded(data: Path, per_kind: int) -> tuple[dict[str, Any], list]:
    from archive.datadir import DataDir
    from indexer import ArchiveSearcher, SearchRequest, reindex
    t = time.perf_counter()
    n = reindex(data, workers=2)
    build = time.perf_counter() - t
    queries = _queries(data, per_kind)  # drawn from the index just built
    t = time.perf_counter()
    s = ArchiveSearcher(data)
    s.search(SearchRequest(q="khởi động"))
    opened = time.perf_counter() - t
    _timed_queries(s, queries[:10])  # warm, as `vnarchive serve` does
    p50, p95 = _timed_queries(s, queries)
    out = {"engine": "embedded", "articles": n, "build_s": build, "per_s": n / build,
           "index_bytes": dir_bytes(DataDir(data).root / "index"), "open_s": opened,
           "rss": rss_tree(), "p50_ms": p50, "p95_ms": p95, "load": os.getloadavg()[0]}
    s.close()
    return out, queries


def opensearch(data: Path, queries: list, nodes: int, heap: str, base: Path) -> dict[str, Any]:
    from tests import opensearch_node as osnode
    from indexer import SearchRequest
    from indexer.opensearch import OpenSearchEngine, connect, reindex_opensearch
    from indexer.opensearch.lifecycle import wait_for
    dist = osnode.ensure_distribution()
    t = time.perf_counter()
    if nodes == 1:
        cluster = osnode.start_node(dist, base / "single", "single", heap=heap, timeout=240)
        urls, members = cluster.url, [cluster]
    else:
        cluster = osnode.start_cluster(nodes, dist, base / f"cluster{nodes}", heap=heap,
                                       timeout=300, wait_status="green")
        urls, members = ",".join(cluster.urls), cluster.nodes
    started = time.perf_counter() - t
    try:
        client = connect(urls, timeout=120)
        shards, replicas = (1, 0) if nodes == 1 else (nodes, 1)
        rep = reindex_opensearch(data, client, shards=shards, replicas=replicas, threads=2)
        if nodes > 1:
            wait_for(client, "green")
        size = client.indices.stats(index="vnarchive", metric="store")["_all"]["total"]
        t = time.perf_counter()
        engine = OpenSearchEngine(data, urls)
        engine.search(SearchRequest(q="khởi động"))
        opened = time.perf_counter() - t
        _timed_queries(engine, queries[:10])
        p50, p95 = _timed_queries(engine, queries)
        engine.close()
        return {"engine": f"opensearch {nodes} node{'s' * (nodes > 1)} ({heap} heap"
                          + (f", {nodes} shards, 1 replica)" if nodes > 1 else ", 1 shard)"),
                "articles": rep.indexed, "build_s": rep.seconds, "per_s": rep.per_second,
                "index_bytes": size["store"]["size_in_bytes"], "open_s": opened,
                "rss": sum(m.rss_bytes() or 0 for m in members), "p50_ms": p50,
                "p95_ms": p95, "node_start_s": started, "retried": rep.retried,
                "load": os.getloadavg()[0]}
    finally:
        cluster.stop(remove_data=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--archive", type=Path, help="an archive.sqlite3 with cached analysis")
    ap.add_argument("--limit", type=int, default=2000, help="vietnews articles without --archive")
    ap.add_argument("--articles", type=int, default=0, help="keep the first N of --archive")
    ap.add_argument("--copies-to", type=int, default=0,
                    help="grow the archive to N articles with copies under distinct urls")
    ap.add_argument("--queries", type=int, default=20, help="queries per kind (5 kinds)")
    ap.add_argument("--heap", default="1g")
    ap.add_argument("--nodes", default="1,3", help="OpenSearch cluster sizes to run")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "scale")
    args = ap.parse_args(argv)
    data = args.out / "data"
    shutil.rmtree(args.out, ignore_errors=True)
    data.mkdir(parents=True)
    if args.archive:
        shutil.copy(args.archive, data / "archive.sqlite3")
    else:
        from indexer import ingest_paths
        import gzip, itertools  # noqa: E401
        src = args.out / "input.jsonl"
        with gzip.open(VIETNEWS, "rt", encoding="utf-8") as fh:
            src.write_text("".join(itertools.islice(fh, args.limit)), "utf-8")
        ingest_paths([src], data, workers=2)
    if args.copies_to:  # vietnews copied with distinct urls, analyses kept (100k, 300k)
        db = sqlite3.connect(data / "archive.sqlite3")
        print(f"scale: {copy_rows(db, args.copies_to)} articles", flush=True)
        db.close()
    if args.articles:  # the first N articles of the store (for a quick run)
        db = sqlite3.connect(data / "archive.sqlite3")
        keep = db.execute("SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET ?",
                          (args.articles - 1,)).fetchone()
        if keep:
            db.execute("DELETE FROM articles WHERE id > ?", keep)
            db.execute("DELETE FROM simhash_bands WHERE article_id > ?", keep)
            db.commit()
        db.execute("VACUUM")
        db.close()
    row, queries = embedded(data, args.queries)
    rows = [row]
    print(row, flush=True)
    for nodes in (int(n) for n in args.nodes.split(",") if n):
        rows.append(opensearch(data, queries, nodes, args.heap, args.out))
        print(rows[-1], flush=True)
    base = rows[0]["per_s"]
    print(table(f"Scale: {rows[0]['articles']} articles, {len(queries)} full queries "
                "(facets, months, snippets)",
                ["engine", "build s", "articles/s", "× embedded", "index MB", "open s",
                 "RSS MB", "p50 ms", "p95 ms", "node start s", "load 1 min"],
                [[r["engine"], f"{r['build_s']:.1f}", f"{r['per_s']:.0f}",
                  f"{r['per_s'] / base:.2f}", f"{r['index_bytes'] / 1e6:.0f}",
                  f"{r['open_s']:.2f}", f"{r['rss'] / 1e6:.0f}", f"{r['p50_ms']:.1f}",
                  f"{r['p95_ms']:.1f}", f"{r.get('node_start_s', 0):.0f}",
                  f"{r['load']:.1f}"] for r in rows]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
