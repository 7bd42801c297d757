"""Hostile inputs, one `vnarchive ingest` each: outcome, exit code, peak RSS and seconds.

Every input named in issue 20 (forged canonicals, deep or broken JSON, a gigabyte of gzipped
zeros, a WARC record that inflates to a gigabyte, pages of 8-30 MB, truncated and garbage
WARC, field and date abuse, a damaged index, a garbage store) plus the earlier fuzz set
(deep HTML, binary, NUL bytes, empty).  An outcome is clean when the command exits 0 or 1,
prints no traceback and names the expected reason.  Peak RSS is the ingest process's own
(``--workers 1``, so it is the whole ingest).

    .venv/bin/python bench/hostile.py [--only NAME] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.hostile import (BODY, article_html, deep_json, good_record, gzip_bomb,  # noqa: E402
                     write_gzip_zeros, write_warc)

CLI = [sys.executable, str(ROOT / "vnarchive_cli.py")]
GENUINE = "https://thtg.vn/giam-ngheo-ben-vung/"
MAX_SECONDS = 60
MAX_RSS_MB = 1024


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    return path


def _page(path: Path, size: int, one_paragraph: bool = False) -> Path:
    if one_paragraph:
        text = " ".join(BODY) + " "
        para = text * (size // len(text.encode()) + 1)
        html = (f"<html><head><meta charset=utf-8><title>Một đoạn</title></head><body><article>"
                f"<h1>Một đoạn</h1><p>{para}</p></article></body></html>").encode()
    else:
        html = article_html("Bài rất dài", extra_paragraphs=size // 250)
    path.write_bytes(html)
    return path


def build(tmp: Path) -> list[tuple[str, Path, str, str]]:
    """(name, input, expected text in the output, setup) for every case."""
    cases: list[tuple[str, Path, str, str]] = []

    def add(name: str, path: Path, expect: str, setup: str = "") -> None:
        cases.append((name, path, expect, setup))

    add("forged canonical (WARC)", write_warc(tmp / "forged.warc", [
        ("https://evil.example.com/fake.html", article_html("Tin giả", canonical=GENUINE))]),
        "canonical-refused: 1", "genuine")
    add("javascript: canonical (WARC)", write_warc(tmp / "js.warc", [
        ("https://evil.example.com/js.html",
         article_html("Liên kết độc", canonical="javascript:alert(1)"))]), "canonical-refused: 1")
    add("JSON nested 100k deep", _jsonl(tmp / "deep.jsonl", [
        good_record(1), deep_json(100_000).decode().strip(), good_record(2)]), "bad-json: 1")
    add('"\\ud800" escape', _jsonl(tmp / "surrogate.jsonl", [
        good_record(3), '{"url": "https://a.example/s", "title": "x\\ud800", "body": "Một"}']),
        "bad-field: 1")
    bad = tmp / os.fsdecode(b"h\xf6ng.html")
    bad.write_bytes(b"<html><body>ngan</body></html>")
    add("failing file, name not UTF-8", bad, "\\xf6")
    add("1 GB of zeros, .jsonl.gz", write_gzip_zeros(tmp / "zeros.jsonl.gz", 1 << 30),
        "too-large: 1")
    bomb = write_warc(tmp / "bomb.warc", [("https://thtg.vn/bom", gzip_bomb(1 << 30))],
                      content_encoding="gzip")
    add(f"WARC of {bomb.stat().st_size >> 20} MB inflating to 1 GB", bomb, "too-large: 1")
    add("30 MB page", _page(tmp / "big30.html", 30 << 20), "too-large: 1")
    add("7.5 MB page, one paragraph", _page(tmp / "onepara.html", 15 << 19, True),
        "field-too-long: 1")
    pages = [(f"https://thtg.vn/bai-{i}", article_html(f"Bài {i}")) for i in range(3)]
    add("truncated WARC record", write_warc(tmp / "cut.warc", pages, truncate_by=500),
        "truncated: 1")
    garbage = tmp / "garbage.warc"
    garbage.write_bytes(os.urandom(1 << 16))
    add("garbage .warc", garbage, "unreadable: 1")
    gz = tmp / "garbage.warc.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(1 << 16))
    add("garbage .warc.gz", gz, "unreadable: 1")
    add("5 MB title", _jsonl(tmp / "title.jsonl", [json.dumps(
        {"url": "https://a.example/t", "title": "T" * (5 << 20), "body": "Một hai"})]),
        "field-too-long: 1")
    add("years 0001 and 9999", _jsonl(tmp / "dates.jsonl", [json.dumps(
        {"url": f"https://a.example/d{y}", "body": "Một hai", "published": f"{y}-01-01"})
        for y in ("0001", "9999")]), "bad-field: 2")
    deep_html = tmp / "deep.html"
    deep_html.write_bytes(b"<html><body>" + b"<div>" * 5000 + "<p>Chữ</p>".encode()
                          + b"</div>" * 5000 + b"</body></html>")
    add("fuzz: HTML nested 5000 deep", deep_html, "too-complex")
    binary = tmp / "binary.html"
    binary.write_bytes(os.urandom(1 << 16))
    add("fuzz: binary .html", binary, "failures by reason")
    nul = tmp / "nul.html"
    nul.write_bytes(article_html("Có\0 NUL").replace(b"<p>", b"<p>\0\0"))
    add("fuzz: NUL bytes in a page", nul, "1 added")
    empty = tmp / "empty.html"
    empty.write_bytes(b"")
    add("fuzz: empty .html", empty, "empty")
    ok = _jsonl(tmp / "ok.jsonl", [good_record(i) for i in range(5)])
    add("ingest into a damaged index", ok, "damaged", "damage-index")
    add("ingest into a garbage store", ok, "not a database", "garbage-store")
    return cases


def _setup(kind: str, data: Path, tmp: Path) -> None:
    if not kind:
        return
    real = write_warc(tmp / "real.warc", [(GENUINE, article_html("Bài thật", canonical=GENUINE))])
    subprocess.run([*CLI, "ingest", str(real), "--data-dir", str(data), "--workers", "1"],
                   capture_output=True, check=True, timeout=120)
    if kind == "damage-index":
        for seg in (data / "index").glob("gen-*/*.seg"):
            os.truncate(seg, 1000)
    elif kind == "garbage-store":
        (data / "archive.sqlite3").write_bytes(os.urandom(1 << 16))
        for extra in data.glob("archive.sqlite3-*"):
            extra.unlink()


def run_one(path: Path, data: Path, log: Path) -> tuple[int, str, float, float]:
    """(exit code, output, seconds, peak RSS in MB) of one ingest, from wait4's rusage."""
    started = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen([*CLI, "ingest", str(path), "--data-dir", str(data),
                                 "--workers", "1"], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + MAX_SECONDS * 3
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
        time.sleep(0.05)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (proc.returncode, log.read_text("utf-8", "replace"), time.perf_counter() - started,
            usage.ru_maxrss / 1024)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="run the cases whose name contains this")
    ap.add_argument("--keep", type=Path, help="build the inputs here and keep them")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="vnarchive-hostile-"))
    tmp.mkdir(parents=True, exist_ok=True)
    cases = build(tmp)
    rows, clean_all = [], True
    for n, (name, path, expect, setup) in enumerate(cases):
        if args.only and args.only.lower() not in name.lower():
            continue
        data = tmp / f"data-{n}"
        shutil.rmtree(data, ignore_errors=True)
        _setup(setup, data, tmp)
        code, out, seconds, rss_mb = run_one(path, data, tmp / f"log-{n}.txt")
        clean = code in (0, 1) and "Traceback" not in out and expect in out
        ok = clean and seconds <= MAX_SECONDS and rss_mb <= MAX_RSS_MB
        clean_all &= ok
        last = [line for line in out.splitlines() if line.strip()]
        rows.append((name, "clean" if clean else "NOT CLEAN", code,
                     rss_mb, seconds, (last[-1] if last else "")[:90]))
    print(f"| input | outcome | exit | peak RSS MB | seconds | last line |")
    print("|---|---|---|---|---|---|")
    for name, outcome, code, rss_mb, seconds, last in rows:
        print(f"| {name} | {outcome} | {code} | {rss_mb:.0f} | {seconds:.1f} | {last} |")
    print(f"\nall clean, ≤ {MAX_RSS_MB} MB, ≤ {MAX_SECONDS} s: {'yes' if clean_all else 'NO'}")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if clean_all else 1


if __name__ == "__main__":
    sys.exit(main())
