"""Each record's search terms, computed once for both indexes and kept across builds.

The browser index (browser_index.py) and the command-line index (whoosh_index.py) index the same
terms of a record: `body_terms` of its text (each with the block where it first occurs),
`head_terms` of its title, number and metadata (with field bits) and `title_terms` of its title.
Computing them is a pass over every character of the archive; `TermCache` keeps them in the
archive's cache folder (`terms.sqlite`), keyed by a hash of what they are made of (`record_key`), so
a full build computes each record's terms once for both indexes and a rebuild only those of the
records that changed.

Only records reach it, and records are only made of listed documents: a withheld document's terms
are never computed. The browser index's build ends with `retain`, which deletes the terms of every
record no longer in the index (a document withheld, deleted or edited since); deleted rows are
zeroed (`secure_delete`) and the file compacted, as the render cache does.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import time
import zlib
from functools import lru_cache
from typing import NamedTuple

from .records import SearchRecord, fields_hash

TERMS_FILE = "terms.sqlite"
# What a record's facts are: when only these change (a document expires, a review is recorded, a
# newer version appears), its terms stay as they are.
FACT_FIELDS = ("status", "flag", "is_current_version", "current_version")
# Computed entries are written in batches, so that the other index's process, which runs at the
# same time, finds them (see TermCache.terms).
_FLUSH_RECORDS = 16
_FLUSH_SECONDS = 0.5


class RecordTerms(NamedTuple):
    body: dict[str, int]   # term → first text block (browser_index.body_terms)
    head: dict[str, int]   # term → field bits (browser_index.head_terms)
    title: list[str]       # browser_index.title_terms of the title


@lru_cache(maxsize=None)
def _code_digest() -> str:
    """The code that makes terms: any change to it is a new key for every record."""
    from . import browser_index, normalise, ranking

    h = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for module in (normalise, ranking, browser_index, sys.modules[__name__]):
        with open(module.__file__, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def record_key(record: SearchRecord, site_script: str) -> str:
    """Hash of everything a record's terms are made of (all its fields but its facts)."""
    return fields_hash(record, _code_digest(), site_script, leave_out=FACT_FIELDS)


def compute(record: SearchRecord, site_script: str) -> RecordTerms:
    from .browser_index import body_terms, head_terms, title_terms

    return RecordTerms(body_terms(record.body) if record.body else {}, head_terms(record, site_script),
                       sorted(title_terms(record.title)))


def _junction_key(key: str, common_key: str) -> str:
    return f"j:{common_key}:{key}"


def common_key(common) -> str:
    """Hash of a set of common bigrams (what a record's junction terms depend on besides its text)."""
    return hashlib.sha256("\n".join(sorted(common)).encode("utf-8")).hexdigest()[:32]


def _pack(t: RecordTerms) -> bytes:
    # Terms never hold a line break or a tab (CJK characters, [0-9a-z] runs, #number, !key=value labels).
    text = "\n".join(t.body) + "\t" + "\n".join(t.head) + "\t" + "\n".join(t.title)
    raw = text.encode("utf-8")
    # blocks (at most 255) and field bits (at most 15) are a byte each
    return zlib.compress(len(raw).to_bytes(4, "big") + raw + bytes(t.body.values()) + bytes(t.head.values()), 1)


def pack_junctions(junctions: dict[str, int]) -> bytes:
    """A record's junction terms as the cache keeps them (TermCache.keep_packed_junctions)."""
    return _pack(RecordTerms(junctions, {}, []))


def _unpack(blob: bytes) -> RecordTerms:
    data = zlib.decompress(blob)
    n = int.from_bytes(data[:4], "big")
    body, head, title = data[4:4 + n].decode("utf-8").split("\t")
    body_terms = body.split("\n") if body else []
    head_terms = head.split("\n") if head else []
    values = data[4 + n:]
    return RecordTerms(dict(zip(body_terms, values)), dict(zip(head_terms, values[len(body_terms):])),
                       title.split("\n") if title else [])


