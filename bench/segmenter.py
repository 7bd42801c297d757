"""underthesea ``word_tokenize`` vs our ``indexer.analysis.crfseg.word_tokenize`` on vietnews.

Both run in this one process on the same sentences (title, sapo, paragraphs, cut the way
``indexer.analysis.analyzer.segment`` cuts them), interleaved article by article and alternating which
goes first, so that the noise of a shared 2-core machine hits both alike.  Every sentence's
output is compared too.

    .venv/bin/python bench/segmenter.py [-n 1000]
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import VIETNEWS  # noqa: E402
from indexer.analysis.analyzer import normalize, sentences  # noqa: E402
from indexer.analysis import crfseg  # noqa: E402


def article_sentences(n: int) -> list[list[str]]:
    out = []
    with gzip.open(VIETNEWS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(out) >= n:
                break
            rec = json.loads(line)
            pieces = [rec.get("title") or "", rec.get("sapo") or ""]
            pieces += (rec.get("body") or "").split("\n")
            out.append([s for p in pieces for s in sentences(normalize(p))])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000, help="vietnews articles (default 1000)")
    args = ap.parse_args()
    from underthesea import word_tokenize as theirs
    ours = crfseg.word_tokenize
    articles = article_sentences(args.n)
    theirs("khởi động"), ours("khởi động")  # load both models outside the timing
    spent = {"underthesea": 0.0, "crfseg": 0.0}
    cpu = dict(spent)  # CPU time suffers less than wall time from other processes
    compared = mismatches = 0
    for k, sents in enumerate(articles):
        order = [("underthesea", theirs), ("crfseg", ours)]
        if k % 2:
            order.reverse()
        results = {}
        for name, fn in order:
            t0, c0 = time.perf_counter(), time.process_time()
            results[name] = [fn(s) for s in sents]
            spent[name] += time.perf_counter() - t0
            cpu[name] += time.process_time() - c0
        for a, b in zip(results["underthesea"], results["crfseg"]):
            compared += 1
            mismatches += a != b
    n = len(articles)
    print(f"{n} vietnews articles, {sum(map(len, articles))} sentences, one process\n")
    print(f"{'segmenter':<14}{'ms/article':>12}{'articles/s':>12}{'CPU ms/art':>12}")
    for name, secs in spent.items():
        print(f"{name:<14}{1000 * secs / n:>12.2f}{n / secs:>12.1f}{1000 * cpu[name] / n:>12.2f}")
    print(f"\nspeed-up ×{spent['underthesea'] / spent['crfseg']:.2f} (wall), "
          f"×{cpu['underthesea'] / cpu['crfseg']:.2f} (CPU); identity: "
          f"{compared - mismatches}/{compared} sentences identical, {mismatches} mismatches")


if __name__ == "__main__":
    main()
