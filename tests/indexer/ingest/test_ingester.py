"""Ingest and reindex against a real SQLite file and a real Whoosh index."""
import gzip
import json
import sqlite3

import pytest

from archive.store import Store
from indexer import ArchiveSearcher, IndexBusy, SearchRequest, ingest_paths, reindex
from indexer.generations import current_path, writer_lock
from archive.datadir import DataDir

from tests.conftest import SEED_PAGE, SEED_URL, shared_path


def records(n, start=0):
    return [{"url": f"https://thu.example/{i}", "title": f"Tin thử {i} về giảm nghèo",
             "body": f"Đoạn một của bài {i}.\nĐoạn hai nói về nông thôn mới."}
            for i in range(start, start + n)]


def write_jsonl(path, recs, gz=False):
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in recs).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_ingest_seed_page_stores_and_indexes(fresh_dir):
    shared_path("corpus", "html")
    report = ingest_paths([SEED_PAGE], fresh_dir, workers=1)
    assert (report.added, report.failed) == (1, 0)
    with Store(DataDir(fresh_dir).store) as store:
        row = store.get(store.id_for_url(SEED_URL))
        assert row.article.published.isoformat() == "2024-11-08T17:32:41+07:00"
        assert store.raw_html(row.id) == SEED_PAGE.read_bytes()
        assert row.analysis["seg"]["title"]  # segmentation cached with the article
    s = ArchiveSearcher(fresh_dir)
    assert s.search(SearchRequest(q="giam ngheo"))["total"] == 1
    s.close()


def test_jsonl_gz_bad_items_reported_and_rest_ingested(fresh_dir, tmp_path):
    good = records(3)
    path = tmp_path / "in.jsonl.gz"
    lines = [json.dumps(r, ensure_ascii=False) for r in good]
    lines.insert(1, "{not json")
    lines.append(json.dumps({"url": "https://thu.example/x", "title": "no body"}))
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    report = ingest_paths([path, tmp_path / "missing.html"], fresh_dir, workers=1)
    assert report.added == 3 and report.failed == 3
    assert report.reasons == {"bad-json": 1, "missing-field": 1, "missing": 1}
    assert any("in.jsonl.gz:2" in f for f in report.first_failures)
    with Store(DataDir(fresh_dir).store) as store:
        assert store.count() == 3 and store.stats()["failures"] == 3


def test_reingest_replaces_never_duplicates(fresh_dir, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", records(4))
    ingest_paths([path], fresh_dir, workers=1)
    again = ingest_paths([path], fresh_dir, workers=1)
    assert (again.added, again.unchanged) == (0, 4)
    changed = records(4)
    changed[0]["body"] = "Nội dung đã sửa về chuyển đổi số."
    report = ingest_paths([write_jsonl(tmp_path / "b.jsonl", changed)], fresh_dir, workers=1)
    assert (report.replaced, report.unchanged) == (1, 3)
    s = ArchiveSearcher(fresh_dir)
    assert s.search(SearchRequest(q="tin thử"))["total"] == 4
    assert s.search(SearchRequest(q="chuyển đổi số"))["total"] == 1
    s.close()


@pytest.mark.parametrize("workers", [1, 2])
def test_same_url_twice_in_one_ingest_is_indexed_once_with_the_later_text(tmp_path, workers):
    """A url repeated within a batch, and again batches later while its first segment may
    still be in a worker's hands: one document, the last version."""
    recs = records(30)
    first = dict(recs[3], body="Bản đầu tiên nói về thủy lợi.")
    again = dict(recs[3], body="Bản thứ hai nói về chuyển đổi số.")
    last = dict(recs[3], body="Bản cuối cùng nói về xây dựng nông thôn mới.")
    recs[3] = first
    recs.insert(5, again)    # same batch of 4 as the first
    recs.insert(20, last)    # four batches later
    data = tmp_path / "data"
    report = ingest_paths([write_jsonl(tmp_path / "a.jsonl", recs)], data, workers=workers,
                          batch=4)
    assert report.added == 30 and report.replaced == 2
    s = ArchiveSearcher(data)
    try:
        assert s.search(SearchRequest(q=""))["total"] == 30
        assert s.search(SearchRequest(q="xây dựng nông thôn mới"))["total"] == 1
        assert s.search(SearchRequest(q="thủy lợi"))["total"] == 0
        assert s.search(SearchRequest(q="chuyển đổi số"))["total"] == 0
    finally:
        s.close()


def test_two_workers_give_the_same_archive_as_one(tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", records(12))
    one, two = tmp_path / "one", tmp_path / "two"
    ingest_paths([path], one, workers=1)
    ingest_paths([path], two, workers=2)
    with Store(DataDir(one).store) as a, Store(DataDir(two).store) as b:
        # fetched is stamped at ingest time, so it may differ by a second between runs
        assert [(r.article.replace(fetched=None), r.analysis) for r in a.iter_all()] == \
            [(r.article.replace(fetched=None), r.analysis) for r in b.iter_all()]


def test_reindex_switches_generation_and_reuses_segmentation(fresh_dir, tmp_path, monkeypatch):
    ingest_paths([write_jsonl(tmp_path / "a.jsonl", records(5))], fresh_dir, workers=1)
    before = current_path(fresh_dir)
    s = ArchiveSearcher(fresh_dir, refresh_interval=0)
    assert s.search(SearchRequest(q="giảm nghèo"))["total"] == 5

    import indexer.ingest.ingester as pipeline
    def no_segmentation(*a, **k):
        raise AssertionError("reindex re-ran the segmenter on unchanged text")
    monkeypatch.setattr(pipeline, "segment", no_segmentation)
    assert reindex(fresh_dir) == 5
    after = current_path(fresh_dir)
    assert after != before and after.is_dir()
    assert s.search(SearchRequest(q="giảm nghèo"))["total"] == 5  # follows the switch
    s.close()


def test_second_writer_gets_a_clear_error(fresh_dir, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", records(1))
    with writer_lock(fresh_dir, "ingest"):
        with pytest.raises(IndexBusy, match="another ingest"):
            ingest_paths([path], fresh_dir, workers=1)
        with pytest.raises(IndexBusy):
            reindex(fresh_dir)


def test_failures_are_recorded_in_the_store(fresh_dir):
    listing = shared_path("corpus", "html", "vnexpress.net", "list.html")
    report = ingest_paths([listing, SEED_PAGE], fresh_dir, workers=1)
    assert report.added == 1 and report.failed == 1
    db = sqlite3.connect(DataDir(fresh_dir).store)
    (reason,), = db.execute("SELECT reason FROM failures").fetchall()
    assert reason.startswith("not-article")


def test_report_times_the_cached_views_apart_from_cleaning(tmp_path):
    data = tmp_path / "d"
    report = ingest_paths([write_jsonl(tmp_path / "a.jsonl", records(20))], data, workers=1)
    assert report.added == 20
    assert {"segment", "entities", "dedup", "views", "clean"} <= set(report.stages)
    assert report.stages["views"] > 0
    with Store(DataDir(data).store) as store:  # the views the stage timed are the cached ones
        analysis = store.get(store.id_for_url("https://thu.example/3")).analysis
        assert "nông_thôn" in analysis["views"]["words"].split(" ")
