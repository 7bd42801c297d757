"""Pure text normalisation shared by the cleaner and the analyser.

Vietnamese text reaches us NFC or NFD, with two tone-mark placements ("hoà"/"hòa",
"thuỷ"/"thủy", "khoẻ"/"khỏe"), with non-breaking and zero-width spaces.  The cleaner
keeps the publisher's placement for display (``clean_text``); the analyser maps both
placements to one (``canonical_tones``, tone on the first vowel: hòa, thủy, khỏe — the
placement underthesea's ``text_normalize`` produces) and can fold diacritics away
(``fold``) for unaccented search.
"""
from __future__ import annotations

import itertools
import math
import re
import unicodedata

__all__ = ["clean_text", "canonical_tones", "fold", "nfc", "accented_forms"]

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                                  "\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\r\f\v"), " ")
_CONTROL = dict.fromkeys([c for c in range(32) if c not in (9, 10, 13)] + list(range(127, 160)))
_WS = re.compile(r"[ ]{2,}")
# One table for all three (where they overlap, \f and \v become spaces), applied only when
# the text holds one of its characters: str.translate with a dict walks a non-ASCII text a
# character at a time, and almost no paragraph needs it.
_ODD_CHARS = {**_CONTROL, **_SPACES, **_INVISIBLE}
_HAS_ODD = re.compile("[" + re.escape("".join(map(chr, _ODD_CHARS))) + "]")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean_text(text: str) -> str:
    """NFC, invisible characters dropped, odd spaces made plain, runs of spaces collapsed.

    >>> clean_text("Gia\\u0309m  nghe\\u0300o\\u00a0be\\u0302\\u0300n vư\\u0303ng\\u200b ")
    'Giảm nghèo bền vững'
    """
    text = nfc(text)
    if _HAS_ODD.search(text):
        text = text.translate(_ODD_CHARS)
    lines = (_WS.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


# Tone marks as NFC letters: base vowel -> (grave, acute, hook, tilde, dot)
_TONED = {
    "a": "àáảãạ", "e": "èéẻẽẹ", "o": "òóỏõọ", "u": "ùúủũụ", "y": "ỳýỷỹỵ",
    "A": "ÀÁẢÃẠ", "E": "ÈÉẺẼẸ", "O": "ÒÓỎÕỌ", "U": "ÙÚỦŨỤ", "Y": "ỲÝỶỸỴ",
}
_TONE_OF = {ch: (base, i) for base, row in _TONED.items() for i, ch in enumerate(row)}
# "oà", "oè", "uỳ" at the end of a syllable (no final consonant); "quỳ" is not one of them
# because there the u belongs to the consonant "qu".
_SECOND_TONED = re.compile(
    r"(?<![qQ])([oO])([àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸ])(?![^\W\d_])"
    r"|(?<![qQ])([uU])([ỳýỷỹỵỲÝỶỸỴ])(?![^\W\d_])"
)


def _move_tone(m: re.Match[str]) -> str:
    first, second = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    base, tone = _TONE_OF[second]
    return _TONED[first][tone] + base


def canonical_tones(text: str) -> str:
    """Put the tone of "oa", "oe", "uy" syllables on the first vowel (input must be NFC).

    >>> canonical_tones("Thanh Hoá, hoà bình, thuỷ lợi, khoẻ mạnh")
    'Thanh Hóa, hòa bình, thủy lợi, khỏe mạnh'
    >>> canonical_tones("quý, hoàng, thuyết, HOÀ")
    'quý, hoàng, thuyết, HÒA'
    """
    return _SECOND_TONED.sub(_move_tone, text)


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0xC0, 0x1EFA):
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)
        if len(base) > 1 and base[0].isascii() and base[0].isalpha():
            table[code] = base[0]
    return table


_FOLD = _fold_table()
_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Strip every diacritic and map đ→d, keeping case.

    >>> fold("Đường giảm nghèo BỀN VỮNG")
    'Duong giam ngheo BEN VUNG'
    """
    return _COMBINING.sub("", text.translate(_FOLD))


# What ``fold`` takes away from a Vietnamese syllable: the vowel marks, đ, and one tone
_MARKED = {"a": "aăâ", "e": "eê", "o": "oôơ", "u": "uư", "d": "dđ"}
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_VOWELS = frozenset("aăâeêioôơuưy")
MAX_FORMS = 4000


def accented_forms(folded: str) -> list[str]:
    """Every Vietnamese spelling of a folded lower-case syllable — vowel marks and đ where
    they can stand, at most one tone — with the tone where ``canonical_tones`` puts it;
    sorted.  An engine that indexes exact syllables but cannot list its terms asks for
    these to find the forms a folded syllable stands for.  Empty when there would be more
    than ``MAX_FORMS`` (no syllable of the language comes near).

    >>> accented_forms("ba")
    ['ba', 'bà', 'bá', 'bâ', 'bã', 'bă', 'bạ', 'bả', 'bấ', 'bầ', 'bẩ', 'bẫ', 'bậ', 'bắ', 'bằ', 'bẳ', 'bẵ', 'bặ']
    >>> "hòa" in accented_forms("hoa") and "hoà" not in accented_forms("hoa")
    True
    """
    choices = [_MARKED.get(c, c) for c in folded]
    vowels = sum(c in "aeiouy" for c in folded)
    if math.prod(len(c) for c in choices) * (1 + len(_TONE_MARKS) * vowels) > MAX_FORMS:
        return []
    out: set[str] = set()
    for letters in itertools.product(*choices):
        base = "".join(letters)
        out.add(base)
        for i, ch in enumerate(base):
            if ch in _VOWELS:
                for tone in _TONE_MARKS:
                    out.add(canonical_tones(nfc(base[:i] + ch + tone + base[i + 1:])))
    return sorted(out)
