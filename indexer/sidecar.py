"""Postings sidecar of a segment: each term's docnums and frequencies as flat arrays.

Whoosh stores a term's postings as zlib-compressed pickles with the positions inside (about
1 µs a posting to decode) and finds a term through an on-disk hash table per segment (about
25 µs through its file layers).  The writer, which has each term's postings in hand, also
writes ``<segment id>.vnp``: every ``STRIDE``-th key (held in memory), the terms' 64-bit
keys sorted, and per term its docnums (int32), its frequencies (float32) and, for the
positional fields, every occurrence's position (uint32, document after document).  A term
is then two ``pread`` calls per segment (its key's stride, its postings) viewed as arrays
without copying, and a phrase check is array arithmetic instead of unpickling positions.  Nothing is mapped into memory: a server touching thousands of terms keeps
its resident size to the sparse keys (about 2 MB per 100k articles).

Whoosh's clean-up treats the file as part of its segment (same name stem), so it lives and
is deleted with it.  A segment without one (an index written before, or by another writer)
is read through Whoosh's own blocks (``indexer.postings``).  Positions stay in Whoosh.
"""
from __future__ import annotations

import os
import struct
from array import array
from hashlib import blake2b
from itertools import accumulate
from pathlib import Path
from pickle import loads

import numpy as np

__all__ = ["FIELDS", "POSITIONAL", "NO_POSITIONS", "SUFFIX", "SidecarBuilder", "Sidecar", "term_key", "open_sidecar", "backfill"]

# The scored text fields: the only ones the evaluator reads postings of.
FIELDS = frozenset(("words", "syl", "fold", "t_words", "t_syl", "t_fold", "fpair", "t_fpair"))
POSITIONAL = frozenset(("syl", "fold", "t_syl", "t_fold"))
SUFFIX = ".vnp"
MAGIC = b"VNPOST02"
_HEAD = struct.Struct("<8sQQQ")  # magic, documents, terms, data bytes
STRIDE = 64  # keys per in-memory index entry: one 1.5 KB read finds a term
# a term: its key, where its data starts, its postings, its positions (NO_POSITIONS: none)
_ENTRY = np.dtype([("key", "<u8"), ("offset", "<u8"), ("count", "<u4"), ("npos", "<u4")])
NO_POSITIONS = 0xFFFFFFFF


def term_key(field: str, btext: bytes) -> int:
    """Stable 64-bit key of a (field, term) — the same in every process and version.

    >>> term_key("syl", "nghèo".encode()) == term_key("syl", "nghèo".encode())
    True
    >>> term_key("syl", b"ngheo") != term_key("fold", b"ngheo")
    True
    """
    return int.from_bytes(blake2b(field.encode() + b"\0" + btext, digest_size=8).digest(),
                          "little")


