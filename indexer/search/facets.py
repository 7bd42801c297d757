"""Per-reader columns: docnum → article id / date / month, and facet value → docnums.

Built once each time the index reader changes (a commit or a reindex switch), then every
request filters and counts with array operations instead of iterating Whoosh postings.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3TermsReader

from archive.textnorm import fold
from indexer.analysis.analyzer import normalize
from indexer.schema import FACET_FIELDS
from indexer.codec.whoosh_blocks import segment_blocks
from indexer.search.timeline import local_days

__all__ = ["Columns", "norm_map", "resolve_value"]


def _key(value: str) -> str:
    return fold(normalize(value)).lower().replace("-", " ").replace("  ", " ").strip()


def norm_map(values: Iterable[str]) -> dict[str, str]:
    """Folded, lower-cased key → value, for ``resolve_value`` (the last of values that
    fold alike wins, in the order given)."""
    return {_key(v): v for v in values}


def resolve_value(facet: str, value: str, values, norm: dict[str, str]) -> str | None:
    """The facet value among ``values`` that user input means, in any case or diacritics
    ("long an"), a province also by its other names; None when there is none.  ``norm`` is
    ``norm_map(values)``.  Shared by both engines."""
    if value in values:
        return value
    hit = norm.get(_key(value))
    if hit is None and facet in ("province", "province_2025"):
        try:
            from indexer.entities.gazetteer import canonical_province, province_2025
            name = canonical_province(value)
            if name and facet == "province_2025":
                name = province_2025(name) or name
            hit = name if name in values else None
        except Exception:
            hit = None
    return hit


class Columns:
    """Document sets are boolean masks over the reader's docnums (``numpy``): filtering is
    an ``&`` and counting a facet one ``bincount`` over its (document, value) pairs."""

    def __init__(self, reader, folder: str | None = None) -> None:
        """``folder``: the index's (its statistics files; ``vocabulary``)."""
        self.reader, self.folder = reader, folder
        n = self.n = reader.doc_count_all()
        live = np.ones(n, dtype=bool)
        if reader.has_deletions():
            for d in range(n):
                if reader.is_deleted(d):
                    live[d] = False
        self.live = live
        self.any_deleted = not live.all()
        self.aid = np.array([int(v) if v else -1 for v in self._column("aid", n, "")],
                            dtype=np.int64)
        self.published = np.array([int(v) for v in self._column("published", n, -1)],
                                  dtype=np.int64)
        months = [v.decode() if isinstance(v, bytes) else (v or "")
                  for v in self._column("month", n, "")]
        self._month_names = sorted(set(months) - {""})
        index = {m: i for i, m in enumerate(self._month_names)}
        self._month = np.array([index.get(m, -1) for m in months], dtype=np.int32)
        docs = np.arange(n)
        pub = self.published
        dated = live & (pub >= 0)
        # newest first: later date, then higher docnum.  Undated articles come last in both
        # orders, among themselves by docnum (ingest order): latest stored first for
        # "newest", so the two orders differ on an undated archive too.
        self._newest = np.concatenate([docs[dated][np.lexsort((-docs[dated], -pub[dated]))],
                                       docs[live & ~dated][::-1]])
        self._oldest = np.concatenate([docs[dated][np.lexsort((docs[dated], pub[dated]))],
                                       docs[live & ~dated]])
        self._dated = dated
        self._day = local_days(pub)  # Vietnam's calendar day, for the timeline
        self.values: dict[str, dict[str, np.ndarray]] = {}
        self._names: dict[str, list[str]] = {}
        self._pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._norm: dict[str, dict[str, str]] = {}
        for name in FACET_FIELDS:
            values = {text: got[live[got]] for text, got in self._postings(name).items()}
            values = {text: got for text, got in values.items() if len(got)}
            names = sorted(values)  # a value's index is its rank: ties count by name
            self.values[name] = values
            self._names[name] = names
            self._pairs[name] = (
                np.concatenate([values[v] for v in names]) if names else np.zeros(0, np.int64),
                np.repeat(np.arange(len(names)), [len(values[v]) for v in names]))
            self._norm[name] = norm_map(values)
        self._vocab = None

    def _leaves(self) -> list[tuple[Any, int]]:
        """(segment reader, first docnum) per segment.  Reading segment by segment: asking
        the multi-segment reader for a term asks every segment whether it has it, which
        made opening a 100k-article index take seconds."""
        reader = self.reader
        return reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]

    def _postings(self, name: str) -> dict[str, np.ndarray]:
        """Each value of keyword field ``name`` → its documents (ascending docnums), values
        in the index's term order (``_norm`` keeps the last of values that fold alike)."""
        parts: dict[str, list[np.ndarray]] = {}
        for leaf, base in self._leaves():
            terms = getattr(leaf, "_terms", None)
            if type(terms) is W3TermsReader:  # term infos in order, blocks read directly
                for (field, term), info in terms.items_from(name, b""):
                    if field != name:
                        break
                    ids = [d for block in segment_blocks(leaf, info, base) for d in block[0]]
                    parts.setdefault(term.decode("utf-8"), []).append(
                        np.array(ids, dtype=np.int64))
                continue
            try:
                found = [term for term, _ in leaf.iter_field(name)]
            except Exception:  # a segment without the field
                continue
            for term in found:
                text = term.decode("utf-8") if isinstance(term, bytes) else term
                ids = np.fromiter(leaf.postings(name, term).all_ids(), dtype=np.int64)
                parts.setdefault(text, []).append(ids + base)
        return {text: got[0] if len(got) == 1 else np.concatenate(got)  # in term order
                for text, got in sorted(parts.items())}

    def _column(self, name: str, n: int, default) -> list:
        """The stored column ``name`` of every document (``default`` where a segment has
        none), read segment by segment."""
        out: list = []
        for leaf, _ in self._leaves():
            size = leaf.doc_count_all()
            if leaf.has_column(name):
                got = list(leaf.column_reader(name))
                out.extend(got[:size] + [default] * (size - len(got)))
            else:
                out.extend([default] * size)
        return out + [default] * (n - len(out))

    # -- filters --------------------------------------------------------------------------
    def resolve(self, facet: str, value: str) -> str | None:
        """Canonical facet value for user input in any case or diacritics ("long an")."""
        return resolve_value(facet, value, self.values.get(facet, {}), self._norm.get(facet, {}))

    def resolve_all(self, facet: str, values: Iterable[str]) -> list[str]:
        out = []
        for v in values:
            out.append(self.resolve(facet, v) or v)
        return out

    def allowed(self, facet: str, values: Iterable[str]) -> np.ndarray:
        """Docs having any of ``values`` (OR within one facet)."""
        out = np.zeros(self.n, dtype=bool)
        for v in values:
            hit = self.resolve(facet, v)
            if hit is not None:
                out[self.values[facet][hit]] = True
        return out

    def date_range(self, start: int | None, end: int | None) -> np.ndarray:
        out = self._dated.copy()
        if start is not None:
            out &= self.published >= start
        if end is not None:
            out &= self.published <= end
        return out

    # -- ordering and counting ------------------------------------------------------------
    def by_date(self, docs: np.ndarray, k: int, *, newest: bool) -> list[int]:
        order = self._newest if newest else self._oldest
        return order[docs[order]][:k].tolist()

    def count(self, facet: str, docs: np.ndarray, limit: int,
              selected: Iterable[str] = ()) -> list[dict]:
        names = self._names.get(facet, [])
        pair_docs, pair_values = self._pairs.get(facet, (None, None))
        counts = np.bincount(pair_values[docs[pair_docs]], minlength=len(names)) \
            if names else np.zeros(0, dtype=np.int64)
        found = np.flatnonzero(counts)
        if facet == "year":
            found = found[::-1]
        else:  # most first, then by name (a value's index is its rank by name)
            found = found[np.argsort(-counts[found], kind="stable")]
        selected = list(selected)
        top = [(names[i], int(counts[i])) for i in found[:limit].tolist()]
        shown = {v for v, _ in top}
        index = self.values.get(facet, {})
        for v in selected:  # a ticked value stays visible even when it counts zero
            if v not in shown:
                c = int(docs[index[v]].sum()) if v in index else 0
                top.append((v, c))
                shown.add(v)
        return [{"value": v, "count": c, "selected": v in selected} for v, c in top]

    def month_counts(self, docs: np.ndarray) -> list[tuple[str, int]]:
        codes = self._month[docs]
        counts = np.bincount(codes[codes >= 0], minlength=len(self._month_names))
        return [(self._month_names[i], int(counts[i])) for i in np.flatnonzero(counts)]

    def local_days(self, docs: np.ndarray) -> np.ndarray:
        """The local days (since 1970-01-01) of the dated documents among ``docs``."""
        return self._day[docs & self._dated]

    def vocabulary(self):
        if self._vocab is None:
            from indexer.search.suggest import Vocabulary
            self._vocab = Vocabulary(self.reader, self.folder)
        return self._vocab
