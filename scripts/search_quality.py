#!/usr/bin/env python3
"""Search quality and cost: our browser search, plain Pagefind and `gazette search`, on the corpus or the sample.

--archive corpus builds an archive from ../shared/corpus/lawrefbook (read in place) with every other
document converted to Traditional characters; --archive sample uses content/. The site is built with
`gazette build` (browser index and Whoosh index) and served from a sub-path; plain Pagefind indexes
the same document pages (extended build, one `zh` index, its own segmenter) as the baseline column.
Queries are made from the documents (scripts/bench_queries.py: words apart, title span, body
phrase, 文号 spellings, issue, metadata; each in both scripts) and asked through
`window.gazetteSearch` on search.html (scripts/bench_browser.py), through plain Pagefind, and
through the function behind `gazette search --json`. Reports recall@10 and MRR per engine, kind and
same/cross script, in-force-first violations, and bytes per cold and per following query.

    .venv/bin/python scripts/search_quality.py [--archive sample] [--sample 300] [--json figures.json]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import glob
import json
import os
import random
import resource
import shutil
import sys
import time
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from gazette.chinese import to_traditional  # noqa: E402

import bench_browser  # noqa: E402
import bench_queries  # noqa: E402

CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "lawrefbook"))
SUB = bench_browser.SUB


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
def build(content: str, work: str, as_of: dt.date = dt.date(2025, 6, 1)) -> dict:
    from gazette.build import build_site

    output = os.path.join(work, "served", SUB)
    started = time.perf_counter()
    result = build_site(content, output, as_of=as_of, lenient=True,
                        extra_settings={"GAZETTE_CACHE_DIR": os.path.join(work, "cache")})
    return {"output": output, "documents": result.documents, "build_s": time.perf_counter() - started}


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


# -- 3. engines (queries and scoring: scripts/bench_queries.py; browser: scripts/bench_browser.py) --------
PLAIN = bench_browser.Engine("plain Pagefind", page="plain.html", ready="""async () => {
  window.pf = await import(new URL('pagefind-plain/pagefind.js', location.href).href); await window.pf.init(); }""",
  query="""async ([q, filters]) => { const t = performance.now(); const r = await window.pf.search(q);
  const data = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
  return {ms: performance.now() - t, results: data.map(d => ({url: d.url, status: '', match: null}))}; }""")


def run_cli(index_dir: str, queries) -> list[list[str]]:
    """`gazette search --json`'s answers, through its Python function (one process for all queries)."""
    from gazette.search.whoosh_index import search

    out = []
    for q in queries:
        out.append([r["url"] for r in search(index_dir, q["q"], limit=10).as_json()["results"]])
    return out


def measure(output: str, index_dir: str, queries, plain: bool, cold: int, seed: int) -> dict:
    """Ask every engine every query; {engine: summary}, plus cold-query figures under "cold"."""
    results, cold_rows = {}, {}
    texts = [q["q"] for q in queries]
    with bench_browser.Site(output) as site:
        engines = [bench_browser.GAZETTE] + ([PLAIN] if plain else [])
        for engine in engines:
            rows = bench_browser.run_warm(site, engine, texts, progress=engine.name)
            failed = sum(1 for r in rows if "error" in r)
            if failed:
                print(f"  {engine.name}: {failed} queries failed, e.g. {next(r['error'] for r in rows if 'error' in r)}")
            results[engine.name] = bench_queries.summarise(queries, [[x["url"] for x in r["results"]] for r in rows],
                                                            DOCS[0])
        if cold:
            picked = random.Random(seed).sample(texts, min(cold, len(texts)))
            for engine in engines:
                cold_rows[engine.name] = bench_browser.cold_summary(
                    bench_browser.run_cold(site, engine, picked, following=picked[1:] + picked[:1]))
    if index_dir and os.path.isdir(index_dir):
        results["gazette search"] = bench_queries.summarise(queries, run_cli(index_dir, queries), DOCS[0])
    return {"quality": results, "cold": cold_rows}


DOCS: list = [None]


