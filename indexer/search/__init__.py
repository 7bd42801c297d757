"""The query path: from what a user typed to ranked hits, facet counts, a timeline,
snippets and suggestions (entry point: ``ArchiveSearcher.search(SearchRequest)``).

``query`` parses the user's text and builds query nodes with the one analyser;
``evaluate`` scores a whole query tree with BM25F as dense numpy arrays, reading postings
through ``postings_cache`` (our sidecars, else Whoosh's blocks); ``facets`` counts facet
values and dates from per-document columns; ``snippets`` cuts highlighted excerpts from
stored text; ``suggest`` restores diacritics for did-you-mean and completion;
``searcher`` ties them together over the live index generation, ``views`` adds the reads
beside search (one article, stats, completion).
"""
from indexer.search.request import FACETS, MAX_PAGE, MAX_PER_PAGE, SORTS, SearchError, SearchRequest
from indexer.search.query import FALLBACK_MESSAGES
from indexer.search.searcher import ArchiveSearcher

__all__ = ["ArchiveSearcher", "SearchRequest", "SearchError", "FACETS", "SORTS", "MAX_PAGE",
           "MAX_PER_PAGE", "FALLBACK_MESSAGES"]
