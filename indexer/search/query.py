"""User query text → query nodes, through the same analyser as the index.

Supported syntax (never a parser error: anything unrecognised is searched as text):
``giảm nghèo`` (all words), ``"nông thôn mới"`` (phrase), ``-từ`` (exclude),
``a OR b``, ``title:ocop`` / ``tieude:`` (title only), ``nông*`` (prefix, capped expansion).

Match semantics: a query word (found by ``indexer.search.segmentation``) matches where its
syllables stand side by side in one field with nothing but spaces between; a query with a
diacritic anywhere matches exact syllables, one without matches the folded view; a quoted
phrase steps over punctuation between its words, never inside one.  The match set is
strict and the score keeps every view's evidence (``nodes.Within``).  ``Relax`` widens
the match one announced step at a time (``indexer.search.searcher``).

Whoosh's own parser splits on spaces before analysis, which would cut Vietnamese words into
syllables and fail on stray quotes; building query objects ourselves avoids both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from whoosh import query as Q

from archive.textnorm import fold
from indexer.analysis.analyzer import has_diacritics, normalize, syllables
from indexer.search.nodes import EITHER, NEAR, Adjacent, AtLeast, Within
from indexer.search.segmentation import QueryWord, headline_reading, query_words

__all__ = ["Clause", "ParsedQuery", "QueryError", "parse", "build", "word_query", "Relax",
           "RELAXATIONS", "relaxations", "FALLBACK_MESSAGES", "MAX_QUERY_CHARS", "MAX_TERMS", "MAX_PREFIX_EXPANSION"]

MAX_QUERY_CHARS = 2000
MAX_TERMS = 64
MAX_PREFIX_EXPANSION = 64

# Relative weights of the views: exact diacritics beat folded ones; title beats body.
W_EXACT, W_WORD, W_FOLD_OF_ACCENTED, W_FOLD = 1.0, 0.6, 0.25, 0.9
W_TITLE = 3.0
W_PHRASE_BONUS = 1.5
# The typed syllables in the typed order in the headline, at most one position apart: a
# known item's headline holds the words its reader remembers close together (Lucene's
# sloppy phrase, one step of slop), so among headlines that all match it ranks first.
W_NEAR_TITLE = 0.75
# A compound's syllables found apart (the query segmenter joined words the text keeps apart)
W_LOOSE = 0.3

# A repeated query (pages, facets, exports) is segmented once.
_words = lru_cache(maxsize=1024)(query_words)
_headline = lru_cache(maxsize=1024)(headline_reading)

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



@dataclass(frozen=True)
class Relax:
    """How far a query's match is widened: ``folded`` (accented words match their folded
    view), ``anywhere`` (a word's syllables anywhere in the article), ``most`` (the
    articles with the most of the words: as many as any article has).  Each implies the ones before it in ``RELAXATIONS``."""
    folded: bool = False
    anywhere: bool = False
    most: bool = False


# The announced fallbacks, in order: reason code → relaxation (``searcher`` tries them when
# the strict match set is empty).
# "Most words" first keeps each word as typed and strict, then relaxes them too.
RELAXATIONS = (
    ("accented_to_folded", Relax(folded=True)),
    ("adjacent_to_anywhere", Relax(folded=True, anywhere=True)),
    ("all_to_most_words", Relax(most=True)),
    ("all_to_most_words", Relax(folded=True, anywhere=True, most=True)),
)
STRICT = Relax()


def relaxations(parsed: "ParsedQuery") -> list[tuple[str, Relax]]:
    """The announced fallbacks that can widen ``parsed``, in the order both engines try
    them: none from accented to folded for a query typed without diacritics, no "most
    words" for a single unit."""
    accented = has_diacritics(parsed.positive_text())
    units = sum(len(syllables(g[0].text)) if len(g) == 1 and g[0].kind == "text" else 1
                for g in parsed.groups)
    return [(reason, relax) for reason, relax in RELAXATIONS
            if not ((reason == "accented_to_folded" and not accented)
                    or (reason == "all_to_most_words" and units < 2))]

# What the page and the terminal say when a fallback was used.
FALLBACK_MESSAGES = {
    "accented_to_folded": "Không tìm thấy đúng dấu như đã gõ; đang hiển thị kết quả không "
                          "dấu.",
    "adjacent_to_anywhere": "Không bài nào có các tiếng của từ đứng liền nhau; đang hiển "
                            "thị các bài có các tiếng ở bất kỳ đâu.",
    "all_to_most_words": "Không bài nào chứa tất cả các từ; đang hiển thị các bài chứa "
                         "nhiều từ nhất.",
}


