"""``check``: the store readable and whole, the live index holding exactly the stored
articles, and each problem named with its repair."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.datadir import DataDir
from indexer.check import CheckReport, check
from indexer.generations import current_path


def test_a_healthy_archive_checks_ok(copy_of_archive: Path):
    report = check(copy_of_archive)
    assert isinstance(report, CheckReport) and report.ok and report.problems == []
    assert report.articles == report.indexed and report.articles >= 8
    assert report.summary().splitlines()[-1] == "ok: store and index agree"


def test_an_empty_folder_says_to_ingest_and_to_reindex(tmp_path: Path):
    report = check(tmp_path)
    assert not report.ok
    assert any("vnarchive ingest" in p for p in report.problems)
    assert any("vnarchive reindex" in p for p in report.problems)
    assert "store: ? articles; index: ? articles" in report.summary()


def test_an_article_deleted_from_the_store_is_an_extra_in_the_index(copy_of_archive: Path):
    db = sqlite3.connect(DataDir(copy_of_archive).store)
    victim = db.execute("SELECT MIN(id) FROM articles").fetchone()[0]
    with db:
        db.execute("DELETE FROM articles WHERE id = ?", (victim,))
    db.close()
    report = check(copy_of_archive)
    assert report.indexed == report.articles + 1
    assert report.problems == [f"1 indexed articles are not in the store, e.g. id {victim}; "
                               "run `vnarchive reindex` to rebuild the index from the store"]


def test_a_missing_live_index_is_reported_with_its_repair(copy_of_archive: Path):
    DataDir(copy_of_archive).current_pointer.unlink()
    report = check(copy_of_archive)
    assert report.indexed is None and report.articles is not None
    assert len(report.problems) == 1 and "no live index" in report.problems[0]
    assert "vnarchive reindex" in report.problems[0]


def test_garbage_in_the_store_file_is_a_problem_not_an_exception(copy_of_archive: Path):
    DataDir(copy_of_archive).store.write_bytes(b"\x00not sqlite\x00" * 1000)
    report = check(copy_of_archive)
    assert not report.ok and report.articles is None
    assert any("store" in p for p in report.problems)


def test_leftover_generations_are_noted_not_counted_as_problems(copy_of_archive: Path):
    layout = DataDir(copy_of_archive)
    live = current_path(copy_of_archive)
    numbers = [int(p.name[4:]) for p in layout.generations()]
    for extra in (max(numbers) + 1, max(numbers) + 2):
        layout.generation(extra).mkdir()
    report = check(copy_of_archive)
    assert report.ok
    assert len(report.notes) == 1 and "the next reindex removes them" in report.notes[0]
    assert live is not None and live.name not in report.notes[0]
