"""Screenshots of a document page in headless Chromium at phone and desktop width, and of its print
view, each checked for the page's main elements. Set GAZETTE_SCREENSHOTS=DIR to keep the images."""

from __future__ import annotations

import io
import os

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
    finally:
        context.close()
