"""Vocabulary counts for did-you-mean and completion."""
from __future__ import annotations


def test_term_counts_read_from_the_term_index_equal_whooshs(searcher, monkeypatch):
    """Did-you-mean and completion count terms by reading each segment's term index rows
    directly; Whoosh's own term infos must give the same counts."""
    from collections import Counter

    from indexer.search import suggest
    reader = searcher.snapshot()[0].reader()
    for field in ("syl", "words", "t_words", "province"):
        fast = dict(suggest._terms(reader, field))
        expected: Counter = Counter()
        leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
        for leaf, _ in leaves:
            for term, info in leaf.iter_field(field):
                expected[term.decode()] += info.doc_frequency()
        assert fast == dict(expected) and len(fast) > 5, field
        monkeypatch.setattr(suggest, "_count_field", lambda *a: False)  # Whoosh's path
        assert dict(suggest._terms(reader, field)) == fast
        monkeypatch.undo()


def test_term_counts_skip_segments_without_the_field(tmp_path):
    """A segment that never saw a field (no document had it) adds nothing, and the other
    segments' counts still come through."""
    from whoosh import index as whoosh_index

    from indexer.search import suggest
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
    assert dict(suggest._terms(reader, "province")) == {"Long An": 2}
    assert dict(suggest._terms(reader, "official")) == {}
