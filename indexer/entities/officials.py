"""Officials named in an article's text (used by ``indexer.entities.extract``).

The shapes Vietnamese news uses: "bà Võ Thị Búp – Phó Chủ tịch UBND thị xã Cai Lậy", "Chủ tịch
UBND tỉnh Long An Nguyễn Văn Út", "ông Trí, Phó Chủ tịch ..." (linked to the full name given
earlier), "ông Trần Văn Bảy (48 tuổi), phó chủ tịch xã ...", "bị cáo Lê Văn Tư (nguyên phó chủ
tịch UBND phường 5)", "đồng chí ...", "H' Bia Niê".  A person named with a public position,
current or former, counts whatever else the article says of them; company staff and
foreigners do not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable

from archive.textnorm import nfc
from indexer.entities.gazetteer import place_names
from indexer.entities.groups import fold_short_names, group_mentions
from indexer.entities.names import cap_runs, is_name_token, split_name, word_before
from indexer.entities.patterns import (
    ADMIN_BEFORE, AGE_OPEN, APPOINTED_BEFORE, APPOINTING_WORDS, ALWAYS_RE, ASIDE, ASSEMBLY, BARE_PUBLIC, COMPANY, DEPUTY, DOTTED,
    FOREIGN, GAZETTEER_LEVEL, HONORIFIC_CUE, HONORIFIC_NO_SEP, INSTITUTION_IN_RUN, PUBLIC_ORG, ROLE_LOW,
    ROLE_RE, RUN_RE, SEP_BEFORE, SHORT_AFTER_ROLE, STAFF_CUE, TITLE_END, TITLE_THEN_PERSON,
    UNIT_AFTER, UNIT_ROLE, VIET_X, VN_ENVOY)

__all__ = ["Official", "find_officials"]

@dataclass(frozen=True, slots=True)
class Official:
    name: str                   # full name, NFC, e.g. "Võ Thị Búp"
    titles: tuple[str, ...]     # e.g. ("Phó Chủ tịch UBND thị xã Cai Lậy",)
    organisation: str | None = None




def _title_phrase(text: str, start: int) -> str:
    m = TITLE_END.search(text, start)
    end = m.start() if m else len(text)
    if text.startswith(" tại ", end) and VN_ENVOY.match(text, start):
        m = TITLE_END.search(text, end + 5)      # "Đại sứ Việt Nam tại Ai Cập Trần Thành Công"
        end = m.start() if m else len(text)
    if text.startswith("(", end):   # "Cục trưởng Cục Kiểm lâm (Bộ NN-PTNT) Đỗ Văn Tín cho hay"
        close = text.find(")", end, end + 80)
        run = RUN_RE.match(text, close + 2) if close > 0 and text[close + 1:close + 2] == " " \
            else None
        split = split_name(run.group().split(" ")) if run else None
        if run and split and split[0] == 0:
            m = TITLE_END.search(text, run.end())
            end = m.start() if m else len(text)
    nxt = ROLE_RE.search(text, ROLE_RE.match(text, start).end(), end)  # type: ignore[union-attr]
    if nxt and text[start:nxt.start()].rstrip().endswith((" và", ",")):
        end = nxt.start()
    phrase = text[start:end]
    depth = 0
    for i, c in enumerate(phrase):   # "(nguyên phó chủ tịch UBND phường 5)" ends at its ")"
        depth += (c == "(") - (c == ")")
        if depth < 0:
            phrase = phrase[:i]
            break
    return phrase.strip(" –—-").strip()


def _names_a_place(before: str, tail: list[str]) -> bool:
    """The name right after "phường", "Trường", "bệnh viện" ... is the place's or the
    institution's.  After a level the gazetteer lists in full (tỉnh, huyện, TP ...) a
    three-syllable name it does not know is a person ("UBND TP Nguyễn Văn Tâm")."""
    m = ADMIN_BEFORE.search(before)
    return bool(m) and not (len(tail) >= 3 and GAZETTEER_LEVEL.fullmatch(m.group(1)))


def _name_in_title(title: str) -> tuple[str, str] | None:
    """"TITLE [ORG] NAME": the first capitalised run in the phrase that ends in a name."""
    for run, rstart in cap_runs(title):
        split = split_name(run)
        if not split:
            continue
        j, tail = split
        offs = rstart + sum(len(t) + 1 for t in run[:j])
        end = rstart + len(" ".join(run))
        inside = j > 0 and run[j - 1] in INSTITUTION_IN_RUN      # "Trường Cao Nguyên"
        if (inside or (j == 0 and _names_a_place(title[:offs], tail))
                or DOTTED.match(title, end)):
            continue                       # "Trường THPT Cao Nguyên", "Sài Gòn Co.op"
        return " ".join(tail), title[:offs].strip(" ,–—-")
    return None


@lru_cache(maxsize=1)
def _places_with_foreign_words() -> re.Pattern[str]:
    """Vietnamese places whose names hold a country's ("Kỳ Anh", "Mỹ Tho", "Nga Sơn")."""
    names = sorted((p for p in place_names() if FOREIGN.search(p)), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")


def _foreign(text: str) -> bool:
    """``text`` names a foreign country or body, not a Vietnamese place or body that shares
    a word with one ("Bệnh viện Việt Đức", "huyện Kỳ Anh", "Ủy ban Pháp luật")."""
    return bool(FOREIGN.search(_places_with_foreign_words().sub("", VIET_X.sub("", text))))


def _is_public(title: str) -> bool:
    m = ROLE_RE.match(title)
    if m and VN_ENVOY.match(title):
        return True
    if not m or _foreign(title):
        return False
    if BARE_PUBLIC.fullmatch(title):
        return True
    if m.group(1).lower() in ("chủ tịch", "bí thư") and _starts_with_place(title[m.end():]):
        return True                    # "Chủ tịch Đà Nẵng"
    org = title[m.end():]
    if COMPANY.search(org):
        return False
    return bool(ALWAYS_RE.match(m.group(1)) or PUBLIC_ORG.search(org))


def _starts_with_place(text: str) -> bool:
    words = text.split()[:4]
    places = place_names()
    return any(" ".join(words[:k]) in places for k in range(1, len(words) + 1))


def _public_context(before: str) -> bool:
    """Text before a bare role ("Phó chủ tịch NAME") names a public body, not a company."""
    return bool(PUBLIC_ORG.search(before) and not COMPANY.search(before)
                and not _foreign(before))


def _person_before(text: str, s: int) -> tuple[str | None, str | None, bool]:
    """"bà NAME – TITLE", "NAME, TITLE", "ông NAME (48 tuổi), TITLE": the full name before
    the title at ``s``, or the one-word name after ông/bà ("ông Trí, TITLE") to link later;
    and whether they are joined by a verb or nothing ("ông NAME là TITLE") rather than by
    punctuation."""
    before = AGE_OPEN.sub("(", ASIDE.sub("", text[max(0, s - 90):s]))
    sep = SEP_BEFORE.search(before)
    if sep:
        return (*_name_at_end(sep.group(1).split()), False)
    last = before[before.rstrip().rfind(" ") + 1:].strip()
    # cheap tests first: most titles have neither a name nor a verb right before them
    loose = HONORIFIC_NO_SEP if last[:1].isupper() else \
        APPOINTED_BEFORE if last in APPOINTING_WORDS else None
    if loose and (m := loose.search(before)) and (
            found := _name_at_end(m.group(1).split())) != (None, None):
        return (*found, True)
    return None, None, True


def _name_at_end(words: list[str]) -> tuple[str | None, str | None]:
    """The full name closing ``words``, or the one-word name after ông/bà."""
    k = len(words)
    while k > 0 and is_name_token(words[k - 1]):
        k -= 1
    cap = words[k:]
    honorific = k > 0 and words[k - 1] in ("ông", "bà")
    if len(cap) == 2 and cap[0] in ("Ông", "Bà"):    # "Ông Lực, Bí thư ..."
        cap, honorific = cap[1:], True
    split = split_name(cap) if len(cap) >= 2 else None
    if split and ADMIN_BEFORE.search(" ".join(words[:k]) + " "):
        split = None          # "Bệnh viện Bạch Mai, ..." names a place
    if split and split[0] + len(split[1]) == len(cap):
        return " ".join(split[1]), None
    if len(cap) == 1 and honorific:
        return None, cap[0]
    return None, None


def _sentence(text: str, i: int) -> str:
    start = max(text.rfind(". ", 0, i), 0)
    end = text.find(". ", i)
    return text[start:end if end >= 0 else len(text)]


def _staff_lists(text: str) -> Iterable[tuple[str, str]]:
    """"cán bộ, chiến sĩ Công an huyện X gồm A, B và C": (name, unit) for each name listed."""
    for m in STAFF_CUE.finditer(text):
        unit = m.group(1).strip(" ,")
        if not (PUBLIC_ORG.search(unit) and _public_context(unit)):
            continue
        pos = m.end()
        while run := RUN_RE.match(text, pos):
            split = split_name(run.group().split(" "))
            if not split or split[0] != 0 or len(split[1]) < 3:
                break
            yield " ".join(split[1]), text[m.start():m.end(1)].strip(" ,")
            sep = re.compile(r"\s*(?:,|và|;)\s*").match(text, run.end())
            if not sep:
                break
            pos = sep.end()


@dataclass
class _Found:
    """What one article's units yield before the people are put together."""
    titles: dict[str, list[str]] = field(default_factory=dict)
    short: list[tuple[str, str]] = field(default_factory=list)   # (one-word name, title)
    comrades: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)   # full names after ông/bà
    by_context: set[str] = field(default_factory=set)  # bare role + name in a public context

    def add(self, name: str, title: str | None) -> None:
        lst = self.titles.setdefault(name, [])
        if title and title not in lst:
            lst.append(title)


