"""Running the search indexes alongside the page build.

Both indexes are built from the site model, not from rendered pages, so they can start as
soon as the model exists and run in child processes while Pelican writes pages: both cores
work. (Skipping unchanged shards and copying only changed files is done in `browser`.)
"""

from __future__ import annotations

import multiprocessing
import traceback


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
