"""The one place that calls trafilatura, the main-content extractor used for saved portal pages.

Why trafilatura (measured with `scripts/portal_extractors.py` on the real pages in
`../shared/samples/portal-pages` and our own fixtures, see docs/import.md): of trafilatura,
readability-lxml and jusText it found the document's region on every page once stray
`</html>` tags and hidden blocks are removed, where readability picked a copyright block on
one page and jusText (no Chinese stop list) kept navigation. It does reorder multi-paragraph
table cells and drops some short lines, so we use it only to *locate* the region: the text
itself comes from our own serialisation of the page, in document order (`html_page`).
"""

from __future__ import annotations

import re

import trafilatura
from lxml import etree


def main_text(html: str) -> str:
    """The main content's text as trafilatura finds it, whitespace removed; '' when it finds none."""
    try:
        xml = trafilatura.extract(html, output_format="xml", include_tables=True, include_comments=False,
                                  favor_precision=True, deduplicate=False)
    except Exception:  # a library failure on one page is not a reason to lose the page
        return ""
    if not xml:
        return ""
    try:
        root = etree.fromstring(xml.encode("utf-8"))
    except etree.XMLSyntaxError:
        return ""
    main = root.find("main")
    text = "".join((main if main is not None else root).itertext())
    return re.sub(r"\s+", "", text)
