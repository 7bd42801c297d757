"""Word-level differences between two versions of an article, as NewsDiffs shows them.

Pure functions.  Text is compared word by word (a word is a run of letters and digits or a
run of punctuation, with the spaces after it), so a changed figure or tone mark marks
one word, not a line.  Paragraphs are aligned first; paired paragraphs that differ are
diffed word by word, and unpaired ones are wholly inserted or deleted.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

__all__ = ["Segment", "words", "word_diff", "paragraph_diff", "article_diff"]

# (op, text) with op "=" (in both), "-" (only in the older), "+" (only in the newer)
Segment = tuple[str, str]

_WORD = re.compile(r"\w+\s*|[^\w\s]+\s*|\s+")
# Paragraphs at least this similar (difflib ratio over words) are shown as one edited
# paragraph; below it, as one deleted and one inserted.
PAIR_RATIO = 0.4


def words(text: str) -> list[str]:
    """The pieces a text is compared in, NFC first (so NFD and NFC input compare equal).

    >>> words("Hà Nội, 2024")
    ['Hà ', 'Nội', ', ', '2024']
    """
    return _WORD.findall(unicodedata.normalize("NFC", text or ""))


def _merge(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for op, text in segments:
        if not text:
            continue
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))
    return out


def word_diff(old: str | None, new: str | None) -> list[Segment]:
    """``old`` → ``new`` as segments; joining the "=" and "+" texts gives ``new`` back, the
    "=" and "-" texts give ``old`` (up to the spacing between words).

    >>> word_diff("Hỗ trợ 100 hộ nghèo", "Hỗ trợ 120 hộ nghèo")
    [('=', 'Hỗ trợ '), ('-', '100 '), ('+', '120 '), ('=', 'hộ nghèo')]
    """
    a, b = words(old or ""), words(new or "")
    out: list[Segment] = []
    # words are matched without their trailing spaces; the equal runs are given as the
    # newer text spaces them
    matcher = SequenceMatcher(None, [w.rstrip() for w in a], [w.rstrip() for w in b],
                              autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(("=", "".join(b[j1:j2])))
        else:  # "replace", "delete", "insert": older words first, as they are read
            out.append(("-", "".join(a[i1:i2])))
            out.append(("+", "".join(b[j1:j2])))
    return _merge(out)


def _paired(old: Sequence[str], new: Sequence[str]) -> list[list[Segment]]:
    """Unequal runs of paragraphs: similar ones paired in order, the rest whole."""
    out: list[list[Segment]] = []
    i = j = 0
    while i < len(old) or j < len(new):
        if i < len(old) and j < len(new):
            ratio = SequenceMatcher(None, [w.strip() for w in words(old[i])],
                                    [w.strip() for w in words(new[j])], autojunk=False).ratio()
            if ratio >= PAIR_RATIO:
                out.append(word_diff(old[i], new[j]))
                i, j = i + 1, j + 1
                continue
            # keep the older paragraph that no later new one resembles as a deletion
            out.append([("-", old[i])] if len(old) - i >= len(new) - j else [("+", new[j])])
            i, j = (i + 1, j) if out[-1][0][0] == "-" else (i, j + 1)
        elif i < len(old):
            out.append([("-", old[i])])
            i += 1
        else:
            out.append([("+", new[j])])
            j += 1
    return out


def paragraph_diff(old: Sequence[str], new: Sequence[str]) -> list[list[Segment]]:
    """One list of segments per shown paragraph (unchanged ones are one "=" segment)."""
    a = [unicodedata.normalize("NFC", p) for p in old]
    b = [unicodedata.normalize("NFC", p) for p in new]
    out: list[list[Segment]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend([("=", p)] for p in a[i1:i2])
        else:
            out.extend(_paired(a[i1:i2], b[j1:j2]))
    return out


def article_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """Headline, sapo, paragraphs and captions of two article dicts (``Article.to_dict()``
    or a version's JSON) compared; ``changed`` says whether any word differs."""
    out: dict[str, Any] = {
        "title": word_diff(old.get("title"), new.get("title")),
        "sapo": word_diff(old.get("sapo"), new.get("sapo")),
        "paragraphs": paragraph_diff(old.get("paragraphs") or (), new.get("paragraphs") or ()),
        "captions": paragraph_diff(old.get("captions") or (), new.get("captions") or ()),
    }
    segs = [*out["title"], *out["sapo"], *(s for p in out["paragraphs"] for s in p),
            *(s for p in out["captions"] for s in p)]
    out["changed"] = any(op != "=" for op, _ in segs)
    return out
