"""`make bench`: every benchmark under bench/ with quick defaults, tables printed in turn.

    .venv/bin/python bench/run_all.py            # quick (a few minutes)
    .venv/bin/python bench/run_all.py --full     # full sizes (perf: 22,644 + 100,000 articles)

A benchmark that fails is reported and the others still run; the exit status is non-zero
if any failed.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

QUICK = {
    "extraction.py": [],
    "entities.py": ["--speed", "500"],
    "relevance.py": ["--docs", "1000", "--targets", "100"],
    "crawl.py": ["--pages", "300"],
    "perf.py": ["--limit", "1000", "--big", "5000", "--queries", "15", "--raw-docs", "500",
                "--out", str(HERE / "out" / "perf-quick")],
    "load.py": [],
    "matchsets.py": ["--words", "50"],
}
FULL = {"perf.py": [], "matchsets.py": []}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--full", action="store_true", help="full sizes instead of quick defaults")
    ap.add_argument("--only", default="", help="comma-separated script names to run")
    args = ap.parse_args(argv)
    only = {n if n.endswith(".py") else n + ".py" for n in args.only.split(",") if n}
    failed = []
    for name, quick in QUICK.items():
        script = HERE / name
        if not script.exists() or (only and name not in only):
            continue
        extra = FULL.get(name, quick) if args.full else quick
        print(f"\n=== {name} {' '.join(extra)}", flush=True)
        t = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script), *extra])
        print(f"=== {name}: {'ok' if rc == 0 else f'FAILED ({rc})'} in "
              f"{time.perf_counter() - t:.0f} s", flush=True)
        if rc:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
