"""Query helpers shared by tests that build archives of their own."""
from __future__ import annotations

from pathlib import Path

from indexer import ArchiveSearcher, SearchRequest


def total(data: Path, q: str) -> int:
    """``total`` of one query over the archive in ``data`` (a fresh searcher each time)."""
    s = ArchiveSearcher(data)
    try:
        return s.search(SearchRequest(q=q))["total"]
    finally:
        s.close()
