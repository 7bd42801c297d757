"""When an ingest merges the postings sidecars, and what a merge needs."""
from __future__ import annotations

from indexer.codec.sidecar import SidecarBuilder, open_merged
from indexer.codec.sidecar_merge import MERGE_TAIL_SEGMENTS, merge, merge_due


def _segment(folder, sid: str, docs: int, term: bytes = b"ngheo") -> None:
    b = SidecarBuilder()
    b.add("fold", term, list(range(docs)), [1.0] * docs, [None] * docs)
    assert b.write(folder / f"{sid}.vnp", sid, docs)


def test_a_long_or_heavy_tail_is_due(tmp_path):
    assert not merge_due(tmp_path, [])
    few = [(f"s{i}", 10) for i in range(MERGE_TAIL_SEGMENTS - 1)]
    assert merge_due(tmp_path, few)  # nothing merged yet: any tail outweighs it
    for sid, n in few:
        _segment(tmp_path, sid, n)
    assert merge(tmp_path, few)
    assert not merge_due(tmp_path, few)  # all merged
    small_tail = few + [("t0", 1)]
    assert not merge_due(tmp_path, small_tail)
    assert merge_due(tmp_path, few + [(f"t{i}", 1) for i in range(MERGE_TAIL_SEGMENTS)])


def test_merge_needs_every_segment_and_then_replaces_their_files(tmp_path):
    _segment(tmp_path, "a", 3)
    assert not merge(tmp_path, [("a", 3), ("b", 2)])  # b has no sidecar: nothing changes
    assert (tmp_path / "a.vnp").exists()
    _segment(tmp_path, "b", 2)
    assert merge(tmp_path, [("a", 3), ("b", 2)])
    assert not (tmp_path / "a.vnp").exists() and not (tmp_path / "b.vnp").exists()
    merged = open_merged(tmp_path, [("a", 3), ("b", 2)])
    assert merged is not None and [s for s, _ in merged.segments] == ["a", "b"]
    merged.close()
