"""Officials as people across the archive (indexer.search.officials, indexer.entities.people)."""
from __future__ import annotations

import pytest

from indexer import ArchiveSearcher, SearchRequest
from indexer.entities.people import person_key, slug
from tests.officials_archive import HA_TINH, LONG_AN, build


@pytest.fixture(scope="module")
def officials_searcher(tmp_path_factory):
    s = ArchiveSearcher(build(tmp_path_factory.mktemp("officials") / "data"))
    yield s
    s.close()


def test_person_key_scope_rule() -> None:
    assert person_key("Võ Thị Bích", ["Phó chủ tịch UBND huyện Cần Giuộc"], []) == LONG_AN
    assert person_key("Lê Văn Minh", ["Bộ trưởng Bộ Y tế"], ["Long An"]) == "Lê Văn Minh"
    assert person_key("Lê Văn Minh", ["Chủ tịch UBND xã Tân Phú"], ["Bến Tre"]) == \
        "Lê Văn Minh (Bến Tre)"
    assert slug(LONG_AN) == "vo-thi-bich-long-an"


def test_two_same_named_people_stay_apart(officials_searcher) -> None:
    res = officials_searcher.search(SearchRequest(q=""))
    counts = {f["value"]: f["count"] for f in res["facets"]["official"]}
    assert counts[LONG_AN] == 2 and counts[HA_TINH] == 1


def test_facet_filter_by_person_counts_every_mention_form(officials_searcher) -> None:
    res = officials_searcher.search(SearchRequest(filters={"official": (LONG_AN,)}))
    assert res["total"] == 2           # "bà Võ Thị Bích …", "Chủ tịch … Võ Thị Bích"
    assert {h["url"][-1] for h in res["results"]} == {"1", "2"}
    entry = next(f for f in res["facets"]["official"] if f["value"] == LONG_AN)
    assert entry["title"] == "Chủ tịch UBND huyện Cần Giuộc"     # the most recent one
    assert entry["slug"] == "vo-thi-bich-long-an"


def test_official_record(officials_searcher) -> None:
    o = officials_searcher.official("vo-thi-bich-long-an")
    assert o["name"] == "Võ Thị Bích" and o["article_count"] == 2
    assert [(t["title"], t["first"]) for t in o["titles"]] == [
        ("Phó chủ tịch UBND huyện Cần Giuộc", "2024-01"),
        ("Chủ tịch UBND huyện Cần Giuộc", "2024-06")]
    assert o["title"] == "Chủ tịch UBND huyện Cần Giuộc"
    assert [p["value"] for p in o["provinces"]] == ["Long An"]
    assert [p["value"] for p in o["programs"]] == ["Giảm nghèo bền vững"]
    assert [c["value"] for c in o["co_officials"]] == ["Trần Văn Hạc (Long An)"]
    assert o["articles"]["total"] == 2
    within = officials_searcher.official("vo-thi-bich-long-an", q="hiến đất")
    assert within["articles"]["total"] == 1
    assert officials_searcher.official("khong-co-ai") is None


def test_find_officials_with_or_without_diacritics(officials_searcher) -> None:
    for q in ("Võ Thị Bích", "vo thi bich", "BICH"):
        found = officials_searcher.find_officials(q)
        assert [o["key"] for o in found] == [LONG_AN, HA_TINH]
