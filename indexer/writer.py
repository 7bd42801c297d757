"""Whoosh's segment writer made lean for our schema: same segments on disk, less Python.

Our documents are many (~1,100 postings each) and already analysed, and Whoosh's generic
writer spends most of its time per posting and per term in checks, method calls and
generators.  ``FastWriter`` writes the identical postings, blocks and term infos
(``tests/test_evaluate.py`` compares them with Whoosh's own writer).
"""
from __future__ import annotations

import gc
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from pickle import dumps
from types import MethodType
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.externalsort import SortingPool
from whoosh.filedb.filetables import _lengths as _KV_LENGTHS  # a row's key/value sizes
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from indexer.sidecar import FIELDS as SIDECAR_FIELDS
from indexer.sidecar import SUFFIX as SIDECAR_SUFFIX
from indexer.sidecar import SidecarBuilder

__all__ = ["FastWriter", "fast_writer", "MERGE_MAX_DOCS", "no_gc"]


@contextmanager
def no_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a segment is built.

    A segment's posting pool holds millions of small tuples and lists (none in a cycle);
    every collection of the oldest generation walks them all again, which cost about a
    quarter of the write's CPU (1,000-article segments, median of 5: 10.9 s → 8.4 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Lengths:
    """Field lengths of the documents added by this writer, from memory.

    At commit Whoosh asks the on-disk length column once per posting (~10 µs each, a third
    of the commit); everything else is delegated to the real per-document reader."""

    def __init__(self, reader, lengths: dict[tuple[int, str], int]) -> None:
        self._reader = reader
        self._lengths = lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        got = self._lengths.get((docnum, fieldname))
        return got if got is not None else self._reader.doc_field_length(docnum, fieldname,
                                                                         default)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


