"""The Whoosh index: schema, documents, generations and the single-writer lock.

The index lives in ``<data-dir>/index/gen-NNNNNN/``; the file ``CURRENT`` names the live
generation.  ``reindex`` builds a new generation beside the live one and switches by an
atomic ``os.replace`` of ``CURRENT``, so a reader never sees a half-built index and a killed
reindex leaves the previous generation serving.
"""
from __future__ import annotations

import fcntl
import os
import shutil
from collections import Counter
from collections.abc import Iterator
from operator import itemgetter
from contextlib import contextmanager
from types import MethodType
from pathlib import Path
from typing import Any

import zlib
from pickle import dumps

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.system import pack_int, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.externalsort import SortingPool
from whoosh.writing import PostingPool, SegmentWriter

from archive.article import Article
from indexer.analysis import views

__all__ = ["IndexBusy", "IndexMissing", "FACET_FIELDS", "PAIR_FIELDS", "schema", "document",
           "document_fields",
           "pairs",
           "open_current", "new_generation", "switch_to", "writer_lock", "current_path",
           "Tokens", "FastWriter", "fast_writer"]

# Facets kept as keyword fields (multi-valued, exact values) and as in-memory columns.
FACET_FIELDS = ("province", "province_2025", "official", "program", "site", "year")


# Adjacent pairs of folded syllables: a two-syllable word or phrase is then one term lookup
# instead of a position check over every document holding both syllables.  Only folded
# pairs are indexed (each pair field costs ~5 ms of index write per article and doubles the
# index); the exact views meet them through their syllables' postings (``indexer.evaluate``).
PAIR_FIELDS = {"syl": "fpair", "fold": "fpair", "t_syl": "t_fpair", "t_fold": "t_fpair"}
PAIR_JOIN = "_"  # syllables never contain "_" (analysis.syllables splits on it)


def pairs(syllables: list[str]) -> list[str]:
    """Adjacent syllable pairs of a syllable stream, in order.

    >>> pairs(["xây", "dựng", "nông", "thôn"])
    ['xây_dựng', 'dựng_nông', 'nông_thôn']
    """
    return [a + PAIR_JOIN + b for a, b in zip(syllables, syllables[1:])]


class IndexBusy(RuntimeError):
    """Another process holds the write lock of this data dir."""


class IndexMissing(RuntimeError):
    """No index has been built in this data dir yet."""


class Tokens(TEXT):
    """A text field whose values are already analysed: a token list or space-separated text.

    Whoosh's own path builds a Token object per token and pickles positions term by term
    through generic generators (~7 ms per article over our six text fields); this produces
    the identical postings (same bytes for frequencies and positions) straight from
    ``str.split`` and a dict.
    """

    def index(self, value, **kwargs):
        tokens = value.split() if isinstance(value, str) else value
        fb = self.format.field_boost
        if self.format.__class__.__name__ == "Positions":
            poses: dict[str, list[int]] = {}
            for pos, tok in enumerate(tokens):
                got = poses.get(tok)
                if got is None:
                    poses[tok] = [pos]
                else:
                    got.append(pos)
            out = []
            for tok, plist in poses.items():
                if len(plist) > 1:  # positions are stored as deltas
                    plist = [plist[0]] + [b - a for a, b in zip(plist, plist[1:])]
                n = len(plist)
                out.append((tok.encode(), n, n * fb, pack_uint(n) + dumps(plist, 2)))
            return out
        return [(tok.encode(), n, n * fb, pack_uint(n)) for tok, n in Counter(tokens).items()]


def schema() -> Schema:
    # Field values arrive already analysed (space-separated tokens from indexer.analysis),
    # so Whoosh only splits on spaces: no second, different analysis at index time.
    tokens = SpaceSeparatedTokenizer()
    return Schema(
        aid=ID(stored=True, unique=True, sortable=True),
        published=NUMERIC(int, bits=64, signed=True, sortable=True),
        month=ID(sortable=True),
        year=ID,
        site=ID,
        province=KEYWORD(commas=True, scorable=False, lowercase=False),
        province_2025=KEYWORD(commas=True, scorable=False, lowercase=False),
        official=KEYWORD(commas=True, scorable=False, lowercase=False),
        program=KEYWORD(commas=True, scorable=False, lowercase=False),
        words=Tokens(analyzer=tokens, phrase=False),
        syl=Tokens(analyzer=tokens, phrase=True),
        fold=Tokens(analyzer=tokens, phrase=True),
        t_words=Tokens(analyzer=tokens, phrase=False),
        t_syl=Tokens(analyzer=tokens, phrase=True),
        t_fold=Tokens(analyzer=tokens, phrase=True),
        # no positions: only membership and frequency of each pair are ever asked
        fpair=Tokens(analyzer=tokens, phrase=False),
        t_fpair=Tokens(analyzer=tokens, phrase=False),
    )


def document(article_id: int, article: Article, analysis: dict[str, Any]) -> dict[str, Any]:
    """Whoosh document for an article from its cached analysis (segmentation + entities)."""
    return document_fields(article_id, article.published, article.site, analysis)


