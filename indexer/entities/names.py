"""Person names inside runs of capitalised words ("Long An Nguyễn Văn Út" → "Nguyễn Văn Út"),
shared by the official finders (``indexer.entities.officials``, ``indexer.entities.groups``)."""
from __future__ import annotations

from typing import Iterable

from archive.textnorm import fold
from indexer.entities.gazetteer import place_names
from indexer.entities.patterns import (
    ETHNIC_PREFIX, FOREIGN, HONORIFICS, MAJOR_SURNAMES, NAME_END_OK, NOT_NAME, RUN_RE,
    SURNAMES, SYLLABLE, TITLE_START)

__all__ = ["split_name", "cap_runs", "is_name_token", "word_before"]


def _vietnamese(tok: str) -> bool:
    """Plausible Vietnamese syllable ("Nguyễn", "Khăm"), not "Jean", "Prayut", "Kunan"."""
    return bool(SYLLABLE.fullmatch(fold(tok).lower()))


def word_before(text: str, i: int) -> bool:
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def is_name_token(tok: str) -> bool:
    core = tok.replace("'", "").replace("’", "")
    return bool(core) and tok[0].isupper() and core.isalpha() and (len(core) == 1 or (
        core[1:].islower() or tok[:2] in ETHNIC_PREFIX))


def cap_runs(text: str) -> Iterable[tuple[list[str], int]]:
    """Runs of capitalised words with their start offsets."""
    for m in RUN_RE.finditer(text):
        yield m.group().split(" "), m.start()


def _plausible(tail: list[str]) -> bool:
    """Vietnamese syllables, or a Tây Nguyên name whose prefix says so ("Y Mốt Niê")."""
    return tail[0] in ETHNIC_PREFIX or all(map(_vietnamese, tail))


def _institution_word(tail: list[str]) -> bool:
    """A word that names a body ("Viện", "Hội") is no part of a name, except as the given
    name closing a name of three or more words ("Nguyễn Văn Viện")."""
    inner = tail[1:-1] if len(tail) >= 3 and tail[-1] in NAME_END_OK else tail[1:]
    return any(t in NOT_NAME for t in inner)


def split_name(run: list[str]) -> tuple[int, list[str]] | None:
    """Find the person name at the end of a run such as "Long An Nguyễn Văn Út"."""
    places = place_names()
    i = 0
    while i < len(run) - 2 and run[i] in HONORIFICS:   # "Ông Lò Đức Liêm" opening a sentence
        i += 1
    while len(run) - i > 3 and run[-1] in TITLE_START:
        run = run[:-1]                 # "Ông Lê Văn Khoa Chánh văn phòng ...": no comma
    while i < len(run):
        for k in (4, 3, 2, 1):
            if " ".join(run[i:i + k]) in places:
                i += k
                break
        else:
            break
    for j in range(i, len(run)):
        tail = run[j:]
        if len(tail) == 4 and tail[1] in MAJOR_SURNAMES and run[j] not in ETHNIC_PREFIX:
            continue                   # "xã Hạ Sơn Trương Văn An": the name is the last three
        if run[j] in SURNAMES and 2 <= len(tail) <= 4 + (run[j] in ETHNIC_PREFIX):
            if (" ".join(tail) in places or _institution_word(tail)
                    or not _plausible(tail) or FOREIGN.fullmatch(" ".join(tail))
                    or (j >= 2 and run[j - 2:j + 1] == ["Thái", "Bình", "Dương"])):
                return None
            return j, tail
    return None
