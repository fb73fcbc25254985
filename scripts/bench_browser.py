"""Browser side of the search measurements (scripts/search_quality.py, scripts/bench.py).

Serves a built site from a sub-path over HTTP (as many government hosts do) with the build's
precompressed siblings (.br, .gz) when the browser accepts them, as a static host configured for
them would, and counts at the server every response body it sends: so the requests of the search
page's worker are counted with the page's own, and a file the browser already holds (cache hit or
304) costs nothing. Queries go through the page's public entry point only,
`window.gazetteSearch(query, filters)` on search.html, so nothing here depends on the index's files.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import statistics
import tempfile
import threading
import time
import urllib.parse

SUB = "sub/site"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]

# Waits for the page's search to be usable (window.gazetteSearch, and gazetteSearchReady if the page has it).
READY_JS = """async () => {
  for (let i = 0; i < 400 && typeof window.gazetteSearch !== 'function'; i++) await new Promise(r => setTimeout(r, 25));
  if (window.gazetteSearchReady) { try { await window.gazetteSearchReady; } catch (e) {} } }"""
QUERY_JS = """async ([q, filters]) => { const t = performance.now(); const r = await window.gazetteSearch(q, filters);
  return {ms: performance.now() - t, results: r.slice(0, 10).map(x => ({url: x.url, status: x.status || '',
          match: x.match === undefined ? null : x.match, number: x.number || ''}))}; }"""


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.bytes = 0
        self.requests = 0
        self.inflight = 0
        self.last_end = time.monotonic()

    def snapshot(self) -> tuple[int, int]:
        with self.lock:
            return self.bytes, self.requests

    def settle(self, quiet: float = 0.15, limit: float = 5.0) -> None:
        """Wait until no request is in flight and none has ended for `quiet` seconds (late fetches)."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            with self.lock:
                idle = self.inflight == 0 and time.monotonic() - self.last_end >= quiet
            if idle:
                return
            time.sleep(0.02)


class CountingHandler(http.server.SimpleHTTPRequestHandler):
    counter: Counter

    def log_message(self, *args):
        pass

    def do_GET(self):
        with self.counter.lock:
            self.counter.inflight += 1
        try:
            super().do_GET()
        finally:
            with self.counter.lock:
                self.counter.inflight -= 1
                self.counter.last_end = time.monotonic()

    def send_head(self):
        path = self.translate_path(self.path)
        accepted = self.headers.get("Accept-Encoding", "")
        if os.path.isfile(path) and "If-Modified-Since" not in self.headers:
            for suffix, encoding in ((".br", "br"), (".gz", "gzip")):
                if encoding in accepted and os.path.isfile(path + suffix):
                    f = open(path + suffix, "rb")
                    self.send_response(200)
                    self.send_header("Content-Type", self.guess_type(path))
                    self.send_header("Content-Encoding", encoding)
                    self.send_header("Content-Length", str(os.fstat(f.fileno()).st_size))
                    self.send_header("Last-Modified", self.date_time_string(int(os.fstat(f.fileno()).st_mtime)))
                    self.send_header("Vary", "Accept-Encoding")
                    self.end_headers()
                    return f
        return super().send_head()

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data)
        with self.counter.lock:
            self.counter.bytes += len(data)
            self.counter.requests += 1


class Site:
    """A built site served at http://127.0.0.1:PORT/sub/site/ (the output folder linked under a temporary root)."""

    def __init__(self, output: str):
        self.root = tempfile.mkdtemp(prefix="gazette-served-")
        os.makedirs(os.path.join(self.root, os.path.dirname(SUB)))
        os.symlink(os.path.abspath(output), os.path.join(self.root, SUB))
        self.counter = Counter()
        handler = type("Handler", (CountingHandler,), {"counter": self.counter})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      functools.partial(handler, directory=self.root))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/{SUB}/"

    def relative(self, url: str, page: str = "search.html") -> str:
        """A result's URL as a path inside the site (documents/x.html), whatever form the page gives it in."""
        full = urllib.parse.urljoin(self.base + page, url)
        full = full.split("#", 1)[0].split("?", 1)[0]
        path = urllib.parse.unquote(full[len(self.base):] if full.startswith(self.base) else full)
        return path[:-len("index.html")] if path.endswith("/index.html") else path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Engine:
    """How a page is asked: which page, what readies it, what runs one query ([q, filters] → {ms, results})."""

    def __init__(self, name: str, page: str = "search.html", ready: str = READY_JS, query: str = QUERY_JS):
        self.name, self.page, self.ready, self.query = name, page, ready, query


GAZETTE = Engine("browser")


def launch(playwright):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    return playwright.chromium.launch(executable_path=chromium if os.path.exists(chromium) else None,
                                      args=CHROMIUM_ARGS)


