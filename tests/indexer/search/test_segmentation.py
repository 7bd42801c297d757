"""``query_words``: a typed query's words, found with the archive's own word counts —
folded runs split into the most probable words, punctuation ending a run, and a token with
punctuation inside kept as one word across its gaps."""
from __future__ import annotations

import pytest

from indexer import ArchiveSearcher, SearchRequest
from indexer.search.nodes import ADJACENT, EITHER, GAPPED
from indexer.search.segmentation import (MAX_WORD_SYLLABLES, QueryWord, headline_reading,
                                         query_words)
from tests.querying import ingest_docs


class Vocabulary:
    """Word counts as ``Vocabulary.word_counts`` gives them: compounds joined by ``_``."""

    def __init__(self, exact: dict[str, int], folded: dict[str, int]) -> None:
        self.counts = {False: exact, True: folded}

    def word_counts(self, folded: bool) -> tuple[dict[str, int], int]:
        counts = self.counts[folded]
        return counts, sum(counts.values())


class Reader:
    """Field lengths and term frequencies, as a Whoosh reader answers them."""

    def __init__(self, freq: dict[tuple[str, str], int], lengths: dict[str, int]) -> None:
        self.freq, self.lengths = freq, lengths

    def frequency(self, field: str, term: str) -> int:
        return self.freq.get((field, term), 0)

    def doc_frequency(self, field: str, term: str) -> int:
        return self.freq.get((field, term), 0)  # each occurrence in a document of its own

    def field_length(self, field: str) -> int:
        return self.lengths.get(field, 0)


FOLDED = {"giam_ngheo": 120, "ben_vung": 90, "long_an": 60, "giam": 40, "ngheo": 35, "ben": 300,
          "vung": 80, "long": 200, "an": 900, "tin": 500, "tac": 50, "ha_long": 70, "ha": 700}
EXACT = {"giảm_nghèo": 120, "bền_vững": 90, "long_an": 60, "giảm": 40, "nghèo": 35, "tin": 500}


def keys(words: list[QueryWord]) -> list[str]:
    return [w.key for w in words]


def test_an_unaccented_query_is_read_as_the_archives_words():
    words = query_words("giam ngheo ben vung long an", True, Vocabulary(EXACT, FOLDED))
    assert keys(words) == ["giam_ngheo", "ben_vung", "long_an"]
    assert all(w.side_by_side and w.steps == (ADJACENT,) for w in words)


def test_an_accented_query_uses_the_exact_counts():
    words = query_words("giảm nghèo bền vững", False, Vocabulary(EXACT, FOLDED))
    assert keys(words) == ["giảm_nghèo", "bền_vững"]


def test_folded_words_are_folded_whatever_was_typed():
    words = query_words("Đà Nẵng", True, Vocabulary(EXACT, {"da_nang": 10}))
    assert keys(words) == ["da_nang"]


def test_a_compound_seen_once_is_a_segmenters_accident_not_a_word():
    counts = dict(FOLDED, ngheo_ben=1)
    assert keys(query_words("ngheo ben", True, Vocabulary(EXACT, counts))) == ["ngheo", "ben"]


def test_punctuation_typed_between_syllables_ends_the_word():
    assert keys(query_words("long, an", True, Vocabulary(EXACT, FOLDED))) == ["long", "an"]


def test_a_token_with_punctuation_inside_is_one_word_across_its_gaps():
    words = query_words("COVID-19 tại Hà Nội", False)
    first = words[0]
    assert first.syllables == ("covid", "19") and first.key == "covid-19"
    assert first.steps == (GAPPED,) and not first.side_by_side


def test_without_a_vocabulary_a_folded_run_is_read_syllable_by_syllable():
    assert keys(query_words("giam ngheo", True)) == ["giam", "ngheo"]


def test_words_never_exceed_the_longest_compound():
    syllables = " ".join(["an"] * 9)
    counts = {"_".join(["an"] * n): 1000 for n in range(1, 10)}
    words = query_words(syllables, True, Vocabulary(EXACT, counts))
    assert max(len(w.syllables) for w in words) <= MAX_WORD_SYLLABLES
    assert sum(len(w.syllables) for w in words) == 9


