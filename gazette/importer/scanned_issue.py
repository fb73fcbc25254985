"""Scanned gazette issues as PDF → one issue and its documents, segmented by the pages' layout.

Text comes from the PDF's text layer where a page has one (pypdfium2: in
`scripts/pdf_text_libs.py` it was exact on Chinese text from both a CID-font and an
embedded-subset PDF, where pdfminer.six, pdfplumber and pypdf lost about a tenth of the
characters of the latter, and it was the fastest); pages without one are rendered and OCRed.
Either way each page becomes lines with boxes and sizes (`layout.py`), and documents are found
from that geometry: a title is a centred block of larger lines, often followed by a number, an
order number (第N号), an adoption line in brackets or the addressee; the issue's 目录, when it has
one, says which titles to expect and on which pages. Every character read ends up in a written
file: a document, a draft of what no document claimed, or the issue file (cover, running heads).
"""

from __future__ import annotations

import os
import re
import statistics
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ..pdf_files import PdfError, open_pdf
from . import boilerplate
from . import layout as lay
from . import recognise as rc
from .import_report import LOW_CONFIDENCE, LOW_PAGE_NOTE
from .layout import Line, PageLayout
from .manifest import ManifestRow
from .ocr import TesseractOCR
from .sources import DocDraft, IssueDraft, Parsed, Source, SourceError

MIN_TEXT_CHARS = 8     # fewer characters than this on a page: treat it as an image
OCR_DPI = 300
_FILE_ISSUE = re.compile(r"((?:19|20)\d{2})\s*(?:[-_.年第]+)\s*(\d{1,3})")


class PdfiumText:
    """Text layer of each page with character boxes and font sizes (the one concrete extractor)."""

    def pages(self, path: str) -> list[PageLayout]:
        try:
            pdf = open_pdf(path)
        except PdfError as e:
            raise SourceError(str(e)) from None
        try:
            out = []
            for i in range(len(pdf)):
                page = pdf[i]
                tp = page.get_textpage()
                try:
                    out.append(_page_lines(tp, *page.get_size()))
                finally:
                    tp.close()
                    page.close()
            return out
        finally:
            pdf.close()


def _page_lines(tp, width: float, height: float) -> PageLayout:
    """Characters grouped into lines by their vertical position, in the text layer's order."""
    n = tp.count_chars()
    text = tp.get_text_range(0, n) if n else ""
    per_char = len(text) != n   # surrogate pairs: fall back to one call per character
    lines: list[Line] = []
    cur: list[tuple[str, tuple[float, float, float, float], float]] = []

    def flush():
        if not cur:
            return
        chars = "".join(c for c, _, _ in cur)
        boxes = [b for c, b, _ in cur if not c.isspace()]
        if chars.strip() and boxes:
            size = statistics.median(s for c, _, s in cur if not c.isspace())
            lines.append(Line(re.sub(r"[ \t\u3000]+", " ", chars).strip(), min(b[0] for b in boxes),
                              height - max(b[3] for b in boxes), max(b[2] for b in boxes),
                              height - min(b[1] for b in boxes), size))
        cur.clear()

    for i in range(n):
        ch = tp.get_text_range(i, 1) if per_char else text[i]
        if ch in "\r\n":
            continue
        box = tp.get_charbox(i)
        size = pdfium_c.FPDFText_GetFontSize(tp, i) or (box[3] - box[1])
        if ch.isspace() or box[2] <= box[0]:
            if cur:
                cur.append((" ", cur[-1][1], cur[-1][2]))
            continue
        if cur:
            ref = [b for c, b, _ in cur if not c.isspace()][-1]
            mid = (box[1] + box[3]) / 2
            same_row = ref[1] - size * 0.3 <= mid <= ref[3] + size * 0.3
            if not same_row:
                flush()
            elif box[0] - ref[2] > size * 1.5:
                cur.append((" ", ref, size))
        cur.append((ch, box, size))
    flush()
    return PageLayout(width, height, lines, ocr=False)


def has_text(page: PageLayout) -> bool:
    return len(re.sub(r"\s+", "", page.text)) >= MIN_TEXT_CHARS


def scan_dpi(page) -> int:
    """The resolution to OCR a page at: its scan's (its largest image's pixels per inch), within
    200-300 dpi; OCR_DPI for a page without an image. Rendering above the scan's own resolution
    adds no detail and makes Tesseract slower; below 200 dpi, body text is too small for it."""
    width_in = page.get_width() / 72
    best = 0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2):
        try:
            px = obj.get_px_size()[0]
        except (pdfium.PdfiumError, TypeError, ValueError):   # an image pdfium cannot measure
            continue
        best = max(best, int(px / width_in)) if width_in else best
    return min(300, max(200, best)) if best else OCR_DPI


