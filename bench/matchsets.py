"""Match-set benchmark (issue 14): does a query match the articles that contain its words?

Known-item ranking (``bench/relevance.py``) only looks at the top 10.  The counts the product
shows — ``total``, facets, the timeline, the exports — come from the whole match set, so
here every matching article counts.  Over the 22,644 shared vietnews articles
(``../shared/corpus/vietnews/vietnews_test.jsonl.gz``, ingested once into a cached archive)
vnarchive and the SQLite FTS5 peer (``bench/fts5_peer.py``) are asked the same queries, and
their match sets are compared with a truth computed here, directly from the raw records.

    .venv/bin/python bench/matchsets.py                          # 200 words a class, seed 14
    .venv/bin/python bench/matchsets.py --words 50 --seed 3 --json out.json
    .venv/bin/python bench/matchsets.py --cache /tmp/ms --rebuild   # where the archive lives
    .venv/bin/python bench/matchsets.py --data-dir DIR              # an existing vietnews archive
    .venv/bin/python bench/matchsets.py --words-only "tin tặc,hạ long,tặc"   # given queries
    .venv/bin/python bench/matchsets.py --with-relevance            # + relevance.py's table

**Sample** (seeded, default seed 14, ``--words`` per class, default 200).  The words are
the tokens of the records' ``title_segmented`` (compound words joined by ``_``), NFC and
lower-cased.  Token occurrences, in file order, are shuffled with ``random.Random(seed)``
and the first distinct ones taken (so frequent words are likelier, as with real queries;
"distinct" is after tone-placement normalisation, hoà = hòa):

- ``accented``   a token of at least 2 syllables, every syllable alphabetic, with at least
  one diacritic; typed without quotes as its syllables separated by spaces
  (``tin_tặc`` → ``tin tặc``), the publisher's tone placement kept;
- ``unaccented`` the same words typed without diacritics (``archive.textnorm.fold``: tones
  and vowel marks removed, đ→d): ``tin tac``;
- ``syllable``   a single syllable with at least one diacritic, drawn the same way from the
  syllables of those multi-syllable tokens (a second ``Random(seed + 1)`` shuffle): ``tặc``;
- ``phrase``     a quoted phrase of 2 or 3 alphabetic syllables, at least one with a
  diacritic, copied from a sentence of a record's sapo or body (``Random(seed + 2)`` picks
  the record, the side-by-side run and the window): ``"cũng được"``.

**Truth** (per article; title, sapo and body are separate fields and a match lies within one
field).  Each field is NFC'd, lower-cased and given one tone placement
(``archive.textnorm.canonical_tones``, so hoà = hòa, thuỷ = thủy).  A *syllable* is a maximal
run of letters and digits (Unicode ``\\w`` without ``_``).  Two syllables are *side by side*
when the characters between them are whitespace only, with no line break (a paragraph break
separates, like punctuation; ``_`` separates too).  Then:

- ``accented``:   the word's (normalised) syllables stand side by side, in order;
- ``unaccented``: the same on the folded text (each syllable folded, đ→d);
- ``syllable``:   the (normalised) syllable occurs as a whole syllable;
- ``phrase``:     the phrase's syllables stand in order with whitespace or punctuation
  between each two, never a line break or another syllable (the product's phrase steps
  over punctuation between its words only, so a phrase whose compound has punctuation
  inside is truth here and no match there: a recall below 1 measures that).

The truth is one pass over the corpus for all words (word n-grams looked up in sets keyed by
their first syllable), restricted to the urls the archive stored.

**Match sets.**  vnarchive: ``ArchiveSearcher.search`` gives ``total`` (what the page
shows); the articles themselves come from ``ArchiveSearcher.export`` with a cap of the
archive's size — the search API pages at most 100 hits a page and the export is the only
public call returning every match, but it loads every matching article from the store
(0.3-0.6 ms a row: ~20 minutes for the 3.6 million rows of today's 600 queries).  So by
default (``--ids auto``) the sets are read from the match mask the searcher computes for
``total`` (a private method; see ``Ours``), with two checks: for every query the set's size
must equal ``total`` (``tot≠set`` counts failures), and for the first ``--verify`` (5)
queries of each class the set must equal the export's; on a mismatch, or when the internals
have moved, it switches to the export.  ``--ids export`` uses the export throughout.
FTS5: the peer's own translation of the query as typed (``fts5_peer.match_expr``: each
syllable a quoted string, ANDed, anywhere in title or body), ``SELECT rowid ... MATCH``.
Both are mapped to urls.

**Figures** per class and engine: micro precision / recall / F1 (summed over queries), macro
P / R / F1 (per query, averaged: precision over queries with a non-empty match set, recall
over queries with a non-empty truth, F1 over all, an empty match for an empty truth scoring
1), the median relative count error ``|shown - true| / true`` and the median ratio
``shown / true`` over queries with ``true > 0``, and the number of queries.

**Cache.**  ``--cache DIR`` (default ``bench/out/matchsets``) holds ``archive/`` (the whole
vietnews file, ``indexer.ingest_paths``, 2 workers, ~3 minutes) and ``fts5.sqlite3``.
The archive is rebuilt when the ``.py`` files under ``archive/`` and ``indexer/`` or the
gazetteer change (their hash is kept in ``archive/matchsets-stamp.json``); ``--reuse``
skips that check (query-time changes only), ``--rebuild`` forces a fresh build.

Exits 2 with a message when ``../shared`` (the corpus) is missing.
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import SHARED, VIETNEWS, table  # noqa: E402

CLASSES = ("accented", "unaccented", "syllable", "phrase")
ENGINES = ("vnarchive", "opensearch", "fts5")
DEFAULT_SEED = 14
DEFAULT_WORDS = 200
STAMP = "matchsets-stamp.json"

# A field is cut into runs at anything that is neither a letter/digit nor horizontal
# whitespace (punctuation, symbols, "_", line breaks); inside a run the syllables are the
# whitespace-separated pieces, i.e. the maximal letter/digit runs, and are side by side.
_BREAK = re.compile(r"[^\w\s]|_|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SEP = "\x00"          # a token no syllable equals: n-grams across it never match
_LINE = re.compile(r"[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SOFT = re.compile(r"[^\w\s\x00]|_")  # what a phrase steps over (not the _SEP token)
_CUT = f" {_SEP} "


def _die(msg: str) -> None:
    print(f"matchsets: {msg}", file=sys.stderr)
    raise SystemExit(2)


# -- text ------------------------------------------------------------------------------------
def _norm(text: str) -> str:
    from archive.textnorm import canonical_tones, nfc
    return canonical_tones(nfc(text).lower())


def _has_marks(word: str) -> bool:
    from archive.textnorm import fold
    return fold(word) != word


def runs(text: str) -> list[str]:
    """The side-by-side runs of a (normalised) field: strings of syllables separated by
    horizontal whitespace only."""
    return [r for r in _BREAK.split(text) if r and not r.isspace()]


# -- sample ----------------------------------------------------------------------------------
def load_records() -> list[dict]:
    with gzip.open(VIETNEWS, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def sample(records: list[dict], n: int, seed: int) -> dict[str, list[dict]]:
    """``{class: [{"q": typed query, "key": truth key}, ...]}``; see the module docstring."""
    from archive.textnorm import fold, nfc
    words: list[str] = []
    syllables: list[str] = []
    for r in records:
        for tok in (r.get("title_segmented") or "").split():
            if "_" not in tok:
                continue
            w = nfc(tok).lower()
            syl = w.split("_")
            if len(syl) < 2 or not all(s.isalpha() for s in syl):
                continue
            words.append(w)
            syllables.extend(syl)

    def pick(pool: list[str], rng: random.Random) -> list[str]:
        pool = list(pool)
        rng.shuffle(pool)
        out, seen = [], set()
        for w in pool:
            key = _norm(w)
            if key in seen or not _has_marks(w):
                continue
            seen.add(key)
            out.append(w)
            if len(out) >= n:
                break
        return out

    multi = pick(words, random.Random(seed))
    single = pick(syllables, random.Random(seed + 1))
    phrases = _phrases(records, n, random.Random(seed + 2))
    return {
        "accented": [{"q": w.replace("_", " "), "key": tuple(_norm(w).split("_"))}
                     for w in multi],
        "unaccented": [{"q": fold(w.replace("_", " ")),
                        "key": tuple(fold(_norm(w)).split("_"))} for w in multi],
        "syllable": [{"q": s, "key": (_norm(s),)} for s in single],
        "phrase": [{"q": f'"{ph}"', "key": tuple(_norm(ph).split())} for ph in phrases],
    }


def _phrases(records: list[dict], n: int, rng: random.Random) -> list[str]:
    from archive.textnorm import nfc
    out: list[str] = []
    seen: set[str] = set()
    for _ in range(200 * n):
        if len(out) >= n or not records:
            break
        r = records[rng.randrange(len(records))]
        text = nfc(r.get("body") or r.get("sapo") or "").lower()
        parts = runs(text)
        if not parts:
            continue
        syl = rng.choice(parts).split()
        size = rng.choice((2, 2, 3))
        if len(syl) < size:
            continue
        start = rng.randrange(len(syl) - size + 1)
        window = syl[start:start + size]
        phrase = " ".join(window)
        if not all(w.isalpha() for w in window) or not _has_marks(phrase) or \
                _norm(phrase) in seen:
            continue
        seen.add(_norm(phrase))
        out.append(phrase)
    return out


def custom_queries(text: str) -> dict[str, list[dict]]:
    """``--words-only``: comma-separated queries, each put in the class its form implies."""
    from archive.textnorm import fold
    out: dict[str, list[dict]] = {c: [] for c in CLASSES}
    for q in (x.strip() for x in text.split(",")):
        syl = [s for run in runs(_norm(q)) for s in run.split()]
        if not syl:
            continue
        if q.startswith('"') and q.endswith('"') and len(syl) > 1:
            out["phrase"].append({"q": q, "key": tuple(syl)})
        elif len(syl) == 1:
            out["syllable"].append({"q": q, "key": (syl[0],)})
        elif _has_marks(q):
            out["accented"].append({"q": q, "key": tuple(syl)})
        else:
            out["unaccented"].append({"q": q, "key": tuple(fold(s) for s in syl)})
    return out


# -- truth -----------------------------------------------------------------------------------
def truth(records: list[dict], queries: dict[str, list[dict]]) -> dict[str, dict[tuple, set]]:
    """``{class: {key: set of urls}}`` in one pass over the corpus."""
    from archive.textnorm import fold

    def by_first(keys: set[tuple]) -> dict[str, set[int]]:
        firsts: dict[str, set[int]] = defaultdict(set)
        for k in keys:
            firsts[k[0]].add(len(k))
        return firsts

    acc_keys = {q["key"] for q in queries["accented"]}
    fold_keys = {q["key"] for q in queries["unaccented"]}
    syl_keys = {q["key"][0] for q in queries["syllable"]}
    phrase_keys = {q["key"] for q in queries["phrase"]}
    acc_first, fold_first = by_first(acc_keys), by_first(fold_keys)
    phrase_first = by_first(phrase_keys)
    out: dict[str, dict[tuple, set]] = {c: defaultdict(set) for c in CLASSES}

    class Folded(dict):  # fold() once per distinct syllable, not once per occurrence
        def __missing__(self, tok: str) -> str:
            self[tok] = f = fold(tok)
            return f

    folded = Folded({_SEP: _SEP})

    def scan(toks: list[str], keys: set[tuple], first: dict[str, set[int]], hits: set) -> None:
        for i in [i for i, t in enumerate(toks) if t in first]:
            for n in first[toks[i]]:
                g = tuple(toks[i:i + n])
                if g in keys:
                    hits.add(g)

    for r in records:
        acc, fld, syl, phr = set(), set(), set(), set()
        for name in ("title", "sapo", "body"):
            text = r.get(name) or ""
            if not text:
                continue
            # a field's syllables in order, a separator token wherever side by side ends
            toks = _BREAK.sub(_CUT, _norm(text)).split()
            if syl_keys:
                syl.update(syl_keys.intersection(toks))
            if acc_first:
                scan(toks, acc_keys, acc_first, acc)
            if fold_first:
                scan([folded[t] for t in toks], fold_keys, fold_first, fld)
            if phrase_first:  # punctuation stepped over, a line break still separates
                soft = _SOFT.sub(" ", _LINE.sub(_CUT, _norm(text))).split()
                scan(soft, phrase_keys, phrase_first, phr)
        url = r["url"]
        for k in acc:
            out["accented"][k].add(url)
        for k in fld:
            out["unaccented"][k].add(url)
        for s in syl:
            out["syllable"][(s,)].add(url)
        for k in phr:
            out["phrase"][k].add(url)
    return out


# -- the archive and the peer ----------------------------------------------------------------
def source_hash() -> str:
    """Hash of what the index depends on: the project's ``archive``/``indexer`` sources and
    the gazetteer (a code change there may change what is indexed)."""
    h = hashlib.sha1()
    files = [p for d in ("archive", "indexer") for p in (ROOT / d).rglob("*.py")]
    files += [p for p in (ROOT / "corpus" / "gazetteer").rglob("*") if p.is_file()]
    for p in sorted(files):
        h.update(str(p.relative_to(ROOT)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def ensure_archive(cache: Path, rebuild: bool, reuse: bool) -> tuple[Path, bool]:
    """The cached vietnews archive (built if missing or stale); True when (re)built now."""
    from indexer import ingest_paths
    data = cache / "archive"
    stamp_file = data / STAMP
    stamp = json.loads(stamp_file.read_text()) if stamp_file.exists() else {}
    want = source_hash()
    if not rebuild and stamp and (reuse or stamp.get("source") == want):
        return data, False
    if stamp and not rebuild:
        print(f"matchsets: archive/indexer sources changed ({stamp.get('source')} → {want}): "
              f"rebuilding {data} (--reuse to keep it)", file=sys.stderr)
    shutil.rmtree(data, ignore_errors=True)
    t = time.perf_counter()
    report = ingest_paths([VIETNEWS], data, workers=2)
    dt = time.perf_counter() - t
    print(f"matchsets: ingested {report.stored} articles ({report.failed} failed) in "
          f"{dt:.0f} s into {data}", file=sys.stderr)
    stamp_file.write_text(json.dumps({"source": want, "stored": report.stored,
                                      "failed": report.failed, "seconds": dt}))
    return data, True


def ensure_fts5(store_file: Path, target: Path, fresh: bool) -> Path:
    """The FTS5 peer over the archive's store, built when missing or older than the store."""
    from bench import fts5_peer
    if fresh or not target.exists() or target.stat().st_mtime < store_file.stat().st_mtime:
        t = time.perf_counter()
        tmp = target.with_suffix(".tmp")
        n = fts5_peer.build(store_file, tmp)
        tmp.replace(target)
        print(f"matchsets: FTS5 peer built over {n} articles in "
              f"{time.perf_counter() - t:.0f} s", file=sys.stderr)
    return target


