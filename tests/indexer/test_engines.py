"""Choosing the engine (``indexer.engines``): defaults, the environment, a clear error for
an unknown name, the embedded engine opened without any server."""
from __future__ import annotations

import pytest

from indexer import ArchiveSearcher, SearchRequest
from indexer.engines import ENGINES, engine_name, open_engine, opensearch_url
from indexer.search import SearchEngine


def test_embedded_is_the_default(monkeypatch):
    monkeypatch.delenv("VNARCHIVE_ENGINE", raising=False)
    assert engine_name() == "embedded"
    assert engine_name("") == "embedded"
    assert ENGINES == ("embedded", "opensearch")


def test_the_environment_names_the_engine_and_an_argument_wins(monkeypatch):
    monkeypatch.setenv("VNARCHIVE_ENGINE", "opensearch")
    assert engine_name() == "opensearch"
    assert engine_name("embedded") == "embedded"


def test_engine_names_are_read_case_and_space_insensitively(monkeypatch):
    monkeypatch.delenv("VNARCHIVE_ENGINE", raising=False)
    assert engine_name("  OpenSearch ") == "opensearch"
    assert engine_name("EMBEDDED") == "embedded"


@pytest.mark.parametrize("bad", ["whoosh", "elasticsearch", "tìm kiếm"])
def test_an_unknown_engine_is_a_value_error_naming_the_choices(bad, monkeypatch):
    monkeypatch.delenv("VNARCHIVE_ENGINE", raising=False)
    with pytest.raises(ValueError, match="unknown engine .*embedded, opensearch"):
        engine_name(bad)


def test_an_unknown_engine_in_the_environment_is_refused_too(monkeypatch):
    monkeypatch.setenv("VNARCHIVE_ENGINE", "solr")
    with pytest.raises(ValueError, match="'solr'"):
        engine_name()


def test_opensearch_url_default_environment_and_argument(monkeypatch):
    monkeypatch.delenv("VNARCHIVE_OPENSEARCH_URL", raising=False)
    assert opensearch_url() == "http://127.0.0.1:9200"
    monkeypatch.setenv("VNARCHIVE_OPENSEARCH_URL", "http://10.0.0.5:9200,http://10.0.0.6:9200")
    assert opensearch_url() == "http://10.0.0.5:9200,http://10.0.0.6:9200"
    assert opensearch_url("http://127.0.0.1:9201") == "http://127.0.0.1:9201"


def test_open_engine_gives_the_embedded_searcher_over_the_archive(archive_dir, monkeypatch):
    monkeypatch.delenv("VNARCHIVE_ENGINE", raising=False)
    engine = open_engine(archive_dir)
    try:
        assert isinstance(engine, ArchiveSearcher) and isinstance(engine, SearchEngine)
        assert engine.search(SearchRequest(q="giảm nghèo"))["total"] > 0
    finally:
        engine.close()


def test_open_engine_refuses_an_unknown_engine(archive_dir):
    with pytest.raises(ValueError, match="unknown engine"):
        open_engine(archive_dir, engine="lucene")
