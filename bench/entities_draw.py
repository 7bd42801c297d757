"""Seeded draw of a fresh labelling batch from the vietnews test file (blind3).

Usage (from the project root)::

    .venv/bin/python -m bench.entities_draw [--seed 20261216] [--n 62]

Prints the drawn 1-based line numbers, one a line.  The pool is every article whose title,
sapo or body holds an office word (``OFFICE_WORD``), minus every ``vietnews_test:`` ref
already in ``bench/entities_gold.jsonl`` under another split; the pool, sorted by line, is shuffled with
``random.Random(seed)`` and the first ``n`` are taken.  The criterion is a neutral one (it
does not look at what the extractor finds), so the batch can be labelled before any run.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VIETNEWS = ROOT.parent / "shared" / "corpus" / "vietnews" / "vietnews_test.jsonl.gz"
GOLD = ROOT / "bench" / "entities_gold.jsonl"
OFFICE_WORD = re.compile("Chủ tịch|Bí thư|Giám đốc|Bộ trưởng|Phó")


def labelled(batch: str = "blind3") -> set[int]:
    """Lines already labelled in another split (the batch's own lines do not count, so the
    draw can be re-run after its labels were added)."""
    rows = (json.loads(line) for line in GOLD.read_text("utf-8").splitlines() if line)
    return {int(g["ref"].split(":")[1]) for g in rows
            if g["ref"].startswith("vietnews_test:") and g.get("split", "dev") != batch}


def draw(seed: int, n: int, exclude: set[int]) -> list[int]:
    pool = []
    with gzip.open(VIETNEWS, "rt", encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            d = json.loads(line)
            text = "\n".join((d["title"], d.get("sapo") or "", d["body"]))
            if i not in exclude and OFFICE_WORD.search(text):
                pool.append(i)
    random.Random(seed).shuffle(pool)
    return pool[:n]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=20261216)
    ap.add_argument("--n", type=int, default=62)
    args = ap.parse_args(argv)
    for i in draw(args.seed, args.n, labelled()):
        print(i)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
