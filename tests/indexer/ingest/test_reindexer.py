"""Reindex: a new generation from the store, serial or in workers, the same answers."""
from __future__ import annotations

import shutil

import indexer.ingest.reindexer as reindexer
from archive.datadir import DataDir
from archive.store import Store
from indexer import reindex
from indexer.generations import current_path
from indexer.search import ArchiveSearcher, SearchRequest

QUERIES = ("giảm nghèo", "nông thôn mới", "Long An", "giam ngheo ben vung", '"bảo hiểm y tế"')


def _answers(data_dir) -> list:
    s = ArchiveSearcher(data_dir)
    try:
        out = []
        for q in QUERIES:
            got = s.search(SearchRequest(q=q, per_page=50))
            out.append((q, got["total"], sorted(h["url"] for h in got["results"]),
                        got["facets"]["province"]))
        return out
    finally:
        s.close()


def test_parallel_and_serial_reindex_give_the_ingested_answers(archive_dir, tmp_path, monkeypatch):
    expected = _answers(archive_dir)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    for target in (serial, parallel):
        shutil.copytree(archive_dir, target, ignore=shutil.ignore_patterns("write.lock"))
    n = reindex(serial, workers=1)
    monkeypatch.setattr(reindexer, "PARALLEL_MIN", 2)
    monkeypatch.setattr(reindexer, "SEGMENT_DOCS", 5)
    assert reindex(parallel, workers=2) == n
    assert len(list(current_path(parallel).glob("*.seg"))) > 1
    assert _answers(serial) == expected == _answers(parallel)


def _reindexed_with(archive_dir, tmp_path, change):
    """A copy of the archive whose first row's analysis is ``change(analysis)``, reindexed:
    (the copy, the row as ingested, its analysis after the reindex)."""
    data = tmp_path / "copy"
    shutil.copytree(archive_dir, data, ignore=shutil.ignore_patterns("write.lock"))
    store = Store(DataDir(data).store)
    row = next(store.iter_all())
    changed = change(row.analysis)
    store.update_analysis(row.id, changed, changed.get("sh"))
    store.commit()
    store.close()
    reindex(data, workers=1)
    store = Store(DataDir(data).store, readonly=True)
    try:
        return data, row, store.get(row.id).analysis
    finally:
        store.close()


def test_a_stale_analysis_cache_is_redone_and_kept(archive_dir, tmp_path):
    data, row, again = _reindexed_with(archive_dir, tmp_path, lambda a: dict(a, v=-1))
    assert again["v"] == row.analysis["v"] and again["seg"] == row.analysis["seg"]
    assert _answers(data) == _answers(archive_dir)


def test_an_analysis_without_its_views_gets_them_at_reindex(archive_dir, tmp_path):
    from indexer.schema import has_views

    def without_views(analysis):  # as a store from before the views were cached holds it
        assert has_views(analysis)  # the ingest cached them
        return {k: v for k, v in analysis.items() if k not in ("views", "vf")}

    data, row, again = _reindexed_with(archive_dir, tmp_path, without_views)
    assert again == row.analysis  # the same views, now kept
    assert _answers(data) == _answers(archive_dir)


def test_an_analysis_written_before_entities_came_first_is_stored_again(archive_dir, tmp_path):
    import json
    import sqlite3
    import zlib

    data = tmp_path / "copy"
    shutil.copytree(archive_dir, data, ignore=shutil.ignore_patterns("write.lock"))
    store = Store(DataDir(data).store)
    row = next(store.iter_all())
    analysis = row.analysis
    store.close()
    older = {k: v for k, v in analysis.items() if k != "entities"} | \
        {"entities": analysis["entities"]}  # an older writer's order: entities last
    db = sqlite3.connect(DataDir(data).store)
    db.execute("UPDATE articles SET analysis=? WHERE id=?",
               (zlib.compress(json.dumps(older, ensure_ascii=False).encode()), row.id))
    db.commit()
    db.close()
    assert not Store(DataDir(data).store, readonly=True).get(row.id).laid_out
    reindex(data, workers=1)
    again = Store(DataDir(data).store, readonly=True).get(row.id)
    assert again.laid_out and again.analysis == analysis
    assert again.entities == analysis["entities"]
    assert _answers(data) == _answers(archive_dir)
