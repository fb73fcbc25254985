"""Facts derived from installed code alone (no archive content), kept across builds in the build's
cache folder: the search folding table made from OpenCC's data (0.05-0.1 s in each search index's
child of every build), the characters that tell the scripts apart (chinese._script_marks: 0.1 s of
the parent's header pass when it parses a document) and whether Whoosh still has the internals gazette.search.whoosh_adapter uses
(0.16 s of the Whoosh child, parsing its source). Each is stored with a key made of the files it was
derived from (their paths and bytes); another key, a value that fails its check, or a damaged file,
and it is derived again.
Outside a build (no folder given) everything is derived afresh, as before."""

from __future__ import annotations

import hashlib
import marshal
import os

_FOLDER: list[str] = []  # where the facts are kept, for this process (and the children it forks)


def keep_in(folder: str | None) -> None:
    """Keep derived facts in `folder` from now on (None: keep nothing)."""
    _FOLDER[:] = [folder] if folder else []


def files_key(*paths: str) -> str:
    """A key that changes when any of `paths` is edited or removed: their bytes (a file's size and
    date are not enough: `cp -p`, `rsync -a` and backups keep them; review 20)."""
    h = hashlib.sha1()
    for path in paths:
        try:
            with open(path, "rb") as f:
                h.update(f"{path}\0".encode() + hashlib.sha1(f.read()).digest())
        except OSError:
            h.update(f"{path}\0missing\n".encode())
    return h.hexdigest()


def remembered(name: str, key: str, make, kind: type, valid=lambda value: True):
    """`make()`, or what it returned under the same `key` before (a value of `kind` that `valid`
    accepts: plain data marshal writes, no code)."""
    if not _FOLDER:
        return make()
    path = os.path.join(_FOLDER[0], f"{name}.marshal")
    try:
        with open(path, "rb") as f:
            stored_key, value = marshal.load(f)
        if stored_key == key and isinstance(value, kind) and valid(value):
            return value
    except (OSError, EOFError, ValueError, TypeError):
        pass
    value = make()
    try:
        from .fileio import write_atomic

        write_atomic(path, marshal.dumps((key, value)))
    except OSError:  # a read-only cache: derived again next time
        pass
    return value
