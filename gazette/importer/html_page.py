"""A saved portal page (HTML) → the lines of its document, its visible heading and its metadata table.

Government pages share a shape whatever their CMS: a catalogue table (索引号, 发文机关, 文号,
成文日期 … in table cells, `dl`, or `label：value` spans), a visible heading (h1/h2, a `title`
class, a bold or centred large line) that `<title>` repeats with the site's name around it,
the text, then furniture (相关解读, 扫一扫, 打印, 关闭, attachment links, share buttons).
The region of the text is located by the main-content extractor (`main_content`); the lines
themselves come from our own walk of the page, in document order, so nothing inside the
region is reordered or lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..chinese import fold
from . import boilerplate
from . import recognise as rc
from .main_content import main_text

_DROP_TAGS = ("script", "style", "noscript", "iframe", "frame", "frameset", "object", "embed", "form",
              "button", "select", "input", "textarea", "svg", "canvas", "video", "audio", "map",
              "template", "link", "img", "head", "title", "meta", "xml")
_BLOCKS = frozenset(("p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tbody", "thead",
                     "section", "article", "blockquote", "pre", "dt", "dd", "dl", "ul", "ol", "center",
                     "td", "th", "header", "footer", "nav", "aside", "main", "form", "caption", "body",
                     "html", "figure", "figcaption", "address", "hr"))
_HIDDEN_CLASS = frozenset(("hide", "hidden", "ng-hide", "d-none", "display-none", "invisible", "none"))
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_TITLE_ATTR = re.compile(r"title|headline|biaoti|^bt$|[-_]bt\b|^tit|wzbt", re.I)
_FONT_SIZE = re.compile(r"font-size\s*:\s*(\d+(?:\.\d+)?)\s*(px|pt|em|rem)", re.I)
_CENTRED = re.compile(r"text-align\s*:\s*center", re.I)
_FILE_LINK = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar|7z|txt|ceb|tif)\s*$", re.I)
_META_KEYS = {"articletitle": "title", "pubdate": "date", "firstpublishedtime": "date",
              "contentsource": "source"}


@dataclass
class Line:
    """One visible line of the page, with what its markup says about it."""

    text: str
    block: int              # index of the block element it belongs to (lines split by <br>)
    links: int = 0          # characters inside <a>
    bold: int = 0           # characters inside <b>/<strong>/<h*>
    size: float = 0.0       # largest inline font size (px), 0 when none given
    centred: bool = False
    heading: bool = False   # inside h1-h3 or an element whose class/id says title
    cell: tuple[int, int, int] | None = None   # (table, row, column) when inside a table cell
    file_link: bool = False  # the whole line is a link to a file (an attachment list)


@dataclass
class PageText:
    lines: list[Line]
    region: tuple[int, int]                      # [start, end) of the document's text in `lines`
    fields: dict[str, "Field"] = field(default_factory=dict)         # labelled fields of the page
    meta: dict[str, str] = field(default_factory=dict)                # CMS meta tags and <title>
    title_span: tuple[int, int] | None = None    # lines of the visible heading
    catalogue: set[int] = field(default_factory=set)  # lines of the catalogue table


def _prepare(html: str) -> str:
    # Included templates leave `</html>`/`</body>` in the middle of a page; lxml-based tools
    # (the extractor) stop reading there. The parser closes the document by itself.
    return re.sub(r"(?i)</(?:html|body)\s*>", "", html)


def _is_hidden(tag: Tag) -> bool:
    if tag.attrs is None:
        return False
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    classes = {c.lower() for c in (tag.get("class") or [])}
    if classes & _HIDDEN_CLASS:
        return True
    return bool(_HIDDEN_STYLE.search(tag.get("style") or ""))


def _px(value: float, unit: str) -> float:
    return {"px": value, "pt": value * 4 / 3, "em": value * 16, "rem": value * 16}[unit.lower()]


class _Walker:
    """Turns a parsed page into Lines, in document order."""

    def __init__(self):
        self.lines: list[Line] = []
        self.block = 0
        self.buf: list[tuple[str, dict]] = []
        self.tables = 0

    def flush(self):
        if self.buf:
            text = "".join(t for t, _ in self.buf)
            clean = re.sub(r"[ \t\u3000\xa0\r\n]+", " ", text).strip()
            if clean:
                ctx = self.buf[0][1]
                line = Line(clean, self.block, cell=ctx.get("cell"), centred=any(c.get("centred") for _, c in self.buf),
                            heading=any(c.get("heading") for _, c in self.buf))
                for t, c in self.buf:
                    n = len(re.sub(r"\s", "", t))
                    if c.get("link"):
                        line.links += n
                    if c.get("bold"):
                        line.bold += n
                    line.size = max(line.size, c.get("size", 0.0))
                href = next((c.get("href") for _, c in self.buf if c.get("href")), None)
                line.file_link = bool(line.links >= len(re.sub(r"\s", "", clean)) * 0.8
                                      and (_FILE_LINK.search(clean) or (href and _FILE_LINK.search(href.split("?")[0]))))
                self.lines.append(line)
        self.buf = []

    def walk(self, node: Tag, ctx: dict):
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                if type(child) is not NavigableString:  # CDATA, doctype, processing instructions
                    continue
                self.buf.append((str(child), ctx))
                continue
            if not isinstance(child, Tag) or child.name in _DROP_TAGS or _is_hidden(child):
                continue
            name = child.name
            if name == "br":
                self.flush()
                continue
            sub = dict(ctx)
            style = child.get("style") or ""
            m = _FONT_SIZE.search(style)
            if m:
                sub["size"] = _px(float(m.group(1)), m.group(2))
            if name == "font" and (child.get("size") or "").strip().lstrip("+").isdigit():
                sub["size"] = max(sub.get("size", 0.0), 10.0 + 3 * int(child["size"].strip().lstrip("+")))
            if name in ("b", "strong") or name in ("h1", "h2", "h3") or re.search(r"font-weight\s*:\s*(?:bold|[6-9]00)", style):
                sub["bold"] = True
            if name in ("h1", "h2", "h3") or _TITLE_ATTR.search(" ".join([child.get("id") or ""] + list(child.get("class") or []))):
                sub["heading"] = True
            if _CENTRED.search(style) or (child.get("align") or "").lower() == "center" or name == "center":
                sub["centred"] = True
            if name == "a":
                sub["link"] = True
                sub["href"] = child.get("href") or ""
            if name == "table":
                self.tables += 1
                sub["table"], sub["row"] = self.tables, -1
            if name == "tr" and "table" in sub:
                sub["row"] = ctx.get("row", -1) + 1
                ctx["row"] = sub["row"]
                sub["col"] = -1
            if name in ("td", "th") and "table" in sub:
                sub["col"] = ctx.get("col", -1) + 1
                ctx["col"] = sub["col"]
                sub["cell"] = (sub["table"], sub.get("row", 0), sub["col"])
            if name in _BLOCKS:
                self.flush()
                self.block += 1
                self.walk(child, sub)
                self.flush()
                self.block += 1
            else:
                self.walk(child, sub)


def _page_meta(soup: BeautifulSoup) -> dict[str, str]:
    meta = {}
    for tag in soup.find_all("meta"):
        name = (tag.get("name") or "").lower()
        if name in _META_KEYS and tag.get("content"):
            meta.setdefault(_META_KEYS[name], tag["content"].strip())
    if soup.title and soup.title.get_text(strip=True):
        meta["page_title"] = re.sub(r"\s+", " ", soup.title.get_text()).strip()
    return meta


def page_lines(html: str) -> tuple[list[Line], dict[str, str], str]:
    """Every visible line of a page, its meta tags, and the cleaned HTML given to the extractor."""
    html = _prepare(html)
    soup = BeautifulSoup(html, "lxml")
    meta = _page_meta(soup)
    for tag in soup.find_all(True):
        if not tag.decomposed and tag.attrs is not None and _is_hidden(tag):
            tag.decompose()
    walker = _Walker()
    walker.walk(soup, {})
    walker.flush()
    for line in walker.lines:
        line.text = boilerplate.decode_entities(line.text)
    return walker.lines, meta, str(soup)


# -- the metadata table ----------------------------------------------------------------------

@dataclass
class Field:
    value: str
    line: int            # the line holding the label
    catalogue: bool      # a catalogue label (removed from the text), not a label of a table in the text


def metadata_fields(lines: list[Line], until: int | None = None) -> dict[str, Field]:
    """The page's labelled fields: label cells followed by value cells, `dt`/`dd`, `label：value`.

    Only lines before `until` are read (sidebars further down list other documents). First one wins.
    """
    out: dict[str, Field] = {}
    stop = len(lines) if until is None else min(until, len(lines))
    for i in range(stop):
        text = lines[i].text
        # A label wrapped inside its cell (`作出处罚决定的<br>机关名称`) is read whole.
        if lines[i].cell is not None and i + 1 < stop and lines[i + 1].cell == lines[i].cell and \
                rc.label_key(text + lines[i + 1].text) and i + 2 < len(lines):
            key = rc.label_key(text + lines[i + 1].text)
            if key not in out:
                out[key] = Field(lines[i + 2].text.strip(), i, rc.is_catalogue_label(text + lines[i + 1].text))
            continue
        m = re.match(r"^\s*([^\s:：]{1,12}(?:\s+[^\s:：]{1,6}){0,3})\s*[:：]\s*(.+?)\s*$", text)
        if m and len(m.group(1)) <= 16:
            key = rc.label_key(m.group(1))
            if key:
                if key not in out:
                    out[key] = Field(m.group(2).strip(), i, rc.is_catalogue_label(m.group(1)))
                continue
        # a label alone in its cell (or dt), the value in the next line
        if len(text) <= 16 and i + 1 < len(lines):
            key = rc.label_key(text)
            nxt = lines[i + 1]
            if key and not rc.label_key(nxt.text) and key not in out and \
                    (lines[i].cell is None or nxt.cell is None or nxt.cell[:2] == lines[i].cell[:2]):
                value = nxt.text.strip()
                if value and len(value) <= 200:
                    out[key] = Field(value, i, rc.is_catalogue_label(text))
    return out


def catalogue_lines(lines: list[Line], fields: dict[str, Field]) -> set[int]:
    """Lines of the catalogue table (labels and their values), which are not the document's text.

    A table holding at least two catalogue labels goes whole (its other cells are 组配分类,
    公开方式 and the like); a label outside a table goes with its value.
    """
    idx: set[int] = set()
    label_at = {f.line for f in fields.values() if f.catalogue}
    by_table: dict[int, list[int]] = {}
    for i, line in enumerate(lines):
        if line.cell:
            by_table.setdefault(line.cell[0], []).append(i)
    for rows in by_table.values():
        if sum(1 for i in rows if i in label_at) >= 2 and len(rows) <= 40:
            idx.update(rows)
    for i in label_at:
        if i not in idx:
            idx.add(i)
            if not re.search(r"[:：]\s*\S", lines[i].text) and i + 1 < len(lines):
                idx.add(i + 1)
    # Labels written as `<b>索引号:</b>` + text can also sit in a row of spans without a table.
    return idx


# -- the visible heading -----------------------------------------------------------------------

def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _names_page_title(candidate: str, page_title: str) -> bool:
    """`<title>` holds the end of a heading wrapped over lines (`某某办公室<br>关于…的通知`)."""
    if len(candidate) < 8:
        return False
    return any(candidate[-n:] in page_title for n in range(len(candidate) - 1, max(7, len(candidate) // 2), -1))


def heading(lines: list[Line], meta: dict[str, str], region: tuple[int, int], skip: set[int]) -> tuple[int, int] | None:
    """The lines of the visible heading: styled as a heading, reading as a title, named by <title>."""
    page_title = _squash(meta.get("page_title", "") + " " + meta.get("title", ""))
    start, end = region
    lo = max(0, start - 40)
    cands: list[tuple[float, int, int, str]] = []
    sizes = [l.size for l in lines[lo:min(end, start + 25, len(lines))] if l.size]
    largest = max(sizes) if sizes else 0.0
    for i in range(lo, min(end, start + 25, len(lines))):
        if i in skip:
            continue
        for j in range(i + 1, min(i + 4, len(lines)) + 1):
            if any(k in skip for k in range(i, j)):
                break
            group = lines[i:j]
            if j > i + 1 and not all(g.heading == group[0].heading and (g.bold > 0) == (group[0].bold > 0)
                                     for g in group):
                break
            text = "".join(g.text for g in group)
            if not rc.reads_as_title(text):
                continue
            score = 1.0
            squashed = _squash(text)
            if rc.is_title_like(text):
                score += 3
            if page_title and (squashed in page_title or _names_page_title(squashed, page_title)):
                score += 3 + min(len(squashed), 60) / 30
            if group[0].heading:
                score += 2
            if all(g.bold > len(_squash(g.text)) * 0.5 for g in group):
                score += 1
            if any(g.size >= 18 for g in group):
                score += 1
            if largest >= 17 and all(g.size >= largest for g in group):
                score += 2   # the largest type around the text
            if rc.is_order_header(text):
                score -= 4   # `某某市人民政府令`: the header of an order, its title follows
            if group[0].centred:
                score += 0.5
            links = sum(g.links for g in group)
            if links > len(squashed) * 0.5:
                score -= 4   # a link to another page (sidebar lists of titles)
            if i < start - 15:
                score -= 1
            cands.append((score, i, j, squashed))
    if not cands:
        return None
    best = max(cands, key=lambda c: c[0])
    if best[0] < 4:
        return None
    # A title the text repeats (a 令 quotes it after its preamble): the first showing is the heading.
    first = min((c for c in cands if c[3] == best[3] and c[0] >= best[0] - 3), key=lambda c: c[1])
    return first[1], first[2]


# -- the region of the text ---------------------------------------------------------------------

def locate_region(lines: list[Line], cleaned_html: str) -> tuple[int, int]:
    """[start, end) of the lines the extractor takes as the main content; the whole page if none."""
    found = main_text(cleaned_html)
    if len(found) < 20:
        return boilerplate.main_span([l.text for l in lines], [l.links for l in lines])
    inside = [len(_squash(l.text)) >= 2 and _squash(l.text) in found for l in lines]
    anchors = [i for i, l in enumerate(lines) if inside[i] and len(_squash(l.text)) >= 12]
    if not anchors:
        return boilerplate.main_span([l.text for l in lines], [l.links for l in lines])
    start, end = anchors[0], anchors[-1] + 1
    # Short lines at the edges the extractor kept too (a date line, 此件公开发布, the last cells of
    # a table); a one-character cell (`1`) proves nothing, so it is stepped over, not stopped at.
    tiny = [len(_squash(l.text)) < 2 for l in lines]
    k = start - 1
    while k >= 0 and k >= anchors[0] - 12 and (inside[k] or tiny[k]):
        if inside[k]:
            start = k
        k -= 1
    k = end
    while k < len(lines) and k <= anchors[-1] + 12 and (inside[k] or tiny[k]):
        if inside[k]:
            end = k + 1
        k += 1
    return start, end


def read_page(html: str) -> PageText:
    """A page's lines, where its text is, its labelled fields, catalogue table and heading."""
    lines, meta, cleaned = page_lines(html)
    region = locate_region(lines, cleaned)
    fields = metadata_fields(lines, until=region[1] + 10)
    page = PageText(lines=lines, region=region, fields=fields, meta=meta)
    page.catalogue = catalogue_lines(lines, fields)
    page.title_span = heading(lines, meta, region, page.catalogue)
    return page
