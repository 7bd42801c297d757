"""Provinces before and after the 1 July 2025 merger, in any spelling."""
from __future__ import annotations

import pytest

from indexer.entities.gazetteer import (canonical_province, find_provinces, gazetteer,
                                        place_names, province_2025)


def test_63_provinces_map_onto_34():
    g = gazetteer()
    assert len(g.short_2025) == 63 and len(set(g.short_2025.values())) == 34


@pytest.mark.parametrize("typed, canonical", [
    ("tp hcm", "Hồ Chí Minh"), ("Sài Gòn", "Hồ Chí Minh"), ("Hue", "Thừa Thiên Huế"),
    ("long an", "Long An"), ("Đắc Lắk", "Đắk Lắk"),
])
def test_user_spellings_resolve(typed, canonical):
    assert canonical_province(typed) == canonical


def test_merged_provinces():
    assert province_2025("Long An") == "Tây Ninh" and province_2025("Tiền Giang") == "Đồng Tháp"
    assert province_2025("Hà Nội") == "Hà Nội" and province_2025("Atlantis") is None


def test_provinces_named_directly_or_through_a_district():
    text = "Đoàn công tác huyện Tân Trụ, tỉnh Long An đến thị xã Cai Lậy, tỉnh Tiền Giang."
    assert {p for p, _ in find_provinces(text)} == {"Long An", "Tiền Giang"}
    assert {"Cai Lậy", "Tân Trụ", "Long An"} <= place_names()
