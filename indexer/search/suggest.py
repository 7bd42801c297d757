"""Did-you-mean (diacritics restored, typos corrected) and prefix completion (entry
points: ``did_you_mean``, ``complete_from_texts``).

Both come from the index itself: the vocabulary of the ``words`` and ``syl`` fields with
document frequencies, and — to choose between "giảm" and "giám" for "giam" — the text of the
documents that match the folded query, where the words are seen in context.  An engine
answers two vocabulary questions (``known_folds``, ``best_forms``; ``Vocabulary`` for the
embedded index, ``indexer.opensearch.stats.ClusterStats`` on a cluster) and gives the texts
of its best articles; ``did_you_mean`` does the rest, the same for both.
"""
from __future__ import annotations

import bisect
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from archive.textnorm import fold
from indexer.analysis.analyzer import has_diacritics, normalize, syllables
from indexer.codec.wordstats import field_terms as _terms
from indexer.codec.wordstats import word_counts as _word_counts

__all__ = ["Vocabulary", "SyllableVocabulary", "did_you_mean", "restore_from_texts",
           "correct_syllables", "complete_from_texts"]

_WORD = re.compile(r"\w+")
MAX_SUGGESTED_SYLLABLES = 12


class SyllableVocabulary(Protocol):
    """What did-you-mean asks of an engine's syllables."""

    def known_folds(self, folded: Iterable[str]) -> set[str]:
        """Those of the folded syllables some article holds (in any spelling)."""

    def best_forms(self, folded: Iterable[str]) -> dict[str, tuple[str, int]]:
        """For each folded syllable some article holds: its exact form held by the most
        articles, with that number (ties: the first form in code-point order)."""


class Vocabulary:
    """Folded forms → best exact forms, per index reader.

    Built lazily and in halves: did-you-mean needs only the syllables (``syl_best``),
    completion only the words; the first query after a searcher opens pays for neither
    unless it needs it.  Terms are read segment by segment straight from each term index
    (a multi-segment reader would merge every term's info across segments first)."""

    def __init__(self, reader, folder: str | None = None) -> None:
        """``folder``: the index's, where ``words.vns`` may hold the word counts."""
        self._reader = reader
        self.folder = folder
        self._syl_best: dict[str, tuple[str, int]] | None = None
        self._entries: dict[str, tuple[str, int]] | None = None
        self._keys: list[str] = []
        self._counts: dict[bool, tuple[dict[str, int], int]] = {}
        self._hyphened: frozenset[tuple[str, str]] | None = None

    @property
    def syl_best(self) -> dict[str, tuple[str, int]]:
        if self._syl_best is None:
            best: dict[str, tuple[str, int]] = {}
            for term, df in self._table("syl").items():
                key = fold(term)
                held, held_df = best.get(key, ("", -1))
                if df > held_df or (df == held_df and term < held):  # ties: code-point order
                    best[key] = (term, df)
            self._syl_best = best
        return self._syl_best

    def _table(self, name: str) -> dict[str, int]:
        """A table of ``indexer.codec.wordstats`` (the index's ``words.vns`` holds it for
        its segments, the term index answers for the others)."""
        reader = self._reader
        leaves = [leaf for leaf, _ in reader.leaf_readers()] \
            if hasattr(reader, "leaf_readers") else [reader]
        try:
            segments = [(leaf.segment().segment_id(), leaf.doc_count_all()) for leaf in leaves]
        except AttributeError:  # not segment readers: no file to trust
            segments = []
        return _word_counts(self.folder if segments else None, leaves, segments, name)

    def _words(self) -> dict[str, tuple[str, int]]:
        if self._entries is None:
            entries: dict[str, tuple[str, int]] = {}
            for term, df in _terms(self._reader, "words"):
                display = term.replace("_", " ")
                key = fold(display)
                if df > entries.get(key, ("", -1))[1]:
                    entries[key] = (display, df)
            self._keys = sorted(entries)
            self._entries = entries
        return self._entries

    def complete(self, prefix: str, limit: int = 8) -> list[str]:
        """Words starting with ``prefix`` (any diacritics), most frequent first."""
        key = fold(prefix.lower()).strip()
        if not key:
            return []
        entries = self._words()
        lo = bisect.bisect_left(self._keys, key)
        found = []
        for k in self._keys[lo:lo + 5000]:
            if not k.startswith(key):
                break
            found.append(entries[k])
        found.sort(key=lambda e: -e[1])
        return [display for display, _ in found[:limit]]

    def known_folds(self, folded: Iterable[str]) -> set[str]:
        best = self.syl_best
        return {s for s in folded if s in best}

    def best_forms(self, folded: Iterable[str]) -> dict[str, tuple[str, int]]:
        best = self.syl_best
        return {s: best[s] for s in folded if s in best}

    def word_counts(self, folded: bool) -> tuple[dict[str, int], int]:
        """Occurrences of each word of the ``words`` field (compounds joined by ``_``),
        exact or folded (every exact form of a folded word summed), and their total: the
        archive's own word statistics, for segmenting queries
        (``indexer.search.segmentation``)."""
        got = self._counts.get(folded)
        if got is None:
            counts = self._table("folded" if folded else "words")
            self._counts[folded] = (counts, sum(counts.values()))
            got = self._counts[folded]
        return got

    def hyphened(self) -> frozenset[tuple[str, str]]:
        """Folded syllable pairs the archive writes joined by a hyphen inside one word
        (``Jong-un`` of *Kim Jong-un*), in at least two places: the same word as the pair
        typed with a space (``indexer.search.segmentation``)."""
        if self._hyphened is None:
            seen: Counter[tuple[str, str]] = Counter()
            for word, count in self.word_counts(True)[0].items():
                if "-" not in word:
                    continue
                for token in word.split("_"):
                    parts = token.split("-")
                    for a, b in zip(parts, parts[1:]):
                        if a and b:
                            seen[(a, b)] += count
            self._hyphened = frozenset(p for p, c in seen.items() if c >= 2)
        return self._hyphened


