"""Saved pages of old portals (HTML, or text dumps of them) → one document.

Keeps the document's own text (with its attachments); drops navigation, font-size and print
widgets, share and QR prompts, editor lines, previous/next links, unrelated lists and repeated
blocks; removes pinyin annotations. Metadata comes from the page's labels and the text itself.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment

from ..chinese import fold
from . import boilerplate
from . import recognise as rc
from .sources import DocDraft, Source, read_text

_DROP_TAGS = ("script", "style", "noscript", "iframe", "frame", "frameset", "object", "embed", "form",
              "nav", "header", "footer", "aside", "button", "select", "input", "textarea", "svg",
              "canvas", "video", "audio", "map", "template", "link", "img")
_NOISE_ATTR = re.compile(r"nav|menu|breadcrumb|crumb|share|footer|header|sidebar|side-bar|print|fontsize|"
                         r"font-size|qrcode|qr-code|erweima|related|relevant|pager|prev|next|toolbar|"
                         r"copyright|banner|search|login|bdshare|jiathis|hot", re.I)
_CONTENT_ATTR = re.compile(r"TRS_Editor|article|content|zoom|detail|main-text|pages_content|view|textbox",
                           re.I)
_BLOCKS = ("p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
           "article", "blockquote", "pre", "dt", "dd", "ul", "ol", "center")
_META_KEYS = {"articletitle": "title", "pubdate": "date", "firstpublishedtime": "date",
              "contentsource": "source"}


def html_to_lines(html: str) -> tuple[list[str], dict[str, str]]:
    """The visible text of a page as lines (table rows' cells separated by tabs), and its CMS meta tags."""
    soup = BeautifulSoup(html, "html.parser")
    meta = {}
    for tag in soup.find_all("meta"):
        name = (tag.get("name") or "").lower()
        if name in _META_KEYS and tag.get("content"):
            meta.setdefault(_META_KEYS[name], tag["content"].strip())
    if soup.title and soup.title.string:
        meta.setdefault("page_title", soup.title.string.strip())
    for c in soup.find_all(string=lambda s: isinstance(s, Comment)):
        c.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in list(soup.find_all(True)):
        if tag.decomposed or tag.name in ("html", "body"):
            continue
        attrs = " ".join([tag.get("id") or ""] + list(tag.get("class") or []))
        if attrs.strip() and _NOISE_ATTR.search(attrs) and not _CONTENT_ATTR.search(attrs):
            tag.decompose()
    for a in soup.find_all("a"):
        a.unwrap()  # links from old portals go nowhere useful; keep their words
    for td in soup.find_all(["td", "th"]):
        td.insert_after("\t")
    for tag in soup.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = soup.get_text()
    lines = [re.sub(r"[ \u3000\xa0]+", " ", l).strip(" \t") for l in text.split("\n")]
    return [l for l in lines if l.strip()], meta


def _split_cells(lines: list[str]) -> list[str]:
    """Table rows `索引号：\\t000014/2017\\t主题分类：\\t环境` → one `label：value` line per pair."""
    out = []
    for line in lines:
        if "\t" not in line:
            out.append(line)
            continue
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        i = 0
        while i < len(cells):
            c = cells[i]
            if re.fullmatch(r"[\u4e00-\u9fff]{2,6}\s*[:：]", c) and i + 1 < len(cells):
                out.append(c + cells[i + 1])
                i += 2
            else:
                out.append(c)
                i += 1
    return out


def _publication_date(lines: list[str], labelled: dict) -> tuple[str | None, int]:
    """A page's publication date: its label, or a `2017-01-20 14:32 来源：…` line near the top."""
    if "date" in labelled:
        d = rc.parse_any_date(labelled["date"][0])
        if d:
            return d.isoformat(), labelled["date"][1]
    for i, line in enumerate(lines[:12]):
        f = fold(line)
        if re.search(r"\d{1,2}:\d{2}|来源|发布|时间", f):
            d = rc.parse_any_date(line)
            if d:
                return d.isoformat(), i
    return None, -1


def parse_lines(raw_lines: list[str], page_meta: dict[str, str] | None = None) -> tuple[dict, list[str], list[str]]:
    """Recognise a page's document: (metadata, body lines, notes)."""
    page_meta = page_meta or {}
    notes: list[str] = []
    lines = [boilerplate.strip_pinyin(l).strip() for l in _split_cells(raw_lines)]
    lines = [l for l in lines if l]
    for i, l in enumerate(lines):
        if boilerplate.is_tail_start(l):
            notes.append(f"已删除页面末尾无关列表（自「{l}」起 {len(lines) - i} 行）")
            lines = lines[:i]
            break
    labelled = rc.labelled_fields(lines)
    date, date_line = _publication_date(lines, labelled)
    if not date and page_meta.get("date"):
        d = rc.parse_any_date(page_meta["date"])
        date = d.isoformat() if d else None
    label_lines = {idx for _, idx in labelled.values()}
    kept = [l for i, l in enumerate(lines)
            if i not in label_lines and i != date_line and not boilerplate.is_noise(l) and not boilerplate.is_bullet_item(l)]
    dropped = len(lines) - len(kept)
    kept, repeats = boilerplate.drop_repeats(kept)
    if repeats:
        notes.append(f"已删除重复段落 {repeats} 段")
    if dropped:
        notes.append(f"已删除页面杂项 {dropped} 行")

    meta: dict[str, str] = {}
    # The document's own number stands on a line of its own near the top; numbers quoted in
    # sentences belong to other documents.
    num_idx = -1
    for i, l in enumerate(kept[:15]):
        n = rc.number_line(l)
        if n:
            meta["doc_number"], num_idx = n, i
            break
    title_idx = -1
    if num_idx > 0:
        for j in range(num_idx - 1, -1, -1):
            if rc.is_title_like(kept[j]):
                title_idx = j
                break
    if title_idx < 0 and "title" in labelled:
        want = fold(labelled["title"][0])
        title_idx = next((i for i, l in enumerate(kept[:15]) if fold(l) == want), -1)
        if title_idx < 0:
            meta["title"] = labelled["title"][0]
    if title_idx < 0 and "title" not in meta:
        title_idx = next((i for i, l in enumerate(kept[:5]) if rc.is_title_like(l)), 0 if kept else -1)
    if title_idx >= 0:
        meta["title"] = kept[title_idx]
        if title_idx > 0:
            notes.append(f"已删除标题前的页面标题 {title_idx} 行")
    start = max(title_idx, num_idx) + 1
    body = kept[start:]

    if date:
        meta["date"] = date
    organs, signed, _ = rc.signature_block(kept, start)
    if organs:
        meta["issuer"] = ";".join(organs)
    elif "issuer" in labelled:
        meta["issuer"] = labelled["issuer"][0]
    elif meta.get("doc_number") and rc.issuer_from_number(meta["doc_number"]):
        meta["issuer"] = rc.issuer_from_number(meta["doc_number"])
    if signed:
        meta["signed"] = signed.isoformat()
    elif "signed" in labelled and rc.parse_any_date(labelled["signed"][0]):
        meta["signed"] = rc.parse_any_date(labelled["signed"][0]).isoformat()
    if "doc_number" not in meta and "doc_number" in labelled:
        meta["doc_number"] = labelled["doc_number"][0]
    for key in ("index_no", "category"):
        if key in labelled:
            meta[key] = labelled[key][0]
    if "effective" in labelled and rc.parse_any_date(labelled["effective"][0]):
        meta["effective"] = rc.parse_any_date(labelled["effective"][0]).isoformat()
    meta["script"] = rc.script_of(meta.get("title", "") + "".join(body))
    return meta, body, notes


def read_legacy(source: Source, kind: str) -> DocDraft:
    """One saved page (HTML or a text dump) as a document draft."""
    text = read_text(source.path)
    if kind == "html":
        raw, page_meta = html_to_lines(text)
    else:
        raw, page_meta = text.split("\n"), {}
    meta, body, notes = parse_lines(raw, page_meta)
    meta = {k: boilerplate.one_line(v) for k, v in meta.items() if v}
    draft = DocDraft(identity=source.identity, meta=meta, body=boilerplate.paragraphs(body), notes=notes)
    draft.missing = [k for k in ("title", "date", "doc_number", "issuer", "signed") if k not in meta]
    return draft
