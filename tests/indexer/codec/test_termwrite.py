"""One posting block in Whoosh's W3 layout: what Whoosh's own reader reads back."""
from __future__ import annotations

import zlib
from pickle import dumps, loads

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.system import _INT_SIZE, unpack_int

from indexer.codec.termwrite import MIN_COMPRESS, encode_block


def _decode(raw: bytes, first: bool):
    if first:
        assert raw.startswith(WHOOSH3_HEADER_MAGIC)
        raw = raw[len(WHOOSH3_HEADER_MAGIC):]
    (size,) = unpack_int(raw[:_INT_SIZE])
    body = raw[_INT_SIZE:]
    assert len(body) == abs(size)
    return size, body


def test_small_block_is_not_compressed_and_sizes_add_up():
    raw = encode_block((3, 4), None, None, 2, 7, 1.0, 5, 9, 3, first=True, last=True)
    size, body = _decode(raw, first=True)
    assert size < 0  # last block of the term
    info = loads(body)  # the info pickle comes first; loads stops at its end
    assert info == (2, 7, 1.0, 0, 5, 9)


def test_big_block_is_compressed_and_round_trips():
    deltas = tuple(range(1, 200))
    raw = encode_block(deltas, 2.0, None, len(deltas), sum(deltas), 2.0, 1, 2, 3,
                       first=False, last=False)
    size, body = _decode(raw, first=False)
    assert size > 0
    info = loads(body)
    assert info[3] == 3  # compression level recorded
    info_len = len(dumps(info, 2))
    assert loads(zlib.decompress(body[info_len:])) == (deltas, 2.0, None)
    assert len(dumps((deltas, 2.0, None), 2)) >= MIN_COMPRESS
