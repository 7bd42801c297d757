"""Ingest of hostile input against a real store and index: no forged keys, one bad item
never stops the run, store and index agree afterwards (issue 20, points 1, 2, 8)."""
from __future__ import annotations

import os

from archive.datadir import DataDir
from archive.store import Store
from indexer import ArchiveSearcher, SearchRequest, ingest_paths
from indexer.generations import open_current
from tests.hostile import article_html, deep_json, good_record, write_warc

GENUINE = "https://thtg.vn/giam-ngheo-ben-vung/"


def indexed_ids(data):
    with open_current(data).searcher() as s:
        return sorted(int(f["aid"]) for f in s.all_stored_fields())


def stored(data):
    with Store(DataDir(data).store, readonly=True) as store:
        return {r[1]: (r[0], r[2]) for r in store.db.execute("SELECT id, url, title FROM articles")}


def failures(data):
    with Store(DataDir(data).store, readonly=True) as store:
        return [(r[0], r[1]) for r in store.db.execute("SELECT reason, message FROM failures")]


def test_a_page_from_another_host_cannot_replace_an_article(tmp_path):
    data = tmp_path / "data"
    real = write_warc(tmp_path / "real.warc", [(GENUINE, article_html(
        "Tân Trụ học tập kinh nghiệm giảm nghèo", canonical=GENUINE))])
    assert ingest_paths([real], data, workers=1).added == 1
    forged = write_warc(tmp_path / "forged.warc", [
        ("https://evil.example.com/fake.html", article_html("Tin giả mạo", canonical=GENUINE)),
        ("https://evil.example.com/js.html",
         article_html("Liên kết độc", canonical="javascript:alert(1)")),
    ])
    report = ingest_paths([forged], data, workers=1)
    assert (report.added, report.replaced) == (2, 0), report.to_dict()
    assert report.notices == {"canonical-refused": 2}
    rows = stored(data)
    assert rows[GENUINE][1] == "Tân Trụ học tập kinh nghiệm giảm nghèo"
    assert set(rows) == {GENUINE, "https://evil.example.com/fake.html",
                         "https://evil.example.com/js.html"}
    assert not any(u.startswith("javascript:") for u in rows)
    notes = [m for r, m in failures(data) if r == "canonical-refused"]
    assert len(notes) == 2 and "another site" in notes[0] and "not http(s)" in notes[1]


def test_same_site_canonical_still_merges_the_amp_copy(tmp_path):
    data = tmp_path / "data"
    warc = write_warc(tmp_path / "amp.warc", [
        (GENUINE, article_html("Bài gốc", canonical=GENUINE)),
        ("https://m.thtg.vn/amp/giam-ngheo", article_html("Bài gốc (AMP)", canonical=GENUINE))])
    report = ingest_paths([warc], data, workers=1)
    assert (report.added, report.replaced, report.notices) == (1, 1, {})
    assert list(stored(data)) == [GENUINE]


def test_bad_records_mid_file_fail_alone_and_store_matches_index(tmp_path):
    data = tmp_path / "data"
    src = tmp_path / "mixed.jsonl"
    lines = [good_record(1), deep_json(100_000).decode().strip(), good_record(2),
             '{"url": "https://tin-tot.example/x", "title": "x\\ud800", "body": "Một hai"}',
             good_record(3)]
    src.write_text("\n".join(lines) + "\n")
    bad_name = tmp_path / os.fsdecode(b"h\xf6ng.html")
    bad_name.write_bytes(b"<html><body>ngan</body></html>")
    for _ in range(2):  # a rerun goes the same way
        report = ingest_paths([src, bad_name], data, workers=1)
        assert report.failed == 3, report.to_dict()
        assert report.reasons["bad-json"] == 1 and report.reasons["bad-field"] == 1
    rows = stored(data)
    assert sorted(rows) == [f"https://tin-tot.example/bai-{i}" for i in (1, 2, 3)]
    assert indexed_ids(data) == sorted(i for i, _ in rows.values())
    assert any("\\xf6" in m for _, m in failures(data))
    s = ArchiveSearcher(data)
    try:
        assert s.search(SearchRequest(q="hostile"))["total"] == 3
    finally:
        s.close()