def _ask(site: Site, page, engine: Engine, q: str, filters: dict, settle: bool = True) -> dict:
    """One query on `page`: its results and, when `settle`, what it fetched (waiting for late fetches
    to end, at least Counter.settle's quiet time: the bulk of a fast query's time)."""
    before_b, before_r = site.counter.snapshot()
    try:
        r = page.evaluate(engine.query, [q, filters])
        error = None
    except Exception as e:  # a failing query is a figure, not the end of the run
        r, error = {"ms": float("nan"), "results": []}, str(e)[:300]
    if settle:
        site.counter.settle()
    after_b, after_r = site.counter.snapshot()
    out = {"q": q, "ms": r["ms"], "bytes": after_b - before_b, "requests": after_r - before_r,
           "results": [dict(x, url=site.relative(x["url"], engine.page)) for x in r["results"]]}
    if error:
        out["error"] = error
    return out


def _open(site: Site, context, engine: Engine):
    page = context.new_page()
    page.goto(site.base + engine.page)
    page.evaluate(engine.ready)
    site.counter.settle()
    return page


def run_warm(site: Site, engine: Engine, queries: list[str], filters: dict | None = None,
             progress: str = "", count: bool = False) -> list[dict]:
    """All queries one after another in one page: their results, and with `count` what each fetched
    beyond the ones before (which waits 0.15 s and more after each query for late fetches: the
    figures of following queries come from run_cold, so recall runs go without)."""
    from playwright.sync_api import sync_playwright

    filters = dict(filters or {}, limit=10)
    out = []
    with sync_playwright() as p:
        browser = launch(p)
        page = _open(site, browser.new_context(), engine)
        for n, q in enumerate(queries):
            out.append(_ask(site, page, engine, q, filters, settle=count))
            if progress and n and n % 250 == 0:
                print(f"  {progress}: {n}/{len(queries)} queries", flush=True)
        browser.close()
    return out


def run_cold(site: Site, engine: Engine, queries: list[str], following: list[str] | None = None) -> list[dict]:
    """Each query in a fresh browser context (empty cache): the bytes of loading the page and readying
    search (`start_bytes`), then of the query (`bytes`); then, when `following` gives one, a next query
    on the same page (`next_bytes`). `seen_requests` counts the responses Playwright saw (page and worker)."""
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = launch(p)
        for i, q in enumerate(queries):
            context = browser.new_context()
            seen = []
            context.on("requestfinished", lambda r: seen.append(r))
            before = site.counter.snapshot()
            page = _open(site, context, engine)
            start = site.counter.snapshot()
            row = _ask(site, page, engine, q, {"limit": 10})
            row["start_bytes"], row["start_requests"] = start[0] - before[0], start[1] - before[1]
            row["cold_bytes"] = row["start_bytes"] + row["bytes"]
            row["seen_requests"] = len(seen)
            row["server_requests"] = row["start_requests"] + row["requests"]
            if following:
                nxt = _ask(site, page, engine, following[i % len(following)], {"limit": 10})
                row["next_q"], row["next_bytes"], row["next_ms"] = nxt["q"], nxt["bytes"], nxt["ms"]
            out.append(row)
            context.close()
        browser.close()
    return out


def pct(values, p: float) -> float:
    values = sorted(v for v in values if v == v)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def cold_summary(rows: list[dict]) -> dict:
    """Median and p95 of a cold run's bytes and times (KB = 1,000 bytes)."""
    def col(key):
        return [r[key] for r in rows if key in r and "error" not in r]

    def med(key):
        v = col(key)
        return statistics.median(v) if v else float("nan")

    return {"queries": len(rows), "failed": sum(1 for r in rows if "error" in r),
            "start_kb": med("start_bytes") / 1e3, "query_kb_median": med("bytes") / 1e3,
            "query_kb_p95": pct(col("bytes"), 95) / 1e3,
            "cold_kb_median": med("cold_bytes") / 1e3, "cold_kb_p95": pct(col("cold_bytes"), 95) / 1e3,
            "next_kb_median": med("next_bytes") / 1e3, "next_kb_p95": pct(col("next_bytes"), 95) / 1e3,
            "ms_median": med("ms"), "ms_p95": pct(col("ms"), 95),
            "requests_server": sum(col("server_requests")), "requests_seen": sum(col("seen_requests"))}


def print_cold(label: str, s: dict) -> None:
    print(f"{label:<18}{s['start_kb']:>9.1f}{s['query_kb_median']:>11.1f}{s['query_kb_p95']:>9.1f}"
          f"{s['cold_kb_median']:>11.1f}{s['cold_kb_p95']:>9.1f}{s['next_kb_median']:>10.1f}{s['next_kb_p95']:>9.1f}"
          f"{s['ms_median']:>9.0f}{s['ms_p95']:>8.0f}   {s['requests_server']}/{s['requests_seen']}"
          + (f"  ({s['failed']} failed)" if s["failed"] else ""))


COLD_HEADER = (f"{'':<18}{'start KB':>9}{'query KB':>11}{'p95':>9}{'cold KB':>11}{'p95':>9}{'next KB':>10}{'p95':>9}"
               f"{'ms':>9}{'p95':>8}   requests server/seen")