def reindex(work: str, output: str) -> None:
    """Rebuild only our search indexes and page scripts in an existing build (after changing them)."""
    from gazette.archive import load_archive
    from gazette.search.indexing import build_indexes
    from gazette.site import SiteModel
    from gazette.validity import ValiditySettings

    for name in ("search.js", "search-worker.js", "search-rules.js"):
        shutil.copy(os.path.join(ROOT, "theme", "static", "js", name), os.path.join(output, "theme", "js", name))
    model = SiteModel.build(load_archive(os.path.join(work, "content")), dt.date(2025, 6, 1), ValiditySettings())
    started = time.perf_counter()
    from gazette.project import load_project

    build_indexes(model, load_project(os.path.join(work, "content"), output,
                                      extra={"GAZETTE_CACHE_DIR": os.path.join(work, "cache")}, find_settings=False))
    # The precompressed copies a host would serve, as the build makes them (stale ones would be served instead).
    from gazette.publishing.compress import compress_tree

    compress_tree(output, only=("theme", "search-index"))
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"reindex: both indexes in {time.perf_counter() - started:.1f} s, largest child process {kids:.0f} MB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--archive", choices=("corpus", "sample"), default="corpus",
                    help="corpus: ../shared/corpus (every other document in Traditional); sample: content/")
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--work", default="/tmp/gazette-search-quality")
    ap.add_argument("--sample", type=int, default=300, help="documents to derive queries from (default 300)")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--kinds", nargs="+", choices=bench_queries.KINDS, default=list(bench_queries.KINDS))
    ap.add_argument("--reuse", action="store_true", help="reuse an archive and build already in --work")
    ap.add_argument("--reindex", action="store_true", help="with --reuse: rebuild our indexes and page scripts first")
    ap.add_argument("--no-plain", action="store_true", help="skip plain Pagefind (the baseline column)")
    ap.add_argument("--cold", type=int, default=20, help="queries also run each in a fresh browser (default 20)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    work = args.work
    content = os.path.join(work, "content") if args.archive == "corpus" else os.path.join(ROOT, "content")
    output = os.path.join(work, "served", SUB)
    as_of = dt.date(2025, 6, 1) if args.archive == "corpus" else dt.date(2026, 11, 22)
    if args.archive == "corpus" and not os.path.isdir(args.corpus):
        print(f"corpus not found at {args.corpus}; nothing to measure", file=sys.stderr)
        return 0
    if not args.reuse:
        shutil.rmtree(work, ignore_errors=True)
        if args.archive == "corpus":
            t = time.perf_counter()
            n = make_archive(args.corpus, content)
            print(f"archive: {n} documents written in {time.perf_counter() - t:.1f} s (odd-numbered ones in Traditional)")
        b = build(content, work, as_of)
        print(f"gazette build: {b['documents']} documents in {b['build_s']:.1f} s")
        if not args.no_plain:
            pl = build_plain_pagefind(output)
            print(f"plain Pagefind over the same pages: {pl['plain_s']:.1f} s ({pl['plain_mb']:.1f} MB)")
    if args.reuse and args.reindex:
        reindex(work, output)
    docs, issues = bench_queries.load_docs(content, as_of)
    DOCS[0] = docs
    queries = bench_queries.derive_queries(docs, issues, args.sample, args.seed, args.kinds)
    kinds = defaultdict(int)
    for q in queries:
        kinds[q["kind"]] += 1
    print(f"queries: {len(queries)} from {min(args.sample, len(docs))} sampled documents ({dict(kinds)}), "
          f"each in both scripts; load {os.getloadavg()[0]:.2f}")
    # The build keeps its cache per archive under GAZETTE_CACHE_DIR (a hashed folder).
    whoosh = sorted(glob.glob(os.path.join(work, "cache", "*", "whoosh")) + glob.glob(os.path.join(work, "cache", "whoosh")))
    figures = measure(output, whoosh[0] if whoosh else "", queries, not args.no_plain, args.cold, args.seed)
    bench_queries.print_table(figures["quality"])
    if figures["cold"]:
        print(f"\nfresh browser per query ({args.cold} queries; KB = 1,000 bytes counted at the server, "
              "precompressed where the build wrote .br); next = a following query on the same page")
        print(bench_browser.COLD_HEADER)
        for name, c in figures["cold"].items():
            bench_browser.print_cold(name, c)
    print(f"load after: {os.getloadavg()[0]:.2f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
