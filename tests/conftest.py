"""Shared fixtures: the sample archive built once per session, served over HTTP from a sub-path,
and a headless Chromium. Real components only; where one is missing, skip (fail under CI)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import threading
from dataclasses import dataclass

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTENT = os.path.join(ROOT, "content")
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "lawrefbook"))
SAMPLES = os.path.normpath(os.path.join(ROOT, "..", "shared", "samples"))
AS_OF = dt.date(2026, 11, 22)
SUB_PATH = "sub/site"  # the sample site is served from a sub-path, as many government hosts do
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]


def without_line_spans(html: str) -> str:
    """A page's HTML without the spans that keep units and title ends on one line
    (gazette/typography.py): tests that look for a text in a page see it whole."""
    import re

    span = re.compile(r'<span class="nw">((?:(?!<span|</span>).)*)</span>', re.S)
    while True:
        html, n = span.subn(r"\1", html)
        if not n:
            return html


def unavailable(reason: str):
    """Skip locally; under CI a missing real component is a failure, never a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@dataclass
class BuiltSite:
    output: str      # folder holding the built site
    serve_root: str  # folder served over HTTP (output sits at SUB_PATH below it)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> BuiltSite:
    """The sample archive built at the fixed as-of date into <tmp>/sub/site."""
    from gazette.build import build_site

    root = tmp_path_factory.mktemp("served")
    output = root / SUB_PATH
    # In a thread of its own: the search index build runs asyncio, and Playwright's sync API may
    # already hold an event loop in this thread (a browser test ran first).
    builder = threading.Thread(target=build_site, args=(CONTENT, str(output)), kwargs={"as_of": AS_OF})
    builder.start()
    builder.join()
    assert os.path.isfile(output / "index.html"), "sample site build failed (see the thread's traceback)"
    return BuiltSite(str(output), str(root))


@pytest.fixture(scope="session")
def site_url(sample_site) -> str:
    """http://127.0.0.1:PORT/sub/site/ serving the sample site."""
    from gazette.preview import serve

    server = serve(sample_site.serve_root, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM:
        unavailable("chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def serve_small_archive(root, docs: dict[str, str], as_of: dt.date, check: str = "index.html"):
    """Build a small archive (slug -> file text under documents/) at `as_of` into root/output and
    serve it over HTTP; yields the site's URL. For module fixtures of browser tests."""
    from gazette.build import build_site
    from gazette.preview import serve

    content = root / "content"
    for slug, text in docs.items():
        path = content / "documents" / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    # In a thread of its own: the search index build runs an asyncio loop, and Playwright's
    # sync API may already hold one in this thread.
    builder = threading.Thread(target=build_site, args=(str(content), str(root / "output")),
                               kwargs={"as_of": as_of})
    builder.start()
    builder.join()
    assert (root / "output" / check).exists(), "small archive build failed (see the thread's traceback)"
    server = serve(str(root / "output"), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session", autouse=True)
def temporary_cache(tmp_path_factory):
    """Every build of the suite caches under a temporary folder, never the repository's .cache."""
    previous = os.environ.get("GAZETTE_CACHE_DIR")
    os.environ["GAZETTE_CACHE_DIR"] = str(tmp_path_factory.mktemp("gazette-cache"))
    yield
    if previous is None:
        os.environ.pop("GAZETTE_CACHE_DIR", None)
    else:
        os.environ["GAZETTE_CACHE_DIR"] = previous
