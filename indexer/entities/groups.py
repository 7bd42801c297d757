"""Officials named in groups or through another mention (used by ``indexer.entities.officials``):

- a list after a plural cue shares the title given to it: "các ông Nguyễn Văn A, Trần Văn B,
  nguyên Phó chủ tịch UBND huyện" → both;
- the former holder of an office named in the same sentence: "ông A được bầu giữ chức chủ tịch
  UBND tỉnh X, thay thế ông Nguyễn Văn B nghỉ hưu" → B, "nguyên chủ tịch UBND tỉnh X";
- a two-word short form of a full name given in the article ("ĐBQH Thái Học" after "ĐBQH
  Nguyễn Thái Học") is that person, not a second one.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from indexer.entities.names import split_name
from indexer.entities.patterns import LIST_SEP, PLURAL_CUE, RUN_RE, SUCCESSOR

__all__ = ["group_mentions", "fold_short_names", "listed_names"]


def listed_names(text: str, pos: int) -> list[str]:
    """Full names listed from ``pos`` on: "Nguyễn Văn A, Trần Văn B và Lê Thị C"."""
    out = []
    while run := RUN_RE.match(text, pos):
        split = split_name(run.group().split(" "))
        if not split or split[0] != 0:
            break
        out.append(" ".join(split[1]))
        sep = LIST_SEP.match(text, run.end())
        if not sep:
            break
        pos = sep.end()
    return out


def group_mentions(text: str, placed: Iterable[tuple[int, str, str | None]]
                   ) -> Iterator[tuple[str, str, str | None]]:
    """(name, title, the person it was taken from) for the people of ``text`` named in a
    group or as a former holder.

    ``placed`` holds every title phrase found in ``text`` as (offset, phrase, the full name it
    was given to or None)."""
    placed = list(placed)
    if not placed:               # both shapes take their title from the same unit
        return
    for m in PLURAL_CUE.finditer(text):
        names = listed_names(text, m.end())
        given = {n: t for _, t, n in placed if n in names}
        last = next((n for n in reversed(names) if n in given), None)
        if len(names) >= 2 and last:
            yield from ((n, given[last], last) for n in names if n not in given)
    for m in SUCCESSOR.finditer(text):
        run = RUN_RE.match(text, m.end())
        split = split_name(run.group().split(" ")) if run else None
        if not split or split[0] != 0:
            continue
        start = max(text.rfind(". ", 0, m.start()), text.rfind("; ", 0, m.start()), 0)
        before = [t for pos, t, _ in placed if start <= pos < m.start()]
        if before:
            title = before[-1]
            former = title.lower().startswith(("nguyên ", "cựu "))
            yield " ".join(split[1]), title if former else f"nguyên {title}", None


def fold_short_names(titles: dict[str, list[str]], people: list[str],
                     by_context: set[str]) -> None:
    """Fold a two-word name into the one full name of the article that ends with it."""
    full_names = [n for n in dict.fromkeys(people + list(titles)) if len(n.split()) >= 3]
    for name in [n for n in titles if len(n.split()) == 2]:
        fulls = [f for f in full_names if f.split()[-2:] == name.split()]
        if len(fulls) != 1:
            continue
        merged = titles.setdefault(fulls[0], [])
        merged.extend(t for t in titles.pop(name) if t not in merged)
        if name in by_context:
            by_context.add(fulls[0])
