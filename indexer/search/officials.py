"""Officials as people, mixed into ``ArchiveSearcher``: find a person by name, one person's
record, and the most recent title shown beside each ``official`` facet value.

Nothing is precomputed.  The ``official`` facet indexes one person key per article
(``indexer.entities.people``), so who mentions a person, their provinces, programmes and
co-mentioned officials are exact facet counts over that person's documents.  Only the
titles timeline and the latest title read the articles' cached entities from the store.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from archive.textnorm import fold
from indexer.entities.people import article_people, key_name, slug
from indexer.search.facets import Columns
from indexer.search.request import SearchError, SearchRequest

__all__ = ["OfficialViews", "MAX_TIMELINE_ARTICLES", "person_timeline"]

# The titles timeline reads at most this many of a person's articles (newest first);
# every count on the page is exact whatever the number.
MAX_TIMELINE_ARTICLES = 2000


class OfficialViews:
    """Needs from the searcher: ``_lock``, ``_ensure()``, ``_store`` and ``search()``."""

    _label_cache: tuple[int, dict[str, str | None]] | None = None

    def _slugs(self, cols: Columns) -> dict[str, str]:
        cached = getattr(cols, "_official_slugs", None)
        if cached is None:
            cached = {slug(k): k for k in cols.values.get("official", {})}
            cols._official_slugs = cached  # type: ignore[attr-defined]
        return cached

    def find_officials(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        """Officials whose name holds every word of ``q``, with or without diacritics,
        most mentioned first."""
        words = fold(q).lower().split()
        if not words:
            raise SearchError("q is required")
        with self._lock:
            _, cols = self._ensure()
            index = cols.values.get("official", {})
            hits = [(k, len(d)) for k, d in index.items()
                    if all(w in fold(key_name(k)).lower().split() for w in words)]
            hits.sort(key=lambda kv: (-kv[1], kv[0]))
            out = [{"key": k, "name": key_name(k), "slug": slug(k), "articles": n}
                   for k, n in hits[:limit]]
            for o in out:
                o["title"] = self._latest_title(cols, o["key"])
        return out

    def official_labels(self, cols: Columns, entries: list[dict], *,
                        with_titles: bool = True) -> list[dict]:
        """Facet entries of ``official`` with the person's name, slug and latest title."""
        for e in entries:
            e.update(name=key_name(e["value"]), slug=slug(e["value"]),
                     title=self._latest_title(cols, e["value"]) if with_titles else None)
        return entries

    def _latest_title(self, cols: Columns, key: str) -> str | None:
        if self._label_cache is None or self._label_cache[0] != id(cols):
            self._label_cache = (id(cols), {})
        cache = self._label_cache[1]
        if key not in cache:
            docs = cols.values.get("official", {}).get(key)
            mask = np.zeros(cols.n, dtype=bool)
            if docs is not None:
                mask[docs] = True
            mask &= cols.live
            found = None
            for d in cols.by_date(mask, 5, newest=True) or np.flatnonzero(mask)[:5].tolist():
                row = self._store.get(int(cols.aid[d]))  # type: ignore[union-attr]
                ents = row.entities if row else {}
                mine = [p for p in article_people(ents) if p["key"] == key]
                if mine and mine[0].get("titles"):
                    found = mine[0]["titles"][0]
                    break
            cache[key] = found
        return cache[key]

    def official(self, person: str, q: str = "", page: int = 1,
                 per_page: int = 20) -> dict[str, Any] | None:
        """One person's record by slug (None when no article names them): titles over time,
        provinces, programmes, co-mentioned officials, and their articles matching ``q``."""
        with self._lock:
            _, cols = self._ensure()
            key = self._slugs(cols).get(person)
            if key is None:
                return None
            mask = np.zeros(cols.n, dtype=bool)
            mask[cols.values["official"][key]] = True
            mask &= cols.live
            total = int(mask.sum())
            provinces = cols.count("province", mask, 20)
            programs = cols.count("program", mask, 20)
            others = [o for o in cols.count("official", mask, 11) if o["value"] != key][:10]
            docs = cols.by_date(mask, MAX_TIMELINE_ARTICLES, newest=True)
            rows = self._store.get_many([int(cols.aid[d]) for d in docs])  # type: ignore
            first_last = _dates(cols, mask)
        timeline = person_timeline(key, rows.values())
        articles = self.search(SearchRequest(q=q, filters={"official": (key,)}, page=page,  # type: ignore[attr-defined]
                                             per_page=per_page, with_facets=False,
                                             sort="relevance" if q.strip() else "newest"))
        return {
            "key": key, "name": key_name(key), "slug": person,
            "title": timeline[-1]["title"] if timeline else None,
            "article_count": total, **first_last,
            "titles": timeline, "provinces": provinces, "programs": programs,
            "co_officials": [{**o, "name": key_name(o["value"]), "slug": slug(o["value"])}
                             for o in others],
            "articles": {"query": q, "total": articles["total"], "page": page,
                         "per_page": per_page, "results": articles["results"]},
        }


def _dates(cols: Columns, mask: np.ndarray) -> dict[str, str | None]:
    dated = cols.published[mask & (cols.published >= 0)]
    if not len(dated):
        return {"first": None, "last": None}
    from datetime import datetime, timezone
    fmt = lambda t: datetime.fromtimestamp(int(t), timezone.utc).date().isoformat()  # noqa: E731
    return {"first": fmt(dated.min()), "last": fmt(dated.max())}


def person_timeline(key: str, rows) -> list[dict[str, Any]]:
    """Each title the person is given, with the months of its first and last article,
    oldest first."""
    seen: dict[str, dict[str, Any]] = {}
    for row in rows:
        a = row.article
        month = f"{a.published.year:04d}-{a.published.month:02d}" if a.published else None
        for p in article_people(row.entities):
            if p["key"] != key:
                continue
            for t in p.get("titles", []):
                e = seen.setdefault(t, {"title": t, "first": month, "last": month,
                                        "articles": 0})
                e["articles"] += 1
                if month and (e["first"] is None or month < e["first"]):
                    e["first"] = month
                if month and (e["last"] is None or month > e["last"]):
                    e["last"] = month
    return sorted(seen.values(), key=lambda e: (e["last"] or "", e["first"] or ""))
