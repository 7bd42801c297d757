"""The OpenSearch bulk feed alone, with its CPU split: ``reindex_opensearch`` of a store's
cached analysis into a fresh single node (1 GB heap, 1 shard), and the CPU seconds per
article of the node's JVM (``/proc``) and of this process with its producer workers.

    .venv/bin/python bench/osfeed.py --archive DIR                # DIR holds archive.sqlite3
    .venv/bin/python bench/osfeed.py --archive DIR --code /tmp/base   # another checkout's code

``--code`` runs another checkout's ``indexer`` (e.g. ``git archive main | tar -x -C
/tmp/base``) against the same store and node recipe, for before/after figures.  A store
from before the analysis cache kept its token streams gets them stored by the first run
(``indexer.schema.with_views``): run twice and take the second.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _group_cpu(pgid: int) -> float:
    """CPU seconds of every process in process group ``pgid`` (the node leads its own)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--archive", type=Path, required=True, help="a data dir with a store")
    ap.add_argument("--code", type=Path, default=ROOT, help="checkout whose indexer runs")
    ap.add_argument("--heap", default="1g")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    code = args.code.resolve()
    sys.path[:0] = [str(code), str(ROOT / "tests")]
    import opensearch_node as osnode
    from indexer.opensearch import connect, reindex_opensearch
    base = Path(tempfile.mkdtemp(prefix="osfeed-"))
    node = osnode.start_node(osnode.ensure_distribution(), base, "feed", heap=args.heap,
                             timeout=300)
    try:
        client = connect(node.url, timeout=300)
        jvm0, load0, t0 = _group_cpu(node.pid), os.getloadavg()[0], time.perf_counter()
        report = reindex_opensearch(args.archive, client, threads=args.threads)
        wall = time.perf_counter() - t0
        jvm = _group_cpu(node.pid) - jvm0
        own = sum(getattr(resource.getrusage(who), f) for who in
                  (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
                  for f in ("ru_utime", "ru_stime"))
        n = report.indexed
        print(f"{code.name}: {n} articles, bulk feed {report.seconds:.1f} s = "
              f"{report.per_second:.0f}/s, whole reindex {wall:.1f} s; CPU per article: "
              f"JVM {jvm * 1000 / n:.2f} ms, Python (this process and its workers) "
              f"{own * 1000 / n:.2f} ms; load {load0:.1f} → {os.getloadavg()[0]:.1f}; "
              f"retried {report.retried}")
    finally:
        node.stop(remove_data=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
