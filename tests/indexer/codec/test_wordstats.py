"""Term counts read from Whoosh's term index, and the word statistics file ``words.vns``
that saves a searcher from rebuilding the query segmenter's word counts."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

from archive.textnorm import fold
from indexer.codec import wordstats
from indexer.codec.wordstats import STATS, field_terms, write_word_stats
from indexer.generations import current_path


def test_term_counts_read_from_the_term_index_equal_whooshs(searcher, monkeypatch):
    """Did-you-mean, completion and the word counts read each segment's term index rows
    directly; Whoosh's own term infos must give the same counts."""
    reader = searcher.snapshot()[0].reader()
    for field in ("syl", "words", "t_words", "province"):
        fast = dict(field_terms(reader, field))
        expected: Counter = Counter()
        leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
        for leaf, _ in leaves:
            for term, info in leaf.iter_field(field):
                expected[term.decode()] += info.doc_frequency()
        assert fast == dict(expected) and len(fast) > 5, field
        monkeypatch.setattr(wordstats, "_count_field", lambda *a: False)  # Whoosh's path
        assert dict(field_terms(reader, field)) == fast
        monkeypatch.undo()


def test_term_counts_skip_segments_without_the_field(tmp_path):
    """A segment that never saw a field (no document had it) adds nothing, and the other
    segments' counts still come through."""
    from whoosh import index as whoosh_index

    from indexer.schema import schema
    ix = whoosh_index.create_in(str(tmp_path), schema())
    for docs in ([{"aid": "1", "province": "Long An"}, {"aid": "2", "province": "Long An"}],
                 [{"aid": "3"}]):
        writer = ix.writer()
        for d in docs:
            writer.add_document(**d)
        writer.commit(merge=False)
    reader = ix.reader()
    assert len(reader.leaf_readers()) == 2
    assert dict(field_terms(reader, "province")) == {"Long An": 2}
    assert dict(field_terms(reader, "official")) == {}


def _counts(data: Path) -> tuple:
    """The segmenter's exact and folded word counts and did-you-mean's best spelling of
    each folded syllable, as a fresh searcher has them."""
    from indexer import ArchiveSearcher
    s = ArchiveSearcher(data)
    try:
        vocab = s.snapshot()[1].vocabulary()
        return vocab.word_counts(False), vocab.word_counts(True), vocab.syl_best
    finally:
        s.close()


def _from_term_index(data: Path) -> tuple:
    """The same figures straight from Whoosh's term infos (no file, no fast path)."""
    from indexer import ArchiveSearcher
    s = ArchiveSearcher(data)
    try:
        exact: Counter = Counter()
        syl: Counter = Counter()
        for leaf, _ in s.snapshot()[0].reader().leaf_readers():
            for term, info in leaf.iter_field("words"):
                exact[term.decode()] += int(info.weight())
            for term, info in leaf.iter_field("syl"):
                syl[term.decode()] += info.doc_frequency()
    finally:
        s.close()
    folded: Counter = Counter()
    for word, n in exact.items():
        folded[fold(word)] += n
    best: dict = {}
    for term, df in syl.items():  # ties: the first met in segment and term order
        if df > best.get(fold(term), ("", -1))[1]:
            best[fold(term)] = (term, df)
    return (dict(exact), sum(exact.values())), (dict(folded), sum(folded.values())), best


def _covered(data: Path) -> list[str]:
    raw = (current_path(data) / STATS).read_bytes()
    size = wordstats._HEAD.unpack_from(raw, 0)[1]
    return [sid for sid, _ in json.loads(raw[wordstats._HEAD.size:wordstats._HEAD.size + size])]


def test_ingest_writes_the_word_counts_and_they_equal_the_term_indexs(copy_of_archive):
    """The file an ingest wrote covers every segment and gives exactly the counts the term
    index gives; so does a file covering only the first segments (the rest counted from
    the term index), a file of other segments and a damaged one (ignored)."""
    from indexer import ArchiveSearcher
    data = copy_of_archive
    stats = current_path(data) / STATS
    assert stats.exists()
    truth = _from_term_index(data)
    assert _counts(data) == truth and len(truth[1][0]) > 100
    s = ArchiveSearcher(data)
    n_segments = len(s.snapshot()[0].reader().leaf_readers())
    s.close()
    assert len(_covered(data)) == n_segments
    # an ingest of more articles: the file is carried forward and covers the new segment
    from indexer import ingest_paths
    extra = data.parent / "extra.jsonl"
    extra.write_text(json.dumps({"url": "https://example.vn/them-mot-bai", "title":
                                 "Hạ Long đón khách", "body": "Tin tặc tấn công Hạ Long."},
                                ensure_ascii=False) + "\n", encoding="utf-8")
    before = truth
    ingest_paths([extra], data, workers=1)
    truth = _from_term_index(data)
    assert _counts(data) == truth and truth[0][1] > before[0][1]
    covered = _covered(data)
    assert len(covered) > n_segments
    # a file over the first segments only: the others come from the term index
    s = ArchiveSearcher(data)
    reader = s.snapshot()[0].reader()
    first = reader.leaf_readers()[0][0]
    shutil.copy(stats, stats.with_suffix(".bak"))
    write_word_stats(current_path(data), first)
    s.close()
    assert _covered(data) == covered[:1]
    assert _counts(data) == truth
    # another index's file, and a damaged one: ignored
    raw = stats.with_suffix(".bak").read_bytes()
    stats.write_bytes(raw.replace(covered[-1].encode(), b"x" * len(covered[-1])))
    assert _counts(data) == truth
    stats.write_bytes(raw[:len(raw) // 2])
    assert _counts(data) == truth
    stats.unlink()
    assert _counts(data) == truth


def test_reindex_writes_the_word_counts(copy_of_archive):
    from indexer.ingest.reindexer import reindex
    data = copy_of_archive
    (current_path(data) / STATS).unlink()
    reindex(data, workers=1)
    assert (current_path(data) / STATS).exists()
    assert _counts(data) == _from_term_index(data)


def test_the_match_set_never_depends_on_the_file(copy_of_archive):
    """A searcher that finds the word counts in the file and one that rebuilds them segment
    the same queries the same way: same totals, same hits."""
    from indexer import ArchiveSearcher, SearchRequest
    data = copy_of_archive
    queries = ["giam ngheo ben vung long an", "giảm nghèo bền vững", "ha long", "tin tac",
               "nong thon moi", '"nông thôn mới"', "chuong trinh"]

    def answers():
        s = ArchiveSearcher(data)
        try:
            out = []
            for q in queries:
                r = s.search(SearchRequest(q=q, with_snippets=False))
                out.append((r["total"], r["fallback"], [h["id"] for h in r["results"]]))
            return out
        finally:
            s.close()

    with_file = answers()
    assert any(total for total, _, _ in with_file)
    (current_path(data) / STATS).unlink()
    assert answers() == with_file
