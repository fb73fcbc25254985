"""The geometry of a scanned issue's pages: lines with boxes, sizes and OCR confidence, and what
each line is (running head or page number, cover, table of contents, document title, body).

Both page sources feed the same model: Tesseract's TSV for OCRed pages (`ocr.py`), the text
layer's character boxes and font sizes for text PDFs (`scanned_issue.py`). Coordinates are PDF
points from the page's top-left corner. Pure functions, no I/O.
"""

from __future__ import annotations

import difflib
import re
import statistics
from dataclasses import dataclass, field

from ..chinese import fold
from . import recognise as rc


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float                     # glyph height (OCR) or font size (text layer), points
    conf: float | None = None       # mean OCR word confidence, 0-100

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class PageLayout:
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    ocr: bool = False

    @property
    def text(self) -> str:
        return "\n".join(l.text for l in self.lines)

    @property
    def confidence(self) -> float | None:
        return weighted_confidence(self.lines)


def weighted_confidence(lines: list[Line]) -> float | None:
    """Mean OCR confidence of lines, weighted by their characters; None for text-layer lines."""
    pairs = [(l.conf, len(l.text)) for l in lines if l.conf is not None and l.text]
    total = sum(n for _, n in pairs)
    return sum(c * n for c, n in pairs) / total if total else None


def squeeze(text: str) -> str:
    """Text compared for matching: folded to Simplified, without spaces or punctuation."""
    return re.sub(r"[\s\W_]+", "", fold(text))


def similarity(a: str, b: str) -> float:
    a, b = squeeze(a), squeeze(b)
    if not a or not b:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


# --- page furniture: running heads and page numbers ----------------------------------------

_PAGE_NUMBER = re.compile(r"^[—\-－–·•\s第]*(\d{1,4})[—\-－–·•\s页頁]*$")
BAND = 0.085   # share of the page height at the top and bottom where furniture sits


def page_number(text: str) -> int | None:
    m = _PAGE_NUMBER.match(text.strip())
    return int(m.group(1)) if m else None


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", squeeze(text))


def furniture(pages: list[PageLayout], body_size: float) -> list[set[int]]:
    """Indexes of the lines of each page that are running heads or page numbers.

    A line in the top or bottom band of the page, no larger than body text, that is a page
    number or repeats (digits aside) on another page's band."""
    def band_lines(p: PageLayout):
        for i, l in enumerate(p.lines):
            in_band = l.y1 <= p.height * BAND * 1.25 or l.y0 >= p.height * (1 - BAND * 1.25)
            if in_band and l.size <= body_size * 1.3 and len(squeeze(l.text)) <= 40:
                yield i, l
    counts: dict[str, int] = {}
    for p in pages:
        for key in {_furniture_key(l.text) for _, l in band_lines(p)}:
            counts[key] = counts.get(key, 0) + 1
    out = []
    for p in pages:
        out.append({i for i, l in band_lines(p)
                    if page_number(l.text) is not None or counts.get(_furniture_key(l.text), 0) >= 2
                    or all(rc.issue_from_text(l.text)[:2])    # a running head names the issue
                    or len(squeeze(l.text)) <= 3})           # a misread page number
    return out


def body_size(pages: list[PageLayout]) -> float:
    sizes = [l.size for p in pages for l in p.lines for _ in range(max(1, len(l.text)))]
    return statistics.median(sizes) if sizes else 10.0


# --- table of contents ----------------------------------------------------------------------

@dataclass
class TocEntry:
    title: str
    page: int | None = None        # printed page number
    number: str | None = None      # document number printed with the entry


# 目录, also as OCR misreads one of its two characters (上录, 目彔).
_TOC_HEAD = re.compile(r"^(?:目\s*\S|\S\s*录)$")
_TRAILING_PAGE = re.compile(r"^(.*?)[\s.·…—-]*(\d{1,4})$")


def toc_start(page: PageLayout) -> int | None:
    """Index of the 目录 heading line on a page, if it has one."""
    for i, l in enumerate(page.lines):
        if _TOC_HEAD.match(fold(l.text).replace("\u3000", "").strip()):
            return i
    return None


