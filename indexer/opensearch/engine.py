"""``SearchEngine`` over an OpenSearch cluster (entry point: ``OpenSearchEngine``).

The query is ours: ``indexer.search.build`` makes the same query tree as the embedded
engine (segmented with the cluster's statistics, ``indexer.opensearch.stats``), tried
strict first and then through the same announced relaxations, and
``indexer.opensearch.translate`` turns it into DSL.  The ranking and counting are theirs:
one ``_search`` per request answers the hits (``post_filter``: every facet filter), each
facet's disjunctive counts (a ``filter`` aggregation with the *other* facets' filters around
a ``terms`` aggregation) and the months (a ``terms`` aggregation on ``month``, as the
embedded column).  Rows, snippets, articles and versions come from the local store, as in
the embedded engine.  Facet counts are exact with one primary shard (the default in
``index.json``); with more, while no shard holds more than ``SHARD_SIZE`` values of a facet.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from archive.datadir import DataDir
from archive.textnorm import fold
from indexer.analysis.analyzer import normalize, syllables
from indexer.search import (FACETS, QueryError, SearcherViews, SearchError, SearchRequest,
                            article_texts, build, complete_from_texts, day_end, day_start,
                            did_you_mean, hit_rows, norm_map, parse, relaxations,
                            resolve_value)
from indexer.opensearch.mapping import ALIAS, EngineUnavailable, connect
from indexer.opensearch.people import PeopleViews
from indexer.opensearch.stats import ClusterStats
from indexer.opensearch.translate import MATCH_ALL, to_dsl

__all__ = ["OpenSearchEngine", "SHARD_SIZE"]

SHARD_SIZE = 10_000
_SORTS = {
    "relevance": [{"_score": "desc"}, {"id": "asc"}],
    "newest": [{"published": {"order": "desc", "missing": "_last"}}, {"id": "desc"}],
    "oldest": [{"published": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
}
_PIT_PAGE = 1000


class OpenSearchEngine(PeopleViews):
    """Search over the index behind ``alias`` on the cluster at ``url`` (comma-separated
    node urls fail over), with rows read from the store in ``data_dir``."""

    # store reads are the embedded engine's own: one article, its versions, its pages
    article = SearcherViews.article
    _duplicates = SearcherViews._duplicates
    raw_html = SearcherViews.raw_html
    versions = SearcherViews.versions
    version = SearcherViews.version
    _store_reading = SearcherViews._store_reading

    def __init__(self, data_dir: Path | str, url: str, *, alias: str = ALIAS, client=None,
                 values_ttl: float = 5.0, **_ignored) -> None:
        self.data_dir = Path(data_dir)
        self.alias = alias
        self.client = client or connect(url)
        self.values_ttl = values_ttl
        self._lock = threading.RLock()
        self._store = None
        self._state: tuple[float, dict[str, tuple[dict[str, int], dict[str, str]]],
                           ClusterStats] | None = None

    # -- plumbing -------------------------------------------------------------------------
    def _store_only(self):
        from archive.store import Store
        with self._lock:
            if self._store is None:
                path = DataDir(self.data_dir).store
                if not path.exists():
                    raise EngineUnavailable(f"no archive in {self.data_dir}: run "
                                            "`vnarchive ingest` first")
                self._store = Store(path, readonly=True)
            return self._store

    @property
    def store(self):
        return self._store_only()

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
        self.client.close()

    def _call(self, fn, **kwargs) -> dict[str, Any]:
        from opensearchpy.exceptions import ConnectionError as OsConnectionError
        from opensearchpy.exceptions import NotFoundError, TransportError
        try:
            return fn(**kwargs)
        except NotFoundError:
            raise EngineUnavailable(f"no index {self.alias!r} on the OpenSearch cluster: "
                                    "run `vnarchive reindex --engine opensearch`") from None
        except OsConnectionError as exc:
            raise EngineUnavailable(f"OpenSearch unreachable: {exc.info or exc}") from None
        except TransportError as exc:
            if exc.status_code == 400:
                raise SearchError(f"the search engine refused the query: {exc.error}",
                                  "bad_query") from None
            raise EngineUnavailable(f"OpenSearch error {exc.status_code}: {exc.error}") \
                from None

    def _search(self, body: dict[str, Any]) -> dict[str, Any]:
        """One search.  An answer missing shards (a node just died) would count wrong: it
        is asked again, then refused, never returned."""
        for attempt in range(4):
            res = self._call(self.client.search, index=self.alias, body=body)
            if not res.get("_shards", {}).get("failed"):
                return res
            time.sleep(0.25 * (attempt + 1))
        raise EngineUnavailable("OpenSearch answered without some shards; try again")

    def _count(self, query: dict[str, Any]) -> int:
        return int(self._call(self.client.count, index=self.alias,
                              body={"query": query})["count"])

    def _current(self):
        """(facet values with counts and their folded keys, statistics), renewed every
        ``values_ttl`` seconds: what the embedded engine reads from its live reader."""
        with self._lock:
            got = self._state
            if got is not None and time.monotonic() - got[0] < self.values_ttl:
                return got[1], got[2]
            aggs = {f: {"terms": {"field": f, "size": 65_000}} for f in FACETS}
            res = self._search({"size": 0, "aggs": aggs})
            values = {}
            for f in FACETS:
                counts = {b["key"]: int(b["doc_count"])
                          for b in res["aggregations"][f]["buckets"]}
                values[f] = (counts, norm_map(sorted(counts)))
            self._state = (time.monotonic(), values,
                           ClusterStats(self.client, self.alias, self._call))
            return values, self._state[2]

    # -- filters --------------------------------------------------------------------------
    def _resolved(self, name: str, vals) -> list[str]:
        counts, norm = self._current()[0][name]
        # a value not resolved is asked as typed: it matches what it exactly names
        return [resolve_value(name, v, counts, norm) or v for v in vals]

    def _filters(self, req: SearchRequest) -> dict[str, dict[str, Any]]:
        """One filter per requested facet: any of its values (OR)."""
        return {name: {"terms": {name: sorted(set(self._resolved(name, vals)))}}
                for name, vals in req.filters.items() if vals}

    def _base(self, text: dict | None, req: SearchRequest, filters: list[dict]) -> dict:
        """The text query with the date range, the exclusions and ``filters``."""
        flt = list(filters)
        if req.date_from or req.date_to:
            rng: dict[str, Any] = {"format": "epoch_second"}
            if req.date_from:
                rng["gte"] = day_start(req.date_from)
            if req.date_to:
                rng["lte"] = day_end(req.date_to)
            flt.append({"range": {"published": rng}})
        nots = [{"terms": {n: sorted(set(self._resolved(n, v)))}}
                for n, v in req.exclude.items() if v]
        if not flt and not nots:
            return text if text is not None else MATCH_ALL
        body: dict[str, Any] = {"must": [text if text is not None else MATCH_ALL]}
        if flt:
            body["filter"] = flt
        if nots:
            body["must_not"] = nots
        return {"bool": body}

    # -- the text -------------------------------------------------------------------------
    def _text(self, q: str):
        """(parsed, DSL or None for browse, fallback reason): strict first, then the
        announced relaxations in order, as ``ArchiveSearcher._text_matches``."""
        try:
            parsed = parse(q)
        except QueryError as exc:
            raise SearchError(str(exc), "bad_query") from None
        stats = self._current()[1]
        stats.prefetch(" ".join([parsed.positive_text()] + [c.text for c in parsed.negated]))
        evidence = {"adjacent_docs": stats.adjacent_docs, "headline_docs": stats.headline_docs}
        wq = build(parsed, stats, stats, **evidence)
        if wq is None:
            return parsed, None, None
        text = to_dsl(wq, self._count)
        if not parsed.groups or self._count(text) > 0:
            return parsed, text, None
        for reason, relax in relaxations(parsed):
            wq_r = build(parsed, stats, stats, relax=relax, **evidence)
            if wq_r is None:
                continue
            text_r = to_dsl(wq_r, self._count)
            if self._count(text_r) > 0:
                return parsed, text_r, reason
        return parsed, text, None

    # -- the engine -----------------------------------------------------------------------
    def search(self, req: SearchRequest) -> dict[str, Any]:
        req.validate()
        started = time.perf_counter()
        parsed, text, fallback = self._text(req.q)
        res = self._search(self._search_body(req, text))
        total = int(res["hits"]["total"]["value"])
        ranked = [(int(h["_id"]), h.get("_score") if req.sort == "relevance" and text
                   is not None else None) for h in res["hits"]["hits"]]
        terms = set(syllables(parsed.positive_text()))
        with self._lock:
            results = hit_rows(self.store, ranked, terms, req.with_snippets)
        facets: dict[str, list] = {}
        months: list[dict] = []
        suggestion = None
        if req.with_facets:
            suggestion = self._suggestion(parsed, total, text, req, res)
            aggs = res["aggregations"]
            facets = {n: self._counts(n, aggs[f"f_{n}"], self._resolved(
                n, req.filters.get(n, ()))) for n in FACETS}
            self.official_labels(facets["official"])
            months = [{"month": b["key"], "count": int(b["doc_count"])}
                      for b in aggs["months"]["m"]["buckets"]]
        return {
            "query": req.q, "total": total, "page": req.page,
            "per_page": req.per_page, "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "fallback": fallback,
            "suggestion": suggestion,
            "results": results, "facets": facets, "months": months,
        }

    def _suggestion(self, parsed, total: int, text: dict | None, req: SearchRequest,
                    res: dict[str, Any]) -> str | None:
        """Did-you-mean (``indexer.search.did_you_mean``) with the cluster's vocabulary and
        the texts of its best articles, as the embedded engine reads its own."""
        def top(query: dict) -> list[int]:
            got = self._search({"query": query, "size": 10, "_source": False,
                                "sort": _SORTS["relevance"], "track_total_hits": False})
            return [int(h["_id"]) for h in got["hits"]["hits"]]

        def best_texts(folded: list[str], corrected: bool) -> list[str]:
            ids: list[int] = []
            if text is not None and not corrected:  # the query's own best articles
                plain = (req.sort == "relevance" and req.page == 1 and req.per_page >= 10
                         and not req.filters and not req.exclude
                         and not (req.date_from or req.date_to))
                ids = [int(h["_id"]) for h in res["hits"]["hits"][:10]] if plain else top(text)
            if not ids:
                ids = top({"match_phrase": {"fold": {"query": " ".join(folded), "slop": 0}}})
            if not ids and len(folded) > 1:
                ids = top({"bool": {"must": [{"term": {"fold": f}} for f in folded]}})
            with self._lock:
                return article_texts(self.store, ids)

        return did_you_mean(parsed.positive_text(), total, self._current()[1], best_texts)

    @staticmethod
    def _terms(name: str, limit: int, selected: list[str]) -> dict[str, Any]:
        order = {"_key": "desc"} if name == "year" else [{"_count": "desc"}, {"_key": "asc"}]
        aggs: dict[str, Any] = {"top": {"terms": {"field": name, "size": limit,
                                                  "shard_size": max(SHARD_SIZE, limit),
                                                  "order": order}}}
        if selected:  # a ticked value stays visible even when it counts zero
            aggs["sel"] = {"terms": {"field": name, "include": selected,
                                     "size": len(selected)}}
        return aggs

    @staticmethod
    def _counts(name: str, agg: dict[str, Any], selected: list[str]) -> list[dict]:
        top = [(b["key"], int(b["doc_count"])) for b in agg["top"]["buckets"]]
        shown = {v for v, _ in top}
        sel = {b["key"]: int(b["doc_count"]) for b in agg.get("sel", {}).get("buckets", [])}
        for v in selected:
            if v not in shown:
                top.append((v, sel.get(v, 0)))
                shown.add(v)
        return [{"value": v, "count": c, "selected": v in selected} for v, c in top]

    def _search_body(self, req: SearchRequest, text: dict | None) -> dict[str, Any]:
        filters = self._filters(req)
        sort = req.sort if text is not None or req.sort != "relevance" else "newest"
        body: dict[str, Any] = {
            "query": self._base(text, req, []),
            "sort": _SORTS[sort], "from": (req.page - 1) * req.per_page, "size": req.per_page,
            "track_total_hits": True, "_source": False, "track_scores": True,
        }
        if filters:
            body["post_filter"] = {"bool": {"filter": list(filters.values())}}
        if req.with_facets:
            aggs: dict[str, Any] = {}
            for name in FACETS:
                others = [d for f, d in filters.items() if f != name]
                aggs[f"f_{name}"] = {
                    "filter": {"bool": {"filter": others}} if others else MATCH_ALL,
                    "aggs": self._terms(name, req.facet_limit,
                                        self._resolved(name, req.filters.get(name, ())))}
            months = {"terms": {"field": "month", "size": 100_000, "order": {"_key": "asc"}}}
            aggs["months"] = {"filter": {"bool": {"filter": list(filters.values())}}
                              if filters else MATCH_ALL, "aggs": {"m": months}}
            body["aggs"] = aggs
        return body

    def _ranked_ids(self, req: SearchRequest, cap: int | None, skip: str | None = None
                    ) -> tuple[Any, list[tuple[int, float | None]]]:
        """(parsed, every match up to ``cap``) in the request's order, paged with a point
        in time and ``search_after`` (never deep ``from``)."""
        req.validate()
        parsed, text, _ = self._text(req.q)
        sort = req.sort if text is not None or req.sort != "relevance" else "newest"
        query = self._base(text, req, [d for f, d in self._filters(req).items() if f != skip])
        pit = self._call(self.client.create_pit, index=self.alias,
                         params={"keep_alive": "2m"})["pit_id"]
        out: list[tuple[int, float | None]] = []
        after = None
        try:
            while cap is None or len(out) < cap:
                size = _PIT_PAGE if cap is None else min(_PIT_PAGE, cap - len(out))
                body: dict[str, Any] = {"query": query, "sort": _SORTS[sort], "size": size,
                                        "pit": {"id": pit, "keep_alive": "2m"},
                                        "_source": False, "track_total_hits": False}
                if after is not None:
                    body["search_after"] = after
                hits = self._call(self.client.search, body=body)["hits"]["hits"]
                if not hits:
                    break
                after = hits[-1]["sort"]
                out.extend((int(h["_id"]), h.get("_score") if sort == "relevance" else None)
                           for h in hits)
        finally:
            self._call(self.client.delete_pit, body={"pit_id": [pit]})
        return parsed, out

    def export(self, req: SearchRequest, cap: int) -> list[dict]:
        return [row for chunk in self.export_chunks(req, cap) for row in chunk]

    def export_chunks(self, req: SearchRequest, cap: int | None = None, *,
                      snippets: bool = False, chunk: int = 500) -> Iterator[list[dict]]:
        parsed, ranked = self._ranked_ids(req, cap)
        terms = set(syllables(parsed.positive_text())) if snippets else set()
        for start in range(0, len(ranked), chunk):
            with self._lock:
                yield hit_rows(self.store, ranked[start:start + chunk], terms,
                               with_snippets=snippets, collapse=False, full=True)

    def match_ids(self, req: SearchRequest) -> list[int]:
        """Article ids of every match of the request (``ArchiveSearcher.match_ids``)."""
        return [aid for aid, _ in self._ranked_ids(req, None)[1]]

    def facet_values(self, name: str, req: SearchRequest, limit: int = 500) -> list[dict]:
        if name not in FACETS:
            raise SearchError(f"unknown facet {name!r}", "not_found")
        req.validate()
        _, text, _ = self._text(req.q)
        others = [d for f, d in self._filters(req).items() if f != name]
        selected = self._resolved(name, req.filters.get(name, ()))
        res = self._search({"size": 0, "query": self._base(text, req, others),
                            "aggs": self._terms(name, limit, selected)})
        out = self._counts(name, res["aggregations"], selected)
        return self.official_labels(out, with_titles=False) if name == "official" else out

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions read from the best articles holding the typed syllables."""
        folded = [fold(s) for s in syllables(normalize(prefix))][-6:]
        if not folded:
            return []
        head, last = folded[:-1], folded[-1]
        must: list[dict] = [{"term": {"fold": h}} for h in head]
        must.append({"prefix": {"fold": {"value": last, "rewrite": "top_terms_64"}}})
        res = self._search({"size": 15, "_source": False, "query": {"bool": {"must": must}}})
        with self._lock:
            rows = self.store.get_many([int(h["_id"]) for h in res["hits"]["hits"]])
        texts = []
        for row in rows.values():
            texts.append(row.article.title)
            texts.extend(row.article.paragraphs[:8])
        return complete_from_texts(folded, texts, limit)[:limit]

    def generation(self) -> tuple:
        """What answers come from now: the index behind the alias and its refresh count
        (new documents become searchable only by a refresh, so any change a search could
        see changes this; an idle refresh only costs a cache miss)."""
        idx = self._call(self.client.indices.stats, index=self.alias, metric="docs,refresh")
        prim = idx["_all"]["primaries"]
        return (tuple(sorted(idx.get("indices", {}))), prim["refresh"]["total"],
                prim["docs"]["count"], prim["docs"].get("deleted", 0))

    def stats(self) -> dict[str, Any]:
        with self._lock:
            stats = self.store.stats()
        stats["store_bytes"] = DataDir(self.data_dir).store.stat().st_size
        try:
            idx = self._call(self.client.indices.stats, index=self.alias, metric="docs,store")
        except EngineUnavailable as exc:
            stats.update({"indexed": None, "index_bytes": None, "index_error": str(exc)})
            return stats
        stats.update({"indexed": int(idx["_all"]["primaries"]["docs"]["count"]),
                      "index_bytes": int(idx["_all"]["total"]["store"]["size_in_bytes"]),
                      "engine": "opensearch"})
        return stats
