"""A real OpenSearch node for the benchmarks (entry point: ``opensearch_engine``): started
on 127.0.0.1 by ``tests/opensearch_node.py``, the archive fed with ``reindex_opensearch``
from its cached analysis, stopped afterwards.  Used by ``matchsets.py --opensearch`` and
``relevance.py --systems …,opensearch``, so both engines answer the same queries in one run."""
from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@contextlib.contextmanager
def opensearch_engine(data: Path, heap: str = "1g", alias: str = "vnarchive") -> Iterator:
    from indexer.opensearch import OpenSearchEngine, connect, reindex_opensearch
    from tests import opensearch_node as osnode
    base = Path(tempfile.mkdtemp(prefix="osbench-"))
    node = osnode.start_node(osnode.ensure_distribution(), base, "bench", heap=heap,
                             timeout=300)
    try:
        client = connect(node.url, timeout=120)
        t = time.perf_counter()
        report = reindex_opensearch(data, client, alias=alias)
        print(f"opensearch: {report.indexed} articles fed in {time.perf_counter() - t:.1f} s "
              f"({report.per_second:.0f}/s)", file=sys.stderr)
        if report.failures:
            raise SystemExit(f"opensearch: {len(report.failures)} documents refused")
        engine = OpenSearchEngine(data, node.url, alias=alias, client=client,
                                  values_ttl=1e9)
        yield engine
        engine.close()
    finally:
        node.stop(remove_data=True)