class TermCache:
    """Terms by record key in `<cache>/terms.sqlite`; None as the path: computed, never kept.

    Both index processes open it at the same time: each writes what it computed in short
    transactions (a batch at a time), so each finds what the other has already computed."""

    def __init__(self, path: str | None, site_script: str):
        self.site_script = site_script
        self.db = None
        self._pending: list[tuple[str, bytes]] = []
        self._flushed = time.monotonic()
        self.computed = 0
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            self.db = sqlite3.connect(path, timeout=120)
            self.db.execute("PRAGMA secure_delete = ON")
            self.db.execute("CREATE TABLE IF NOT EXISTS terms (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
            self.db.commit()

    def key(self, record: SearchRecord) -> str:
        return record_key(record, self.site_script)

    def get(self, key: str) -> RecordTerms | None:
        if self.db is None:
            return None
        row = self.db.execute("SELECT data FROM terms WHERE key = ?", (key,)).fetchone()
        return _unpack(row[0]) if row else None

    def terms(self, record: SearchRecord, key: str | None = None) -> RecordTerms:
        """The record's terms: from the cache, else computed (and kept)."""
        if self.db is None:
            return compute(record, self.site_script)
        key = key or self.key(record)
        got = self.get(key)
        if got is None:
            got = compute(record, self.site_script)
            self.computed += 1
            self._pending.append((key, _pack(got)))
            if len(self._pending) >= _FLUSH_RECORDS or time.monotonic() - self._flushed > _FLUSH_SECONDS:
                self.flush()
        return got

    def junctions(self, record: SearchRecord, key: str, common: frozenset[str], common_key: str) -> dict[str, int]:
        """The record's junction terms (browser_index.junction_terms) for these common bigrams: from
        the cache, else computed (and kept). They depend on the whole archive's common bigrams, so
        they are kept under the record's key and `common_key` (a hash of those)."""
        from .browser_index import junction_terms

        if self.db is None:
            return junction_terms(record.body, common) if record.body else {}
        got = self.get_junctions(key, common_key)
        if got is None:
            got = junction_terms(record.body, common) if record.body else {}
            self.keep_junctions(key, common_key, got)
        return got

    def get_junctions(self, key: str, common_key: str) -> dict[str, int] | None:
        got = self.get(_junction_key(key, common_key))
        return None if got is None else got.body

    def keep_junctions(self, key: str, common_key: str, junctions: dict[str, int]) -> None:
        """Keep junction terms computed elsewhere for the record of this key."""
        if self.db is not None:
            self.keep_packed_junctions(key, common_key, pack_junctions(junctions))

    def keep_packed_junctions(self, key: str, common_key: str, packed: bytes) -> None:
        """Keep junction terms packed by `pack_junctions` (in another process) for the record of this key."""
        if self.db is None:
            return
        self._pending.append((_junction_key(key, common_key), packed))
        if len(self._pending) >= _FLUSH_RECORDS or time.monotonic() - self._flushed > _FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.db is not None and self._pending:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO terms VALUES (?, ?)", self._pending)
            self._pending = []
        self._flushed = time.monotonic()

    def retain(self, keys, common_key: str | None = None) -> int:
        """Delete the terms of every record but these, and their junction terms but those for
        `common_key` (zeroed, then the file compacted unless incremental.compaction_needed says not)."""
        if self.db is None:
            return 0
        self.flush()
        keys = list(keys)
        keep = set(keys) | ({_junction_key(k, common_key) for k in keys} if common_key else set())
        stale = [k for (k,) in self.db.execute("SELECT key FROM terms") if k not in keep]
        with self.db:
            for i in range(0, len(stale), 500):
                chunk = stale[i:i + 500]
                self.db.execute(f"DELETE FROM terms WHERE key IN ({','.join('?' * len(chunk))})", chunk)
        from ..incremental import compaction_needed

        if stale and compaction_needed():
            self.db.execute("VACUUM")
        return len(stale)

    def close(self) -> None:
        if self.db is not None:
            self.flush()
            self.db.close()
            self.db = None
