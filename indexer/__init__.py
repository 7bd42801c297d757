"""indexer: Vietnamese analysis, entities, the Whoosh index and faceted search (entry
points: ``ingest_paths`` / ``ingest_items``, ``reindex``, ``ArchiveSearcher``).

Subpackages: ``analysis`` (the one analyser), ``entities`` (provinces, officials,
programmes), ``codec`` (segments and postings sidecars on disk), ``ingest`` (ingest,
publish, reindex), ``search`` (query, evaluation, facets, snippets, suggestions).
Top-level modules: ``schema`` (fields of an indexed article) and ``generations`` (index
generations and the write lock).  See ARCHITECTURE.md.
"""
from indexer.generations import IndexBusy, IndexDamaged, IndexMissing, NoSpace
from indexer.ingest.ingester import ingest_items, ingest_paths
from indexer.ingest.report import IngestReport
from indexer.ingest.reindexer import reindex
from indexer.search import ArchiveSearcher, SearchError, SearchRequest

__all__ = ["ArchiveSearcher", "SearchRequest", "SearchError", "IngestReport", "IndexBusy",
           "IndexMissing", "IndexDamaged", "NoSpace", "ingest_items", "ingest_paths", "reindex"]