def correct_syllables(folded: Sequence[str], vocab: SyllableVocabulary) -> list[str]:
    """Replace folded syllables unknown to the index by their neighbour at edit distance 1
    whose best form the most articles hold (typos like "nghoe" → "ngheo"; ties: the first
    in code-point order).

    Neighbours are generated (deletes, transposes, replaces, inserts over a–z), not searched,
    and asked of the vocabulary in one call: a few hundred look-ups per unknown syllable.
    """
    known = vocab.known_folds(folded)
    unknown = {s for s in folded if s not in known and s.isalpha() and len(s) <= 8}
    if not unknown:
        return list(folded)
    edits = {s: sorted(_edits1(s)) for s in unknown}
    forms = vocab.best_forms({c for cands in edits.values() for c in cands})
    out = []
    for syl in folded:
        best, best_df = syl, 0
        for cand in edits.get(syl, ()):
            hit = forms.get(cand)
            if hit and hit[1] > best_df:
                best, best_df = cand, hit[1]
        out.append(best)
    return out


def _edits1(word: str) -> set[str]:
    letters = string.ascii_lowercase
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in letters]
    inserts = [a + c + b for a, b in splits for c in letters]
    return set(deletes + transposes + replaces + inserts)


def did_you_mean(text: str, total: int, vocab: SyllableVocabulary,
                 best_texts: Callable[[list[str], bool], list[str]]) -> str | None:
    """The query's positive ``text`` (it matched ``total`` articles) with its diacritics
    restored and typos corrected as the best-matching articles write it, or None: nothing
    to offer, or an accented query that found something.

    ``best_texts(folded, corrected)`` gives the titles and paragraphs of the engine's best
    articles: the query's own while nothing was ``corrected`` and it matched, else those
    holding the ``folded`` syllables side by side, else anywhere.
    """
    syl = syllables(text)
    if not syl or len(syl) > MAX_SUGGESTED_SYLLABLES:
        return None
    if has_diacritics(text) and total > 0:
        return None
    typed = [fold(s) for s in syl]
    folded = correct_syllables(typed, vocab)
    restored = restore_from_texts(folded, best_texts(folded, folded != typed), vocab)
    if not restored:
        return None
    suggestion = " ".join(restored)
    if normalize(suggestion) == normalize(text.lower()):
        return None
    return suggestion


