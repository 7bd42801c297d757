"""Reads beside the search itself, mixed into ``ArchiveSearcher``: did-you-mean,
completion, one article (with its near-duplicates), its versions and archived pages,
archive stats."""
from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from whoosh import query as Q

from archive.datadir import DataDir
from archive.store import Store, StoreError
from archive.textnorm import fold
from indexer.entities.people import article_people
from indexer.analysis.analyzer import normalize, syllables
from indexer.schema import PAIR_JOIN
from indexer.search.evaluate import Evaluator
from indexer.generations import IndexMissing, outdated
from indexer.search.facets import Columns
from indexer.search.hits import article_texts
from indexer.search.query import MAX_PREFIX_EXPANSION
from indexer.search.suggest import complete_from_texts, did_you_mean

__all__ = ["SearcherViews"]


class SearcherViews:
    """Needs from the searcher: ``_lock``, ``_ensure()``, ``_reading()``, ``_store``,
    ``_store_only()``, ``_scores()``, ``_gen``, ``_stamp`` and ``data_dir`` (see ``indexer.search.searcher.ArchiveSearcher``)."""

    _store: Store | None

    def _suggestion(self, searcher, parsed, total: int, cols: Columns,
                    scores: np.ndarray | None = None) -> str | None:
        """Did-you-mean (``suggest.did_you_mean``) over this index's vocabulary."""
        def best_texts(folded: list[str], corrected: bool) -> list[str]:
            if scores is not None and scores.any() and not corrected:
                # the query's own best articles (title boost, adjacency): words in context
                docnums = [d for d, _ in Evaluator.top(scores, 10)]
            else:
                q = Q.Phrase("fold", folded) if len(folded) > 1 else Q.Term("fold", folded[0])
                docnums = [d for d, _ in Evaluator.top(self._scores(q), 10)]
            if not docnums and len(folded) > 1:
                q = Q.And([Q.Term("fold", s) for s in folded])
                docnums = [d for d, _ in Evaluator.top(self._scores(q), 10)]
            return article_texts(self._store, [int(cols.aid[d]) for d in docnums])  # type: ignore

        return did_you_mean(parsed.positive_text(), total, cols.vocabulary(), best_texts)

    def generation(self) -> tuple:
        """What answers are computed from right now: the index generation folder, its
        Whoosh commit and the merged postings sidecar.  Any ingest or reindex that
        publishes changes it, so a cache of answers keyed by it never serves a stale one
        (within ``refresh_interval``, as the searcher itself)."""
        with self._reading():
            searcher, _ = self._ensure()
            return (self._gen.name, searcher.reader().generation(), self._stamp)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions of a partly typed query, diacritics restored from the archive."""
        folded = [fold(s) for s in syllables(normalize(prefix))][-6:]
        if not folded:
            return []
        with self._reading():
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
        with self._store_reading():
            row = self._store_only().get(article_id)
        if row is None:
            return None
        data = row.article.to_dict()
        ents = row.entities
        data.update({
            "id": row.id,
            "provinces": list(ents.get("provinces", [])),
            "provinces_2025": list(ents.get("provinces_2025", [])),
            "officials": [{"name": o["name"], "titles": list(o.get("titles", [])),
                           "organisation": o.get("organisation"), "key": o["key"],
                           "slug": o["slug"]} for o in article_people(ents)],
            "programs": list(ents.get("programs", [])),
            "duplicates": self._duplicates(row.id),
        })
        with self._lock:
            found = self._store.versions(article_id)  # type: ignore[union-attr]
        current = next((v for v in found if v.current), None)
        data.update({"version": current.n if current else 1, "version_count": len(found) or 1,
                     "last_seen": current.last_seen.isoformat() if current else None,
                     "warc_record_id": current.warc_record_id if current else None})
        return data

    def _duplicates(self, article_id: int) -> list[dict[str, Any]]:
        with self._store_reading():
            store = self._store_only()
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

    def raw_html(self, article_id: int, version: int | None = None) -> bytes | None:
        """The archived page of one version (default: the latest capture that has one)."""
        with self._store_reading():
            return self._store_only().raw_html(article_id, version)

    def versions(self, article_id: int) -> list[dict[str, Any]] | None:
        """Every stored version of an article, oldest capture first (None: no article)."""
        with self._store_reading():
            found = self._store_only().versions(article_id)
        return [v.to_dict() for v in found] or None

    def version(self, article_id: int, n: int) -> dict[str, Any] | None:
        with self._store_reading():
            found = self._store_only().version(article_id, n)
        return found.to_dict() if found else None

    @contextmanager
    def _store_reading(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"cannot read the archive in {self.data_dir}: {exc}") from exc

    def stats(self) -> dict[str, Any]:
        """Store figures always; index figures, or why there are none (``index_error``)."""
        with self._store_reading():
            stats = self._store_only().stats()
        stats["store_bytes"] = DataDir(self.data_dir).store.stat().st_size
        try:
            with self._reading():
                searcher, cols = self._ensure()
                indexed, gen = int(np.count_nonzero(cols.live)), self._gen
        except IndexMissing as exc:
            stats.update({"indexed": None, "index_bytes": None, "index_error": str(exc)})
            return stats
        size = sum(p.stat().st_size for p in gen.iterdir()) if gen else 0
        stats.update({"indexed": indexed, "index_bytes": size,
                      "index_outdated": outdated(self.data_dir)})
        return stats


def _by_frequency(reader, field: str, prefix: str, limit: int = 2000) -> list[tuple[int, Any]]:
    """(document frequency, term) of the first ``limit`` terms starting with ``prefix``,
    most frequent first."""
    return sorted(((reader.doc_frequency(field, t), t)
                   for t in itertools.islice(reader.expand_prefix(field, prefix), limit)),
                  reverse=True)