# -- engines ---------------------------------------------------------------------------------
class Ours:
    """vnarchive's match sets.  ``ids="export"``: every match from the public
    ``ArchiveSearcher.export`` (capped at the archive's size) — but it loads each matching
    article from the store (~0.3-0.6 ms a row, millions of rows for 600 queries).
    ``ids="internal"``: ``ArchiveSearcher.match_ids`` (the set ``total`` counts, no store
    reads), checked against ``total`` for every query and against the export for the first
    ``verify`` queries of each class.  ``ids="auto"`` is internal while the two agree, else
    export."""

    name = "vnarchive"

    def __init__(self, data: Path, ids: str = "auto", verify: int = 5) -> None:
        from indexer import ArchiveSearcher
        self.searcher = ArchiveSearcher(data, refresh_interval=1e9)
        self.n = int(self.searcher.stats()["indexed"])
        self.store_file = Path(self.searcher.store.path)
        with sqlite3.connect(f"file:{self.store_file}?mode=ro", uri=True) as src:
            self.url = dict(src.execute("SELECT id, url FROM articles"))
        self.mode = ids
        self.verify = verify
        self.verified: dict[str, int] = defaultdict(int)
        self.checks = {"verified": 0, "mismatched": 0}

    def _request(self, q: str):
        from indexer import SearchRequest
        return SearchRequest(q=q, per_page=1, with_snippets=False, with_facets=False)

    def _export(self, q: str) -> set[str]:
        rows = self.searcher.export(self._request(q), cap=max(self.n, 1))
        return {r["url"] for r in rows}

    def _internal(self, q: str) -> set[str]:
        ids = self.searcher.match_ids(self._request(q))
        return {self.url[int(i)] for i in ids if int(i) in self.url}

    def match(self, q: str, cls: str = "") -> dict[str, Any]:
        res = self.searcher.search(self._request(q))
        urls = None
        if self.mode in ("auto", "internal"):
            try:
                urls = self._internal(q)
            except Exception as exc:  # the internals moved: the public path still works
                print(f"matchsets: internal match sets unavailable ({type(exc).__name__}: "
                      f"{exc}); using ArchiveSearcher.export", file=sys.stderr)
                self.mode = "export"
            if urls is not None and self.verified[cls] < self.verify:
                self.verified[cls] += 1
                self.checks["verified"] += 1
                exported = self._export(q)
                if exported != urls:
                    self.checks["mismatched"] += 1
                    print(f"matchsets: internal match set of {q!r} ({len(urls)}) differs from "
                          f"the export ({len(exported)}); using the export from now on",
                          file=sys.stderr)
                    self.mode, urls = "export", exported
        if urls is None:
            urls = self._export(q)
        return {"shown": int(res["total"]), "urls": urls, "fallback": res.get("fallback")}


