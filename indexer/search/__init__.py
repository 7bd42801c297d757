"""The query path: from what a user typed to ranked hits, facet counts, a timeline,
snippets and suggestions (entry point: ``ArchiveSearcher.search(SearchRequest)``).

``query`` parses the user's text and builds query nodes with the one analyser;
``evaluate`` scores a whole query tree with BM25F as dense numpy arrays, reading postings
through ``postings_cache`` (our sidecars, else Whoosh's blocks); ``facets`` counts facet
values and dates from per-document columns; ``snippets`` cuts highlighted excerpts from
stored text; ``suggest`` restores diacritics for did-you-mean and completion;
``searcher`` ties them together over the live index generation, ``views`` adds the reads
beside search (one article, stats, completion).  ``engine`` declares ``SearchEngine``, the
interface the web app and the CLI use; ``ArchiveSearcher`` is its embedded implementation
and ``indexer.opensearch.OpenSearchEngine`` the other.
"""
from indexer.search.engine import SearchEngine
from indexer.search.facets import norm_map, resolve_value
from indexer.search.hits import article_texts, hit_rows
from indexer.search.nodes import ADJACENT, EITHER, GAPPED, Adjacent, AtLeast, Within
from indexer.search.query import (FALLBACK_MESSAGES, MAX_PREFIX_EXPANSION, QueryError, build,
                                  parse, relaxations)
from indexer.search.request import (FACETS, MAX_PAGE, MAX_PER_PAGE, SORTS, SearchError,
                                    SearchRequest, day_end, day_start)
from indexer.search.searcher import ArchiveSearcher
from indexer.search.suggest import complete_from_texts, did_you_mean
from indexer.search.views import SearcherViews

# The names after ``FALLBACK_MESSAGES`` are the pieces a second engine
# (``indexer.opensearch``) shares with this one: the query tree, result rows, store reads.
__all__ = ["ArchiveSearcher", "SearchEngine", "SearchRequest", "SearchError", "FACETS",
           "SORTS", "MAX_PAGE", "MAX_PER_PAGE", "FALLBACK_MESSAGES",
           "ADJACENT", "EITHER", "GAPPED", "Adjacent", "AtLeast", "Within", "QueryError",
           "MAX_PREFIX_EXPANSION", "build", "parse", "relaxations", "hit_rows", "norm_map", "resolve_value",
           "complete_from_texts", "did_you_mean", "article_texts", "SearcherViews",
           "day_start", "day_end"]
