"""Precompressed copies (.gz and .br) of the site's text files, for hosts that serve them
(nginx gzip_static / brotli_static, some object stores and CDNs).

Only files whose bytes changed since their copies were made are compressed again (a source
rewritten with the same bytes is recognised by decompressing its copies; an untouched output's by
the stat kept in a manifest in the cache folder: `compress_tree`), and copies whose source is gone
are removed: a rebuild after one new document compresses a handful of files.
Output is deterministic (no timestamps or names in the gzip header).
"""

from __future__ import annotations

import gzip
import itertools
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import brotli

from .output import write_bytes

TEXT_EXTENSIONS = (".html", ".css", ".js", ".mjs", ".json", ".xml", ".csv", ".txt", ".svg", ".atom")
MIN_SIZE = 256  # smaller files gain nothing (nginx's gzip_min_length is similar)
SUFFIXES = (".gz", ".br")
# zlib level 5. On 600 of the 10,000-law benchmark's pages and open-data files (13.7 MB): level 6, zlib's
# default, 0.29 CPU-s for 30.82 % of the bytes; 5, 0.21 s for 31.08 %; 4, 0.16 s for 31.63 %; 9 spent a
# quarter more than 6 for 0.3 % fewer bytes. The gzip copy is for clients without Brotli (quality 5:
# 28.0 %), and at 10,000 documents these copies are 550 MB of text compressed at the end of a full build.
GZIP_LEVEL = 5


@dataclass
class CompressResult:
    compressed: int = 0
    unchanged: int = 0
    removed: int = 0


def _compress_one(src: str, brotli_quality: int) -> tuple[bool, str | None]:
    """Compress `src` unless both copies decompress to its bytes; returns (compressed, the manifest's
    entry: `_entry`)."""
    st = os.stat(src)  # before reading: a source rewritten after this looks changed next time
    gz, br = src + ".gz", src + ".br"
    with open(src, "rb") as f:
        data = f.read()
    done = not (_holds(gz, gzip.decompress, data) and _holds(br, brotli.decompress, data))
    if done:
        write_bytes(gz, gzip.compress(data, GZIP_LEVEL, mtime=0))
        write_bytes(br, brotli.compress(data, quality=brotli_quality))
    return done, _entry(st, gz, br)


def _holds(copy: str, decompress, data: bytes) -> bool:
    """The copy is there and decompresses to `data` (not judged by its date or name: a copy put back
    from an old backup, beside a page rewritten since, is another page's bytes: review 19)."""
    try:
        with open(copy, "rb") as f:
            return decompress(f.read()) == data
    except Exception:  # missing, unreadable, not a valid stream: made again
        return False


def _entry(st: os.stat_result, gz: str, br: str) -> str | None:
    """A source as the manifest keeps it: its `_stat_words`, then each copy's (one string: 30,000 of
    them are read and written by every build); None when a copy is missing."""
    try:
        return "|".join([_stat_words(st), _stat_words(os.stat(gz)), _stat_words(os.stat(br))])
    except OSError:
        return None


def _stat_words(st: os.stat_result) -> str:
    """Size, modification and change times (ns) and inode: a file's identity between two builds."""
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ctime_ns} {st.st_ino}"


