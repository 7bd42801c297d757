"""A token field of a whole segment written at once: postings built with numpy.

The lean writer used to turn every document's tokens into one Python tuple per posting,
sort millions of them and walk them back term by term: most of an article's index-write
time, for ~2,700 tokens an article.  Here a field's tokens of all the segment's documents
are kept as term ids as they arrive (``TokenColumn``), then become three arrays (term,
document, position); one stable sort groups them by term and
document; postings, frequencies, positions, block statistics and the sidecar's bytes are
array operations.  What is left per term is what Whoosh's format needs per term (two
pickles, a term info, a hash-table row), and per posting of a positional field the pickled
position deltas.  The bytes written are those of ``termwrite.write_field`` (and so of
Whoosh's own writer): ``tests/indexer/codec/test_tokenfields.py`` compares them.
"""
from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import count
from pickle import dumps
from typing import Any

import numpy as np
from whoosh.system import pack_uint
from whoosh.util.numeric import length_to_byte

from indexer.codec.sidecar import FIELDS as SIDECAR_FIELDS
from indexer.codec.sidecar import SidecarBuilder
from indexer.codec.termwrite import TERMINFO, TermSink, encode_block
from indexer.schema import GAP

__all__ = ["supported", "TokenColumn", "write_token_field", "position_values"]

_FORMATS = ("Positions", "Frequency")


def supported(fieldobj: Any) -> bool:
    """Can this field's postings be built here?  Frequencies or positions, no boost."""
    fmt = fieldobj.format
    return fmt.__class__.__name__ in _FORMATS and fmt.field_boost == 1.0


class TokenColumn:
    """One token field's tokens of a segment's documents, kept as term ids: 8 bytes a token
    instead of a string object each (a 2,500-article segment holds ~7 million tokens)."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self._draw = count()  # ids in first-seen order (not contiguous: each token draws one)
        self.ids = array("q")
        self.docs: list[int] = []
        self.sizes: list[int] = []

    def add(self, docnum: int, tokens: list[str]) -> int:
        """Append one document's tokens; returns an estimate of the bytes added."""
        known = len(self.vocab)
        self.ids.extend(map(self.vocab.setdefault, tokens, self._draw))
        self.docs.append(docnum)
        self.sizes.append(len(tokens))
        return 8 * len(tokens) + 150 * (len(self.vocab) - known)

    def documents(self) -> Iterator[tuple[int, list[str]]]:
        """(docnum, tokens) per document again, for Whoosh's generic paths."""
        names = {i: term for term, i in self.vocab.items()}
        at = 0
        for docnum, size in zip(self.docs, self.sizes):
            yield docnum, [names[i] for i in self.ids[at:at + size]]
            at += size


def write_token_field(fw, name: str, fieldobj, column: TokenColumn, lengths: dict[int, int],
                      sidecar: SidecarBuilder | None) -> None:
    """Write field ``name`` of the documents in ``column`` (docnums ascending) with the
    segment's field writer ``fw``; ``lengths``: each document's stored field length."""
    fw.start_field(name, fieldobj)
    postings = _Postings(column, fieldobj.format.__class__.__name__ == "Positions")
    if postings.terms:
        _write(fw, name, postings, lengths, sidecar if name in SIDECAR_FIELDS else None)
    fw.finish_field()


