"""The index settings and mappings (``index.json``, versioned) and the client connection
(entry points: ``index_body``, ``stats_body``, ``connect``, ``ALIAS``).

Every index ``<alias>-<time>`` has its companion ``<alias>-<time>-stats`` behind the alias
``<alias>-stats`` (``stats_alias``): the counts only the query segmenter reads
(``indexer.opensearch.stats``), kept out of the searched documents so that the cluster does
not index ~900 more tokens an article for them.  Its analyser needs the ``analysis-common``
module (``MODULES``), part of every full OpenSearch distribution."""
from __future__ import annotations

import copy
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from indexer.generations import IndexMissing

__all__ = ["ALIAS", "MAPPING_VERSION", "MODULES", "index_body", "stats_body", "stats_alias",
           "connect", "EngineUnavailable"]

ALIAS = os.environ.get("VNARCHIVE_OPENSEARCH_INDEX", "vnarchive")
_FILE = Path(__file__).with_name("index.json")
MODULES = ("analysis-common",)  # the stats index's ``delimited_term_freq`` filter
STATS_SUFFIX = "-stats"


class EngineUnavailable(IndexMissing):
    """The OpenSearch cluster cannot be reached or has no vnarchive index (an
    ``IndexMissing``: the web app answers 503, the CLI a one-line error)."""


@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    return json.loads(_FILE.read_text("utf-8"))


MAPPING_VERSION: int = _spec()["version"]


def index_body(shards: int | None = None, replicas: int | None = None) -> dict[str, Any]:
    """Settings and mappings of a new index; ``shards``/``replicas`` override the file's
    (one primary shard keeps facet counts exact at any size, see README)."""
    spec = copy.deepcopy(_spec())
    index = spec["settings"]["index"]
    if shards is not None:
        index["number_of_shards"] = shards
    if replicas is not None:
        index["number_of_replicas"] = replicas
    spec["mappings"]["_meta"] = {"vnarchive_mapping_version": spec["version"]}
    return {"settings": spec["settings"], "mappings": spec["mappings"]}


def stats_body(replicas: int | None = None) -> dict[str, Any]:
    """Settings and mappings of the companion stats index (always one shard: its counts
    are then exact, and it is small)."""
    spec = copy.deepcopy(_spec()["stats"])
    if replicas is not None:
        spec["settings"]["index"]["number_of_replicas"] = replicas
    spec["mappings"]["_meta"] = {"vnarchive_mapping_version": MAPPING_VERSION}
    return {"settings": spec["settings"], "mappings": spec["mappings"]}


def stats_alias(alias_or_index: str) -> str:
    """The stats index (or alias) that goes with an index (or alias)."""
    return alias_or_index + STATS_SUFFIX


def connect(url: str | list[str], timeout: float = 60.0):
    """An opensearch-py client for one or several node urls (comma-separated); it fails
    over between them when a node dies."""
    try:
        from opensearchpy import OpenSearch
    except ImportError as exc:  # the optional extra is not installed
        raise EngineUnavailable("the OpenSearch engine needs opensearch-py: "
                                "pip install 'vnarchive[opensearch]'") from exc
    hosts = [u.strip() for u in url.split(",")] if isinstance(url, str) else list(url)
    if not any(hosts):
        raise EngineUnavailable("no OpenSearch url given (--opensearch-url or "
                                "$VNARCHIVE_OPENSEARCH_URL)")
    return OpenSearch(hosts=[h for h in hosts if h], timeout=timeout, max_retries=3,
                      retry_on_timeout=True, retry_on_status=(502, 503, 504),
                      http_compress=False, pool_maxsize=16)  # bulk threads + web threads
