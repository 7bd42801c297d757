"""Performance: ingest, reindex, queries (bare / facets + snippets) next to SQLite FTS5, memory.

    .venv/bin/python bench/perf.py                       # everything, full size (~long)
    .venv/bin/python bench/perf.py --limit 2000 --big 10000 --queries 20   # quick
    .venv/bin/python bench/perf.py --phases queries,serve --report          # some phases

Phases (each merges its figures into ``<out>/results.json``, so the slow builds can run
separately in the background; ``--report`` prints the tables from that file):

- ``ingest``: ``indexer.ingest_paths`` on the first ``--limit`` vietnews articles into a
  fresh archive (2 workers): articles/s end to end, seconds per stage (summed over processes),
  peak RSS of the process tree; then the limit: underthesea ``word_tokenize`` alone over the
  same texts in 2 processes.  ``html``: the same for the shared HTML pages.
- ``reindex``: ``reindex`` of that archive (cached segmentation), and the raw Whoosh write
  rate: documents prebuilt in memory, only ``add_document`` + ``commit`` in one writer.
- ``big``: a ``--big``-article archive (vietnews rows copied with distinct urls, analyses
  included) reindexed — built once, reused.
- ``queries``: one-word, three-word, unaccented, phrase and filter-only queries on both
  archives from a warm ``ArchiveSearcher``, bare (10 hits, nothing else) and full (facets,
  months, snippets), next to FTS5 on the same rows (``bench/fts5_peer.py``).
- ``serve``: RSS of a ``vnarchive serve`` subprocess after warm-up; index and store sizes.
"""
from __future__ import annotations

import argparse
import gzip
import itertools
import json
import multiprocessing
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (HTML, ROOT, VIETNEWS, PeakRSS, copy_rows, dir_bytes, load_results,  # noqa: E402
                    percentile, rss_tree, save_results, table)

KINDS = ("one-word", "three-word", "unaccented", "phrase", "filter-only")


# -- ingest ------------------------------------------------------------------------------
def _input(out: Path, limit: int | None) -> Path:
    if not limit:
        return VIETNEWS
    path = out / f"vietnews-{limit}.jsonl"
    if not path.exists():
        with gzip.open(VIETNEWS, "rt", encoding="utf-8") as src, open(path, "w") as dst:
            dst.writelines(itertools.islice(src, limit))
    return path


def _texts(path: Path) -> list[list[str]]:
    from archive.sources import iter_raw, to_article
    out = []
    for item in iter_raw([path]):
        try:
            a = to_article(item)
        except Exception:
            continue
        out.append([t for t in (a.title, a.sapo, *a.paragraphs, *a.captions) if t])
    return out


def _tokenize_all(texts: list[str]) -> int:
    from underthesea import word_tokenize
    return sum(len(word_tokenize(t)) for t in texts)


def _segment_all(texts: list[str]) -> int:
    from indexer.analysis.analyzer import normalize, segment
    return sum(len(segment(normalize(t)).split()) for t in texts)


def segmentation_limit(path: Path, procs: int = 2, ours: bool = False) -> dict[str, Any]:
    """underthesea word_tokenize alone over the articles' texts, ``procs`` processes (or,
    with ``ours``, our analyser's ``segment(normalize(...))``, for comparison)."""
    articles = _texts(path)
    work = _segment_all if ours else _tokenize_all
    work(["Khởi động mô hình."])  # model loaded before forking, as ingest does
    ctx = multiprocessing.get_context("fork")
    t = time.perf_counter()
    with ctx.Pool(procs) as pool:
        words = sum(pool.imap_unordered(work, articles, chunksize=8))
    dt = time.perf_counter() - t
    chars = sum(len(x) for a in articles for x in a)
    return {"articles": len(articles), "seconds": dt, "rate": len(articles) / dt,
            "words_per_s": words / dt, "chars_per_s": chars / dt, "procs": procs}


