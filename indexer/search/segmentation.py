"""A query's words, found with the archive's own vocabulary (entry point: ``query_words``).

A query word matches as a word (its syllables side by side), so which syllables form one
word decides the match set.  The archive's text was segmented in context by underthesea;
the ``words`` field counts how often each word (compound or single syllable) stands in it
(``indexer.search.suggest.Vocabulary.word_counts``).  A run of typed syllables is split
into the most probable sequence of words under those unigram counts — exact forms for a
query with diacritics, folded forms (every spelling of ``ban`` summed: bàn, bán, bạn…)
for one without.  A compound wins only where it is more frequent than its syllables
standing side by side by chance (``P(long_an) > P(long)·P(an)``), so rare accidental
pairs stay apart.  Punctuation typed between syllables ends a run; a token with
punctuation inside ("COVID-19", "8/11") is one word whose parts stand across one gap.

A hyphen inside a word does not break it: where the archive writes a pair of a typed
compound as one hyphenated word (``Kim Jong-un`` beside ``Kim Jong Un``;
``Vocabulary.hyphened``), the pair matches side by side or across that one gap.  The index
leaves the same free position for a hyphen as for a comma, so for such a pair a comma
between the two syllables matches too.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from math import log

from archive.textnorm import fold
from indexer.analysis.analyzer import GAP, segment, syllable_stream
from indexer.search.nodes import ADJACENT, EITHER, GAPPED

__all__ = ["QueryWord", "query_words", "headline_reading", "MAX_WORD_SYLLABLES"]

MAX_WORD_SYLLABLES = 4  # longest compound considered (the words field has few longer)
MIN_COMPOUND = 2  # a compound seen once in the archive may be a segmenter's accident
PAIR_LIFT = 10.0  # side by side this many times more often than chance: one word
MAX_SPLIT = 3  # compounds a headline reading may split (2**3 - 1 readings asked at most)


@dataclass(frozen=True)
class QueryWord:
    """Syllables (lower-case, as typed) of one query word and the position step between
    each two: ``ADJACENT`` or, where the typed word has punctuation inside, ``GAPPED``."""
    syllables: tuple[str, ...]
    steps: tuple[tuple[int, ...], ...]
    form: str = ""  # a token with punctuation inside, as typed (lower-case)

    @property
    def key(self) -> str:
        """The word as the ``words`` field holds it (compounds joined by ``_``)."""
        return self.form or "_".join(self.syllables)

    @property
    def side_by_side(self) -> bool:
        return all(s == ADJACENT for s in self.steps)


def _pieces(segmented: str) -> list[list[QueryWord]]:
    """The underthesea words of segmented query text, in runs split at punctuation (the
    same tokens as the index's: "22h" is "22 h" there too).  A token with punctuation
    inside ("COVID-19", "5/10") is a run of its own: one word across its gaps."""
    runs: list[list[QueryWord]] = [[]]
    for token in segmented.split():
        stream = syllable_stream(token)
        if not stream:  # punctuation alone: a break
            runs.append([])
        elif GAP in stream:
            syl = tuple(s for s in stream if s != GAP)
            steps = tuple(GAPPED if a == GAP else ADJACENT
                          for a, b in zip(stream, stream[1:]) if b != GAP)
            runs.extend(([QueryWord(syl, steps, token.lower())], []))
        else:
            runs[-1].append(QueryWord(tuple(stream), (ADJACENT,) * (len(stream) - 1)))
    return [r for r in runs if r]


def _gapped(run: list[QueryWord]) -> bool:
    return len(run) == 1 and not run[0].side_by_side


def _best_split(syl: list[str], counts: dict[str, int], total: int) -> list[QueryWord]:
    """Most probable segmentation of ``syl`` (dynamic programming over word ends)."""
    n = len(syl)
    denom = log(total + len(counts) + 1)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(float("inf"), 0)] * n
    for end in range(1, n + 1):
        for size in range(1, min(MAX_WORD_SYLLABLES, end) + 1):
            start = end - size
            seen = counts.get("_".join(syl[start:end]), 0)
            if size > 1 and seen < MIN_COMPOUND:
                continue
            cost = best[start][0] + denom - log(seen + 1)
            if cost < best[end][0]:
                best[end] = (cost, start)
    out: list[QueryWord] = []
    end = n
    while end:
        start = best[end][1]
        out.append(QueryWord(tuple(syl[start:end]), (ADJACENT,) * (end - start - 1)))
        end = start
    return out[::-1]


def _join_pairs(words: list[QueryWord], stats, folded: bool, adjacent_docs=None
                ) -> list[QueryWord]:
    """Two single-syllable words side by side in the query become one word when the
    archive has them side by side at least ``MIN_COMPOUND`` times and ``PAIR_LIFT`` times
    more often than chance: a compound the segmenter did not make a word (or not always)
    is still read as one ("tin tặc").  Folded: the folded pairs' occurrences (``fpair``);
    exact: the documents with the exact syllables side by side (``adjacent_docs``).
    ``stats`` answers ``frequency``, ``doc_frequency`` and ``field_length`` (a Whoosh
    reader, or the evaluator's cached ``TermReader``)."""
    field = "fold" if folded else "syl"
    total = stats.field_length(field) or 1
    out: list[QueryWord] = []
    for w in words:
        prev = out[-1] if out else None
        if prev is not None and len(prev.syllables) == 1 and len(w.syllables) == 1:
            a, b = prev.syllables[0], w.syllables[0]
            chance = stats.frequency(field, a) * stats.frequency(field, b) / total
            need = max(MIN_COMPOUND, PAIR_LIFT * chance)
            if folded:
                seen = stats.frequency("fpair", f"{a}_{b}")
            elif adjacent_docs is None or \
                    stats.doc_frequency("fpair", f"{fold(a)}_{fold(b)}") < need:
                seen = 0  # the folded pair's documents bound the exact pair's: too few
            elif stats.doc_frequency("words", f"{a}_{b}") >= need:
                seen = need  # the compound's documents hold the pair: enough, no positions
            else:
                seen = adjacent_docs(a, b)
            if seen >= need:
                out[-1] = QueryWord(prev.syllables + w.syllables, (ADJACENT,))
                continue
        out.append(w)
    return out


def query_words(text: str, folded: bool, vocabulary=None, reader=None, adjacent_docs=None
                ) -> list[QueryWord]:
    """The words of a run of typed text (normalised, as ``query.parse`` gives it), with
    folded syllables when ``folded``.  Without a vocabulary (no index at hand) an accented
    run keeps underthesea's words and an unaccented one is read syllable by syllable.
    ``reader``: term statistics (``_join_pairs``), a Whoosh reader or a ``TermReader``."""
    words: list[QueryWord] = []
    counts, total = vocabulary.word_counts(folded) if vocabulary is not None else ({}, 0)
    for run in _pieces(segment(text)):
        if _gapped(run):
            words.extend(run)
        elif vocabulary is None:
            words.extend(run if not folded else
                         [QueryWord((s,), ()) for w in run for s in w.syllables])
        else:
            syl = [fold(s) if folded else s for w in run for s in w.syllables]
            split = _best_split(syl, counts, total)
            if reader is not None:
                split = _join_pairs(split, reader, folded, adjacent_docs)
            words.extend(split)
    if folded:
        words = [_folded(w) for w in words]
    if not hasattr(vocabulary, "hyphened"):  # no vocabulary, or one that cannot list words
        return words
    hyphened = vocabulary.hyphened()
    return [_across_hyphens(w, hyphened) for w in words]


def headline_reading(words: tuple[QueryWord, ...], headline_docs
                     ) -> tuple[QueryWord, ...] | None:
    """The other reading of a folded query of several words that no headline holds as
    read, where a headline holds it with some compound read as its syllables apart (None
    when there is none): ``dung cu nga`` is *dụng cụ* beside *Nga* in no headline, and
    *dừng … cư … Nga* in one.  Folded syllables are ambiguous enough (``dung``: dùng,
    dũng, dụng, đúng, đứng, dừng…) that the unigram counts join two that a headline keeps
    apart, and a headline is where the words someone remembers of an article stand.  The
    query then also matches the articles whose headline holds that reading (``query``);
    every other article still needs the words as read, so the noise added is bounded by
    the headlines.  A lone word keeps its one reading (no context to tell), and so does a
    query some headline holds as read.  Fewest compounds split first; among equals, the
    reading most headlines hold.  ``headline_docs(words)``: the articles whose headline
    holds every one of ``words``."""
    joined = [i for i, w in enumerate(words)
              if len(w.syllables) > 1 and not w.form and w.side_by_side]
    if len(words) < 2 or not joined or len(joined) > MAX_SPLIT or headline_docs(words):
        return None
    for k in range(1, len(joined) + 1):
        best, most = None, 0
        for split in combinations(joined, k):
            reading = tuple(part for i, w in enumerate(words)
                            for part in (_apart(w) if i in split else (w,)))
            n = headline_docs(reading)
            if n > most:
                best, most = reading, n
        if best is not None:
            return best
    return None


def _apart(word: QueryWord) -> tuple[QueryWord, ...]:
    return tuple(QueryWord((s,), ()) for s in word.syllables)


def _across_hyphens(word: QueryWord, hyphened: frozenset[tuple[str, str]]) -> QueryWord:
    """``word`` with each side-by-side pair the archive also writes hyphenated matching
    across that gap too."""
    if word.form or len(word.syllables) < 2 or not hyphened:
        return word
    pairs = zip(word.syllables, word.syllables[1:])
    steps = tuple(EITHER if step == ADJACENT and (fold(a), fold(b)) in hyphened else step
                  for (a, b), step in zip(pairs, word.steps))
    return word if steps == word.steps else QueryWord(word.syllables, steps)


def _folded(word: QueryWord) -> QueryWord:
    return QueryWord(tuple(fold(s) for s in word.syllables), word.steps, fold(word.form))
