"""Whoosh's segment writer made lean for our schema: same segments on disk, less Python.

Our documents are many (~2,700 analysed tokens each) and Whoosh's generic writer spends
most of its time per posting and per term in checks, method calls and generators.
``FastWriter`` keeps each document's tokens of the analysed text fields as they are and
writes those fields a field at a time (``indexer.codec.tokenfields``), the small keyword fields a
term at a time (``indexer.codec.termwrite``): the identical postings, blocks and term infos
(``tests/indexer/search/test_evaluate.py`` compares them with Whoosh's own writer), plus the postings
sidecar (``indexer.codec.sidecar``).
"""
from __future__ import annotations

from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from types import MethodType
from typing import Any

from whoosh.externalsort import SortingPool
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from indexer.codec.nogc import no_gc
from indexer.codec.sidecar import FIELDS as SIDECAR_FIELDS
from indexer.codec.sidecar import SUFFIX as SIDECAR_SUFFIX
from indexer.codec.sidecar import SidecarBuilder
from indexer.codec.termwrite import write_block, write_field
from indexer.schema import GAP
from indexer.codec.tokenfields import TokenColumn
from indexer.codec.tokenfields import supported as tokenfields_supported
from indexer.codec.tokenfields import write_token_field

__all__ = ["FastWriter", "fast_writer", "write_segment", "MERGE_MAX_DOCS", "no_gc"]


class _Lengths:
    """Field lengths of the documents added by this writer, from memory.

    At commit Whoosh asks the on-disk length column once per posting (a third of the
    commit); everything else is delegated to the real per-document reader."""

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
    the write.  Here the analysed text fields keep each document's tokens as term ids
    (``add_tokens``, made into postings by ``indexer.codec.tokenfields``), and each other field's
    (term, docnum, weight, value) list is sorted by term alone (a stable sort keeps the
    docnum order in which documents arrive).  Past ``limitmb`` everything becomes one sorted
    run of posting tuples on disk, exactly as Whoosh spills."""

    def __init__(self, tempstore, segment, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self.fields: dict[str, list[tuple]] = {}
        # token fields (``indexer.codec.tokenfields``): their documents' tokens, and the fields
        self.tokens: dict[str, TokenColumn] = {}
        self.token_fields: dict[str, Any] = {}
        self._by_doc = False  # postings added out of docnum order (merged segments)

    def add_tokens(self, name: str, docnum: int, tokens: list[str], field: Any) -> None:
        """One document's tokens of a token field, turned into postings at flush."""
        got = self.tokens.get(name)
        if got is None:
            got = self.tokens[name] = TokenColumn()
            self.token_fields[name] = field
            self.fieldnames.add(name)
        self.currentsize += got.add(docnum, tokens)
        if self.currentsize > self.limit:
            self.save()

    def _tokens_to_postings(self) -> None:
        """Token fields as posting tuples, for Whoosh's generic paths (spill, merge)."""
        tokens, self.tokens = self.tokens, {}
        for name, column in tokens.items():
            to_items = self.token_fields[name].index_with_positions
            got = self.fields.setdefault(name, [])
            for docnum, toks in column.documents():
                got.extend([(t, docnum, w, v, p) for t, _, w, v, p in to_items(toks)])

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
        self._tokens_to_postings()
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
        # What is still in memory becomes the last run.  (SortingPool.items saves
        # ``current`` itself, but through our ``save``, which rebuilds it from the empty
        # field lists: handing it over in ``current`` lost those postings.)
        self.save()
        return SortingPool.items(self, maxfiles)


class FastWriter(SegmentWriter):
    """SegmentWriter with a lean ``add_document`` for our schema (no vectors, spelling or
    boosts) and in-memory field lengths at commit.  Same segments on disk."""

    def __init__(self, ix, temp_name: str | None = None, token_fields: bool = True,
                 **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        if temp_name:  # a worker's own: the writer holding the lock destroys the shared one
            self._tempstorage = self.storage.temp_storage(temp_name)
        self.pool = GroupedPool(self._tempstorage, self.newsegment,
                                limitmb=kwargs.get("limitmb", 128))
        self._doc_lengths: dict[tuple[int, str], int] = {}
        # analysed text fields whose postings ``indexer.codec.tokenfields`` builds a field at once
        # (``token_fields=False``: every field through Whoosh's posting tuples, the reference
        # the numpy path must equal byte for byte)
        self._token_fields = {name for name, field in self.schema.items()
                              if token_fields and hasattr(field, "index_with_positions")
                              and field.scorable and tokenfields_supported(field)}
        self.fieldwriter.add_postings = self._add_postings
        self._sidecar = SidecarBuilder()

    def _add_postings(self, schema, lengths, items) -> None:
        """Whoosh's ``FieldWriter.add_postings`` + ``W3PostingsWriter.add_posting`` in one
        loop without their per-posting type asserts and method calls: the same blocks and
        term infos."""
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
                pw._write_block = MethodType(write_block, pw)
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
        tokens, pool.tokens = pool.tokens, {}
        lengths: dict[str, dict[int, int]] = {}
        for (docnum, name), n in self._doc_lengths.items():
            lengths.setdefault(name, {})[docnum] = n
        for name in sorted(set(fields) | set(tokens)):  # Whoosh's field order
            if name in tokens:
                write_token_field(fw, name, self.schema[name], tokens.pop(name),
                                  lengths.get(name, {}), self._sidecar)
                continue
            postings = fields.pop(name)
            postings.sort(key=itemgetter(0))  # stable: documents stay in docnum order
            write_field(fw, name, self.schema[name], postings, lengths.get(name, {}),
                        self._sidecar)
        fw.close()

    def _finalize_segment(self):
        """Whoosh's, then the segment's postings sidecar (``indexer.codec.sidecar``) beside it."""
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
        token_fields = self._token_fields
        self._check_fields(schema, [n for n in fields if not n.startswith("_")])
        pdw.start_doc(docnum)
        try:
            for name in sorted(fields):
                value = fields[name]
                if value is None or name.startswith("_"):
                    continue
                field = schema[name]
                length = 0
                if field.indexed and name in token_fields:  # scorable, by construction
                    tokens = value.split() if isinstance(value, str) else value
                    if tokens:
                        pool.add_tokens(name, docnum, tokens, field)
                    length = len(tokens) - tokens.count(GAP)  # a gap is a position only
                elif field.indexed:
                    with_positions = getattr(field, "index_with_positions", None)
                    items = with_positions(value) if with_positions else field.index(value)
                    if not isinstance(items, list):
                        items = list(items)
                    pool.add_postings(name, docnum, items)
                    length = sum(item[1] for item in items) if field.scorable else 0
                if length:
                    self._doc_lengths[(docnum, name)] = byte_to_length(length_to_byte(length))
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


def write_segment(ix, docs: Iterable[dict[str, Any]], *, limitmb: int,
                  temp_name: str | None = None, **options: Any):
    """Write ``docs`` (each the keyword arguments of ``add_document``) as one new segment
    of ``ix``, in a worker: no index lock, no table of contents.  Returns the segment for
    the one writer that holds the lock to publish.

    With ``temp_name`` the worker uses (and removes) its own temp dir; without, it writes
    into the index's shared one, which the publishing writer removes when it finishes.
    ``options`` go to :class:`FastWriter` (``compound``, ``token_fields``)."""
    writer = FastWriter(ix, _lk=False, limitmb=limitmb, temp_name=temp_name, **options)
    try:
        with no_gc():
            for fields in docs:
                writer.add_document(**fields)
            return writer._finalize_segment()
    finally:
        if temp_name:
            writer._tempstorage.destroy()