def read_toc(lines: list[Line]) -> list[TocEntry]:
    """Entries of a table of contents: titles (wrapped over lines), numbers in brackets, page numbers."""
    entries: list[TocEntry] = []
    current: list[str] = []
    pending_number = None

    def close(page: int | None) -> None:
        nonlocal current, pending_number
        title = "".join(current).strip()
        if title:
            entries.append(TocEntry(title, page, pending_number))
        elif entries and page is not None and entries[-1].page is None:
            entries[-1].page = page
        current, pending_number = [], None

    left = min((l.x0 for l in lines), default=0.0)
    for l in lines:
        s = l.text.strip()
        if not s:
            continue
        if current and l.x0 - left < l.size * 0.5:
            close(None)   # a line at the left edge starts the next entry (its page number misread)
        m = _TRAILING_PAGE.match(s)
        head, page = (m.group(1).strip(), int(m.group(2))) if m else (s, None)
        # A page number alone, or at the end of a title line or a number line.
        # A number in brackets, or alone without a page, belongs to the entry it is printed under;
        # an order's entry (江州市人民政府令第12号 … 7) is a title of its own.
        num = re.fullmatch(r"[（(〔\[]?(.+?)[）)〕\]]?", head) if head else None
        number = rc.number_line(num.group(1)) if num else None
        if number and (head[0] in "（(〔[" or page is None):
            if current:
                pending_number = number
            elif entries:
                entries[-1].number = number
            head = ""
        if head:
            current.append(head)
        if page is not None:
            close(page)
    close(None)
    return entries


# --- titles ---------------------------------------------------------------------------------

_ORDER_NO = re.compile(r"^[（(]?第\s*[\d〇零一二三四五六七八九十百]{1,6}\s*[号號][）)]?$")
_ADOPTION = re.compile(r"^[（(].*(?:通过|通過|发布|發布|公布|修订|修訂|施行|批准|印发|印發|修正).*[）)]$")
_ADDRESSEE = re.compile(r"^[\u4e00-\u9fff（）()、，,\s]{2,80}[:：]$")


def is_order_number(text: str) -> bool:
    return bool(_ORDER_NO.match(text.strip()))


def cue(text: str) -> str | None:
    """What a line right under a title says about it: number, order, adoption, addressee."""
    s = text.strip()
    if rc.number_line(s):
        return "number"
    if is_order_number(s):
        return "order"
    if _ADOPTION.match(s):
        return "adoption"
    if _ADDRESSEE.match(s):
        return "addressee"
    return None


@dataclass
class Margins:
    left: float
    right: float

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2

    @property
    def width(self) -> float:
        return max(1.0, self.right - self.left)


def margins(pages: list[PageLayout], skip: list[set[int]], size: float) -> Margins:
    """Where body lines start and end: low and high percentiles of their edges."""
    xs0 = sorted(l.x0 for p, sk in zip(pages, skip) for i, l in enumerate(p.lines)
                 if i not in sk and abs(l.size - size) <= size * 0.2)
    xs1 = sorted(l.x1 for p, sk in zip(pages, skip) for i, l in enumerate(p.lines)
                 if i not in sk and abs(l.size - size) <= size * 0.2)
    if not xs0:
        return Margins(0.0, max((p.width for p in pages), default=595.0))
    return Margins(xs0[len(xs0) // 10], xs1[min(len(xs1) - 1, len(xs1) * 9 // 10)])


def is_centred(line: Line, m: Margins, size: float) -> bool:
    """Centred between the margins, and not a full-width line."""
    return (abs(line.centre - m.centre) <= max(size * 1.2, m.width * 0.05)
            and line.x0 > m.left + size * 1.5 and line.x1 < m.right - size * 1.5)


def is_right_aligned(line: Line, m: Margins, size: float) -> bool:
    return line.x1 >= m.right - size * 2.5 and line.x0 > m.centre


def is_large(line: Line, size: float) -> bool:
    return line.size >= size * 1.2


def is_heading(line: Line, m: Margins, size: float) -> bool:
    """Larger than body text and centred (a wrapped title's first line may span the full width)."""
    return is_large(line, size) and abs(line.centre - m.centre) <= max(size * 1.5, m.width * 0.06)
