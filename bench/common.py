"""Small helpers shared by the benchmarks: paths, process-tree memory, percentiles, tables."""
from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VIETNEWS = SHARED / "corpus" / "vietnews" / "vietnews_test.jsonl.gz"
HTML = SHARED / "corpus" / "html"


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def rss_tree(pid: int | None = None) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc)."""
    pid = pid or os.getpid()
    kids = _children()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(kids.get(p, ()))
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError):
            pass
    return total


class PeakRSS:
    """Samples ``rss_tree`` in a thread; ``peak`` is the largest value seen (bytes)."""

    def __init__(self, pid: int | None = None, every: float = 0.25) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_tree(self.pid))
            self._stop.wait(self.every)

    def __enter__(self) -> "PeakRSS":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_tree(self.pid))


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def timed(fn, *args: Any, **kwargs: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t


def dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Plain-text table, numbers right-aligned."""
    cells = [[str(h) for h in header]] + [[_fmt(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [title, "  ".join(h.ljust(w) for h, w in zip(cells[0], widths)),
             "  ".join("-" * w for w in widths)]
    for r in cells[1:]:
        lines.append("  ".join(c.rjust(w) if _numeric(c) else c.ljust(w)
                               for c, w in zip(r, widths)))
    return "\n".join(lines) + "\n"


def _fmt(c: Any) -> str:
    if isinstance(c, float):
        return f"{c:.2f}" if abs(c) < 100 else f"{c:.0f}"
    return str(c)


def _numeric(s: str) -> bool:
    return s.replace(".", "", 1).replace("-", "", 1).replace("×", "").isdigit()


def copy_rows(db, size: int) -> int:
    """Grow the store open in ``db`` (sqlite3) to ``size`` articles with copies of its rows
    under distinct urls (``#copy-N``), their cached analyses kept: a bigger archive without
    segmenting again.  Returns the number of articles."""
    n = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    cols = [r[1] for r in db.execute("PRAGMA table_info(articles)") if r[1] != "id"]
    rest = ", ".join(c for c in cols if c != "url")
    copy = 1
    while n < size:
        db.execute(f"INSERT INTO articles (url, {rest}) SELECT url || '#copy-{copy}', {rest} "
                   f"FROM articles WHERE url NOT LIKE '%#copy-%' ORDER BY id LIMIT ?",
                   (size - n,))
        n = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        copy += 1
    db.commit()
    return n


def load_results(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def save_results(path: Path, key: str, value: Any) -> None:
    """Merge one phase's results into the JSON file (phases may run in separate processes)."""
    data = load_results(path)
    data[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1))
    tmp.replace(path)
