"""Batches become segments in order; a re-added article replaces its older document."""
from __future__ import annotations

from archive.datadir import DataDir
from archive.store import Store
from indexer.generations import new_generation
from indexer.ingest.publisher import Publisher


def _rows(archive_dir):
    store = Store(DataDir(archive_dir).store, readonly=True)
    try:
        return list(store.iter_all())
    finally:
        store.close()


def _aids(path) -> list[int]:
    from whoosh import index as whoosh_index
    with whoosh_index.open_dir(str(path)).searcher() as s:
        return sorted(int(f["aid"]) for f in s.all_stored_fields())


def test_batches_are_published_and_replacements_leave_one_document(archive_dir, tmp_path):
    rows = _rows(archive_dir)
    assert len(rows) >= 6
    path, ix = new_generation(tmp_path)
    commits = []
    pub = Publisher(ix, path, commit_store=lambda: commits.append(1))
    half = len(rows) // 2
    for row in rows[:half]:
        pub.add(row.id, row.article, row.analysis, known=False)
    pub.dispatch()   # first batch: the store is committed before it leaves
    assert commits == [1]
    for row in rows[half:]:
        pub.add(row.id, row.article, row.analysis, known=False)
    pub.add(rows[0].id, rows[0].article, rows[0].analysis, known=True)  # re-ingested
    pub.flush()
    assert _aids(path) == sorted(r.id for r in rows)


def test_the_same_article_twice_in_one_batch_is_indexed_once(archive_dir, tmp_path):
    row = _rows(archive_dir)[0]
    path, ix = new_generation(tmp_path)
    pub = Publisher(ix, path)
    pub.add(row.id, row.article, row.analysis, known=False)
    pub.add(row.id, row.article, row.analysis, known=False)
    pub.flush()
    assert _aids(path) == [row.id]


def test_cancel_forgets_unpublished_work(archive_dir, tmp_path):
    row = _rows(archive_dir)[0]
    path, ix = new_generation(tmp_path)
    pub = Publisher(ix, path)
    pub.add(row.id, row.article, row.analysis, known=False)
    pub.cancel()
    pub.flush()
    assert _aids(path) == []


def test_the_last_batch_is_split_among_the_workers(archive_dir, tmp_path):
    import multiprocessing

    from indexer.codec.sidecar_merge import index_segments
    from indexer.generations import open_current, switch_to
    rows = _rows(archive_dir)
    path, ix = new_generation(tmp_path)
    switch_to(tmp_path, path)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pub = Publisher(ix, path, pool, parts=2, min_part=2)
        for row in rows[:2]:
            pub.add(row.id, row.article, row.analysis, known=False)
        pub.flush()  # a batch before the last one stays whole
        for row in rows[2:] + rows[:1]:  # the first again: its old document must go
            pub.add(row.id, row.article, row.analysis, known=row is rows[0])
        pub.flush(last=True)
    segments = index_segments(open_current(tmp_path))
    rest = len(rows) - 1
    assert [n for _, n in segments] == [2, -(-rest // 2), rest // 2]
    assert _aids(path) == sorted(r.id for r in rows)  # each article once


def test_a_last_batch_too_small_to_split_is_one_segment(archive_dir, tmp_path):
    import multiprocessing

    from indexer.codec.sidecar_merge import index_segments
    from indexer.generations import open_current, switch_to
    rows = _rows(archive_dir)
    path, ix = new_generation(tmp_path)
    switch_to(tmp_path, path)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pub = Publisher(ix, path, pool, parts=2, min_part=len(rows))
        for row in rows:
            pub.add(row.id, row.article, row.analysis, known=False)
        pub.flush(last=True)
    assert [n for _, n in index_segments(open_current(tmp_path))] == [len(rows)]
    assert _aids(path) == sorted(r.id for r in rows)