class SidecarBuilder:
    """Collects a segment's terms (in any order) and writes the sidecar file."""

    def __init__(self) -> None:
        self.keys = array("Q")
        self.offsets = array("Q")
        self.counts = array("I")
        self.npos = array("I")
        self.chunks: list[bytes] = []
        self.size = 0
        self.postings = 0

    def add(self, field: str, btext: bytes, ids: list[int], weights: list[float],
            values: list[bytes | None] | None = None) -> None:
        """One term's postings; ``values``: Whoosh's position values, for the positional
        fields (a 4-byte count, then the pickled position deltas)."""
        if field not in FIELDS or not ids:
            return
        chunk = array("i", ids).tobytes() + array("f", weights).tobytes()
        npos = NO_POSITIONS
        if field in POSITIONAL and values is not None and len(values) == len(ids):
            flat = array("I")
            for value, weight in zip(values, weights):
                deltas = loads(value[4:]) if value else []
                if len(deltas) != weight:  # frequencies count the positions (no boosts)
                    break
                flat.extend(accumulate(deltas))
            else:
                npos = len(flat)
                chunk += flat.tobytes()
        self.keys.append(term_key(field, btext))
        self.offsets.append(self.size)
        self.counts.append(len(ids))
        self.npos.append(npos)
        self.chunks.append(chunk)
        self.size += len(chunk)
        self.postings += len(ids)

    def write(self, path: Path | str, doc_count: int) -> bool:
        """Write atomically; False (nothing written) if two terms share a key, so that the
        segment is read through Whoosh rather than wrongly."""
        keys = np.frombuffer(self.keys, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        entries = np.empty(len(keys), dtype=_ENTRY)
        entries["key"] = keys[order]
        entries["offset"] = np.frombuffer(self.offsets, dtype=np.uint64)[order]
        entries["count"] = np.frombuffer(self.counts, dtype=np.uint32)[order]
        entries["npos"] = np.frombuffer(self.npos, dtype=np.uint32)[order]
        if len(keys) > 1 and not np.all(entries["key"][1:] != entries["key"][:-1]):
            return False
        tmp = Path(str(path) + ".tmp")
        with open(tmp, "wb") as f:
            f.write(_HEAD.pack(MAGIC, doc_count, len(keys), self.size))
            f.write(entries["key"][::STRIDE].tobytes())
            f.write(entries.tobytes())
            for chunk in self.chunks:
                f.write(chunk)
        os.replace(tmp, path)
        return True


class Sidecar:
    """Read side of one segment's sidecar (see the module docstring)."""

    def __init__(self, path: Path | str) -> None:
        self._file = open(path, "rb")
        self.fd = self._file.fileno()
        magic, self.doc_count, self.terms, self.size = _HEAD.unpack(
            os.pread(self.fd, _HEAD.size, 0))
        if magic != MAGIC:
            self._file.close()
            raise ValueError(f"{path}: not a postings sidecar")
        strides = (self.terms + STRIDE - 1) // STRIDE
        self._entries = _HEAD.size + 8 * strides
        self._data = self._entries + self.terms * _ENTRY.itemsize
        expected = self._data + self.size
        if os.fstat(self.fd).st_size != expected:
            self._file.close()
            raise ValueError(f"{path}: truncated postings sidecar")
        # every STRIDE-th key, held in memory: the index of the strides
        self._sparse = np.frombuffer(os.pread(self.fd, 8 * strides, _HEAD.size),
                                     dtype=np.uint64)

    def lookup(self, key: np.uint64) -> tuple[int, int, int] | None:
        """(offset, postings, positions) of the term with ``key``, or None when the segment
        lacks it."""
        i = int(self._sparse.searchsorted(key, "right")) - 1
        if i < 0:
            return None
        first = i * STRIDE
        n = min(STRIDE, self.terms - first)
        buf = os.pread(self.fd, n * _ENTRY.itemsize, self._entries + first * _ENTRY.itemsize)
        entries = np.frombuffer(buf, dtype=_ENTRY)
        j = int(entries["key"].searchsorted(key))
        if j == n or entries["key"][j] != key:
            return None
        e = entries[j]
        return int(e["offset"]), int(e["count"]), int(e["npos"])

    def get(self, key: np.uint64) -> tuple[np.ndarray, np.ndarray] | None:
        """(docnums int32, frequencies float32) of a term, None when the segment lacks it."""
        found = self.lookup(key)
        if found is None:
            return None
        offset, count, _ = found
        buf = os.pread(self.fd, 8 * count, self._data + offset)
        return (np.frombuffer(buf, dtype=np.int32, count=count),
                np.frombuffer(buf, dtype=np.float32, count=count, offset=4 * count))

    def positions(self, key: np.uint64):
        """(docnums, frequencies, positions uint32) of a term — positions document after
        document, each document's ascending; None when the segment lacks the term and
        ``NO_POSITIONS`` when it holds no positions for it."""
        found = self.lookup(key)
        if found is None:
            return None
        offset, count, npos = found
        if npos == NO_POSITIONS:
            return NO_POSITIONS
        buf = os.pread(self.fd, 8 * count + 4 * npos, self._data + offset)
        return (np.frombuffer(buf, dtype=np.int32, count=count),
                np.frombuffer(buf, dtype=np.float32, count=count, offset=4 * count),
                np.frombuffer(buf, dtype=np.uint32, count=npos, offset=8 * count))

    def close(self) -> None:
        self._file.close()


def open_sidecar(folder: Path | str, segment_id: str, doc_count: int) -> Sidecar | None:
    """The segment's sidecar, or None when it has none (or one not matching it)."""
    path = Path(folder) / (segment_id + SUFFIX)
    try:
        sc = Sidecar(path)
    except (OSError, ValueError, struct.error):
        return None
    if sc.doc_count != doc_count:
        sc.close()
        return None
    return sc


def backfill(ix) -> int:
    """Write the sidecar of every segment of ``ix`` that lacks one (an index written before
    sidecars existed), from its Whoosh postings.  The caller holds the index's write lock.
    Returns the number of sidecars written."""
    from indexer.postings import MISSING, segment_blocks, term_extent
    folder = getattr(ix.storage, "folder", None)
    if folder is None:
        return 0
    written = 0
    reader = ix.reader()
    try:
        for leaf, _ in (reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]):
            segment = leaf.segment()
            path = Path(folder) / (segment.segment_id() + SUFFIX)
            if open_sidecar(folder, segment.segment_id(), leaf.doc_count_all()) is not None:
                continue
            builder = SidecarBuilder()
            for field in sorted(FIELDS & set(leaf.indexed_field_names())):
                for btext in leaf.lexicon(field):
                    info = term_extent(leaf, field, btext)
                    if info is None or info is MISSING:
                        raise RuntimeError(f"{segment.segment_id()}: not a Whoosh 3 segment")
                    ids: list[int] = []
                    weights: list[float] = []
                    values: list = []
                    for block_ids, block_weights, block_values in segment_blocks(
                            leaf, info, 0, values=field in POSITIONAL):
                        ids.extend(block_ids)
                        weights.extend(block_weights)
                        values.extend(block_values or ())
                    builder.add(field, btext, ids, weights,
                                values if field in POSITIONAL else None)
            written += builder.write(path, leaf.doc_count_all())
    finally:
        reader.close()
    return written