def _adj(fieldname: str, tokens: list[str], boost: float, steps=None) -> Q.Query:
    """One token, or tokens in order ``steps`` apart (default: side by side)."""
    if len(tokens) == 1:
        return Q.Term(fieldname, tokens[0], boost=boost)
    return Adjacent(fieldname, tokens, boost=boost, steps=steps)


def _loose(fieldname: str, tokens: list[str], boost: float = 1.0) -> Q.Query:
    if len(tokens) == 1:
        return Q.Term(fieldname, tokens[0], boost=boost)
    return Q.And([Q.Term(fieldname, t) for t in tokens], boost=boost)


def word_query(word: QueryWord | str, *, title_only: bool = False, accented: bool | None = None,
               relax: Relax = STRICT) -> Q.Query:
    """One (possibly compound) query word: its match (exact syllables side by side, or
    folded ones; anywhere when relaxed) scored over every view, weighted exact > folded."""
    if isinstance(word, str):
        syl0 = syllables(word)
        word = QueryWord(tuple(syl0), ((1,),) * (len(syl0) - 1))
        accented = has_diacritics(word.key) if accented is None else accented
    syl, steps = list(word.syllables), word.steps
    fsyl = [fold(s) for s in syl]
    accented = bool(accented) and not relax.folded
    parts: list[Q.Query] = []
    for prefix, weight in (("t_", W_TITLE),) + ((("", 1.0),) if not title_only else ()):
        if accented:
            parts.append(_adj(prefix + "syl", syl, W_EXACT * weight, steps))
            if len(syl) > 1:
                parts.append(Q.Term(prefix + "words", word.key, boost=W_WORD * weight))
                parts.append(_loose(prefix + "syl", syl, W_LOOSE * weight))
            parts.append(_adj(prefix + "fold", fsyl, W_FOLD_OF_ACCENTED * weight, steps))
        else:
            parts.append(_adj(prefix + "fold", fsyl, W_FOLD * weight, steps))
            parts.append(_adj(prefix + "syl", syl, 0.2 * weight, steps))
    where = "t_" if title_only else ""  # the body field holds the headline too
    field, toks = (where + "syl", syl) if accented else (where + "fold", fsyl)
    if relax.anywhere and len(toks) > 1:
        required = _loose(field, toks)
        parts.append(_loose(field, toks, W_LOOSE))  # every match scores
    else:
        required = _adj(field, toks, 1.0, steps)
    return Within(required, Q.Or(parts))


def _all(parts: list[Q.Query]) -> Q.Query:
    return parts[0] if len(parts) == 1 else Q.And(parts)


def _expand_prefix(reader, fieldname: str, prefix: str) -> list[str]:
    out = []
    for term in reader.expand_prefix(fieldname, prefix):
        out.append(term.decode("utf-8") if isinstance(term, bytes) else term)
        if len(out) >= MAX_PREFIX_EXPANSION:
            break
    return out


