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
    """Compress `src` unless its copies are current; returns (compressed, sha1 of the source)."""
    mtime = os.path.getmtime(src)
    gz, br = src + ".gz", src + ".br"
    copies = [_mtime(gz), _mtime(br)]
    if None not in copies and min(copies) >= mtime:
        return False, known
    with open(src, "rb") as f:
        data = f.read()
    digest = hashlib.sha1(data).hexdigest()
    if None not in copies and digest == known:
        return False, digest  # rewritten with the same bytes: the copies still match
    # zlib level 6 (its default): at 9 a build spent a quarter more time on gzip for 0.3 % fewer bytes
    write_bytes(gz, gzip.compress(data, 6, mtime=0))
    write_bytes(br, brotli.compress(data, quality=brotli_quality))
    return True, digest


def compress_tree(root: str, brotli_quality: int = 5, workers: int = 2,
                  manifest_path: str | None = None, only: tuple[str, ...] | None = None,
                  skip: tuple[str, ...] = ()) -> CompressResult:
    """Write <file>.gz and <file>.br next to every text file of at least MIN_SIZE bytes under root
    (or under its sub-folders `only`; not under its top-level folders `skip`). `manifest_path` (a
    JSON file outside the site) remembers each source's hash between builds; the hashes of files
    outside this call's folders are kept as they were."""
    result = CompressResult()
    manifest: dict[str, str] = {}
    if manifest_path:
        try:
            with open(manifest_path, encoding="utf-8") as f:
                manifest = json.load(f)
        except (FileNotFoundError, ValueError):
            manifest = {}
        else:
            # Removed while copies are being made: a build killed half-way must not leave hashes
            # that no longer describe the copies on disk (the next build judges by dates alone).
            os.remove(manifest_path)
    todo, current, rel = [], [], {}
    tops = [os.path.join(root, sub) for sub in only] if only is not None else [root]
    for dirpath, prefix, files in (listing for top in tops for listing in _listings(top, root, skip)):
        for name, st in files.items():
            path = os.path.join(dirpath, name)
            if name.endswith(SUFFIXES):
                source = name[:-3]
                if source not in files or not source.endswith(TEXT_EXTENSIONS):
                    # A leftover copy of a removed file (never a compressed file of the site's own).
                    if source.endswith(TEXT_EXTENSIONS):
                        os.remove(path)
                        result.removed += 1
                elif files[source].st_size < MIN_SIZE:
                    os.remove(path)
                    result.removed += 1
                continue
            if name.endswith(TEXT_EXTENSIONS) and st.st_size >= MIN_SIZE:
                gz, br = files.get(name + ".gz"), files.get(name + ".br")
                # copies no older than the source: current, without opening anything (the
                # directory listing's dates; _compress_one looks again at the others)
                fresh = gz is not None and br is not None and min(gz.st_mtime, br.st_mtime) >= st.st_mtime
                (current if fresh else todo).append(path)
                rel[path] = prefix + name
    # zlib and brotli release the GIL while compressing: threads use both cores.
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = pool.map(lambda p: _compress_one(p, brotli_quality, manifest.get(rel[p])), todo)
        inside = tuple(sub + os.sep for sub in only or ())
        skipped = tuple(sub + os.sep for sub in skip)
        new_manifest = {k: v for k, v in manifest.items()  # files this call does not look at
                        if (inside and not k.startswith(inside)) or k.startswith(skipped)}
        for path, (done, digest) in itertools.chain(zip(todo, outcomes),
                                                    ((p, (False, manifest.get(rel[p]))) for p in current)):
            if digest:
                new_manifest[rel[path]] = digest
            if done:
                result.compressed += 1
            else:
                result.unchanged += 1
    if manifest_path:
        os.makedirs(os.path.dirname(manifest_path), exist_ok=True)
        write_bytes(manifest_path, json.dumps(new_manifest, sort_keys=True).encode())
    return result


def _listings(top: str, root: str, skip: tuple[str, ...]):
    """(folder, its path relative to `root` with a trailing separator, {name: stat}) of every folder
    under `top` (not `root`'s top-level folders `skip`), its regular files (symlinks followed)
    only; symlinked folders are not entered."""
    rel = os.path.relpath(top, root)
    stack = [(top, "" if rel == "." else rel + os.sep)]
    while stack:
        folder, prefix = stack.pop()
        files = {}
        with os.scandir(folder) as entries:
            for e in entries:
                if e.is_dir(follow_symlinks=False):
                    if not (folder == root and e.name in skip):
                        stack.append((e.path, prefix + e.name + os.sep))
                elif e.name.endswith(_LOOKED_AT) and e.is_file():  # nothing else is asked about (PDFs…)
                    files[e.name] = e.stat()
        yield folder, prefix, files


_LOOKED_AT = TEXT_EXTENSIONS + SUFFIXES  # the names compress_tree looks at: sources and copies


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
