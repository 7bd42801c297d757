"""Snippets: the best passage, marked as the query views match, safely escaped."""
from __future__ import annotations

from indexer.search.snippets import DEFAULT_CHARS, snippet


def test_unaccented_terms_mark_every_spelling_accented_only_their_own():
    texts = ["Giám đốc sở nói về giảm nghèo."]
    assert snippet(texts, ["giam"]) == "<mark>Giám</mark> đốc sở nói về <mark>giảm</mark> nghèo."
    assert snippet(texts, ["giảm"]) == "Giám đốc sở nói về <mark>giảm</mark> nghèo."


def test_tone_placement_and_case_do_not_matter():
    assert "<mark>Hoà</mark>" in snippet(["Xã Tân Hoà đạt chuẩn."], ["hòa"])


def test_the_passage_with_the_terms_is_chosen_and_cut_to_length():
    texts = ["Mở đầu không liên quan. " * 30, "Huyện Tân Trụ học tập kinh nghiệm giảm nghèo bền vững."]
    out = snippet(texts, ["giảm", "nghèo"])
    assert "<mark>giảm</mark> <mark>nghèo</mark>" in out and len(out) < DEFAULT_CHARS + 80


def test_only_our_marks_survive_escaping():
    out = snippet(['<script>alert("x")</script> giảm nghèo'], ["nghèo"])
    assert "<script>" not in out and "&lt;script&gt;" in out and "<mark>nghèo</mark>" in out


def test_no_terms_gives_the_opening_text():
    assert snippet(["Đoạn đầu.", "Đoạn hai."], []).startswith("Đoạn đầu.")
