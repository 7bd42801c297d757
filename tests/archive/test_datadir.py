"""Every path under a data dir is named in one place."""
from __future__ import annotations

from archive.datadir import DataDir


def test_layout(tmp_path):
    d = DataDir(tmp_path)
    assert d.store == tmp_path / "archive.sqlite3"
    assert d.frontier == tmp_path / "crawl.sqlite3"
    assert d.warc_dir == tmp_path / "warc" and d.write_lock == tmp_path / "write.lock"
    assert d.current_pointer == tmp_path / "index" / "CURRENT"
    assert d.generation(12) == tmp_path / "index" / "gen-000012"


def test_generations_sorted_by_number_and_stray_names_ignored(tmp_path):
    d = DataDir(tmp_path)
    for name in ("gen-000010", "gen-000002", "gen-x", "other"):
        (d.index_root / name).mkdir(parents=True)
    assert [p.name for p in d.generations()] == ["gen-000002", "gen-000010"]


def test_warc_files(tmp_path):
    d = DataDir(tmp_path)
    assert d.warc_files() == []
    d.warc_dir.mkdir()
    for name in ("b.warc.gz", "a.warc", "notes.txt"):
        (d.warc_dir / name).write_bytes(b"")
    assert [p.name for p in d.warc_files()] == ["a.warc", "b.warc.gz"]
