"""Postings sidecars: each term's docnums, frequencies and positions as flat arrays.

Whoosh stores a term's postings as zlib-compressed pickles with the positions inside (slow
to decode, posting by posting) and finds a term through an on-disk hash table per segment
(through its file layers, for every segment).  The writer, which has each term's
postings in hand, also writes ``<segment id>.vnp`` beside the segment: every
``STRIDE``-th key (held in memory by readers), the terms' 64-bit keys sorted, and per term
its docnums (int32), its frequencies (float32) and, for the positional fields, every
occurrence's position (uint32, document after document).  A term is two ``pread`` calls
(its key's stride, its block) viewed as arrays without copying, and a phrase check is array
arithmetic instead of unpickling positions.  Nothing is mapped into memory: a server keeps
only the sparse keys resident.

Reindex, and an ingest once enough new segments have piled up, merge the segments' files
into one ``postings.vnm`` covering the index's first segments in order: a term is then one
lookup for the whole archive, its block holding one run of postings per segment.  Whoosh's
clean-up deletes a segment's own file with the segment and never touches the merged one.
A segment with neither (an index written before sidecars, or by another writer) is read
through Whoosh's blocks (``indexer.codec.whoosh_blocks``); ``vnarchive reindex`` gives it one.
"""
from __future__ import annotations

import json
import os
import struct
from array import array
from collections.abc import Iterable
from hashlib import blake2b
from itertools import accumulate, chain
from pathlib import Path
from pickle import loads

import numpy as np

__all__ = ["FIELDS", "POSITIONAL", "NO_POSITIONS", "SUFFIX", "MERGED", "SidecarBuilder", "Sidecar",
           "term_key", "open_sidecar", "open_merged", "merged_stamp", "write_sidecar"]

# The scored text fields: the only ones the evaluator reads postings of.
FIELDS = frozenset(("words", "syl", "fold", "t_words", "t_syl", "t_fold", "fpair", "t_fpair",
                    "gap", "t_gap"))
POSITIONAL = frozenset(("syl", "fold", "t_syl", "t_fold", "gap", "t_gap"))
SUFFIX = ".vnp"
MERGED = "postings.vnm"  # not a segment file name: Whoosh's clean-up leaves it alone
MAGIC = b"VNPOST03"
_HEAD = struct.Struct("<8sQQQQ")  # magic, documents, terms, data bytes, segments JSON bytes
STRIDE = 64  # keys per in-memory index entry: one 2 KB read finds a term
# A term: its key, where its block starts, its postings, its positions (NO_POSITIONS: none),
# its runs (one per segment holding it) and the segment of its first run.  A block is
# [(segment, count) per run, when more than one] [docnums] [frequencies] [positions].
_ENTRY = np.dtype([("key", "<u8"), ("offset", "<u8"), ("count", "<u4"), ("npos", "<u4"),
                   ("runs", "<u4"), ("seg", "<u4")])
