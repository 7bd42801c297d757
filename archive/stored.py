"""An article row as the store returns it (``StoredArticle``), and the indexer's analysis
cache as the store keeps it: zlib-compressed JSON of one object (``encode_analysis``,
``decode_analysis``, ``read_member``).

A search result needs only an article's entities — a few hundred bytes of an analysis that
runs to tens of kilobytes (the segmented text and its token views).  ``read_member``
decompresses and parses the object's members in order and stops at the one asked for; the
writer puts ``entities`` first, so a result row does not decode the rest.  Anything
unexpected (not an object, damaged text) falls back to decoding the whole blob, so the
answer is always ``decode_analysis(blob).get(name)``.
"""
from __future__ import annotations

import codecs
import json
import zlib
from typing import Any

from archive.article import Article

__all__ = ["StoredArticle", "encode_analysis", "decode_analysis", "read_member", "laid_out",
           "FIRST"]

FIRST = "entities"  # the member written first: read without the rest
_CHUNK = 1024  # decompressed bytes of the first step (entities first: often enough), then 4× each step
_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def encode_analysis(analysis: dict[str, Any]) -> bytes:
    ordered = {FIRST: analysis[FIRST]} if FIRST in analysis else {}
    ordered.update(analysis)  # the other members keep their order
    return zlib.compress(json.dumps(ordered, ensure_ascii=False).encode(), 6)


def laid_out(blob: bytes) -> bool:
    """Whether the blob starts with the ``FIRST`` member (as ``encode_analysis`` writes it;
    a row written before is re-stored by ``vnarchive reindex``)."""
    head = b'{"' + FIRST.encode() + b'": '
    try:
        return zlib.decompressobj().decompress(blob, len(head)) == head
    except zlib.error:
        return False


def decode_analysis(blob: bytes) -> dict[str, Any]:
    return json.loads(zlib.decompress(blob))


class _Text:
    """The blob's text, decompressed as far as parsing needs."""

    def __init__(self, blob: bytes) -> None:
        self._z = zlib.decompressobj()
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._left = blob
        self._chunk = _CHUNK
        self.text = ""

    def more(self) -> bool:
        if self._z.eof:
            return False
        out = self._z.decompress(self._left, self._chunk)
        self._chunk *= 4
        self._left = self._z.unconsumed_tail
        if not out and not self._left:
            out = self._z.flush()
            if not out:
                return False
        self.text += self._utf8.decode(out)
        return True

    def at(self, i: int) -> int:
        """The first non-space index from ``i``, with at least one character there."""
        while True:
            while i < len(self.text) and self.text[i] in _SPACE:
                i += 1
            if i < len(self.text) or not self.more():
                return i

    def value(self, i: int) -> tuple[Any, int]:
        """The JSON value at ``i`` and where it ends; a value ending the text so far may
        be cut (a number), so one character after it is required."""
        while True:
            try:
                got, end = _DECODER.raw_decode(self.text, i)
                if end < len(self.text):
                    return got, end
            except json.JSONDecodeError:
                pass
            if not self.more():
                return _DECODER.raw_decode(self.text, i)


def read_member(blob: bytes, name: str, default: Any = None) -> Any:
    """``decode_analysis(blob).get(name, default)``, parsing no further than that member."""
    try:
        t = _Text(blob)
        i = t.at(0)
        if t.text[i:i + 1] != "{":
            raise ValueError("not an object")
        i = t.at(i + 1)
        while t.text[i:i + 1] == '"':
            key, i = t.value(i)
            i = t.at(i)
            if t.text[i:i + 1] != ":":
                raise ValueError("no colon")
            value, i = t.value(t.at(i + 1))
            if key == name:
                return value
            i = t.at(i)
            if t.text[i:i + 1] != ",":
                break
            i = t.at(i + 1)
        if t.text[i:i + 1] == "}":
            return default
        raise ValueError("not an object")
    except (ValueError, zlib.error):  # JSONDecodeError is a ValueError
        return decode_analysis(blob).get(name, default)


class StoredArticle:
    """An article row: the Article plus its archive id and cached analysis.  The analysis
    is decoded when first asked for (``blob``: as stored); ``entities`` alone is read
    without decoding the rest (``read_member``)."""

    __slots__ = ("id", "article", "_analysis", "_blob", "simhash")

    def __init__(self, id: int, article: Article, analysis: dict[str, Any] | None,
                 simhash: int | None, blob: bytes | None = None) -> None:
        self.id = id
        self.article = article
        self._analysis, self._blob = analysis, blob
        self.simhash = simhash

    @property
    def analysis(self) -> dict[str, Any] | None:
        if self._analysis is None and self._blob:
            self._analysis = decode_analysis(self._blob)
        return self._analysis

    @property
    def laid_out(self) -> bool:
        """Whether the stored analysis (if any) is written as ``encode_analysis`` writes it."""
        return not self._blob or laid_out(self._blob)

    @property
    def entities(self) -> dict[str, Any]:
        """The analysis's ``entities`` ({} when there is none)."""
        if self._analysis is not None or not self._blob:
            return (self._analysis or {}).get("entities") or {}
        return read_member(self._blob, "entities") or {}
