"""Screenshots in headless Chromium at phone and desktop width: a document page checked for its main
elements, every kind of page (each document status) in normal and high contrast, and the print
view. Set GAZETTE_SCREENSHOTS=DIR to keep the images."""

from __future__ import annotations

import io
import json
import os
import threading
import urllib.parse
import urllib.request

import pytest
from PIL import Image

DOC = "documents/llzg-2023-01.html"  # a normative document: badge, metadata table, body
MAIN = {"title": ".doc-header h1", "metadata table": ".meta-table", "badge": ".doc-status .badge",
        "body": ".doc-body"}


def _shot(page, name, tmp_path) -> Image.Image:
    folder = os.environ.get("GAZETTE_SCREENSHOTS") or str(tmp_path)
    os.makedirs(folder, exist_ok=True)
    data = page.screenshot(full_page=True, path=os.path.join(folder, f"{name}.png"))
    image = Image.open(io.BytesIO(data)).convert("RGB")
    colours = image.resize((200, 200)).getcolors(200 * 200)
    assert colours is not None and len(colours) > 30, f"{name}: the screenshot looks blank"
    return image


def _box(page, selector):
    loc = page.locator(selector).first
    assert loc.is_visible(), f"{selector} is not visible"
    return loc.bounding_box()


@pytest.mark.browser
@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_document_page_at_phone_and_desktop_width(site_url, browser, tmp_path, width, height):
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
    page = context.new_page()
    try:
        page.goto(site_url + DOC, wait_until="networkidle")
        image = _shot(page, f"document-{width}", tmp_path)
        assert image.width == width
        for name, selector in MAIN.items():
            box = _box(page, selector)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{name} overflows at {width}px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "horizontal scrolling"
        assert page.locator(".site-nav").is_visible()
        title = _box(page, MAIN["title"])
        table = _box(page, MAIN["metadata table"])
        body = _box(page, MAIN["body"])
        assert title["y"] < table["y"] < body["y"], "title, then metadata, then the text"
        # Text stays readable on a phone: at least 14 px.
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.doc-body p')).fontSize)")
        assert size >= 14
    finally:
        context.close()


# The pages of issue 14's review, each document status among them.
SCREENS = {"home": "index.html", "issue": "issues/2024-01.html", "catalogue": "catalogue.html",
           "report": "validity/index.html", "search": "search.html?q=%E5%9E%83%E5%9C%BE",
           "document-in_force": DOC, "document-amended": "documents/llhg-2023-01.html",
           "document-overdue": "documents/llwjg-2024-01.html", "document-expired": "documents/llgg-2024-05.html",
           "document-repealed": "documents/llzg-2022-05.html", "document-not_yet_effective": "documents/llzl-012.html"}


@pytest.mark.browser
@pytest.mark.parametrize("mode", ("normal", "contrast"))
@pytest.mark.parametrize("width", (390, 1366))
def test_screenshots_of_each_kind_of_page(site_url, browser, tmp_path, width, mode):
    context = browser.new_context(viewport={"width": width, "height": 900}, device_scale_factor=1)
    if mode == "contrast":
        context.add_init_script("localStorage.setItem('gazette-contrast', '1')")
    page = context.new_page()
    try:
        for name, path in SCREENS.items():
            page.goto(site_url + path, wait_until="networkidle")
            if "?q=" in path:
                page.wait_for_selector("#search-results .search-excerpt", timeout=15000)
            image = _shot(page, f"{name}-{width}-{mode}", tmp_path)
            assert image.width == width
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{name}: horizontal scrolling"
            background = page.evaluate("getComputedStyle(document.querySelector('main')).backgroundColor")
            assert background == ("rgb(0, 0, 0)" if mode == "contrast" else "rgb(255, 255, 255)"), name
            status = name.partition("-")[2]
            if status:
                assert page.locator(f".doc-status .status-{status}, .doc-status .flag-{status}").count() == 1, name
    finally:
        context.close()


@pytest.mark.browser
def test_print_view_keeps_the_document_and_hides_navigation(site_url, browser, tmp_path):
    context = browser.new_context(viewport={"width": 794, "height": 1123})
    page = context.new_page()
    try:
        page.goto(site_url + DOC, wait_until="networkidle")
        assert page.locator(".publishing-links [data-print]").is_visible()  # the print button
        page.emulate_media(media="print")
        _shot(page, "document-print", tmp_path)
        for name, selector in MAIN.items():
            _box(page, selector)
        for selector in (".site-nav", ".a11y-tools", ".site-footer", ".breadcrumb", ".downloads",
                         ".publishing-links"):
            assert not page.locator(selector).first.is_visible(), f"{selector} shows in print"
        # The printed page says where it lives: the short permanent address (no SITEURL in the
        # sample's settings: the site path), right under the title.
        address = page.locator(".permanent-address")
        assert address.is_visible()
        record = json.loads(urllib.request.urlopen(site_url + DOC.replace(".html", ".json")).read())
        assert record["eli_url"] and address.inner_text() == f"永久地址：{urllib.parse.unquote(record['eli_url'])}"
        assert _box(page, MAIN["title"])["y"] < address.bounding_box()["y"] < _box(page, MAIN["metadata table"])["y"]
        # Printed on white, in black.
        colours = page.evaluate("[getComputedStyle(document.body).backgroundColor,"
                                " getComputedStyle(document.querySelector('.doc-body')).color]")
        assert colours == ["rgb(255, 255, 255)", "rgb(0, 0, 0)"]
        # And Chromium's own print output holds the title and the text.
        pdf = page.pdf(format="A4")
        import pypdfium2

        text = "".join(p.get_textpage().get_text_range() for p in pypdfium2.PdfDocument(pdf))
        title = page.locator(MAIN["title"]).inner_text()
        assert title[:8] in text.replace("\r\n", "").replace("\n", "")
        assert "主导航" not in text and "首页" not in text
        assert urllib.parse.unquote(record["eli_url"]) in text
        page.emulate_media(media="screen")
        assert not address.is_visible(), "the address is for print only"
    finally:
        context.close()


def test_printed_page_cites_the_full_permanent_address_when_the_site_address_is_set(tmp_path):
    from conftest import AS_OF
    from gazette.build import build_site

    docs = tmp_path / "content" / "documents"
    docs.mkdir(parents=True)
    (docs / "rule.md").write_text("title: 临澜市停车管理办法\ndate: 2024-03-01\ndoc_number: 临政规〔2024〕2号\n"
                                  "doc_type: 规范性文件\nissuer: 临澜市人民政府\n\n第一条　为规范停车管理，制定本办法。\n",
                                  encoding="utf-8")
    (docs / "notice.md").write_text("title: 关于停车收费的说明\ndate: 2024-03-02\n\n停车收费按本说明执行。\n", encoding="utf-8")
    site = "https://gazette.example.gov.cn/linlan"
    out = tmp_path / "out"
    builder = threading.Thread(target=build_site, args=(str(tmp_path / "content"), str(out)),
                               kwargs={"as_of": AS_OF, "extra_settings": {"SITEURL": site}})
    builder.start()
    builder.join()
    seen = 0
    for slug in ("rule", "notice"):
        record = json.loads((out / "documents" / f"{slug}.json").read_text(encoding="utf-8"))
        expected = urllib.parse.unquote(record["eli_url"] or record["url"])  # absolute when SITEURL is set
        assert expected.startswith(site + "/")
        html = (out / "documents" / f"{slug}.html").read_text(encoding="utf-8")
        assert f'永久地址：<span class="address">{expected}</span>' in html
        seen += bool(record["eli_url"])
    assert seen == 1, "one document with a short permanent address, one with its page's address"
