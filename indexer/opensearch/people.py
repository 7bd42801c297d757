"""Officials as people on OpenSearch, mixed into ``OpenSearchEngine`` (entry point:
``PeopleViews``): the same answers as ``indexer.search.officials`` with the person's
documents found by the ``official`` keyword (one person key per article) and counted by
aggregations; titles are read from the store's cached entities, as there."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from archive.textnorm import fold
from indexer.entities.people import article_people, key_name, slug
from indexer.search import SearchError, SearchRequest
from indexer.search.officials import person_timeline

__all__ = ["PeopleViews", "MAX_TIMELINE_ARTICLES"]

MAX_TIMELINE_ARTICLES = 2000  # as indexer.search.officials


class PeopleViews:
    """Needs from the engine: ``_current()``, ``_search()``, ``_lock``, ``store`` and
    ``search()``."""

    def _latest_titles(self, keys: list[str]) -> dict[str, str | None]:
        """The title the newest of each person's articles gives them (five looked at)."""
        if not keys:
            return {}
        aggs = {str(i): {"filter": {"term": {"official": k}},
                         "aggs": {"top": {"top_hits": {"size": 5, "_source": False,
                                                       "sort": [{"published": {"order": "desc", "missing": "_last"}},
                                                                {"id": "desc"}]}}}}
                for i, k in enumerate(keys)}
        res = self._search({"size": 0, "aggs": aggs})  # type: ignore[attr-defined]
        out: dict[str, str | None] = {}
        with self._lock:  # type: ignore[attr-defined]
            for i, k in enumerate(keys):
                ids = [int(h["_id"]) for h in res["aggregations"][str(i)]["top"]["hits"]["hits"]]
                rows = self.store.get_many(ids)  # type: ignore[attr-defined]
                out[k] = None
                for aid in ids:
                    row = rows.get(aid)
                    ents = row.entities if row else {}
                    mine = [p for p in article_people(ents) if p["key"] == k]
                    if mine and mine[0].get("titles"):
                        out[k] = mine[0]["titles"][0]
                        break
        return out

    def official_labels(self, entries: list[dict], *, with_titles: bool = True) -> list[dict]:
        """Facet entries of ``official`` with the person's name, slug and latest title."""
        titles = self._latest_titles([e["value"] for e in entries]) if with_titles else {}
        for e in entries:
            e.update(name=key_name(e["value"]), slug=slug(e["value"]),
                     title=titles.get(e["value"]))
        return entries

    def find_officials(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        words = fold(q).lower().split()
        if not words:
            raise SearchError("q is required")
        counts = self._current()[0]["official"][0]  # type: ignore[attr-defined]
        hits = [(k, n) for k, n in counts.items()
                if all(w in fold(key_name(k)).lower().split() for w in words)]
        hits.sort(key=lambda kv: (-kv[1], kv[0]))
        out = [{"key": k, "name": key_name(k), "slug": slug(k), "articles": n}
               for k, n in hits[:limit]]
        titles = self._latest_titles([o["key"] for o in out])
        for o in out:
            o["title"] = titles.get(o["key"])
        return out

    def official(self, person: str, q: str = "", page: int = 1,
                 per_page: int = 20) -> dict[str, Any] | None:
        counts = self._current()[0]["official"][0]  # type: ignore[attr-defined]
        key = next((k for k in counts if slug(k) == person), None)
        if key is None:
            return None
        terms = lambda f, n: {"terms": {"field": f, "size": n,  # noqa: E731
                                        "order": [{"_count": "desc"}, {"_key": "asc"}]}}
        res = self._search({  # type: ignore[attr-defined]
            "size": MAX_TIMELINE_ARTICLES, "_source": False, "track_total_hits": True,
            "query": {"term": {"official": key}},
            "sort": [{"published": {"order": "desc", "missing": "_last"}}, {"id": "desc"}],
            "aggs": {"province": terms("province", 20), "program": terms("program", 20),
                     "official": terms("official", 11),
                     "first": {"min": {"field": "published"}},
                     "last": {"max": {"field": "published"}}}})
        aggs = res["aggregations"]
        facet = lambda f: [{"value": b["key"], "count": int(b["doc_count"]),  # noqa: E731
                            "selected": False} for b in aggs[f]["buckets"]]
        with self._lock:  # type: ignore[attr-defined]
            rows = self.store.get_many([int(h["_id"]) for h in res["hits"]["hits"]])  # type: ignore
        timeline = person_timeline(key, rows.values())
        articles = self.search(SearchRequest(  # type: ignore[attr-defined]
            q=q, filters={"official": (key,)}, page=page, per_page=per_page,
            with_facets=False, sort="relevance" if q.strip() else "newest"))
        day = lambda a: None if a.get("value") is None else datetime.fromtimestamp(  # noqa: E731
            int(a["value"] / 1000), timezone.utc).date().isoformat()
        others = [o for o in facet("official") if o["value"] != key][:10]
        return {
            "key": key, "name": key_name(key), "slug": person,
            "title": timeline[-1]["title"] if timeline else None,
            "article_count": int(res["hits"]["total"]["value"]),
            "first": day(aggs["first"]), "last": day(aggs["last"]),
            "titles": timeline, "provinces": facet("province"), "programs": facet("program"),
            "co_officials": [{**o, "name": key_name(o["value"]), "slug": slug(o["value"])}
                             for o in others],
            "articles": {"query": q, "total": articles["total"], "page": page,
                         "per_page": per_page, "results": articles["results"]},
        }
