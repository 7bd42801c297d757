"""Load test: ``vnarchive serve`` (waitress) under concurrent clients on a realistic mix.

Builds (once) an archive of the first N vietnews articles under bench/out/ with
``vnarchive ingest``, or reuses ``--data-dir``; starts the server on 127.0.0.1 in a
subprocess; runs ``--clients`` keep-alive HTTP clients for ``--duration`` seconds over a query
mix drawn from the archive's own titles (accented and unaccented words, phrases, filters,
sorting, paging, suggestions, article pages, the HTML page, small exports); reports
throughput, latency percentiles and errors (expected: zero).  Loopback only.

    .venv/bin/python bench/load.py                     # 5,000 articles, 32 clients, 60 s
    .venv/bin/python bench/load.py --duration 10 --clients 8 --data-dir data
"""
from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
OUT = ROOT / "bench" / "out"
CLI = [sys.executable, str(ROOT / "vnarchive_cli.py")]
HOST = "127.0.0.1"
MAX_REQUESTS_PER_CLIENT = 1_000_000  # a bound on every loop, whatever the duration


def build_archive(n: int, data_dir: Path) -> None:
    """Ingest the first ``n`` vietnews records into ``data_dir`` (skipped if it exists)."""
    if (data_dir / "archive.sqlite3").exists():
        return
    src = SHARED / "corpus" / "vietnews" / "vietnews_test.jsonl.gz"
    if not src.exists():
        sys.exit(f"missing {src}: the read-only ../shared folder is required")
    OUT.mkdir(parents=True, exist_ok=True)
    part = OUT / f"vietnews-{n}.jsonl"
    with gzip.open(src, "rt", encoding="utf-8") as fin, open(part, "w", encoding="utf-8") as fout:
        for i, line in enumerate(fin):
            if i >= n:
                break
            fout.write(line)
    print(f"building {data_dir} from {n} vietnews articles (one-off) ...", flush=True)
    subprocess.run([*CLI, "ingest", str(part), "--data-dir", str(data_dir)], check=True)


def _fold(text: str) -> str:
    import unicodedata
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def query_mix(data_dir: Path, seed: int, size: int = 4000) -> list[tuple[str, str]]:
    """(kind, path) requests drawn from the archive's own titles and ids."""
    rng = random.Random(seed)
    db = sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True)
    rows = db.execute("SELECT id, title FROM articles ORDER BY random() LIMIT 2000").fetchall()
    years = [r[0] for r in db.execute(
        "SELECT DISTINCT substr(published, 1, 4) FROM articles WHERE published IS NOT NULL")]
    db.close()
    if not rows:
        sys.exit(f"{data_dir} has no articles")
    ids = [r[0] for r in rows]
    words = [[w.strip(".,:;!?\"'“”()") for w in r[1].split()] for r in rows]
    words = [[w for w in ws if w and w[0].isalpha()] for ws in words]
    words = [ws for ws in words if len(ws) >= 2]

    def some_words(k: int) -> str:
        ws = rng.choice(words)
        i = rng.randrange(0, max(1, len(ws) - k + 1))
        return " ".join(ws[i:i + k]).lower()

    kinds = [("api_search", 30), ("api_search_unaccented", 10), ("html_search", 10),
             ("phrase", 7), ("filtered", 8), ("sorted_paged", 6), ("suggest", 8),
             ("article_page", 8), ("api_article", 5), ("browse_year", 3), ("negated", 3),
             ("export_csv", 2)]
    names, weights = zip(*kinds)
    out = []
    for _ in range(size):
        kind = rng.choices(names, weights)[0]
        q = some_words(rng.choice([1, 2, 2, 3]))
        if kind == "api_search":
            path = "/api/search?" + urlencode({"q": q})
        elif kind == "api_search_unaccented":
            path = "/api/search?" + urlencode({"q": _fold(q)})
        elif kind == "html_search":
            path = "/?" + urlencode({"q": q})
        elif kind == "phrase":
            path = "/api/search?" + urlencode({"q": f'"{some_words(2)}"'})
        elif kind == "filtered":
            path = "/api/search?" + urlencode([("q", q), ("year", rng.choice(years or ["2020"]))])
        elif kind == "sorted_paged":
            path = "/api/search?" + urlencode({"q": some_words(1), "sort": "newest", "page": 2})
        elif kind == "suggest":
            path = "/api/suggest?" + urlencode({"q": q[:rng.randint(2, max(2, len(q)))]})
        elif kind == "article_page":
            path = f"/articles/{rng.choice(ids)}"
        elif kind == "api_article":
            path = f"/api/articles/{rng.choice(ids)}"
        elif kind == "browse_year":
            path = "/?" + urlencode({"year": rng.choice(years or ["2020"])})
        elif kind == "negated":
            path = "/api/search?" + urlencode({"q": f"{some_words(1)} -{some_words(1)}"})
        else:
            path = "/api/export.csv?" + urlencode({"q": some_words(1), "limit": 50})
        out.append((kind, path))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


