"""Read a term's postings straight from a segment's postings file, a block at a time.

Whoosh's block matcher reads each block through ~30 small seeks and reads of the compound
file (the index is opened without mmap so the server's RSS stays small), unpickles the block
header through a file object and delta-decodes ids in a Python generator; a query touching
thirty terms in two dozen segments spent most of its time there.  Here one read fetches the
term's whole posting range, headers are unpickled from memory, ids are decoded with
``itertools.accumulate`` (C), and blocks outside the wanted documents are skipped on their
header alone (last id), before decompression.  The block layout is Whoosh 3's
(``W3PostingsWriter._write_block``), the one ``indexer.schema`` writes.

Anything else (another codec, a reader without a term table) yields ``None`` from
:func:`segment_blocks` and the caller walks Whoosh's matcher instead.
"""
from __future__ import annotations

import bisect
import io
import os
import struct
import zlib
from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import accumulate
from pickle import Unpickler, loads
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo, W3TermsReader
from whoosh.filedb.compound import SubFile
from whoosh.filedb.filetables import _lengths, _pointer, md5_hash

__all__ = ["segment_blocks", "Block", "term_lookup"]

_INT = struct.Struct("!i")

# (global docnums, weights, values or None): one decoded block
Block = tuple[list[int], Sequence[float], Sequence[bytes] | None]


class _Missing:
    """The term does not occur in this segment."""


MISSING = _Missing()


def term_extent(reader, field: str, btext: bytes):
    """The term's info in one segment, ``MISSING``, or ``None`` when this reader is not a
    plain Whoosh 3 segment."""
    terms = getattr(reader, "_terms", None)
    if type(terms) is not W3TermsReader:
        return None
    key = terms._keycoder(field, btext)
    try:
        found = term_lookup(terms._tindex, key)
    except _NoFastPath:
        found = terms._tindex.get(key)
    return MISSING if found is None else W3TermInfo.from_bytes(found)


class _NoFastPath(Exception):
    pass


# the same key is looked up in every segment: hash it once
_md5_hash = lru_cache(maxsize=4096)(md5_hash)
_SLOTS = 16  # hash slots read at once: linear probing rarely goes further


def term_lookup(tindex, key: bytes) -> bytes | None:
    """``HashReader.get`` with ``os.pread`` on the segment file: two reads instead of
    Whoosh's four to eight seek+read pairs through the compound-file layers (a query's
    terms are looked up in every segment, present or not)."""
    sub = tindex.dbfile.file
    if type(sub) is not SubFile or not hasattr(os, "pread"):
        raise _NoFastPath
    try:
        fd = sub._file.fileno()
    except (AttributeError, OSError, ValueError):
        raise _NoFastPath from None
    base = sub._offset
    keyhash = _md5_hash(key) if tindex.hashfn is md5_hash else tindex.hashfn(key)
    tablestart, numslots = tindex.tables[keyhash & 255]
    if not numslots:
        return None
    size = _pointer.size
    slot = (keyhash >> 8) % numslots
    seen = 0
    while seen < numslots:  # every slot once at most, wrapping around the table's end
        count = min(_SLOTS, numslots - slot, numslots - seen)
        seen += count
        chunk = os.pread(fd, count * size, base + tablestart + slot * size)
        for i in range(count):
            slothash, itempos = _pointer.unpack_from(chunk, i * size)
            if not itempos:
                return None
            if slothash == keyhash:
                want = _lengths.size + len(key) + 64
                item = os.pread(fd, want, base + itempos)
                keylen, datalen = _lengths.unpack_from(item)
                if keylen == len(key) and item[_lengths.size:_lengths.size + keylen] == key:
                    start = _lengths.size + keylen
                    if start + datalen > len(item):
                        item = os.pread(fd, start + datalen, base + itempos)
                    return item[start:start + datalen]
        slot = (slot + count) % numslots
    return None


def segment_blocks(reader, info, offset: int, values: bool = False,
                   only_sorted: list[int] | None = None) -> Iterator[Block]:
    """Decoded blocks of one term in one segment (``info`` from :func:`term_extent`).
    With ``only_sorted`` (sorted global docnums), blocks whose docnum range holds none of
    them are not decompressed."""
    if info.is_inlined():
        ids, weights, vals = info.inlined_postings()
        yield [offset + d for d in ids], _weights(weights, len(ids)), vals if values else None
        return
    start, length = info.extent()
    if isinstance(length, tuple):  # Whoosh's from_bytes leaves it a 1-tuple
        length = length[0]
    buf = reader._terms._postfile.get(start, length)
    if buf[:4] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a Whoosh 3 posting list")
    stream = io.BytesIO(buf)
    pos, end = 4, len(buf)
    first = offset  # lowest docnum the next block can hold
    while pos < end:
        (blen,) = _INT.unpack_from(buf, pos)
        nxt = pos + 4 + abs(blen)
        stream.seek(pos + 4)
        count, maxid, _, compression, _, _ = Unpickler(stream).load()
        last = offset + maxid
        if only_sorted is not None:
            i = bisect.bisect_left(only_sorted, first)
            if i == len(only_sorted) or only_sorted[i] > last:
                first, pos = last + 1, nxt
                if blen < 0:
                    break
                continue
        data = buf[stream.tell():nxt]
        if compression:
            data = zlib.decompress(data)
        deltas, weights, vals = loads(data)
        ids = list(accumulate(deltas, initial=offset))
        del ids[0]
        yield ids, _weights(weights, count), (_values(vals, count) if values else None)
        first, pos = last + 1, nxt
        if blen < 0:
            break


def _values(vals: Any, count: int) -> Sequence[bytes | None]:
    """Whoosh's ``_read_values``: fixed-size values are stored joined, none as ``None``."""
    if vals is None:
        return (None,) * count
    if isinstance(vals, bytes):
        size = len(vals) // count if count else 0
        return tuple(vals[i:i + size] for i in range(0, len(vals), size)) if size else \
            (None,) * count
    return vals


def _weights(weights: Any, count: int) -> Sequence[float]:
    if weights is None:
        return (1.0,) * count
    if isinstance(weights, float):
        return (weights,) * count
    return weights
