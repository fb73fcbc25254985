#!/usr/bin/env python3
"""Two-partition build, measured: the way a very large archive is built in parallel CI jobs.

    .venv/bin/python scripts/bench_partitions.py --size 1000

Makes (or reuses) a synthetic archive (scripts/bench_archive.py), builds it once whole, then as two
partitions (1950-1989 and 1990-2029) run at the same time in two processes, merges their outputs and
runs the assembly; reports the times and checks that the assembled site equals the whole one
(search shards compared by the fingerprint of their records, as in tests/test_partitions.py).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "tests"))
import bench_archive  # noqa: E402

GAZETTE = os.path.join(os.path.dirname(sys.executable), "gazette")


def build(*args: str, env: dict) -> subprocess.Popen:
    return subprocess.Popen([GAZETTE, "build", "--as-of", "2026-11-22", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def finish(*procs: subprocess.Popen) -> None:
    for p in procs:
        _, err = p.communicate()
        if p.returncode:
            sys.exit(f"build failed:\n{err[-2000:]}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "gazette-bench"))
    args = ap.parse_args()
    content = os.path.join(args.work, f"archive-{args.size}")
    if not os.path.isdir(content):
        bench_archive.make_archive(args.size, content)
    work = tempfile.mkdtemp(prefix="partitions-", dir=args.work)
    env = dict(os.environ, GAZETTE_CACHE_DIR=os.path.join(work, "cache-whole"))
    t = time.perf_counter()
    finish(build("--content", content, "--output", os.path.join(work, "whole"), env=env))
    whole = time.perf_counter() - t

    # Each job has a cache of its own, as separate CI machines would.
    t = time.perf_counter()
    jobs = [build("--content", content, "--output", os.path.join(work, name), "--partition", years,
                  env=dict(os.environ, GAZETTE_CACHE_DIR=os.path.join(work, f"cache-{name}")))
            for name, years in (("part-a", "1950-1989"), ("part-b", "1990-2029"))]
    finish(*jobs)
    parts = time.perf_counter() - t
    site = os.path.join(work, "site")
    for name in ("part-a", "part-b"):
        shutil.copytree(os.path.join(work, name), site, dirs_exist_ok=True)
    t = time.perf_counter()
    finish(build("--content", content, "--output", site, "--assemble",
                 env=dict(os.environ, GAZETTE_CACHE_DIR=os.path.join(work, "cache-assemble"))))
    assemble = time.perf_counter() - t

    from test_incremental import comparable, tree  # noqa: PLC0415

    a, b = comparable(tree(os.path.join(work, "whole"))), comparable(tree(site))
    same = sorted(a) == sorted(b) and all(a[k] == b[k] for k in a)
    print(f"{args.size} documents, {os.cpu_count()} cores")
    print(f"  whole build:                    {whole:7.1f} s")
    print(f"  two partitions (in parallel):   {parts:7.1f} s")
    print(f"  assembly:                       {assemble:7.1f} s")
    print(f"  assembled site equals whole:    {'yes' if same else 'NO'}")
    shutil.rmtree(work, ignore_errors=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
