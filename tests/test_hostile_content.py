"""Hostile content: metadata or Markdown holding <script>, event attributes, javascript: links or
iframes never produces executable markup in any output, and the pages' own scripts satisfy the
site's Content-Security-Policy (no inline scripts or handlers)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup


AS_OF = dt.date(2026, 11, 22)
PAYLOAD = "<script>alert('x')</script>"
HOSTILE_DOC = """title: 关于<script>alert('title')</script>的通知<img src=x onerror=alert('img')><!--<script>
date: 2026-03-01
doc_number: 临政规〔2026〕9号"><svg onload=alert('num')><!--<script>
issuer: 临澜市人民政府<iframe src="javascript:alert('issuer')"></iframe><!--<script>
doc_type: 规范性文件<!--<script>
category: "><script>alert('cat')</script><!--<script>
index_no: javascript:alert('index')
gazette: 2026-01
pages: 2-3
note: <a href="javascript:alert('note')" onclick="alert('note')">备注</a>

第一条　正文中的脚本<script>alert('body')</script>不得执行。

<iframe src="https://evil.example/"></iframe>

<div onmouseover="alert('div')">悬停</div>

[点击这里](javascript:alert('link')) 与 [数据链接](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
与 [大写](JaVaScRiPt:alert('case')) 与 [实体](&#106;avascript:alert('entity'))

![图片](javascript:alert('img2'))

[制表符](java&#9;script:alert(4)) [换行](java&NewLine;script:alert(5)) [控制](\x01javascript:alert(6))
[混合](jAvA&#x0A;sCrIpT:alert(7)) [参考式][ref] [双重](java&amp;#9;script:alert(8)) ![图](&Tab;javascript:alert(9))
[ok](https://example.org/ok)

[ref]: java&#9;script:alert(10)

<a href="javascript:alert('raw')">原始链接</a> <object data="x.swf"></object>
"""
WITHHELD_MARK = "不予公开的恶意输入文件"
WITHHELD_SENTENCE = "这句正文只在不予公开的恶意输入文件之中"
ISSUE = "title: 2026年第1期\nyear: 2026\nnumber: 1\ndate: 2026-03-05\n\n"
SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRS = ("href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcdoc")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from gazette.build import build_site

    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    (content / "documents").mkdir(parents=True)
    (content / "issues").mkdir()
    (content / "documents" / "hostile.md").write_text(HOSTILE_DOC, encoding="utf-8")
    (content / "documents" / "plain.md").write_text(
        "title: 普通通知\ndate: 2026-03-02\nsupersedes: hostile\ndoc_type: 通知\n\n正文。\n", encoding="utf-8")
    (content / "issues" / "2026-01.md").write_text(ISSUE, encoding="utf-8")
    # The same hostile fields and body in a withheld document: none of it may appear anywhere.
    (content / "documents" / "hostile-withheld.md").write_text(
        HOSTILE_DOC.replace("date: 2026-03-01", "date: 2026-03-01\ndisclosure: 不予公开", 1)
        .replace("关于<script>", "关于" + WITHHELD_MARK + "<script>", 1).replace("doc_number: 临政规〔2026〕9号", "doc_number: 临政规〔2026〕99号", 1)
        .replace("第一条　正文中的脚本", "第一条　" + WITHHELD_SENTENCE, 1), encoding="utf-8")
    (content / "pages").mkdir()
    (content / "pages" / "hostile-page.md").write_text(
        "title: 页面<script>alert('page')</script><!--<script>\nslug: hostile-page\n\n"
        + HOSTILE_DOC.split("\n\n", 1)[1], encoding="utf-8")
    output = root / "site"
    errors = []

    def run():
        try:
            build_site(str(content), str(output), as_of=AS_OF,
                       extra_settings={"GAZETTE_CACHE_DIR": str(root / "cache")})
        except Exception as e:  # surfaced below; the build runs in its own thread (asyncio)
            errors.append(e)

    (content / "documents" / "formula.md").write_text(
        "title: =HYPERLINK(\"http://evil.example\",\"点此\")\ndate: 2026-03-03\ndoc_number: @SUM(1+1)\n"
        "issuer: -2+3\ndoc_type: +规范性文件\ncategory: =cmd|' /C calc'!A0\n\n正文。\n", encoding="utf-8")
    builder = threading.Thread(target=run)
    builder.start()
    builder.join()
    assert not errors, errors
    return output


def _unsafe_url(value: str) -> bool:
    v = re.sub(r"[\s\x00-\x1f]", "", value).lower()
    return v.startswith(("javascript:", "vbscript:", "data:text/html", "data:"))


def test_no_executable_markup_in_any_html_output(hostile_site):
    pages = [os.path.join(d, f) for d, _, fs in os.walk(hostile_site) for f in fs if f.endswith(".html")]
    assert len(pages) > 10
    seen_payload_text = False
    for path in pages:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        soup = BeautifulSoup(text, "html.parser")
        for tag in soup.find_all(True):
            assert tag.name not in ("iframe", "object", "embed", "frame", "svg"), f"{path}: <{tag.name}>"
            for attr, value in tag.attrs.items():
                assert not attr.lower().startswith("on"), f"{path}: {tag.name} {attr}={value!r}"
                if attr.lower() in URL_ATTRS:
                    assert not _unsafe_url(str(value)), f"{path}: {tag.name} {attr}={value!r}"
            if tag.name == "meta" and tag.get("http-equiv", "").lower() == "refresh":
                assert not _unsafe_url(tag["content"].split("url=", 1)[-1]), path
            if tag.name == "script":
                # Only the site's own external scripts, and inert data blocks.
                assert tag.get("src") or tag.get("type") in SCRIPT_TYPES, f"{path}: inline script {tag}"
                if tag.get("src"):
                    assert not tag.get("src").startswith(("http:", "https:", "//")), path
                else:
                    json.loads(tag.string)  # a data block that parses is data, not code
                    # `<!--<script>` would put the HTML parser in the double-escaped script state
                    # and swallow the rest of the page: no '<', '>' or '&' in a data block at all.
                    assert not set(tag.string) & set("<>&"), f"{path}: {tag.string[:200]}"
        if "alert(&#x27;body&#x27;)" in text or "alert('body')" in soup.get_text():
            seen_payload_text = True
    assert seen_payload_text, "the hostile body must be shown as text, not silently dropped"
    assert any(p.endswith("pages/hostile-page.html") for p in pages)
    hostile = (hostile_site / "documents" / "hostile.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/ok"' in hostile  # allowed links survive
    # The page is whole after the JSON-LD: its footer is outside any script.
    soup = BeautifulSoup(hostile, "html.parser")
    assert soup.find("footer") is not None and soup.find("footer").find_parent("script") is None


def test_withheld_hostile_document_leaks_nothing(hostile_site):
    from leakscan import find_leaks

    assert find_leaks(str(hostile_site), [WITHHELD_MARK, WITHHELD_SENTENCE, "临政规〔2026〕99号"],
                      [str(hostile_site.parent / "cache")]) == []


def test_csv_outputs_hold_no_formula(hostile_site):
    import csv

    seen = 0
    for rel in ("catalogue.csv", "validity/report.csv"):
        with open(hostile_site / rel, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{rel}: {cell!r}"
        seen += sum("'=HYPERLINK(" in c for row in rows for c in row)
    assert seen == 2


def test_no_executable_markup_in_feeds_sitemap_and_open_data(hostile_site):
    for dirpath, _, files in os.walk(hostile_site):
        for name in files:
            path = os.path.join(dirpath, name)
            if name.endswith(".xml"):
                root = ET.parse(path).getroot()
                for el in root.iter():
                    local = el.tag.rsplit("}", 1)[-1]
                    assert local not in ("script", "iframe"), path
                    for value in el.attrib.values():
                        assert not _unsafe_url(value), f"{path}: {value!r}"
                # Feed text is plain text (type="text" by default): a reader shows it, never runs it.
                for el in root.iter("{http://www.w3.org/2005/Atom}summary"):
                    assert el.get("type", "text") == "text"
            elif name.endswith(".json"):
                with open(path, encoding="utf-8") as f:
                    data = json.load(f)
                for url_field in ("url", "json_url", "pdf_url", "scan_url", "eli_url"):
                    for record in data.get("documents", [data]) if isinstance(data, dict) else []:
                        if isinstance(record, dict) and isinstance(record.get(url_field), str):
                            assert not _unsafe_url(record[url_field]), path


@pytest.mark.browser
def test_hostile_page_runs_nothing_in_a_real_browser(hostile_site, browser):
    from gazette.preview import serve

    server = serve(str(hostile_site), 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    context = browser.new_context()
    context.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                            "e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    page = context.new_page()
    dialogs, errors = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        for path in ("documents/hostile.html", "documents/plain.html", "index.html", "issues/2026-01.html"):
            page.goto(base + path, wait_until="networkidle")
            for link in page.locator("main a").all():
                link.hover()
            page.locator("main").hover()
            assert page.evaluate("window.__csp") == [], path
        # Search results show titles and excerpts of the hostile document as text too.
        page.goto(base + "search.html?q=" + "正文中的脚本", wait_until="networkidle")
        page.wait_for_selector("#search-results li", timeout=15000)
        assert "<script>" in page.locator("#search-results").inner_text()
        assert page.evaluate("window.__csp") == []
        page.goto(base + "documents/hostile.html", wait_until="networkidle")
        assert "alert('body')" in page.locator(".doc-body").inner_text()
        assert page.locator("h1").inner_text().startswith("关于<script>")
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert dialogs == [] and errors == []
