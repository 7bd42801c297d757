"""The peer: SQLite FTS5 (unicode61, remove_diacritics 2) over the same stored articles.

Built from an archive's store: ``fts(title, body)`` with the article id as rowid, and
``ent(aid, facet, value)`` filled from our stored entities plus site and year, so facet counts
are a ``GROUP BY`` over the match set — the usual way to do facets next to FTS5.
"""
from __future__ import annotations

import json
import re
import sqlite3
import zlib
from pathlib import Path
from typing import Any

__all__ = ["build", "Fts5"]

FACETS = ("province", "province_2025", "official", "program", "site", "year")
_SYL = re.compile(r"\w+")


def build(store_file: Path, target: Path) -> int:
    """Create the FTS5 database at ``target`` from the archive's SQLite store."""
    target.unlink(missing_ok=True)
    db = sqlite3.connect(target)
    db.executescript("""
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE VIRTUAL TABLE fts USING fts5(title, body,
            tokenize='unicode61 remove_diacritics 2');
        CREATE TABLE doc(aid INTEGER PRIMARY KEY, published TEXT);
        CREATE TABLE ent(aid INTEGER, facet TEXT, value TEXT);
    """)
    src = sqlite3.connect(f"file:{store_file}?mode=ro", uri=True)
    n = 0
    rows = src.execute("SELECT id, title, sapo, paragraphs, captions, site, published, "
                       "analysis FROM articles")
    for aid, title, sapo, paragraphs, captions, site, published, analysis in rows:
        body = "\n".join([sapo or "", *json.loads(paragraphs), *json.loads(captions)])
        db.execute("INSERT INTO fts(rowid, title, body) VALUES (?,?,?)", (aid, title, body))
        db.execute("INSERT INTO doc VALUES (?,?)", (aid, published))
        ents = json.loads(zlib.decompress(analysis)).get("entities", {}) if analysis else {}
        values = [("site", site)] + ([("year", published[:4])] if published else [])
        for facet, key in (("province", "provinces"), ("province_2025", "provinces_2025"),
                           ("program", "programs")):
            values += [(facet, v) for v in ents.get(key, [])]
        values += [("official", o["name"]) for o in ents.get("officials", [])]
        db.executemany("INSERT INTO ent VALUES (?,?,?)", [(aid, f, v) for f, v in values])
        n += 1
    db.executescript("""
        CREATE INDEX ent_aid ON ent(aid);
        CREATE INDEX ent_value ON ent(facet, value);
        INSERT INTO fts(fts) VALUES ('optimize');
    """)
    db.commit()
    db.close()
    src.close()
    return n


def match_expr(q: str) -> str:
    """Our query syntax → an FTS5 expression: quoted phrases stay phrases, words are ANDed."""
    parts = []
    for m in re.finditer(r'"([^"]*)"|(\S+)', q):
        syl = _SYL.findall((m.group(1) or m.group(2)).lower())
        if syl:
            parts.append('"' + " ".join(syl) + '"' if m.group(1) else
                         " ".join(f'"{s}"' for s in syl))
    return " AND ".join(parts)


class Fts5:
    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def search(self, q: str, filters: dict[str, tuple[str, ...]], *, full: bool,
               per_page: int = 10, facet_limit: int = 10) -> dict[str, Any]:
        expr = match_expr(q)
        where, params = [], []
        if expr:
            where.append("aid IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
            params.append(expr)
        for facet, values in filters.items():
            marks = ",".join("?" * len(values))
            where.append(f"aid IN (SELECT aid FROM ent WHERE facet=? AND value IN ({marks}))")
            params += [facet, *values]
        cond = " AND ".join(where) or "1"
        if expr:
            sql = ("SELECT rowid, bm25(fts)" + (", snippet(fts, 1, '<mark>', '</mark>', '…', 24)"
                                                if full else "") +
                   " FROM fts WHERE fts MATCH ?" +
                   "".join(f" AND rowid IN (SELECT aid FROM doc WHERE {c})" for c in where[1:]) +
                   " ORDER BY rank LIMIT ?")
            hits = self.db.execute(sql, [expr, *params[1:], per_page]).fetchall()
        else:
            hits = self.db.execute(f"SELECT aid FROM doc WHERE {cond} ORDER BY published DESC "
                                   "LIMIT ?", [*params, per_page]).fetchall()
        out: dict[str, Any] = {"hits": hits}
        if full:
            out["total"] = self.db.execute(f"SELECT count(*) FROM doc WHERE {cond}",
                                           params).fetchone()[0]
            counts = self.db.execute(
                f"SELECT facet, value, count(*) c FROM ent WHERE aid IN "
                f"(SELECT aid FROM doc WHERE {cond}) GROUP BY facet, value", params).fetchall()
            facets: dict[str, list] = {f: [] for f in FACETS}
            for facet, value, c in counts:
                facets[facet].append((c, value))
            out["facets"] = {f: sorted(v, reverse=True)[:facet_limit] for f, v in facets.items()}
            if not expr:
                out["snippets"] = [self.db.execute(
                    "SELECT substr(body, 1, 220) FROM fts WHERE rowid=?", (h[0],)).fetchone()
                    for h in hits]
        return out
