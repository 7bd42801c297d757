"""Search with facets over a live index generation.

Facet counts come from compact per-document columns built once per index reader (value →
set of docnums), not from Whoosh's generic grouping, and are disjunctive: each facet is
counted with every other facet's filter applied but not its own, so selecting "Long An"
still shows what "Tiền Giang" would give.
"""
from __future__ import annotations

import pickle
import sqlite3
import struct
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from archive.store import Store, StoreError
from indexer.analysis.analyzer import syllables
from indexer.search.facets import Columns
from indexer.search.evaluate import Evaluator, Unsupported
from indexer.generations import DAMAGE_ERRORS, IndexDamaged, IndexMissing, current_path, open_current
from archive.datadir import DataDir
from indexer.search.query import QueryError, build, parse, relaxations
from indexer.search.request import FACETS, SearchError, SearchRequest, day_end, day_start
from indexer.search.views import SearcherViews
from indexer.search.officials import OfficialViews
from indexer.codec.sidecar import merged_stamp
from indexer.search.hits import hit_rows
from indexer.search.timeline import timeline_of

__all__ = ["ArchiveSearcher"]

class ArchiveSearcher(SearcherViews, OfficialViews):
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
        self._store_only()  # first: a searcher is of no use without the store
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
            self._columns = Columns(self._searcher.reader(), str(gen))
            self._new_evaluator()
            if old is not None:
                old.close()
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
            self._columns = Columns(self._searcher.reader(), str(gen))
            self._new_evaluator()
        elif stamp != self._stamp:  # an ingest merged the postings sidecars
            self._new_evaluator()
        self._stamp = stamp
        return self._searcher, self._columns  # type: ignore[return-value]

    def _new_evaluator(self) -> None:
        if self._eval is not None:
            self._eval.close()
        live = self._columns.live if self._columns is not None else None
        self._eval = Evaluator(self._searcher, prefetch=self.prefetch, live=live)

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Hold the lock; a damaged index or store becomes ``IndexDamaged`` / ``StoreError``
        (HTTP 503 with the repair), and the next call opens the files afresh."""
        with self._lock:
            try:
                yield
            except (SearchError, IndexMissing, StoreError):
                raise
            except sqlite3.DatabaseError as exc:
                self._forget()
                raise StoreError(f"cannot read the archive in {self.data_dir}: {exc}") from exc
            except DAMAGE_ERRORS as exc:
                if not self._is_damage(exc):
                    raise  # our bug, not the files': let it be logged as one
                self._forget()
                raise IndexDamaged(self.data_dir, exc) from exc

    def _is_damage(self, exc: BaseException) -> bool:
        if isinstance(exc, (EOFError, OSError, struct.error, zlib.error, pickle.UnpicklingError)):
            return True
        try:
            open_current(self.data_dir, whole=True)
        except IndexMissing:
            return True
        return False

    def _forget(self) -> None:
        if self._eval is not None:
            self._eval.close()
        self._ix = self._searcher = self._columns = self._eval = self._gen = None

    def _store_only(self) -> Store:
        """The store, for reads that need no index (an article page while the index is
        damaged or missing)."""
        if self._store is None:
            path = DataDir(self.data_dir).store
            if not path.exists():  # nothing ingested yet: the same answer as no index
                raise IndexMissing(f"no archive in {self.data_dir}: run `vnarchive ingest` first")
            self._store = Store(path, readonly=True)
        return self._store

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

    def snapshot(self) -> tuple[Any, Columns]:
        """The live Whoosh searcher and facet columns, for tools and tests that read the
        index directly; valid until a later call follows a newer generation or commit."""
        with self._lock:
            return self._ensure()

    @property
    def evaluator(self) -> Evaluator:
        """The evaluator over the live index (its ``terms`` say where postings come from)."""
        with self._lock:
            self._ensure()
            return self._eval  # type: ignore[return-value]

    # -- search -------------------------------------------------------------------------
    def search(self, req: SearchRequest) -> dict[str, Any]:
        req.validate()
        started = time.perf_counter()
        with self._reading():
            searcher, cols = self._ensure()
            parsed, wq, scores, matched, fallback = self._text_matches(searcher, cols, req.q)
            matched = _without(cols, req, matched)
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
                use_filter = final if (dates is not None or allowed or req.exclude) else None
                ranked = Evaluator.top(scores, k, use_filter)
            else:
                ranked = [(d, None) for d in cols.by_date(final, k, newest=sort == "newest")]
            page = ranked[(req.page - 1) * req.per_page:k]
            terms = set(syllables(parsed.positive_text()))
            results = self._hits(cols, page, terms, req.with_snippets)
            facets, suggestion, months, timeline = {}, None, [], None
            if req.with_facets:
                facets = self._facets(cols, req, matched, dates, allowed)
                suggestion = self._suggestion(searcher, parsed, total, cols, scores)
                months = cols.month_counts(final)
                timeline = timeline_of(cols.local_days(final), total, req.date_from,
                                       req.date_to, req.interval)
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
            "timeline": timeline,
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
        self.official_labels(cols, out["official"])   # the person, with their latest title
        return out

    def export(self, req: SearchRequest, cap: int) -> list[dict]:
        """Up to ``cap`` matching results in the request's order, without snippets."""
        return [row for chunk in self.export_chunks(req, cap) for row in chunk]

    def export_chunks(self, req: SearchRequest, cap: int | None = None, *,
                      snippets: bool = False, chunk: int = 500) -> Iterator[list[dict]]:
        """Every match (up to ``cap``; None: all) in the request's order, as lists of rows
        that also hold ``sapo``, ``authors`` and (with ``snippets``) the snippet — for
        CSV/JSON export.  The ranking is taken at once; rows are read chunk by chunk."""
        req.validate()
        with self._lock:
            searcher, cols = self._ensure()
            parsed, wq, scores, matched, _ = self._text_matches(searcher, cols, req.q)
            matched = _filtered(cols, req, matched)
            limit = int(np.count_nonzero(matched)) if cap is None else cap
            sort = req.sort if wq is not None or req.sort != "relevance" else "newest"
            if sort == "relevance":
                ranked = Evaluator.top(scores, limit, matched)
            else:
                ranked = [(d, None) for d in cols.by_date(matched, limit, newest=sort == "newest")]
            terms = set(syllables(parsed.positive_text())) if snippets else set()
        for start in range(0, len(ranked), chunk):
            with self._lock:
                yield self._hits(cols, ranked[start:start + chunk], terms,
                                 with_snippets=snippets, collapse=False, full=True)

    def match_ids(self, req: SearchRequest) -> np.ndarray:
        """Article ids of every match of the request, unordered: the set ``total`` counts
        and the exports list (for tools that compare match sets; no store reads)."""
        req.validate()
        with self._lock:
            searcher, cols = self._ensure()
            matched = _filtered(cols, req, self._text_matches(searcher, cols, req.q)[3])
            return np.asarray(cols.aid)[np.flatnonzero(matched & cols.live)]

    def facet_values(self, name: str, req: SearchRequest, limit: int = 500) -> list[dict]:
        """Every value of one facet for the request (the "xem thêm" list)."""
        if name not in FACETS:
            raise SearchError(f"unknown facet {name!r}", "not_found")
        req.validate()
        with self._reading():
            searcher, cols = self._ensure()
            matched = self._text_matches(searcher, cols, req.q)[3]
            matched = _filtered(cols, req, matched, skip=name)
            selected = cols.resolve_all(name, req.filters.get(name, ()))
            out = cols.count(name, matched, limit, selected)
            if name == "official":   # names and slugs; titles only on the short list
                self.official_labels(cols, out, with_titles=False)
            return out

    def _text_matches(self, searcher, cols: Columns, q: str):
        """(parsed, query, scores, matched docnums, fallback) for the text of a request.
        The match is strict; when no article matches, the announced relaxations are tried
        in order (``query.RELAXATIONS``) and ``fallback`` names the one used (else None).
        Filters do not take part: the set is the text's, so facets stay comparable."""
        try:
            parsed = parse(q)
        except QueryError as exc:
            raise SearchError(str(exc), "bad_query") from None
        reader, vocab = searcher.reader(), cols.vocabulary()
        pairs = self._eval.adjacent_docs  # type: ignore[union-attr]
        stats = self._eval.terms  # type: ignore[union-attr]
        heads = self._eval.headline_docs  # type: ignore[union-attr]
        wq = build(parsed, reader, vocab, adjacent_docs=pairs, stats=stats, headline_docs=heads)
        if wq is None:
            return parsed, None, None, cols.live, None
        scores = self._scores(wq)
        matched = scores > 0
        if matched.any() or not parsed.groups:
            return parsed, wq, scores, matched, None
        for reason, relax in relaxations(parsed):
            wq_r = build(parsed, reader, vocab, relax=relax, adjacent_docs=pairs, stats=stats,
                         headline_docs=heads)
            if wq_r is None:
                continue
            scores_r = self._scores(wq_r)
            matched_r = scores_r > 0
            if matched_r.any():
                return parsed, wq_r, scores_r, matched_r, reason
        return parsed, wq, scores, matched, None

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
              with_snippets: bool, collapse: bool = True, full: bool = False) -> list[dict]:
        """Result rows for ranked docnums (``indexer.search.hits.hit_rows``)."""
        return hit_rows(self._store, [(int(cols.aid[d]), s) for d, s in page],  # type: ignore
                        terms, with_snippets, collapse, full)


def _filtered(cols: Columns, req: SearchRequest, docs: np.ndarray, skip: str | None = None
              ) -> np.ndarray:
    """``docs`` within the request's date range and facet filters (except ``skip``)."""
    docs = _without(cols, req, docs)
    if req.date_from or req.date_to:
        docs = docs & cols.date_range(day_start(req.date_from), day_end(req.date_to))
    for name, vals in req.filters.items():
        if name != skip and vals:
            docs = docs & cols.allowed(name, vals)
    return docs


def _without(cols: Columns, req: SearchRequest, docs: np.ndarray) -> np.ndarray:
    """``docs`` less the articles having an excluded facet value."""
    for name, vals in req.exclude.items():
        if vals:
            docs = docs & ~cols.allowed(name, vals)
    return docs


