"""Officials named in groups, as a former holder, or by a two-word short form."""
from __future__ import annotations

from indexer.entities.groups import fold_short_names, group_mentions, listed_names


def test_listed_names_stop_at_the_first_non_name() -> None:
    text = "các ông Nguyễn Văn Hai, Trần Văn Ba và ông Lê Văn Bốn, nguyên cán bộ"
    assert listed_names(text, len("các ông ")) == ["Nguyễn Văn Hai", "Trần Văn Ba", "Lê Văn Bốn"]


def test_group_takes_the_title_of_its_last_named_member() -> None:
    text = "khởi tố các ông Nguyễn Văn Hai, Trần Văn Ba, nguyên Phó chủ tịch UBND huyện."
    pos = text.index("nguyên")
    got = list(group_mentions(text, [(pos, "nguyên Phó chủ tịch UBND huyện", "Trần Văn Ba")]))
    assert got == [("Nguyễn Văn Hai", "nguyên Phó chủ tịch UBND huyện", "Trần Văn Ba")]


def test_former_holder_needs_an_office_in_the_same_sentence() -> None:
    text = "Ông A được bầu làm Chủ tịch UBND tỉnh. Ông B thay ông Nguyễn Văn Cả."
    assert list(group_mentions(text, [(text.index("Chủ tịch"), "Chủ tịch UBND tỉnh", None)])) == []


def test_fold_short_names_only_when_one_full_name_fits() -> None:
    titles = {"Nguyễn Thái Sơn": ["ĐBQH"], "Thái Sơn": ["ĐBQH"]}
    ctx = {"Thái Sơn"}
    fold_short_names(titles, [], ctx)
    assert titles == {"Nguyễn Thái Sơn": ["ĐBQH"]} and "Nguyễn Thái Sơn" in ctx
    titles = {"Nguyễn Thái Sơn": [], "Lê Thái Sơn": [], "Thái Sơn": ["ĐBQH"]}
    fold_short_names(titles, [], set())
    assert "Thái Sơn" in titles
