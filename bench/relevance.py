"""Known-item relevance benchmark: vnarchive against SQLite FTS5 and out-of-the-box Whoosh.

From ``../shared/corpus/vietnews/vietnews_test.jsonl.gz`` a seeded sample of articles is
ingested (``--docs``); ``--targets`` of them become known items.  For each target several
queries are built the ways people type Vietnamese, and each system is asked for its top 10:

- ``headline``     the whole headline as written;
- ``kw``           3 distinctive headline syllables (highest IDF over the ingested set), in
                   headline order, with diacritics;
- ``kw_unaccented`` the same folded (no diacritics, đ→d);
- ``kw_nfd``       the same decomposed (NFD, as some keyboards and phones send it);
- ``kw_caps``      the same in capitals;
- ``kw_flipped``   the same with the other tone placement (hòa↔hoà, thủy↔thuỷ, khỏe↔khoẻ);
- ``phrase``       a quoted 5-word phrase from the body.

Peers, on the same articles and queries:

- ``fts5``  SQLite FTS5 ``unicode61 remove_diacritics 2`` on title, sapo, body; bm25 with
  the title weighted 3; every query word a quoted string (quotes doubled), words ANDed
  (FTS5's implicit AND); the phrase variant as one FTS5 phrase.
- ``whoosh`` ``StandardAnalyzer(stoplist=None) | CharsetFilter(accent_map)`` on title
  (field_boost 3), sapo and body; ``MultifieldParser`` with its defaults: its default group
  is ``AndGroup`` (every word must match in some field) and its default scoring BM25F —
  what a Whoosh user builds in an afternoon.  Parser errors count as misses.

MRR@10 and success@10 per variant, mean latency per query, and for vnarchive how often the
did-you-mean suggestion for the unaccented query equals the accented one.

    .venv/bin/python bench/relevance.py                # defaults: 3000 docs, 300 targets
    .venv/bin/python bench/relevance.py --docs 6000 --targets 500 --seed 7
"""
from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import json
import math
import random
import re
import shutil
import sqlite3
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.sources import RawItem  # noqa: E402
from archive.textnorm import fold, nfc  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "vietnews" / "vietnews_test.jsonl.gz"
OUT = ROOT / "bench" / "out"
VARIANTS = ("headline", "kw", "kw_unaccented", "kw_nfd", "kw_caps", "kw_flipped", "phrase")
K = 10
_SYL = re.compile(r"[^\W_]+")

# -- tone placement flipper ------------------------------------------------------------
_TONED = {"a": "àáảãạ", "e": "èéẻẽẹ", "o": "òóỏõọ", "u": "ùúủũụ", "y": "ỳýỷỹỵ"}
_TONE_OF = {ch: (base, i) for base, row in _TONED.items() for i, ch in enumerate(row)}
# Syllable-final "oa", "oe", "uy" (not after q) carry the tone on either vowel.
_PAIR = re.compile(r"(?<![q])(o[aàáảãạeèéẻẽẹ]|u[yỳýỷỹỵ]|[òóỏõọ][ae]|[ùúủũụ]y)(?![^\W\d_])",
                   re.IGNORECASE)


def _flip_pair(m: re.Match[str]) -> str:
    first, second = m.group(0)
    lower_first, lower_second = first.lower(), second.lower()
    if lower_first in _TONE_OF:        # new style hòa → old style hoà
        base, tone = _TONE_OF[lower_first]
        moved = _TONED[lower_second][tone]
        out = base + moved
    elif lower_second in _TONE_OF:     # old style hoà → new style hòa
        base, tone = _TONE_OF[lower_second]
        out = _TONED[lower_first][tone] + base
    else:                              # no tone on the pair: nothing to flip
        return m.group(0)
    return "".join(c.upper() if o.isupper() else c for c, o in zip(out, m.group(0)))


def flip_tones(text: str) -> str:
    """Move the tone of "oa/oe/uy" syllables to the other vowel, both directions.

    >>> flip_tones("Hòa bình, thuỷ lợi, khoẻ, quý, HÒA")
    'Hoà bình, thủy lợi, khỏe, quý, HOÀ'
    """
    return _PAIR.sub(_flip_pair, nfc(text))


