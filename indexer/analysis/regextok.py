"""underthesea's regex tokenizer (the step before its CRF), the same tokens in a third of
the time.

``underthesea.pipeline.word_tokenize.regex_tokenize.tokenize`` finds each token's kind with
``Match.groupdict()`` (a dict of ~15 groups per token) and normalises every token through
NFC and a character map, although the sentence was normalised just before.  Every
alternative of its pattern is one named group spanning the whole alternative, so the first
group that matched *is* the whole match; and token normalisation depends on the token
alone, so it is looked up once per distinct token.  Both facts are checked when the
module first runs (``shape_ok``); if a future underthesea breaks either, this falls back
to its own function.

>>> tokenize("Phó Chủ tịch UBND (TP.HCM) đến lúc 8h30.")
['Phó', 'Chủ', 'tịch', 'UBND', '(', 'TP.HCM', ')', 'đến', 'lúc', '8', 'h30', '.']
"""
from __future__ import annotations

import re
from typing import Any

from underthesea.pipeline.text_normalize import token_normalize
from underthesea.pipeline.text_normalize.character_normalize import normalize_characters_in_text
from underthesea.pipeline.word_tokenize import regex_tokenize as _rt

__all__ = ["tokenize", "shape_ok"]

# token_normalize leaves longer tokens alone (its own first test)
_NORMALISED_UP_TO = 6
_CACHE_MAX = 200_000  # distinct short tokens remembered (numbers make the set open-ended)


class _Normalised(dict):
    """token -> token_normalize(token), computed on first sight."""

    def __missing__(self, token: str) -> str:
        if len(self) > _CACHE_MAX:
            self.clear()
        value = self[token] = token_normalize(token)
        return value


_normalised = _Normalised()
_checked: Any = None  # the compiled pattern whose shape was checked and found fit
_unfit: Any = None  # one found unfit: underthesea's own function tokenizes


def shape_ok(pattern: Any) -> bool:
    """Is ``pattern`` underthesea's alternation of whole-alternative named groups?"""
    try:
        parser: Any = getattr(re, "_parser", None)
        if parser is None:  # Python < 3.11
            import sre_parse as parser  # type: ignore[no-redef]
        if pattern.pattern != "(" + "|".join(_rt.regex_patterns) + ")":
            return False
        for alternative in _rt.regex_patterns:
            parsed = parser.parse(alternative, pattern.flags)
            items = list(parsed)
            if len(items) != 1 or str(items[0][0]) != "SUBPATTERN":
                return False
            group = items[0][1][0]
            if group not in parsed.state.groupdict.values():
                return False
        return True
    except Exception:
        return False


def tokenize(text: str) -> list[str]:
    """``regex_tokenize.tokenize(text, use_token_normalize=True, fixed_words=[])``."""
    global _checked, _unfit
    pattern = _rt.patterns  # a module global: underthesea re-assigns it for fixed_words
    if pattern is not _checked:
        if pattern is _unfit or not shape_ok(pattern):
            _unfit = pattern
            return _rt.tokenize(text, use_token_normalize=True, fixed_words=[])
        _checked = pattern
    normalised = _normalised
    return [token if len(token) > _NORMALISED_UP_TO else normalised[token]
            for token in [m.group() for m in pattern.finditer(
                normalize_characters_in_text(text))]]
