"""The one Vietnamese analyser, used identically at index and query time.

Steps (each a small pure function, tested with Vietnamese examples):

1. ``normalize``  — NFC, invisible/odd spaces removed, tone placement made canonical
   ("hoà" → "hòa", "thuỷ" → "thủy"), so every way of typing a word meets one spelling.
2. ``segment``    — sentence split, then underthesea ``word_tokenize`` on the *original case*
   (the model is case-sensitive; all-capitals sentences are lower-cased first because the
   model never saw them).  Compound words come back joined by ``_``.
3. ``views``      — the indexed token streams, lower-cased:
   ``words`` (compound words, exact diacritics), ``syl`` (syllables with positions, for phrases
   and so that recall never depends on segmentation luck) and ``fold`` (syllables without
   diacritics, đ→d, for unaccented queries).  ``syl`` and ``fold`` carry a ``GAP`` token
   where punctuation (or another paragraph) stands between two syllables: the index leaves
   a position free there, so syllables are side by side only when nothing but spaces
   separates them in the text (``Vĩnh Long, An Giang`` has no *Long An*).

>>> views(segment(normalize("Xây dựng nông thôn mới ở Thanh Hoá")))["words"]
['xây_dựng', 'nông_thôn', 'mới', 'ở', 'thanh_hóa']
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from archive.textnorm import canonical_tones, clean_text, fold
from indexer.analysis.crfseg import word_tokenize

__all__ = ["ANALYSER_VERSION", "GAP", "normalize", "sentences", "segment", "views",
           "body_views", "syllables", "syllable_stream", "word_key", "has_diacritics", "fold"]

# Bump when any step changes: cached segmentations with another version are recomputed.
ANALYSER_VERSION = 1

_ALNUM = re.compile(r"\w+")
# a syllable, or a run of what breaks adjacency: anything but word characters and spaces
# ("_" joins a compound's syllables; a line break separates like punctuation)
_SYL_OR_BREAK = re.compile(r"[^\W_]+|[^\w ]+")
# In the positional syllable streams: no syllable, no posting, but it takes a position, so
# the syllables on either side are not side by side.  Two in a row between body parts, so
# that a quoted phrase (which may step over one) never spans a title and a paragraph.
GAP = "|"
_HAS_ALNUM = re.compile(r"[^\W_]")


def normalize(text: str) -> str:
    """NFC, clean spaces, canonical tone placement.

    >>> normalize("Hoà Bình  thuỷ\\u00a0điện")
    'Hòa Bình thủy điện'
    """
    return canonical_tones(clean_text(text))


@lru_cache(maxsize=1)
def _sent_tokenize():  # imported lazily: it costs ~0.5 s and the web pages rarely need it
    from underthesea import sent_tokenize
    return sent_tokenize


def _mostly_upper(sentence: str) -> bool:
    letters = list(filter(str.isalpha, sentence))  # C-level loops: this runs on every sentence
    return len(letters) >= 4 and sum(map(str.isupper, letters)) > 0.8 * len(letters)


def sentences(text: str) -> Iterator[str]:
    """The pieces ``segment`` hands to the word segmenter, one per sentence.

    >>> list(sentences("TIN NÓNG TỪ HÀ NỘI\\nMưa lớn."))
    ['tin nóng từ hà nội', 'Mưa lớn.']
    """
    if not text or not _HAS_ALNUM.search(text):
        return
    sent_tokenize = _sent_tokenize()
    for line in text.split("\n"):
        for sentence in sent_tokenize(line) if len(line) > 200 else [line]:
            yield sentence.lower() if _mostly_upper(sentence) else sentence


def segment(text: str) -> str:
    """Word-segment normalised text; words joined by ``_``, separated by spaces.

    ``crfseg.word_tokenize`` gives exactly underthesea's ``word_tokenize`` output, ~3x faster.

    >>> segment("Chương trình mục tiêu quốc gia tại Long An")
    'Chương_trình mục_tiêu quốc_gia tại Long_An'
    """
    out: list[str] = []
    for sentence in sentences(text):
        try:
            words = word_tokenize(sentence)
        except Exception:  # the CRF has failed on odd input; syllables still index it
            words = sentence.split()
        out.extend(w.replace(" ", "_") for w in words if w.strip())
    return " ".join(out)


def word_key(word: str) -> str:
    """Lower-cased compound word as indexed in ``words``.

    >>> word_key("Giảm_Nghèo")
    'giảm_nghèo'
    """
    return word.lower()


def syllables(segmented: str) -> list[str]:
    """Lower-cased syllables of segmented (or plain) text; punctuation dropped.

    >>> syllables("Phòng_LĐTB&XH 8/11 –")
    ['phòng', 'lđtb', 'xh', '8', '11']
    """
    return _ALNUM.findall(segmented.replace("_", " ").lower())


def syllable_stream(segmented: str) -> list[str]:
    """``syllables`` with one ``GAP`` wherever punctuation separates two syllables.

    >>> syllable_stream("Vĩnh_Long , An_Giang 8/11")
    ['vĩnh', 'long', '|', 'an', 'giang', '8', '|', '11']
    """
    out: list[str] = []
    gap = False
    for tok in _SYL_OR_BREAK.findall(segmented.lower()):
        if tok[0].isalnum():  # [^\W_] runs start with a letter or digit; breaks never do
            if gap and out:
                out.append(GAP)
            gap = False
            out.append(tok)
        else:
            gap = True
    return out


def has_diacritics(text: str) -> bool:
    """True when folding changes the text.

    >>> has_diacritics("giam ngheo"), has_diacritics("giảm nghèo"), has_diacritics("đi")
    (False, True, True)
    """
    return fold(text) != text


def views(segmented: str) -> dict[str, list[str]]:
    """Token streams for the index fields from one segmented text.

    >>> v = views("Đường_sắt Bắc_Nam")
    >>> v["words"], v["syl"], v["fold"]
    (['đường_sắt', 'bắc_nam'], ['đường', 'sắt', 'bắc', 'nam'], ['duong', 'sat', 'bac', 'nam'])
    """
    words = [word_key(w) for w in segmented.split() if _HAS_ALNUM.search(w)]
    syl = syllable_stream(segmented)
    # one fold over the joined syllables instead of one call each (a syllable folds to a
    # non-empty run without spaces, so the split gives them back one for one)
    folded = fold(" ".join(syl)).split(" ") if syl else []
    if len(folded) != len(syl):  # cannot happen for \w+ syllables; stay correct anyway
        folded = [fold(s) for s in syl]
    return {"words": words, "syl": syl, "fold": folded}


def body_views(parts: list[str]) -> dict[str, list[str]]:
    """``views`` of several segmented texts (headline, sapo, paragraphs, captions) as one
    field, two ``GAP`` between parts.

    >>> body_views(["Hạ_Long", "Long_An"])["syl"]
    ['hạ', 'long', '|', '|', 'long', 'an']
    """
    out: dict[str, list[str]] = {"words": [], "syl": [], "fold": []}
    for part in parts:
        v = views(part)
        if not v["syl"]:
            out["words"].extend(v["words"])
            continue
        for key in ("syl", "fold"):
            if out[key]:
                out[key].extend((GAP, GAP))
            out[key].extend(v[key])
        out["words"].extend(v["words"])
    return out
