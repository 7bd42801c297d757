"""The search seam: what the web app and the CLI ask of a search engine (entry point:
``SearchEngine``).

Two implementations answer it: ``indexer.search.ArchiveSearcher`` (embedded: Whoosh files,
postings sidecars, numpy; the default, no server) and ``indexer.opensearch.OpenSearchEngine``
(an OpenSearch cluster).  ``indexer.engines.open_engine`` picks one from the configuration;
callers never know which one answers.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from indexer.search.request import SearchRequest

__all__ = ["SearchEngine"]


@runtime_checkable
class SearchEngine(Protocol):
    """Search over one archive.  Errors: ``SearchError`` (a request that cannot be answered
    as asked) and ``IndexMissing`` (nothing to search yet, or the engine is unreachable)."""

    def search(self, req: SearchRequest) -> dict[str, Any]:
        """The ``/api/search`` response: total, ranked results with snippets, disjunctive
        facet counts, month counts, fallback and suggestion."""
        ...

    def export(self, req: SearchRequest, cap: int) -> list[dict]:
        """Up to ``cap`` matching results in the request's order, without snippets."""
        ...

    def export_chunks(self, req: SearchRequest, cap: int | None = None, *,
                      snippets: bool = False, chunk: int = 500) -> Iterator[list[dict]]:
        """Every match (up to ``cap``) in the request's order, as lists of full rows."""
        ...

    def facet_values(self, name: str, req: SearchRequest, limit: int = 500) -> list[dict]:
        """Every value of one facet for the request, counted without its own filter."""
        ...

    def suggest(self, prefix: str, limit: int = 8) -> list[str]:
        """Completions of a partly typed query, diacritics restored from the archive."""
        ...

    def article(self, article_id: int) -> dict[str, Any] | None:
        """One stored article with its entities and near-duplicates; None if unknown."""
        ...

    def versions(self, article_id: int) -> list[dict[str, Any]] | None:
        ...

    def version(self, article_id: int, n: int) -> dict[str, Any] | None:
        ...

    def raw_html(self, article_id: int, version: int | None = None) -> bytes | None:
        """The archived page as fetched; None if unknown."""
        ...

    def find_officials(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        ...

    def official(self, person: str, q: str = "", page: int = 1,
                 per_page: int = 20) -> dict[str, Any] | None:
        ...

    def stats(self) -> dict[str, Any]:
        """Counts of the archive and the index."""
        ...

    def generation(self) -> tuple:
        """Changes whenever a search could answer differently (a publish, a reindex): the
        key under which answers may be cached (``web.feedcache``)."""
        ...

    def close(self) -> None:
        ...
