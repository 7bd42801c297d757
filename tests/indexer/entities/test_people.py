"""Who a mention is: a person key, name plus the province of a local office."""
from __future__ import annotations

from indexer.entities.people import key_name, person_key, slug


def test_a_local_office_keys_the_person_by_province_a_national_one_does_not():
    local = person_key("Võ Thị Búp", ["Phó Chủ tịch UBND thị xã Cai Lậy"], ["Tiền Giang"])
    assert local == "Võ Thị Búp (Tiền Giang)" and key_name(local) == "Võ Thị Búp"
    assert person_key("Phạm Minh Chính", ["Thủ tướng"], ["Hà Nội"]) == "Phạm Minh Chính"


def test_two_people_of_one_name_in_two_provinces_stay_apart():
    a = person_key("Võ Thị Bích", ["Chủ tịch UBND xã"], ["Long An"])
    b = person_key("Võ Thị Bích", ["Chủ tịch UBND xã"], ["Hà Tĩnh"])
    assert a != b and slug(a) != slug(b)


def test_slugs_are_ascii_and_stable():
    assert slug("Võ Thị Búp (Tiền Giang)") == "vo-thi-bup-tien-giang"
