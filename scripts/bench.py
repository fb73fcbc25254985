#!/usr/bin/env python3
"""Build benchmark: Gazette against plain Pelican on the same Markdown, at several archive sizes.

    .venv/bin/python scripts/bench.py                           # 1,512, 10,000 and 50,000 documents
    .venv/bin/python scripts/bench.py --sizes 10000 --json bench.json
    .venv/bin/python scripts/bench.py --sizes 1512 --full-only  # one size, full build and browser only
    .venv/bin/python scripts/bench.py --sizes 1512 --no-queries # one size, builds only

For each size: a synthetic archive made from ../shared/corpus/lawrefbook (scripts/bench_archive.py;
at 1,512 each corpus law once); a full Gazette build (per stage: wall time and peak memory of the
process tree, Pagefind included); a no-change rebuild; a rebuild after editing one document and
after adding one (`--full-only`: the full build alone); plain Pelican 4 with its default
theme and no plugins on the same Markdown as the baseline; output size and browser-index size; and,
when Chromium is present (scripts/bench_browser.py), bytes per cold query (fresh browser context,
everything the page and its worker fetch, counted at the server, median and p95 over at least 20
queries of the kinds of scripts/bench_queries.py), bytes per following query on the same page, and
recall@10 of the browser and of `gazette search` (on CLI_QUERIES of them). Each build runs in a fresh process so memory
figures do not mix. Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import bench_archive  # noqa: E402

PY = sys.executable

# Ends as `gazette build` does (gazette.cli.leave: no interpreter teardown), so the wall time is the command's.
_CHILD = r"""
import json, resource, sys, time
from gazette.build import build_site
from gazette.cli import leave
t = time.perf_counter()
r = build_site(sys.argv[1], sys.argv[2], as_of="2026-11-22", lenient=True)
own = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": time.perf_counter() - t, "stages": r.timings.as_dict(),
                  "cpu_main": own.ru_utime + own.ru_stime,
                  "rendered": r.pages_rendered, "kept": r.pages_kept, "written": r.files_written}))
leave(0)
"""

_PLAIN_CONF = """
PATH = {path!r}
ARTICLE_PATHS = ["documents"]
PAGE_PATHS = []
OUTPUT_PATH = {out!r}
SITENAME = "plain"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
RELATIVE_URLS = True
SLUGIFY_SOURCE = "basename"
"""


def run_measured(cmd: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS bytes of the child tree as reported by wait4, stdout)."""
    t = time.perf_counter()
    # Python's default bytecode caching, as a user's shell has it (this project's machines set
    # PYTHONDONTWRITEBYTECODE, which made every run compile Gazette's 70 modules again: 0.1 s).
    env = {k: v for k, v in (env or os.environ).items() if k != "PYTHONDONTWRITEBYTECODE"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
    out, err = proc.communicate()
    seconds = time.perf_counter() - t
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])}… failed:\n{err[-3000:]}")
    import resource

    # ru_maxrss of children is the largest single descendant; our own sampler adds Pagefind's process.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return seconds, peak, out


def du(path: str) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total


def gazette_build(content: str, output: str, cache: str, memory: bool = False) -> dict:
    """One build in a fresh process; `memory`: its peak memory sampled (gazette.timing: only the full
    build's is reported, and the samples cost the rebuilds a tenth of their time)."""
    from gazette.timing import MEMORY_SWITCH

    env = dict(os.environ, GAZETTE_CACHE_DIR=cache, **{MEMORY_SWITCH: "1" if memory else "0"})
    seconds, largest, out = run_measured([PY, "-c", _CHILD, content, output], env)
    data = json.loads(out.strip().splitlines()[-1])
    data["wall"] = seconds
    # Peak memory of the whole process tree (PSS, sampled per stage: gazette.timing) and, as a
    # cross-check, the largest resident set any single child process of this script has reached so far.
    # (a no-change build that answers from its record has no stage)
    data["peak_mb"] = max((s["peak_mb"] for s in data["stages"].values()), default=None) if memory else None
    data["largest_process_mb"] = largest / 2**20
    return data


def plain_pelican(content: str, output: str) -> dict:
    conf = os.path.join(tempfile.mkdtemp(), "plainconf.py")
    with open(conf, "w") as f:
        f.write(_PLAIN_CONF.format(path=content, out=output))
    pelican = os.path.join(os.path.dirname(PY), "pelican")
    code = ("import resource, subprocess, sys, json, time; t=time.perf_counter(); "
            "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
            "print(json.dumps({'seconds': time.perf_counter()-t, "
            "'peak_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024}))")
    _, _, out = run_measured([PY, "-c", code, pelican, "-s", conf, "-q"])
    return json.loads(out.strip().splitlines()[-1])


