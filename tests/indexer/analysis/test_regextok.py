"""regextok.tokenize must give exactly underthesea's regex tokens, for any input."""
from __future__ import annotations

import re
import unicodedata

import pytest
from underthesea.pipeline.word_tokenize import regex_tokenize
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize as underthesea_tokenize

from indexer.analysis import regextok
from tests.indexer.analysis.test_crfseg import OWN, vietnews_sentences


def theirs(text: str) -> list[str]:
    return underthesea_tokenize(text, use_token_normalize=True, fixed_words=[])


def test_pattern_shape_is_recognised():
    assert regextok.shape_ok(regex_tokenize.patterns)


@pytest.mark.parametrize("text", OWN + [
    "nghành, baì và ð: tokens the normaliser maps",  # token_map / character_map entries
    unicodedata.normalize("NFD", "Hoà Bình thuỷ điện Sơn La"),  # decomposed input
    "foo.na@example.com http://a.vn/x_(y) v.v... 3x4 °C ==> --",
])
def test_same_tokens_as_underthesea(text):
    assert regextok.tokenize(text) == theirs(text)


def test_same_tokens_on_vietnews():
    sents = vietnews_sentences(2000)
    assert len(sents) == 2000
    assert [regextok.tokenize(s) for s in sents] == [theirs(s) for s in sents]


def test_falls_back_when_the_pattern_changes_shape(monkeypatch):
    # a pattern whose alternatives are not whole named groups: the first named group that
    # matched is no longer the whole match, so only underthesea's own function is right
    odd = re.compile(r"((?P<word>\w+)!|(?P<other>\S))")
    monkeypatch.setattr(regex_tokenize, "patterns", odd)
    text = "chào! bạn"
    # underthesea returns the "word" group's text, not the whole match "chào!"
    assert regextok.tokenize(text) == theirs(text) == ["chào", "b", "ạ", "n"]