def _cpu() -> tuple[float, float]:
    """CPU seconds of this process and of its finished children (the ingest workers)."""
    import resource
    me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def phase_ingest(out: Path, limit: int | None, res: Path) -> None:
    from indexer.ingest.ingester import ingest_paths
    src = _input(out, limit)
    data = out / f"archive-{limit or 'all'}"
    shutil.rmtree(data, ignore_errors=True)
    before = _cpu()
    with PeakRSS() as peak:
        report = ingest_paths([src], data, workers=2)
    main_cpu, workers_cpu = (b - a for a, b in zip(before, _cpu()))
    n = report.stored
    result = {"source": str(src), "data": str(data), "articles": n, "failed": report.failed,
              "seconds": report.seconds, "rate": n / report.seconds, "peak_rss": peak.peak,
              "stages": report.stages, "main_cpu": main_cpu, "workers_cpu": workers_cpu,
              "limit": segmentation_limit(src),
              "our_segmenter": segmentation_limit(src, ours=True)}
    save_results(res, "ingest", result)


def phase_html(out: Path, res: Path) -> None:
    from indexer.ingest.ingester import ingest_paths
    data = out / "archive-html"
    shutil.rmtree(data, ignore_errors=True)
    pages = sorted(HTML.rglob("*.html"))
    with PeakRSS() as peak:
        report = ingest_paths(pages, data, workers=2)
    save_results(res, "html", {"pages": len(pages), "stored": report.stored,
                               "failed": report.failed, "seconds": report.seconds,
                               "rate": len(pages) / report.seconds, "peak_rss": peak.peak,
                               "stages": report.stages})


# -- reindex -----------------------------------------------------------------------------
def raw_write_rate(data: Path, n: int) -> dict[str, Any]:
    """Whoosh alone: the archive's documents prebuilt in memory, one writer, add + commit."""
    from whoosh import index as whoosh_index

    from archive.store import Store
    from indexer.schema import document, schema
    from indexer.codec.segment_writer import fast_writer
    from archive.datadir import DataDir
    store = Store(DataDir(data).store, readonly=True)
    docs = [document(r.id, r.article, r.analysis)
            for r in itertools.islice(store.iter_all(), n)]
    store.close()
    target = data.parent / "raw-index"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    ix = whoosh_index.create_in(str(target), schema())
    t = time.perf_counter()
    writer = fast_writer(ix)
    for d in docs:
        writer.add_document(**d)
    writer.commit(optimize=True)
    dt = time.perf_counter() - t
    shutil.rmtree(target, ignore_errors=True)
    return {"docs": len(docs), "seconds": dt, "rate": len(docs) / dt}


def phase_reindex(res: Path, raw_docs: int, worker_counts: tuple[int, ...] = (2,)) -> None:
    from indexer.ingest.reindexer import reindex
    data = Path(load_results(res)["ingest"]["data"])
    out = {}
    for workers in worker_counts:
        with PeakRSS() as peak:
            t = time.perf_counter()
            n = reindex(data, workers=workers)
            dt = time.perf_counter() - t
        out[f"workers={workers}"] = {"articles": n, "seconds": dt, "rate": n / dt,
                                     "peak_rss": peak.peak}
    out["raw"] = raw_write_rate(data, raw_docs)
    save_results(res, "reindex", out)


# -- the big archive ---------------------------------------------------------------------
def build_big(res: Path, out: Path, size: int) -> None:
    """Copies of the ingested rows with distinct urls (analyses kept), then reindex."""
    from archive.datadir import DataDir
    from indexer.ingest.reindexer import reindex
    src = Path(load_results(res)["ingest"]["data"])
    data = out / f"archive-big-{size}"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    t = time.perf_counter()
    with sqlite3.connect(DataDir(src).store) as a, sqlite3.connect(DataDir(data).store) as b:
        a.backup(b)
        copy_rows(b, size)
    copied = time.perf_counter() - t
    with PeakRSS() as peak:
        t = time.perf_counter()
        count = reindex(data, workers=2)
        dt = time.perf_counter() - t
    save_results(res, "big", {"data": str(data), "articles": count, "copy_seconds": copied,
                              "reindex_seconds": dt, "reindex_rate": count / dt,
                              "peak_rss": peak.peak})