class _Postings:
    """The field's postings in term order, as arrays and lists (all Python numbers)."""

    def __init__(self, column: TokenColumn, positional: bool) -> None:
        self.positional = positional
        self.terms: list[str] = []
        ids = np.frombuffer(column.ids, dtype=np.int64)
        if not len(ids):
            return
        sizes = np.array(column.sizes, dtype=np.int64)
        vocab = column.vocab
        tok_doc = np.repeat(np.array(column.docs, dtype=np.int64), sizes)
        starts = np.cumsum(sizes) - sizes
        tok_pos = np.arange(len(ids), dtype=np.int64) - np.repeat(starts, sizes)
        gap = vocab.get(GAP)
        if gap is not None:  # a gap takes its position and makes no posting
            keep = ids != gap
            ids, tok_doc, tok_pos = ids[keep], tok_doc[keep], tok_pos[keep]
            if not len(ids):
                return
        # str order is UTF-8 byte order: Whoosh's term order
        self.terms = sorted(t for t in vocab if t != GAP)
        rank = np.empty(max(vocab.values()) + 1, dtype=np.int64)
        rank[np.fromiter(map(vocab.__getitem__, self.terms), dtype=np.int64,
                         count=len(self.terms))] = np.arange(len(self.terms))
        tok_rank = rank[ids]
        # tokens arrive by document then position: a stable sort by term keeps that order
        order = np.argsort(tok_rank, kind="stable")
        r, d = tok_rank[order], tok_doc[order]
        new_posting = np.empty(len(r), dtype=bool)
        new_posting[0] = True
        np.not_equal(r[1:], r[:-1], out=new_posting[1:])
        new_posting[1:] |= d[1:] != d[:-1]
        p_start = np.flatnonzero(new_posting)
        self.doc = d[p_start]
        self.freq = np.diff(np.append(p_start, len(r)))
        p_rank = r[p_start]
        t_first = np.flatnonzero(np.append(True, p_rank[1:] != p_rank[:-1]))
        self.term_start = np.append(t_first, len(p_start))  # postings of term i
        if positional:
            pos = tok_pos[order]
            self.positions = pos  # absolute, by term, document, position
            self.token_start = np.append(p_start, len(r))  # tokens of posting j
            deltas = np.diff(pos, prepend=0)
            deltas[p_start] = pos[p_start]  # each posting's first position is absolute
            self.pos_deltas = deltas


# Opcodes of pickle protocol 2 as ``dumps(list_of_ints, 2)`` writes them: a list, memoised
# (BINPUT 0), its items between MARK and APPENDS (one item: APPEND), STOP.  Items below
# 256 are BININT1, below 65536 BININT2, else BININT (4 bytes, little-endian, signed).
_LIST_HEAD = b"\x80\x02]q\x00"
_BATCH = 1000  # pickle appends at most this many items at a time


def position_values(freq: np.ndarray, deltas: np.ndarray, token_start: np.ndarray
                    ) -> list[bytes]:
    """Each posting's Whoosh value, ``pack_uint(n) + dumps(deltas, 2)`` of its ``n``
    position deltas, built for all postings at once: the per-posting ``dumps`` was a
    tenth of the index write.  ``tests/indexer/codec/test_tokenfields.py`` holds it to
    ``dumps``; postings of more than ``_BATCH`` positions take ``dumps`` itself."""
    n = freq.astype(np.int64)
    if not len(n):
        return []
    d = deltas.astype(np.int64)
    big = n > _BATCH
    tok_big = np.repeat(big, n)
    width = np.where(d < 256, 2, np.where(d < 65536, 3, 5))  # opcode + bytes per item
    width[tok_big] = 0
    starts = token_start[:-1]
    item_bytes = np.add.reduceat(width, starts) if len(width) else np.zeros_like(n)
    many = n > 1
    size = np.where(big, 0, 4 + len(_LIST_HEAD) + many + item_bytes + 2)
    end = np.cumsum(size)
    off = end - size
    buf = np.zeros(int(end[-1]) if len(end) else 0, dtype=np.uint8)
    small = np.flatnonzero(~big)
    o, m = off[small], n[small]
    for k in range(4):  # the frequency, big-endian
        buf[o + k] = (m >> (8 * (3 - k))) & 255
    for k, byte in enumerate(_LIST_HEAD):
        buf[o + 4 + k] = byte
    buf[o[m > 1] + 4 + len(_LIST_HEAD)] = ord("(")
    buf[o + size[small] - 2] = np.where(m > 1, ord("e"), ord("a"))
    buf[o + size[small] - 1] = ord(".")
    # items: each posting's first item right after its head, then one after another
    first = off + 4 + len(_LIST_HEAD) + many
    tok_first = np.repeat(first, n)
    within = np.cumsum(width) - width
    within -= np.repeat(within[starts], n)
    at = (tok_first + within)[~tok_big]
    w, v = width[~tok_big], d[~tok_big]
    buf[at] = np.where(w == 2, ord("K"), np.where(w == 3, ord("M"), ord("J")))
    buf[at + 1] = v & 255
    wide = w > 2
    buf[at[wide] + 2] = (v[wide] >> 8) & 255
    wider = w == 5
    buf[at[wider] + 3] = (v[wider] >> 16) & 255
    buf[at[wider] + 4] = (v[wider] >> 24) & 255
    data = buf.tobytes()
    bounds = end.tolist()
    out = [data[a:b] for a, b in zip([0, *bounds[:-1]], bounds)]
    for j in np.flatnonzero(big).tolist():
        a, b = int(token_start[j]), int(token_start[j + 1])
        out[j] = pack_uint(b - a) + dumps(d[a:b].tolist(), 2)
    return out