def test_a_pair_far_more_often_side_by_side_than_chance_is_joined():
    # "tin tặc" is two words to the segmenter; side by side 48 times in a 1,000,000-syllable
    # folded field where chance predicts 500·50/1e6 = 0.025: one word.
    reader = Reader({("fold", "tin"): 500, ("fold", "tac"): 50, ("fpair", "tin_tac"): 48},
                    {"fold": 1_000_000})
    words = query_words("tin tac", True, Vocabulary(EXACT, FOLDED), reader)
    assert keys(words) == ["tin_tac"]


def test_a_pair_side_by_side_by_chance_stays_apart():
    reader = Reader({("fold", "tin"): 500_000, ("fold", "tac"): 50_000, ("fpair", "tin_tac"): 48},
                    {"fold": 1_000_000})
    assert keys(query_words("tin tac", True, Vocabulary(EXACT, FOLDED), reader)) == ["tin", "tac"]


def test_accented_pairs_are_joined_by_the_documents_with_them_side_by_side():
    reader = Reader({("syl", "tin"): 500, ("syl", "tặc"): 50, ("fpair", "tin_tac"): 60},
                    {"syl": 1_000_000})
    joined = query_words("tin tặc", False, Vocabulary(EXACT, FOLDED), reader,
                         adjacent_docs=lambda a, b: 48 if (a, b) == ("tin", "tặc") else 0)
    assert keys(joined) == ["tin_tặc"]
    apart = query_words("tin tặc", False, Vocabulary(EXACT, FOLDED), reader, adjacent_docs=lambda a, b: 0)
    assert keys(apart) == ["tin", "tặc"]


def _headlines(held: dict[tuple[str, ...], int]):
    """``headline_docs`` answering from a table: the words' keys → headlines holding them."""
    asked = []

    def count(words) -> int:
        asked.append(tuple(w.key for w in words))
        return held.get(asked[-1], 0)
    count.asked = asked
    return count


DUNG_CU = {"dung_cu": 40, "dung": 900, "cu": 700, "nga": 300, "khac": 1_000_000}


def _read(text: str, vocab: Vocabulary, heads) -> list[str] | None:
    other = headline_reading(tuple(query_words(text, True, vocab)), heads)
    return None if other is None else keys(list(other))


def test_a_reading_no_headline_holds_has_the_one_a_headline_holds_beside_it():
    heads = _headlines({("dung", "cu", "nga"): 1})
    assert keys(query_words("dung cu nga", True, Vocabulary({}, DUNG_CU))) == ["dung_cu", "nga"]
    assert _read("dung cu nga", Vocabulary({}, DUNG_CU), heads) == ["dung", "cu", "nga"]
    assert heads.asked[0] == ("dung_cu", "nga")  # the reading as read is asked first


def test_a_reading_some_headline_holds_has_no_other():
    heads = _headlines({("dung_cu", "nga"): 1, ("dung", "cu", "nga"): 9})
    assert _read("dung cu nga", Vocabulary({}, DUNG_CU), heads) is None


def test_no_other_reading_when_no_headline_holds_one_either():
    assert _read("dung cu nga", Vocabulary({}, DUNG_CU), _headlines({})) is None


def test_a_lone_compound_has_no_other_reading_whatever_the_headlines():
    heads = _headlines({("dung", "cu"): 5})
    assert _read("dung cu", Vocabulary({}, DUNG_CU), heads) is None and heads.asked == []


def test_the_fewest_compounds_are_split():
    heads = _headlines({("giam_ngheo", "long", "an"): 2, ("giam", "ngheo", "long", "an"): 7})
    assert _read("giam ngheo long an", Vocabulary({}, FOLDED), heads) == \
        ["giam_ngheo", "long", "an"]


