"""``SearchEngine`` over an OpenSearch cluster (entry point: ``OpenSearchEngine``).

The query is ours (``indexer.opensearch.translate``), the ranking and counting theirs:
one ``_search`` per request answers the hits (``post_filter``: every facet filter), each
facet's disjunctive counts (a ``filter`` aggregation with the *other* facets' filters around
a ``terms`` aggregation) and the timeline (a ``date_histogram`` under every filter).  Rows,
snippets, articles and near-duplicates come from the local store, as in the embedded engine.
Facet counts are exact with one primary shard (the default in ``index.json``); with more,
each shard returns up to ``SHARD_SIZE`` values per facet, so counts stay exact while no
shard holds more distinct values of a facet than that among the matches.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from archive.datadir import DataDir
from archive.store import Store
from archive.textnorm import fold
from indexer.analysis.analyzer import normalize, syllables
from indexer.search import (FACETS, article_view, QueryError, SearchError, SearchRequest, complete_from_texts,
                            day_end, day_start, hit_rows, norm_map, parse, resolve_value)
from indexer.opensearch.mapping import ALIAS, EngineUnavailable, connect
from indexer.opensearch.translate import MATCH_ALL, to_dsl

__all__ = ["OpenSearchEngine", "SHARD_SIZE"]

SHARD_SIZE = 10_000
_SORTS = {
    "relevance": [{"_score": "desc"}, {"id": "asc"}],
    "newest": [{"published": {"order": "desc", "missing": "_last"}}, {"id": "desc"}],
    "oldest": [{"published": {"order": "asc", "missing": "_last"}}, {"id": "asc"}],
}
_PIT_PAGE = 1000


class OpenSearchEngine:
    """Search over the index behind ``alias`` on the cluster at ``url`` (comma-separated
    node urls fail over), with rows read from the store in ``data_dir``."""

    def __init__(self, data_dir: Path | str, url: str, *, alias: str = ALIAS, client=None,
                 values_ttl: float = 5.0) -> None:
        self.data_dir = Path(data_dir)
        self.alias = alias
        self.client = client or connect(url)
        self.values_ttl = values_ttl
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._values: tuple[float, dict[str, tuple[set[str], dict[str, str]]]] | None = None

    # -- plumbing -------------------------------------------------------------------------
    @property
    def store(self) -> Store:
        with self._lock:
            if self._store is None:
                path = DataDir(self.data_dir).store
                if not path.exists():
                    raise EngineUnavailable(f"no archive in {self.data_dir}: run "
                                            "`vnarchive ingest` first")
                self._store = Store(path, readonly=True)
            return self._store

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
        """One search with global term statistics (as the embedded BM25F uses, whatever the
        shards).  An answer missing shards (a node just died) would count wrong: it is
        asked again, then refused, never returned."""
        for attempt in range(3):
            res = self._call(self.client.search, index=self.alias, body=body,
                             params={"search_type": "dfs_query_then_fetch"})
            if not res.get("_shards", {}).get("failed"):
                return res
            time.sleep(0.2 * (attempt + 1))
        raise EngineUnavailable("OpenSearch answered without some shards; try again")

    def _count(self, query: dict[str, Any]) -> int:
        got = self._call(self.client.count, index=self.alias, body={"query": query})
        return int(got["count"])

    # -- filters --------------------------------------------------------------------------
    def _facet_values(self) -> dict[str, tuple[set[str], dict[str, str]]]:
        """Every value of every facet (for resolving what users type), cached briefly."""
        got = self._values
        if got is not None and time.monotonic() - got[0] < self.values_ttl:
            return got[1]
        aggs = {f: {"terms": {"field": f, "size": 65_000}} for f in FACETS}
        res = self._call(self.client.search, index=self.alias,
                         body={"size": 0, "aggs": aggs})
        values = {}
        for f in FACETS:
            names = {b["key"] for b in res["aggregations"][f]["buckets"]}
            values[f] = (names, norm_map(names))
        self._values = (time.monotonic(), values)
        return values

    def _filters(self, req: SearchRequest) -> dict[str, dict[str, Any]]:
        """One filter per requested facet: any of its values (OR), as canonical values."""
        known = self._facet_values() if any(req.filters.values()) else {}
        out = {}
        for name, vals in req.filters.items():
            if not vals:
                continue
            names, norm = known[name]
            # a value not resolved is asked as typed: it matches what it exactly names
            hits = {resolve_value(name, v, names, norm) or v for v in vals}
            out[name] = {"terms": {name: sorted(hits)}}
        return out

    def _selected(self, name: str, req: SearchRequest) -> list[str]:
        vals = req.filters.get(name, ())
        if not vals:
            return []
        names, norm = self._facet_values()[name]
        return [resolve_value(name, v, names, norm) or v for v in vals]

    @staticmethod
    def _base(text: dict | None, req: SearchRequest, filters: list[dict]) -> dict[str, Any]:
        """The query: the text, the date range and ``filters``, unscored."""
        must = [text] if text is not None else [MATCH_ALL]
        flt = list(filters)
        if req.date_from or req.date_to:
            rng: dict[str, Any] = {"format": "epoch_second"}
            if req.date_from:
                rng["gte"] = day_start(req.date_from)
            if req.date_to:
                rng["lte"] = day_end(req.date_to)
            flt.append({"range": {"published": rng}})
        return {"bool": {"must": must, "filter": flt}} if flt else must[0]

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
    def _counts(agg: dict[str, Any], selected: list[str]) -> list[dict]:
        top = [(b["key"], int(b["doc_count"])) for b in agg["top"]["buckets"]]
        shown = {v for v, _ in top}
        sel = {b["key"]: int(b["doc_count"]) for b in agg.get("sel", {}).get("buckets", [])}
        for v in selected:
            if v not in shown:
                top.append((v, sel.get(v, 0)))
                shown.add(v)
        return [{"value": v, "count": c, "selected": v in selected} for v, c in top]

    def _text(self, q: str):
        try:
            parsed = parse(q)
        except QueryError as exc:
            raise SearchError(str(exc), "bad_query") from None
        return parsed, to_dsl(parsed)

    def _matching_text(self, q: str) -> dict | None:
        """The text query, or its any-word fallback when no article has every word (as
        ``search`` announces it)."""
        parsed, text = self._text(q)
        if text is not None and len(syllables(parsed.positive_text())) > 1 \
                and self._count(text) == 0:
            return to_dsl(parsed, any_word=True) or text
        return text

    # -- the engine -----------------------------------------------------------------------
    def search(self, req: SearchRequest) -> dict[str, Any]:
        req.validate()
        started = time.perf_counter()
        parsed, text = self._text(req.q)
        res = self._search(self._search_body(req, text))
        fallback = False
        if res["hits"]["total"]["value"] == 0 and text is not None \
                and len(syllables(parsed.positive_text())) > 1 and self._count(text) == 0:
            # no article has every word: the articles with some of them, announced
            alt = to_dsl(parsed, any_word=True)
            if alt is not None and self._count(alt) > 0:
                res, fallback = self._search(self._search_body(req, alt)), True
        ranked = [(int(h["_id"]), h.get("_score") if req.sort == "relevance" and text
                   is not None else None) for h in res["hits"]["hits"]]
        terms = set(syllables(parsed.positive_text()))
        results = hit_rows(self.store, ranked, terms, req.with_snippets)
        facets: dict[str, list] = {}
        months: list[dict] = []
        if req.with_facets:
            aggs = res["aggregations"]
            facets = {n: self._counts(aggs[f"f_{n}"], self._selected(n, req)) for n in FACETS}
            months = [{"month": b["key_as_string"], "count": int(b["doc_count"])}
                      for b in aggs["months"]["h"]["buckets"] if b["doc_count"]]
        return {
            "query": req.q, "total": int(res["hits"]["total"]["value"]), "page": req.page,
            "per_page": req.per_page, "took_ms": round((time.perf_counter() - started) * 1000, 2),
            "fallback": fallback,
            "suggestion": None,  # did-you-mean needs the embedded vocabulary (README)
            "results": results, "facets": facets, "months": months,
        }

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
                aggs[f"f_{name}"] = {"filter": {"bool": {"filter": others}} if others
                                     else MATCH_ALL,
                                     "aggs": self._terms(name, req.facet_limit,
                                                         self._selected(name, req))}
            hist = {"date_histogram": {"field": "published", "calendar_interval": "month",
                                       "time_zone": "+07:00", "format": "yyyy-MM",
                                       "min_doc_count": 1}}
            aggs["months"] = {"filter": {"bool": {"filter": list(filters.values())}}
                              if filters else MATCH_ALL, "aggs": {"h": hist}}
            body["aggs"] = aggs
        return body

    def export(self, req: SearchRequest, cap: int) -> list[dict]:
        """Every match up to ``cap`` in the request's order, paged with a point in time and
        ``search_after`` (never deep ``from``), ties broken by article id."""
        req.validate()
        text = self._matching_text(req.q)
        sort = req.sort if text is not None or req.sort != "relevance" else "newest"
        query = self._base(text, req, list(self._filters(req).values()))
        pit = self._call(self.client.create_pit, index=self.alias,
                         params={"keep_alive": "2m"})["pit_id"]
        out: list[dict] = []
        after = None
        try:
            while len(out) < cap:
                body: dict[str, Any] = {"query": query, "sort": _SORTS[sort],
                                        "size": min(_PIT_PAGE, cap - len(out)),
                                        "pit": {"id": pit, "keep_alive": "2m"},
                                        "_source": False, "track_total_hits": False}
                if after is not None:
                    body["search_after"] = after
                hits = self._call(self.client.search, body=body)["hits"]["hits"]
                if not hits:
                    break
                after = hits[-1]["sort"]
                ranked = [(int(h["_id"]), h.get("_score") if sort == "relevance" else None)
                          for h in hits]
                out.extend(hit_rows(self.store, ranked, set(), False, collapse=False))
        finally:
            self._call(self.client.delete_pit, body={"pit_id": [pit]})
        return out[:cap]

    def facet_values(self, name: str, req: SearchRequest, limit: int = 500) -> list[dict]:
        if name not in FACETS:
            raise SearchError(f"unknown facet {name!r}", "not_found")
        req.validate()
        text = self._matching_text(req.q)
        others = [d for f, d in self._filters(req).items() if f != name]
        selected = self._selected(name, req)
        res = self._search({"size": 0, "query": self._base(text, req, others),
                            "aggs": self._terms(name, limit, selected)})
        return self._counts(res["aggregations"], selected)

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions read from the best articles holding the typed syllables."""
        folded = [fold(s) for s in syllables(normalize(prefix))][-6:]
        if not folded:
            return []
        head, last = folded[:-1], folded[-1]
        must: list[dict] = [{"term": {"fold": h}} for h in head]
        must.append({"prefix": {"fold": {"value": last, "rewrite": "top_terms_64"}}})
        res = self._search({"size": 15, "_source": False, "query": {"bool": {"must": must}}})
        rows = self.store.get_many([int(h["_id"]) for h in res["hits"]["hits"]])
        texts = []
        for row in rows.values():
            texts.append(row.article.title)
            texts.extend(row.article.paragraphs[:8])
        return complete_from_texts(folded, texts, limit)[:limit]

    def article(self, article_id: int) -> dict[str, Any] | None:
        return article_view(self.store, article_id)

    def raw_html(self, article_id: int) -> bytes | None:
        return self.store.raw_html(article_id)

    def stats(self) -> dict[str, Any]:
        stats = self.store.stats()
        idx = self._call(self.client.indices.stats, index=self.alias, metric="docs,store")
        prim = idx["_all"]["primaries"]
        stats.update({"indexed": int(prim["docs"]["count"]),
                      "index_bytes": int(idx["_all"]["total"]["store"]["size_in_bytes"]),
                      "store_bytes": DataDir(self.data_dir).store.stat().st_size,
                      "engine": "opensearch"})
        return stats