def _length_bytes(lengths: dict[int, int], docs: np.ndarray) -> np.ndarray:
    """``length_to_byte`` of each posting's document length (0 for none)."""
    top = int(docs.max()) + 1 if len(docs) else 1
    by_doc = np.zeros(top, dtype=np.int64)
    for doc, n in lengths.items():
        if doc < top:
            by_doc[doc] = length_to_byte(n)
    return by_doc[docs]


def _write(fw, name: str, ps: _Postings, lengths: dict[int, int],
           sidecar: SidecarBuilder | None) -> None:
    """Every term in order: its Whoosh blocks and term info from the arrays (the layout of
    ``termwrite.term_blocks``), and its sidecar block."""
    pw = fw._postwriter
    limit, complevel = pw._blocklimit, pw._compression
    n_post = len(ps.doc)
    term_start = ps.term_start
    sizes = np.diff(term_start)
    # a block starts every ``limit`` postings of a term; its first docnum is absolute
    within = np.arange(n_post) - np.repeat(term_start[:-1], sizes)
    block_first = within % limit == 0
    b_start = np.flatnonzero(block_first)
    deltas = np.diff(ps.doc, prepend=0)
    deltas[b_start] = ps.doc[b_start]
    lbytes = _length_bytes(lengths, ps.doc)
    b_minlen = np.minimum.reduceat(lbytes, b_start).tolist()
    b_maxlen = np.maximum.reduceat(lbytes, b_start).tolist()
    b_minf = np.minimum.reduceat(ps.freq, b_start).tolist()
    b_maxf = np.maximum.reduceat(ps.freq, b_start).tolist()
    t_freq = np.add.reduceat(ps.freq, term_start[:-1]).tolist()
    docs_l = ps.doc.tolist()
    freqs_l = ps.freq.tolist()
    deltas_l = deltas.tolist()
    if ps.positional:
        tok = ps.token_start.tolist()
        values_l = position_values(ps.freq, ps.pos_deltas, ps.token_start)
        fbytes = b""
    else:
        values_l = []
        fbytes = ps.freq.astype(">u4").tobytes()  # Whoosh's fixed-size values: pack_uint
    if sidecar is not None:
        ids32 = ps.doc.astype(np.int32).tobytes()
        f32 = ps.freq.astype(np.float32).tobytes()
        pos32 = ps.positions.astype(np.uint32).tobytes() if ps.positional else b""
        tok_l = tok if ps.positional else []

    sink = TermSink(fw)
    blk = 0  # index of the term's first block
    ts = term_start.tolist()
    for i, term in enumerate(ps.terms):
        a, b = ts[i], ts[i + 1]
        chunks = []
        t_min = t_max = None
        t_maxw = 0.0
        for first in range(a, b, limit):
            last = min(first + limit, b)
            minf, maxf = b_minf[blk], b_maxf[blk]
            if maxf == 1:
                mini_weights: Any = None
            elif minf == maxf:
                mini_weights = float(maxf)
            else:
                mini_weights = tuple(map(float, freqs_l[first:last]))
            if ps.positional:
                values: Any = tuple(values_l[first:last])
            else:
                values = fbytes[4 * first:4 * last]
            bmaxw = float(maxf)
            chunks.append(encode_block(tuple(deltas_l[first:last]), mini_weights, values,
                                       last - first, docs_l[last - 1], bmaxw, b_minlen[blk],
                                       b_maxlen[blk], complevel, first == a, last == b))
            t_min = b_minlen[blk] if t_min is None else min(t_min, b_minlen[blk])
            t_max = b_maxlen[blk] if t_max is None else max(t_max, b_maxlen[blk])
            t_maxw = max(t_maxw, bmaxw)
            blk += 1
        chunk = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        info = TERMINFO.pack(False, float(t_freq[i]), b - a, t_min, t_max, t_maxw,
                              docs_l[a], docs_l[b - 1])
        btext = term.encode()
        if sidecar is not None:
            block = ids32[4 * a:4 * b] + f32[4 * a:4 * b]
            if ps.positional:
                ta, tb = tok_l[a], tok_l[b]
                sidecar.add_block(name, btext, block + pos32[4 * ta:4 * tb], b - a, tb - ta)
            else:
                sidecar.add_block(name, btext, block, b - a)
        sink.add(btext, chunk, info)
    sink.flush()
