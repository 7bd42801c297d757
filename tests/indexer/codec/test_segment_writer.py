"""The lean segment writer must write exactly what Whoosh's own writer writes."""
from __future__ import annotations

import pytest

from archive.datadir import DataDir


def postings_dump(path) -> list:
    """Every field length, term statistic and posting of the index at ``path``."""
    from whoosh import index as whoosh_index
    reader = whoosh_index.open_dir(str(path)).reader()
    out: list = [[reader.doc_field_length(d, "syl") for d in range(reader.doc_count_all())]]
    for field in ("words", "syl", "fold", "t_syl", "fpair", "t_fpair"):
        for term, info in reader.iter_field(field):
            m = reader.postings(field, term)
            rows = []
            while m.is_active():
                rows.append((m.id(), m.weight(), m.value()))
                m.next()
            out.append((field, term, info.weight(), info.doc_frequency(), info.min_length(),
                        info.max_length(), info.max_weight(), rows))
    return out


@pytest.mark.parametrize("merge", [True, False])
def test_fast_writer_writes_what_whoosh_writes(archive_dir, tmp_path, merge):
    """Same postings, weights, positions, lengths and term statistics as Whoosh's own
    writer, over several commits (each a new segment when not merging: the term-at-a-time
    path) and a merge of the segments (the posting stream path)."""
    from whoosh import index as whoosh_index
    from whoosh.writing import SegmentWriter
    from archive.store import Store
    from indexer.schema import document, schema
    from indexer.codec.segment_writer import fast_writer
    store = Store(DataDir(archive_dir).store, readonly=True)
    docs = [document(r.id, r.article, r.analysis) for r in store.iter_all()]
    store.close()
    assert len(docs) >= 10 and any(d["fpair"] for d in docs)
    dumps = []
    for name, make in (("whoosh", SegmentWriter), ("fast", fast_writer)):
        path = tmp_path / name
        path.mkdir()
        ix = whoosh_index.create_in(str(path), schema())
        third = len(docs) // 3
        for chunk in (docs[:third], docs[third:2 * third], docs[2 * third:]):
            writer = make(ix)
            for d in chunk:
                writer.add_document(**d)
            writer.commit(merge=merge)
        before = postings_dump(path)
        make(whoosh_index.open_dir(str(path))).commit(optimize=True)
        dumps.append((before, postings_dump(path)))
    assert dumps[0] == dumps[1] and len(dumps[0][1]) > 100
