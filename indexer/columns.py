"""Per-reader columns: docnum → article id / date / month, and facet value → docnums.

Built once each time the index reader changes (a commit or a reindex switch), then every
request filters and counts with set operations in C instead of iterating Whoosh postings.
"""
from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Iterable
from itertools import chain

from archive.textnorm import fold
from indexer.analysis import normalize
from indexer.index import FACET_FIELDS

__all__ = ["Columns"]


def _key(value: str) -> str:
    return fold(normalize(value)).lower().replace("-", " ").replace("  ", " ").strip()


class Columns:
    def __init__(self, reader) -> None:
        self.reader = reader
        n = reader.doc_count_all()
        deleted = reader.has_deletions()
        self.live: set[int] = {d for d in range(n) if not (deleted and reader.is_deleted(d))}
        self.aid: list[int] = [int(v) if v else -1 for v in self._column("aid", n, "")]
        self.published: list[int] = [int(v) for v in self._column("published", n, -1)]
        self.month: list[str] = [v.decode() if isinstance(v, bytes) else (v or "")
                                 for v in self._column("month", n, "")]
        dated = sorted((p, d) for d, p in enumerate(self.published) if d in self.live and p >= 0)
        self._dates = [p for p, _ in dated]
        self._date_docs = [d for _, d in dated]
        undated = [d for d in self.live if self.published[d] < 0]
        self._newest_order = [d for _, d in reversed(dated)] + undated
        self._oldest_order = [d for _, d in dated] + undated
        self.values: dict[str, dict[str, set[int]]] = {}
        self._norm: dict[str, dict[str, str]] = {}
        for name in FACET_FIELDS:
            values: dict[str, set[int]] = {}
            try:
                terms = list(reader.lexicon(name))
            except Exception:
                terms = []
            for term in terms:
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                docs = set(reader.postings(name, term).all_ids())
                if deleted:
                    docs &= self.live
                if docs:
                    values[text] = docs
            self.values[name] = values
            self._norm[name] = {_key(v): v for v in values}
        self._vocab = None
        self._postings_total: dict[str, int] = {}

    def _column(self, name: str, n: int, default):
        if self.reader.has_column(name):
            col = self.reader.column_reader(name)
            return [col[d] for d in range(n)]
        return [default] * n

    # -- filters --------------------------------------------------------------------------
    def resolve(self, facet: str, value: str) -> str | None:
        """Canonical facet value for user input in any case or diacritics ("long an")."""
        if value in self.values.get(facet, {}):
            return value
        hit = self._norm.get(facet, {}).get(_key(value))
        if hit is None and facet in ("province", "province_2025"):
            try:
                from indexer.entities import canonical_province, province_2025
                name = canonical_province(value)
                if name and facet == "province_2025":
                    name = province_2025(name) or name
                hit = name if name in self.values.get(facet, {}) else None
            except Exception:
                hit = None
        return hit

    def resolve_all(self, facet: str, values: Iterable[str]) -> list[str]:
        out = []
        for v in values:
            out.append(self.resolve(facet, v) or v)
        return out

    def allowed(self, facet: str, values: Iterable[str]) -> set[int]:
        """Docs having any of ``values`` (OR within one facet)."""
        docs: set[int] = set()
        for v in values:
            hit = self.resolve(facet, v)
            if hit is not None:
                docs |= self.values[facet][hit]
        return docs

    def date_range(self, start: int | None, end: int | None) -> set[int]:
        lo = 0 if start is None else bisect.bisect_left(self._dates, start)
        hi = len(self._dates) if end is None else bisect.bisect_right(self._dates, end)
        return set(self._date_docs[lo:hi])

    # -- ordering and counting ------------------------------------------------------------
    def by_date(self, docs: set[int], k: int, *, newest: bool) -> list[int]:
        if len(docs) * 8 < len(self.live):  # few docs: a heap beats walking the date order
            pub = self.published
            if newest:  # undated docs are -1, so they come last
                return heapq.nlargest(k, docs, key=pub.__getitem__)
            return heapq.nsmallest(k, docs, key=lambda d: (pub[d] < 0, pub[d]))
        order = self._newest_order if newest else self._oldest_order
        out = []
        for d in order:
            if d in docs:
                out.append(d)
                if len(out) >= k:
                    break
        return out

    def count(self, facet: str, docs: set[int], limit: int,
              selected: Iterable[str] = ()) -> list[dict]:
        values = self.values.get(facet, {})
        # Counting document by document costs ~len(docs); value by value, a Python step per
        # value plus C set intersections (each the smaller side, about twice as cheap).
        total = self._postings_total.get(facet)
        if total is None:
            total = self._postings_total[facet] = sum(len(s) for s in values.values())
        if len(docs) < 4 * len(values) + min(total, len(values) * len(docs)) // 2:
            counts = self._count_by_docs(facet, docs)
        else:
            counts = Counter({v: len(s & docs) if len(s) < len(docs) else len(docs & s)
                              for v, s in values.items()})
        selected = list(selected)
        ranked = [(v, c) for v, c in counts.items() if c > 0]
        if facet == "year":
            ranked.sort(key=lambda vc: vc[0], reverse=True)
        else:
            ranked.sort(key=lambda vc: (-vc[1], vc[0]))
        top = ranked[:limit]
        shown = {v for v, _ in top}
        for v in selected:  # a ticked value stays visible even when it counts zero
            if v not in shown:
                top.append((v, counts.get(v, 0)))
                shown.add(v)
        return [{"value": v, "count": c, "selected": v in selected} for v, c in top]

    def _count_by_docs(self, facet: str, docs: set[int]) -> Counter:
        # one C-level pass: each document's values, chained and counted
        return Counter(chain.from_iterable(map(self._per_doc(facet).__getitem__, docs)))

    def _per_doc(self, facet: str) -> list[tuple[str, ...]]:
        """docnum → the document's values of ``facet`` (built on first use)."""
        cache = self.__dict__.setdefault("_per_doc_cache", {})
        if facet not in cache:
            per: list[tuple[str, ...]] = [()] * len(self.aid)
            for v, docs in self.values.get(facet, {}).items():
                for d in docs:
                    per[d] += (v,)
            cache[facet] = per
        return cache[facet]

    def month_counts(self, docs: set[int]) -> list[tuple[str, int]]:
        counts = Counter(map(self.month.__getitem__, docs))
        counts.pop("", None)
        return sorted(counts.items())

    def vocabulary(self):
        if self._vocab is None:
            from indexer.suggest import Vocabulary
            self._vocab = Vocabulary(self.reader)
        return self._vocab
