"""User query text → Whoosh query objects, through the same analyser as the index.

Supported syntax (never a parser error: anything unrecognised is searched as text):
``giảm nghèo`` (all words, any diacritics), ``"nông thôn mới"`` (phrase), ``-từ`` (exclude),
``a OR b``, ``title:ocop`` / ``tieude:`` (title only), ``nông*`` (prefix, capped expansion).

Whoosh's own parser splits on spaces before analysis, which would cut Vietnamese words into
syllables and fail on stray quotes; building query objects ourselves avoids both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as Q

from archive.textnorm import fold
from indexer.analysis.analyzer import has_diacritics, normalize, segment, syllables, word_key
from indexer.search.nodes import Adjacent

__all__ = ["Clause", "ParsedQuery", "QueryError", "parse", "build", "MAX_QUERY_CHARS",
           "MAX_TERMS", "MAX_PREFIX_EXPANSION"]

MAX_QUERY_CHARS = 2000
MAX_TERMS = 64
MAX_PREFIX_EXPANSION = 64

# Relative weights of the views: exact diacritics beat folded ones; title beats body.
W_EXACT, W_WORD, W_FOLD_OF_ACCENTED, W_FOLD = 1.0, 0.6, 0.25, 0.9
W_TITLE = 3.0
W_PHRASE_BONUS = 1.5
# A compound's syllables found apart (the query segmenter joined words the text keeps apart)
W_LOOSE = 0.3
# From this many words on, a document needs all the words of either half of the query, not
# all words: a 15-word headline with one word mistyped or missing still finds its article.
MOST_WORDS_FROM = 6

# A query is segmented once more when nothing matches all its words (the any-word retry)
# and again by every repeated query: cache the (short) query texts' segmentation.
_segment = lru_cache(maxsize=1024)(segment)

_FIELDS = {"title": "title", "tieude": "title", "tiêu_đề": "title", "tiêuđề": "title"}
_TOKEN = re.compile(r'(-?)(?:(\w+):)?("([^"]*)"?|[^\s"]+)')


class QueryError(ValueError):
    """A query that cannot be searched (e.g. too long)."""


@dataclass
class Clause:
    text: str
    kind: str = "text"            # text | phrase | prefix
    field: str | None = None      # None (everywhere) or "title"
    negated: bool = False
    run: bool = False             # a plain word that may be joined with its neighbours


@dataclass
class ParsedQuery:
    # AND of groups; each group is an OR of clauses
    groups: list[list[Clause]] = field(default_factory=list)
    negated: list[Clause] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.groups and not self.negated

    def positive_text(self) -> str:
        return " ".join(c.text for g in self.groups for c in g)


def parse(text: str) -> ParsedQuery:
    """Parse user text into AND-groups of OR-clauses.

    >>> p = parse('giảm nghèo OR "nông thôn mới" -ocop title:Long An nông*')
    >>> [[(c.kind, c.text, c.field) for c in g] for g in p.groups]
    [[('text', 'giảm', None)], [('text', 'nghèo', None), ('phrase', 'nông thôn mới', None)], \
[('text', 'Long', 'title')], [('text', 'An', None)], [('prefix', 'nông', None)]]
    >>> [[c.text for c in g] for g in parse("giảm nghèo bền vững tại Long An").groups]
    [['giảm nghèo bền vững tại Long An']]
    >>> [c.text for c in p.negated]
    ['ocop']
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query too long ({len(text)} characters; at most {MAX_QUERY_CHARS})")
    text = normalize(text.replace("(", " ").replace(")", " "))
    parsed = ParsedQuery()
    pending_or = False
    for m in _TOKEN.finditer(text):
        neg, fname, whole, quoted = m.group(1), m.group(2), m.group(3), m.group(4)
        fld = None
        if fname is not None:
            fld = _FIELDS.get(fname.lower())
            if fld is None:  # unknown field: search the whole token as text
                whole = f"{fname} {whole}"
        if quoted is None and whole in ("OR", "|", "HOẶC"):
            pending_or = bool(parsed.groups)
            continue
        if quoted is None and whole in ("AND", "+", "VÀ"):
            continue
        if quoted is not None:
            clause = Clause(quoted.strip(), "phrase", fld)
        elif whole.endswith("*") and len(whole.rstrip("*")) >= 2 and "*" not in whole.rstrip("*"):
            clause = Clause(whole.rstrip("*"), "prefix", fld)
        else:
            clause = Clause(whole.replace("*", " ").replace("?", " ").strip(" +"), "text", fld)
        if not syllables(clause.text):
            continue
        if neg and quoted is None and whole[:1].isdigit():
            # "Il -20", "S -400", "Su -35": a minus before a number belongs to a name
            neg = ""
        if neg:
            clause.negated = True
            parsed.negated.append(clause)
        elif pending_or:
            parsed.groups[-1].append(clause)
        else:
            parsed.groups.append([clause])
        pending_or = False
    parsed.groups = _merge_runs(parsed.groups)
    if sum(len(syllables(c.text)) for g in parsed.groups for c in g) + len(parsed.negated) \
            > MAX_TERMS:
        raise QueryError(f"query has too many terms (at most {MAX_TERMS})")
    return parsed