CLI_QUERIES = 300  # `gazette search` takes 0.2 s a query at 1,512 documents and more with the archive


def browser_figures(content: str, output: str, cache: str, cold: int) -> dict | None:
    """Queries of every kind made from this archive (scripts/bench_queries.py): `cold` of them each in a fresh
    browser (page + worker bytes counted at the server, median and p95; then a following query on the same
    page), and recall@10 of the browser over a sample of 100 documents' queries (and 100 issues'), of
    `gazette search` over CLI_QUERIES of them (and its time per query, one process for all)."""
    import datetime as dt
    import glob

    import bench_browser
    import bench_queries
    import search_quality

    if not os.path.exists(os.path.join(output, "search.html")):
        return None
    t = time.perf_counter()
    docs, issues = bench_queries.load_docs(content, dt.date(2026, 11, 22))
    queries = bench_queries.derive_queries(docs, issues, 100, 4)
    texts = [q["q"] for q in queries]
    import random

    picked = random.Random(4).sample(texts, min(max(cold, 20), len(texts)))
    print(f"    {len(queries)} queries derived ({time.perf_counter() - t:.0f} s); {len(picked)} cold…", flush=True)
    with bench_browser.Site(output) as site:
        rows = bench_browser.run_cold(site, bench_browser.GAZETTE, picked, following=picked[1:] + picked[:1])
        print(f"    warm ({time.perf_counter() - t:.0f} s)…", flush=True)
        warm = bench_browser.run_warm(site, bench_browser.GAZETTE, texts)
    out = bench_browser.cold_summary(rows)
    out["recall_browser"] = bench_queries.summarise(queries, [[x["url"] for x in r["results"]] for r in warm], docs)
    whoosh = glob.glob(os.path.join(cache, "*", "whoosh"))
    if whoosh:
        print(f"    gazette search ({time.perf_counter() - t:.0f} s)…", flush=True)
        asked = random.Random(4).sample(queries, min(CLI_QUERIES, len(queries)))
        started = time.perf_counter()
        answers = search_quality.run_cli(whoosh[0], asked)
        out["cli_seconds_per_query"] = (time.perf_counter() - started) / max(1, len(asked))
        out["recall_cli"] = bench_queries.summarise(asked, answers, docs)
    out["seconds"] = time.perf_counter() - t
    return out


def browser_index_bytes(out: str) -> int:
    """Bytes of the browser search index: files the build writes for search (not pages, scans, PDFs,
    feeds or open data), found by what they are, not by an engine's folder name."""
    keep = (".json", ".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter", ".pagefind", ".wasm", ".bin", ".idx")
    skip = {"catalogue.json", "issues.json"}
    total = 0
    for dirpath, dirs, files in os.walk(out):
        rel = os.path.relpath(dirpath, out)
        if rel.split(os.sep)[0] in ("documents", "issues", "scans", "pdf", "feeds", "browse", "eli", "works", "validity"):
            dirs[:] = []
            continue
        total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files
                     if f.endswith(keep) and f not in skip and not f.endswith((".br", ".gz")))
    return total


