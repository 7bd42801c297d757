"""Word statistics of the ``words`` field: each word's occurrences, exact and folded, written
beside the index so that a searcher does not rebuild them when it opens (entry points:
``field_terms`` to read a field's terms from Whoosh's term index, ``write_word_stats``,
``word_counts``).

The query segmenter (``indexer.search.segmentation``) needs, for every word of the archive,
how often it occurs — exact, and folded (every exact form of a folded word summed).
Rebuilding that from the term index takes seconds on a large archive (a Python pass over
every term row of every segment, then a fold per term).  ``words.vns`` holds both tables
for the index's first segments, in order; reindex and every ingest write it (carrying the
previous file's tables forward and counting only the new segments).  A reader takes the
tables for the segments the file covers and counts the others from their term index, so
the figures are the same sums whichever way they were made — the file only saves time.
"""
from __future__ import annotations

import json
import os
import struct
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.filedb.filetables import OrderedHashReader

from archive.textnorm import fold

__all__ = ["STATS", "TABLES", "field_terms", "segment_counts", "write_word_stats", "word_counts"]

STATS = "words.vns"  # not a segment file name: Whoosh's clean-up leaves it alone
MAGIC = b"VNWORDS2"
TABLES = ("words", "folded", "syl")
_HEAD = struct.Struct("<8sQQQQ")  # magic, segments JSON bytes, then each table's size
FIELD = "words"

Counts = dict[str, int]


def field_terms(reader, fieldname: str, total: bool = False) -> Iterable[tuple[str, int]]:
    """(term, document frequency) of a field, summed over the reader's segments; with
    ``total``, the term's occurrences instead."""
    counts: Counter[bytes] = Counter()
    leaves = reader.leaf_readers() if hasattr(reader, "leaf_readers") else [(reader, 0)]
    try:
        for leaf, _ in leaves:
            _leaf_terms(leaf, fieldname, counts, total)
    except Exception:  # an empty index has no such field yet
        return
    for term, df in counts.items():
        yield (term.decode("utf-8") if isinstance(term, bytes) else term), df


def _leaf_terms(leaf, fieldname: str, counts: Counter[bytes], total: bool) -> None:
    terms = getattr(leaf, "_terms", None)
    if type(terms) is W3TermsReader and _count_field(terms, fieldname, counts, total):
        return
    if terms is None or not hasattr(terms, "items_from"):
        for term, info in leaf.iter_field(fieldname):
            counts[term] += int(info.weight()) if total else info.doc_frequency()
        return
    for (name, term), info in terms.items_from(fieldname, b""):
        if name != fieldname:
            break
        counts[term] += int(info.weight()) if total else info.doc_frequency()


_ROW = struct.Struct("!ii")  # a term-index row: key length, value length, then both
_DOC_FREQ = struct.Struct("!I")  # in a W3TermInfo, after its flags byte and weight float
_WEIGHT = struct.Struct("!f")  # the term's total frequency, after the flags byte


def _count_field(terms, fieldname: str, counts: Counter[bytes], total: bool = False
                 ) -> bool:
    """Add one segment's document frequencies of ``fieldname`` to ``counts``, reading the
    field's rows of the term index in one piece (Whoosh decodes a whole term info through
    several file reads per term: 7 s for the words of a 100k-article index).  False when
    the file is not laid out as expected (the caller then asks Whoosh)."""
    tindex = terms._tindex
    fieldmap = getattr(terms, "_fieldmap", None)
    if not isinstance(tindex, OrderedHashReader) or not isinstance(fieldmap, dict):
        return False
    if fieldname not in fieldmap:  # the segment has no such field
        return True
    prefix = terms._keycoder(fieldname, b"")
    if len(prefix) != 2 or prefix == b"\xff\xff":
        return False
    start = tindex.closest_key_pos(prefix)
    if start is None:
        return True
    following = (int.from_bytes(prefix, "big") + 1).to_bytes(2, "big")
    end = tindex.closest_key_pos(following)
    end = tindex.endofdata if end is None else end
    buf = tindex.dbfile.get(start, end - start)
    found: list[tuple[bytes, int]] = []
    pos, size = 0, len(buf)
    row = _ROW.unpack_from
    stat, at = (_WEIGHT.unpack_from, 1) if total else (_DOC_FREQ.unpack_from, 5)
    while pos < size:
        klen, vlen = row(buf, pos)
        pos += 8
        if buf[pos:pos + 2] != prefix:
            return False
        found.append((buf[pos + 2:pos + klen], int(stat(buf, pos + klen + at)[0])))
        pos += klen + vlen
    if pos != size:
        return False
    for term, df in found:
        counts[term] += df
    return True