def document_fields(article_id: int, published, site: str,
                    analysis: dict[str, Any]) -> dict[str, Any]:
    """:func:`document` from the only article fields it needs (cheap to send to a worker)."""
    seg = analysis["seg"]
    body_parts = [seg["title"], seg.get("sapo") or "", *seg["paragraphs"], *seg["captions"]]
    body = views(" ".join(p for p in body_parts if p))
    title = views(seg["title"])
    ents = analysis["entities"]
    doc: dict[str, Any] = {
        "aid": str(article_id),
        "published": int(published.timestamp()) if published else -1,
        "site": site,
        "words": " ".join(body["words"]),
        "syl": " ".join(body["syl"]),
        "fold": " ".join(body["fold"]),
        "t_words": " ".join(title["words"]),
        "t_syl": " ".join(title["syl"]),
        "t_fold": " ".join(title["fold"]),
        "fpair": pairs(body["fold"]),
        "t_fpair": pairs(title["fold"]),
    }
    if published:
        doc["year"] = f"{published.year:04d}"
        doc["month"] = f"{published.year:04d}-{published.month:02d}"
    for field, key in (("province", "provinces"), ("province_2025", "provinces_2025"),
                       ("program", "programs")):
        if ents.get(key):
            doc[field] = ",".join(ents[key])
    names = [o["name"] for o in ents.get("officials", [])]
    if names:
        doc["official"] = ",".join(names)
    return doc


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
        got.append((tbytes, docnum, weight, vbytes))
        self._by_doc = True
        self.currentsize += 150 + len(tbytes) * 2 + len(vbytes or b"")
        if self.currentsize > self.limit:
            self.save()

    def add_postings(self, name: str, docnum: int, items: list[tuple]) -> None:
        """One document's postings of one field: (term bytes, freq, weight, value bytes)."""
        got = self.fields.get(name)
        if got is None:
            got = self.fields[name] = []
            self.fieldnames.add(name)
        got.extend([(t, docnum, w, v) for t, _, w, v in items])
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
            for tbytes, docnum, weight, vbytes in postings:
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

    def _add_postings(self, schema, lengths, items) -> None:
        """Whoosh's ``FieldWriter.add_postings`` + ``W3PostingsWriter.add_posting`` in one
        loop without their per-posting type asserts and method calls: the same blocks and
        term infos, ~1 µs less per posting."""
        fw = self.fieldwriter
        dfl = lengths.doc_field_length if lengths else (lambda docnum, fieldname, d=0: 0)
        ours = self._doc_lengths
        lastfn = lasttext = pw = None
        limit = 0
        for fieldname, btext, docnum, weight, value in items:
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
            if weight > pw._maxweight:
                pw._maxweight = weight
            if value:
                pw._values.append(value)
            if length:
                if pw._minlength is None or length < pw._minlength:
                    pw._minlength = length
                if length > pw._maxlength:
                    pw._maxlength = length
        if lasttext is not None:
            fw.finish_term()
        if lastfn is not None:
            fw.finish_field()

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
                    items = field.index(value)
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


# -- generations -----------------------------------------------------------------------
def _root(data_dir: Path) -> Path:
    return Path(data_dir) / "index"


def current_path(data_dir: Path) -> Path | None:
    pointer = _root(data_dir) / "CURRENT"
    try:
        name = pointer.read_text().strip()
    except FileNotFoundError:
        return None
    path = _root(data_dir) / name
    return path if path.is_dir() else None


def open_current(data_dir: Path) -> whoosh_index.Index:
    path = current_path(data_dir)
    if path is None:
        raise IndexMissing(f"no index in {data_dir}: run `vnarchive ingest` or `vnarchive reindex`")
    # Plain reads instead of mmap: mapped index pages would count in the server's RSS (the
    # kernel caches the file either way), which grows with every term ever read.
    return FileStorage(str(path), supports_mmap=False).open_index()


def new_generation(data_dir: Path) -> tuple[Path, whoosh_index.Index]:
    """Create an empty generation directory beside the live one (not yet live)."""
    root = _root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    path = root / f"gen-{max(numbers, default=0) + 1:06d}"
    path.mkdir()
    return path, whoosh_index.create_in(str(path), schema())


def switch_to(data_dir: Path, path: Path) -> None:
    """Make ``path`` the live generation atomically; drop generations older than the last."""
    root = _root(data_dir)
    previous = current_path(data_dir)
    tmp = root / "CURRENT.tmp"
    with open(tmp, "w") as fh:
        fh.write(path.name)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, root / "CURRENT")
    dir_fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    # Keep the previous generation: a searcher opened a moment ago may still read it.
    keep = {path.name, previous.name if previous else ""}
    for old in root.glob("gen-*"):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


@contextmanager
def writer_lock(data_dir: Path, what: str = "ingest") -> Iterator[None]:
    """One writer per data dir; a second gets a clear error instead of a Whoosh LockError."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    fh = open(Path(data_dir) / "write.lock", "a+")
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise IndexBusy(f"another ingest or reindex is running on {data_dir} ({holder}); "
                            "wait for it to finish") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{what} pid {os.getpid()}")
        fh.flush()
        yield
    finally:
        fh.close()