def ocr_page(task: tuple[str, int, int | None]) -> tuple[str, int, PageLayout]:
    """Render page `index` of the PDF and OCR it (runs in a worker process)."""
    path, index, dpi = task
    pdf = open_pdf(path)
    try:
        page = pdf[index]
        dpi = dpi or scan_dpi(page)
        image = page.render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()
    return path, index, TesseractOCR(dpi=dpi).read_layout(image)


@dataclass
class PdfPages:
    source: Source
    layouts: list[PageLayout]
    ocr: list[int] = field(default_factory=list)   # indexes of pages that need / had OCR

    @property
    def texts(self) -> list[str]:
        return [p.text for p in self.layouts]


def text_layer(source: Source) -> PdfPages:
    layouts = PdfiumText().pages(source.path)
    return PdfPages(source, layouts, [i for i, p in enumerate(layouts) if not has_text(p)])


# --- the issue's structure -------------------------------------------------------------------

@dataclass
class Item:
    page: int
    index: int
    line: Line


@dataclass
class Start:
    at: int                      # position in the stream of body items
    title: str
    lines: int                   # how many items the title block spans
    cue: str | None = None       # number | order | adoption | addressee
    toc: lay.TocEntry | None = None
    promulgated: "Start | None" = None   # for an order (XX令 第N号): the rules it promulgates


@dataclass
class IssueLayout:
    pages: list[PageLayout]
    size: float
    margins: lay.Margins
    furniture: list[set[int]]
    front: list[int]                       # cover and 目录 pages
    toc: list[lay.TocEntry]
    items: list[Item]                      # every other line, in reading order
    printed_offset: int = 0                # printed page number − physical page number


def analyse(pages: list[PageLayout]) -> IssueLayout:
    size = lay.body_size(pages)
    furn = lay.furniture(pages, size)
    front: list[int] = []
    toc_lines: list[Line] = []
    for p in range(min(3, len(pages))):
        t = lay.toc_start(pages[p])
        if t is not None:
            front.append(p)
            toc_lines += [l for i, l in enumerate(pages[p].lines[t + 1:], t + 1) if i not in furn[p]]
        elif p == 0 and _is_cover(pages[0], size):
            front.append(0)
        elif p not in front and front and p == front[-1] + 1 and toc_lines and not _has_title(pages[p], size):
            # A 目录 continued on the next page, without a heading of its own.
            front.append(p)
            toc_lines += [l for i, l in enumerate(pages[p].lines) if i not in furn[p]]
        else:
            break
    for p in front:
        furn[p] = set()   # a cover's lines are the cover's, kept whole in the issue file
    body_pages = [p for p in range(len(pages)) if p not in front]
    m = lay.margins([pages[p] for p in body_pages] or pages, [furn[p] for p in body_pages] or furn, size)
    items = [Item(p, i, l) for p in body_pages for i, l in enumerate(pages[p].lines) if i not in furn[p]]
    printed = [(lay.page_number(l.text), p) for p in range(len(pages)) for i, l in enumerate(pages[p].lines)
               if i in furn[p] and lay.page_number(l.text) is not None]
    offsets = [n - (p + 1) for n, p in printed]
    offset = statistics.mode(offsets) if offsets else 0
    return IssueLayout(pages, size, m, furn, front, lay.read_toc(toc_lines), items, offset)


def _is_cover(page: PageLayout, size: float) -> bool:
    """A first page that names the gazette in its masthead (large type, or a page of a few lines)
    and names the issue or says when it was published; a running head alone does not make one."""
    text = page.text
    year, number, _ = rc.issue_from_text(text)
    masthead = any(re.search(r"公[报報]", l.text) and lay.is_large(l, size) for l in page.lines)
    return (masthead or (len(page.lines) <= 8 and bool(re.search(r"公[报報]", text)))) \
        and (bool(year and number) or bool(re.search(r"出版|出刊", text)))


def _has_title(page: PageLayout, size: float) -> bool:
    return any(lay.is_large(l, size) for l in page.lines)


