"""Highlighted snippets without re-running the segmenter.

Whoosh's highlighter re-analyses stored text with the field analyser (underthesea: ~10 ms
a document).  Matching is done on folded syllables instead, which is what every query view
reduces to, so a snippet marks "giảm nghèo" for the query "giam ngheo" as well.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from html import escape

from archive.textnorm import fold

__all__ = ["snippet", "DEFAULT_CHARS"]

DEFAULT_CHARS = 220
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=100_000)
def _fold_word(word: str) -> str:  # news reuses a small vocabulary: fold each word once
    return fold(word.lower())


def _score(paragraph_folded: str, terms: set[str]) -> int:
    found = {w for w in _WORD.findall(paragraph_folded) if w in terms}
    return len(found)


def snippet(texts: Sequence[str], terms: Iterable[str], max_chars: int = DEFAULT_CHARS) -> str:
    """HTML snippet of the best passage; only our ``<mark>`` tags are unescaped.

    ``terms`` are folded lower-case syllables.

    >>> snippet(["Tin khác.", "Huyện đẩy mạnh giảm nghèo <b>bền vững</b>."], ["giam", "ngheo"])
    'Huyện đẩy mạnh <mark>giảm</mark> <mark>nghèo</mark> &lt;b&gt;bền vững&lt;/b&gt;.'
    """
    wanted = {t for t in terms if t}
    texts = [t for t in texts if t and t.strip()]
    if not texts:
        return ""
    best, best_score = texts[0], -1
    if wanted:
        for text in texts:
            s = _score(fold(text.lower()), wanted)
            if s > best_score:
                best, best_score = text, s
    text = best
    spans = [m.span() for m in _WORD.finditer(text) if _fold_word(m.group()) in wanted]
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
