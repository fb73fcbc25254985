"""Markdown body → safe HTML, and plain text for indexes and feeds.

Raw HTML in a source is shown as text, never passed through, and links or images with
script-capable URLs are dropped: content from old portals must not run in our pages.
"""

from __future__ import annotations

import html
import re
import threading

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:", "#", "/", "./", "../")
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def safe_url(url: str) -> bool:
    """True for relative URLs and the http(s)/mailto/tel schemes."""
    m = _SCHEME.match(url or "")
    return not m or m.group(1).lower() in ("http", "https", "mailto", "tel")


class _DropUnsafeUrls(Treeprocessor):
    def run(self, root):
        for el in root.iter():
            for attr in ("href", "src"):
                if attr in el.attrib and not safe_url(html.unescape(el.attrib[attr])):
                    del el.attrib[attr]
            for attr in list(el.attrib):
                if attr.lower().startswith("on"):
                    del el.attrib[attr]


class SafeMarkdown(Extension):
    """Escape raw HTML and strip script-capable URLs."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DropUnsafeUrls(md), "gazette_safe_urls", 0)


_local = threading.local()


def _markdown() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(
            extensions=["markdown.extensions.tables", "markdown.extensions.sane_lists",
                        "markdown.extensions.def_list", SafeMarkdown()],
            output_format="html")
    return md


def to_html(body: str) -> str:
    """Render a document body; safe to insert into a page as-is."""
    md = _markdown()
    md.reset()
    return md.convert(body)


_MD_NOISE = re.compile(r"(^|\n)\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s?|\d+\.\s+)|[*_`|]+|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")


def to_text(body: str) -> str:
    """Plain text of a Markdown body (for search indexes and feed summaries)."""
    text = _MD_NOISE.sub(lambda m: (m.group(1) or "") + (m.group(3) or ""), body)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def summary(body: str, length: int = 120) -> str:
    text = re.sub(r"\s+", " ", to_text(body))
    return text if len(text) <= length else text[: length - 1] + "…"
