"""The index settings and mappings (``index.json``, versioned) and the client connection
(entry points: ``index_body``, ``connect``, ``ALIAS``)."""
from __future__ import annotations

import copy
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from indexer.generations import IndexMissing

__all__ = ["ALIAS", "MAPPING_VERSION", "index_body", "connect", "EngineUnavailable"]

ALIAS = os.environ.get("VNARCHIVE_OPENSEARCH_INDEX", "vnarchive")
_FILE = Path(__file__).with_name("index.json")


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
