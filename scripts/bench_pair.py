"""Edit-one rebuilds of two checkouts side by side, on one archive: the figure to read on a shared machine.
With --full, full builds from nothing against plain Pelican instead (#18's "≤ 2× plain Pelican").

    .venv/bin/python scripts/bench_pair.py ARCHIVE OLD=/path/to/old-checkout NEW=. --rounds 8
    .venv/bin/python scripts/bench_pair.py ARCHIVE NEW=. --full --rounds 3

Each checkout (a clone with its own `.venv`, e.g. `git clone -q . /tmp/old && cd /tmp/old && git checkout
<commit> && python3 -m venv .venv && .venv/bin/pip install -q -e .`) builds into its own output and cache
under --work: first a warm-up build (a full one the first time, or after a change of code), then, each
round, one document of ARCHIVE is edited (scripts/bench.py touch_one) and each checkout rebuilds, the
order alternating between rounds. Every build runs in a fresh process, as `gazette build` does; the wall
time is the whole process's. Prints each build's time and its largest stages, then per checkout the
median and the sum, and the sum's ratio to the first checkout's.

--full: each round, plain Pelican on ARCHIVE's documents (scripts/bench.py plain_pelican) and a full
build of each checkout (one or two) into an emptied output and cache, the order turning between rounds,
so that every ratio is of runs minutes apart on the same machine. Prints each run's wall and CPU time
(user + system, the process and the children it waited for), then each checkout's sums and the ratio
of its sum to plain Pelican's, and each round's own ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def build(tree: str, archive: str, out: str, cache: str) -> tuple[float, dict]:
    wall, _, data = _run(tree, [bench._CHILD, archive, out], cache)
    return wall, json.loads(data.strip().splitlines()[-1])


def _run(tree: str, args: list[str], cache: str) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the process and the children it waited for, stdout) of
    `tree`'s Python (its .venv's, else this one) running `-c args…`."""
    python = os.path.join(tree, ".venv", "bin", "python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as bench.run_measured
    env.update(GAZETTE_CACHE_DIR=cache, GAZETTE_MEASURE_MEMORY="0")
    started, cpu = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen([python if os.path.exists(python) else sys.executable, "-c", *args], cwd=tree, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(f"build in {tree} failed:\n{err[-3000:]}")
    return wall, _children_cpu() - cpu, out


def _children_cpu() -> float:
    """CPU seconds of this process's children reaped so far (theirs and their own reaped children's)."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def full_rounds(archive: str, trees: list[tuple[str, str]], rounds: int, work: str) -> dict[str, list[tuple[float, float]]]:
    """{name: [(wall, cpu) per round]} with name "plain" for plain Pelican (see the module's --full)."""
    runs: dict[str, list[tuple[float, float]]] = {"plain": [], **{name: [] for name, _ in trees}}
    entrants = [("plain", None), *trees]
    for n in range(rounds):
        turn = n % len(entrants)
        for name, tree in entrants[turn:] + entrants[:turn]:
            out, cache = os.path.join(work, f"{name}-out"), os.path.join(work, f"{name}-cache")
            for folder in (out, cache):
                shutil.rmtree(folder, ignore_errors=True)
            if tree is None:
                cpu = _children_cpu()
                wall = bench.plain_pelican(archive, out)["seconds"]
                cpu = _children_cpu() - cpu
            else:
                wall, cpu, _ = _run(tree, [bench._CHILD, archive, out], cache)
            runs[name].append((wall, cpu))
            print(f"round {n + 1} {name}: {wall:.1f} s wall, {runs[name][-1][1]:.1f} s CPU", flush=True)
    plain_wall = sum(w for w, _ in runs["plain"])
    plain_cpu = sum(c for _, c in runs["plain"])
    for name, times in runs.items():
        wall, cpu = sum(w for w, _ in times), sum(c for _, c in times)
        each = ", ".join(f"{w / p:.2f}" for (w, _), (p, _) in zip(times, runs["plain"]))
        print(f"{name}: wall sum {wall:.1f} s ({wall / plain_wall:.2f} × plain; rounds {each}), "
              f"CPU sum {cpu:.1f} s ({cpu / plain_cpu:.2f} × plain)")
    return runs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("archive", help="a content folder (it is edited: one document per round)")
    ap.add_argument("checkouts", nargs="+", metavar="NAME=PATH",
                    help="two checkouts, each with its .venv (with --full, one or two)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--full", action="store_true", help="full builds from nothing against plain Pelican")
    ap.add_argument("--work", default=os.path.join(bench.tempfile.gettempdir(), "gazette-pair"))
    args = ap.parse_args(argv)
    trees = [tuple(c.split("=", 1)) for c in args.checkouts]
    if any(len(t) != 2 for t in trees) or len({name for name, _ in trees}) != len(trees) or \
            not (1 if args.full else 2) <= len(trees) <= 2 or "plain" in {name for name, _ in trees}:
        ap.error("each checkout is NAME=PATH (not plain), two different names (with --full, one or two)")
    if args.full:
        full_rounds(args.archive, trees, args.rounds, args.work)
        return 0
    places = {name: (os.path.join(args.work, f"{name}-out"), os.path.join(args.work, f"{name}-cache")) for name, _ in trees}
    for name, tree in trees:
        wall, _ = build(tree, args.archive, *places[name])
        print(f"{name}: warm-up {wall:.2f} s", flush=True)
    walls: dict[str, list[float]] = {name: [] for name, _ in trees}
    for n in range(args.rounds):
        bench.touch_one(args.archive)
        for name, tree in (trees if n % 2 == 0 else trees[::-1]):
            wall, data = build(tree, args.archive, *places[name])
            walls[name].append(wall)
            top = sorted(data["stages"].items(), key=lambda kv: -kv[1]["seconds"])[:5]
            print(f"{name}: {wall:.2f} s  " + ", ".join(f"{k} {v['seconds']:.2f}" for k, v in top), flush=True)
    first = sum(walls[trees[0][0]])
    for name, times in walls.items():
        ordered = sorted(times)
        print(f"{name}: median {ordered[len(ordered) // 2]:.2f} s, sum {sum(times):.2f} s "
              f"({sum(times) / first:.2f} of {trees[0][0]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