def compress_tree(root: str, brotli_quality: int = 5, workers: int = 2,
                  manifest_path: str | None = None, only: tuple[str, ...] | None = None,
                  skip: tuple[str, ...] = (), as_left: bool = False) -> CompressResult:
    """Write <file>.gz and <file>.br next to every text file of at least MIN_SIZE bytes under root
    (or under its sub-folders `only`; not under its top-level folders `skip`). `manifest_path` (a
    JSON file outside the site) remembers each source's identity and its copies' (`_entry`) as they
    were made or last found to match; the entries of files outside this call's folders are kept as
    they were.

    Over an output file for file what the last completed build left (`as_left`:
    incremental.BuildState.output_as_left; that build made the copies and the manifest), a source
    that is the very file the manifest names, with both copies' names in its folder, is current
    without a look at the copies. Otherwise the copies are current when they too are the files the
    manifest names (one stat each); any other source is read and its copies decompressed and
    compared, made again unless they match (after a killed build, whose manifest is gone, every
    copy: 15 s at 10,000 documents)."""
    result = CompressResult()
    manifest: dict[str, str] = {}
    if manifest_path:
        try:
            with open(manifest_path, encoding="utf-8") as f:
                manifest = json.load(f)
        except (FileNotFoundError, ValueError):
            manifest = {}
        else:
            # Removed while copies are being made: a build killed half-way leaves no entries (nor
            # a record vouching for the output), and the next build reads every copy.
            os.remove(manifest_path)
        if not isinstance(manifest, dict):
            manifest = {}
    todo, current, rel = [], [], {}
    # (a partition none of whose documents has a number makes no eli/: review 21)
    tops = [p for sub in only if os.path.isdir(p := os.path.join(root, sub))] if only is not None else [root]
    for dirpath, prefix, files, copies in (listing for top in tops for listing in _listings(top, root, skip)):
        for name in copies:
            source = name[:-3]
            if source not in files or files[source].st_size < MIN_SIZE:
                # A leftover copy of a removed file (never a compressed file of the site's own), or
                # of one too small to have any.
                os.remove(os.path.join(dirpath, name))
                result.removed += 1
        for name, st in files.items():
            if st.st_size < MIN_SIZE:
                continue
            path = os.path.join(dirpath, name)
            key = prefix + name
            rel[path] = key
            entry = manifest.get(key)
            if not (isinstance(entry, str) and name + ".gz" in copies and name + ".br" in copies):
                todo.append(path)
            elif as_left and entry.split("|", 1)[0] == _stat_words(st):
                current.append(path)
            elif entry == _entry(st, path + ".gz", path + ".br"):  # the very files the manifest names
                current.append(path)
            else:
                todo.append(path)
    # zlib and brotli release the GIL while compressing: threads use both cores.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = pool.map(lambda p: _compress_one(p, brotli_quality), todo)
        inside = tuple(sub + os.sep for sub in only or ())
        skipped = tuple(sub + os.sep for sub in skip)
        new_manifest = {k: v for k, v in manifest.items()  # files this call does not look at
                        if (inside and not k.startswith(inside)) or k.startswith(skipped)}
        for path, (done, entry) in itertools.chain(zip(todo, outcomes),
                                                   ((p, (False, manifest[rel[p]])) for p in current)):
            if entry:
                new_manifest[rel[path]] = entry
            if done:
                result.compressed += 1
            else:
                result.unchanged += 1
    if manifest_path:
        os.makedirs(os.path.dirname(manifest_path), exist_ok=True)
        write_bytes(manifest_path, json.dumps(new_manifest, sort_keys=True).encode())
    return result


def _listings(top: str, root: str, skip: tuple[str, ...]):
    """(folder, its path relative to `root` with a trailing separator, {text file name: stat},
    {names of copies of text files}) of every folder under `top` (not `root`'s top-level folders
    `skip`), regular files only (symlinks followed; only the sources are stat'ed); symlinked
    folders are not entered."""
    rel = os.path.relpath(top, root)
    stack = [(top, "" if rel == "." else rel + os.sep)]
    while stack:
        folder, prefix = stack.pop()
        files, copies = {}, set()
        with os.scandir(folder) as entries:
            for e in entries:
                name = e.name
                if e.is_dir(follow_symlinks=False):
                    if not (folder == root and name in skip):
                        stack.append((e.path, prefix + name + os.sep))
                elif name.endswith(SUFFIXES):
                    if name[:-3].endswith(TEXT_EXTENSIONS) and e.is_file():
                        copies.add(name)
                elif name.endswith(TEXT_EXTENSIONS) and e.is_file():  # nothing else is asked about (PDFs…)
                    files[name] = e.stat()
        yield folder, prefix, files, copies


def remove_copies(root: str) -> int:
    """Remove every precompressed copy of a text file under `root` (compression switched off:
    copies left from earlier builds would go on being served instead of the pages)."""
    removed = 0
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            if name.endswith(SUFFIXES) and name[:-3].endswith(TEXT_EXTENSIONS):
                os.remove(os.path.join(dirpath, name))
                removed += 1
    return removed