class _Builder:
    """Query nodes of one parsed query at one relaxation."""

    def __init__(self, reader, vocabulary, accented: bool, relax: Relax,
                 adjacent_docs=None, stats=None, headline_docs=None) -> None:
        self.reader, self.vocabulary, self.relax = reader, vocabulary, relax
        self.accented = accented and not relax.folded
        self.adjacent_docs, self.stats = adjacent_docs, stats or reader
        self.headline_docs = headline_docs

    def words(self, text: str) -> list[QueryWord]:
        return _words(text, not self.accented, self.vocabulary, self.stats,
                      self.adjacent_docs)

    def headline_words(self, words: list[QueryWord]) -> list[QueryWord] | None:
        """The headline reading of a query typed without diacritics (strict only: the
        relaxations widen the words as read), or None."""
        if self.accented or self.relax != STRICT or self.headline_docs is None:
            return None
        other = _headline(tuple(words), self.headline_docs)
        return list(other) if other is not None else None

    def prefix(self, clause: Clause) -> Q.Query | None:
        title_only = clause.field == "title"
        stem = syllables(clause.text)
        if not stem or self.reader is None:
            return None
        head, last = stem[:-1], stem[-1]
        field = "syl" if has_diacritics(last) else "fold"
        terms = _expand_prefix(self.reader, ("t_" if title_only else "") + field,
                               last if field == "syl" else fold(last))
        if not terms:
            return Q.NullQuery
        alts = Q.Or([Q.Term(("t_" if title_only else "") + field, t) for t in terms])
        return Q.And([word_query(w, title_only=title_only, accented=self.accented,
                                 relax=self.relax) for w in head] + [alts]) if head else alts

    def phrase(self, clause: Clause) -> Q.Query | None:
        """Words in order; between two words, side by side or across punctuation."""
        title_only = clause.field == "title"
        words = self.words(clause.text)
        if not words:
            return None
        syl = [s for w in words for s in w.syllables]
        steps: list = []
        for i, w in enumerate(words):
            steps.extend(w.steps)
            if i + 1 < len(words):
                steps.append(EITHER)
        fsyl = [fold(s) for s in syl]  # ``syl``: exact when accented, else folded already
        parts = []
        for prefix, weight in (("t_", W_TITLE),) + ((("", 1.0),) if not title_only else ()):
            if self.accented:
                parts.append(_adj(prefix + "syl", syl, weight, steps))
                parts.append(_adj(prefix + "fold", fsyl, W_FOLD_OF_ACCENTED * weight, steps))
            else:
                parts.append(_adj(prefix + "fold", fsyl, weight, steps))
        where = "t_" if title_only else ""
        required = _adj(where + ("syl" if self.accented else "fold"), syl, 1.0, steps)
        return Within(required, Q.Or(parts))

    def run(self, clause: Clause) -> tuple[list[Q.Query], Q.Query | None]:
        """A run of plain words: one node per word, and the bonus for the words as typed
        side by side."""
        words = self.words(clause.text)
        title_only = clause.field == "title"
        units = [word_query(w, title_only=title_only, accented=self.accented,
                            relax=self.relax) for w in words]
        other = self.headline_words(words)
        if other is not None:  # as read, or with the headline's words in the headline
            in_title = [word_query(w, title_only=True, accented=False) for w in other]
            units = [Q.Or([_all(units), _all(in_title)])]
        fsyl = [fold(s) for s in syllables(clause.text)]
        bonus = None
        if len(fsyl) > 1:  # adjacency bonus: the words as typed, in order
            bonus = Q.Or([Adjacent("t_fold", fsyl, boost=W_PHRASE_BONUS * W_TITLE),
                          Adjacent("fold", fsyl, boost=W_PHRASE_BONUS),
                          Adjacent("t_fold", fsyl, boost=W_NEAR_TITLE * W_TITLE,
                                   steps=(NEAR,) * (len(fsyl) - 1), anything_between=True)])
        return units, bonus

    def clause(self, clause: Clause) -> Q.Query | None:
        if clause.kind == "prefix":
            return self.prefix(clause)
        if clause.kind == "phrase":
            return self.phrase(clause)
        units, bonus = self.run(clause)
        if not units:
            return None
        core = units[0] if len(units) == 1 else Q.And(units)
        return Q.AndMaybe(core, bonus) if bonus is not None else core


def build(parsed: ParsedQuery, reader=None, vocabulary=None, *, relax: Relax = STRICT,
          adjacent_docs=None, stats=None, headline_docs=None) -> Q.Query | None:
    """Query nodes for a parsed query; None means "no text constraint" (browse).
    ``vocabulary`` (``suggest.Vocabulary``), ``adjacent_docs`` (how many documents have
    two exact syllables side by side) and ``stats`` (term frequencies, default the reader)
    segment the words; ``relax`` widens the match (``RELAXATIONS``)."""
    accented = has_diacritics(parsed.positive_text())
    b = _Builder(reader, vocabulary, accented, relax, adjacent_docs, stats, headline_docs)
    units: list[Q.Query] = []
    bonuses: list[Q.Query] = []
    for group in parsed.groups:
        if len(group) == 1 and group[0].kind == "text":
            got, bonus = b.run(group[0])
            units.extend(got)
            bonuses.extend([bonus] if bonus is not None else [])
            continue
        alts = [q for q in (b.clause(c) for c in group) if q]
        if alts:
            units.append(alts[0] if len(alts) == 1 else Q.Or(alts))
    # an excluded word is excluded as typed, whatever the relaxation of the others
    strict = _Builder(reader, vocabulary, accented, STRICT, adjacent_docs, stats,
                      headline_docs)
    negs = [q for q in (strict.clause(c) for c in parsed.negated) if q]
    if not units and not negs:
        return None
    positive: Q.Query = Q.Every()
    if units:
        if relax.most and len(units) > 1:
            positive = AtLeast(units, 0)  # as many of the words as any article has
        else:
            positive = units[0] if len(units) == 1 else Q.And(units)
        if bonuses:
            positive = Q.AndMaybe(positive, bonuses[0] if len(bonuses) == 1 else Q.Or(bonuses))
    if negs:
        return Q.AndNot(positive, Q.Or(negs))
    return positive

