"""Index generations and the single-writer lock (entry points: ``open_current``,
``new_generation``, ``switch_to``, ``writer_lock``).

The index lives in ``<data-dir>/index/gen-NNNNNN/``; the file ``CURRENT`` names the live
generation.  ``reindex`` builds a new generation beside the live one and switches by an
atomic ``os.replace`` of ``CURRENT``, so a reader never sees a half-built index and a killed
reindex leaves the previous generation serving.  Paths come from ``archive.datadir``.
"""
from __future__ import annotations

import errno
import fcntl
import os
import pickle
import shutil
import sqlite3
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from archive.datadir import DataDir
from indexer.schema import INDEX_FORMAT, schema

__all__ = ["IndexBusy", "IndexMissing", "IndexDamaged", "DAMAGE_ERRORS", "NoSpace", "is_no_space", "current_path",
           "open_current", "new_generation", "switch_to", "drop_generation", "writer_lock",
           "FORMAT_FILE", "generation_format", "outdated"]

# Each generation says which ``INDEX_FORMAT`` wrote it; one without the file predates it.
FORMAT_FILE = "FORMAT"


class IndexBusy(RuntimeError):
    """Another process holds the write lock of this data dir."""


class IndexMissing(RuntimeError):
    """No index has been built in this data dir yet."""


class IndexDamaged(IndexMissing):
    """The live generation exists but cannot be read (a truncated segment or table of
    contents); ``vnarchive reindex`` rebuilds it from the store."""

    def __init__(self, data_dir: Path, exc: BaseException) -> None:
        super().__init__(f"the search index in {data_dir} is damaged ({type(exc).__name__}: "
                         f"{str(exc)[:160]}); rebuild it from the archive with `vnarchive "
                         "reindex` (`vnarchive check` says what is wrong)")


# What reading a truncated or overwritten index file raises (Whoosh unpickles the table of
# contents and unpacks fixed-size records): damage, not a bug of ours.
DAMAGE_ERRORS: tuple[type[BaseException], ...] = (
    EOFError, OSError, struct.error, zlib.error, pickle.UnpicklingError, ValueError,
    KeyError, IndexError, AttributeError, TypeError, whoosh_index.IndexError)


class NoSpace(RuntimeError):
    """The disk (or a file-size limit) ran out while writing; what was written is undone."""


# ENOSPC: disk full; EDQUOT: quota; EFBIG: a file-size limit (RLIMIT_FSIZE) was reached.
_NO_SPACE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


# SQLITE_FULL, and SQLITE_IOERR_WRITE: how SQLite reports a write refused by a file-size
# limit (and a write the disk failed, which needs space or a new disk alike).
_SQLITE_FULL = {13, 778}


def is_no_space(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) says the disk is full."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in _NO_SPACE_ERRNOS:
            return True
        if isinstance(exc, sqlite3.Error) and getattr(exc, "sqlite_errorcode", 0) in _SQLITE_FULL:
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def current_path(data_dir: Path) -> Path | None:
    layout = DataDir(data_dir)
    try:
        name = layout.current_pointer.read_text().strip()
    except FileNotFoundError:
        return None
    path = layout.index_root / name
    return path if path.is_dir() else None


def open_current(data_dir: Path, *, whole: bool = False) -> whoosh_index.Index:
    """The live generation; ``whole``: also open every segment once, so that a truncated
    one is found now (a writer must not add to a damaged index)."""
    path = current_path(data_dir)
    if path is None:
        raise IndexMissing(f"no index in {data_dir}: run `vnarchive ingest` or `vnarchive reindex`")
    # Plain reads instead of mmap: mapped index pages would count in the server's RSS (the
    # kernel caches the file either way), which grows with every term ever read.
    try:
        ix = FileStorage(str(path), supports_mmap=False).open_index()
        if whole:
            with ix.reader() as reader:
                reader.doc_count()
        return ix
    except DAMAGE_ERRORS as exc:
        raise IndexDamaged(data_dir, exc) from exc


def new_generation(data_dir: Path) -> tuple[Path, whoosh_index.Index]:
    """Create an empty generation directory beside the live one (not yet live)."""
    layout = DataDir(data_dir)
    layout.index_root.mkdir(parents=True, exist_ok=True)
    numbers = [int(p.name[4:]) for p in layout.generations()]
    path = layout.generation(max(numbers, default=0) + 1)
    path.mkdir()
    (path / FORMAT_FILE).write_text(f"{INDEX_FORMAT}\n")
    return path, whoosh_index.create_in(str(path), schema())


def generation_format(path: Path) -> int | None:
    """The index format a generation was created with; None: before formats were written."""
    try:
        return int((path / FORMAT_FILE).read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def outdated(data_dir: Path) -> str | None:
    """Why the live index should be rebuilt by this vnarchive, or None if it needs not be."""
    path = current_path(data_dir)
    if path is None:
        return None
    found = generation_format(path)
    if found is not None and found >= INDEX_FORMAT:
        return None
    written = f"format {found}" if found is not None else "an older format"
    return (f"the index was written in {written}, this vnarchive writes format {INDEX_FORMAT} "
            "(facet values or match positions differ): run `vnarchive reindex`")


def switch_to(data_dir: Path, path: Path) -> None:
    """Make ``path`` the live generation atomically; drop generations older than the last."""
    layout = DataDir(data_dir)
    root = layout.index_root
    previous = current_path(data_dir)
    tmp = root / "CURRENT.tmp"
    with open(tmp, "w") as fh:
        fh.write(path.name)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, layout.current_pointer)
    dir_fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    # Keep the previous generation: a searcher opened a moment ago may still read it.
    keep = {path.name, previous.name if previous else ""}
    for old in layout.generations():
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)


def drop_generation(data_dir: Path, path: Path) -> None:
    """Remove a generation that never went live (a failed or interrupted reindex)."""
    if path != current_path(data_dir):
        shutil.rmtree(path, ignore_errors=True)


@contextmanager
def writer_lock(data_dir: Path, what: str = "ingest") -> Iterator[None]:
    """One writer per data dir; a second gets a clear error instead of a Whoosh LockError."""
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    fh = open(DataDir(data_dir).write_lock, "a+")
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