def segment_counts(leaves: Iterable, table: str) -> Counts:
    """One table (``TABLES``) of some segment readers: exact ("words") or folded
    ("folded") occurrences of the ``words``, or each exact syllable's documents ("syl",
    did-you-mean's)."""
    field, total = ("syl", False) if table == "syl" else ("words", True)
    raw: Counter[bytes] = Counter()
    try:
        for leaf in leaves:
            _leaf_terms(leaf, field, raw, total)
    except Exception:  # an empty index has no such field yet
        raw = Counter()
    out = {t.decode("utf-8"): n for t, n in raw.items()}
    return _folded(out) if table == "folded" else out


def _folded(exact: Counts) -> Counts:
    words = list(exact)
    # one fold over the joined words, not one call each (a fold never adds or drops "\n")
    keys = fold("\n".join(words)).split("\n") if words else []
    out: Counts = {}
    get = out.get
    for key, n in zip(keys, exact.values()):
        out[key] = get(key, 0) + n
    return out


def _add(into: Counts, more: Counts) -> None:
    get = into.get
    for key, n in more.items():
        into[key] = get(key, 0) + n


def word_counts(folder: Path | str | None, leaves: list, segments: list[tuple[str, int]],
                table: str) -> Counts:
    """One table (``TABLES``: "words", "folded" or "syl") of the index whose segment
    readers are ``leaves`` ((id, documents) ``segments``): the file's for the segments it
    covers, the term index's for the rest.  Keys come in the order a pass over the
    segments' term indexes meets them (did-you-mean breaks ties on it)."""
    got = _read(Path(folder) / STATS, segments, table) if folder is not None else None
    covered, counts = got if got is not None else (0, {})
    if covered < len(leaves):
        _add(counts, segment_counts(leaves[covered:], table))
    return counts


def write_word_stats(folder: Path | str, reader) -> None:
    """Write ``words.vns`` for every segment of ``reader`` (a reader of the index in
    ``folder``), from the previous file where it covers the first segments."""
    folder = Path(folder)
    leaves = [leaf for leaf, _ in reader.leaf_readers()] \
        if hasattr(reader, "leaf_readers") else [reader]
    try:
        segments = [(leaf.segment().segment_id(), leaf.doc_count_all()) for leaf in leaves]
    except AttributeError:  # an empty index: nothing to count
        return
    tables = [word_counts(folder, leaves, segments, name) for name in TABLES]
    meta = json.dumps(segments).encode()
    tmp = folder / (STATS + ".tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(_HEAD.pack(MAGIC, len(meta), *(len(t) for t in tables)))
            f.write(meta)
            for table in tables:
                for block in ("\n".join(table).encode("utf-8"),
                              np.fromiter(table.values(), dtype="<i8",
                                          count=len(table)).tobytes()):
                    f.write(struct.pack("<Q", len(block)))
                    f.write(block)
        os.replace(tmp, folder / STATS)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _read(path: Path, segments: list[tuple[str, int]], table: str
          ) -> tuple[int, Counts] | None:
    """(segments covered, one table) from the file when it covers the first of
    ``segments``; None when there is none, or it belongs to other segments, or is damaged
    (then the term index answers: slower, the same figures)."""
    try:
        data = path.read_bytes()
        magic, nmeta, *sizes = _HEAD.unpack_from(data, 0)
        if magic != MAGIC:
            return None
        pos = _HEAD.size + nmeta
        covered = [tuple(s) for s in json.loads(data[_HEAD.size:pos])]
        if not covered or covered != segments[:len(covered)]:
            return None
        want = TABLES.index(table)
        for i in range(2 * want + 2):  # each table: its words, then their counts
            (size,) = struct.unpack_from("<Q", data, pos)
            block = data[pos + 8:pos + 8 + size]
            pos += 8 + size
            if i == 2 * want:
                words = block.decode("utf-8").split("\n") if sizes[want] else []
        values = np.frombuffer(block, dtype="<i8")
        if len(words) != sizes[want] or len(values) != sizes[want]:
            return None
    except (OSError, ValueError, struct.error, UnicodeDecodeError):
        return None
    return len(covered), dict(zip(words, values.tolist()))
