"""Whoosh's term blocks and term-index rows, written a term at a time.

Whoosh's ``W3FieldWriter`` + ``W3PostingsWriter`` take postings one by one through several
method calls each.  Here a term's whole posting list is at hand, so its blocks, its term
info and its row in the term index are built at once: the very bytes Whoosh writes
(``tests/indexer/search/test_evaluate.py`` and ``tests/indexer/codec/test_tokenfields.py`` compare them).  The writer
uses this for the small keyword fields and for Whoosh's generic paths;
``indexer.codec.tokenfields`` writes the analysed text fields with the same pieces.
"""
from __future__ import annotations

import zlib
from hashlib import md5
from itertools import groupby
from operator import itemgetter, sub
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import _lengths as _KV_LENGTHS  # a row's key/value sizes
from whoosh.filedb.filetables import md5_hash
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

from indexer.codec.sidecar import FIELDS as SIDECAR_FIELDS
from indexer.codec.sidecar import SidecarBuilder

__all__ = ["MIN_COMPRESS", "TERMINFO", "encode_block", "write_block", "write_field", "TermSink", "term_blocks",
           "term_adder"]

# Whoosh compresses every posting block, even a one-posting pickle of ~30 bytes that zlib
# only makes longer (its own "< 20 bytes: don't bother" test is overwritten by the next
# line).  Each block records its compression, so readers handle both.
MIN_COMPRESS = 96


def encode_block(deltas: Any, mini_weights: Any, values: Any, count: int, last_id: int,
                 maxweight: float, minlen: int, maxlen: int, complevel: int, first: bool,
                 last: bool) -> bytes:
    """One posting block in Whoosh's W3 layout: the term's header magic before its first
    block, the signed block length (negative on its last), the pickled block info and the
    pickled (maybe compressed) ids, weights and values.  ``minlen``/``maxlen`` are length
    bytes (``length_to_byte``).  The one encoder of this structure for all three writers."""
    databytes = dumps((deltas, mini_weights, values), 2)
    comp = complevel if len(databytes) >= MIN_COMPRESS else 0
    if comp:
        databytes = zlib.compress(databytes, comp)
    infobytes = dumps((count, last_id, maxweight, comp, minlen, maxlen), 2)
    size = len(infobytes) + len(databytes)
    return ((WHOOSH3_HEADER_MAGIC if first else b"") + pack_int(-size if last else size)
            + infobytes + databytes)


def write_block(self, last: bool = False) -> None:
    """``W3PostingsWriter._write_block`` with one write per block and no compression of
    small blocks: the same block layout, one write call per term instead of four."""
    self._terminfo.add_block(self)
    ids = self._ids
    self._postfile.write(encode_block(
        self._mini_ids(), self._mini_weights(), self._mini_values(), len(ids), ids[-1],
        self._maxweight, length_to_byte(self._minlength), length_to_byte(self._maxlength),
        self._compression, not self._blockcount, last))
    self._blockcount += 1
    self._new_block()


TERMINFO = W3TermInfo._struct


def write_field(fw, name: str, fieldobj, postings: list[tuple], lengths: dict[int, int],
                sidecar: SidecarBuilder | None = None) -> None:
    """Every term of one field: ``postings`` are (term bytes, docnum, weight, value bytes,
    positions or None) sorted by term, documents ascending; ``lengths``: the field's
    length per document; ``sidecar`` also gets each term's postings."""
    if name not in SIDECAR_FIELDS:
        sidecar = None
    fw.start_field(name, fieldobj)
    pw = fw._postwriter
    limit, complevel = pw._blocklimit, pw._compression
    fixed = fieldobj.format.fixed_value_size()
    sink = TermSink(fw)
    for btext, group in groupby(postings, key=itemgetter(0)):
        group = list(group)
        chunk, info = term_blocks(group, limit, complevel, fixed, lengths)
        if sidecar is not None:
            positions = [p[4] for p in group]
            sidecar.add(name, btext, [p[1] for p in group], [p[2] for p in group],
                        [p[3] for p in group], None if positions[0] is None else positions)
        sink.add(btext, chunk, info)
    sink.flush()
    fw.finish_field()