def test_among_equal_splits_the_one_most_headlines_hold():
    heads = _headlines({("giam_ngheo", "long", "an"): 2, ("giam", "ngheo", "long_an"): 3})
    assert _read("giam ngheo long an", Vocabulary({}, FOLDED), heads) == \
        ["giam", "ngheo", "long_an"]


# A real archive: "Kim Jong-un" twice, "Kim Jong Un" twice; "dụng cụ" never hyphenated.
HYPHEN_DOCS = [
    ("k1", "Ông Kim Jong-un thăm nhà máy", "Nhà lãnh đạo Kim Jong-un thị sát một nhà máy."),
    ("k2", "Thượng đỉnh Kim Jong-un", "Cuộc gặp với ông Kim Jong-un diễn ra tại Hà Nội."),
    ("k3", "Kim Jong Un phát biểu", "Ông Kim Jong Un phát biểu đầu năm."),
    ("k5", "Thông điệp của Kim Jong Un", "Kim Jong Un gửi thông điệp."),
    ("c1", "Mua dụng cụ y tế", "Bệnh viện mua thêm dụng cụ y tế và dụng cụ phẫu thuật."),
    ("c2", "Dụng cụ học tập cho học sinh", "Nhà trường tặng dụng cụ học tập cho học sinh nghèo."),
    ("c3", "Mỹ dừng cấp thị thực định cư cho công dân Nga",
     "Mỹ thông báo dừng cấp thị thực không định cư cho công dân Nga. Nga phản đối."),
    ("c4", "Nga dừng hợp tác", "Nga tuyên bố dừng hợp tác, cư dân lo ngại. Nga cho biết sẽ cân nhắc."),
    ("c6", "Triển lãm quân sự", "Nga trưng bày dụng cụ quân sự mới tại triển lãm."),
    ("c5", "Mưa lớn ở miền Trung", "Mưa lớn kéo dài nhiều ngày khiến nhiều tuyến đường ở các tỉnh "
     "miền Trung bị ngập sâu, hàng nghìn hộ dân phải sơ tán đến nơi an toàn trước khi lũ về."),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("hyphens")
    searcher = ArchiveSearcher(ingest_docs(root, HYPHEN_DOCS))
    yield searcher
    searcher.close()


def test_a_pair_the_archive_writes_hyphenated_matches_across_the_hyphen(archive):
    _, columns = archive.snapshot()
    # "Kim Jong-un" twice, "Kim Jong Un" twice: typed with a space, one word either way
    words = query_words("jong un", True, columns.vocabulary(), archive.evaluator.terms)
    assert [(w.syllables, w.steps) for w in words] == [(("jong", "un"), (EITHER,))]
    for q in ("Jong Un", "jong un"):
        found = archive.search(SearchRequest(q=q, per_page=10))
        assert {h["url"].rsplit("/", 1)[1] for h in found["results"]} == {"k1", "k2", "k3", "k5"}



def test_a_pair_never_written_hyphenated_stays_side_by_side(archive):
    _, columns = archive.snapshot()
    words = query_words("dung cu", True, columns.vocabulary(), archive.evaluator.terms)
    assert [w.steps for w in words if len(w.syllables) > 1] in ([], [(ADJACENT,)])
    assert all(EITHER not in w.steps for w in words)


def test_a_folded_query_also_matches_the_headlines_that_hold_it_read_otherwise(archive):
    # "dụng cụ" beside "Nga" stands in c6's body and in no headline; "dừng … cư … Nga"
    # stands in c3's headline: both articles match, the headline first; c4 has the three
    # syllables apart in its body only, and does not
    found = archive.search(SearchRequest(q="dung cu nga", per_page=10))
    assert [h["url"].rsplit("/", 1)[1] for h in found["results"]] == ["c3", "c6"]
    assert found["total"] == 2 and found["fallback"] is None  # a reading, not a relaxation


def test_an_accented_query_is_never_read_otherwise(archive):
    found = archive.search(SearchRequest(q="dụng cụ Nga", per_page=10))
    assert [h["url"].rsplit("/", 1)[1] for h in found["results"]] == ["c6"]