def title_blocks(il: IssueLayout, items: list[Item] | None = None) -> list[tuple[int, int]]:
    """(first item, item count) of each block of consecutive large centred lines."""
    blocks: list[tuple[int, int]] = []
    i = 0
    items = il.items if items is None else items
    while i < len(items):
        it = items[i]
        if not lay.is_heading(it.line, il.margins, il.size):
            i += 1
            continue
        j = i + 1
        while (j < len(items) and j - i < 4 and items[j].page == items[j - 1].page
               and lay.is_heading(items[j].line, il.margins, il.size) and not lay.cue(items[j].line.text)
               and items[j].line.y0 - items[j - 1].line.y1 < items[j].line.size * 1.2):
            j += 1
        blocks.append((i, j - i))
        i = j
    return blocks


def find_starts(il: IssueLayout) -> tuple[list[Start], list[str]]:
    """Where documents begin: title blocks with a cue below, or a 目录 entry naming them.

    With a 目录, a block starts a document when an entry names it or a cue follows it; without
    one, a block that reads as a title is enough. An order (XX令 / 第N号) takes the next block as
    the title of the rules it promulgates. A block right after an 附件 line is an attachment's
    title and stays in its document."""
    notes: list[str] = []
    items = il.items
    unmatched = list(il.toc)
    starts: list[Start] = []
    blocks = title_blocks(il)
    skip_until = -1
    for n, (first, count) in enumerate(blocks):
        if first < skip_until:
            continue
        title = "".join(items[k].line.text for k in range(first, first + count))
        after = [items[k].line.text for k in range(first + count, min(len(items), first + count + 2))]
        cue = next((c for c in map(lay.cue, after) if c), None)
        before = lay.squeeze(items[first - 1].line.text) if first else ""
        if re.fullmatch(r"附件\d*", before):
            continue
        s = Start(first, title, count, cue)
        if cue == "order" and lay.squeeze(title).endswith("令") and n + 1 < len(blocks) \
                and blocks[n + 1][0] - first <= 16:
            nf, nc = blocks[n + 1]
            s.promulgated = Start(nf, "".join(items[k].line.text for k in range(nf, nf + nc)), nc)
            skip_until = nf + nc
        names = [s.promulgated.title, title] if s.promulgated else [title]
        entry = next(filter(None, (_best_entry(t, unmatched) for t in names)), None)
        if entry or cue or (not il.toc and rc.is_title_like(title)):
            if entry:
                unmatched.remove(entry)
            s.toc = entry
            starts.append(s)
    if not blocks:
        # Pages set in one size throughout (a plain text export): a title-like line with a cue below.
        for k, it in enumerate(items):
            text = it.line.text.strip()
            nxt = items[k + 1].line.text if k + 1 < len(items) else ""
            if rc.is_title_like(text) and not lay.cue(text) and lay.cue(nxt) in ("number", "order", "adoption"):
                starts.append(Start(k, text, 1, lay.cue(nxt), _best_entry(text, unmatched)))
                if starts[-1].toc:
                    unmatched.remove(starts[-1].toc)
        if starts:
            notes.append("页面没有字号、居中等版面标题，按标题行与其下的文号识别边界")
    # A 目录 entry whose title is not set large: look for it on its page among ordinary lines.
    for entry in list(unmatched):
        found = _find_plain_title(il, entry, {s.at for s in starts})
        if found:
            unmatched.remove(entry)
            starts.append(found)
    starts.sort(key=lambda s: s.at)
    for entry in unmatched:
        notes.append(f"目录中的《{entry.title}》未在正文中找到标题（请核对）")
    return starts, notes


def _best_entry(title: str, entries: list[lay.TocEntry]) -> lay.TocEntry | None:
    scored = [(lay.similarity(title, e.title), e) for e in entries]
    scored = [(s, e) for s, e in scored if s >= 0.6]
    return max(scored, key=lambda x: x[0])[1] if scored else None


def _find_plain_title(il: IssueLayout, entry: lay.TocEntry, taken: set[int]) -> Start | None:
    page = entry.page - 1 - il.printed_offset if entry.page else None
    best = (0.0, None, 0)
    for k, it in enumerate(il.items):
        if page is not None and abs(it.page - page) > 1 or k in taken:
            continue
        for n in (1, 2, 3):
            if k + n > len(il.items) or il.items[k + n - 1].page != it.page:
                break
            text = "".join(il.items[j].line.text for j in range(k, k + n))
            s = lay.similarity(text, entry.title)
            if s > best[0]:
                best = (s, k, n)
    if best[0] >= 0.75:
        k, n = best[1], best[2]
        title = "".join(il.items[j].line.text for j in range(k, k + n))
        after = il.items[k + n].line.text if k + n < len(il.items) else ""
        return Start(k, title, n, lay.cue(after), entry)
    return None


