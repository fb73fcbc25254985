"""Edit-one rebuilds of two checkouts side by side, on one archive: the figure to read on a shared machine.

    .venv/bin/python scripts/bench_pair.py ARCHIVE OLD=/path/to/old-checkout NEW=. --rounds 8

Each checkout (a clone with its own `.venv`, e.g. `git clone -q . /tmp/old && cd /tmp/old && git checkout
<commit> && python3 -m venv .venv && .venv/bin/pip install -q -e .`) builds into its own output and cache
under --work: first a warm-up build (a full one the first time, or after a change of code), then, each
round, one document of ARCHIVE is edited (scripts/bench.py touch_one) and each checkout rebuilds, the
order alternating between rounds. Every build runs in a fresh process, as `gazette build` does; the wall
time is the whole process's. Prints each build's time and its largest stages, then per checkout the
median and the sum, and the sum's ratio to the first checkout's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def build(tree: str, archive: str, out: str, cache: str) -> tuple[float, dict]:
    python = os.path.join(tree, ".venv", "bin", "python")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as bench.run_measured
    env.update(GAZETTE_CACHE_DIR=cache, GAZETTE_MEASURE_MEMORY="0")
    started = time.perf_counter()
    done = subprocess.run([python if os.path.exists(python) else sys.executable, "-c", bench._CHILD, archive, out],
                          capture_output=True, text=True, cwd=tree, env=env)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"build in {tree} failed:\n{done.stderr[-3000:]}")
    return wall, json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("archive", help="a content folder (it is edited: one document per round)")
    ap.add_argument("checkouts", nargs=2, metavar="NAME=PATH", help="two checkouts, each with its .venv")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--work", default=os.path.join(bench.tempfile.gettempdir(), "gazette-pair"))
    args = ap.parse_args(argv)
    trees = [tuple(c.split("=", 1)) for c in args.checkouts]
    if any(len(t) != 2 for t in trees) or trees[0][0] == trees[1][0]:
        ap.error("each checkout is NAME=PATH, two different names")
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