def touch_one(content: str) -> str:
    """Edit one document's body (as a publisher correcting a typo)."""
    docs = os.path.join(content, "documents")
    year = sorted(os.listdir(docs))[len(os.listdir(docs)) // 2]
    path = os.path.join(docs, year, sorted(os.listdir(os.path.join(docs, year)))[0])
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\n（{time.time():.0f} 勘误）\n")
    return path


def add_one(content: str) -> str:
    path = os.path.join(content, "documents", "2026", "bench-new.md")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("title: 临澜市关于新增基准测试文件的通知\ndate: 2026-11-20\ndoc_number: 临政发〔2026〕999号\n"
                "issuer: 临澜市人民政府\ndoc_type: 通知\n\n第一条　本通知自发布之日起施行。\n")
    return path


def bench_size(n: int, work: str, queries: bool, full_only: bool = False, cold: int = 20) -> dict:
    content = os.path.join(work, f"archive-{n}")
    if not os.path.isdir(content):
        print(f"  making a {n}-document archive…", flush=True)
        bench_archive.make_archive(n, content)
    out, cache, plain_out = (os.path.join(work, f"{x}-{n}") for x in ("out", "cache", "plain"))
    for d in (out, cache, plain_out):
        shutil.rmtree(d, ignore_errors=True)
    row: dict = {"documents": n}
    print("  plain Pelican…", flush=True)
    row["plain"] = plain_pelican(content, plain_out)
    print("  full build…", flush=True)
    row["full"] = gazette_build(content, out, cache, memory=True)
    row["output_mb"] = du(out) / 2**20
    # Whatever the index's files are called: everything under the output but the pages, scans and PDFs.
    row["browser_index_mb"] = browser_index_bytes(out) / 2**20
    if full_only:
        if queries:
            print("  browser queries…", flush=True)
            row["query"] = browser_figures(content, out, cache, cold)
        return row
    print("  no-change rebuild…", flush=True)
    row["noop"] = gazette_build(content, out, cache)
    print("  rebuild after editing one document…", flush=True)
    touch_one(content)
    row["edit_one"] = gazette_build(content, out, cache)
    print("  rebuild after adding one document…", flush=True)
    added = add_one(content)
    row["add_one"] = gazette_build(content, out, cache)
    os.remove(added)
    if queries:
        print("  browser queries…", flush=True)
        row["query"] = browser_figures(content, out, cache, cold)
    return row


def print_table(rows: list[dict]) -> None:
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    head = f"{'docs':>7} {'plain s':>8} {'full s':>8} {'×plain':>7} {'peak MB':>8} {'edit1 s':>8} {'%full':>6} {'add1 s':>7} {'noop s':>7} {'out MB':>8} {'idx MB':>7} {'coldKB':>7} {'p95':>6} {'nextKB':>7} {'rec@10':>6}"
    print(head)
    nothing = {"wall": float("nan"), "stages": {}}
    nan = float("nan")
    for r in rows:
        q = r.get("query") or {}
        edit, add, noop = (r.get(k, nothing) for k in ("edit_one", "add_one", "noop"))
        print(f"{r['documents']:>7} {r['plain']['seconds']:>8.1f} {r['full']['wall']:>8.1f} "
              f"{r['full']['wall'] / r['plain']['seconds']:>7.2f} {r['full']['peak_mb']:>8.0f} "
              f"{edit['wall']:>8.1f} {100 * edit['wall'] / r['full']['wall']:>5.0f}% "
              f"{add['wall']:>7.1f} {noop['wall']:>7.1f} {r['output_mb']:>8.0f} "
              f"{r['browser_index_mb']:>7.1f} {q.get('cold_kb_median', nan):>7.0f} {q.get('cold_kb_p95', nan):>6.0f} "
              f"{q.get('next_kb_median', nan):>7.1f} {q.get('recall_browser', {}).get('all/all', {}).get('recall', nan):>6.2f}")
    for r in rows:
        print(f"\nstages, {r['documents']} documents (full build / edit one):")
        for name, s in r["full"]["stages"].items():
            e = r.get("edit_one", nothing)["stages"].get(name, {"seconds": 0})
            print(f"  {name:<24}{s['seconds']:>8.2f} s {s['peak_mb']:>8.0f} MB   {e['seconds']:>7.2f} s")
        print(f"  plain Pelican: {r['plain']['seconds']:.1f} s, peak {r['plain']['peak_mb']:.0f} MB")
        if (r.get("query") or {}).get("cli_seconds_per_query") is not None:
            q = r["query"]
            print(f"  gazette search: {q['cli_seconds_per_query']:.2f} s a query, recall@10 "
                  f"{q['recall_cli'].get('all/all', {}).get('recall', float('nan')):.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1512, 10000, 50000],
                    help="archive sizes (1,512 = each corpus law once; default 1512 10000 50000)")
    ap.add_argument("--cold", type=int, default=20, help="queries run each in a fresh browser (at least 20)")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "gazette-bench"))
    ap.add_argument("--json", default="bench.json", help="where to write the figures")
    ap.add_argument("--no-queries", action="store_true", help="skip the browser query measurement")
    ap.add_argument("--full-only", action="store_true", help="only the full build (no rebuilds)")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rows = []
    for n in args.sizes:
        print(f"{n} documents:", flush=True)
        rows.append(bench_size(n, args.work, not args.no_queries, args.full_only, args.cold))
        print_table(rows)
    with open(args.json, "w") as f:
        json.dump({"machine": {"cpu_count": os.cpu_count(), "platform": platform.platform()}, "rows": rows}, f,
                  indent=1, ensure_ascii=False)
    print(f"\nfigures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
