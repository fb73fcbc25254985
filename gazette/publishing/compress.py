"""Precompressed copies (.gz and .br) of the site's text files, for hosts that serve them
(nginx gzip_static / brotli_static, some object stores and CDNs).

Only files whose bytes changed since their copies were made are compressed again (a source
rewritten with the same bytes is recognised by its hash, kept in a manifest in the cache
folder), and copies whose source is gone are removed: a rebuild after one new document
compresses a handful of files.
Output is deterministic (no timestamps or names in the gzip header).
"""

from __future__ import annotations

import gzip
import hashlib
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


@dataclass
class CompressResult:
    compressed: int = 0
    unchanged: int = 0
    removed: int = 0


def _mtime(path: str) -> float | None:
    try:
        return os.path.getmtime(path)
    except FileNotFoundError:
        return None


def _compress_one(src: str, brotli_quality: int, known: str | None) -> tuple[bool, str | None]:
    """Compress `src` unless its copies are current; returns (compressed, what the manifest keeps
    of it: `_entry`)."""
    st = os.stat(src)  # before reading: a source rewritten after this looks changed next time
    gz, br = src + ".gz", src + ".br"
    copies = [_mtime(gz), _mtime(br)]
    if None not in copies and min(copies) >= st.st_mtime:
        return False, _entry(known, st)
    with open(src, "rb") as f:
        data = f.read()
    digest = hashlib.sha1(data).hexdigest()
    if None not in copies and digest == known:
        return False, _entry(digest, st)  # rewritten with the same bytes: the copies still match
    # zlib level 6 (its default): at 9 a build spent a quarter more time on gzip for 0.3 % fewer bytes
    write_bytes(gz, gzip.compress(data, 6, mtime=0))
    write_bytes(br, brotli.compress(data, quality=brotli_quality))
    return True, _entry(digest, st)


def _entry(digest: str | None, st: os.stat_result) -> str:
    """A source as the manifest keeps it: the sha1 of the bytes its copies were made from ("-" when
    the copies were judged current by their dates alone), then the file's size, modification time
    (ns) and inode (one string: 30,000 of them are read and written by every build)."""
    return f"{digest or '-'} {_stat_words(st)}"


def _stat_words(st: os.stat_result) -> str:
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}"


def _digest(entry) -> str | None:
    """The source's hash in a manifest entry (alone in manifests from before the stat was kept)."""
    digest = entry.split(" ", 1)[0] if isinstance(entry, str) else None
    return digest if digest and digest != "-" else None


def _as_made(entry, st: os.stat_result) -> bool:
    """The source is the very file its copies were made from: the size, time and inode the manifest kept."""
    return isinstance(entry, str) and entry.partition(" ")[2] == _stat_words(st)


def compress_tree(root: str, brotli_quality: int = 5, workers: int = 2,
                  manifest_path: str | None = None, only: tuple[str, ...] | None = None,
                  skip: tuple[str, ...] = ()) -> CompressResult:
    """Write <file>.gz and <file>.br next to every text file of at least MIN_SIZE bytes under root
    (or under its sub-folders `only`; not under its top-level folders `skip`). `manifest_path` (a
    JSON file outside the site) remembers, for each source, the hash, size, date and inode of the
    bytes its copies were made from, between builds; the entries of files outside this call's
    folders are kept as they were."""
    result = CompressResult()
    manifest: dict[str, str] = {}
    if manifest_path:
        try:
            with open(manifest_path, encoding="utf-8") as f:
                manifest = json.load(f)
        except (FileNotFoundError, ValueError):
            manifest = {}
        else:
            # Removed while copies are being made: a build killed half-way must not leave entries
            # that no longer describe the copies on disk (the next build judges by dates alone).
            os.remove(manifest_path)
        if not isinstance(manifest, dict):
            manifest = {}
    todo, current, rel = [], [], {}
    tops = [os.path.join(root, sub) for sub in only] if only is not None else [root]
    for dirpath, prefix, files, copies in (listing for top in tops for listing in _listings(top, root, skip)):
        for name in copies:
            source = name[:-3]
            if source not in files:
                # A leftover copy of a removed file (never a compressed file of the site's own).
                os.remove(os.path.join(dirpath, name))
                result.removed += 1
            elif files[source].st_size < MIN_SIZE:
                os.remove(os.path.join(dirpath, name))
                result.removed += 1
        for name, st in files.items():
            if st.st_size < MIN_SIZE:
                continue
            path = os.path.join(dirpath, name)
            key = prefix + name
            rel[path] = key
            # Both copies there and the source the very file they were made from (the manifest's
            # stat): current without a look at the copies; otherwise _compress_one compares dates.
            if name + ".gz" in copies and name + ".br" in copies and _as_made(manifest.get(key), st):
                current.append(path)
            else:
                todo.append(path)
    # zlib and brotli release the GIL while compressing: threads use both cores.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = pool.map(lambda p: _compress_one(p, brotli_quality, _digest(manifest.get(rel[p]))), todo)
        inside = tuple(sub + os.sep for sub in only or ())
        skipped = tuple(sub + os.sep for sub in skip)
        new_manifest = {k: v for k, v in manifest.items()  # files this call does not look at
                        if (inside and not k.startswith(inside)) or k.startswith(skipped)}
        for path, (done, entry) in itertools.chain(zip(todo, outcomes),
                                                   ((p, (False, manifest[rel[p]])) for p in current)):
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
