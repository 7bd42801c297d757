"""Facet entities of an article: provinces (then and after the 2025 merger), officials, programmes.

Pure patterns + gazetteer (no NER model: ``underthesea.ner`` costs ~25 ms a paragraph and the
whole extraction must stay within a few milliseconds an article).

Officials (``indexer.entities.officials``) are people named together with a public position.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from archive.article import Article
from archive.textnorm import canonical_tones, nfc
from indexer.entities.gazetteer import canonical_province, find_provinces, gazetteer, province_2025
from indexer.entities.officials import Official, find_officials
from indexer.entities.patterns import SURNAMES

__all__ = ["Official", "Entities", "extract_entities", "canonical_province", "province_2025",
           "find_programs", "find_officials"]

PROGRAMS_FILE = Path(__file__).resolve().parents[2] / "corpus" / "gazetteer" / "programs.toml"


@dataclass(frozen=True, slots=True)
class Entities:
    provinces: tuple[str, ...]          # 63-list short names, as the article named them
    provinces_2025: tuple[str, ...]     # merged (34-list) provinces
    officials: tuple[Official, ...]
    programs: tuple[str, ...]           # canonical programme labels

    def to_dict(self) -> dict[str, Any]:
        return {
            "provinces": list(self.provinces),
            "provinces_2025": list(self.provinces_2025),
            "officials": [{"name": o.name, "titles": list(o.titles),
                           "organisation": o.organisation} for o in self.officials],
            "programs": list(self.programs),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Entities":
        return cls(
            provinces=tuple(d.get("provinces", ())),
            provinces_2025=tuple(d.get("provinces_2025", ())),
            officials=tuple(Official(o["name"], tuple(o.get("titles", ())), o.get("organisation"))
                            for o in d.get("officials", ())),
            programs=tuple(d.get("programs", ())),
        )


@dataclass(frozen=True, slots=True)
class _Program:
    label: str
    aliases: tuple[str, ...]         # lower-case literals, matched on word boundaries
    keywords: tuple[str, ...]        # one must occur before the patterns are tried (speed)
    rx: re.Pattern[str] | None
    cased: re.Pattern[str] | None


@lru_cache(maxsize=1)
def _program_matchers() -> tuple[_Program, ...]:
    data = tomllib.loads(PROGRAMS_FILE.read_text("utf-8"))
    out = []
    for p in data["program"]:
        aliases = tuple(canonical_tones(a).lower() for a in p.get("aliases", []))
        patterns = [canonical_tones(x) for x in p.get("patterns", [])]
        cased = [r"(?<!\w)" + re.escape(c) + r"(?!\w)" for c in p.get("cased", [])]
        keywords = tuple(canonical_tones(k).lower() for k in p.get("keywords", []))
        out.append(_Program(p["label"], aliases, keywords,
                            re.compile("|".join(patterns)) if patterns else None,
                            re.compile("|".join(cased)) if cased else None))
    return tuple(out)


def _word_before(text: str, i: int) -> bool:
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def _has_word(text: str, phrase: str) -> bool:
    i = text.find(phrase)
    while i >= 0:
        j = i + len(phrase)
        if not _word_before(text, i) and not (j < len(text) and (text[j].isalnum()
                                                                   or text[j] == "_")):
            return True
        i = text.find(phrase, i + 1)
    return False


def find_programs(text: str) -> tuple[str, ...]:
    """Programme labels mentioned in canonical-tone ``text``.

    >>> find_programs("xây dựng nông thôn mới và sản phẩm OCOP; tỷ lệ hộ nghèo giảm")
    ('Nông thôn mới', 'OCOP')
    """
    lower = text.lower()
    found = []
    for p in _program_matchers():
        if (any(_has_word(lower, a) for a in p.aliases)
                or (p.cased and p.cased.search(text))
                or (p.rx and any(k in lower for k in p.keywords) and p.rx.search(lower))):
            found.append(p.label)
    return tuple(found)


def _provinces(units: list[str]) -> tuple[str, ...]:
    hits: list[tuple[int, int, str]] = []
    for u, text in enumerate(units):
        hits.extend((u, pos, p) for p, pos in find_provinces(text, SURNAMES))
    hits.sort()
    sure = {p for _, _, p in hits if not p.startswith("?")}
    out: list[str] = []
    for _, _, p in hits:
        if p.startswith("?"):   # a district name shared by several provinces
            cands = [c for c in p[1:].split("|") if c in sure]
            p = cands[0] if len(cands) == 1 else ""
        if p and p not in out:
            out.append(p)
    return tuple(out)


def extract_entities(article: Article) -> Entities:
    """Provinces, officials and programmes of ``article`` (title, sapo, body, captions)."""
    units = [canonical_tones(nfc(t)) for t in
             (article.title, article.sapo or "", *article.paragraphs, *article.captions) if t]
    provinces = _provinces(units)
    g = gazetteer()
    p2025 = tuple(dict.fromkeys(g.short_2025[p] for p in provinces))
    return Entities(provinces, p2025, find_officials(units), find_programs("\n".join(units)))
