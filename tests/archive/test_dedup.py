"""Simhash near-duplicates on real Vietnamese news text (../shared VietNews)."""
from __future__ import annotations

import gzip
import itertools
import json
import random
import unicodedata
from pathlib import Path

import pytest

from archive.dedup import SimhashIndex, hamming, near_duplicate, simhash

VIETNEWS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "vietnews" / "vietnews_test.jsonl.gz"


@pytest.fixture(scope="module")
def stories() -> list[str]:
    assert VIETNEWS.is_file(), f"missing {VIETNEWS}"
    out = []
    with gzip.open(VIETNEWS, "rt", encoding="utf-8") as fh:
        for line in fh:
            body = json.loads(line)["body"]
            if len(body) > 800:
                out.append(body)
            if len(out) == 150:
                break
    return out


def reprint(body: str) -> str:
    """A syndicated copy: source line and credit added, other tone style, decomposed Unicode."""
    swapped = body.replace("hòa", "hoà").replace("thủy", "thuỷ").replace("khỏe", "khoẻ")
    return "Theo TTXVN\n" + unicodedata.normalize("NFD", swapped) + "\nẢnh: Báo Nhân Dân"


def test_reprints_are_near_duplicates(stories):
    assert all(near_duplicate(simhash(b), simhash(reprint(b))) for b in stories)


def test_distinct_stories_are_not(stories):
    hashes = [simhash(b) for b in stories]
    closest = min(hamming(a, b) for a, b in itertools.combinations(hashes, 2))
    assert closest > 3


def test_small_edits_stay_closer_than_other_stories(stories):
    rnd = random.Random(7)
    hashes = [simhash(b) for b in stories]
    for body, h in zip(stories[:40], hashes):
        words = body.split(" ")
        for _ in range(3):
            words[rnd.randrange(len(words))] = "sửa"
        edited = simhash(" ".join(words))
        others = min(hamming(h, o) for o in hashes if o != h)
        assert hamming(h, edited) < others


def test_index_finds_the_same_pairs_as_brute_force(stories):
    index = SimhashIndex(max_distance=3)
    hashes = [simhash(body) for body in stories]
    for i, h in enumerate(hashes):
        index.add(i, h)
    for i, body in enumerate(stories[:50]):
        copy = simhash(reprint(body))
        found = index.query(copy)
        assert found and found[0][0] == i
        assert {k for k, _ in found} == {j for j, h in enumerate(hashes) if near_duplicate(h, copy)}


def test_equal_after_normalisation():
    text = "Chương trình giảm nghèo bền vững tại thị xã Cai Lậy được triển khai đồng bộ, hiệu quả."
    assert simhash(text) == simhash(unicodedata.normalize("NFD", text.upper()))
    assert simhash("") == 0


def reference_simhash(text: str) -> int:
    """The textbook definition, one feature and one bit at a time."""
    import hashlib
    from collections import Counter

    from archive.dedup import shingles
    counts = Counter(shingles(text))
    votes = [0] * 64
    for gram, n in counts.items():
        h = int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            votes[bit] += n if h >> bit & 1 else -n
    return sum(1 << bit for bit in range(64) if votes[bit] > 0)


def test_vectorised_simhash_is_the_textbook_one(stories):
    short = ["", "một", "hai từ", "ba từ thôi", "Hà Nội\nHà Nội\nHà Nội"]
    for text in short + stories[:60]:
        assert simhash(text) == reference_simhash(text)
