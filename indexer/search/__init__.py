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
from indexer.search.hits import hit_rows
from indexer.search.nodes import Adjacent
from indexer.search.query import (MAX_PREFIX_EXPANSION, Clause, ParsedQuery, QueryError,
                                  clause_query, parse, word_query)
from indexer.search.request import (FACETS, MAX_PAGE, MAX_PER_PAGE, SORTS, SearchError,
                                    SearchRequest, day_end, day_start)
from indexer.search.searcher import ArchiveSearcher
from indexer.search.suggest import complete_from_texts
from indexer.search.views import article_view

# The names below ``MAX_PER_PAGE`` are the pieces a second engine (``indexer.opensearch``)
# shares with this one: query parsing and building, facet value resolution, result rows.
__all__ = ["ArchiveSearcher", "SearchEngine", "SearchRequest", "SearchError", "FACETS",
           "SORTS", "MAX_PAGE", "MAX_PER_PAGE",
           "Adjacent", "Clause", "ParsedQuery", "QueryError", "MAX_PREFIX_EXPANSION", "parse",
           "clause_query", "word_query", "norm_map", "resolve_value", "hit_rows",
           "complete_from_texts", "article_view", "day_start", "day_end"]
