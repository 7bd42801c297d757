"""Index generations switch atomically; one writer per data dir."""
from __future__ import annotations

import pytest

from archive.datadir import DataDir
from indexer.generations import (IndexBusy, IndexMissing, current_path, new_generation,
                                 open_current, switch_to, writer_lock)


def test_no_index_is_a_clear_error(tmp_path):
    assert current_path(tmp_path) is None
    with pytest.raises(IndexMissing, match="vnarchive ingest"):
        open_current(tmp_path)


def test_a_new_generation_is_not_live_until_switched(tmp_path):
    first, _ = new_generation(tmp_path)
    assert current_path(tmp_path) is None
    switch_to(tmp_path, first)
    assert current_path(tmp_path) == first and open_current(tmp_path).doc_count() == 0
    second, _ = new_generation(tmp_path)
    assert second.name == "gen-000002" and current_path(tmp_path) == first


def test_switching_keeps_the_previous_generation_and_drops_older_ones(tmp_path):
    gens = []
    for _ in range(3):
        path, _ = new_generation(tmp_path)
        switch_to(tmp_path, path)
        gens.append(path)
    assert [p.name for p in DataDir(tmp_path).generations()] == [g.name for g in gens[1:]]
    assert not (DataDir(tmp_path).index_root / "CURRENT.tmp").exists()


def test_a_pointer_to_a_missing_generation_means_no_index(tmp_path):
    DataDir(tmp_path).index_root.mkdir(parents=True)
    DataDir(tmp_path).current_pointer.write_text("gen-000009")
    assert current_path(tmp_path) is None


def test_second_writer_is_told_who_holds_the_lock(tmp_path):
    with writer_lock(tmp_path, "reindex"):
        with pytest.raises(IndexBusy, match="reindex pid"):
            with writer_lock(tmp_path):
                pass
    with writer_lock(tmp_path):  # released
        pass


def test_a_generation_written_before_its_format_was_recorded_is_outdated(copy_of_archive):
    from indexer.check import check
    from indexer.generations import FORMAT_FILE, current_path, generation_format, outdated
    from indexer.schema import INDEX_FORMAT
    live = current_path(copy_of_archive)
    assert generation_format(live) == INDEX_FORMAT and outdated(copy_of_archive) is None
    (live / FORMAT_FILE).unlink()
    message = outdated(copy_of_archive)
    assert message and "vnarchive reindex" in message and f"format {INDEX_FORMAT}" in message
    assert message in check(copy_of_archive).problems
    (live / FORMAT_FILE).write_text(f"{INDEX_FORMAT - 1}\n")
    assert f"written in format {INDEX_FORMAT - 1}" in outdated(copy_of_archive)


def test_reindex_writes_the_current_format(copy_of_archive):
    from indexer import reindex
    from indexer.generations import FORMAT_FILE, current_path, outdated
    (current_path(copy_of_archive) / FORMAT_FILE).unlink()
    reindex(copy_of_archive)
    assert outdated(copy_of_archive) is None