class OursOnOpenSearch(Ours):
    """The same match sets asked of ``OpenSearchEngine`` (``--opensearch``): the archive
    fed to a real node from its cached analysis (``bench/osbench.py``)."""

    name = "opensearch"

    def __init__(self, data: Path, engine, ids: str = "auto", verify: int = 5) -> None:
        super().__init__(data, ids, verify)
        self.searcher.close()
        self.searcher = engine


class Peer:
    name = "fts5"

    def __init__(self, path: Path, url: dict[int, str]) -> None:
        from bench import fts5_peer
        self.match_expr = fts5_peer.match_expr
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        self.url = url

    def match(self, q: str, cls: str = "") -> dict[str, Any]:
        expr = self.match_expr(q)
        rows = self.db.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expr,)).fetchall() \
            if expr else []
        urls = {self.url[r[0]] for r in rows if r[0] in self.url}
        return {"shown": len(rows), "urls": urls, "fallback": None}


# -- figures ---------------------------------------------------------------------------------
def figures(rows: list[dict]) -> dict[str, Any]:
    """rows: ``{"true": n, "shown": n, "got": n, "tp": n}`` per query."""
    tp = sum(r["tp"] for r in rows)
    got = sum(r["got"] for r in rows)
    true = sum(r["true"] for r in rows)
    p = tp / got if got else 1.0
    rec = tp / true if true else 1.0
    f1s = [2 * r["tp"] / (r["got"] + r["true"]) if r["got"] + r["true"] else 1.0 for r in rows]
    precs = [r["tp"] / r["got"] for r in rows if r["got"]]
    recs = [r["tp"] / r["true"] for r in rows if r["true"]]
    errs = [abs(r["shown"] - r["true"]) / r["true"] for r in rows if r["true"]]
    ratios = [r["shown"] / r["true"] for r in rows if r["true"]]
    return {
        "queries": len(rows),
        "micro_p": p, "micro_r": rec,
        "micro_f1": 2 * p * rec / (p + rec) if p + rec else 0.0,
        "macro_p": statistics.fmean(precs) if precs else None,
        "macro_r": statistics.fmean(recs) if recs else None,
        "macro_f1": statistics.fmean(f1s) if f1s else None,
        "median_count_error": statistics.median(errs) if errs else None,
        "median_ratio": statistics.median(ratios) if ratios else None,
        "true_zero": sum(1 for r in rows if not r["true"]),
        "empty": sum(1 for r in rows if not r["got"]),
        "total_ne_set": sum(1 for r in rows if r["shown"] != r["got"]),
        "fallback": sum(1 for r in rows if r.get("fallback")),
    }


