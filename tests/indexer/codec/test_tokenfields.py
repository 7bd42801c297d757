"""Token fields written a field at a time (numpy) must give the very bytes that the
posting-at-a-time path gives: Whoosh's postings, term index and the postings sidecar."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from archive.datadir import DataDir
from archive.store import Store
from indexer.schema import document, schema
from indexer.codec.segment_writer import FastWriter, write_segment


def _segment_files(folder: Path, docs: list[dict], token_path: bool) -> dict:
    """Write ``docs`` as one segment; each file's digest, the segment id made neutral."""
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), schema())
    segment = write_segment(ix, docs, limitmb=128, temp_name="test", compound=False,
                            token_fields=token_path)
    sid = segment.segment_id()
    out = {}
    for f in sorted(folder.iterdir()):
        if f.is_file() and sid in f.name:
            data = f.read_bytes().replace(sid.encode(), b"SEGMENT")
            out[f.name.replace(sid, "SEGMENT")] = hashlib.sha256(data).hexdigest()
    return out


@pytest.fixture(scope="module")
def archive_docs(archive_dir) -> list[dict]:
    store = Store(DataDir(archive_dir).store, readonly=True)
    docs = [document(r.id, r.article, r.analysis) for r in store.iter_all()]
    store.close()
    return docs


def _synthetic() -> list[dict]:
    """Edge cases: a term in more than one 128-posting block, repeated tokens, empty and
    missing fields, one-token documents."""
    docs = []
    for i in range(300):
        body = "giảm nghèo bền vững " * (1 + i % 3) + f"xã{i % 7} năm {2000 + i % 40}"
        docs.append({"aid": str(i), "syl": body, "fold": body.replace("ả", "a"),
                     "words": "giảm_nghèo" if i % 2 else "", "t_syl": "tin" if i % 5 else "",
                     "fpair": ["giam_ngheo"] * (i % 4)})
    docs.append({"aid": "last"})
    return docs


def test_same_bytes_on_the_archive(archive_docs, tmp_path):
    ours = _segment_files(tmp_path / "tokens", archive_docs, True)
    theirs = _segment_files(tmp_path / "tuples", archive_docs, False)
    assert ours == theirs
    assert any(name.endswith(".vnp") for name in ours) and any(n.endswith(".pst") for n in ours)


def test_same_bytes_on_edge_cases(tmp_path):
    docs = _synthetic()
    assert _segment_files(tmp_path / "tokens", docs, True) == \
        _segment_files(tmp_path / "tuples", docs, False)


@pytest.mark.parametrize("token_path", [True, False])
def test_spilled_pool_gives_the_same_postings(archive_docs, tmp_path, token_path):
    """A pool past its memory limit spills sorted runs (Whoosh's generic path): the token
    fields then become posting tuples, and the postings are the same.  (The postings
    still in memory at the end were once dropped on this path.)"""
    from tests.indexer.codec.test_segment_writer import postings_dump
    dumps = []
    for name, limitmb in (("small", 1), ("big", 512)):
        path = tmp_path / name
        path.mkdir()
        ix = whoosh_index.create_in(str(path), schema())
        writer = FastWriter(ix, limitmb=limitmb, token_fields=token_path)
        for d in archive_docs:
            writer.add_document(**d)
        spilled = bool(writer.pool.runs)
        writer.commit()
        dumps.append((spilled, postings_dump(path)))
    assert dumps[0][0] and not dumps[1][0]
    assert dumps[0][1] == dumps[1][1]


def test_position_values_are_the_pickles_whoosh_writes():
    """Every opcode width (below 256, below 65536, four bytes), one item and several, and
    postings past pickle's batch of 1,000 items, which take ``dumps`` itself."""
    import pickle

    import numpy as np
    from whoosh.system import pack_uint

    from indexer.codec.tokenfields import position_values
    rng = np.random.default_rng(16)
    widths = [0, 1, 7, 255, 256, 300, 65535, 65536, 70000, 2**31 - 1]
    for trial in range(40):
        freq = rng.integers(1, 6, int(rng.integers(1, 60)))
        if trial % 4 == 0:
            freq[rng.integers(0, len(freq))] = rng.choice([999, 1000, 1001, 2001])
        start = np.concatenate([[0], np.cumsum(freq)])
        deltas = rng.choice(widths, int(start[-1]))
        want = [pack_uint(int(b - a)) + pickle.dumps(deltas[a:b].tolist(), 2)
                for a, b in zip(start[:-1], start[1:])]
        assert position_values(freq, deltas, start) == want
