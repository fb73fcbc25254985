"""Scanned gazette issues as PDF → one issue and its documents.

Text comes from the PDF's text layer where a page has one (pypdfium2: in
`scripts/pdf_text_libs.py` it was exact on Chinese text from both a CID-font and an
embedded-subset PDF, where pdfminer.six, pdfplumber and pypdf lost about a tenth of the
characters of the latter, and it was the fastest); pages without one are rendered and OCRed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

import pypdfium2 as pdfium

from . import boilerplate
from . import recognise as rc
from .legacy import parse_lines
from .manifest import ManifestRow
from .ocr import TesseractOCR
from .sources import DocDraft, IssueDraft, Parsed, Source, SourceError

MIN_TEXT_CHARS = 8     # fewer characters than this on a page: treat it as an image
OCR_DPI = 300
_FILE_ISSUE = re.compile(r"((?:19|20)\d{2})\s*(?:[-_.年第]+)\s*(\d{1,3})")


class PdfiumText:
    """Text layer of each page (the one concrete extractor)."""

    def pages(self, path: str) -> list[str]:
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as e:
            raise SourceError(f"无法打开 PDF：{e}") from None
        try:
            out = []
            for i in range(len(pdf)):
                page = pdf[i]
                tp = page.get_textpage()
                out.append(tp.get_text_range().replace("\r\n", "\n").replace("\r", "\n"))
                tp.close()
                page.close()
            return out
        finally:
            pdf.close()


def has_text(page_text: str) -> bool:
    return len(re.sub(r"\s+", "", page_text)) >= MIN_TEXT_CHARS


def ocr_page(task: tuple[str, int, int]) -> tuple[str, int, str]:
    """Render page `index` of the PDF and OCR it (runs in a worker process)."""
    path, index, dpi = task
    pdf = pdfium.PdfDocument(path)
    try:
        image = pdf[index].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        pdf.close()
    return path, index, TesseractOCR(dpi=dpi).read(image)


@dataclass
class PdfPages:
    source: Source
    texts: list[str]
    ocr: list[int] = field(default_factory=list)   # indexes of pages that need / had OCR


def text_layer(source: Source) -> PdfPages:
    texts = PdfiumText().pages(source.path)
    return PdfPages(source, texts, [i for i, t in enumerate(texts) if not has_text(t)])


def _issue_meta(pages: PdfPages, rows: list[ManifestRow]) -> tuple[dict[str, str], list[str]]:
    """Issue key, year, number, serial, date: from the manifest, else the cover, else the file name."""
    got: dict[str, str] = {}
    for r in rows:
        for k in ("issue", "year", "number", "serial", "issue_date", "issue_title"):
            if r.values.get(k):
                got.setdefault(k, r.values[k])
    cover = "\n".join(pages.texts[:2])
    year, number, serial = rc.issue_from_text(cover)
    if not (year and number):
        m = _FILE_ISSUE.search(os.path.basename(pages.source.path))
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
        d = rc.parse_any_date(cover)
        if d:
            got["issue_date"] = d.isoformat()
    if "issue" not in got and "year" in got and "number" in got:
        got["issue"] = f"{int(got['year'])}-{int(got['number']):02d}"
    missing = [k for k in ("year", "number", "issue_date") if k not in got]
    return got, missing


def _doc_from_text(identity: str, text_lines: list[str], fixed: dict[str, str]) -> DocDraft:
    meta, body, notes = parse_lines(boilerplate.reflow(text_lines))
    meta.pop("date", None)  # in a gazette, the publication date is the issue's
    meta.update({k: v for k, v in fixed.items() if v})
    meta = {k: boilerplate.one_line(v) for k, v in meta.items() if v}
    meta["script"] = fixed.get("script") or rc.script_of(meta.get("title", "") + "".join(body))
    d = DocDraft(identity=identity, meta=meta, body=boilerplate.paragraphs(body), notes=notes)
    d.missing = [k for k in ("title", "date", "doc_number", "issuer", "signed") if k not in meta]
    return d


def detect_boundaries(pages: list[str]) -> list[tuple[int, int]]:
    """(page index, line index) where a document starts: a title line with a number line just below."""
    starts = []
    for p, text in enumerate(pages):
        lines = [l.strip() for l in text.split("\n")]
        for i, line in enumerate(lines):
            if not line or not rc.is_title_like(line) or rc.number_line(line):
                continue
            below = [l for l in lines[i + 1:i + 4] if l]
            if any(rc.number_line(l) for l in below[:2]):
                starts.append((p, i))
    return starts


def build_issue(pages: PdfPages, rows: list[ManifestRow]) -> Parsed:
    """The issue and its documents from page texts (after OCR) and the manifest rows for this PDF."""
    src = pages.source
    parsed = Parsed(source=src, pages=len(pages.texts), ocr_pages=len(pages.ocr))
    imeta, imissing = _issue_meta(pages, rows)
    if imissing:
        raise SourceError("无法确定期次信息，缺少：" + "、".join(imissing) + "（可在清单中提供 issue、issue_date 列）")
    key = imeta["issue"]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", key):
        raise SourceError(f"期号 '{key}' 不能用作文件名（应为 2017-01 这样的 ASCII 名称）")
    scan = f"scans/{key}.pdf"
    imeta_out = {"title": imeta.get("issue_title", f"{imeta['year']}年第{int(imeta['number'])}期"),
                 "year": imeta["year"], "number": imeta["number"], "date": imeta["issue_date"],
                 "scan": scan}
    if imeta.get("serial"):
        imeta_out["serial"] = imeta["serial"]
    parsed.issue = IssueDraft(identity=src.identity, meta=imeta_out, scan_from=src.path)
    common = {"gazette": key, "scan": scan, "date": imeta["issue_date"]}

    doc_rows = [r for r in rows if r.page_range]
    if doc_rows:
        per_page: dict[int, int] = {}
        for r in doc_rows:
            a, b = r.page_range
            # Identity by first page (stable when rows are reordered); a second document
            # starting on the same page gets a suffix.
            per_page[a] = per_page.get(a, 0) + 1
            ident = f"{src.identity}#p{a}" + (f".{per_page[a]}" if per_page[a] > 1 else "")
            if a < 1 or b > len(pages.texts) or b < a:
                parsed.notes.append(f"清单第 {r.line} 行：页码 {a}-{b} 超出本 PDF 的 {len(pages.texts)} 页，已跳过")
                continue
            lines = "\n".join(pages.texts[a - 1:b]).split("\n")
            fixed = dict(common)
            fixed.update({k: v for k, v in r.values.items() if k not in ("issue", "year", "number", "serial",
                                                                          "issue_date", "issue_title")})
            fixed["pages"] = f"{a}-{b}" if b != a else str(a)
            parsed.documents.append(_doc_from_text(ident, lines, fixed))
        return parsed

    starts = detect_boundaries(pages.texts)
    parsed.notes.append(f"文件边界为自动识别（未提供清单）：识别出 {len(starts)} 件")
    if not starts:
        # Nothing is dropped: the whole issue is kept as one draft for an archivist to split.
        lines = "\n".join(pages.texts).split("\n")
        n = len(pages.texts)
        d = _doc_from_text(f"{src.identity}#all", lines, dict(common, pages=f"1-{n}" if n > 1 else "1"))
        d.review.append("未能把本期拆分为文件，整期保存为一件草稿（请拆分或在清单中给出各文件页码）")
        parsed.documents.append(d)
        return parsed
    for n, (p, i) in enumerate(starts):
        end_p, end_i = starts[n + 1] if n + 1 < len(starts) else (len(pages.texts) - 1, None)
        chunk = []
        for q in range(p, end_p + 1):
            lines = pages.texts[q].split("\n")
            lo = i if q == p else 0
            hi = end_i if (q == end_p and end_i is not None) else len(lines)
            chunk += lines[lo:hi]
        last = end_p if end_i is None or end_i > 0 else end_p - 1
        fixed = dict(common, pages=f"{p + 1}-{max(last, p) + 1}" if max(last, p) != p else str(p + 1))
        parsed.documents.append(_doc_from_text(f"{src.identity}#p{p + 1}.{i}", chunk, fixed))
    return parsed

