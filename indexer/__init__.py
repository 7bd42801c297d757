"""indexer: Vietnamese analysis, entities, the Whoosh index and faceted search (entry
points: ``ingest_paths`` / ``ingest_items``, ``reindex``, ``ArchiveSearcher``; ``open_engine``
picks the embedded engine or OpenSearch, ``feed_engine`` feeds OpenSearch from the store).

Subpackages: ``analysis`` (the one analyser), ``entities`` (provinces, officials,
programmes), ``codec`` (segments and postings sidecars on disk), ``ingest`` (ingest,
publish, reindex), ``search`` (query, evaluation, facets, snippets, suggestions),
``opensearch`` (the same search on an OpenSearch cluster).
Top-level modules: ``schema`` (fields of an indexed article) and ``generations`` (index
generations and the write lock).  See ARCHITECTURE.md.
"""
from indexer.engines import feed_engine, open_engine, started_at
from indexer.generations import IndexBusy, IndexDamaged, IndexMissing, NoSpace
from indexer.ingest.ingester import ingest_items, ingest_paths
from indexer.ingest.report import IngestReport
from indexer.ingest.reindexer import reindex
from indexer.search import ArchiveSearcher, SearchEngine, SearchError, SearchRequest

__all__ = ["ArchiveSearcher", "SearchEngine", "open_engine", "feed_engine", "started_at",
           "SearchRequest", "SearchError", "IngestReport", "IndexBusy",
           "IndexMissing", "IndexDamaged", "NoSpace", "ingest_items", "ingest_paths", "reindex"]
