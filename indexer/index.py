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
from contextlib import contextmanager
from pathlib import Path
from pickle import dumps
from typing import Any

from whoosh import index as whoosh_index
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.system import pack_uint

from archive.article import Article
from indexer.analysis import views
from indexer.writer import MERGE_MAX_DOCS, FastWriter, fast_writer  # noqa: F401 (re-exported)

__all__ = ["IndexBusy", "IndexMissing", "FACET_FIELDS", "PAIR_FIELDS", "schema", "document",
           "document_fields", "MERGE_MAX_DOCS",
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
        return [item[:4] for item in self.index_with_positions(value)]

    def index_with_positions(self, value) -> list[tuple]:
        """Whoosh's (term, frequency, weight, value) items plus each term's positions (None
        without positions): the postings sidecar stores them as they are, unpickled."""
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
                deltas = plist
                if len(plist) > 1:  # positions are stored as deltas
                    deltas = [plist[0]] + [b - a for a, b in zip(plist, plist[1:])]
                n = len(plist)
                out.append((tok.encode(), n, n * fb, pack_uint(n) + dumps(deltas, 2), plist))
            return out
        return [(tok.encode(), n, n * fb, pack_uint(n), None)
                for tok, n in Counter(tokens).items()]


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
    # the text fields get their token lists as they are (``Tokens`` takes lists or text):
    # joining them only for the writer to split them again cost time on every article
    doc: dict[str, Any] = {
        "aid": str(article_id),
        "published": int(published.timestamp()) if published else -1,
        "site": site,
        "words": body["words"],
        "syl": body["syl"],
        "fold": body["fold"],
        "t_words": title["words"],
        "t_syl": title["syl"],
        "t_fold": title["fold"],
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