def find_officials(units: list[str]) -> tuple[Official, ...]:
    """Officials in canonical-tone text units, in order of first mention."""
    found = _Found()
    assembly = any(ASSEMBLY.search(u) for u in units)
    for text in units:
        low = text.lower()
        if len(low) != len(text):      # offsets must agree; never seen with Vietnamese text
            low = text
        for m in HONORIFIC_CUE.finditer(low):
            run = RUN_RE.match(text, m.end())
            split = split_name(run.group().split(" ")) if run else None
            if split and split[0] == 0 and not word_before(low, m.start()):
                found.people.append(" ".join(split[1]))
                if m.group(1) == "đồng chí":
                    found.comrades.append(" ".join(split[1]))
        for name, unit in _staff_lists(text):
            found.add(name, unit)
            found.by_context.add(name)
        placed: list[tuple[int, str, str | None]] = []
        for m in ROLE_LOW.finditer(low):
            if not word_before(low, m.start()):
                title = _title_phrase(text, m.start())
                placed.append((m.start(), title, _one_title(found, text, m.start(), title,
                                                            assembly)))
        for name, title, source in group_mentions(text, placed):
            found.add(name, title)
            if source in found.by_context:
                found.by_context.add(name)
    return _collect(found)


def _one_title(found: _Found, text: str, s: int, title: str, assembly: bool) -> str | None:
    """Give the title phrase at ``s`` to its person; return the full name it went to."""
    named = _name_in_title(title)
    full, one, loose = _person_before(text, s)
    if full and loose and _foreign(_sentence(text, s)):
        full = None                  # "... Trung Quốc, ông NAME là Thủ tướng": not ours
    if full and (not named or not (loose or named[1].strip()[:1].isupper())):
        found.add(full, title)       # a lower-case title after the name is its title
        role = ROLE_RE.match(title)
        if role and UNIT_ROLE.fullmatch(role.group(0).removeprefix("nguyên ")) \
                and _public_context(text[max(0, s - 150):s + len(title) + 60]):
            found.by_context.add(full)       # "ông NAME - Trưởng phòng Tài nguyên"
        return full
    if one and not named:
        found.short.append((one, title))
        return None
    after = TITLE_THEN_PERSON.match(text, s + len(title))
    person = RUN_RE.match(text, after.end()) if after and not named else None
    split = split_name(person.group().split(" ")) if person else None
    if split and split[0] == 0:     # "Trưởng thôn Quan Độ, ông Nguyễn Văn Lý cho biết"
        found.add(" ".join(split[1]), title)
        return " ".join(split[1])
    if not named:
        if (tail := SHORT_AFTER_ROLE.match(title, len(title.rstrip()) - 12)) is not None:
            found.short.append((tail.group(1), title[:tail.start(1)].strip()))
        return None
    name, role_only = named
    if len(name.split()) >= 2:
        found.add(name, role_only)
    if DEPUTY.search(role_only) and (assembly or re.search(
            re.escape(name) + r"\s*\((?:đoàn )?[A-ZĐ]", text)):
        found.by_context.add(name)    # "đại biểu Nguyễn Hồng Hải (Bình Thuận)", or
                                      # any "đại biểu NAME" in an Assembly story
    if ROLE_RE.fullmatch(role_only):
        if _public_context(text[max(0, s - 150):s]):
            found.by_context.add(name)   # "UBND tỉnh ... cho biết, Phó chủ tịch NAME"
        unit = UNIT_AFTER.match(text, s + title.find(name) + len(name))
        if unit and _public_context(unit.group(1)):
            found.add(name, f"{role_only} ({unit.group(1)})")  # "kiểm dịch viên NAME (Chi cục ...)"
    return name if len(name.split()) >= 2 else None