def report(results: dict[str, dict[str, dict]], title: str) -> str:
    def f(x: Any) -> Any:
        return "-" if x is None else (f"{x:.3f}" if isinstance(x, float) else x)

    rows = []
    for cls in CLASSES:
        for eng in ENGINES:
            r = results.get(cls, {}).get(eng)
            if not r or not r["queries"]:
                continue
            rows.append([cls, eng, r["queries"], f(r["micro_p"]), f(r["micro_r"]),
                         f(r["micro_f1"]), f(r["macro_p"]), f(r["macro_r"]), f(r["macro_f1"]),
                         f"{r['median_count_error']:.0%}" if r["median_count_error"] is not None
                         else "-",
                         f"{r['median_ratio']:.2f}×" if r["median_ratio"] is not None else "-",
                         r["true_zero"], r["empty"], r["total_ne_set"], r["fallback"]])
    head = ["class", "engine", "n", "micro P", "micro R", "micro F1", "macro P", "macro R",
            "macro F1", "med |err|", "med ×", "true=0", "empty", "tot≠set", "fallback"]
    return table(title, head, rows)


# -- main ------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--words", type=int, default=DEFAULT_WORDS, help="queries per class")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--cache", type=Path, default=ROOT / "bench" / "out" / "matchsets",
                    help="where the archive and the FTS5 peer are kept")
    ap.add_argument("--data-dir", type=Path, help="use this vietnews archive as it is")
    ap.add_argument("--rebuild", action="store_true", help="build the archive afresh")
    ap.add_argument("--reuse", action="store_true",
                    help="use the cached archive even if the sources changed")
    ap.add_argument("--words-only", help="comma-separated queries instead of the sample")
    ap.add_argument("--ids", choices=("auto", "internal", "export"), default="auto",
                    help="how vnarchive's full match sets are read (see class Ours)")
    ap.add_argument("--verify", type=int, default=5,
                    help="queries per class whose internal match set is checked against "
                         "the export")
    ap.add_argument("--json", type=Path, help="write the figures (and per-query rows) here")
    ap.add_argument("--dump", action="store_true", help="print every query's counts")
    ap.add_argument("--opensearch", action="store_true",
                    help="also ask OpenSearch (a real node started here) the same queries")
    ap.add_argument("--with-relevance", action="store_true",
                    help="then run bench/relevance.py (known-item ranking) in the same run")
    args = ap.parse_args(argv)

    if not SHARED.is_dir():
        _die(f"{SHARED} is missing: this benchmark needs the shared test data "
             f"(../shared next to the checkout)")
    if not VIETNEWS.is_file():
        _die(f"{VIETNEWS} is missing (the vietnews corpus under ../shared)")

    started = time.perf_counter()
    timings: dict[str, float] = {}
    t = time.perf_counter()
    records = load_records()
    queries = custom_queries(args.words_only) if args.words_only else \
        sample(records, args.words, args.seed)
    timings["sample"] = time.perf_counter() - t

    t = time.perf_counter()
    if args.data_dir:
        data, fresh = args.data_dir, False
    else:
        args.cache.mkdir(parents=True, exist_ok=True)
        data, fresh = ensure_archive(args.cache, args.rebuild, args.reuse)
    timings["archive"] = time.perf_counter() - t

    t = time.perf_counter()
    ours = Ours(data, args.ids, args.verify)
    args.cache.mkdir(parents=True, exist_ok=True)
    peer_file = args.cache / ("fts5.sqlite3" if not args.data_dir else
                              "fts5-" + hashlib.sha1(str(data.resolve()).encode())
                              .hexdigest()[:10] + ".sqlite3")
    peer = Peer(ensure_fts5(ours.store_file, peer_file, fresh or args.rebuild), ours.url)
    timings["open"] = time.perf_counter() - t
    stored = set(peer.url.values())
    missing = sum(1 for r in records if r["url"] not in stored)
    if missing:
        print(f"matchsets: {missing} corpus records are not in the archive; truth is "
              f"restricted to the {len(stored)} stored urls", file=sys.stderr)
    records = [r for r in records if r["url"] in stored]

    t = time.perf_counter()
    truths = truth(records, queries)
    timings["truth"] = time.perf_counter() - t

    per_query: list[dict] = []
    results: dict[str, dict[str, dict]] = {}
    engines: list = [ours, peer]
    stack = contextlib.ExitStack()
    if args.opensearch:
        from bench.osbench import opensearch_engine
        engines.insert(1, OursOnOpenSearch(data, stack.enter_context(opensearch_engine(data)),
                                           args.ids, args.verify))
    for eng in engines:
        t = time.perf_counter()
        for cls in CLASSES:
            rows = []
            for q in queries[cls]:
                want = truths[cls].get(q["key"], set())
                got = eng.match(q["q"], cls)
                row = {"class": cls, "engine": eng.name, "q": q["q"], "true": len(want),
                       "shown": got["shown"], "got": len(got["urls"]),
                       "tp": len(want & got["urls"]), "fallback": got["fallback"]}
                rows.append(row)
                per_query.append(row)
            results.setdefault(cls, {})[eng.name] = figures(rows)
        timings[eng.name] = time.perf_counter() - t
    stack.close()
    timings["total"] = time.perf_counter() - started

    n_words = {c: len(v) for c, v in queries.items()}
    title = (f"Match sets over {len(records)} vietnews articles "
             f"({'given queries' if args.words_only else f'seed {args.seed}'}; "
             f"{', '.join(f'{c} {n}' for c, n in n_words.items())} queries; "
             f"truth: syllables side by side within a field)")
    if args.dump:
        by_q: dict[tuple, dict] = {}
        for r in per_query:
            by_q.setdefault((r["class"], r["q"]), {"true": r["true"]})[r["engine"]] = r
        print(table("Per query", ["class", "query", "true", "vn shown", "vn tp", "fts5 shown",
                                  "fts5 tp"],
                    [[c, q, v["true"], v["vnarchive"]["shown"], v["vnarchive"]["tp"],
                      v["fts5"]["shown"], v["fts5"]["tp"]] for (c, q), v in by_q.items()]))
    print(report(results, title))
    via = "ArchiveSearcher.export" if ours.mode == "export" else "the internal match mask"
    print(f"vnarchive match sets read via {via}; {ours.checks['verified']} of them checked "
          f"against the export, {ours.checks['mismatched']} differed")
    print("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "seed": args.seed, "words": args.words, "articles": len(records),
            "data_dir": str(data), "results": results, "seconds": timings,
            "ids": ours.mode, "export_checks": ours.checks,
            "queries": per_query}, ensure_ascii=False, indent=1))
    rc = 0
    if args.with_relevance:
        print("\n=== relevance.py", flush=True)
        rc = subprocess.call([sys.executable, str(ROOT / "bench" / "relevance.py")])
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