# --- documents from segments -------------------------------------------------------------------

@dataclass
class Para:
    text: str
    right: bool = False     # right-aligned (a signature block)


def paragraphs(lines: list[Line], il: IssueLayout) -> list[Para]:
    """Lines rejoined into paragraphs by their geometry: an indented, centred or right-aligned
    line starts one; a line that stops short of the right margin ends one."""
    m, size = il.margins, il.size
    out: list[Para] = []
    open_ = False
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        centred = lay.is_centred(line, m, size)
        right = lay.is_right_aligned(line, m, size) and not centred
        indented = line.x0 - m.left >= line.size * 1.2
        if out and open_ and not (centred or right or indented):
            out[-1].text += text
        else:
            out.append(Para(text, right))
        open_ = not (centred or right) and line.x1 >= m.right - line.size * 1.6
    return out


def _pages_label(first: int, last: int) -> str:
    return f"{first + 1}-{last + 1}" if last > first else str(first + 1)


def _draft_from_lines(identity: str, items: list[Item], il: IssueLayout, fixed: dict[str, str],
                      title: str | None = None, header_items: int = 0, number: str | None = None) -> DocDraft:
    paras = paragraphs([it.line for it in items[header_items:]], il)
    texts = [p.text for p in paras]
    meta = {k: v for k, v in fixed.items() if v}
    if title:
        meta["title"] = title
    if number:
        meta["doc_number"] = number
    organs, signed, _ = rc.signature_block(texts)
    if organs:
        meta["issuer"] = ";".join(organs)
    elif number and rc.issuer_from_number(number):
        meta["issuer"] = rc.issuer_from_number(number)
    if not signed:
        # A date set flush right is the signature's, even without an organ line above it.
        signed = next((rc.is_date_line(p.text) for p in paras if p.right and rc.is_date_line(p.text)), None)
    if signed:
        meta["signed"] = signed.isoformat()
    meta = {k: boilerplate.one_line(v) for k, v in meta.items()}
    meta["script"] = fixed.get("script") or rc.script_of(meta.get("title", "") + "".join(texts))
    d = DocDraft(identity=identity, meta=meta, body=boilerplate.paragraphs(texts))
    d.missing = [k for k in ("title", "date", "doc_number", "issuer", "signed") if k not in meta]
    d.confidence = lay.weighted_confidence([it.line for it in items])
    if d.confidence is not None and d.confidence < LOW_CONFIDENCE:
        d.review.append(f"OCR 置信度低（{d.confidence:.0f}），请对照原件核对文字")
    return d


def _segment_doc(il: IssueLayout, s: Start, end: int, identity: str, common: dict[str, str]) -> DocDraft:
    items = il.items[s.at:end]
    header, body = items[:s.lines], items[s.lines:]
    title, number = s.title, None
    if s.promulgated is not None:
        # 临澜市人民政府令 / 第12号 → the number; the title is that of the rules it promulgates.
        rule_at, rule_n = s.promulgated.at - s.at, s.promulgated.lines
        number = s.title + re.sub(r"\s+", "", items[s.lines].line.text)
        title = s.promulgated.title
        header = items[:s.lines + 1] + items[rule_at:rule_at + rule_n]
        body = items[s.lines + 1:rule_at] + items[rule_at + rule_n:]
    elif body and rc.number_line(body[0].line.text):
        number = rc.number_line(body[0].line.text)
        header, body = header + body[:1], body[1:]
    if not number and s.toc and s.toc.number:
        number = s.toc.number   # printed in the issue's 目录
    first = il.items[s.at].page
    last = il.items[end - 1].page if end > s.at else first
    fixed = dict(common, pages=_pages_label(first, last))
    return _draft_from_lines(identity, header + body, il, fixed, title=title, header_items=len(header),
                             number=number)


