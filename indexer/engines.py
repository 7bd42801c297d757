"""Which engine answers searches (entry point: ``open_engine``).

``embedded`` (the default: the Whoosh index under ``--data-dir``, no server) or
``opensearch`` (a cluster at ``--opensearch-url``); the environment equivalents are
``$VNARCHIVE_ENGINE`` and ``$VNARCHIVE_OPENSEARCH_URL``.  The OpenSearch package is imported
only when asked for, so the embedded engine needs no client library.
"""
from __future__ import annotations

import os
from pathlib import Path

from indexer.search import ArchiveSearcher, SearchEngine

__all__ = ["ENGINES", "open_engine", "engine_name", "opensearch_url", "feed_engine",
           "started_at"]

ENGINES = ("embedded", "opensearch")


def engine_name(value: str | None = None) -> str:
    name = (value or os.environ.get("VNARCHIVE_ENGINE") or "embedded").strip().lower()
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r} (one of {', '.join(ENGINES)})")
    return name


def opensearch_url(value: str | None = None) -> str:
    return value or os.environ.get("VNARCHIVE_OPENSEARCH_URL") or "http://127.0.0.1:9200"


def open_engine(data_dir: Path | str, engine: str | None = None, url: str | None = None,
                **embedded_options) -> SearchEngine:
    """The configured engine over ``data_dir`` (the store; for ``embedded`` also the index)."""
    if engine_name(engine) == "opensearch":
        from indexer.opensearch import OpenSearchEngine
        return OpenSearchEngine(data_dir, opensearch_url(url))
    return ArchiveSearcher(data_dir, **embedded_options)


def started_at() -> str:
    """The store's clock now: an ingest's articles are those saved from then on."""
    from archive.article import now_vn
    return now_vn().isoformat()


def feed_engine(data_dir: Path | str, url: str | None, *, since: str | None) -> str:
    """Send the articles stored since ``since`` (an ingest), or all of them into a new index
    behind the alias (``since`` None: a reindex), to OpenSearch; one line of report.
    Raises ``indexer.opensearch.BulkFailed`` naming documents that did not go in."""
    from indexer.opensearch import connect, reindex_opensearch, sync_opensearch
    client = connect(opensearch_url(url))
    try:
        if since is None:
            report = reindex_opensearch(data_dir, client)
        else:
            report = sync_opensearch(data_dir, client, since=since)
    finally:
        client.close()
    return (f"opensearch: {report.indexed} articles indexed in {report.seconds:.1f} s "
            f"({report.per_second:.0f}/s, {report.retried} retried)")
