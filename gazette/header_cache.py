"""Documents as read from their files, remembered by the files' bytes: a rebuild parses again only
the headers of the files that changed (at 10,000 documents the header pass was 3 of an edit-one
rebuild's 15 seconds).

Every file is still read and hashed, so a hit is the document its bytes make now, never one
judged by a modification time. What a document reads besides its own file is checked again on
every hit: whether its `scan:` PDF exists (a hit stands only if that check gives the answer it
gave when the file was parsed). The cache holds public documents only (never a withheld,
on-request or draft one, nor a public one whose header names a withheld one) and only those of
the archive as last read: nothing is written while the archive is read, then `retain` keeps what
may be kept and forgets the rest, zeroed and compacted (gazette.cache_db). It is made again
whenever our code changes."""

from __future__ import annotations

import hashlib
import io
import os
import pickle

from . import cache_db
from . import metadata as md
from .model import Document, decode_text, document_from_header, read_bytes, read_header, slug_from_path

FILE = "headers.sqlite"
_FORMAT = "3"  # 2: rows pickled without the memo (their digests are the header digests); 3: keys of file digests


class HeaderCache(cache_db.CacheFile):
    def __init__(self, path: str | None, code: str):
        self.version = f"{_FORMAT}:{code}"
        self.used: set[str] = set()  # keys read from the cache
        self.pending: dict[str, bytes] = {}  # documents parsed, not yet kept
        self.header_digests: dict[str, str] = {}  # shown path → header digest of each document read
        self._rows: dict[str, bytes] | None = None  # the table, read when the first document is
        self.held = False  # `retain` waits for `release`
        self._kept_later: set[str] | None = None
        # Files the build's inputs key has just read and hashed (build_shortcut.inputs_key `keep`), by
        # '/'-separated name in the content folder: (bytes, SHA-256), each taken once. Reading and
        # hashing every file again was a third of an edit-one rebuild's header pass.
        self.read_before: dict[str, tuple[bytes, bytes]] = {}
        super().__init__(path)

    def _create(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS docs (key TEXT PRIMARY KEY, doc BLOB NOT NULL)")
        cache_db.keep_version(self.db, ("docs",), self.version)

    def _forgotten(self) -> None:
        self.used.clear()  # nothing read from it is kept: every document is parsed again next time
        self._rows = {}

    def read_document(self, path: str, display_path: str, content_dir: str) -> Document:
        """model.read_document(path, display_path=…, content_dir=…), from the cache when the
        file's bytes (and its shown path) are those of a public document parsed before."""
        prefix = os.path.join(content_dir, "")
        got = self.read_before.pop(display_path[len(prefix):].replace(os.sep, "/"), None) \
            if self.read_before and display_path.startswith(prefix) else None
        if got is not None:
            data, digest = got
        else:
            data = read_bytes(path, display_path)
            digest = hashlib.sha256(data).digest()
        # The file's bytes, by their digest: a hit is the document these bytes make, whichever way read.
        key = hashlib.sha1(display_path.encode("utf-8", "surrogateescape") + b"\0" + digest).hexdigest()
        text = decode_text(data, display_path)
        if self._rows is None:  # the whole table at once: one query, not one per document
            self._rows = self.guarded(lambda: dict(self.db.execute("SELECT key, doc FROM docs")))
        blob = self._rows.pop(key, None)
        try:
            scan, state = pickle.loads(blob) if blob is not None else (None, None)
        except Exception:  # a damaged row: parsed again
            state = None
        if state is not None:
            if _scan_check(content_dir, scan) == state.pop("_scan_check", "unknown"):
                doc = Document.__new__(Document)
                doc.__dict__.update(state)
                doc.body = _body(text, doc.body_line)
                doc.source_digest = key
                doc.header_digest = self.header_digests[display_path] = hashlib.sha1(blob).hexdigest()
                self.used.add(key)
                return doc
        header = read_header(path, text, display_path)
        doc = document_from_header(header, slug_from_path(path), content_dir)
        scan = md.FieldReader(header).text("scan")
        state = dict(doc.__dict__, body="", _scan_check=_scan_check(content_dir, scan))
        blob = _pickled((scan, state))
        # Everything the file says but its body (incremental.model_key): a hit's row, as parsed now.
        doc.source_digest = key
        doc.header_digest = self.header_digests[display_path] = hashlib.sha1(blob).hexdigest()
        if doc.is_public and not doc.is_draft:
            # kept only by `retain`, once the whole archive is known (it may name a withheld document)
            self.pending[key] = blob
        return doc

    def retain(self, documents) -> None:
        """Keep these documents (public ones of the archive just read) and forget every other; while
        the cache is `held`, not yet: at `release`."""
        keep = {k for d in documents if d.is_public and not d.is_draft and (k := getattr(d, "source_digest", None))}
        if self.held:
            self._kept_later = keep
            return
        self.guarded(lambda: self._keep(keep))
        self.pending.clear()

    def release(self) -> None:
        """Write what `retain` was asked to keep while the cache was held (a build holds it while it
        reads the archive before it knows that the record of its last build is gone)."""
        self.held = False
        if self._kept_later is not None:
            keep, self._kept_later = self._kept_later, None
            self.guarded(lambda: self._keep(keep))
            self.pending.clear()

    def _keep(self, keep: set[str]) -> None:
        keep = keep & (self.used | set(self.pending))  # after the file was made again: the parsed ones
        self.db.executemany("INSERT OR REPLACE INTO docs VALUES (?, ?)",
                            [(k, blob) for k, blob in self.pending.items() if k in keep])
        cache_db.forget_all_but(self.db, ("docs",), keep)

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def _pickled(value) -> bytes:
    """`value` pickled without the memo (Pickler.fast): the bytes then depend on the values alone,
    not on which of them happen to be one object (a string an lru_cache handed out twice), so equal
    headers give equal bytes and `header_digest` is the same for the same header."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


def _scan_check(content_dir: str, value: str | None):
    """What a document's reading takes from outside its file: the check of its `scan:` path."""
    if value is None:
        return None
    from .scans import check_scan_path

    return check_scan_path(content_dir, value)


def _body(text: str, body_line: int) -> str:
    """The body of a file's text as `metadata.split_header` cuts it (from line `body_line` on)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    parts = text.split("\n", body_line - 1)
    return parts[body_line - 1] if len(parts) >= body_line else ""
