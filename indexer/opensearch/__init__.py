"""The OpenSearch engine: the same search on an OpenSearch cluster (entry points:
``OpenSearchEngine``, ``reindex_opensearch``, ``sync_opensearch``).

``mapping`` holds the index settings and mappings (``index.json``, one versioned file) and
the client; ``documents`` turns an article's cached analysis into a document of our tokens;
``producer`` makes bulk lines in worker processes and ``bulk`` sends them with back-pressure
and retries; ``lifecycle`` builds a new index and swaps the alias (reindex) or sends what an
ingest stored; ``stats`` reads the query segmenter's statistics from the cluster;
``translate`` turns our query tree into query DSL; ``engine`` answers
``indexer.search.SearchEngine``, with ``people`` for the officials' pages.
Needs the optional ``opensearch-py`` (``pip install 'vnarchive[opensearch]'``).
"""
from indexer.opensearch.bulk import BulkFailed, BulkReport
from indexer.opensearch.engine import OpenSearchEngine
from indexer.opensearch.lifecycle import alias_target, reindex_opensearch, sync_opensearch
from indexer.opensearch.mapping import ALIAS, MAPPING_VERSION, EngineUnavailable, connect

__all__ = ["OpenSearchEngine", "reindex_opensearch", "sync_opensearch", "alias_target",
           "connect", "BulkFailed", "BulkReport", "EngineUnavailable", "ALIAS",
           "MAPPING_VERSION"]
