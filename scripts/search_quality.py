#!/usr/bin/env python3
"""Search quality and cost on the LawRefBook corpus: our browser search, plain Pagefind, `gazette search`.

Builds an archive from ../shared/corpus/lawrefbook (read in place) with every other document
converted to Traditional characters, builds the site with `gazette build` (which writes our
Pagefind bundle and the Whoosh index), and indexes the same document pages with plain Pagefind
(extended build, one `zh` index, its own segmenter). Queries are derived from sampled documents:
a title phrase, a body phrase (each occurring in at most MAX_DOCS documents, so a perfect engine
can rank the source in the top 10), and the document number respelled (〔〕→[], full-width
digits). Each is asked in Simplified and in Traditional. Reports recall@10 and MRR@10 per engine,
query kind and same/cross script, plus browser latency and bytes downloaded per query (counted by
the HTTP server, so the worker's requests are included and cached files are not).

    .venv/bin/python scripts/search_quality.py [--sample 300] [--work /tmp/gazette-quality]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import http.server
import os
import random
import re
import resource
import shutil
import statistics
import sys
import threading
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from gazette.chinese import t2s, to_traditional  # noqa: E402
from gazette.search.normalise import fold_text  # noqa: E402

CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "lawrefbook"))
SUB = "sub/site"
MAX_DOCS = 5
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


# -- 1. the archive ------------------------------------------------------------------------
def make_archive(corpus: str, content: str) -> int:
    """One content file per corpus file; odd-numbered ones converted to Traditional."""
    from gazette.importer.sources import Source
    from gazette.importer.textcoll import read_collection_file
    from gazette.importer.writer import render

    paths = sorted(os.path.join(d, n) for d, _, ns in os.walk(corpus) for n in ns if n.endswith(".md"))
    os.makedirs(os.path.join(content, "documents"), exist_ok=True)
    written = 0
    for i, path in enumerate(paths):
        draft = read_collection_file(Source(path=path, identity=os.path.relpath(path, corpus)))
        meta, body = dict(draft.meta), draft.body
        if "title" not in meta:
            continue
        meta.setdefault("date", "2000-01-01")
        meta["doc_type"] = os.path.relpath(path, corpus).split(os.sep)[0]
        if i % 2:
            meta = {k: (to_traditional(v) if k in ("title", "doc_number", "issuer", "doc_type") else v)
                    for k, v in meta.items()}
            body = to_traditional(body)
            meta["script"] = "zh-Hant"
        else:
            meta["script"] = "zh-Hans"
        with open(os.path.join(content, "documents", f"law-{i:04d}.md"), "w", encoding="utf-8") as f:
            f.write(render(meta, body))
        written += 1
    return written


# -- 2. the indexes ------------------------------------------------------------------------
def build(content: str, work: str) -> dict:
    from gazette.build import build_site

    output = os.path.join(work, "served", SUB)
    started = time.perf_counter()
    result = build_site(content, output, as_of=dt.date(2025, 6, 1), lenient=True,
                        extra_settings={"GAZETTE_CACHE_DIR": os.path.join(work, "cache")})
    return {"output": output, "documents": result.documents, "build_s": time.perf_counter() - started}


def time_our_indexes(output: str, work: str) -> dict:
    """Rebuild both of our indexes alone, to time them apart from the page build."""
    from gazette.archive import load_archive
    from gazette.search.pagefind_index import build_browser_index
    from gazette.search.whoosh_index import update_index
    from gazette.search.records import records_from_site
    from gazette.site import SiteModel
    from gazette.validity import ValiditySettings

    model = SiteModel.build(load_archive(os.path.join(work, "content")), dt.date(2025, 6, 1), ValiditySettings())
    t = time.perf_counter()
    records = records_from_site(model)
    t_records = time.perf_counter() - t
    scratch = os.path.join(work, "scratch")
    t = time.perf_counter()
    stats = build_browser_index(records, scratch)
    t_browser = time.perf_counter() - t
    shutil.rmtree(os.path.join(work, "scratch-whoosh"), ignore_errors=True)
    t = time.perf_counter()
    update_index(records, os.path.join(work, "scratch-whoosh"))
    t_whoosh = time.perf_counter() - t
    return {"records_s": t_records, "pagefind_s": t_browser, "whoosh_s": t_whoosh, "bundle_mb": stats.bundle_bytes / 1e6}


def build_plain_pagefind(output: str) -> dict:
    """Plain Pagefind over the same document pages: its own HTML reading and segmentation, one zh index."""
    from pagefind.index import IndexConfig, PagefindIndex

    bundle = os.path.join(output, "pagefind-plain")
    shutil.rmtree(bundle, ignore_errors=True)

    async def run():
        async with PagefindIndex(IndexConfig(output_path=bundle, force_language="zh")) as index:
            await index.add_directory(output, glob="documents/*.html")

    started = time.perf_counter()
    asyncio.run(run())
    size = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(bundle) for n in ns)
    with open(os.path.join(output, "plain.html"), "w", encoding="utf-8") as f:
        f.write('<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>plain</title></head>'
                "<body></body></html>")
    return {"plain_s": time.perf_counter() - started, "plain_mb": size / 1e6}


# -- 3. queries ----------------------------------------------------------------------------
def load_docs(content: str):
    from gazette.archive import load_archive
    from gazette.render import to_text

    docs = []
    for d in load_archive(content).documents:
        text = to_text(d.body)
        docs.append({"slug": d.slug, "script": d.script, "title": d.title, "number": d.doc_number or "",
                     "body": text, "folded": fold_text(d.title + "\n" + text)})
    return docs


def derive_queries(docs, sample: int, seed: int):
    rng = random.Random(seed)
    folded = [d["folded"] for d in docs]

    def rare(phrase: str) -> bool:
        f = fold_text(phrase)
        return sum(1 for t in folded if f in t) <= MAX_DOCS

    def pick(text: str, length: int, tries: int = 30) -> str | None:
        runs = [r for r in CJK_RUN.findall(text) if len(r) >= length]
        for _ in range(tries if runs else 0):
            run = rng.choice(runs)
            start = rng.randrange(0, len(run) - length + 1)
            phrase = run[start:start + length]
            if rare(phrase):
                return phrase
        return None

    queries = []
    for d in rng.sample(docs, min(sample, len(docs))):
        title_phrase = pick(d["title"], min(6, max((len(r) for r in CJK_RUN.findall(d["title"])), default=0)))
        body_phrase = pick(d["body"], 8)
        number = None
        if d["number"] and re.search(r"\d", d["number"]):
            number = d["number"].replace("〔", "[").replace("〕", "]").translate(
                str.maketrans("0123456789", "０１２３４５６７８９"))
        for kind, phrase in (("title", title_phrase), ("body", body_phrase), ("number", number)):
            if not phrase or (kind != "number" and len(phrase) < 2):
                continue
            simp = t2s(phrase)
            for script, q in (("zh-Hans", simp), ("zh-Hant", to_traditional(simp))):
                queries.append({"slug": d["slug"], "kind": kind, "q": q,
                                "cross": script != d["script"]})
    return queries


# -- 4. engines ----------------------------------------------------------------------------
class CountingHandler(http.server.SimpleHTTPRequestHandler):
    counter = {"bytes": 0, "requests": 0}

    def log_message(self, *args):
        pass

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data)
        self.counter["bytes"] += len(data)
        self.counter["requests"] += 1


def serve(root: str):
    handler = functools.partial(CountingHandler, directory=root)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


async def run_browser(base: str, page_name: str, js: str, queries, label: str) -> dict:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    out = {"ranks": [], "ms": [], "bytes": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        await page.goto(base + page_name)
        if page_name == "search.html":
            for _ in range(200):
                if await page.evaluate("() => window.gazetteSearchReady !== undefined"):
                    break
                await asyncio.sleep(0.05)
            await page.evaluate("() => window.gazetteSearchReady")
        CountingHandler.counter["bytes"] = 0
        first = None
        for n, q in enumerate(queries):
            before = CountingHandler.counter["bytes"]
            r = await page.evaluate(js, q["q"])
            await asyncio.sleep(0)
            spent = CountingHandler.counter["bytes"] - before
            if first is None:
                first = spent
            urls = [u.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html") for u in r["urls"]]
            out["ranks"].append(urls.index(q["slug"]) + 1 if q["slug"] in urls else None)
            out["ms"].append(r["ms"])
            out["bytes"].append(spent)
            if n and n % 200 == 0:
                print(f"  {label}: {n}/{len(queries)} queries", file=sys.stderr)
        out["first_bytes"] = first
        await browser.close()
    return out


async def run_cold(base: str, page_name: str, js: str, queries, init_js: str | None) -> dict:
    """Each query in a fresh browser context: what a reader's first search downloads and waits for."""
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    out = {"start_bytes": [], "bytes": [], "ms": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for q in queries:
            context = await browser.new_context()
            page = await context.new_page()
            CountingHandler.counter["bytes"] = 0
            await page.goto(base + page_name)
            if init_js:
                await page.evaluate(init_js)
            await page.wait_for_load_state("networkidle")
            out["start_bytes"].append(CountingHandler.counter["bytes"])
            CountingHandler.counter["bytes"] = 0
            r = await page.evaluate(js, q["q"])
            out["bytes"].append(CountingHandler.counter["bytes"])
            out["ms"].append(r["ms"])
            await context.close()
        await browser.close()
    return out


OURS_INIT = """async () => { for (let i = 0; i < 200 && window.gazetteSearchReady === undefined; i++)
  await new Promise(r => setTimeout(r, 50)); await window.gazetteSearchReady; }"""
PLAIN_INIT = """async () => { window.pf = await import(new URL('pagefind-plain/pagefind.js', location.href).href);
  await window.pf.init(); }"""
OURS_JS = """async (q) => { const t = performance.now(); const r = await window.gazetteSearch(q, {limit: 10});
  return {ms: performance.now() - t, urls: r.map(x => x.url)}; }"""
PLAIN_JS = """async (q) => { const t = performance.now();
  if (!window.pf) window.pf = await import(new URL('pagefind-plain/pagefind.js', location.href).href);
  const r = await window.pf.search(q); const data = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
  return {ms: performance.now() - t, urls: data.map(d => d.url)}; }"""


def run_cli(index_dir: str, queries) -> dict:
    from gazette.search.whoosh_index import search

    out = {"ranks": [], "ms": []}
    for q in queries:
        t = time.perf_counter()
        hits = search(index_dir, q["q"], limit=10).hits
        out["ms"].append((time.perf_counter() - t) * 1000)
        slugs = [h.slug for h in hits]
        out["ranks"].append(slugs.index(q["slug"]) + 1 if q["slug"] in slugs else None)
    return out


# -- 5. report -----------------------------------------------------------------------------
def metrics(ranks):
    n = len(ranks)
    recall = sum(1 for r in ranks if r and r <= 10) / n if n else float("nan")
    mrr = sum(1 / r for r in ranks if r and r <= 10) / n if n else float("nan")
    return recall, mrr, n


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def report(queries, results: dict) -> None:
    print("\nrecall@10 / MRR@10 (n queries)")
    header = f"{'engine':<16}{'kind':<8}" + "".join(f"{c:>26}" for c in ("same script", "cross script", "all"))
    print(header)
    for engine, res in results.items():
        for kind in ("title", "body", "number", "all"):
            cells = []
            for cross in (False, True, None):
                ranks = [r for q, r in zip(queries, res["ranks"])
                         if (kind == "all" or q["kind"] == kind) and (cross is None or q["cross"] == cross)]
                rec, mrr, n = metrics(ranks)
                cells.append(f"{rec:6.3f} / {mrr:5.3f} ({n:5d})")
            print(f"{engine:<16}{kind:<8}" + "".join(f"{c:>26}" for c in cells))
    print("\nsame browser session, one query after another (files already fetched are not fetched again)")
    print("per query            median ms   p95 ms   median KB   p95 KB   first query KB")
    for engine, res in results.items():
        kb = res.get("bytes")
        line = f"{engine:<20}{statistics.median(res['ms']):9.1f}{pct(res['ms'], 95):9.1f}"
        if kb:
            line += f"{statistics.median(kb) / 1024:12.1f}{pct(kb, 95) / 1024:9.1f}{res['first_bytes'] / 1024:17.1f}"
        print(line)


def reindex(work: str, output: str) -> None:
    """Rebuild only our search indexes and page scripts in an existing build (after changing them)."""
    from gazette.archive import load_archive
    from gazette.search.indexing import build_indexes
    from gazette.site import SiteModel
    from gazette.validity import ValiditySettings

    for name in ("search.js", "search-worker.js"):
        shutil.copy(os.path.join(ROOT, "theme", "static", "js", name), os.path.join(output, "theme", "js", name))
    model = SiteModel.build(load_archive(os.path.join(work, "content")), dt.date(2025, 6, 1), ValiditySettings())
    started = time.perf_counter()
    from gazette.project import load_project

    build_indexes(model, load_project(os.path.join(work, "content"), output,
                                      extra={"GAZETTE_CACHE_DIR": os.path.join(work, "cache")}, find_settings=False))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"reindex: both indexes in {time.perf_counter() - started:.1f} s, Pagefind service peak {kids:.0f} MB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--work", default="/tmp/gazette-search-quality")
    ap.add_argument("--sample", type=int, default=300, help="documents to derive queries from (default 300)")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--reuse", action="store_true", help="reuse an archive and build already in --work")
    ap.add_argument("--reindex", action="store_true", help="with --reuse: rebuild our indexes and page scripts first")
    ap.add_argument("--cold-only", action="store_true", help="skip the long same-session runs")
    ap.add_argument("--cold", type=int, default=40, help="queries also run each in a fresh browser (default 40)")
    args = ap.parse_args()
    if not os.path.isdir(args.corpus):
        print(f"corpus not found at {args.corpus}; nothing to measure", file=sys.stderr)
        return 0
    content = os.path.join(args.work, "content")
    output = os.path.join(args.work, "served", SUB)
    if not args.reuse:
        shutil.rmtree(args.work, ignore_errors=True)
        t = time.perf_counter()
        n = make_archive(args.corpus, content)
        print(f"archive: {n} documents written in {time.perf_counter() - t:.1f} s (odd-numbered ones in Traditional)")
        b = build(content, args.work)
        print(f"gazette build: {b['documents']} documents in {b['build_s']:.1f} s")
        s = time_our_indexes(output, args.work)
        print(f"our indexes alone: records {s['records_s']:.1f} s, Pagefind bundle {s['pagefind_s']:.1f} s "
              f"({s['bundle_mb']:.1f} MB), Whoosh {s['whoosh_s']:.1f} s")
        pl = build_plain_pagefind(output)
        print(f"plain Pagefind over the same pages: {pl['plain_s']:.1f} s ({pl['plain_mb']:.1f} MB)")
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak memory: this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, "
              f"largest child (Pagefind service) {kids:.0f} MB")
    if args.reuse and args.reindex:
        reindex(args.work, output)
    docs = load_docs(content)
    queries = derive_queries(docs, args.sample, args.seed)
    kinds = defaultdict(int)
    for q in queries:
        kinds[q["kind"]] += 1
    print(f"queries: {len(queries)} from {args.sample} sampled documents ({dict(kinds)}), each in both scripts")

    server = serve(os.path.join(args.work, "served"))
    base = f"http://127.0.0.1:{server.server_address[1]}/{SUB}/"
    results = {}
    if not args.cold_only:
        results["ours (browser)"] = asyncio.run(run_browser(base, "search.html", OURS_JS, queries, "ours"))
        results["plain Pagefind"] = asyncio.run(run_browser(base, "plain.html", PLAIN_JS, queries, "plain"))
        results["gazette search"] = run_cli(os.path.join(args.work, "cache", "whoosh"), queries)
    cold_sample = random.Random(args.seed).sample(queries, min(args.cold, len(queries)))
    cold = {"ours (browser)": asyncio.run(run_cold(base, "search.html", OURS_JS, cold_sample, OURS_INIT)),
            "plain Pagefind": asyncio.run(run_cold(base, "plain.html", PLAIN_JS, cold_sample, PLAIN_INIT))}
    server.shutdown()
    if results:
        report(queries, results)
    print(f"\nfresh browser per query ({len(cold_sample)} queries): page + search start-up, then the query itself")
    print("                     start KB   query median KB   p95 KB   median ms   p95 ms")
    for engine, c in cold.items():
        print(f"{engine:<20}{statistics.median(c['start_bytes']) / 1024:9.1f}{statistics.median(c['bytes']) / 1024:18.1f}"
              f"{pct(c['bytes'], 95) / 1024:9.1f}{statistics.median(c['ms']):12.1f}{pct(c['ms'], 95):9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