def _collect(found: _Found) -> tuple[Official, ...]:
    titles, comrades, by_context = found.titles, found.comrades, found.by_context
    for name, title in found.short:  # "bà Búp", "Phó Chủ tịch Búp" → the Võ Thị Búp named earlier
        full = [p for p in dict.fromkeys(found.people + list(titles)) if p.split()[-1] == name]
        if len(full) == 1:
            found.add(full[0], title)
    fold_short_names(found.titles, found.people, found.by_context)
    for name in comrades:
        found.add(name, None)
    out = []
    for name, ts in titles.items():
        public = [t for t in ts if _is_public(t)]
        if not (public or name in comrades or name in by_context):
            continue
        if any(_foreign(t) and not VN_ENVOY.match(t) for t in ts):
            continue   # described elsewhere as a foreign country's official
        kept = tuple(t for t in ts if not any(o != t and o.startswith(t) for o in ts)
                     and (_is_public(t) or not COMPANY.search(t)))
        first = public[0] if public else None
        role = ROLE_RE.match(first) if first else None
        org = None
        if first and role:
            # "Trưởng Phòng LĐTB&XH" names its organisation inside the role itself
            inner = re.match(r"(?:Trưởng|Chánh|Đồn|Chỉ huy) (?=\w)", role.group(1), re.I)
            org = first[role.start(1) + inner.end() if inner else role.end():].strip() or None
        out.append(Official(nfc(name), tuple(nfc(t) for t in kept), nfc(org) if org else None))
    return tuple(out)