_ENTRY_STRUCT = struct.Struct("<QQIIII")  # one entry, unpacked without numpy
NO_POSITIONS = 0xFFFFFFFF
# Selective position reads: slices closer than _NEAR positions are read as one, and a
# pread is worth _READ_COST positions read whole (a syscall against a memory copy).
_NEAR = 1024
_READ_COST = 2048


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
            values: list[bytes | None] | None = None,
            positions: list[list[int]] | None = None) -> None:
        """One term's postings; for the positional fields, each posting's ``positions``
        (ascending) or else Whoosh's position ``values`` (a 4-byte count, then the pickled
        position deltas)."""
        if field not in FIELDS or not ids:
            return
        chunk = array("i", ids).tobytes() + array("f", weights).tobytes()
        npos = NO_POSITIONS
        if field in POSITIONAL and positions is not None and len(positions) == len(ids):
            flat = array("I", chain.from_iterable(positions))
            if len(flat) == sum(weights):  # frequencies count the positions (no boosts)
                npos = len(flat)
                chunk += flat.tobytes()
        elif field in POSITIONAL and values is not None and len(values) == len(ids):
            flat = array("I")
            for value, weight in zip(values, weights):
                deltas = loads(value[4:]) if value else []
                if len(deltas) != weight:  # frequencies count the positions (no boosts)
                    break
                flat.extend(accumulate(deltas))
            else:
                npos = len(flat)
                chunk += flat.tobytes()
        self.add_block(field, btext, chunk, len(ids), npos)

    def add_block(self, field: str, btext: bytes, block: bytes, count: int,
                  npos: int = NO_POSITIONS) -> None:
        """One term's block as ``add`` lays it out (``indexer.codec.tokenfields`` builds blocks
        from its arrays)."""
        self.keys.append(term_key(field, btext))
        self.offsets.append(self.size)
        self.counts.append(count)
        self.npos.append(npos)
        self.chunks.append(block)
        self.size += len(block)
        self.postings += count

    def write(self, path: Path | str, segment_id: str, doc_count: int) -> bool:
        """Write atomically; False (nothing written) if two terms share a key, so that the
        segment is read through Whoosh rather than wrongly."""
        keys = np.frombuffer(self.keys, dtype=np.uint64)
        order = np.argsort(keys, kind="stable")
        entries = np.zeros(len(keys), dtype=_ENTRY)
        entries["key"] = keys[order]
        entries["offset"] = np.frombuffer(self.offsets, dtype=np.uint64)[order]
        entries["count"] = np.frombuffer(self.counts, dtype=np.uint32)[order]
        entries["npos"] = np.frombuffer(self.npos, dtype=np.uint32)[order]
        entries["runs"] = 1
        if len(keys) > 1 and not np.all(entries["key"][1:] != entries["key"][:-1]):
            return False
        write_sidecar(path, [(segment_id, doc_count)], entries, self.chunks)
        return True


