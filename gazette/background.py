"""Work that runs alongside the page build, in forked child processes.

Both search indexes and the publishing outputs (open data, feeds, redirects, sitemap, PDFs)
are made from the site model, not from rendered pages, so they start as soon as the model
exists and run while Pelican writes pages: both cores work, and nobody waits for a core
left idle.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import traceback


class BackgroundJob:
    """`target(*args)` in a forked child; `wait()` returns its result or raises its error.
    `nice` lowers the child's CPU priority.

    The build's children (both search indexes, publishing) run at the build's own priority: a
    child that yields (nice 5, as publishing and the browser index did) also yields to everything
    else on a shared machine, and the build then waits for it with its own core idle (at 10,000
    documents publishing, 41 CPU-seconds, took 368 s beside other work, and the build waited 261 s
    for it). Side by side at the same priority the children and the page writer share both cores
    and finish close together."""

    def __init__(self, target, *args, nice: int = 0):
        import gc

        self._name = getattr(target, "__qualname__", "background job")
        ctx = multiprocessing.get_context("fork")
        self._parent, child = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_run, args=(child, target, args, nice, os.getpid()), daemon=True)
        # The child's garbage collector leaves what it inherited alone, so reading the model does
        # not copy every page of it; the parent collects as before.
        gc.freeze()
        try:
            self._proc.start()
        finally:
            gc.unfreeze()
        child.close()

    cpu_seconds: float | None = None  # the child's CPU time (its own and its reaped children's), once waited for

    def wait(self):
        """The child's result; its exception re-raised here with its traceback."""
        try:
            ok, value, self.cpu_seconds = self._parent.recv()
        except EOFError:
            ok, value = False, death_reason(self._proc.exitcode)
        self._proc.join()
        if not ok:
            raise RuntimeError(f"后台任务 {self._name} 失败：\n{value}")
        return value


class ForkedCall:
    """`target(*args)` in a child forked from this process, which goes on meanwhile; `wait()`
    returns the result (pickled through a pipe) or raises the child's error. Unlike BackgroundJob
    it can be started from a BackgroundJob's child (multiprocessing does not let a daemonic
    process have children). The child dies with this process (`die_with_parent`) and leaves
    through `os._exit`: nothing it inherited (open files, database connections) is closed or
    flushed by it."""

    def __init__(self, target, *args):
        import gc

        self._name = getattr(target, "__qualname__", "background job")
        parent = os.getpid()
        read, write = os.pipe()
        gc.freeze()  # as BackgroundJob: the child's collector leaves what it inherited alone
        try:
            pid = os.fork()
        except BaseException:
            gc.unfreeze()
            os.close(read)
            os.close(write)
            raise
        if pid == 0:  # the child
            os.close(read)
            try:
                die_with_parent(parent)
                import pickle

                try:
                    payload = pickle.dumps((True, target(*args)), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException:  # noqa: BLE001 - reported to the parent
                    payload = pickle.dumps((False, traceback.format_exc()))
                with os.fdopen(write, "wb") as f:
                    f.write(payload)
            finally:
                os._exit(0)
        gc.unfreeze()
        os.close(write)
        self._pid, self._read = pid, read

    def wait(self):
        import pickle

        read, self._read = self._read, None
        try:
            with os.fdopen(read, "rb") as f:
                data = f.read()
        except BaseException:  # interrupted: the child is stopped and reaped, not left writing
            self.abandon()
            raise
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if not data:
            raise RuntimeError(f"后台任务 {self._name} 失败：{death_reason(os.waitstatus_to_exitcode(status))}")
        ok, value = pickle.loads(data)
        if not ok:
            raise RuntimeError(f"后台任务 {self._name} 失败：\n{value}")
        return value

    def abandon(self) -> None:
        """The result is not wanted (the caller failed before asking): the child is killed if it
        still runs, and reaped (else it would wait for ever to write into a pipe nobody reads)."""
        import signal

        if self._pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGKILL)
        if self._read is not None:
            os.close(self._read)
            self._read = None
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)
        self._pid = None


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int | None = None) -> None:
    """In a child process: be killed (SIGKILL) when the parent process dies, however it dies.

    A build or import killed by the user or the OOM killer must not leave children running on:
    they would go on writing into the output (or the archive) under the next run, and hold its
    memory. Linux only (prctl PR_SET_PDEATHSIG); elsewhere nothing is done. `parent` is the pid
    the child was forked from: if it is already gone when this runs, the child exits at once."""
    import ctypes
    import signal
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)  # the parent died before the prctl above took effect


