"""The SQLite files of the build's caches (renderings and plain text: render.HtmlCache; documents
read from their headers: header_cache.HeaderCache). Both hold what public documents say, so both
follow one rule for forgetting: a deleted row is zeroed (secure_delete) and the file compacted
after every deletion (a B-tree balancing can leave an older copy of a cell in a live page's free
gap, which secure_delete does not reach: review 13). A damaged file is made again: a cache is
disposable."""

from __future__ import annotations

import os
import sqlite3


def connect(path: str | None) -> sqlite3.Connection:
    """The cache file at `path` (in memory without one), made again when it cannot be read."""
    if path:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    db = sqlite3.connect(path or ":memory:", check_same_thread=False)
    try:
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        # Damaged (a disk fault, a killed copy): made again from the sources.
        db.close()
        os.remove(path)
        db = sqlite3.connect(path, check_same_thread=False)
    db.execute("PRAGMA secure_delete = ON")
    return db


def remake(db: sqlite3.Connection, path: str | None) -> sqlite3.Connection:
    """A new, empty cache file in place of a damaged one (a page that cannot be read)."""
    db.close()
    if path:
        for name in (path, path + "-journal"):
            try:
                os.remove(name)
            except FileNotFoundError:
                pass
    return connect(path)


class CacheFile:
    """One cache file and its connection (`db`). `guarded(op)` runs a query; a file found damaged
    past its first page (by any query) is made again, empty, and op() run once more. Subclasses
    make their tables in `_create` and drop what they remember of the file in `_forgotten`."""

    def __init__(self, path: str | None):
        self.path = path
        self.db = connect(path)
        self.guarded(self._create)

    def _create(self) -> None:
        raise NotImplementedError

    def _forgotten(self) -> None:
        """Called when the file has been made again: it holds nothing now."""

    def guarded(self, op):
        try:
            return op()
        except sqlite3.DatabaseError:
            self.db = remake(self.db, self.path)
            self._forgotten()
            self._create()
            return op()


def forget_all_but(db: sqlite3.Connection, tables, keep: set[str], compact: bool = True) -> dict[str, int]:
    """Delete every row of `tables` (each keyed by a `key` column) whose key is not in `keep`;
    compact the file when anything went (unless `compact` is False: incremental.compaction_needed).
    Returns how many rows went from each table."""
    removed = {}
    for table in tables:
        stale = [k for (k,) in db.execute(f"SELECT key FROM {table}") if k not in keep]
        for i in range(0, len(stale), 500):
            chunk = stale[i:i + 500]
            db.execute(f"DELETE FROM {table} WHERE key IN ({','.join('?' * len(chunk))})", chunk)
        removed[table] = len(stale)
    db.commit()
    if compact and any(removed.values()):
        db.execute("VACUUM")
    return removed


def keep_version(db: sqlite3.Connection, tables, version: str) -> None:
    """Empty `tables` (as `forget_all_but`) unless the file was made by this `version` of our code,
    kept in a `meta` table: a cache made by other code may hold what this code would not make."""
    db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    row = db.execute("SELECT value FROM meta WHERE key = 'code'").fetchone()
    if row is None or row[0] != version:
        forget_all_but(db, tables, set())
        db.execute("INSERT OR REPLACE INTO meta VALUES ('code', ?)", (version,))
        db.commit()