def write_sidecar(path: Path | str, segments: list[tuple[str, int]], entries: np.ndarray,
           chunks: Iterable[bytes]) -> None:
    meta = json.dumps(segments).encode()
    meta += b" " * (-len(meta) % 8)
    tmp = Path(str(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.seek(_HEAD.size + len(meta) + 8 * len(entries[::STRIDE]) + entries.nbytes)
        size = 0
        for chunk in chunks:
            f.write(chunk)
            size += len(chunk)
        f.seek(0)
        docs = sum(n for _, n in segments)
        f.write(_HEAD.pack(MAGIC, docs, len(entries), size, len(meta)))
        f.write(meta)
        f.write(entries["key"][::STRIDE].tobytes())
        f.write(entries.tobytes())
    os.replace(tmp, path)


class Sidecar:
    """Read side of a sidecar: one segment's, or several consecutive segments' (merged)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._file = open(path, "rb")
        try:
            self.fd = self._file.fileno()
            magic, self.doc_count, self.terms, self.size, meta = _HEAD.unpack(
                os.pread(self.fd, _HEAD.size, 0))
            if magic != MAGIC:
                raise ValueError(f"{path}: not a postings sidecar")
            self.segments = [tuple(s) for s in json.loads(os.pread(self.fd, meta, _HEAD.size))]
            strides = (self.terms + STRIDE - 1) // STRIDE
            sparse = _HEAD.size + meta
            self._entries = sparse + 8 * strides
            self._data = self._entries + self.terms * _ENTRY.itemsize
            if os.fstat(self.fd).st_size != self._data + self.size:
                raise ValueError(f"{path}: truncated postings sidecar")
            # every STRIDE-th key, held in memory: the index of the strides
            self._sparse = np.frombuffer(os.pread(self.fd, 8 * strides, sparse),
                                         dtype=np.uint64)
        except BaseException:
            self._file.close()
            raise
        self.bases = np.zeros(len(self.segments), dtype=np.int32)  # set by the reader

    def entry(self, key: np.uint64):
        """The term's entry, or None when these segments lack it."""
        i = int(self._sparse.searchsorted(key, "right")) - 1
        if i < 0:
            return None
        first = i * STRIDE
        n = min(STRIDE, self.terms - first)
        buf = os.pread(self.fd, n * _ENTRY.itemsize, self._entries + first * _ENTRY.itemsize)
        keys = np.frombuffer(buf, dtype=np.uint64)[::_ENTRY.itemsize // 8]  # each entry's key
        j = int(keys.searchsorted(key))
        if j == n or keys[j] != key:
            return None
        return _ENTRY_STRUCT.unpack_from(buf, j * _ENTRY.itemsize)

    def read(self, key: np.uint64, positions: bool = False):
        """(docnums int32 — the segments' own plus their ``bases`` —, frequencies float32,
        positions uint32 or None) of a term, or None when these segments lack it.  With
        ``positions``, ``NO_POSITIONS`` when none are stored for the term."""
        found = self.entry(key)
        if found is None:
            return None
        _, offset, count, npos, runs, seg = found
        if positions and npos == NO_POSITIONS:
            return NO_POSITIONS
        head = 8 * runs if runs > 1 else 0
        buf = os.pread(self.fd, head + 8 * count + (4 * npos if positions else 0),
                       self._data + offset)
        ids = np.frombuffer(buf, dtype=np.int32, count=count, offset=head)
        if runs > 1:
            table = np.frombuffer(buf, dtype=np.uint32, count=2 * runs).reshape(runs, 2)
            ids = ids + np.repeat(self.bases[table[:, 0]], table[:, 1])
        elif self.bases[seg]:
            ids = ids + self.bases[seg]
        tfs = np.frombuffer(buf, dtype=np.float32, count=count, offset=head + 4 * count)
        pos = np.frombuffer(buf, dtype=np.uint32, count=npos, offset=head + 8 * count) \
            if positions else None
        return ids, tfs, pos

    def positions(self, key: np.uint64, starts: np.ndarray, lens: np.ndarray):
        """The positions of some of a term's postings (``starts``/``lens``: ascending,
        non-overlapping slices of its positions, in positions), concatenated, and where
        each slice begins in the result; None when these segments lack the term,
        ``NO_POSITIONS`` when none are stored.  Only the slices are read (nearby ones in
        one ``pread``) unless reading the term's positions whole costs less: a common
        syllable's positions run to megabytes, and a phrase needs a few candidates'."""
        found = self.entry(key)
        if found is None:
            return None
        _, offset, count, npos, runs, _ = found
        if npos == NO_POSITIONS:
            return NO_POSITIONS
        base = self._data + offset + (8 * runs if runs > 1 else 0) + 8 * count
        ends = starts + lens
        cut = np.flatnonzero(starts[1:] - ends[:-1] > _NEAR) + 1
        lo = starts[np.concatenate(([0], cut))]
        hi = ends[np.concatenate((cut - 1, [len(ends) - 1]))]
        if len(lo) * _READ_COST + int((hi - lo).sum()) >= npos:
            return np.frombuffer(os.pread(self.fd, 4 * npos, base), dtype=np.uint32), starts
        buf = b"".join(os.pread(self.fd, 4 * (h - l), base + 4 * l)
                       for l, h in zip(lo.tolist(), hi.tolist()))
        shift = np.cumsum(hi - lo) - (hi - lo) - lo  # a slice's range: its place in buf
        which = np.repeat(np.arange(len(lo)), np.diff(np.concatenate(([0], cut, [len(ends)]))))
        return np.frombuffer(buf, dtype=np.uint32), starts + shift[which]

    def prefetch(self) -> None:
        """Ask the kernel to read the file into its page cache in the background: a server's
        first queries then find their terms in memory instead of on disk."""
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(self.fd, 0, 0, os.POSIX_FADV_WILLNEED)

    def close(self) -> None:
        self._file.close()


def open_sidecar(folder: Path | str, segment_id: str, doc_count: int) -> Sidecar | None:
    """The segment's own sidecar, or None when it has none (or one not matching it)."""
    try:
        sc = Sidecar(Path(folder) / (segment_id + SUFFIX))
    except (OSError, ValueError, struct.error):
        return None
    if sc.segments != [(segment_id, doc_count)]:
        sc.close()
        return None
    return sc


def open_merged(folder: Path | str, segments: list[tuple[str, int]]) -> Sidecar | None:
    """The merged sidecar when it covers the first of ``segments`` (id, documents)."""
    try:
        sc = Sidecar(Path(folder) / MERGED)
    except (OSError, ValueError, struct.error):
        return None
    if not sc.segments or sc.segments != segments[:len(sc.segments)]:
        sc.close()
        return None
    return sc


def merged_stamp(folder: Path | str) -> tuple[int, int] | None:
    """Identity of the merged sidecar file (a reader reopens its sources when it changes)."""
    try:
        st = os.stat(Path(folder) / MERGED)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns
