"""Did-you-mean and completion: the index's vocabulary (``Vocabulary`` on the session
archive), typo correction, and spellings restored from the matching documents' text."""
from __future__ import annotations

from archive.textnorm import fold
from indexer.search.suggest import (Vocabulary, complete_from_texts, correct_syllables,
                                    did_you_mean, restore_from_texts)


def _vocabulary(searcher) -> Vocabulary:
    return Vocabulary(searcher.snapshot()[0].reader())


def test_the_vocabulary_knows_the_archives_syllables_by_their_folded_form(searcher):
    vocab = _vocabulary(searcher)
    assert vocab.known_folds(["ngheo", "xqzv"]) == {"ngheo"}
    assert vocab.syl_best["ngheo"][0] == "nghèo"


def test_word_counts_sum_every_spelling_of_a_folded_word(searcher):
    vocab = _vocabulary(searcher)
    exact, exact_total = vocab.word_counts(False)
    folded, folded_total = vocab.word_counts(True)
    assert exact_total == folded_total == sum(exact.values()) > 0
    compounds = [w for w in exact if "_" in w]
    assert compounds
    for word in compounds[:200]:
        key = fold(word)
        assert folded[key] == sum(n for w, n in exact.items() if fold(w) == key)


def test_completion_offers_words_of_the_archive_most_frequent_first(searcher):
    done = _vocabulary(searcher).complete("ngh", 5)
    assert done and all(w.split()[0].lower().startswith("ngh") for w in done)
    assert _vocabulary(searcher).complete("   ") == []


def test_a_typo_is_corrected_to_its_most_frequent_neighbour(searcher):
    vocab = _vocabulary(searcher)
    assert correct_syllables(["giam", "nghoe"], vocab) == ["giam", "ngheo"]
    assert correct_syllables(["2024", "xqzvwkk"], vocab)[0] == "2024"  # not letters: kept


def test_spellings_come_from_the_matching_texts():
    texts = ["Giám đốc bàn về giảm nghèo.", "Công tác giảm nghèo bền vững ở Long An"]
    assert restore_from_texts(["giam", "ngheo"], texts) == ["giảm", "nghèo"]
    assert restore_from_texts(["long", "an"], texts) == ["long", "an"]
    assert restore_from_texts([], texts) is None


def test_completion_from_texts_keeps_the_typed_words_and_extends_the_last():
    texts = ["Công tác giảm nghèo bền vững.", "Giảm nghèo ở Long An; giám ngân sách"]
    assert complete_from_texts(["giam", "ng"], texts, 3) == ["giảm nghèo", "giám ngân", "giảm nghèo bền"]
    assert complete_from_texts([], texts) == []


def test_hyphened_pairs_are_written_hyphenated_inside_a_word_twice_at_least(searcher):
    vocab = _vocabulary(searcher)
    folded, _ = vocab.word_counts(True)
    pairs = vocab.hyphened()
    assert ("covid", "19") in pairs  # the session archive writes COVID-19 in several places
    for a, b in pairs:
        holders = [n for w, n in folded.items()
                   if any(f"-{a}-{b}-" in f"-{t}-" for t in w.split("_"))]
        assert a and b and sum(holders) >= 2
    once = [w for w, n in folded.items() if n == 1 and w.count("-") == 1 and "_" not in w]
    for w in once:
        a, b = w.split("-")
        if a and b and sum(n for k, n in folded.items() if f"{a}-{b}" in k) == 1:
            assert (a, b) not in pairs


class _Forms:
    """A vocabulary of a few folded syllables with their best forms."""

    def __init__(self, best: dict[str, tuple[str, int]]) -> None:
        self.best, self.asked = best, []

    def known_folds(self, folded):
        return {s for s in folded if s in self.best}

    def best_forms(self, folded):
        folded = set(folded)
        self.asked.append(folded)
        return {s: self.best[s] for s in folded if s in self.best}


def test_correction_asks_every_neighbour_at_once_and_breaks_ties_by_spelling():
    vocab = _Forms({"ngheo": ("nghèo", 5), "nghe": ("nghe", 5), "giam": ("giảm", 9)})
    # "nghoe" → deletes give "nghe" (5), transposes "ngheo" (5): the same count, so the
    # first in code-point order wins, whatever the set order of the process
    assert correct_syllables(["giam", "nghoe"], vocab) == ["giam", "nghe"]
    assert len(vocab.asked) == 1 and "ngheo" in vocab.asked[0]


def test_did_you_mean_restores_from_the_best_texts_and_keeps_quiet_when_nothing_changes():
    vocab = _Forms({"giam": ("giám", 9), "ngheo": ("nghèo", 5), "long": ("long", 3)})
    asked = []

    def best_texts(folded, corrected):
        asked.append((folded, corrected))
        return ["Công tác giảm nghèo ở Long An"]

    assert did_you_mean("giam nghoe", 3, vocab, best_texts) == "giảm nghèo"
    assert asked == [(["giam", "ngheo"], True)]
    assert did_you_mean("giảm nghèo", 3, vocab, best_texts) is None   # accented and found
    assert did_you_mean("long", 3, vocab, best_texts) is None         # already as written
    # no text holds them: each syllable takes its best form in the index, if any
    assert did_you_mean("giam zzqq", 0, vocab, lambda f, c: []) == "giám zzqq"
