"""Running the search indexes alongside the page build.

Both indexes are built from the site model, not from rendered pages, so they can start as
soon as the model exists and run in a child process while Pelican writes pages: the two
cores both work. The Pagefind bundle is skipped when nothing it holds changed, and
otherwise built in a scratch folder and copied into the site file by file, so unchanged
files keep their bytes and dates and files no longer produced (a withheld document's
fragment) are removed.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import tempfile
import traceback

from ..incremental import write_bytes
from .browser import PAGEFIND_DIR, build_browser_index
from .records import SearchRecord

_STAMP = "gazette-bundle.json"


def bundle_fingerprint(records: list[SearchRecord], site_script: str) -> str:
    from ..incremental import PACKAGE_DIR, tree_digest

    h = hashlib.sha256()
    h.update(tree_digest(os.path.dirname(os.path.abspath(__file__))).encode())
    h.update(site_script.encode())
    for r in records:
        h.update(r.content_hash().encode())
    return h.hexdigest()


def sync_tree(src: str, dst: str) -> tuple[int, int]:
    """Make `dst` hold exactly the files of `src`, writing only files whose bytes differ."""
    written = removed = 0
    wanted = set()
    for dirpath, _, files in os.walk(src):
        for name in files:
            rel = os.path.relpath(os.path.join(dirpath, name), src)
            wanted.add(rel)
            with open(os.path.join(dirpath, name), "rb") as f:
                written += write_bytes(os.path.join(dst, rel), f.read())
    for dirpath, _, files in os.walk(dst):
        for name in files:
            path = os.path.join(dirpath, name)
            if os.path.relpath(path, dst) not in wanted:
                os.remove(path)
                removed += 1
    return written, removed


def update_browser_bundle(records: list[SearchRecord], output_dir: str, cache_dir: str,
                          site_script: str = "zh-Hans") -> dict:
    """The Pagefind bundle under <output>/pagefind, rebuilt only when a record changed."""
    bundle = os.path.join(output_dir, PAGEFIND_DIR)
    fp = bundle_fingerprint(records, site_script)
    stamp_path = os.path.join(cache_dir, f"pagefind-{hashlib.sha1(os.path.abspath(output_dir).encode()).hexdigest()[:12]}.json")
    try:
        with open(stamp_path, encoding="utf-8") as f:
            if json.load(f).get("fingerprint") == fp and os.path.isfile(os.path.join(bundle, "pagefind.js")):
                return {"records": len(records), "rebuilt": False}
    except (OSError, ValueError):
        pass
    scratch = tempfile.mkdtemp(prefix="gazette-pagefind-", dir=cache_dir)
    try:
        stats = build_browser_index(records, scratch, site_script)
        written, removed = sync_tree(os.path.join(scratch, PAGEFIND_DIR), bundle)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(cache_dir, exist_ok=True)
    with open(stamp_path, "w", encoding="utf-8") as f:
        json.dump({"fingerprint": fp}, f)
    return {"records": len(records), "rebuilt": True, "bytes": stats.bundle_bytes, "written": written,
            "removed": removed}


class BackgroundIndexer:
    """Builds both indexes in a forked child while the parent writes pages."""

    def __init__(self, target, *args):
        ctx = multiprocessing.get_context("fork")
        self._parent, child = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_run, args=(child, target, args), daemon=True)
        self._proc.start()
        child.close()

    def wait(self):
        """The child's result; its exception re-raised here with its traceback."""
        try:
            ok, value = self._parent.recv()
        except EOFError:
            ok, value = False, f"the search indexer exited with code {self._proc.exitcode}"
        self._proc.join()
        if not ok:
            raise RuntimeError(f"search indexing failed:\n{value}")
        return value


def _run(conn, target, args) -> None:
    try:
        conn.send((True, target(*args)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the build
        conn.send((False, traceback.format_exc()))
    finally:
        conn.close()
