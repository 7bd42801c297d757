"""One official across the archive: who a mention is, and that person's record.

Within an article the extractor has already folded short forms ("bà Búp", "Phó Chủ tịch
Búp") into the full name.  Across articles a person is the full name plus the *scope* of
their office, and the person key is what the ``official`` facet indexes:

1. the first province named in the person's titles in that article ("Phó Chủ tịch UBND thị
   xã Cai Lậy" → Tiền Giang): key ``"Võ Thị Búp (Tiền Giang)"``;
2. otherwise, when a title is a national office (ministry, Government, National Assembly,
   Party centre, embassy): key ``"Nguyễn Văn A"`` with no scope;
3. otherwise, when a title is a local office that names no province ("Chủ tịch UBND xã Tà
   Xùa", "Trưởng Công an phường 5"), the article's first province (the story's place);
4. otherwise the bare name.

So two people with one name in different provinces stay apart, and one person keeps one key
as long as the articles place them in the same province.  Known ways it goes wrong: a local
official quoted in a story that names another province first, and a person who moves
province (two keys); two same-named people in one province (one key).

The keyed / unkeyed split, measured on the 22k vietnews archive (22,582 articles, the blind3
lines left out; 2026-12-02): of 1,520 names seen in two articles or more, 393 have both a
keyed record ("Trương Quang Nghĩa (Đà Nẵng)") and an unkeyed one ("Trương Quang Nghĩa",
from "Bộ trưởng Bộ GTVT"), with 1,283 unkeyed mentions; 327 of the 393 have one keyed
province only.  Two rules were measured:

- key a title that names no place by the article's only province: rejected, it splits more
  people than it joins (names keyed in two provinces or more: 202 → 309), because national
  officials are quoted in local stories;
- fold an unkeyed mention of X into "X (P)" when P is X's only keyed province and the
  article names P, names no province, or gives X a national title: folds 908 of the 1,283
  mentions; a hand check of 25 random folds found 20 right (mostly officials who moved
  between a province and a national office), 4 wrong (a minister and a commune secretary of
  one name) and 1 unclear.  It is not applied: a key is computed per article at ingest,
  with no view of the archive, and the fold changes as articles arrive, so it belongs at
  query time (the ``official`` filter and the official page taking "X" as an alias of
  "X (P)"), which is still to be built.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

from archive.textnorm import fold
from indexer.entities.gazetteer import find_provinces

__all__ = ["NATIONAL_OFFICE", "LOCAL_OFFICE", "office_province", "person_key", "article_people", "slug",
           "key_name"]

NATIONAL_OFFICE = re.compile(
    r"(?<!\w)(?:Trung ương|TƯ|Quốc hội|ĐBQH|Chính phủ|Thủ tướng|Bộ trưởng|Thứ trưởng"
    r"|Tổng Bí thư|Chủ tịch nước|Bộ Chính trị|Bộ [A-ZĐ]|bộ [A-ZĐ]|Tổng cục|Đại sứ"
    r"|Tổng Lãnh sự|Chủ nhiệm Ủy ban|Chủ nhiệm Uỷ ban|Kiểm toán Nhà nước|Ngân hàng Nhà nước)"
    r"(?!\w)", re.IGNORECASE)
LOCAL_OFFICE = re.compile(
    r"(?<!\w)(?:UBND|HĐND|xã|phường|thị trấn|huyện|quận|thị xã|thôn|ấp|bản|khu phố|tỉnh"
    r"|Tỉnh ủy|Tỉnh uỷ|Huyện ủy|Huyện uỷ|Thành ủy|Thành uỷ|Đảng ủy|Đảng uỷ|Công an|Sở)(?!\w)",
    re.IGNORECASE)
_SCOPED = re.compile(r"^(.*) \(([^()]+)\)$")


def office_province(titles: Iterable[str], article_provinces: Iterable[str]) -> str | None:
    """The province a person's office is in, by the rule in the module docstring."""
    titles = list(titles)
    for t in titles:
        found = [p for p, _ in find_provinces(t) if not p.startswith("?")]
        if found:
            return found[0]
    if any(NATIONAL_OFFICE.search(t) for t in titles):
        return None
    if any(LOCAL_OFFICE.search(t) for t in titles):
        return next(iter(article_provinces), None)
    return None


def person_key(name: str, titles: Iterable[str], article_provinces: Iterable[str]) -> str:
    """``"Name (Province)"`` or ``"Name"``: the value of the ``official`` facet."""
    prov = office_province(titles, article_provinces)
    return f"{name} ({prov})" if prov else name


def key_name(key: str) -> str:
    """The person's name in a key (``"Võ Thị Búp (Tiền Giang)"`` → ``"Võ Thị Búp"``)."""
    m = _SCOPED.match(key)
    return m.group(1) if m else key


def article_people(entities: dict[str, Any]) -> list[dict[str, Any]]:
    """The officials of one article's cached entities, each with its person ``key``."""
    provinces = entities.get("provinces", [])
    out, seen = [], set()
    for o in entities.get("officials", []):
        key = person_key(o["name"], o.get("titles", ()), provinces)
        if key not in seen:
            seen.add(key)
            out.append({**o, "key": key, "slug": slug(key)})
    return out


def slug(key: str) -> str:
    """URL form of a person key: folded, lower case, words joined by "-".

    >>> slug("Võ Thị Búp (Tiền Giang)")
    'vo-thi-bup-tien-giang'
    """
    return "-".join(re.findall(r"[a-z0-9]+", fold(key).lower()))