def _issue_meta(il: IssueLayout, rows: list[ManifestRow], path: str) -> tuple[dict[str, str], list[str]]:
    """Issue key, year, number, serial, date: from the manifest, else the cover, else the running
    heads, else the file name; never from the documents' text."""
    got: dict[str, str] = {}
    for r in rows:
        for k in ("issue", "year", "number", "serial", "issue_date", "issue_title"):
            if r.values.get(k):
                got.setdefault(k, r.values[k])
    cover: list[str] = []
    for p in il.front:
        page = il.pages[p]
        t = lay.toc_start(page)
        cover += [l.text for l in page.lines[:t if t is not None else len(page.lines)]]
    heads = [l.text for p, page in enumerate(il.pages) for i, l in enumerate(page.lines) if i in il.furniture[p]]
    year, number, serial = rc.issue_from_text("\n".join(cover))
    if not (year and number):
        year, number, serial2 = rc.issue_from_text("\n".join(heads))
        serial = serial or serial2
    if not (year and number):
        m = _FILE_ISSUE.search(os.path.basename(path))
        if m:
            year, number = int(m.group(1)), int(m.group(2))
    if "issue" in got and not ("year" in got and "number" in got):
        m = re.match(r"^(\d{4})-(\d{1,3})$", got["issue"])
        if m:
            got.setdefault("year", m.group(1))
            got.setdefault("number", str(int(m.group(2))))
    if year:
        got.setdefault("year", str(year))
    if number:
        got.setdefault("number", str(number))
    if serial:
        got.setdefault("serial", str(serial))
    if "issue_date" not in got:
        publishing = [t for t in cover if re.search(r"出版|出刊|发行|發行|印发|印發", t)]
        for group in (publishing, cover, heads):
            d = rc.parse_any_date("\n".join(group))
            if d:
                got["issue_date"] = d.isoformat()
                break
    if "issue" not in got and "year" in got and "number" in got:
        got["issue"] = f"{int(got['year'])}-{int(got['number']):02d}"
    missing = [k for k in ("year", "number", "issue_date") if k not in got]
    return got, missing


def _front_text(il: IssueLayout) -> str:
    """The issue file's body: the cover and 目录 as read, and the running heads taken off each page."""
    out = []
    for p in il.front:
        out += [f"第 {p + 1} 页（封面、目录）："] + [l.text for l in il.pages[p].lines]
    heads = [(p, l.text) for p, page in enumerate(il.pages) for i, l in enumerate(page.lines)
             if i in il.furniture[p] and p not in il.front]
    if heads:
        out.append("各页页眉页脚（导入时从正文中移除）：")
        out += [f"第 {p + 1} 页：{t}" for p, t in heads]
    return boilerplate.paragraphs(out)


def build_issue(pages: PdfPages, rows: list[ManifestRow]) -> Parsed:
    """The issue and its documents from page layouts (after OCR) and the manifest rows for this PDF."""
    src = pages.source
    parsed = Parsed(source=src, pages=len(pages.layouts), ocr_pages=len(pages.ocr))
    il = analyse(pages.layouts)
    for p, page in enumerate(pages.layouts):
        c = page.confidence
        if c is not None and c < LOW_CONFIDENCE:
            parsed.notes.append(f"{LOW_PAGE_NOTE}：第 {p + 1} 页（{c:.0f}）")
    imeta, imissing = _issue_meta(il, rows, src.path)
    key = imeta.get("issue")
    if key and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", key):
        raise SourceError(f"期号 '{key}' 不能用作文件名（应为 2017-01 这样的 ASCII 名称）")
    from .writer import short_hash
    scan = f"scans/{key or 'undated-' + short_hash(src.identity)}.pdf"
    complete = not imissing
    imeta_out = {"scan": scan}
    if complete:
        imeta_out.update({"title": imeta.get("issue_title", f"{imeta['year']}年第{int(imeta['number'])}期"),
                          "year": imeta["year"], "number": imeta["number"], "date": imeta["issue_date"]})
        if imeta.get("serial"):
            imeta_out["serial"] = imeta["serial"]
    parsed.issue = IssueDraft(identity=src.identity, meta=imeta_out, body=_front_text(il), scan_from=src.path,
                              complete=complete, missing=imissing)
    # A document of the issue names its issue and its pages, never the issue scan as its own: the
    # scan holds every document of the issue, withheld ones too (the build cuts its pages from it).
    # Only a draft of an issue that could not be written points at the scan, for the archivist.
    common: dict[str, str] = {}
    review: list[str] = []
    if complete:
        common.update(gazette=key, date=imeta["issue_date"])
    else:
        common["scan"] = scan
        labels = {"year": "年份", "number": "期号", "issue_date": "出版日期"}
        review.append("未能从封面或页眉识别本期的" + "、".join(labels[k] for k in imissing)
                      + "（可在清单中提供 issue、issue_date 列），期次文件未写入")

    doc_rows = [r for r in rows if r.page_range]
    if doc_rows:
        _documents_from_manifest(pages, il, doc_rows, common, parsed)
    else:
        _documents_from_layout(il, common, parsed)
    for d in parsed.documents:
        d.review = review + d.review
    return parsed


