"""Score the cleaner against the gold pages, next to trafilatura, and time it.

    .venv/bin/python bench/extraction.py [--json]

Two corpora, reported apart: "dev" (the pages the cleaner was built on) and "unseen" (held-out
real pages of 2011-2012 layouts, ``../shared/corpus/unseen/{gold,html}``).  For every
``../shared/corpus/gold/<site>/<name>.json`` (likewise under ``unseen/``) the page ``../shared/corpus/html/<site>/
<name>.html`` is cleaned three ways — ours with site profiles, ours generic-only, and trafilatura
(``include_comments=False``) — and scored: exact title / published / authors, paragraph-level
precision, recall and F1 on normalised text (multiset match), and how many ``must_not_contain``
strings leak into the output.  Then every shared page is cleaned repeatedly for throughput.

A second table scores the generic path (no profile exists for these hosts; they stand in for
sites nobody has seen) on the 30 fictional pages of ``corpus/sample`` against their
``expected.json``: exact title / published / authors / sapo / captions and paragraph F1.
Our cleaner keeps the sample-notice line ("(Bài mẫu – nội dung hư cấu phục vụ trình diễn
vnarchive)") as a paragraph because it is real text on the page; expected.json leaves it out,
so the scorer drops that one line from the output before matching (``is_sample_notice``).
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from archive.clean.cleaner import CleanError, clean_page  # noqa: E402

GOLD = SHARED / "corpus" / "gold"
HTML = SHARED / "corpus" / "html"
# Held-out real pages (2011-2012 layouts of sites with no profile), scored apart from dev.
UNSEEN = SHARED / "corpus" / "unseen"
CORPORA = {"dev": (GOLD, HTML), "unseen": (UNSEEN / "gold", UNSEEN / "html")}
SAMPLE = ROOT / "corpus" / "sample"
_NOTICE = re.compile(r"^\(?bài mẫu\s*[–-]\s*nội dung hư cấu phục vụ trình diễn vnarchive\b")


def is_sample_notice(text: str) -> bool:
    """The disclaimer every sample page prints in its body (kept by the cleaner, not scored)."""
    return _NOTICE.match(norm(text)) is not None


def norm(text: str) -> str:
    """Comparison form: NFC, invisible/odd spaces removed, case-folded, spaces collapsed."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u200b-\u200d\u2060\ufeff\u00ad]", "", text).replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass
class Output:
    title: str | None
    published: str | None      # ISO 8601, or a bare date when the tool gives only that
    authors: list[str]
    paragraphs: list[str]
    text: str                  # everything the tool outputs, for leak checks
    error: str | None = None
    sapo: str | None = None
    captions: list[str] | None = None


@dataclass
class Score:
    title_ok: bool
    date_ok: bool
    authors_ok: bool
    precision: float
    recall: float
    f1: float
    leaks: list[str]
    seconds: float
    error: str | None = None
    sapo_ok: bool | None = None      # None: the tool has no such field
    captions_ok: bool | None = None


