"""The search seam (``indexer.search.engine``): both engines answer ``SearchEngine``, and
every method the protocol names exists on both, callable."""
from __future__ import annotations

import inspect

import pytest

from indexer.opensearch import OpenSearchEngine
from indexer.search import ArchiveSearcher, SearchEngine

# the protocol's own methods, read from its body (not from typing's bookkeeping)
METHODS = sorted(name for name, value in vars(SearchEngine).items()
                 if inspect.isfunction(value) and not name.startswith("_"))


def test_the_protocol_names_the_whole_seam():
    assert {"search", "export", "export_chunks", "facet_values", "suggest", "article",
            "versions", "version", "raw_html", "find_officials", "official", "stats",
            "generation", "close"} == set(METHODS)


@pytest.mark.parametrize("engine", [ArchiveSearcher, OpenSearchEngine], ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", METHODS)
def test_every_protocol_method_exists_on_both_engines(engine, name):
    assert callable(getattr(engine, name, None)), f"{engine.__name__} lacks {name}"


@pytest.mark.parametrize("engine", [ArchiveSearcher, OpenSearchEngine], ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", METHODS)
def test_both_engines_take_the_protocols_parameters(engine, name):
    want = list(inspect.signature(getattr(SearchEngine, name)).parameters)
    got = inspect.signature(getattr(engine, name)).parameters
    assert [p for p in want if p not in got] == []


def test_the_embedded_searcher_is_a_search_engine(searcher):
    assert isinstance(searcher, SearchEngine)


def test_an_opensearch_engine_is_a_search_engine_without_contacting_a_node(archive_dir):
    # connecting is lazy: nothing listens on port 9, and the engine is still one
    engine = OpenSearchEngine(archive_dir, "http://127.0.0.1:9")
    try:
        assert isinstance(engine, SearchEngine)
    finally:
        engine.close()


def test_an_object_missing_a_method_is_not_a_search_engine(searcher):
    class Partial:
        search = ArchiveSearcher.search
    assert not isinstance(Partial(), SearchEngine)
