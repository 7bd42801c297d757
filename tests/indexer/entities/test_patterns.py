"""The pattern tables: surnames, roles and cues, as data."""
from __future__ import annotations

from archive.textnorm import canonical_tones
from indexer.entities.patterns import (ALWAYS_RE, HONORIFICS, ROLE_RE, SURNAMES, SYLLABLE,
                                       VN_ENVOY)


def test_surnames_include_ethnic_minority_ones_and_skip_organisation_words():
    for name in ("Nguyễn", "Võ", "Trương", "Lầu", "Sùng", "Giàng", "Điểu"):
        assert canonical_tones(name) in SURNAMES
    for word in ("Văn", "Công", "Kim"):
        assert word not in SURNAMES


def test_roles():
    assert ROLE_RE.search("Phó Chủ tịch UBND thị xã Cai Lậy")
    assert ALWAYS_RE.match("Bí thư") and not ALWAYS_RE.match("Giám đốc")
    assert VN_ENVOY.search("Đại sứ Việt Nam tại Nhật Bản")


def test_syllable_shape_and_honorifics():
    assert SYLLABLE.fullmatch("nguyen") and not SYLLABLE.fullmatch("prayut")
    assert "Bà" in HONORIFICS
