"""Search with facets over a live index generation.

Facet counts come from compact per-document columns built once per index reader (value →
set of docnums), not from Whoosh's generic grouping, and are disjunctive: each facet is
counted with every other facet's filter applied but not its own, so selecting "Long An"
still shows what "Tiền Giang" would give.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path
from typing import Any

import numpy as np

from archive.article import VN_TZ
from archive.dedup import hamming
from archive.store import MAX_DUPLICATE_DISTANCE, Store
from archive.textnorm import fold
from indexer.analysis import has_diacritics, normalize, syllables
from indexer.columns import Columns
from indexer.evaluate import Evaluator, Unsupported
from indexer.index import FACET_FIELDS, PAIR_JOIN, IndexMissing, current_path, open_current
from indexer.pipeline import store_path
from indexer.query import QueryError, build, parse
from indexer.sidecar import merged_stamp
from indexer.snippets import snippet
from indexer.suggest import correct_syllables, restore_from_texts

__all__ = ["SearchRequest", "SearchError", "ArchiveSearcher", "FACETS", "SORTS"]

FACETS = FACET_FIELDS
SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 1000


class SearchError(ValueError):
    """A request that cannot be answered as asked (→ HTTP 400 / CLI error)."""

    def __init__(self, message: str, code: str = "bad_request") -> None:
        super().__init__(message)
        self.code = code


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facet_limit: int = 10
    with_snippets: bool = True
    # False: hits only ("bare") — no facet counts, month histogram or did-you-mean
    with_facets: bool = True

    def validate(self) -> None:
        if self.sort not in SORTS:
            raise SearchError(f"sort must be one of {', '.join(SORTS)}")
        if not 1 <= self.page <= MAX_PAGE:
            raise SearchError(f"page must be between 1 and {MAX_PAGE}")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise SearchError(f"per_page must be between 1 and {MAX_PER_PAGE}")
        unknown = set(self.filters) - set(FACETS)
        if unknown:
            raise SearchError(f"unknown filter {sorted(unknown)[0]!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise SearchError("'from' is after 'to'")


class ArchiveSearcher:
    """Thread-safe search over ``<data-dir>``; follows reindex switches and ingest commits."""

    def __init__(self, data_dir: Path | str, *, refresh_interval: float = 0.5,
                 prefetch: bool = False) -> None:
        """``prefetch``: a long-running server asks the kernel to cache the postings
        sidecars as soon as it opens them (``indexer.sidecar.Sidecar.prefetch``)."""
        self.data_dir = Path(data_dir)
        self.refresh_interval = refresh_interval
        self.prefetch = prefetch
        self._lock = threading.RLock()
        self._ix = None
        self._searcher = None
        self._columns: Columns | None = None
        self._eval: Evaluator | None = None
        self._gen: Path | None = None
        self._checked = 0.0
        self._stamp: tuple[int, int] | None = None
        self._store: Store | None = None

    # -- lifecycle ----------------------------------------------------------------------
    def _ensure(self) -> tuple[Any, Columns]:
        now = time.monotonic()
        if self._searcher is not None and now - self._checked < self.refresh_interval:
            return self._searcher, self._columns  # type: ignore[return-value]
        self._checked = now
        gen = current_path(self.data_dir)
        if gen is None:
            raise IndexMissing(f"no index in {self.data_dir}: run `vnarchive ingest` first")
        stamp = merged_stamp(gen)
        if self._searcher is None or gen != self._gen:
            old = self._searcher
            self._ix = open_current(self.data_dir)
            self._searcher = self._ix.searcher()
            self._gen = gen
            self._columns = Columns(self._searcher.reader())
            self._new_evaluator()
            if old is not None:
                old.close()
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
            self._columns = Columns(self._searcher.reader())
            self._new_evaluator()
        elif stamp != self._stamp:  # an ingest merged the postings sidecars
            self._new_evaluator()
        self._stamp = stamp
        if self._store is None:
            self._store = Store(store_path(self.data_dir), readonly=True)
        return self._searcher, self._columns  # type: ignore[return-value]

    def _new_evaluator(self) -> None:
        if self._eval is not None:
            self._eval.close()
        self._eval = Evaluator(self._searcher, prefetch=self.prefetch)

    def close(self) -> None:
        with self._lock:
            if self._eval is not None:
                self._eval.close()
                self._eval = None
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            if self._store is not None:
                self._store.close()
                self._store = None

    @property
    def store(self) -> Store:
        with self._lock:
            self._ensure()
            return self._store  # type: ignore[return-value]

    # -- search -------------------------------------------------------------------------
    def search(self, req: SearchRequest) -> dict[str, Any]:
        req.validate()
        started = time.perf_counter()
        with self._lock:
            searcher, cols = self._ensure()
            parsed, wq, scores, matched, fallback = self._text_matches(searcher, cols, req.q)
            dates = cols.date_range(_start(req.date_from), _end(req.date_to)) \
                if (req.date_from or req.date_to) else None
            allowed = {f: cols.allowed(f, vals) for f, vals in req.filters.items() if vals}
            final = matched if dates is None else matched & dates
            for docs in allowed.values():
                final = final & docs
            total = int(np.count_nonzero(final))
            k = req.page * req.per_page
            sort = req.sort
            if wq is None and sort == "relevance":  # nothing to rank by: browse newest first
                sort = "newest"
            if sort == "relevance":
                use_filter = final if (dates is not None or allowed) else None
                ranked = Evaluator.top(scores, k, use_filter)
            else:
                ranked = [(d, None) for d in cols.by_date(final, k, newest=sort == "newest")]
            page = ranked[(req.page - 1) * req.per_page:k]
            terms = set(syllables(parsed.positive_text()))
            results = self._hits(cols, page, terms, req.with_snippets)
            facets, suggestion, months = {}, None, []
            if req.with_facets:
                facets = self._facets(cols, req, matched, dates, allowed)
                suggestion = self._suggestion(searcher, parsed, total, cols, scores)
                months = cols.month_counts(final)
        return {
            "query": req.q,
            "total": total,
            "page": req.page,
            "per_page": req.per_page,
            "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "fallback": fallback,
            "suggestion": suggestion,
            "results": results,
            "facets": facets,
            "months": [{"month": m, "count": c} for m, c in months],
        }

    def _facets(self, cols: Columns, req: SearchRequest, matched: np.ndarray,
                dates: np.ndarray | None, allowed: dict[str, np.ndarray]) -> dict[str, list]:
        base = matched if dates is None else matched & dates
        out = {}
        for name in FACETS:
            docs = base
            for other, allowed_docs in allowed.items():
                if other != name:
                    docs = docs & allowed_docs
            selected = cols.resolve_all(name, req.filters.get(name, ()))
            out[name] = cols.count(name, docs, req.facet_limit, selected)
        return out

    def export(self, req: SearchRequest, cap: int) -> list[dict]:
        """Up to ``cap`` matching results in the request's order, without snippets — for
        CSV/JSON export.  Rows are read in chunks by the caller's streaming loop."""
        req.validate()
        with self._lock:
            searcher, cols = self._ensure()
            _, wq, scores, matched, _ = self._text_matches(searcher, cols, req.q)
            matched = _filtered(cols, req, matched)
            sort = req.sort if wq is not None or req.sort != "relevance" else "newest"
            if sort == "relevance":
                ranked = Evaluator.top(scores, cap, matched)
            else:
                ranked = [(d, None) for d in cols.by_date(matched, cap, newest=sort == "newest")]
        out = []
        for start in range(0, len(ranked), 500):
            chunk = ranked[start:start + 500]
            with self._lock:
                out.extend(self._hits(cols, chunk, set(), with_snippets=False, collapse=False))
        return out

    def facet_values(self, name: str, req: SearchRequest, limit: int = 500) -> list[dict]:
        """Every value of one facet for the request (the "xem thêm" list)."""
        if name not in FACETS:
            raise SearchError(f"unknown facet {name!r}", "not_found")
        req.validate()
        with self._lock:
            searcher, cols = self._ensure()
            matched = self._text_matches(searcher, cols, req.q)[3]
            matched = _filtered(cols, req, matched, skip=name)
            selected = cols.resolve_all(name, req.filters.get(name, ()))
            return cols.count(name, matched, limit, selected)

    def _text_matches(self, searcher, cols: Columns, q: str):
        """(parsed, query, scores, matched docnums, fallback) for the text of a request;
        when no article has every word, the articles with some of them (``fallback``)."""
        try:
            parsed = parse(q)
        except QueryError as exc:
            raise SearchError(str(exc), "bad_query") from None
        wq = build(parsed, searcher.reader())
        if wq is None:
            return parsed, None, None, cols.live, False
        scores = self._scores(wq)
        matched = scores > 0
        if not matched.any() and _word_count(parsed) > 1:
            wq_or = build(parsed, searcher.reader(), any_word=True)
            if wq_or is not None:
                scores_or = self._scores(wq_or)
                matched_or = scores_or > 0
                if matched_or.any():
                    return parsed, wq_or, scores_or, matched_or, True
        return parsed, wq, scores, matched, False

    def _scores(self, wq) -> np.ndarray:
        """BM25F scores of the live documents matching ``wq``, dense (lock held)."""
        ev = self._eval
        try:
            scores = ev.scores(wq)  # type: ignore[union-attr]
        except Unsupported:  # a node the evaluator does not model: Whoosh walks it
            scores = np.zeros(ev.n, dtype=np.float64)  # type: ignore[union-attr]
            for h in self._searcher.search(wq, limit=None):  # type: ignore[union-attr]
                scores[h.docnum] = h.score
        cols = self._columns
        if not cols.any_deleted:  # type: ignore[union-attr]
            return scores
        return np.where(cols.live, scores, 0.0)  # type: ignore[union-attr]

    def _hits(self, cols: Columns, page: Sequence[tuple[int, float | None]], terms: set[str],
              with_snippets: bool, collapse: bool = True) -> list[dict]:
        """Result rows for ranked docnums.  Near-duplicate copies of a story (syndicated
        articles) on the same page are folded into the first one's ``also_published_by``."""
        ids = [int(cols.aid[d]) for d, _ in page]
        rows = self._store.get_many(ids)  # type: ignore[union-attr]
        out = []
        shown: list[tuple[int, dict]] = []  # (simhash, hit) of hits kept on this page
        for (docnum, score), aid in zip(page, ids):
            row = rows.get(aid)
            if row is None:  # indexed but no longer stored: never show a broken hit
                continue
            a = row.article
            if row.simhash is not None and collapse:
                original = next((hit for h, hit in shown
                                 if hamming(h, row.simhash) <= MAX_DUPLICATE_DISTANCE),
                                None)
                if original is not None:  # a syndicated copy: shown once, credited
                    original["also_published_by"].append(
                        {"id": aid, "site": a.site, "url": a.url})
                    continue
            ents = (row.analysis or {}).get("entities", {})
            texts = [a.sapo or "", *a.paragraphs] if terms else [a.sapo or "", *a.paragraphs[:1]]
            out.append({
                "id": aid,
                "url": a.url,
                "title": a.title,
                "published": a.published.isoformat() if a.published else None,
                "site": a.site,
                "snippet": snippet(texts, terms) if with_snippets else "",
                "provinces": list(ents.get("provinces", [])),
                "provinces_2025": list(ents.get("provinces_2025", [])),
                "officials": [o["name"] for o in ents.get("officials", [])],
                "programs": list(ents.get("programs", [])),
                "score": round(score, 4) if score is not None else None,
                "also_published_by": [],
            })
            if row.simhash is not None:
                shown.append((row.simhash, out[-1]))
        return out

    def _suggestion(self, searcher, parsed, total: int, cols: Columns,
                    scores: np.ndarray | None = None) -> str | None:
        """Did-you-mean: the query with diacritics restored (and typos corrected) as the
        best-matching articles write it."""
        text = parsed.positive_text()
        syl = syllables(text)
        if not syl or len(syl) > 12:
            return None
        if has_diacritics(text) and total > 0:
            return None
        vocab = cols.vocabulary()
        typed = [fold(s) for s in syl]
        folded = correct_syllables(typed, vocab)
        from whoosh import query as Q
        if scores is not None and scores.any() and folded == typed:
            # the query's own best articles (title boost, adjacency) read the words in context
            docnums = [d for d, _ in Evaluator.top(scores, 10)]
        else:
            q = Q.Phrase("fold", folded) if len(folded) > 1 else Q.Term("fold", folded[0])
            docnums = [d for d, _ in Evaluator.top(self._scores(q), 10)]
        if not docnums and len(folded) > 1:
            q = Q.And([Q.Term("fold", s) for s in folded])
            docnums = [d for d, _ in Evaluator.top(self._scores(q), 10)]
        rows = self._store.get_many([int(cols.aid[d]) for d in docnums])  # type: ignore
        texts = []
        for row in rows.values():
            texts.append(row.article.title)
            texts.extend(row.article.paragraphs)
        restored = restore_from_texts(folded, texts, vocab)
        if not restored:
            return None
        suggestion = " ".join(restored)
        if normalize(suggestion) == normalize(text.lower()):
            return None
        return suggestion

    # -- other reads --------------------------------------------------------------------
    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions of a partly typed query, diacritics restored from the archive."""
        from whoosh import query as Q

        from indexer.query import MAX_PREFIX_EXPANSION
        from indexer.suggest import complete_from_texts
        folded = [fold(s) for s in syllables(normalize(prefix))][-6:]
        if not folded:
            return []
        with self._lock:
            searcher, cols = self._ensure()
            reader = searcher.reader()
            head, last = folded[:-1], folded[-1]
            # With a previous word, complete the pair "giam_ng…" (few terms, in context);
            # alone, the most frequent syllables starting with the prefix.
            field, stem = ("fpair", f"{head[-1]}{PAIR_JOIN}{last}") if head else ("fold", last)
            try:
                candidates = _by_frequency(reader, field, stem)
            except Exception:  # an index built before pair fields existed
                field = "fold"
                candidates = _by_frequency(reader, field, last)
            alts = [Q.Term(field, t.decode() if isinstance(t, bytes) else t)
                    for _, t in candidates[:MAX_PREFIX_EXPANSION]]
            if not alts:
                return []
            q = Q.And([Q.Term("fold", h) for h in head] + [Q.Or(alts)])
            docnums = [d for d, _ in Evaluator.top(self._scores(q), 15)]
            rows = self._store.get_many([int(cols.aid[d]) for d in docnums])  # type: ignore
            texts = []
            for row in rows.values():
                texts.append(row.article.title)
                texts.extend(row.article.paragraphs[:8])
            found = complete_from_texts(folded, texts, limit)
            if len(found) < limit and not head:
                found += [w for w in cols.vocabulary().complete(last, limit) if w not in found]
            return found[:limit]

    def article(self, article_id: int) -> dict[str, Any] | None:
        with self._lock:
            self._ensure()
            row = self._store.get(article_id)  # type: ignore[union-attr]
        if row is None:
            return None
        data = row.article.to_dict()
        ents = (row.analysis or {}).get("entities", {})
        data.update({
            "id": row.id,
            "provinces": list(ents.get("provinces", [])),
            "provinces_2025": list(ents.get("provinces_2025", [])),
            "officials": [{"name": o["name"], "titles": list(o.get("titles", [])),
                           "organisation": o.get("organisation")}
                          for o in ents.get("officials", [])],
            "programs": list(ents.get("programs", [])),
            "duplicates": self._duplicates(row.id),
        })
        return data

    def _duplicates(self, article_id: int) -> list[dict[str, Any]]:
        with self._lock:
            store = self._store
            near = store.near_duplicates(article_id)  # type: ignore[union-attr]
            rows = store.get_many([i for i, _ in near])  # type: ignore[union-attr]
        out = []
        for other, distance in near:
            row = rows.get(other)
            if row is not None:
                a = row.article
                out.append({"id": other, "url": a.url, "site": a.site, "title": a.title,
                            "published": a.published.isoformat() if a.published else None,
                            "distance": distance})
        return out

    def raw_html(self, article_id: int) -> bytes | None:
        with self._lock:
            self._ensure()
            return self._store.raw_html(article_id)  # type: ignore[union-attr]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            searcher, cols = self._ensure()
            stats = self._store.stats()  # type: ignore[union-attr]
            gen = self._gen
        size = sum(p.stat().st_size for p in gen.iterdir()) if gen else 0
        stats.update({"indexed": int(np.count_nonzero(cols.live)), "index_bytes": size,
                      "store_bytes": store_path(self.data_dir).stat().st_size})
        return stats


def _by_frequency(reader, field: str, prefix: str, limit: int = 2000) -> list[tuple[int, Any]]:
    """(document frequency, term) of the first ``limit`` terms starting with ``prefix``,
    most frequent first."""
    return sorted(((reader.doc_frequency(field, t), t)
                   for t in itertools.islice(reader.expand_prefix(field, prefix), limit)),
                  reverse=True)


def _filtered(cols: Columns, req: SearchRequest, docs: np.ndarray, skip: str | None = None
              ) -> np.ndarray:
    """``docs`` within the request's date range and facet filters (except ``skip``)."""
    if req.date_from or req.date_to:
        docs = docs & cols.date_range(_start(req.date_from), _end(req.date_to))
    for name, vals in req.filters.items():
        if name != skip and vals:
            docs = docs & cols.allowed(name, vals)
    return docs


def _word_count(parsed) -> int:
    return len(syllables(parsed.positive_text()))


def _start(d: date | None) -> int | None:
    return int(datetime.combine(d, dtime.min, VN_TZ).timestamp()) if d else None


def _end(d: date | None) -> int | None:
    return int(datetime.combine(d, dtime.max, VN_TZ).timestamp()) if d else None
