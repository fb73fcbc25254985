#!/usr/bin/env python3
"""The browser's search index alone at archive sizes a full build takes too long for here (50,000).

Makes N records from the real corpus (../shared/corpus/lawrefbook, read in place) the way
scripts/bench_archive.py makes documents (law texts under varied metadata, every other one in
Traditional), writes the index with `gazette.search.browser_index`, puts it beside the search page of
a built site (`--site`, default: the sample site built into the work folder), serves it over HTTP and
asks queries in Chromium: each cold query in a fresh browser context (everything the page and its
worker download for it, counted by the server), following queries on one page, and recall@10 of the
query kinds of scripts/search_quality.py (words apart, title span, body phrase, 文号).

    .venv/bin/python scripts/bench_search_index.py --sizes 1512 10000 50000

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import http.server
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "scripts"))

import bench_archive  # noqa: E402
from gazette.search import browser_index  # noqa: E402
from gazette.search.records import SearchRecord  # noqa: E402

STATUSES = ["in_force"] * 18 + ["repealed", "expired"]


def make_records(n: int, seed: int = 7) -> list[SearchRecord]:
    from opencc import OpenCC

    s2t = OpenCC("s2t")
    rnd = random.Random(seed)
    laws = [bench_archive.read_law(p) for p in bench_archive.corpus_files()]
    trad: dict[int, tuple[str, str]] = {}
    out = []
    for i in range(n):
        title, body = laws[i % len(laws)]
        if i // len(laws):
            title = f"{title}（临澜市实施细则之{i // len(laws)}）"
        if i % 2:
            if i % len(laws) not in trad:
                trad[i % len(laws)] = (s2t.convert(laws[i % len(laws)][0]), s2t.convert(laws[i % len(laws)][1]))
            body = trad[i % len(laws)][1]
            title = s2t.convert(title)
        y = rnd.randint(1954, 2026)
        doc_type = rnd.choice(bench_archive.TYPES)
        out.append(SearchRecord(
            slug=f"d{y}-{i:06d}", url=f"documents/d{y}-{i:06d}.html", title=title,
            date=f"{y:04d}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            doc_number=f"临{rnd.choice(['政', '财', '教', '环'])}{'规' if doc_type in bench_archive.TYPES[:2] else '发'}〔{y}〕{i % 97 + 1}号",
            issuer=[rnd.choice(bench_archive.ISSUERS)], doc_type=doc_type,
            category=bench_archive.CATEGORIES[i % len(bench_archive.CATEGORIES)],
            index_no=f"11339900MB0246801K/{y}-{i:06d}", status=rnd.choice(STATUSES),
            script="zh-Hant" if i % 2 else "zh-Hans", body=body))
    return out


MAX_MATCHES = 5  # a query is kept when at most this many of the corpus's laws match it (as search_quality.py),


def queries(records: list[SearchRecord], count: int, seed: int = 11) -> list[dict]:
    """Queries of the quality script's kinds, each with the record it should find. The synthetic
    archive repeats the corpus (a law's copies differ in title suffix and metadata), so a query counts
    as found when any copy of its law (`group`) is in the top 10; and a query is kept only when few
    laws of the corpus match it, so that a perfect engine could rank its law in the top 10."""
    from gazette.chinese import t2s, to_traditional
    from gazette.search import ranking
    from gazette.search.normalise import fold_text

    laws = [bench_archive.read_law(p) for p in bench_archive.corpus_files()]
    # ... and fewer where the archive holds each law several times: at most ten matching records
    limit = max(1, min(MAX_MATCHES, 10 // -(-len(records) // len(laws))))
    titles = [fold_text(t) for t, _ in laws]
    bodies = [fold_text(re.sub(r"\s+", "", b)) for _, b in laws]

    def few(q: str, texts: list[str], words: bool = False) -> bool:
        qt, folded = ranking.query_terms(q), fold_text(q)
        hits = 0
        for t in texts:
            if (ranking.coverage(qt, ranking.terms_in(qt, t))[0] if words else folded in t):
                hits += 1
                if hits > limit:
                    return False
        return hits > 0

    rnd = random.Random(seed)
    out = []
    for r in rnd.sample(records, min(count, len(records))):
        group = int(r.slug.rsplit("-", 1)[1]) % len(laws)
        title, body = laws[group]
        simple = t2s(title)
        m = re.match(r"^(?:中华人民共和国|.{0,6}?(?:省|市|自治区))?(.{2,4}?).{2,}?(规定|办法|条例|细则|决定|意见|通知|法)$", simple)
        if m and few(m.group(1) + m.group(2), titles, words=True):
            out.append({"kind": "apart", "q": m.group(1) + m.group(2), "group": group})
        if len(title) >= 8:
            at = rnd.randrange(0, len(title) - 6)
            span = title[at:at + 6]
            if few(span, titles):
                out.append({"kind": "title", "q": to_traditional(span) if rnd.random() < .5 else span, "group": group})
        flat = re.sub(r"\s+", "", body)
        if len(flat) > 200:
            at = rnd.randrange(50, len(flat) - 20)
            phrase = flat[at:at + 12]
            if few(phrase, bodies):
                out.append({"kind": "body", "q": to_traditional(phrase) if rnd.random() < .5 else phrase,
                            "group": group})
        out.append({"kind": "number", "q": r.doc_number.replace("〔", "[").replace("〕", "]"), "slug": r.slug})
    return out


@functools.lru_cache(maxsize=None)
def laws_count() -> int:
    return len(bench_archive.corpus_files())


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    counter = {"bytes": 0}
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        data = source.read()
        with self.lock:
            self.counter["bytes"] += len(data)
        outputfile.write(data)


QUERY_JS = """async (q) => { const r = await window.gazetteSearch(q, {limit: 10}); return r.map(x => x.url); }"""
READY_JS = """async () => { for (let i = 0; i < 400 && window.gazetteSearchReady === undefined; i++)
  await new Promise(r => setTimeout(r, 25)); await window.gazetteSearchReady; }"""


async def measure(base: str, qs: list[dict], cold_count: int) -> dict:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    out = {"cold": [], "page": [], "following": [], "hits": {}, "ms": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for q in qs[:cold_count]:
            context = await browser.new_context()
            page = await context.new_page()
            CountingHandler.counter["bytes"] = 0
            await page.goto(base + "search.html")
            await page.evaluate(READY_JS)
            await page.wait_for_load_state("networkidle")
            out["page"].append(CountingHandler.counter["bytes"])
            CountingHandler.counter["bytes"] = 0
            await page.evaluate(QUERY_JS, q["q"])
            out["cold"].append(CountingHandler.counter["bytes"])
            await context.close()
        page = await browser.new_page()
        await page.goto(base + "search.html")
        await page.evaluate(READY_JS)
        for n, q in enumerate(qs):
            CountingHandler.counter["bytes"] = 0
            started = time.perf_counter()
            urls = await page.evaluate(QUERY_JS, q["q"])
            out["ms"].append((time.perf_counter() - started) * 1000)
            if n:
                out["following"].append(CountingHandler.counter["bytes"])
            slugs = [u.rsplit("/", 1)[-1].removesuffix(".html") for u in urls]
            if "slug" in q:
                hit = q["slug"] in slugs
            else:
                hit = any(int(s.rsplit("-", 1)[1]) % laws_count() == q["group"] for s in slugs if "-" in s)
            out["hits"].setdefault(q["kind"], []).append(hit)
            if not hit and os.environ.get("BENCH_MISSES"):
                print("missed", q, slugs[:3], file=sys.stderr)
        await browser.close()
    return out


def site_template(work: str) -> str:
    """A built site whose search page and theme the index is put beside (the sample archive)."""
    site = os.path.join(work, "sample-site")
    if not os.path.isfile(os.path.join(site, "search.html")):
        subprocess.run([sys.executable, "-m", "gazette.cli", "build", "--content", os.path.join(ROOT, "content"),
                        "--output", site, "--as-of", "2026-11-22"], check=True, cwd=ROOT)
    return site


def run_size(n: int, work: str, site: str, cold: int, sample: int) -> dict:
    records = make_records(n)
    folder = os.path.join(work, f"site-{n}")
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(site, folder, ignore=shutil.ignore_patterns("search-index", "documents", "scans"))
    # the page's scripts as they are in this checkout (the template site may be older)
    shutil.copytree(os.path.join(ROOT, "theme", "static", "js"), os.path.join(folder, "theme", "js"), dirs_exist_ok=True)
    started = time.perf_counter()
    cpu = time.process_time()
    stats = browser_index.build_browser_index(records, folder)
    build_s, cpu_s = time.perf_counter() - started, time.process_time() - cpu
    qs = queries(records, sample)
    del records
    handler = functools.partial(CountingHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        m = asyncio.run(measure(f"http://127.0.0.1:{server.server_address[1]}/", qs, cold))
    finally:
        server.shutdown()
    cold_sorted = sorted(m["cold"])
    return {
        "documents": n, "index_s": round(build_s, 1), "index_cpu_s": round(cpu_s, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "index_mb": round(stats.bundle_bytes / 2**20, 1),
        "page_kb": round(statistics.median(m["page"]) / 1024, 1),
        "cold_median_kb": round(statistics.median(cold_sorted) / 1024, 1),
        "cold_p95_kb": round(cold_sorted[min(len(cold_sorted) - 1, int(len(cold_sorted) * .95))] / 1024, 1),
        "following_median_kb": round(statistics.median(m["following"]) / 1024, 1),
        "query_ms_median": round(statistics.median(m["ms"])),
        "recall@10": {k: round(sum(v) / len(v), 3) for k, v in sorted(m["hits"].items())},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1512, 10000, 50000])
    ap.add_argument("--work", default="/tmp/gazette-bench-index")
    ap.add_argument("--cold", type=int, default=20, help="cold queries (a fresh browser each)")
    ap.add_argument("--sample", type=int, default=60, help="records queries are made from")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    site = site_template(args.work)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    for n in args.sizes:
        # One process per size: peak memory is that size's alone.
        if len(args.sizes) > 1:
            subprocess.run([sys.executable, __file__, "--sizes", str(n), "--work", args.work,
                            "--cold", str(args.cold), "--sample", str(args.sample)], check=True)
            continue
        print(run_size(n, args.work, site, args.cold, args.sample), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