class GroupedPool(PostingPool):
    """Whoosh's posting pool, one list per field.

    Whoosh keeps one (field, term, docnum, weight, value) tuple per posting and sorts them
    all by whole tuples at commit: with ~1,100 postings per article that sort was a third of
    the write.  Here each field's (term, docnum, weight, value) list is sorted by term alone
    (a stable sort keeps the docnum order in which documents arrive).  Past ``limitmb`` the
    lists become one sorted run on disk, exactly as Whoosh spills."""

    def __init__(self, tempstore, segment, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.fields: dict[str, list[tuple]] = {}
        self._by_doc = False  # postings added out of docnum order (merged segments)

    def add(self, item: tuple) -> None:  # merged segments' postings
        name, tbytes, docnum, weight, vbytes = item
        got = self.fields.get(name)
        if got is None:
            got = self.fields[name] = []
            self.fieldnames.add(name)
        got.append((tbytes, docnum, weight, vbytes, None))
        self._by_doc = True
        self.currentsize += 150 + len(tbytes) * 2 + len(vbytes or b"")
        if self.currentsize > self.limit:
            self.save()

    def add_postings(self, name: str, docnum: int, items: list[tuple]) -> None:
        """One document's postings of one field: (term bytes, freq, weight, value bytes)
        and, from ``Tokens.index_with_positions``, the positions (kept for the sidecar)."""
        got = self.fields.get(name)
        if got is None:
            got = self.fields[name] = []
            self.fieldnames.add(name)
        if items and len(items[0]) == 5:
            got.extend([(t, docnum, w, v, p) for t, _, w, v, p in items])
        else:
            got.extend([(t, docnum, w, v, None) for t, _, w, v in items])
        self.currentsize += 200 * len(items)  # estimate: measuring each costs as much
        if self.currentsize > self.limit:
            self.save()

    def _sorted(self):
        fields, self.fields = self.fields, {}
        key = itemgetter(0, 1) if self._by_doc else itemgetter(0)
        self._by_doc = False
        for name in sorted(fields):
            postings = fields.pop(name)
            postings.sort(key=key)
            for tbytes, docnum, weight, vbytes, _ in postings:
                yield name, tbytes, docnum, weight, vbytes

    def save(self) -> None:
        self.current = list(self._sorted())
        SortingPool.save(self)  # sorting the already sorted run is one linear pass
        self.currentsize = 0

    def items(self, maxfiles: int = 128):
        if not self.runs:
            return self._sorted()
        self.current = list(self._sorted())
        return SortingPool.items(self, maxfiles)


# Whoosh compresses every posting block, even a one-posting pickle of ~30 bytes that zlib
# only makes longer (its own "< 20 bytes: don't bother" test is overwritten by the next
# line).  Each block records its compression, so readers handle both.
MIN_COMPRESS = 96


def _write_block(self, last: bool = False) -> None:
    """``W3PostingsWriter._write_block`` with one write per block and no compression of
    small blocks: the same block layout, one write call per term instead of four."""
    head = b"" if self._blockcount else WHOOSH3_HEADER_MAGIC
    self._terminfo.add_block(self)
    databytes = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 2)
    comp = self._compression if len(databytes) >= MIN_COMPRESS else 0
    if comp:
        databytes = zlib.compress(databytes, comp)
    ids = self._ids
    infobytes = dumps((len(ids), ids[-1], self._maxweight, comp,
                       length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
    blocklength = len(infobytes) + len(databytes)
    self._postfile.write(head + pack_int(-blocklength if last else blocklength)
                         + infobytes + databytes)
    self._blockcount += 1
    self._new_block()


_TERMINFO = W3TermInfo._struct


def _write_field(fw, name: str, fieldobj, postings: list[tuple], lengths: dict[int, int],
                 sidecar: SidecarBuilder | None = None) -> None:
    """Every term of one field, a term at a time: the blocks and term infos that
    ``W3FieldWriter`` + ``W3PostingsWriter`` write posting by posting (``_write_block``'s
    layout, byte for byte), built from each term's whole posting list.  ``lengths``: the
    field's length per document; ``sidecar`` also gets each term's postings."""
    if name not in SIDECAR_FIELDS:
        sidecar = None
    fw.start_field(name, fieldobj)
    pw = fw._postwriter
    limit, complevel = pw._blocklimit, pw._compression
    fixed = fieldobj.format.fixed_value_size()
    prefix = pack_ushort(fw._fieldid)
    postfile, tadd = fw._postfile, _term_adder(fw._tindex)
    pack_info, to_byte = _TERMINFO.pack, length_to_byte
    pos = postfile.tell()
    out: list[bytes] = []
    pending = 0
    for btext, group in groupby(postings, key=itemgetter(0)):
        group = list(group)
        start = pos
        if len(group) == 1:  # most terms of a segment (pairs above all): one posting
            _, docnum, weight, value, positions = group[0]
            weight = float(weight)
            n = lengths.get(docnum, 0)
            maxw = weight if weight > 0 else 0
            if fixed is None or fixed < 0:
                values: Any = (value,) if value else ()
            else:
                values = None if fixed == 0 else (value or b"")
            databytes = dumps(((docnum,), None if weight == 1.0 else weight, values), 2)
            comp = complevel if len(databytes) >= MIN_COMPRESS else 0
            if comp:
                databytes = zlib.compress(databytes, comp)
            infobytes = dumps((1, docnum, maxw, comp, to_byte(n or None), to_byte(n)), 2)
            chunk = (WHOOSH3_HEADER_MAGIC + pack_int(-(len(infobytes) + len(databytes)))
                     + infobytes + databytes)
            info = pack_info(False, weight, 1, to_byte(n) if n else 0, to_byte(n), maxw,
                             docnum, docnum)
            if sidecar is not None:
                sidecar.add(name, btext, [docnum], [weight], [value],
                            None if positions is None else [positions])
        else:
            chunk, info = _term_blocks(group, limit, complevel, fixed, lengths)
            if sidecar is not None:
                positions = [p[4] for p in group]
                sidecar.add(name, btext, [p[1] for p in group], [p[2] for p in group],
                            [p[3] for p in group],
                            None if positions[0] is None else positions)
        out.append(chunk)
        pos += len(chunk)
        pending += len(chunk)
        tadd(prefix + btext, info + pack_long(start) + pack_int(pos - start))
        if pending > 1 << 20:
            postfile.write(b"".join(out))
            out, pending = [], 0
    if out:
        postfile.write(b"".join(out))
    fw.finish_field()


def _term_adder(tindex):
    """``OrderedHashWriter.add`` for keys known to arrive in order: one write per term
    instead of three, the same bytes, hash buckets and position index."""
    dbfile, hashfn, buckets, index = tindex.dbfile, tindex.hashfn, tindex.buckets, tindex.index
    write, pack = dbfile.write, _KV_LENGTHS.pack
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


def _term_blocks(group: list[tuple], limit: int, complevel: int, fixed: int | None,
                 lengths: dict[int, int]) -> tuple[bytes, bytes]:
    """The blocks of a term with several postings, and its term info (without extent)."""
    chunks = []
    t_weight, t_min, t_max, t_maxw = 0.0, None, 0, 0
    last = len(group) - 1
    for first in range(0, len(group), limit):
        block = group[first:first + limit]
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
        if all(w == 1.0 for w in weights):
            mini_weights: Any = None
        elif all(w == weights[0] for w in weights):
            mini_weights = weights[0]
        else:
            mini_weights = tuple(weights)
        deltas = tuple([ids[0]] + [b - a for a, b in zip(ids, ids[1:])])
        databytes = dumps((deltas, mini_weights, values), 2)
        comp = complevel if len(databytes) >= MIN_COMPRESS else 0
        if comp:
            databytes = zlib.compress(databytes, comp)
        infobytes = dumps((len(ids), ids[-1], bmaxw, comp, length_to_byte(bmin),
                           length_to_byte(bmax)), 2)
        size = len(infobytes) + len(databytes)
        chunks.append((WHOOSH3_HEADER_MAGIC if first == 0 else b"")
                      + pack_int(-size if first + limit > last else size)
                      + infobytes + databytes)
        # the term info's running statistics, as W3TermInfo.add_block keeps them
        t_weight += sum(weights)
        t_min = bmin if t_min is None else min(t_min, bmin)
        t_max = max(t_max, bmax)
        t_maxw = max(t_maxw, bmaxw)
    info = _TERMINFO.pack(False, t_weight, len(group),
                          0 if t_min is None else length_to_byte(t_min),
                          length_to_byte(t_max), t_maxw, group[0][1], group[-1][1])
    return b"".join(chunks), info


class FastWriter(SegmentWriter):
    """SegmentWriter with a lean ``add_document`` for our schema (no vectors, spelling or
    boosts) and in-memory field lengths at commit.  Same segments on disk."""

    def __init__(self, ix, temp_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        if temp_name:  # a worker's own: the writer holding the lock destroys the shared one
            self._tempstorage = self.storage.temp_storage(temp_name)
        self.pool = GroupedPool(self._tempstorage, self.newsegment,
                                limitmb=kwargs.get("limitmb", 128))
        self._doc_lengths: dict[tuple[int, str], int] = {}
        self.fieldwriter.add_postings = self._add_postings
        self._sidecar = SidecarBuilder()

    def _add_postings(self, schema, lengths, items) -> None:
        """Whoosh's ``FieldWriter.add_postings`` + ``W3PostingsWriter.add_posting`` in one
        loop without their per-posting type asserts and method calls: the same blocks and
        term infos, ~1 µs less per posting."""
        fw = self.fieldwriter
        dfl = lengths.doc_field_length if lengths else (lambda docnum, fieldname, d=0: 0)
        ours = self._doc_lengths
        lastfn = lasttext = pw = None
        limit = 0
        sidecar, ids, weights, values = self._sidecar, [], [], []
        for fieldname, btext, docnum, weight, value in items:
            if (fieldname != lastfn or btext != lasttext) and ids:
                sidecar.add(lastfn, lasttext, ids, weights, values)
                ids, weights, values = [], [], []
            if fieldname != lastfn:
                if lasttext is not None:
                    fw.finish_term()
                if lastfn is not None:
                    fw.finish_field()
                fw.start_field(fieldname, schema[fieldname])
                lastfn, lasttext = fieldname, None
                pw = fw._postwriter
                pw._write_block = MethodType(_write_block, pw)
                limit = pw._blocklimit
            if btext != lasttext:
                if lasttext is not None:
                    fw.finish_term()
                fw.start_term(btext)
                lasttext = btext
            if len(pw._ids) >= limit:
                pw._write_block()
            length = ours.get((docnum, fieldname))
            if length is None:
                length = dfl(docnum, fieldname, 0)
            pw._ids.append(docnum)
            pw._weights.append(weight)
            if fieldname in SIDECAR_FIELDS:
                ids.append(docnum)
                weights.append(float(weight))
                values.append(value)
            if weight > pw._maxweight:
                pw._maxweight = weight
            if value:
                pw._values.append(value)
            if length:
                if pw._minlength is None or length < pw._minlength:
                    pw._minlength = length
                if length > pw._maxlength:
                    pw._maxlength = length
        if ids:
            sidecar.add(lastfn, lasttext, ids, weights, values)
        if lasttext is not None:
            fw.finish_term()
        if lastfn is not None:
            fw.finish_field()

    def _flush_segment(self) -> None:
        pool = self.pool
        if pool.runs or pool._by_doc:  # spilled to disk or merging: the generic stream
            return super()._flush_segment()
        self.perdocwriter.close()
        fw = self.fieldwriter
        fields, pool.fields = pool.fields, {}
        lengths: dict[str, dict[int, int]] = {}
        for (docnum, name), n in self._doc_lengths.items():
            lengths.setdefault(name, {})[docnum] = n
        for name in sorted(fields):
            postings = fields.pop(name)
            postings.sort(key=itemgetter(0))  # stable: documents stay in docnum order
            _write_field(fw, name, self.schema[name], postings, lengths.get(name, {}),
                         self._sidecar)
        fw.close()

    def _finalize_segment(self):
        """Whoosh's, then the segment's postings sidecar (``indexer.sidecar``) beside it."""
        segment = super()._finalize_segment()
        folder = getattr(self.storage, "folder", None)
        if folder is not None and self._sidecar.postings:
            self._sidecar.write(Path(folder) / (segment.segment_id() + SIDECAR_SUFFIX),
                                segment.segment_id(), segment.doc_count_all())
        self._sidecar = SidecarBuilder()
        return segment

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        schema, docnum, pool = self.schema, self.docnum, self.pool
        pdw = self.perdocwriter
        self._check_fields(schema, [n for n in fields if not n.startswith("_")])
        pdw.start_doc(docnum)
        try:
            for name in sorted(fields):
                value = fields[name]
                if value is None or name.startswith("_"):
                    continue
                field = schema[name]
                length = 0
                if field.indexed:
                    with_positions = getattr(field, "index_with_positions", None)
                    items = with_positions(value) if with_positions else field.index(value)
                    if not isinstance(items, list):
                        items = list(items)
                    for item in items:
                        length += item[1]
                    pool.add_postings(name, docnum, items)
                    if not field.scorable:
                        length = 0
                    elif length:
                        self._doc_lengths[(docnum, name)] = \
                            byte_to_length(length_to_byte(length))
                pdw.add_field(name, field, value if field.stored else None, length)
                if field.column_type is not None:
                    pdw.add_column_value(name, field.column_type,
                                         field.to_column_value(value))
        except Exception:
            pdw.cancel_doc()
            raise
        pdw.finish_doc()
        self._added = True
        self.docnum += 1

    def release(self, keep_temp: bool = False) -> None:
        """Close and unlock (``_finish``), keeping the shared temp dir if ``keep_temp``:
        Whoosh puts every writer's column files in ``<index>.tmp``, and workers writing
        segments at the same time still need theirs."""
        if not keep_temp:
            return self._finish()
        if self._searcher is not None:
            self._searcher._orig_close()
            self._searcher = None
        if self.writelock:
            self.writelock.release()
        self.is_closed = True

    def per_document_reader(self):
        return _Lengths(super().per_document_reader(), self._doc_lengths)


# Reindex writes segments of at most this many documents: a bigger posting pool spills
# sorted runs to disk and merges them back posting by posting in Python.
MERGE_MAX_DOCS = 2500


def fast_writer(ix, limitmb: int = 256) -> FastWriter:
    return FastWriter(ix, limitmb=limitmb)


