"""The index settings and mappings (``indexer.opensearch.mapping``): one valid, versioned
JSON file; every field the documents carry declared; a clear error without a client or url."""
from __future__ import annotations

import json
from importlib import resources

import pytest

from indexer.opensearch import ALIAS, MAPPING_VERSION, EngineUnavailable, connect
from indexer.opensearch.documents import COUNT_DELIMITER, STAT_FIELDS, TEXT_FIELDS
from indexer.opensearch.mapping import MODULES, index_body, stats_alias, stats_body
from indexer.schema import FACET_FIELDS
from indexer.generations import IndexMissing


def _file() -> dict:
    return json.loads(resources.files("indexer.opensearch").joinpath("index.json")
                      .read_text("utf-8"))


def test_the_mapping_file_is_valid_json_with_a_version():
    spec = _file()
    assert isinstance(spec["version"], int) and spec["version"] >= 1
    assert MAPPING_VERSION == spec["version"]
    assert set(spec) >= {"settings", "mappings"}


def test_the_body_carries_the_version_in_the_mapping_meta():
    body = index_body()
    assert set(body) == {"settings", "mappings"}
    assert body["mappings"]["_meta"] == {"vnarchive_mapping_version": MAPPING_VERSION}


def test_strict_mapping_declares_every_document_field():
    props = index_body()["mappings"]["properties"]
    assert index_body()["mappings"]["dynamic"] == "strict"  # an unknown field is refused
    assert set(TEXT_FIELDS) | set(FACET_FIELDS) | {"id", "published", "month"} <= set(props)


def test_text_fields_split_on_whitespace_only_so_gap_tokens_stay():
    props = index_body()["mappings"]["properties"]
    for name in TEXT_FIELDS:
        assert props[name] == {**props[name], "type": "text", "analyzer": "whitespace"}
    # phrase and span queries need positions on the syllable views
    for name in ("syl", "fold", "t_syl", "t_fold"):
        assert props[name]["index_options"] == "positions"
    assert all(props[f]["type"] == "keyword" for f in FACET_FIELDS)


def test_no_source_is_kept_nothing_reads_it_back():
    assert index_body()["mappings"]["_source"] == {"enabled": False}
    assert stats_body()["mappings"]["_source"] == {"enabled": False}


def test_the_stats_index_counts_with_term_frequencies_of_the_shared_delimiter():
    body = stats_body(replicas=1)
    props = body["mappings"]["properties"]
    assert set(props) == set(STAT_FIELDS) and body["mappings"]["dynamic"] == "strict"
    assert body["mappings"]["_meta"] == {"vnarchive_mapping_version": MAPPING_VERSION}
    analysis = body["settings"]["index"]["analysis"]
    for name in STAT_FIELDS:
        assert props[name]["index_options"] == "freqs" and props[name]["norms"] is False
        chain = analysis["analyzer"][props[name]["analyzer"]]
        filters = [analysis["filter"][f] for f in chain["filter"]]
        assert {"type": "delimited_term_freq", "delimiter": COUNT_DELIMITER} in filters
    # one shard keeps its totals exact; replicas follow the searched index's
    assert body["settings"]["index"]["number_of_shards"] == 1
    assert body["settings"]["index"]["number_of_replicas"] == 1
    assert MODULES == ("analysis-common",)  # where delimited_term_freq comes from
    assert stats_alias("vnarchive") == "vnarchive-stats"
    assert not set(STAT_FIELDS) & set(index_body()["mappings"]["properties"])


def test_shards_and_replicas_override_the_file_without_changing_it():
    body = index_body(shards=3, replicas=2)["settings"]["index"]
    assert (body["number_of_shards"], body["number_of_replicas"]) == (3, 2)
    default = index_body()["settings"]["index"]
    assert (default["number_of_shards"], default["number_of_replicas"]) == (1, 0)
    assert "_meta" not in _file()["mappings"]  # the cached spec is not mutated


def test_alias_is_named():
    assert isinstance(ALIAS, str) and ALIAS


@pytest.mark.parametrize("url", ["", " , ", []])
def test_no_url_is_an_engine_unavailable_error(url):
    with pytest.raises(EngineUnavailable, match="no OpenSearch url"):
        connect(url)
    assert issubclass(EngineUnavailable, IndexMissing)  # 503 in the web app, exit 1 in the CLI


def test_several_urls_give_one_client_over_every_node():
    client = connect("http://127.0.0.1:9201, http://127.0.0.1:9202")
    try:
        hosts = sorted(c.host for c in client.transport.connection_pool.connections)
        assert hosts == ["http://127.0.0.1:9201", "http://127.0.0.1:9202"]
    finally:
        client.close()