def _merge_runs(groups: list[list[Clause]]) -> list[list[Clause]]:
    """Join neighbouring plain words into one run so the segmenter sees whole compounds."""
    out: list[list[Clause]] = []
    for group in groups:
        c = group[0]
        plain = len(group) == 1 and c.kind == "text" and c.field is None
        if plain and out and len(out[-1]) == 1 and out[-1][0].kind == "text" \
                and out[-1][0].run:
            out[-1][0].text += " " + c.text
            continue
        if plain:
            c.run = True
        out.append(group)
    return out


def _seq(fieldname: str, tokens: list[str], boost: float, exact: bool = False) -> Q.Query:
    """One token, or tokens side by side: an explicit (quoted) phrase is checked exactly;
    a query word's syllables only need their adjacent pairs (one lookup per pair)."""
    if len(tokens) == 1:
        return Q.Term(fieldname, tokens[0], boost=boost)
    return (Q.Phrase if exact else Adjacent)(fieldname, tokens, boost=boost)


def word_query(word: str, *, title_only: bool = False) -> Q.Query:
    """All views of one (possibly compound) query word, weighted exact > folded."""
    syl = syllables(word)
    fsyl = [fold(s) for s in syl]
    accented = has_diacritics(word)
    key = word_key(word)
    parts: list[Q.Query] = []
    for prefix, weight in (("t_", W_TITLE),) + ((("", 1.0),) if not title_only else ()):
        if accented:
            parts.append(_seq(prefix + "syl", syl, W_EXACT * weight))
            if len(syl) > 1:
                parts.append(Q.Term(prefix + "words", key, boost=W_WORD * weight))
                parts.append(Q.And([Q.Term(prefix + "syl", s) for s in syl],
                                   boost=W_LOOSE * weight))
            parts.append(_seq(prefix + "fold", fsyl, W_FOLD_OF_ACCENTED * weight))
        else:
            parts.append(_seq(prefix + "fold", fsyl, W_FOLD * weight))
            parts.append(_seq(prefix + "syl", syl, 0.2 * weight))
    return Q.Or(parts)


def _expand_prefix(reader, fieldname: str, prefix: str) -> list[str]:
    out = []
    for term in reader.expand_prefix(fieldname, prefix):
        out.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        if len(out) >= MAX_PREFIX_EXPANSION:
            break
    return out


def clause_query(clause: Clause, reader=None, *, any_word: bool = False) -> Q.Query | None:
    title_only = clause.field == "title"
    if clause.kind == "prefix":
        stem = syllables(clause.text)
        if not stem or reader is None:
            return None
        head, last = stem[:-1], stem[-1]
        field = "syl" if has_diacritics(last) else "fold"
        terms = _expand_prefix(reader, ("t_" if title_only else "") + field,
                               last if field == "syl" else fold(last))
        if not terms:
            return Q.NullQuery
        alts = Q.Or([Q.Term(("t_" if title_only else "") + field, t) for t in terms])
        return Q.And([word_query(w, title_only=title_only) for w in head] + [alts]) \
            if head else alts
    if clause.kind == "phrase":
        syl = syllables(clause.text)
        parts = []
        for prefix, weight in (("t_", W_TITLE),) + ((("", 1.0),) if not title_only else ()):
            if has_diacritics(clause.text):
                parts.append(_seq(prefix + "syl", syl, weight, exact=True))
                parts.append(_seq(prefix + "fold", [fold(s) for s in syl],
                                  W_FOLD_OF_ACCENTED * weight, exact=True))
            else:
                parts.append(_seq(prefix + "fold", [fold(s) for s in syl], weight, exact=True))
        return Q.Or(parts)
    # Plain text: segment with diacritics (compound words), else syllable by syllable.
    text = clause.text
    words = _segment(text).split() if has_diacritics(text) else syllables(text)
    words = [w for w in words if syllables(w)]
    if not words:
        return None
    subs = [word_query(w, title_only=title_only) for w in words]
    if any_word:
        core: Q.Query = Q.Or(subs)
    elif len(subs) >= MOST_WORDS_FROM:
        half = len(subs) // 2
        required = Q.Or([Q.And(subs[:half]), Q.And(subs[half:])])
        core = Q.AndMaybe(required, Q.Or(subs))  # score every word, require most
    else:
        core = Q.And(subs)
    syl = syllables(text)
    if len(syl) > 1:  # adjacency bonus: the words as typed, in order
        fsyl = [fold(s) for s in syl]
        bonus = Q.Or([Adjacent("t_fold", fsyl, boost=W_PHRASE_BONUS * W_TITLE),
                      Adjacent("fold", fsyl, boost=W_PHRASE_BONUS)])
        core = Q.AndMaybe(core, bonus)
    return core


def build(parsed: ParsedQuery, reader=None, *, any_word: bool = False) -> Q.Query | None:
    """Whoosh query for a parsed query; None means "no text constraint" (browse)."""
    groups: list[Q.Query] = []
    for group in parsed.groups:
        alts = [q for q in (clause_query(c, reader, any_word=any_word) for c in group) if q]
        if alts:
            groups.append(alts[0] if len(alts) == 1 else Q.Or(alts))
    negs = [q for q in (clause_query(c, reader) for c in parsed.negated) if q]
    if not groups and not negs:
        return None
    positive: Q.Query = (Q.Or(groups) if any_word else Q.And(groups)) if groups else Q.Every()
    if negs:
        return Q.AndNot(positive, Q.Or(negs))
    return positive