# -- sample and queries ----------------------------------------------------------------
def load_sample(n_docs: int, n_targets: int, seed: int) -> tuple[list[dict], list[dict]]:
    with gzip.open(CORPUS, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    rng = random.Random(seed)
    order = list(range(len(records)))
    rng.shuffle(order)
    seen_titles: set[str] = set()
    docs = []
    for i in order:  # duplicate headlines make a known item ambiguous for every system
        r = records[i]
        key = fold(nfc(r["title"]).lower()).strip()
        if not key or key in seen_titles or not r.get("body", "").strip():
            continue
        seen_titles.add(key)
        docs.append({k: r[k] for k in ("url", "title", "sapo", "body") if r.get(k)})
        if len(docs) >= n_docs:
            break
    return docs, docs[:n_targets]


def _syls(text: str) -> list[str]:
    return _SYL.findall(nfc(text))


def _windows(d: dict) -> list[str]:
    out = []
    for para in d["body"].split("\n"):
        toks = para.split()
        for i in range(len(toks) - 4):
            win = toks[i:i + 5]
            if all(_SYL.fullmatch(t) for t in win):
                out.append(" ".join(win))
    return out


def _fkey(text: str) -> tuple[str, ...]:
    return tuple(fold(s.lower()) for s in _syls(text))


def _unique_phrases(docs: list[dict], targets: list[dict]) -> set[tuple[str, ...]]:
    """Folded 5-word windows of the targets' bodies found in no other ingested article: a
    phrase several articles share (boilerplate, quotes) names no single known item."""
    wanted = {_fkey(w) for d in targets for w in _windows(d)}
    seen: Counter[tuple[str, ...]] = Counter()
    for d in docs:
        syl = _fkey(" ".join((d["title"], d.get("sapo", ""), d["body"])))
        seen.update({g for g in zip(*(syl[i:] for i in range(5))) if g in wanted})
    return {g for g in wanted if seen[g] == 1}


def _phrase(d: dict, rng: random.Random, unique: set[tuple[str, ...]]) -> str:
    candidates = [w for w in _windows(d) if _fkey(w) in unique]
    return f'"{rng.choice(candidates)}"' if candidates else f'"{d["title"]}"'


def build_queries(docs: list[dict], targets: list[dict], seed: int) -> list[dict]:
    df: Counter[str] = Counter()
    for d in docs:
        df.update({s.lower() for s in _syls(" ".join((d["title"], d.get("sapo", ""), d["body"])))})
    n = len(docs)
    rng = random.Random(seed + 1)
    unique = _unique_phrases(docs, targets)
    queries = []
    for d in targets:
        words = _syls(d["title"])
        ranked = sorted(range(len(words)),
                        key=lambda i: (-math.log(n / df[words[i].lower()]), i))
        picked, seen = [], set()
        for i in ranked:  # the 3 rarest distinct words, then back in headline order
            if words[i].lower() not in seen and len(picked) < 3:
                seen.add(words[i].lower())
                picked.append(i)
        picked.sort()
        kw = " ".join(words[i] for i in picked)
        phrase = _phrase(d, rng, unique)
        queries.append({
            "url": d["url"], "headline": d["title"], "kw": kw,
            "kw_unaccented": fold(kw), "kw_nfd": unicodedata.normalize("NFD", kw),
            "kw_caps": kw.upper(), "kw_flipped": flip_tones(kw), "phrase": phrase,
        })
    return queries


# -- systems ---------------------------------------------------------------------------
def _key(*parts) -> str:
    return hashlib.sha1(json.dumps(parts).encode()).hexdigest()[:12]


class Vnarchive:
    name = "vnarchive"

    def __init__(self, docs: list[dict], cache: Path, rebuild: bool, workers: int | None):
        from indexer.analysis.analyzer import ANALYSER_VERSION
        from indexer.ingest.ingester import ingest_items
        from indexer.schema import INDEX_FORMAT
        from indexer.search import ArchiveSearcher
        self.dir = cache / f"vn-{_key([d['url'] for d in docs], ANALYSER_VERSION, INDEX_FORMAT)}"
        if rebuild and self.dir.exists():
            shutil.rmtree(self.dir)
        if not (self.dir / "index" / "CURRENT").exists():
            shutil.rmtree(self.dir, ignore_errors=True)
            t = time.perf_counter()
            items = (RawItem(f"vietnews:{i}", "json", d) for i, d in enumerate(docs))
            report = ingest_items(items, self.dir, workers=workers)
            print(f"vnarchive: ingested {report.stored} ({report.failed} failed) in "
                  f"{time.perf_counter() - t:.0f} s", file=sys.stderr)
        self.searcher = ArchiveSearcher(self.dir)
        self.last: dict = {}

    def search(self, q: str) -> list[str]:
        from indexer.search import SearchRequest
        self.last = self.searcher.search(SearchRequest(q=q, per_page=K, with_snippets=False))
        return [r["url"] for r in self.last["results"]]


class OpenSearchSystem(Vnarchive):
    """The same archive fed to a real OpenSearch node (``bench/osbench.py``) and asked
    through ``OpenSearchEngine``: the same queries as ``vnarchive`` in the same run."""
    name = "opensearch"

    def __init__(self, docs: list[dict], cache: Path, rebuild: bool, workers: int | None,
                 stack) -> None:
        from bench.osbench import opensearch_engine
        super().__init__(docs, cache, rebuild, workers)
        self.searcher.close()
        self.searcher = stack.enter_context(opensearch_engine(self.dir))


class Fts5:
    name = "fts5"

    def __init__(self, docs: list[dict]):
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE a USING fts5(url UNINDEXED, title, sapo, body, "
                        "tokenize='unicode61 remove_diacritics 2')")
        self.db.executemany("INSERT INTO a VALUES (?,?,?,?)",
                            [(d["url"], d["title"], d.get("sapo", ""), d["body"]) for d in docs])

    @staticmethod
    def to_match(q: str) -> str:
        if q.startswith('"') and q.endswith('"'):
            return '"' + q[1:-1].replace('"', '""') + '"'
        terms = [t for t in q.split() if re.search(r"\w", t)]
        return " ".join('"' + t.replace('"', '""') + '"' for t in terms)

    def search(self, q: str) -> list[str]:
        match = self.to_match(q)
        if not match:
            return []
        try:
            rows = self.db.execute("SELECT url FROM a WHERE a MATCH ? "
                                   "ORDER BY bm25(a, 0, 3.0, 1.0, 1.0) LIMIT ?", (match, K))
            return [r[0] for r in rows]
        except sqlite3.OperationalError:
            return []


class WhooshPeer:
    name = "whoosh"

    def __init__(self, docs: list[dict], cache: Path, rebuild: bool):
        from whoosh import index
        from whoosh.analysis import CharsetFilter, StandardAnalyzer
        from whoosh.fields import ID, TEXT, Schema
        from whoosh.qparser import MultifieldParser
        from whoosh.support.charset import accent_map
        ana = StandardAnalyzer(stoplist=None) | CharsetFilter(accent_map)
        schema = Schema(url=ID(stored=True, unique=True),
                        title=TEXT(analyzer=ana, field_boost=3.0),
                        sapo=TEXT(analyzer=ana), body=TEXT(analyzer=ana))
        path = cache / f"whoosh-{_key([d['url'] for d in docs])}"
        if rebuild and path.exists():
            shutil.rmtree(path)
        if not (path / "DONE").exists():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
            ix = index.create_in(str(path), schema)
            w = ix.writer(limitmb=256)
            for d in docs:
                w.add_document(url=d["url"], title=d["title"], sapo=d.get("sapo", ""),
                               body=d["body"])
            w.commit()
            (path / "DONE").touch()
        self.searcher = index.open_dir(str(path)).searcher()
        self.parser = MultifieldParser(["title", "sapo", "body"], schema)

    def search(self, q: str) -> list[str]:
        try:
            return [h["url"] for h in self.searcher.search(self.parser.parse(q), limit=K)]
        except Exception:
            return []


# -- measuring -------------------------------------------------------------------------
def evaluate(system, queries: list[dict]) -> dict:
    from indexer.analysis.analyzer import normalize
    out: dict = {"variants": {}, "ms": 0.0}
    total_ms, count, sugg_ok, sugg_n = 0.0, 0, 0, 0
    for v in VARIANTS:
        rr, hit = [], 0
        for q in queries:
            t = time.perf_counter()
            urls = system.search(q[v])
            total_ms += (time.perf_counter() - t) * 1000
            count += 1
            rank = urls.index(q["url"]) + 1 if q["url"] in urls else 0
            rr.append(1 / rank if rank else 0.0)
            hit += bool(rank)
            if v == "kw_unaccented" and system.name == "vnarchive":
                sugg_n += 1
                s = system.last.get("suggestion")
                if q["kw"] == q["kw_unaccented"]:  # nothing to restore: no suggestion is right
                    sugg_ok += not s
                else:
                    sugg_ok += bool(s) and normalize(s.lower()) == normalize(q["kw"].lower())
        out["variants"][v] = (sum(rr) / len(rr), hit / len(queries))
    out["overall"] = tuple(sum(x[i] for x in out["variants"].values()) / len(VARIANTS)
                           for i in (0, 1))
    out["ms"] = total_ms / max(count, 1)
    if sugg_n:
        out["suggest"] = sugg_ok / sugg_n
    return out


def table(results: dict[str, dict], n: int) -> str:
    names = list(results)
    head = f"{'variant (n=' + str(n) + ')':<16}" + "".join(f"{s + ' MRR':>14}{'S@10':>7}"
                                                           for s in names)
    lines = [head, "-" * len(head)]
    for v in (*VARIANTS, "overall"):
        row = f"{v:<16}"
        for s in names:
            m, sc = results[s]["overall"] if v == "overall" else results[s]["variants"][v]
            row += f"{m:>14.3f}{sc:>7.3f}"
        lines.append(row)
    lines.append(f"{'ms/query':<16}" + "".join(f"{results[s]['ms']:>14.2f}{'':>7}"
                                               for s in names))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=3000, help="articles ingested")
    ap.add_argument("--targets", type=int, default=300, help="known items (among --docs)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rebuild", action="store_true", help="ignore cached data dirs")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--systems", default="vnarchive,fts5,whoosh")
    ap.add_argument("--dump", type=Path, help="write per-query vnarchive misses (JSONL)")
    args = ap.parse_args(argv)
    if not CORPUS.exists():
        print(f"missing corpus: {CORPUS}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    docs, targets = load_sample(args.docs, args.targets, args.seed)
    queries = build_queries(docs, targets, args.seed)
    changed = sum(q["kw_flipped"] != q["kw"] for q in queries)
    print(f"{len(docs)} docs, {len(queries)} targets, seed {args.seed}; "
          f"flipping changed {changed} keyword queries", file=sys.stderr)
    results: dict[str, dict] = {}
    stack = contextlib.ExitStack()
    for name in args.systems.split(","):
        t = time.perf_counter()
        if name == "vnarchive":
            system = Vnarchive(docs, OUT, args.rebuild, args.workers)
        elif name == "opensearch":
            system = OpenSearchSystem(docs, OUT, args.rebuild, args.workers, stack)
        elif name == "fts5":
            system = Fts5(docs)
        elif name == "whoosh":
            system = WhooshPeer(docs, OUT, args.rebuild)
        else:
            raise SystemExit(f"unknown system {name}")
        print(f"{name}: ready in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        results[name] = evaluate(system, queries)
        if args.dump and name == "vnarchive":
            with open(args.dump, "w", encoding="utf-8") as fh:
                for q in queries:
                    for v in VARIANTS:
                        urls = system.search(q[v])
                        if q["url"] not in urls[:1]:
                            fh.write(json.dumps({"variant": v, "q": q[v], "want": q["url"],
                                                 "rank": urls.index(q["url"]) + 1
                                                 if q["url"] in urls else None,
                                                 "got": urls[:3]}, ensure_ascii=False) + "\n")
    stack.close()
    print(table(results, len(queries)))
    if "vnarchive" in results:
        print(f"did-you-mean on kw_unaccented equals the accented query: "
              f"{results['vnarchive']['suggest']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
