"""Writing drafts into the archive: stable names, atomic writes, and a record of what we wrote.

The state file `<into>/.gazette-import.json` maps each source identity to the files it
produced and keeps a hash of every file as generated, so that a re-import finds the same
files and a file an archivist edited since is left alone unless forced.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os

from ..fileio import copy_atomic as atomic_copy, write_atomic as atomic_write  # noqa: F401 - used by batch
from ..metadata import KEY_ALIASES
from ..textrules import doc_number_serial
from .boilerplate import one_line

STATE_FILE = ".gazette-import.json"
# Header order in generated files: what a reader looks for first.
KEY_ORDER = ("review", "review_reason", "title", "date", "doc_number", "issuer", "signed", "doc_type", "category", "index_no",
             "effective", "expires", "validity", "reviewed", "superseded_by", "supersedes", "amends",
             "disclosure", "gazette", "pages", "scan", "script", "note", "review_note",
             "year", "number", "serial")


class UnsafePath(ValueError):
    pass


def short_hash(text: str, n: int = 8) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def document_slug(identity: str, date: str | None, doc_number: str | None) -> str:
    """ASCII, stable: year, the number's serial digits when there is one, and a hash of the source.

    Never `YYYY-MM-DD…`: Pelican would read such a file name as a date. A draft without a date
    gets `undated-…`.
    """
    year = date[:4] if date else "undated"
    serial = ""
    if doc_number:
        number = doc_number_serial(doc_number)
        serial = f"-no{number}" if number else ""
    return f"{year}{serial}-{short_hash(identity)}"


def document_relpath(slug: str, date: str | None) -> str:
    return f"documents/{date[:4] if date else 'undated'}/{slug}.md"


def render(meta: dict[str, str], body: str) -> str:
    """A content file: `key: value` header lines in a fixed order, a blank line, the body."""
    lines = []
    for key in sorted(meta, key=lambda k: (KEY_ORDER.index(k) if k in KEY_ORDER else 99, k)):
        value = one_line(str(meta[key]))
        if value and key in KEY_ALIASES:
            lines.append(f"{key}: {value}")
    body = body.strip("\n")
    return "\n".join(lines) + "\n\n" + (body + "\n" if body else "")


def safe_target(into: str, relpath: str) -> str:
    """The absolute path for `relpath` under `into`; refuses anything that would land outside it."""
    if not relpath or os.path.isabs(relpath) or "\\" in relpath or "\x00" in relpath:
        raise UnsafePath(relpath)
    parts = relpath.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        raise UnsafePath(relpath)
    root = os.path.realpath(into)
    target = os.path.realpath(os.path.join(root, *parts))
    if os.path.commonpath([root, target]) != root:
        raise UnsafePath(relpath)  # a symlink inside the archive pointing out of it
    return target


LOCK_FILE = ".gazette-import.lock"
# Temporary files of gazette.fileio's atomic writes (and of earlier versions' importer).
TEMP_PREFIXES, TEMP_SUFFIX = (".gazette-", ".import-"), ".tmp"


def remove_temporary_files(into: str) -> list[str]:
    """Temporary files an import killed between writing and renaming left in the archive
    (`.gazette-*.tmp`). Only while holding the import lock: none of them is still being written."""
    removed = []
    for dirpath, _, names in os.walk(into):
        for name in names:
            if name.startswith(TEMP_PREFIXES) and name.endswith(TEMP_SUFFIX):
                os.remove(os.path.join(dirpath, name))
                removed.append(os.path.join(dirpath, name))
    return removed


class State:
    """What earlier imports wrote into one archive folder."""

    def __init__(self, into: str):
        self.into = into
        self.path = os.path.join(into, STATE_FILE)
        self.sources: dict[str, dict] = {}
        self.files: dict[str, str] = {}
        if os.path.exists(self.path):
            with open(self.path, encoding="utf-8") as f:
                data = json.load(f)
            self.sources = data.get("sources", {})
            self.files = data.get("files", {})

    def output_for(self, identity: str) -> str | None:
        return self.sources.get(identity, {}).get("output")

    def save(self) -> None:
        data = {"version": 1, "updated": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "sources": dict(sorted(self.sources.items())), "files": dict(sorted(self.files.items()))}
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def plan_write(state: State, relpath: str, new_hash: str, force: bool) -> tuple[str, str | None]:
    """What writing a file would do: ('created'|'updated'|'unchanged'|'skipped', reason)."""
    target = safe_target(state.into, relpath)
    if not os.path.exists(target):
        return "created", None
    current = sha256_file(target)
    if current == new_hash:
        return "unchanged", None
    recorded = state.files.get(relpath)
    if recorded == current or force:
        return "updated", None
    if recorded is None:
        return "skipped", f"{relpath} 已存在且不是导入生成的文件（使用 --force 覆盖）"
    return "skipped", f"{relpath} 在导入后被修改过（使用 --force 覆盖）"