# -- queries -----------------------------------------------------------------------------
def query_set(data: Path, per_kind: int, seed: int = 8) -> dict[str, list[tuple[str, dict]]]:
    """Queries drawn from the archive itself (seeded): words of middling frequency, phrases
    cut from real paragraphs, and the most common facet values as filters."""
    from archive.store import Store
    from archive.textnorm import fold
    from archive.datadir import DataDir
    from indexer.search import ArchiveSearcher
    rnd = random.Random(seed)
    s = ArchiveSearcher(data)
    searcher, cols = s._ensure()
    reader = searcher.reader()
    n = reader.doc_count()
    words = sorted(w for w in (t.decode() for t, info in reader.iter_field("words")
                               if n // 2000 <= info.doc_frequency() <= n // 20)
                   if w.replace("_", "").isalpha())
    words = [w.replace("_", " ") for w in words]
    compound = [w for w in words if " " in w]
    store = Store(DataDir(data).store, readonly=True)
    ids = [r[0] for r in store.db.execute("SELECT id FROM articles ORDER BY id LIMIT 5000")]
    phrases = []
    for aid in rnd.sample(ids, min(len(ids), per_kind * 2)):
        paras = [p for p in store.get(aid).article.paragraphs if len(p.split()) > 8]
        if paras:
            toks = [t for t in rnd.choice(paras).split() if t.isalpha()]
            if len(toks) >= 3:
                i = rnd.randrange(len(toks) - 2)
                phrases.append('"' + " ".join(toks[i:i + 3]).lower() + '"')
    store.close()
    top = [(f, v) for f in ("province", "site", "program", "official")
           for v in sorted(cols.values[f], key=lambda v: -len(cols.values[f][v]))[:10]]
    s.close()
    return {
        "one-word": [(rnd.choice(words), {}) for _ in range(per_kind)],
        "three-word": [(" ".join(rnd.sample(words, 3)), {}) for _ in range(per_kind)],
        "unaccented": [(fold(rnd.choice(compound)), {}) for _ in range(per_kind)],
        "phrase": [(p, {}) for p in phrases[:per_kind]],
        "filter-only": [("", {f: (v,)}) for f, v in (rnd.choice(top) for _ in range(per_kind))],
    }


def _ours(searcher, q: str, filters: dict, full: bool) -> float:
    from indexer.search import SearchRequest
    req = SearchRequest(q=q, filters=dict(filters), per_page=10, with_snippets=full,
                        with_facets=full)
    t = time.perf_counter()
    searcher.search(req)
    return time.perf_counter() - t


def _peer(fts, q: str, filters: dict, full: bool) -> float:
    t = time.perf_counter()
    fts.search(q, filters, full=full)
    return time.perf_counter() - t


def _read_files(paths: list[Path]) -> int:
    """Read files once (into the OS page cache); returns the bytes read."""
    total = 0
    for path in paths:
        if path.is_file():
            with open(path, "rb") as f:
                while chunk := f.read(1 << 24):
                    total += len(chunk)
    return total


def bench_queries(data: Path, per_kind: int) -> dict[str, Any]:
    import fts5_peer
    from archive.datadir import DataDir
    from indexer.search import ArchiveSearcher
    # a third of the queries warms up; bare and full are timed on the other two thirds, so
    # neither finds its own terms cached by the other
    queries = query_set(data, per_kind * 3)
    peer_db = data / "fts5.sqlite3"
    t = time.perf_counter()
    fts5_peer.build(DataDir(data).store, peer_db)
    peer_build = time.perf_counter() - t
    fts = fts5_peer.Fts5(peer_db)
    # A warm server has its files in the page cache (ours asks for it: ``prefetch``); read
    # both engines' files once so neither pays for first reads from disk.
    from indexer.generations import current_path
    cached = _read_files([peer_db, DataDir(data).store, *current_path(data).iterdir()])
    t = time.perf_counter()
    ours = ArchiveSearcher(data, refresh_interval=3600, prefetch=True)
    ours._ensure()
    open_seconds = time.perf_counter() - t
    # the very first queries after open pay for field lengths, postings and (unaccented:
    # did-you-mean) the vocabulary; they are part of the warm-up set below
    first = {kind: _ours(ours, *queries[kind][0], True) * 1000
             for kind in ("unaccented", "one-word")}
    out: dict[str, Any] = {"articles": ours.stats()["indexed"], "open_seconds": open_seconds,
                           "page_cache_bytes": cached,
                           "first_ms": first, "fts5_build_seconds": peer_build, "kinds": {}}
    for kind, qs in queries.items():
        row = {}
        for engine, fn, target in (("ours", _ours, ours), ("fts5", _peer, fts)):
            for full in (False, True):
                n = len(qs) // 3
                warm, timed = qs[:n], (qs[2 * n:] if full else qs[n:2 * n])
                for q, f in warm:  # other queries of the same kind: pages, columns, caches
                    fn(target, q, f, full)
                times = [fn(target, q, f, full) * 1000 for q, f in timed]
                row[f"{engine} {'full' if full else 'bare'}"] = {
                    p: percentile(times, x) for p, x in (("p50", 50), ("p95", 95), ("p99", 99))}
        out["kinds"][kind] = row
    out["queries"] = {k: [q or json.dumps(f, ensure_ascii=False) for q, f in v[-5:]]
                      for k, v in queries.items()}
    ours.close()
    return out


def phase_queries(res: Path, per_kind: int) -> None:
    results = load_results(res)
    out = {}
    for name, key in (("small", "ingest"), ("big", "big")):
        if key in results:
            out[name] = bench_queries(Path(results[key]["data"]), per_kind)
    save_results(res, "queries", out)


# -- serve -------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_rss(data: Path, per_kind: int) -> dict[str, Any]:
    port = _free_port()
    exe = Path(sys.executable).with_name("vnarchive")
    proc = subprocess.Popen([str(exe), "serve", "--data-dir", str(data), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/api/stats", timeout=60).read()
                break
            except OSError:
                time.sleep(0.2)
        idle = rss_tree(proc.pid)
        times = []
        for qs in query_set(data, per_kind).values():
            for q, f in qs:
                params = [("q", q)] + [(k, v) for k, vals in f.items() for v in vals]
                t = time.perf_counter()
                urllib.request.urlopen(f"{base}/api/search?{urllib.parse.urlencode(params)}",
                                       timeout=60).read()
                times.append((time.perf_counter() - t) * 1000)
        return {"idle_rss": idle, "warm_rss": rss_tree(proc.pid),
                "http_p50": percentile(times, 50), "http_p95": percentile(times, 95)}
    finally:
        proc.terminate()
        proc.wait(10)


def phase_serve(res: Path, per_kind: int) -> None:
    from indexer.generations import current_path
    from archive.datadir import DataDir
    from indexer.codec.sidecar import MERGED, SUFFIX
    results = load_results(res)
    out = {}
    for name, key in (("small", "ingest"), ("big", "big")):
        if key in results:
            data = Path(results[key]["data"])
            out[name] = serve_rss(data, per_kind)
            gen = current_path(data)
            sidecars = [*gen.glob("*" + SUFFIX), *gen.glob(MERGED)]
            out[name].update({"index_bytes": dir_bytes(gen),
                              "sidecar_bytes": sum(p.stat().st_size for p in sidecars),
                              "store_bytes": DataDir(data).store.stat().st_size})
    save_results(res, "serve", out)


# -- report ------------------------------------------------------------------------------
def report(r: dict[str, Any]) -> str:
    out = []
    if "ingest" in r:
        i = r["ingest"]
        lim = i["limit"]
        out.append(table(
            f"Ingest ({i['articles']} vietnews articles, 2 workers)",
            ["what", "articles/s", "seconds", "peak RSS MB", "vs limit"],
            [["ingest end to end", i["rate"], i["seconds"], i["peak_rss"] / 1e6,
              f"{i['rate'] / lim['rate']:.2f}"],
             ["limit: word_tokenize only, 2 procs", lim["rate"], lim["seconds"], "", "1.00"]]
            + ([["our segment(normalize()) only, 2 procs", i["our_segmenter"]["rate"],
                 i["our_segmenter"]["seconds"], "",
                 f"{i['our_segmenter']['rate'] / lim['rate']:.2f}"]]
               if "our_segmenter" in i else [])))
        if "main_cpu" in i:
            out.append(table("Ingest CPU", ["process", "CPU s", "ms/article"],
                             [[k, i[f"{k}_cpu"], i[f"{k}_cpu"] / i["articles"] * 1000]
                              for k in ("main", "workers")]))
        total = sum(i["stages"].values())
        out.append(table("Ingest stages (CPU seconds summed over processes)",
                         ["stage", "seconds", "ms/article", "share"],
                         [[k, v, v / i["articles"] * 1000, f"{v / total:.0%}"]
                          for k, v in sorted(i["stages"].items(), key=lambda kv: -kv[1])]))
    if "html" in r:
        h = r["html"]
        out.append(table("Ingest of the shared HTML pages", ["pages", "stored", "failed",
                                                              "pages/s", "peak RSS MB"],
                         [[h["pages"], h["stored"], h["failed"], h["rate"],
                           h["peak_rss"] / 1e6]]))
    if "reindex" in r:
        x = r["reindex"]
        raw = x["raw"]["rate"]
        rows = [[k, v["rate"], v["seconds"], f"{v['rate'] / raw:.2f}"]
                for k, v in x.items() if k != "raw"]
        rows.append([f"raw Whoosh write, 1 writer ({x['raw']['docs']} docs)", raw,
                     x["raw"]["seconds"], "1.00"])
        out.append(table("Reindex from the store (cached segmentation)",
                         ["what", "articles/s", "seconds", "vs raw"], rows))
    if "big" in r:
        b = r["big"]
        out.append(table("Big archive build", ["articles", "copy s", "reindex s",
                                               "reindex articles/s", "peak RSS MB"],
                         [[b["articles"], b["copy_seconds"], b["reindex_seconds"],
                           b["reindex_rate"], b["peak_rss"] / 1e6]]))
    for name, q in r.get("queries", {}).items():
        rows = []
        for kind, row in q["kinds"].items():
            for mode in ("bare", "full"):
                o, f = row[f"ours {mode}"], row[f"fts5 {mode}"]
                rows.append([kind, mode, o["p50"], o["p95"], o["p99"], f["p50"], f["p95"],
                             f["p99"], f"{o['p95'] / max(f['p95'], 1e-6):.1f}×"])
        out.append(table(f"Queries, {q['articles']} articles (ms; full = all facets + months + "
                         f"snippets; both engines' files read once first "
                         f"({q.get('page_cache_bytes', 0) / 1e6:.0f} MB); "
                         f"searcher open {q['open_seconds']:.1f} s; first full "
                         + ", ".join(f"{k} query {v:.0f} ms"
                                     for k, v in q.get("first_ms", {}).items()) + ")",
                         ["kind", "mode", "p50", "p95", "p99", "fts5 p50", "fts5 p95",
                          "fts5 p99", "p95 vs fts5"], rows))
    if "serve" in r:
        out.append(table("Serve memory and sizes", ["archive", "idle RSS MB", "warm RSS MB",
                                                    "HTTP p50 ms", "HTTP p95 ms", "index MB",
                                                    "of which sidecars MB", "store MB"],
                         [[k, v["idle_rss"] / 1e6, v["warm_rss"] / 1e6, v["http_p50"],
                           v["http_p95"], v["index_bytes"] / 1e6,
                           v.get("sidecar_bytes", 0) / 1e6, v["store_bytes"] / 1e6]
                          for k, v in r["serve"].items()]))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "perf")
    ap.add_argument("--limit", type=int, default=0, help="vietnews articles (0: all 22,644)")
    ap.add_argument("--big", type=int, default=100_000, help="articles of the big archive")
    ap.add_argument("--queries", type=int, default=40, help="queries per kind")
    ap.add_argument("--raw-docs", type=int, default=3000, help="documents for the raw rate")
    ap.add_argument("--phases", default="ingest,html,reindex,big,queries,serve")
    ap.add_argument("--reindex-workers", default="2", help="comma-separated, e.g. 2,1")
    ap.add_argument("--report", action="store_true", help="print the tables at the end")
    args = ap.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    res = out / "results.json"
    phases = args.phases.split(",")
    if "ingest" in phases:
        phase_ingest(out, args.limit or None, res)
    if "html" in phases:
        phase_html(out, res)
    if "reindex" in phases:
        phase_reindex(res, args.raw_docs,
                      tuple(int(w) for w in args.reindex_workers.split(",")))
    if "big" in phases:
        build_big(res, out, args.big)
    if "queries" in phases:
        phase_queries(res, args.queries)
    if "serve" in phases:
        phase_serve(res, args.queries)
    if args.report or phases:
        print(report(load_results(res)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
