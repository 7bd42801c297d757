"""Officials as people on OpenSearch (``indexer.opensearch.people``): facet labels, the
search by name and the person's page, on the session archive on a real node; the same
answers as the embedded engine's ``indexer.search.officials``."""
from __future__ import annotations

import pytest

from indexer import SearchError, SearchRequest
from indexer.entities.people import key_name, slug

pytestmark = pytest.mark.opensearch


@pytest.fixture(scope="module")
def person(searcher) -> dict:
    people = searcher.search(SearchRequest())["facets"]["official"]
    assert people, "the session archive names officials"
    return people[0]


def test_official_labels_add_name_slug_and_title(opensearch_engine, person):
    entries = opensearch_engine.official_labels([{"value": person["value"], "count": 1}])
    assert entries[0]["name"] == key_name(person["value"])
    assert entries[0]["slug"] == slug(person["value"]) == person["slug"]
    assert entries[0]["title"] == person.get("title")
    bare = opensearch_engine.official_labels([{"value": person["value"]}], with_titles=False)
    assert "title" in bare[0] and bare[0]["title"] is None


def test_find_officials_by_a_name_without_diacritics(opensearch_engine, searcher, person):
    name = key_name(person["value"]).split()[-1]
    from archive.textnorm import fold
    found = opensearch_engine.find_officials(fold(name))
    assert person["value"] in [f["key"] for f in found]
    assert found == searcher.find_officials(fold(name))
    assert [f["articles"] for f in found] == sorted((f["articles"] for f in found), reverse=True)


def test_an_empty_name_is_a_search_error(opensearch_engine):
    with pytest.raises(SearchError):
        opensearch_engine.find_officials("   ")


def test_the_persons_page_counts_their_articles(opensearch_engine, searcher, person):
    page = opensearch_engine.official(person["slug"])
    assert page == searcher.official(person["slug"])
    assert page["key"] == person["value"] and page["article_count"] == person["count"]
    assert all(o["value"] != person["value"] for o in page["co_officials"])
    assert page["articles"]["total"] == person["count"]


def test_an_unknown_person_has_no_page(opensearch_engine):
    assert opensearch_engine.official("nguyen-van-khong-co") is None
