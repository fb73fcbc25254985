#!/usr/bin/env python3
"""CPU time and peak resident memory of every process a command starts (Linux /proc).

    .venv/bin/python scripts/bench_processes.py .venv/bin/python scripts/bench.py --sizes 10000

Samples the command's process tree once a second and prints, per process that used more than a
second of CPU: when it was seen (seconds from the start), its CPU time (user + system), its peak
resident set and its command line. This is how docs/scaling.md splits a full build's CPU between
the page writer, the two search indexes, Pagefind's binary and publishing. Resident sets count
pages shared with a forked parent in full; the build's own figures use PSS (gazette.timing).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from gazette.timing import process_tree  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def sample(pid: int) -> tuple[float, int, str] | None:
    """(CPU seconds, resident bytes, command line) of a live process, None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = " ".join(f.read().replace(b"\0", b" ").decode(errors="replace").split())
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICKS, int(fields[21]) * PAGE, cmd


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    t0 = time.monotonic()
    proc = subprocess.Popen(argv)
    seen: dict[int, dict] = {}
    while proc.poll() is None:
        now = time.monotonic() - t0
        for pid in process_tree(proc.pid):
            s = sample(pid)
            if s is None:
                continue
            row = seen.setdefault(pid, {"first": now, "cmd": s[2], "rss": 0})
            row["cpu"], row["last"], row["rss"] = s[0], now, max(row["rss"], s[1])
        time.sleep(1)
    print(f"\nwall {time.monotonic() - t0:.1f} s; processes with more than 1 s of CPU:")
    print(f"{'pid':>8} {'seen from–to s':>16} {'CPU s':>8} {'peak RSS MB':>12}  command")
    for pid, r in sorted(seen.items(), key=lambda kv: kv[1]["first"]):
        if r.get("cpu", 0) > 1:
            print(f"{pid:>8} {r['first']:>7.0f}–{r['last']:<7.0f} {r['cpu']:>8.1f} {r['rss'] / 2**20:>12.0f}  {r['cmd'][:90]}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
