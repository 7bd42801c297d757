"""The postings sidecars must hold exactly Whoosh's postings and positions, and the search
must give the same answers with them, without them, and with a damaged one."""
from __future__ import annotations

import json
from itertools import accumulate
from pathlib import Path
from pickle import loads

import numpy as np
import pytest

from indexer.search.evaluate import Evaluator
from indexer.generations import current_path
from indexer.search import ArchiveSearcher, SearchRequest
from indexer.codec.sidecar import (FIELDS, MERGED, NO_POSITIONS, POSITIONAL, SUFFIX, Sidecar,
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
    assert b.write(tmp_path / "MAIN_x.vnp", "MAIN_x", 8)
    sc = open_sidecar(tmp_path, "MAIN_x", 8)
    assert sc is not None and sc.terms == 2
    ids, tfs, pos = sc.read(np.uint64(term_key("syl", "nghèo".encode())))
    assert ids.tolist() == [0, 3, 7] and tfs.tolist() == [2.0, 1.0, 1.0] and pos is None
    ids, tfs, pos = sc.read(np.uint64(term_key("syl", "nghèo".encode())), positions=True)
    assert pos.tolist() == [4, 10, 9, 0]  # deltas made absolute, document after document
    words = np.uint64(term_key("words", "giảm_nghèo".encode()))
    assert sc.read(words, positions=True) is NO_POSITIONS
    assert sc.read(words)[0].tolist() == [3]
    sc.bases[0] = 100  # the segment's first docnum in the index
    assert sc.read(words)[0].tolist() == [103]
    assert sc.read(np.uint64(term_key("syl", b"ngheo"))) is None
    assert sc.read(np.uint64(term_key("province", "Long An".encode()))) is None
    assert open_sidecar(tmp_path, "MAIN_x", 9) is None  # another segment's document count
    sc.close()


def test_positions_of_some_postings_read_in_slices_equal_the_whole(tmp_path):
    # a common syllable: 20,000 postings of 1-9 positions; a phrase asks for a few of them
    rng = np.random.default_rng(3)
    ids = list(range(0, 40_000, 2))
    positions = [sorted(rng.choice(5000, int(rng.integers(1, 10)), replace=False).tolist())
                 for _ in ids]
    b = SidecarBuilder()
    b.add("syl", "và".encode(), ids, [float(len(p)) for p in positions], positions=positions)
    b.add("syl", "nghèo".encode(), [5], [1.0], positions=[[7]])
    assert b.write(tmp_path / "MAIN_z.vnp", "MAIN_z", 40_000)
    sc = open_sidecar(tmp_path, "MAIN_z", 40_000)
    key = np.uint64(term_key("syl", "và".encode()))
    _, tfs, whole = sc.read(key, positions=True)
    counts = tfs.astype(np.int64)
    offsets = np.cumsum(counts) - counts
    for kept in ([3], [0, 1, 2, 9000, 9001, 19_999], sorted(rng.choice(20_000, 50, replace=False)),
                 list(range(0, 20_000, 3))):  # the last: cheaper read whole
        kept = np.array(kept)
        pos, starts = sc.positions(key, offsets[kept], counts[kept])
        for i, start in zip(kept.tolist(), starts.tolist()):
            assert pos[start:start + counts[i]].tolist() == positions[i]
    assert sc.positions(np.uint64(term_key("syl", b"ngheo")), offsets[:1], counts[:1]) is None
    b = SidecarBuilder()
    b.add("words", "giảm_nghèo".encode(), [3], [2.0])
    b.write(tmp_path / "MAIN_w.vnp", "MAIN_w", 8)
    words = open_sidecar(tmp_path, "MAIN_w", 8)
    assert words.positions(np.uint64(term_key("words", "giảm_nghèo".encode())),
                           np.array([0]), np.array([2])) is NO_POSITIONS
    sc.close(), words.close()


def _pickled(deltas: list[int]) -> bytes:
    from pickle import dumps
    return dumps(deltas, 2)


def test_damaged_sidecar_is_ignored(tmp_path):
    b = SidecarBuilder()
    b.add("fold", b"ngheo", [1, 2], [1.0, 1.0])
    b.write(tmp_path / "MAIN_y.vnp", "MAIN_y", 3)
    data = (tmp_path / "MAIN_y.vnp").read_bytes()
    (tmp_path / "MAIN_y.vnp").write_bytes(data[:-3])
    assert open_sidecar(tmp_path, "MAIN_y", 3) is None
    (tmp_path / "MAIN_y.vnp").write_bytes(b"garbage" * 10)
    assert open_sidecar(tmp_path, "MAIN_y", 3) is None
    assert open_sidecar(tmp_path, "MAIN_missing", 3) is None
    with pytest.raises(ValueError):
        Sidecar(tmp_path / "MAIN_y.vnp")


def _check_sidecars(data: Path) -> tuple[int, int]:
    """Every term of every scored field read through every sidecar of the archive (merged
    or a segment's own) equals Whoosh's postings and positions over the segments it covers.
    Returns (terms checked, positions checked)."""
    s = ArchiveSearcher(data)
    checked = positions = 0
    try:
        whoosh_searcher, _ = s.snapshot()
        sources = Evaluator(whoosh_searcher).terms.sources
        assert all(src.sidecar is not None for src in sources)
        for src in sources:
            sc = src.sidecar
            seen = 0
            for field in sorted(FIELDS):
                terms = sorted({t for r, _ in src.leaves for t in r.lexicon(field)})
                seen += len(terms)
                for btext in terms:
                    expected = []
                    for reader, offset in src.leaves:
                        if (field, btext) not in reader:
                            continue
                        m = reader.postings(field, btext)
                        while m.is_active():
                            expected.append((offset + m.id(), m.weight(), m.value()))
                            m.next()
                    key = np.uint64(term_key(field, btext))
                    ids, tfs, _ = sc.read(key)
                    assert list(zip(ids.tolist(), tfs.tolist())) == \
                        [(d, w) for d, w, _ in expected]
                    if field in POSITIONAL:
                        _, _, pos = sc.read(key, positions=True)
                        want = [p for _, _, v in expected for p in accumulate(loads(v[4:]))]
                        assert pos.tolist() == want
                        positions += len(want)
                    checked += 1
            assert seen == sc.terms
    finally:
        s.close()
    return checked, positions


def test_sidecars_hold_whoosh_postings_and_positions(archive_dir):
    checked, positions = _check_sidecars(archive_dir)
    assert checked > 1000 and positions > 1000


def _answers(data: Path) -> list:
    s = ArchiveSearcher(data)
    try:
        out = []
        for q in QUERIES:
            r = s.search(SearchRequest(q=q, per_page=50))
            out.append((q, r["total"], [(h["id"], h["score"]) for h in r["results"]],
                        r["facets"]))
        return out, s.evaluator.terms.sidecars
    finally:
        s.close()


def test_same_answers_without_sidecars_and_with_a_damaged_one(copy_of_archive):
    with_sidecars, used = _answers(copy_of_archive)
    assert used >= 1 and any(total for _, total, _, _ in with_sidecars)
    files = sorted(current_path(copy_of_archive).glob("*" + SUFFIX)) + \
        sorted(current_path(copy_of_archive).glob(MERGED))
    assert files
    files[0].write_bytes(files[0].read_bytes()[:100])  # damaged: read through Whoosh
    damaged, used_damaged = _answers(copy_of_archive)
    for f in files:
        f.unlink()
    without, used_none = _answers(copy_of_archive)
    assert used_damaged < used and used_none == 0
    assert damaged == with_sidecars and without == with_sidecars


def test_reindex_merges_the_sidecars_and_ingest_keeps_them_current(copy_of_archive,
                                                                   monkeypatch, tmp_path):
    """Reindex writes a sidecar per segment, then merges them (runs of several segments
    per term); later ingests add segments with their own, merged once the tail is long.
    Every stage reads exactly Whoosh's postings and gives Whoosh's answers."""
    import indexer.ingest.reindexer as rebuild
    from indexer import ingest_paths
    from indexer.codec.sidecar_merge import MERGE_TAIL_SEGMENTS
    old = current_path(copy_of_archive)
    expected, _ = _answers(copy_of_archive)
    monkeypatch.setattr(rebuild, "PARALLEL_MIN", 2)
    monkeypatch.setattr(rebuild, "SEGMENT_DOCS", 9)
    rebuild.reindex(copy_of_archive, workers=2)
    gen = current_path(copy_of_archive)
    assert gen != old and len(list(gen.glob("*.seg"))) > 2
    assert (gen / MERGED).exists() and not list(gen.glob("*" + SUFFIX))
    assert _answers(copy_of_archive)[0] == expected
    _check_sidecars(copy_of_archive)
    s = ArchiveSearcher(copy_of_archive, refresh_interval=0)
    s.snapshot()
    first_eval = s.evaluator
    # small ingests: new segments keep their own sidecars until the tail is long enough
    for i in range(MERGE_TAIL_SEGMENTS):
        src = tmp_path / f"more{i}.jsonl"
        src.write_text(json.dumps({
            "url": f"https://example.vn/bai-{i}", "title": f"Giảm nghèo bền vững số {i}",
            "body": "Tỉnh Long An triển khai chương trình giảm nghèo bền vững. " * 3,
            "published": "2024-05-0{}T08:00:00+07:00".format(i + 1)}, ensure_ascii=False),
            encoding="utf-8")
        ingest_paths([src], copy_of_archive, workers=1)
        own = list(gen.glob("*" + SUFFIX))
        assert len(own) == (i + 1) % MERGE_TAIL_SEGMENTS
        checked, _ = _check_sidecars(copy_of_archive)
        assert checked > 1000
        s.snapshot()
        assert s.evaluator is not first_eval and s.evaluator.terms.sidecars == len(s.evaluator.terms.leaves)
    got = s.search(SearchRequest(q="giảm nghèo bền vững số", per_page=50))
    assert {h["url"] for h in got["results"]} >= {f"https://example.vn/bai-{i}"
                                                  for i in range(MERGE_TAIL_SEGMENTS)}
    s.close()
    # the serial path (one merged segment through Whoosh's posting stream) writes one too
    rebuild.reindex(copy_of_archive, workers=1)
    gen = current_path(copy_of_archive)
    assert (gen / MERGED).exists() and len(list(gen.glob("*.seg"))) == 1
    _check_sidecars(copy_of_archive)


def test_evaluator_reads_sidecars_and_whoosh_alike(searcher):
    whoosh_searcher, _ = searcher.snapshot()
    fast, slow = Evaluator(whoosh_searcher), Evaluator(whoosh_searcher, sidecars=False)
    assert fast.terms.sidecars >= 1 and slow.terms.sidecars == 0
    from indexer.search.query import build, parse
    for q in QUERIES:
        wq = build(parse(q), whoosh_searcher.reader())
        a, b = fast.scores(wq), slow.scores(wq)
        assert np.array_equal(a > 0, b > 0)
        assert np.allclose(a, b, rtol=1e-12, atol=0)
