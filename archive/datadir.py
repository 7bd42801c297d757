"""The layout of a data directory (``--data-dir``): the one place that names its files.

::

    <data-dir>/
      archive.sqlite3      the article store and its versions (archive.store, archive.versions)
      crawl.sqlite3        the crawl frontier (archive.crawl)
      warc/                WARC files written by the crawler
      write.lock           held by the one ingest/reindex writing to this data dir
      index/CURRENT        names the live index generation
      index/gen-NNNNNN/    index generations (indexer.generations)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DataDir"]


class _Under:
    """A path below the data dir's root, read as an attribute (the layout as a table)."""

    def __init__(self, *parts: str) -> None:
        self.parts = parts

    def __get__(self, obj: "DataDir", owner: type | None = None) -> Path:
        return obj.root.joinpath(*self.parts)


@dataclass(frozen=True)
class DataDir:
    """Paths under one data directory.

    >>> d = DataDir("/srv/vn")
    >>> d.store.name, d.index_root.name, d.generation(3).name
    ('archive.sqlite3', 'index', 'gen-000003')
    """
    root: Path

    store = _Under("archive.sqlite3")
    frontier = _Under("crawl.sqlite3")
    warc_dir = _Under("warc")
    write_lock = _Under("write.lock")
    index_root = _Under("index")
    current_pointer = _Under("index", "CURRENT")

    def __init__(self, root: Path | str) -> None:
        object.__setattr__(self, "root", Path(root))

    def generation(self, number: int) -> Path:
        return self.index_root / f"gen-{number:06d}"

    def generations(self) -> list[Path]:
        """Generation directories on disk, oldest first."""
        found = [p for p in self.index_root.glob("gen-*") if p.name[4:].isdigit()]
        return sorted(found, key=lambda p: int(p.name[4:]))

    def warc_files(self) -> list[Path]:
        return sorted(self.warc_dir.glob("*.warc*"))
