"""indexer: Vietnamese analysis, entities, the Whoosh index and faceted search."""
from indexer.index import IndexBusy, IndexMissing
from indexer.pipeline import IngestReport, ingest_items, ingest_paths
from indexer.rebuild import reindex
from indexer.search import ArchiveSearcher, SearchError, SearchRequest

__all__ = ["ArchiveSearcher", "SearchRequest", "SearchError", "IngestReport", "IndexBusy",
           "IndexMissing", "ingest_items", "ingest_paths", "reindex"]