def restore_from_texts(folded: Sequence[str], texts: Iterable[str],
                       vocab: SyllableVocabulary | None = None) -> list[str] | None:
    """Exact spelling of the folded syllable sequence as the matching documents write it.

    Whole-sequence occurrences vote first; syllables never seen inside a full occurrence
    fall back to the best pair occurrence, then to the most frequent form in the index.

    >>> restore_from_texts(["giam", "ngheo"], ["Giám đốc bàn về giảm nghèo.", "giảm nghèo"])
    ['giảm', 'nghèo']
    >>> restore_from_texts(["beo", "hack"], ["Béo phì: hack cân nặng", "người béo"])
    ['béo', 'hack']
    """
    n = len(folded)
    if not n:
        return None
    full: Counter[tuple[str, ...]] = Counter()
    pairs: list[Counter[tuple[str, str]]] = [Counter() for _ in range(max(0, n - 1))]
    # Single syllables as the matching documents spell them: for words typed far apart
    # ("beo phi hack") the documents that match still say "béo", not the index's "bèo".
    # Texts holding every query word (typically the matching article's headline) vote
    # first; "triều" in the one headline that has all three words beats "triệu" elsewhere.
    singles: dict[str, Counter[str]] = {f: Counter() for f in folded}
    together: dict[str, Counter[str]] = {f: Counter() for f in folded}
    wanted = set(folded)
    for text in texts:
        lowered = text.lower()
        folded_text = fold(lowered)
        if not any(f in folded_text for f in wanted):  # no query syllable: no vote here
            continue
        toks = _WORD.findall(lowered)
        ftoks = [fold(t) for t in toks]
        votes = together if wanted <= set(ftoks) else singles
        weight = 10 if votes is together else 1
        for i in range(len(toks)):
            if ftoks[i] in votes:
                votes[ftoks[i]][toks[i]] += 1
            if ftoks[i] != folded[0] and n > 1 and ftoks[i] not in folded:
                continue
            if ftoks[i:i + n] == list(folded):
                full[tuple(toks[i:i + n])] += 1
            for j in range(n - 1):
                if ftoks[i:i + 2] == [folded[j], folded[j + 1]]:
                    pairs[j][(toks[i], toks[i + 1])] += weight
    if full:
        return list(full.most_common(1)[0][0])
    out: list[str | None] = [None] * n
    for j, counter in enumerate(pairs):
        if counter:
            a, b = counter.most_common(1)[0][0]
            out[j] = out[j] or a
            out[j + 1] = out[j + 1] or b
    unseen = []
    for i, syl in enumerate(folded):
        for votes in (together, singles):
            if out[i] is None and votes[syl]:
                out[i] = votes[syl].most_common(1)[0][0]
        if out[i] is None:
            unseen.append(i)
    forms = vocab.best_forms({folded[i] for i in unseen}) if vocab and unseen else {}
    for i in unseen:
        hit = forms.get(folded[i])
        out[i] = hit[0] if hit else folded[i]
    return [s for s in out if s is not None]


def complete_from_texts(folded: Sequence[str], texts: Iterable[str], limit: int = 8,
                        extend: int = 1) -> list[str]:
    """Completions of a partly typed query as the documents spell it.

    All syllables but the last must match exactly (folded); the last is a folded prefix.
    Up to ``extend`` following syllables are offered too ("giảm nghèo bền vững").

    >>> complete_from_texts(["giam", "ng"], ["Công tác giảm nghèo bền vững.",
    ...                                      "Giảm nghèo ở Long An; giám ngân sách"], 3)
    ['giảm nghèo', 'giám ngân', 'giảm nghèo bền']
    """
    if not folded:
        return []
    head, last = list(folded[:-1]), folded[-1]
    n = len(head)
    votes: Counter[str] = Counter()
    for text in texts:
        toks = _WORD.findall(text.lower())
        ftoks = [fold(t) for t in toks]
        for i in range(len(toks) - n):
            if ftoks[i:i + n] == head and ftoks[i + n].startswith(last):
                base = toks[i:i + n + 1]
                votes[" ".join(base)] += 2
                for k in range(1, extend + 1):
                    if i + n + k < len(toks):
                        votes[" ".join(toks[i:i + n + 1 + k])] += 1
    return [phrase for phrase, _ in votes.most_common(limit)]
