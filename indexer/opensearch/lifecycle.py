"""Building and feeding the OpenSearch index from the store (entry points:
``reindex_opensearch``, ``sync_opensearch``).

Like the embedded generations, a reindex writes a new index (``<alias>-<time>``) while the
old one keeps serving, then moves the alias in one atomic ``_aliases`` call and drops the
old index; its companion stats index (``<index>-stats``, behind ``<alias>-stats``) is built
and switched with it, in the same call.  Documents come from the store's cached analysis
(``indexer.ingest.reindexer.stored_documents``): no segmentation unless a row's cache is
stale, exactly as the embedded reindex.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from archive.datadir import DataDir
from indexer.opensearch.bulk import BulkFailed, BulkFeeder, BulkReport
from indexer.opensearch.producer import bulk_lines
from indexer.opensearch.mapping import (ALIAS, MAPPING_VERSION, EngineUnavailable, index_body,
                                       stats_alias, stats_body)

__all__ = ["reindex_opensearch", "sync_opensearch", "alias_target", "wait_for"]


def alias_target(client, alias: str = ALIAS) -> list[str]:
    """The indices the alias points to now ([] when it does not exist)."""
    if not client.indices.exists_alias(name=alias):
        return []
    return sorted(client.indices.get_alias(name=alias))


def wait_for(client, status: str, *, index: str | None = None, tries: int = 20) -> None:
    """Wait until the cluster (or ``index``) is at least ``status``; the server answers 408
    after its own 30 s, so a busy cluster is asked again, ``tries`` times in all."""
    from opensearchpy.exceptions import TransportError
    for attempt in range(tries):
        try:
            client.cluster.health(index=index, wait_for_status=status)
            return
        except TransportError as exc:
            if exc.status_code != 408 or attempt == tries - 1:
                raise


def reindex_opensearch(data_dir: Path | str, client, *, alias: str = ALIAS,
                       shards: int | None = None, replicas: int | None = None,
                       threads: int = 2, chunk: int = 1000, workers: int | None = None,
                       progress: Callable[[int], None] | None = None) -> BulkReport:
    """Rebuild the index from every stored article into a new index, then swap the alias.
    Raises ``BulkFailed`` (the alias unchanged, the new index removed) if any document
    could not be indexed."""
    name = f"{alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 10**9:09d}"
    stats = stats_alias(name)
    body = index_body(shards, replicas)
    wanted_replicas = body["settings"]["index"]["number_of_replicas"]
    loading = {"refresh_interval": "-1", "number_of_replicas": 0,
               "translog.durability": "async"}
    # while loading: no refreshes and no replicas (copied once at the end, far cheaper)
    body["settings"]["index"].update(loading)
    sbody = stats_body()
    sbody["settings"]["index"].update(loading)
    _create(client, name, body)
    try:
        _create(client, stats, sbody)
        vocab: dict[str, set[str]] = {"words": set(), "fwords": set()}
        lines = bulk_lines(DataDir(data_dir).store, name, chunk=chunk, vocab=vocab,
                           workers=workers or os.cpu_count() or 1, stats_index=stats,
                           stats_key="r")
        report = BulkFeeder(client, name, threads=threads, chunk=chunk,
                            progress=progress, counted=str.isdigit).feed(lines)
        if report.failures:
            raise BulkFailed(report)
        for index in (name, stats):
            client.indices.put_settings(index=index, body={"index": {
                "refresh_interval": "1s", "number_of_replicas": wanted_replicas,
                "translog.durability": "request"}})
            client.indices.refresh(index=index)
            wait_for(client, "yellow", index=index)
        record_vocabulary(client, name, stats, vocab, {})
    except BaseException:
        client.indices.delete(index=f"{name},{stats}", ignore_unavailable=True)
        raise
    old = alias_target(client, alias)
    old_stats = alias_target(client, stats_alias(alias))
    actions: list[dict] = [{"add": {"index": name, "alias": alias}},
                           {"add": {"index": stats, "alias": stats_alias(alias)}}]
    actions += [{"remove": {"index": o, "alias": alias}} for o in old]
    actions += [{"remove": {"index": o, "alias": stats_alias(alias)}} for o in old_stats]
    client.indices.update_aliases(body={"actions": actions})  # one atomic switch of both
    for o in old + old_stats:
        client.indices.delete(index=o, ignore_unavailable=True)
    return report


def _create(client, name: str, body: dict) -> None:
    from opensearchpy.exceptions import ConnectionError as OsConnectionError
    from opensearchpy.exceptions import RequestError
    try:
        client.indices.create(index=name, body=body)
    except OsConnectionError as exc:
        raise EngineUnavailable(f"OpenSearch unreachable: {exc.info or exc}") from None
    except RequestError as exc:  # 400: most likely a cluster without analysis-common
        raise EngineUnavailable(f"OpenSearch refused the index {name}: {exc.error} "
                                f"({exc.info}); the stats index needs the analysis-common "
                                "module of a full OpenSearch distribution") from None


def sync_opensearch(data_dir: Path | str, client, *, since: str | None, alias: str = ALIAS,
                    threads: int = 2, chunk: int = 500,
                    progress: Callable[[int], None] | None = None) -> BulkReport:
    """After an ingest: send the articles stored since ``since`` (ISO time) to the index
    behind the alias; without an index yet, build it from the whole store.  Raises
    ``BulkFailed`` naming the documents that did not go in."""
    from opensearchpy.exceptions import ConnectionError as OsConnectionError
    try:
        exists = bool(alias_target(client, alias))
    except OsConnectionError as exc:
        raise EngineUnavailable(f"OpenSearch unreachable: {exc.info or exc}") from None
    if not exists:
        return reindex_opensearch(data_dir, client, alias=alias, threads=threads,
                                  chunk=chunk, progress=progress)
    if not alias_target(client, stats_alias(alias)):
        # an index built before the stats index (mapping version < 3): writing its counts
        # to the missing alias would let the cluster create a stray index of that name
        raise EngineUnavailable(f"the index behind {alias!r} has no {stats_alias(alias)!r} "
                                "beside it (built by an older version): run `vnarchive "
                                "reindex --engine opensearch` once")
    # the counts of this feed's runs add to the earlier ones: a key of their own
    vocab: dict[str, set[str]] = {"words": set(), "fwords": set()}
    lines = bulk_lines(DataDir(data_dir).store, alias, chunk=chunk, updated_since=since,
                       workers=1, stats_index=stats_alias(alias), stats_key=f"s{time.time_ns()}",
                       vocab=vocab)
    report = BulkFeeder(client, alias, threads=threads, chunk=chunk, progress=progress,
                        counted=str.isdigit).feed(lines)
    if report.failures:
        raise BulkFailed(report)
    client.indices.refresh(index=f"{alias},{stats_alias(alias)}")
    index = alias_target(client, alias)[0]
    meta = client.indices.get_mapping(index=index)[index]["mappings"].get("_meta", {}) or {}
    record_vocabulary(client, index, stats_alias(alias), vocab, meta)
    return report


def record_vocabulary(client, index: str, stats_index: str, vocab: dict[str, set[str]],
                      meta: dict) -> None:
    """Write to ``index``'s ``_meta`` what the query segmenter reads there
    (``indexer.opensearch.stats``): the number of distinct words (the build's: a feed
    after an ingest keeps it, see README's limitations) and the folded syllable pairs
    written hyphenated inside a word in two places at least, as the embedded
    ``Vocabulary.hyphened`` counts them.  The hyphenated words themselves are kept there
    too, so that a later feed recounts every pair from the stats index."""
    from indexer.opensearch.stats import ClusterStats
    words = sorted(set(meta.get("hyphened_words", ())) | {w for w in vocab["fwords"] if "-" in w})
    counts = ClusterStats(client, index, lambda fn, **kw: fn(**kw), stats_index
                          ).frequencies("fwords", words) if words else {}
    seen: dict[tuple[str, str], int] = {}
    for word, count in counts.items():
        for token in word.split("_"):
            parts = token.split("-")
            for a, b in zip(parts, parts[1:]):
                if a and b:
                    seen[(a, b)] = seen.get((a, b), 0) + count
    client.indices.put_mapping(index=index, body={"_meta": {
        "vnarchive_mapping_version": meta.get("vnarchive_mapping_version", MAPPING_VERSION),
        "words_terms": int(meta.get("words_terms", len(vocab["words"]))),
        "fwords_terms": int(meta.get("fwords_terms", len(vocab["fwords"]))),
        "hyphened_words": words,
        "hyphened": sorted([a, b] for (a, b), c in seen.items() if c >= 2)}})
