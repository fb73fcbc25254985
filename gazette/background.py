"""Work that runs alongside the page build, in forked child processes.

Both search indexes and the publishing outputs (open data, feeds, redirects, sitemap, PDFs)
are made from the site model, not from rendered pages, so they start as soon as the model
exists and run while Pelican writes pages: both cores work, and nobody waits for a core
left idle.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback


# Niceness of work that is not on the build's longest path: the command-line index is the longest
# job, and on a two-core machine it finishes first if the other children yield to it and to the
# page writer, instead of all of them sharing the cores evenly and the index running on alone at
# the end with a core idle.
YIELDING = 5


class BackgroundJob:
    """`target(*args)` in a forked child; `wait()` returns its result or raises its error.
    `nice` lowers the child's CPU priority (see YIELDING)."""

    def __init__(self, target, *args, nice: int = 0):
        import gc

        self._name = getattr(target, "__qualname__", "background job")
        ctx = multiprocessing.get_context("fork")
        self._parent, child = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_run, args=(child, target, args, nice), daemon=True)
        # The child's garbage collector leaves what it inherited alone, so reading the model does
        # not copy every page of it; the parent collects as before.
        gc.freeze()
        try:
            self._proc.start()
        finally:
            gc.unfreeze()
        child.close()

    def wait(self):
        """The child's result; its exception re-raised here with its traceback."""
        try:
            ok, value = self._parent.recv()
        except EOFError:
            ok, value = False, f"{self._name} exited with code {self._proc.exitcode}"
        self._proc.join()
        if not ok:
            raise RuntimeError(f"{self._name} failed:\n{value}")
        return value


def _run(conn, target, args, nice: int = 0) -> None:
    if nice:
        os.nice(nice)
    try:
        conn.send((True, target(*args)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the build
        conn.send((False, traceback.format_exc()))
    finally:
        conn.close()
