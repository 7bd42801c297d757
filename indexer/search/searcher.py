"""Search with facets over a live index generation.

Facet counts come from compact per-document columns built once per index reader (value →
set of docnums), not from Whoosh's generic grouping, and are disjunctive: each facet is
counted with every other facet's filter applied but not its own, so selecting "Long An"
still shows what "Tiền Giang" would give.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archive.store import Store
from indexer.analysis.analyzer import syllables
from indexer.search.facets import Columns
from indexer.search.evaluate import Evaluator, Unsupported
from indexer.generations import IndexMissing, current_path, open_current
from archive.datadir import DataDir
from indexer.search.query import QueryError, build, parse
from indexer.search.request import FACETS, SearchError, SearchRequest, day_end, day_start
from indexer.search.views import SearcherViews
from indexer.codec.sidecar import merged_stamp
from indexer.search.hits import hit_rows

__all__ = ["ArchiveSearcher"]

class ArchiveSearcher(SearcherViews):
    """Thread-safe search over ``<data-dir>``; follows reindex switches and ingest commits."""

    def __init__(self, data_dir: Path | str, *, refresh_interval: float = 0.5,
                 prefetch: bool = False) -> None:
        """``prefetch``: a long-running server asks the kernel to cache the postings
        sidecars as soon as it opens them (``indexer.codec.sidecar.Sidecar.prefetch``)."""
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
            self._store = Store(DataDir(self.data_dir).store, readonly=True)
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
            dates = cols.date_range(day_start(req.date_from), day_end(req.date_to)) \
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
        """Result rows for ranked docnums (``indexer.search.hits.hit_rows``)."""
        return hit_rows(self._store, [(int(cols.aid[d]), s) for d, s in page],  # type: ignore
                        terms, with_snippets, collapse)

def _filtered(cols: Columns, req: SearchRequest, docs: np.ndarray, skip: str | None = None
              ) -> np.ndarray:
    """``docs`` within the request's date range and facet filters (except ``skip``)."""
    if req.date_from or req.date_to:
        docs = docs & cols.date_range(day_start(req.date_from), day_end(req.date_to))
    for name, vals in req.filters.items():
        if name != skip and vals:
            docs = docs & cols.allowed(name, vals)
    return docs


def _word_count(parsed) -> int:
    return len(syllables(parsed.positive_text()))


