"""Wall time and peak memory per build stage (BuildResult.timings), for scripts/bench.py.

Memory is the proportional set size (PSS) of this process and its descendants (the search indexes,
Pagefind and the publishing step run as child processes), sampled while a stage runs.
PSS splits each page shared between processes (a forked child shares its parent's memory until
either writes to it) among them, so the sum is the memory the build really occupies; a sum of
resident sets would count every shared page once per process.

Reading PSS is not free: the kernel walks every page of the process (about 30 ms per GB here), so
sampling a 3 GB tree every 100 ms kept a whole core busy and slowed the build it measured by a
quarter. Samples are spaced so that sampling takes at most `SAMPLING_SHARE` of one core. Memory
is measured only when asked (`GAZETTE_MEASURE_MEMORY=1` in the environment, as scripts/bench.py
sets for the builds whose peak it reports): the samples at each stage's start and end were half
a second of an edit-one rebuild at 10,000 documents.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field

# Memory samples: at least this far apart (seconds), and taking at most this share of one core.
MIN_INTERVAL = 0.1
SAMPLING_SHARE = 0.03
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def _process_memory(pid: int) -> int:
    """PSS of one process in bytes; its resident set where smaps_rollup is unavailable; 0 if gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * _PAGE
    except OSError:
        return 0


def process_tree(pid: int | None = None) -> list[int]:
    """A process and all its descendants (Linux /proc; just the process elsewhere)."""
    out, stack = [], [pid or os.getpid()]
    while stack:
        p = stack.pop()
        out.append(p)
        stack += _children(p)
    return out


def tree_memory(pid: int | None = None) -> int:
    """Memory of a process and all its descendants, shared pages counted once (Linux /proc; 0 elsewhere)."""
    return sum(_process_memory(p) for p in process_tree(pid))


@dataclass
class Stage:
    name: str
    seconds: float
    peak_bytes: int
    cpu_seconds: float | None = None  # a child's CPU time, for work that overlapped other stages


@dataclass
class Timings:
    stages: list[Stage] = field(default_factory=list)
    memory: bool = False  # peak memory sampled (MEMORY_SWITCH); else every stage's peak is 0

    def as_dict(self) -> dict:
        return {s.name: {"seconds": round(s.seconds, 3), "peak_mb": round(s.peak_bytes / 2**20, 1),
                         **({"cpu": round(s.cpu_seconds, 3)} if s.cpu_seconds is not None else {})} for s in self.stages}

    def table(self) -> str:
        rows = [f"{s.name:<22}{s.seconds:>9.2f} s{s.peak_bytes / 2**20:>10.0f} MB"
                + (f"{s.cpu_seconds:>9.2f} s CPU" if s.cpu_seconds is not None else "") for s in self.stages]
        return "\n".join(rows)


_current: Timings | None = None


MEMORY_SWITCH = "GAZETTE_MEASURE_MEMORY"


def start() -> Timings:
    global _current
    _current = Timings(memory=os.environ.get(MEMORY_SWITCH, "") not in ("", "0"))
    return _current


def current() -> Timings | None:
    return _current


@contextlib.contextmanager
def stage(name: str):
    """Time a stage of the current build (a no-op outside one)."""
    timings = _current
    if timings is None:
        yield
        return
    if not timings.memory:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            timings.stages.append(Stage(name, time.perf_counter() - t0, 0))
        return
    peak = [tree_memory()]
    done = threading.Event()

    def sample():
        pause = MIN_INTERVAL
        while not done.wait(pause):
            t = time.perf_counter()
            peak[0] = max(peak[0], tree_memory())
            pause = max(MIN_INTERVAL, (time.perf_counter() - t) / SAMPLING_SHARE)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0 = time.perf_counter()
    try:
        yield
    finally:
        done.set()
        sampler.join()
        peak[0] = max(peak[0], tree_memory())
        timings.stages.append(Stage(name, time.perf_counter() - t0, peak[0]))


_open: list = []


def begin(name: str) -> None:
    """Open a stage that a later begin() or end_pelican() closes (for stages bounded by Pelican signals)."""
    _close_open()
    if _current is None:
        return
    cm = stage(name)
    cm.__enter__()
    _open.append(cm)


def _close_open() -> None:
    while _open:
        _open.pop().__exit__(None, None, None)


def end_pelican() -> None:
    _close_open()


def record(name: str, seconds: float, peak_bytes: int = 0, cpu_seconds: float | None = None) -> None:
    """Add a stage measured elsewhere (e.g. work that overlapped other stages in a child process,
    with that child's CPU time)."""
    if _current is not None:
        _current.stages.append(Stage(name, seconds, peak_bytes or (tree_memory() if _current.memory else 0),
                                     cpu_seconds))