def gold_pages(corpus: str = "dev") -> list[tuple[Path, dict[str, Any]]]:
    """(html path, gold record) for every gold page of ``corpus`` ("dev" or "unseen")."""
    gold_dir, html_dir = CORPORA[corpus]
    if not gold_dir.is_dir():
        raise SystemExit(f"gold corpus missing: {gold_dir}")
    pages = []
    for path in sorted(gold_dir.glob("*/*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        html_path = html_dir / path.parent.name / (path.stem + ".html")
        pages.append((html_path, gold))
    return pages


def run_ours(raw: bytes, url: str, use_profiles: bool) -> Output:
    try:
        a = clean_page(raw, url, use_profiles=use_profiles)
    except CleanError as exc:
        return Output(None, None, [], [], "", error=exc.reason)
    text = "\n".join([a.title, a.sapo or "", *a.paragraphs, *a.captions])
    return Output(a.title, a.published.isoformat() if a.published else None, list(a.authors),
                  list(a.paragraphs), text, sapo=a.sapo, captions=list(a.captions))


def run_trafilatura(raw: bytes, url: str) -> Output:
    import trafilatura

    doc = trafilatura.bare_extraction(raw, url=url, include_comments=False, with_metadata=True)
    if doc is None:
        return Output(None, None, [], [], "", error="none")
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    body = get("text") or ""
    authors = [a.strip() for a in re.split(r";|,", get("author") or "") if a.strip()]
    paragraphs = [p for p in body.split("\n") if p.strip()]
    return Output(get("title"), get("date"), authors, paragraphs,
                  "\n".join([get("title") or "", body]))


def score(out: Output, gold: dict[str, Any], seconds: float) -> Score:
    want = Counter(norm(p) for p in gold["paragraphs"])
    got = Counter(norm(p) for p in out.paragraphs)
    hit = sum((want & got).values())
    precision = hit / sum(got.values()) if got else 0.0
    recall = hit / sum(want.values()) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    gp = gold.get("published") or ""
    date_ok = bool(out.published) and (out.published == gp if len(out.published) > 10
                                       else gp.startswith(out.published))
    leaks = [s for s in gold.get("must_not_contain", []) if norm(s) in norm(out.text)]
    return Score(
        title_ok=out.title is not None and norm(out.title) == norm(gold["title"]),
        date_ok=date_ok,
        authors_ok=[norm(a) for a in out.authors] == [norm(a) for a in gold.get("authors", [])],
        precision=precision, recall=recall, f1=f1, leaks=leaks, seconds=seconds,
        error=out.error,
        sapo_ok=None if out.captions is None else norm(out.sapo or "") == norm(gold.get("sapo") or ""),
        captions_ok=None if out.captions is None else
        [norm(c) for c in out.captions] == [norm(c) for c in gold.get("captions", [])])


# Chrome every sample layout carries (tagline, boxes, widgets, footer); none may leak.
SAMPLE_CHROME = ["Hãy là người đầu tiên gửi bình luận", "Sao chép liên kết", "Tin liên quan",
                 "Bài viết mới", "Đọc nhiều", "Thống kê truy cập", "không phải cơ quan báo chí",
                 "Nhập bình luận của bạn"]


def sample_pages() -> list[tuple[Path, dict[str, Any]]]:
    expected = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
    return [(SAMPLE / rec["file"], rec) for rec in expected]


def evaluate_sample(runner: Callable[[bytes, str], Output]) -> dict[str, Score]:
    """Score ``corpus/sample`` (expected.json has no must_not_contain; sapo/captions exact)."""
    results = {}
    for html_path, rec in sample_pages():
        raw = html_path.read_bytes()
        t0 = time.perf_counter()
        out = runner(raw, rec["url"])
        out.paragraphs = [p for p in out.paragraphs if not is_sample_notice(p)]
        results[rec["file"].removesuffix(".html")[:42]] = score(
            out, rec | {"must_not_contain": SAMPLE_CHROME}, time.perf_counter() - t0)
    return results


def evaluate(runner: Callable[[bytes, str], Output], corpus: str = "dev") -> dict[str, Score]:
    results = {}
    for html_path, gold in gold_pages(corpus):
        raw = html_path.read_bytes()
        t0 = time.perf_counter()
        out = runner(raw, gold["url"])
        results[f"{html_path.parent.name}/{html_path.stem}"] = score(
            out, gold, time.perf_counter() - t0)
    return results


def _flag(value: bool | None) -> str:
    return "-" if value is None else "ok" if value else "NO"


def table(name: str, results: dict[str, Score]) -> str:
    lines = [f"\n## {name}",
             f"{'page':42} {'title':>5} {'date':>5} {'auth':>5} {'P':>6} {'R':>6} {'F1':>6} "
             f"{'leaks':>5} {'ms':>6} sapo capt"]
    for page, s in results.items():
        lines.append(f"{page:42} {'ok' if s.title_ok else 'NO':>5} {'ok' if s.date_ok else 'NO':>5} "
                     f"{'ok' if s.authors_ok else 'NO':>5} {s.precision:6.3f} {s.recall:6.3f} "
                     f"{s.f1:6.3f} {len(s.leaks):5d} {s.seconds * 1000:6.1f} {_flag(s.sapo_ok):>4} "
                     f"{_flag(s.captions_ok):>4}"
                     + (f"  [{s.error}]" if s.error else ""))
    n = len(results) or 1
    vals = list(results.values())
    lines.append(f"{'MEAN / TOTAL':42} {sum(s.title_ok for s in vals):>3}/{n} "
                 f"{sum(s.date_ok for s in vals):>3}/{n} {sum(s.authors_ok for s in vals):>3}/{n} "
                 f"{sum(s.precision for s in vals) / n:6.3f} {sum(s.recall for s in vals) / n:6.3f} "
                 f"{sum(s.f1 for s in vals) / n:6.3f} {sum(len(s.leaks) for s in vals):5d}"
                 + ("" if any(s.sapo_ok is None for s in vals) else
                    f"        {sum(bool(s.sapo_ok) for s in vals)}/{n} "
                    f"{sum(bool(s.captions_ok) for s in vals)}/{n}"))
    return "\n".join(lines)


def throughput(rounds: int = 5) -> dict[str, Any]:
    """Clean every shared page ``rounds`` times in this one process (one core).

    CPU time (``process_time``) is reported next to wall time because other jobs may share
    the machine; the per-page worst case is the slowest single clean in CPU time."""
    blobs = [(p, p.read_bytes()) for p in sorted(HTML.glob("*/*.html"))]
    worst, worst_page, count = 0.0, "", 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        for path, raw in blobs:
            t = time.process_time()
            try:
                clean_page(raw)
            except CleanError:
                pass
            dt = time.process_time() - t
            count += 1
            if dt > worst:
                worst, worst_page = dt, f"{path.parent.name}/{path.name}"
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"pages": len(blobs), "cleans": count, "wall_pages_per_s": count / wall,
            "cpu_pages_per_s": count / cpu, "worst_ms": worst * 1000, "worst_page": worst_page,
            "avg_kb": sum(len(b) for _, b in blobs) / len(blobs) / 1024}


def site_table(corpus: str, runs: dict[str, dict[str, Score]]) -> str:
    """Mean paragraph F1 per site, one column per tool of the same run, and the verdict
    "ours (profiles) ≥ every other tool" the acceptance asks for."""
    names = list(runs)
    sites = sorted({page.split("/")[0] for res in runs.values() for page in res})
    short = [n.split(" (")[0] + (" gen" if "generic" in n else "") for n in names]
    lines = [f"\n## {corpus}: paragraph F1 per site",
             f"{'site':24} " + " ".join(f"{n:>12}" for n in short) + "  ours>=all"]
    for site in sites:
        means = []
        for name in names:
            vals = [s.f1 for p, s in runs[name].items() if p.split("/")[0] == site]
            means.append(sum(vals) / len(vals) if vals else 0.0)
        lines.append(f"{site:24} " + " ".join(f"{m:12.3f}" for m in means)
                     + f"  {'yes' if all(means[0] >= m - 1e-9 for m in means) else 'NO'}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", action="store_true", help="print machine-readable results")
    ap.add_argument("--no-trafilatura", action="store_true")
    args = ap.parse_args()
    runs: dict[str, dict[str, Score]] = {}
    per_corpus: dict[str, dict[str, dict[str, Score]]] = {}
    for corpus in CORPORA:
        these = {f"{corpus}: ours (profiles)": evaluate(lambda r, u: run_ours(r, u, True), corpus),
                 f"{corpus}: ours (generic only, profiles disabled)":
                     evaluate(lambda r, u: run_ours(r, u, False), corpus)}
        if not args.no_trafilatura:
            these[f"{corpus}: trafilatura (include_comments=False)"] = evaluate(
                run_trafilatura, corpus)
        per_corpus[corpus] = {name.split(": ", 1)[1]: res for name, res in these.items()}
        runs |= these
    runs["corpus/sample: ours (generic; no profiles for these hosts)"] = evaluate_sample(
        lambda r, u: run_ours(r, u, False))
    speed = throughput()
    if args.json:
        print(json.dumps({name: {p: vars(s) for p, s in res.items()} for name, res in runs.items()}
                         | {"throughput": speed}, ensure_ascii=False, indent=1))
        return
    for name, res in runs.items():
        print(table(name, res))
        for page, s in res.items():
            if s.leaks:
                print(f"   leak {page}: {s.leaks}")
    for corpus, these in per_corpus.items():
        print(site_table(corpus, these))
    print(f"\nthroughput over {speed['pages']} shared pages (avg {speed['avg_kb']:.0f} KB), "
          f"{speed['cleans']} cleans in one process: {speed['cpu_pages_per_s']:.1f} pages/s per "
          f"CPU-second, {speed['wall_pages_per_s']:.1f} pages/s wall; worst page "
          f"{speed['worst_ms']:.1f} ms CPU ({speed['worst_page']})")


if __name__ == "__main__":
    main()
