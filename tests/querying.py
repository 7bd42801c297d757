"""Query helpers shared by tests that build archives of their own."""
from __future__ import annotations

import json
from pathlib import Path

from indexer import ArchiveSearcher, SearchRequest, ingest_paths


def total(data: Path, q: str) -> int:
    """``total`` of one query over the archive in ``data`` (a fresh searcher each time)."""
    s = ArchiveSearcher(data)
    try:
        return s.search(SearchRequest(q=q))["total"]
    finally:
        s.close()


def ingest_docs(root: Path, docs: list[tuple[str, str, str]]) -> Path:
    """An archive of our own (url slug, title, body) records at ``root/data``."""
    path = root / "docs.jsonl"
    path.write_text("\n".join(json.dumps({"url": f"https://mau.example/{u}", "title": t,
                                          "body": b}, ensure_ascii=False)
                              for u, t, b in docs), encoding="utf-8")
    ingest_paths([path], root / "data", workers=1)
    return root / "data"
