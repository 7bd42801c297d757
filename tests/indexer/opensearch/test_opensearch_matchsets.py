"""Strict match semantics on both engines (issue 14 on OpenSearch): the made-up archive of
``tests/indexer/search/test_matchsets.py``, each article written to tell two readings of a
query apart, indexed by both engines; every query gives the same set and fallback."""
from __future__ import annotations


import pytest

from indexer import ArchiveSearcher, SearchRequest
from tests.querying import ingest_docs
from tests.indexer.search.test_matchsets import DOCS

pytestmark = pytest.mark.opensearch

# query → the set the embedded engine's own tests fix (``test_matchsets``)
EXPECTED = {
    "tặc": {"m1", "m3", "m10"}, "tác": {"m2", "m7"}, "tin tặc": {"m1", "m10"},
    "tin tac": {"m1", "m10"}, "hạ long": {"m4"}, "HẠ LONG": {"m4"}, "ha long": {"m4"},
    "giam ngheo long an": {"m9"}, "Long An": {"m9"}, "long an": {"m9"},
    '"trước đó khoảng 22h ngày"': {"m6"}, '"truoc do khoang 22h ngay"': {"m6"},
    '"Vĩnh Long An Giang"': {"m7"}, '"tin tặc đòi"': {"m1"}, "hoà bình": {"m8"},
    '"cũng được"': {"m12"}, '"cung duoc"': {"m12"}, "COVID-19": {"m13"},
}
FALLBACKS = {"hạ lóng": "accented_to_folded", "10/5": "adjacent_to_anywhere",
             "Hạ Long tàu vũ trụ": "all_to_most_words", "tin tặc": None}


@pytest.fixture(scope="module")
def engines(tmp_path_factory, opensearch_node):
    from indexer.opensearch import OpenSearchEngine, connect, reindex_opensearch
    root = tmp_path_factory.mktemp("os-matchsets")
    ingest_docs(root, DOCS)
    client = connect(opensearch_node.url)
    assert reindex_opensearch(root / "data", client, alias="matchsets").failures == []
    embedded = ArchiveSearcher(root / "data")
    opensearch = OpenSearchEngine(root / "data", opensearch_node.url, alias="matchsets",
                                  client=client)
    yield embedded, opensearch
    embedded.close()
    opensearch.close()


def _found(engine, q: str) -> tuple[set[str], int, object]:
    res = engine.search(SearchRequest(q=q, per_page=100))
    return {h["url"].rsplit("/", 1)[1] for h in res["results"]}, res["total"], res["fallback"]


@pytest.mark.parametrize("q", sorted(EXPECTED))
def test_the_same_strict_set_on_both_engines(engines, q):
    embedded, opensearch = engines
    got = _found(opensearch, q)
    assert got == _found(embedded, q)
    assert got[0] == EXPECTED[q] and got[1] == len(EXPECTED[q]) and got[2] is None


@pytest.mark.parametrize("q", sorted(FALLBACKS))
def test_the_same_announced_fallback_on_both_engines(engines, q):
    embedded, opensearch = engines
    got = _found(opensearch, q)
    assert got == _found(embedded, q)
    assert got[2] == FALLBACKS[q] and got[1] > 0