class TermSink:
    """Where a field's terms go: their blocks to the postings file (gathered into ~1 MB
    writes), their rows (term info + extent) to the term index."""

    def __init__(self, fw) -> None:
        self._prefix = pack_ushort(fw._fieldid)
        self._postfile = fw._postfile
        self._add_row = term_adder(fw._tindex)
        self._pos = self._postfile.tell()
        self._out: list[bytes] = []
        self._pending = 0

    def add(self, btext: bytes, chunk: bytes, info: bytes) -> None:
        """One term: ``chunk`` its blocks, ``info`` its packed term info (no extent)."""
        start = self._pos
        self._pos += len(chunk)
        self._out.append(chunk)
        self._pending += len(chunk)
        self._add_row(self._prefix + btext, info + pack_long(start) + pack_int(len(chunk)))
        if self._pending > 1 << 20:
            self.flush()

    def flush(self) -> None:
        if self._out:
            self._postfile.write(b"".join(self._out))
            self._out, self._pending = [], 0


def term_adder(tindex):
    """``OrderedHashWriter.add`` for keys known to arrive in order: one write per term
    instead of three, the same bytes, hash buckets and position index."""
    dbfile, hashfn, buckets, index = tindex.dbfile, tindex.hashfn, tindex.buckets, tindex.index
    write, pack = dbfile.write, _KV_LENGTHS.pack
    if hashfn is md5_hash:  # the same number without a hex string: its low 32 bits
        def hashfn(key: bytes, md5=md5, from_bytes=int.from_bytes) -> int:
            return from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
    pos = dbfile.tell()

    def add(key: bytes, value: bytes) -> None:
        nonlocal pos
        index.append(pos)
        write(pack(len(key), len(value)) + key + value)
        h = hashfn(key)
        buckets[h & 255].append((h, pos))
        pos += _KV_LENGTHS.size + len(key) + len(value)
        tindex.lastkey = key

    return add


def term_blocks(group: list[tuple], limit: int, complevel: int, fixed: int | None,
                 lengths: dict[int, int]) -> tuple[bytes, bytes]:
    """The blocks of a term with several postings, and its term info (without extent)."""
    chunks = []
    t_weight, t_min, t_max, t_maxw = 0.0, None, 0, 0
    last = len(group) - 1
    for first in range(0, len(group), limit):
        block = group if last < limit else group[first:first + limit]
        ids = [p[1] for p in block]
        weights = [float(p[2]) for p in block]
        lens = [n for n in map(lengths.get, ids, [0] * len(ids)) if n]
        bmin = min(lens) if lens else None
        bmax = max(lens) if lens else 0
        bmaxw = max(weights)
        if not bmaxw > 0:
            bmaxw = 0
        if fixed is None or fixed < 0:
            values: Any = tuple(p[3] for p in block if p[3])
        elif fixed == 0:
            values = None
        else:
            values = b"".join(p[3] for p in block if p[3])
        same = weights.count(weights[0]) == len(weights)
        if same and weights[0] == 1.0:
            mini_weights: Any = None
        elif same:
            mini_weights = weights[0]
        else:
            mini_weights = tuple(weights)
        deltas = tuple(map(sub, ids, [0, *ids]))
        chunks.append(encode_block(deltas, mini_weights, values, len(ids), ids[-1], bmaxw,
                                   length_to_byte(bmin), length_to_byte(bmax), complevel,
                                   first == 0, first + limit > last))
        # the term info's running statistics, as W3TermInfo.add_block keeps them
        t_weight += sum(weights)
        t_min = bmin if t_min is None else min(t_min, bmin)
        t_max = max(t_max, bmax)
        t_maxw = max(t_maxw, bmaxw)
    info = TERMINFO.pack(False, t_weight, len(group),
                          0 if t_min is None else length_to_byte(t_min),
                          length_to_byte(t_max), t_maxw, group[0][1], group[-1][1])
    return b"".join(chunks), info