def _documents_from_manifest(pages: PdfPages, il: IssueLayout, doc_rows: list[ManifestRow],
                             common: dict[str, str], parsed: Parsed) -> None:
    src = pages.source
    per_page: dict[int, int] = {}
    covered: set[int] = set(il.front)
    for r in doc_rows:
        a, b = r.page_range
        # Identity by first page (stable when rows are reordered); a second document
        # starting on the same page gets a suffix.
        per_page[a] = per_page.get(a, 0) + 1
        ident = f"{src.identity}#p{a}" + (f".{per_page[a]}" if per_page[a] > 1 else "")
        if a < 1 or b > len(pages.layouts) or b < a:
            parsed.notes.append(f"清单第 {r.line} 行：页码 {a}-{b} 超出本 PDF 的 {len(pages.layouts)} 页，已跳过")
            continue
        covered.update(range(a - 1, b))
        items = [it for it in il.items if a - 1 <= it.page <= b - 1]
        fixed = dict(common)
        fixed.update({k: v for k, v in r.values.items() if k not in ("issue", "year", "number", "serial",
                                                                      "issue_date", "issue_title")})
        fixed["pages"] = _pages_label(a - 1, b - 1)
        parsed.documents.append(_manifest_doc(ident, items, il, fixed))
    rest = [it for it in il.items if it.page not in covered]
    if rest:
        parsed.documents.append(_leftover(src.identity, rest, il, common, "清单未列出的页面内容"))


def _manifest_doc(ident: str, items: list[Item], il: IssueLayout, fixed: dict[str, str]) -> DocDraft:
    """A document whose pages the manifest gives: its title and number recognised unless given."""
    blocks = title_blocks(il, items)
    consumed, title, number = 0, None, None
    if blocks and blocks[0][0] <= 2:
        first, count = blocks[0]
        if first == 0:
            title, consumed = "".join(it.line.text for it in items[:count]), count
    elif items and rc.is_title_like(items[0].line.text):
        title, consumed = items[0].line.text, 1
    if consumed < len(items) and rc.number_line(items[consumed].line.text):
        number, consumed = rc.number_line(items[consumed].line.text), consumed + 1
    given_title = fixed.get("title")
    if given_title and title and lay.similarity(given_title, title) < 0.6:
        consumed, number = 0, None   # the given title is not what the page starts with: keep every line
    d = _draft_from_lines(ident, items, il, fixed, title=fixed.get("title") or title, header_items=consumed,
                          number=fixed.get("doc_number") or number)
    return d


def _leftover(identity: str, items: list[Item], il: IssueLayout, common: dict[str, str], what: str) -> DocDraft:
    first, last = items[0].page, items[-1].page
    d = _draft_from_lines(f"{identity}#rest-p{first + 1}", items, il, dict(common, pages=_pages_label(first, last)))
    d.review.append(f"{what}（第 {_pages_label(first, last)} 页），未归入任何文件：请归入相应文件或拆分")
    return d


def _documents_from_layout(il: IssueLayout, common: dict[str, str], parsed: Parsed) -> None:
    src = parsed.source
    starts, notes = find_starts(il)
    parsed.notes += notes
    parsed.notes.append(f"文件边界为自动识别（未提供清单）：识别出 {len(starts)} 件"
                        + (f"，目录列出 {len(il.toc)} 件" if il.toc else ""))
    if not il.items:
        return
    if not starts:
        # Nothing is dropped: the whole issue is kept as one draft for an archivist to split.
        d = _draft_from_lines(f"{src.identity}#all", il.items, il,
                              dict(common, pages=_pages_label(il.items[0].page, il.items[-1].page)))
        d.review.append("未能把本期拆分为文件，整期保存为一件草稿（请拆分，或在清单中给出各文件页码）")
        parsed.documents.append(d)
        return
    if starts[0].at > 0:
        parsed.documents.append(_leftover(src.identity, il.items[:starts[0].at], il, common,
                                          "第一件文件之前的内容"))
    for n, s in enumerate(starts):
        end = starts[n + 1].at if n + 1 < len(starts) else len(il.items)
        it = il.items[s.at]
        d = _segment_doc(il, s, end, f"{src.identity}#p{it.page + 1}.{it.index}", common)
        if il.toc and not s.toc:
            d.review.append("本件标题不在目录中，边界为按版面推断（请核对）")
        parsed.documents.append(d)