def _run(conn, target, args, nice: int = 0, parent: int | None = None) -> None:
    die_with_parent(parent)
    if nice:
        os.nice(nice)
    try:
        conn.send((True, target(*args), cpu_seconds()))
    except BaseException:  # noqa: BLE001 - reported to the parent, which fails the build
        conn.send((False, traceback.format_exc(), cpu_seconds()))
    finally:
        conn.close()


def cpu_seconds() -> float:
    """User and system CPU time of this process and of the children it has reaped (Pagefind's binary…)."""
    import resource

    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


class WorkerDied(Exception):
    """A task's worker process died (killed, out of memory) on every attempt."""


def _pool_worker(conn, parent: int) -> None:
    die_with_parent(parent)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, fn, item = message
        try:
            conn.send((index, True, fn(item)))
        except BaseException:  # noqa: BLE001 - re-raised in the parent
            conn.send((index, False, traceback.format_exc()))


def death_reason(exitcode: int | None) -> str:
    """Why a worker ended, for a report (Chinese)."""
    import signal

    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"信号 {-exitcode}"
        hint = "（可能是内存不足，被系统终止）" if -exitcode == signal.SIGKILL else ""
        return f"工作进程被 {name} 终止{hint}"
    return f"工作进程意外退出（退出码 {exitcode}）"


class TaskPool:
    """Forked worker processes that run one task at a time each, so that a worker that dies (the
    OOM killer, a crash in a native library) costs only the task it was running: that task is
    tried again once in a new worker, then `on_death(item, reason)` stands in for its result.
    (`concurrent.futures.ProcessPoolExecutor` fails every pending task with BrokenProcessPool.)
    Workers end with the parent (`die_with_parent`)."""

    def __init__(self, workers: int, retries: int = 1):
        self.size = max(1, workers)
        self.retries = retries
        self._ctx = multiprocessing.get_context("fork")
        self._workers: list[list] = []  # [process, connection]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _start(self):
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_pool_worker, args=(child, os.getpid()), daemon=True)
        proc.start()
        child.close()
        worker = [proc, parent]
        self._workers.append(worker)
        return worker

    def _drop(self, worker) -> None:
        proc, conn = worker
        conn.close()
        if proc.is_alive():
            proc.kill()
        proc.join()
        self._workers.remove(worker)

    def map(self, fn, items, on_death=None):
        """`fn(item)` for every item, results in order. A task whose worker died on every attempt
        gives `on_death(item, reason)`, or raises WorkerDied when there is no `on_death`; an
        exception in `fn` is raised here (RuntimeError with the worker's traceback)."""
        from collections import deque
        from multiprocessing.connection import wait

        items = list(items)
        pending = deque(range(len(items)))
        attempts = [0] * len(items)
        results: dict[int, object] = {}
        busy: dict[int, tuple[list, int]] = {}  # id(worker) -> (worker, task index)
        done_upto = 0
        while done_upto < len(items):
            while pending and len(busy) < self.size:
                idle = [w for w in self._workers if id(w) not in busy]
                worker = idle[0] if idle else self._start()
                index = pending.popleft()
                attempts[index] += 1
                worker[1].send((index, fn, items[index]))
                busy[id(worker)] = (worker, index)
            if busy:
                handles = {}
                for worker, _ in busy.values():
                    handles[worker[1]] = worker
                    handles[worker[0].sentinel] = worker
                for ready in wait(list(handles)):
                    worker = handles[ready]
                    if id(worker) not in busy:
                        continue  # its connection and its sentinel were both ready
                    _, index = busy[id(worker)]
                    try:
                        got = worker[1].recv() if worker[1].poll() else None
                    except (EOFError, OSError):
                        got = None
                    if got is not None:
                        del busy[id(worker)]
                        _, ok, value = got
                        if not ok:
                            raise RuntimeError(f"工作进程出错：\n{value}")
                        results[index] = value
                        continue
                    if worker[0].is_alive() and ready is worker[1]:
                        continue
                    del busy[id(worker)]
                    worker[0].join()
                    reason = death_reason(worker[0].exitcode)
                    self._drop(worker)
                    if attempts[index] <= self.retries:
                        pending.appendleft(index)
                    elif on_death is None:
                        raise WorkerDied(reason)
                    else:
                        results[index] = on_death(items[index], reason)
            while done_upto in results:
                yield results.pop(done_upto)
                done_upto += 1

    def close(self) -> None:
        for proc, conn in list(self._workers):
            try:
                conn.send(None)
            except OSError:
                pass
        for worker in list(self._workers):
            worker[0].join(timeout=5)
            self._drop(worker)
