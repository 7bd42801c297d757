"""``vnarchive check``: is the store readable and whole, and does the live index hold exactly
the stored articles?  (Entry point: ``check``.)  Each problem comes with its repair."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from archive.datadir import DataDir
from archive.store import Store, StoreError
from indexer.generations import DAMAGE_ERRORS, IndexMissing, current_path, open_current, outdated

__all__ = ["CheckReport", "check"]

REINDEX = "run `vnarchive reindex` to rebuild the index from the store"


@dataclass
class CheckReport:
    articles: int | None = None   # rows in the store
    indexed: int | None = None    # live documents in the index
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        def shown(n: int | None) -> str:
            return "?" if n is None else str(n)
        lines = [f"store: {shown(self.articles)} articles; index: {shown(self.indexed)} articles"]
        lines += [f"note: {note}" for note in self.notes]
        if self.ok:
            lines.append("ok: store and index agree")
        return "\n".join(lines)


def _store_ids(data_dir: Path, report: CheckReport) -> set[int] | None:
    path = DataDir(data_dir).store
    if not path.exists():
        report.problems.append(f"no archive at {path}: run `vnarchive ingest` first")
        return None
    try:
        with Store(path, readonly=True) as store:
            verdict = store.db.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                report.problems.append(f"the store {path} is damaged ({verdict}); restore it "
                                       "from a backup")
                return None
            ids = {r[0] for r in store.db.execute("SELECT id FROM articles")}
    except (StoreError, sqlite3.Error) as exc:
        report.problems.append(f"cannot read the store: {exc}")
        return None
    report.articles = len(ids)
    return ids


def _index_ids(data_dir: Path, report: CheckReport) -> list[int] | None:
    if current_path(data_dir) is None:
        report.problems.append(f"no live index in {data_dir}: {REINDEX}")
        return None
    try:
        ix = open_current(data_dir, whole=True)
        with ix.searcher() as s:  # every stored document read: a cut segment shows here
            ids = [int(fields["aid"]) for fields in s.all_stored_fields()]
    except IndexMissing as exc:
        report.problems.append(str(exc))
        return None
    except DAMAGE_ERRORS as exc:
        report.problems.append(f"the index is damaged ({type(exc).__name__}: {exc}); {REINDEX}")
        return None
    report.indexed = len(ids)
    return ids


def _search_works(data_dir: Path, report: CheckReport) -> None:
    from indexer.search import ArchiveSearcher, SearchRequest
    searcher = ArchiveSearcher(data_dir)
    try:
        total = searcher.search(SearchRequest(q="", per_page=1))["total"]
        if total != report.indexed:
            report.problems.append(f"search counts {total} articles, the index holds "
                                   f"{report.indexed}; {REINDEX}")
    except Exception as exc:  # noqa: BLE001 - whatever stops a search is the finding
        report.problems.append(f"search fails ({type(exc).__name__}: {exc}); {REINDEX}")
    finally:
        searcher.close()


def check(data_dir: Path) -> CheckReport:
    """Verify store and index of ``data_dir`` (read-only; safe while the server runs)."""
    data_dir = Path(data_dir)
    report = CheckReport()
    stored = _store_ids(data_dir, report)
    indexed = _index_ids(data_dir, report)
    if stored is not None and indexed is not None:
        if len(indexed) != len(set(indexed)):
            report.problems.append(f"{len(indexed) - len(set(indexed))} articles are indexed "
                                   f"twice; {REINDEX}")
        missing, extra = stored - set(indexed), set(indexed) - stored
        if missing:
            report.problems.append(f"{len(missing)} stored articles are not in the index "
                                   "(an interrupted ingest: run it again, or "
                                   f"`vnarchive reindex`), e.g. id {min(missing)}")
        if extra:
            report.problems.append(f"{len(extra)} indexed articles are not in the store, "
                                   f"e.g. id {min(extra)}; {REINDEX}")
        if not report.problems:
            _search_works(data_dir, report)
        stale = outdated(data_dir)
        if stale:
            report.problems.append(stale)
    live = current_path(data_dir)
    others = [p.name for p in DataDir(data_dir).generations() if live is None or p != live]
    if len(others) > 1:
        report.notes.append(f"{len(others)} old or unfinished index generations "
                            f"({', '.join(others)}); the next reindex removes them")
    return report
