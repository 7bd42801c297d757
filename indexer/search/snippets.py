"""Highlighted snippets without re-running the segmenter.

Whoosh's highlighter re-analyses stored text with the field analyser (with underthesea,
slower than the whole query).  Matching is done on syllables instead, the way the query views rank: an
unaccented query word marks every spelling ("giam ngheo" marks "giảm nghèo"), an accented one
marks its own spelling only ("giảm" does not mark "Giám đốc").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from html import escape

from archive.textnorm import canonical_tones, fold

__all__ = ["snippet", "DEFAULT_CHARS"]

DEFAULT_CHARS = 220
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:  # news reuses a small vocabulary: fold each word once
    return fold(word.lower())


@lru_cache(maxsize=100_000)
def _exact_word(word: str) -> str:
    return canonical_tones(word.lower())


def _matcher(terms: Iterable[str], strict: bool):
    """A word test: accented terms match only the same spelling (any tone placement or
    case), unaccented ones any diacritics — as the query views rank them.  With
    ``strict`` off every term matches folded (used when no exact spelling occurs)."""
    terms = {canonical_tones(t.lower()) for t in terms if t}
    folded = {fold(t) for t in terms} if not strict else {t for t in terms if fold(t) == t}
    exact = {t for t in terms if fold(t) != t} if strict else set()

    def match(word: str) -> bool:
        return _fold_word(word) in folded or (bool(exact) and _exact_word(word) in exact)
    return match


def _spans(text: str, match) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text) if match(m.group())]


def snippet(texts: Sequence[str], terms: Iterable[str], max_chars: int = DEFAULT_CHARS) -> str:
    """HTML snippet of the best passage; only our ``<mark>`` tags are unescaped.

    ``terms`` are the query's lower-case syllables, with or without diacritics.

    >>> snippet(["Tin khác.", "Huyện đẩy mạnh giảm nghèo <b>bền vững</b>."], ["giam", "ngheo"])
    'Huyện đẩy mạnh <mark>giảm</mark> <mark>nghèo</mark> &lt;b&gt;bền vững&lt;/b&gt;.'
    >>> snippet(["Giám đốc sở nói về giảm nghèo."], ["giảm", "nghèo"])
    'Giám đốc sở nói về <mark>giảm</mark> <mark>nghèo</mark>.'
    """
    terms = [t for t in terms if t]
    texts = [t for t in texts if t and t.strip()]
    if not texts:
        return ""
    match = _matcher(terms, strict=True)
    best, best_score = texts[0], 0
    # each paragraph's distinct words once (a paragraph repeats many of its words)
    words = [set(_WORD.findall(text)) for text in texts] if terms else []
    every = set().union(*words)  # each distinct word of the article tested once
    hits = {w for w in every if match(w)}
    for text, distinct in zip(texts, words):
        score = len({_fold_word(w) for w in distinct & hits})
        if score > best_score:
            best, best_score = text, score
    if terms and best_score == 0:  # the article matched through folded spellings only
        match = _matcher(terms, strict=False)
        hits = {w for w in every if match(w)}
        for text, distinct in zip(texts, words):
            score = len({_fold_word(w) for w in distinct & hits})
            if score > best_score:
                best, best_score = text, score
    text = best
    spans = _spans(text, match) if terms else []
    start = 0
    if spans and len(text) > max_chars:
        # window starting a little before the densest run of matches
        first = spans[0][0]
        best_count = 0
        for i, (s, _) in enumerate(spans):
            count = sum(1 for a, _ in spans[i:] if a < s + max_chars * 0.8)
            if count > best_count:
                best_count, first = count, s
        start = max(0, first - max_chars // 5)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + max_chars)
    if end < len(text):
        while end > start + max_chars // 2 and not text[end].isspace():
            end -= 1
    out, pos = [], start
    for s, e in spans:
        if s < start or e > end:
            continue
        out.append(escape(text[pos:s], quote=False))
        out.append(f"<mark>{escape(text[s:e], quote=False)}</mark>")
        pos = e
    out.append(escape(text[pos:end], quote=False))
    return ("… " if start > 0 else "") + "".join(out) + (" …" if end < len(text) else "")
