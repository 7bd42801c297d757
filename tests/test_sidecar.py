"""The postings sidecars must hold exactly Whoosh's postings and positions, and the search
must give the same answers with them, without them, and with a damaged one."""
from __future__ import annotations

from itertools import accumulate
from pathlib import Path
from pickle import loads

import numpy as np
import pytest

from indexer.evaluate import Evaluator
from indexer.index import current_path
from indexer.search import ArchiveSearcher, SearchRequest
from indexer.sidecar import (FIELDS, NO_POSITIONS, POSITIONAL, SUFFIX, Sidecar,
                             SidecarBuilder, open_sidecar, term_key)

QUERIES = ["giảm nghèo", "giam ngheo", "nông thôn mới", '"chương trình mục tiêu quốc gia"',
           "Phó Chủ tịch UBND tỉnh", "title:ocop", "Long An -ocop", "xây dựng OR đường"]


def test_builder_round_trip(tmp_path):
    b = SidecarBuilder()
    b.add("syl", "nghèo".encode(), [0, 3, 7], [2.0, 1.0, 1.0],
          [b"\0\0\0\2" + _pickled([4, 6]), b"\0\0\0\1" + _pickled([9]),
           b"\0\0\0\1" + _pickled([0])])
    b.add("words", "giảm_nghèo".encode(), [3], [2.0])
    b.add("province", "Long An".encode(), [1], [1.0])  # not a scored field: left out
    assert b.write(tmp_path / "MAIN_x.vnp", 8)
    sc = open_sidecar(tmp_path, "MAIN_x", 8)
    assert sc is not None and sc.terms == 2
    ids, tfs = sc.get(np.uint64(term_key("syl", "nghèo".encode())))
    assert ids.tolist() == [0, 3, 7] and tfs.tolist() == [2.0, 1.0, 1.0]
    ids, tfs, pos = sc.positions(np.uint64(term_key("syl", "nghèo".encode())))
    assert pos.tolist() == [4, 10, 9, 0]  # deltas made absolute, document after document
    assert sc.positions(np.uint64(term_key("words", "giảm_nghèo".encode()))) is NO_POSITIONS
    assert sc.get(np.uint64(term_key("syl", b"ngheo"))) is None
    assert sc.get(np.uint64(term_key("province", "Long An".encode()))) is None
    assert open_sidecar(tmp_path, "MAIN_x", 9) is None  # another segment's document count
    sc.close()


def _pickled(deltas: list[int]) -> bytes:
    from pickle import dumps
    return dumps(deltas, 2)


def test_damaged_sidecar_is_ignored(tmp_path):
    b = SidecarBuilder()
    b.add("fold", b"ngheo", [1, 2], [1.0, 1.0])
    b.write(tmp_path / "MAIN_y.vnp", 3)
    data = (tmp_path / "MAIN_y.vnp").read_bytes()
    (tmp_path / "MAIN_y.vnp").write_bytes(data[:-3])
    assert open_sidecar(tmp_path, "MAIN_y", 3) is None
    (tmp_path / "MAIN_y.vnp").write_bytes(b"garbage" * 10)
    assert open_sidecar(tmp_path, "MAIN_y", 3) is None
    assert open_sidecar(tmp_path, "MAIN_missing", 3) is None
    with pytest.raises(ValueError):
        Sidecar(tmp_path / "MAIN_y.vnp")


def test_sidecars_hold_whoosh_postings_and_positions(searcher):
    """Every term of every scored field in every segment of the session archive."""
    whoosh_searcher, _ = searcher._ensure()
    folder = current_path(searcher.data_dir)
    checked = positions = 0
    for leaf, _ in whoosh_searcher.leaf_searchers():
        reader = leaf.reader()
        sc = open_sidecar(folder, reader.segment().segment_id(), reader.doc_count_all())
        assert sc is not None
        terms = 0
        for field in sorted(FIELDS):
            for btext in reader.lexicon(field):
                terms += 1
                m = reader.postings(field, btext)
                expected = []
                while m.is_active():
                    expected.append((m.id(), m.weight(), m.value()))
                    m.next()
                key = np.uint64(term_key(field, btext))
                ids, tfs = sc.get(key)
                assert list(zip(ids.tolist(), tfs.tolist())) == [(d, w) for d, w, _ in expected]
                if field in POSITIONAL:
                    _, _, pos = sc.positions(key)
                    want = [p for _, _, v in expected for p in accumulate(loads(v[4:]))]
                    assert pos.tolist() == want
                    positions += len(want)
                checked += 1
        assert terms == sc.terms
        sc.close()
    assert checked > 1000 and positions > 1000


def _answers(data: Path) -> list:
    s = ArchiveSearcher(data)
    try:
        out = []
        for q in QUERIES:
            r = s.search(SearchRequest(q=q, per_page=50))
            out.append((q, r["total"], [(h["id"], h["score"]) for h in r["results"]],
                        r["facets"]))
        return out, s._eval.sidecars
    finally:
        s.close()


def test_same_answers_without_sidecars_and_with_a_damaged_one(copy_of_archive):
    with_sidecars, used = _answers(copy_of_archive)
    assert used >= 1 and any(total for _, total, _, _ in with_sidecars)
    files = sorted(current_path(copy_of_archive).glob("*" + SUFFIX))
    assert files
    files[0].write_bytes(files[0].read_bytes()[:100])  # damaged: read through Whoosh
    damaged, used_damaged = _answers(copy_of_archive)
    for f in files:
        f.unlink()
    without, used_none = _answers(copy_of_archive)
    assert used_damaged == used - 1 and used_none == 0
    assert damaged == with_sidecars and without == with_sidecars


def test_reindex_writes_a_sidecar_per_segment_and_leaves_no_orphans(copy_of_archive,
                                                                   monkeypatch):
    from indexer import rebuild
    old = current_path(copy_of_archive)
    monkeypatch.setattr(rebuild, "PARALLEL_MIN", 2)
    monkeypatch.setattr(rebuild, "SEGMENT_DOCS", 9)
    rebuild.reindex(copy_of_archive, workers=2)
    gen = current_path(copy_of_archive)
    assert gen != old
    segments = {p.stem for p in gen.glob("*.seg")}
    sidecars = {p.stem for p in gen.glob("*" + SUFFIX)}
    assert len(segments) > 2 and sidecars == segments
    s = ArchiveSearcher(copy_of_archive)
    try:
        s._ensure()
        assert s._eval.sidecars == len(s._eval.leaves) == len(segments)
    finally:
        s.close()
    # the serial path (one merged segment through Whoosh's posting stream) writes one too
    rebuild.reindex(copy_of_archive, workers=1)
    gen = current_path(copy_of_archive)
    assert {p.stem for p in gen.glob("*" + SUFFIX)} == {p.stem for p in gen.glob("*.seg")}
    assert len(list(gen.glob("*" + SUFFIX))) >= 1


def test_evaluator_reads_sidecars_and_whoosh_alike(searcher):
    whoosh_searcher, _ = searcher._ensure()
    fast, slow = Evaluator(whoosh_searcher), Evaluator(whoosh_searcher)
    slow._sidecars = [None] * len(slow._sidecars)
    assert fast.sidecars >= 1 and slow.sidecars == 0
    from indexer.query import build, parse
    for q in QUERIES:
        wq = build(parse(q), whoosh_searcher.reader())
        a, b = fast.scores(wq), slow.scores(wq)
        assert np.array_equal(a > 0, b > 0)
        assert np.allclose(a, b, rtol=1e-12, atol=0)