STACKS = OUT / "load-server-stacks.txt"
SERVER_LOG = OUT / "load-server.log"
# `vnarchive serve`, with SIGUSR1 dumping every thread's stack: a client that times out
# asks the server what it is doing, so a stall is diagnosable rather than just counted.
_SERVE = ("import faulthandler, signal, sys; "
          f"faulthandler.register(signal.SIGUSR1, all_threads=True, file=open({str(STACKS)!r}, 'w')); "
          f"sys.path.insert(0, {str(ROOT)!r}); sys.argv[0] = 'vnarchive'; "
          "import vnarchive_cli; vnarchive_cli.main()")
SERVER_PID = 0


def start_server(data_dir: Path, port: int, threads: int) -> subprocess.Popen:
    global SERVER_PID
    STACKS.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen([sys.executable, "-c", _SERVE, "serve", "--data-dir", str(data_dir),
                             "--host", HOST, "--port", str(port), "--threads", str(threads)],
                            cwd=ROOT, stdout=subprocess.DEVNULL,
                            # a file, not a pipe nobody reads: waitress logs "task queue depth"
                            # warnings under load, and a full pipe would block its main loop
                            stderr=open(SERVER_LOG, "w"), start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited: {SERVER_LOG.read_text()[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                SERVER_PID = proc.pid
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("server did not start within 60 s")


def client_loop(port: int, mix: list[tuple[str, str]], offset: int, stop_at: float,
                results: list, errors: Counter, lock: threading.Lock) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    local: list[tuple[str, float]] = []
    i = offset
    for _ in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= stop_at:
            break
        kind, path = mix[i % len(mix)]
        i += 1
        started = time.perf_counter()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            status = resp.status
        except (OSError, http.client.HTTPException) as exc:
            status = type(exc).__name__
            if isinstance(exc, TimeoutError) and SERVER_PID:
                os.kill(SERVER_PID, signal.SIGUSR1)  # stacks → bench/out/load-server-stacks.txt
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=60)
        took = time.perf_counter() - started
        if status != 200:
            with lock:
                errors[f"{kind} {status}"] += 1
                if errors[f"{kind} {status}"] <= 3:
                    print(f"  error: {status} {path}", file=sys.stderr)
        local.append((kind, took))
    conn.close()
    with lock:
        results.extend(local)


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k] * 1000


def run(args: argparse.Namespace) -> dict:
    data_dir = args.data_dir or (OUT / f"vietnews-{args.articles}")
    build_archive(args.articles, data_dir)
    mix = query_mix(data_dir, args.seed)
    port = args.port or free_port()
    server = start_server(data_dir, port, args.threads)
    try:
        warm = http.client.HTTPConnection(HOST, port, timeout=60)
        for _, path in mix[:50]:  # first requests open the index and build the columns
            warm.request("GET", path)
            warm.getresponse().read()
        warm.close()
        results: list[tuple[str, float]] = []
        errors: Counter = Counter()
        lock = threading.Lock()
        started = time.monotonic()
        stop_at = started + args.duration
        threads = [threading.Thread(target=client_loop,
                                    args=(port, mix, 50 + c * 97, stop_at, results, errors, lock))
                   for c in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.duration + 120)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    by_kind: dict[str, list[float]] = defaultdict(list)
    for kind, took in results:
        by_kind[kind].append(took)
    lat = [t for _, t in results]
    db = sqlite3.connect(f"file:{data_dir / 'archive.sqlite3'}?mode=ro", uri=True)
    articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    return {
        "articles": articles, "clients": args.clients, "server_threads": args.threads,
        "duration_s": round(elapsed, 1), "requests": len(results),
        "errors": sum(errors.values()), "error_kinds": dict(errors),
        "throughput_rps": round(len(results) / elapsed, 1),
        "latency_ms": {"p50": round(pct(lat, 50), 1), "p95": round(pct(lat, 95), 1),
                       "p99": round(pct(lat, 99), 1), "max": round(max(lat) * 1000, 1)},
        "by_kind": {k: {"n": len(v), "p50": round(pct(v, 50), 1), "p95": round(pct(v, 95), 1),
                        "p99": round(pct(v, 99), 1)} for k, v in sorted(by_kind.items())},
        "server_queue_warnings": SERVER_LOG.read_text(errors="replace").count("Task queue depth"),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg()[0],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, help="reuse this archive instead of building one")
    ap.add_argument("--articles", type=int, default=5000, help="vietnews articles to ingest")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    ap.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    ap.add_argument("--port", type=int, default=0, help="default: a free loopback port")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=OUT / "load.json")
    args = ap.parse_args()
    report = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    lat = report["latency_ms"]
    print(f"{report['articles']} articles, {report['clients']} clients, "
          f"{report['duration_s']} s: {report['requests']} requests, "
          f"{report['throughput_rps']} req/s, errors {report['errors']}; latency ms "
          f"p50 {lat['p50']} p95 {lat['p95']} p99 {lat['p99']} max {lat['max']}")
    for kind, s in report["by_kind"].items():
        print(f"  {kind:<22} n={s['n']:<6} p50 {s['p50']:>7} p95 {s['p95']:>7} p99 {s['p99']:>7}")
    print(f"report: {args.out}")
    if any("Timeout" in k for k in report["error_kinds"]):
        print(f"server thread stacks at the first timeout: {STACKS}")
    if report["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
