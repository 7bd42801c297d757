"""Person names inside runs of capitalised words."""
from __future__ import annotations

from archive.textnorm import canonical_tones
from indexer.entities.names import split_name


def run(text: str) -> list[str]:
    return canonical_tones(text).split(" ")


def test_name_at_the_end_of_a_place_run() -> None:
    assert split_name(run("Long An Nguyễn Văn Út")) == (2, run("Nguyễn Văn Út"))


def test_title_word_glued_to_the_name_is_dropped_only_after_three_words() -> None:
    assert split_name(run("Lê Văn Khoa Chánh")) == (0, run("Lê Văn Khoa"))
    assert split_name(run("Ông Võ Văn Chánh")) == (1, run("Võ Văn Chánh"))


def test_body_word_closes_a_name_but_does_not_sit_inside_one() -> None:
    assert split_name(run("Nguyễn Văn Viện")) == (0, run("Nguyễn Văn Viện"))
    assert split_name(run("Nguyễn Viện Kiểm")) is None
