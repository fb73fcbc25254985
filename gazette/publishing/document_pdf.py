"""documents/<slug>.pdf: a standalone download of each public document.

From the best source that exists: the document's own scan; else its pages cut from the scan of
the issue it appeared in (pypdfium2 imports the page range into a new PDF); else a clean PDF
set from its text (reportlab, with the standard Adobe CJK fonts, so no font file is embedded).
Each PDF is cached under the cache folder by a hash of its inputs, so a rebuild only makes the
PDFs of new or edited documents; GAZETTE_PDF = False switches the downloads off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

from ..background import die_with_parent
from ..model import Document, Issue, parse_pages
from ..labels import people_date
from ..render import to_text

log = logging.getLogger(__name__)

VERSION = "3"  # bump when the generated PDFs change, to invalidate the cache
CID_FONTS = {"zh-Hans": "STSong-Light", "zh-Hant": "MSung-Light"}


def fix_cid_encodings() -> None:
    """ReportLab pairs MSung-Light (Traditional) with the GB encoding; poppler then shows nothing.

    Use the CNS (Big5 repertoire) Unicode CMap for it, so every PDF reader renders and extracts it."""
    from reportlab.pdfbase import cidfonts

    cidfonts.defaultUnicodeEncodings["MSung-Light"] = ("cht", "UniCNS-UCS2-H")
PARALLEL_FROM = 24  # fewer PDFs to make than this: not worth starting worker processes


@dataclass(frozen=True)
class PdfJob:
    slug: str
    kind: str                  # "scan", "issue" or "text"
    key: str                   # hash of every input
    source: str | None = None  # absolute path of the scan (scan / issue)
    first: int = 0             # 0-based page range in the issue scan (issue)
    last: int = 0
    doc: Document | None = None  # whose text a text PDF shows (also the fallback when a scan cannot be cut)
    site: str = ""

    @property
    def text(self) -> dict:
        """What the text PDF shows; made when needed, so planning a large archive's PDFs (most of
        them already cached) does not hold every document's text at once."""
        return text_content(self.doc, self.site)


@dataclass
class PdfResult:
    made: int = 0
    reused: int = 0
    written: int = 0
    failed: list[str] | None = None


_file_hashes: dict[tuple[str, int, float], str] = {}


def _file_hash(path: str) -> str:
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime)
    if key not in _file_hashes:
        h = hashlib.sha1()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        _file_hashes[key] = h.hexdigest()
    return _file_hashes[key]


def page_range(pages: str | None) -> tuple[int, int] | None:
    """'12-15' → (11, 14): 0-based indexes in the issue scan, whose page N is gazette page N."""
    parsed = parse_pages(pages)
    return (parsed[0] - 1, parsed[1] - 1) if parsed else None


def text_content(doc: Document, site_name: str) -> dict:
    return {"title": doc.title, "doc_number": doc.doc_number or "", "issuer": "；".join(doc.issuer),
            "date": people_date(doc.date), "script": doc.script,
            "body": to_text(doc.body), "site": site_name, "url": doc.url}


def plan_pdfs(docs: list[Document], kinds: dict[str, str], issues: dict[str, Issue], content_dir: str,
              site_name: str) -> list[PdfJob]:
    """One job per document that gets a PDF (kinds: slug → 'scan' | 'issue' | 'text')."""
    jobs = []
    for doc in docs:
        kind = kinds.get(doc.slug)
        if not kind:
            continue
        text_key = json.dumps(text_content(doc, site_name), sort_keys=True)
        own = dict(doc=doc, site=site_name)
        if kind == "scan":
            src = os.path.join(content_dir, doc.scan)
            jobs.append(PdfJob(doc.slug, kind, _hash(VERSION, kind, _file_hash(src), text_key), source=src, **own))
            continue
        rng = page_range(doc.pages) if kind == "issue" else None
        if rng:
            src = os.path.join(content_dir, issues[doc.gazette].scan)
            jobs.append(PdfJob(doc.slug, kind, _hash(VERSION, kind, _file_hash(src), *map(str, rng), text_key),
                               source=src, first=rng[0], last=rng[1], **own))
        else:
            jobs.append(PdfJob(doc.slug, "text", _hash(VERSION, "text", text_key), **own))
    return jobs


def _hash(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode("utf-8")).hexdigest()


def make_pdf(job: PdfJob, dest: str) -> None:
    """Make one PDF at `dest` (atomically)."""
    tmp = f"{dest}.tmp{os.getpid()}"
    if job.kind == "scan":
        shutil.copyfile(job.source, tmp)
    elif job.kind == "issue":
        cut_pages(job.source, job.first, job.last, tmp)
    else:
        text_pdf(job.text, tmp)
    os.replace(tmp, dest)


def cut_pages(source: str, first: int, last: int, dest: str) -> None:
    """Pages first..last (0-based, inclusive) of `source` as a new PDF; clamped to the scan's length."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(source)
    try:
        n = len(src)
        if first >= n:
            raise ValueError(f"{source} has {n} pages; page {first + 1} does not exist")
        out = pdfium.PdfDocument.new()
        out.import_pages(src, list(range(first, min(last, n - 1) + 1)))
        out.save(dest)
        out.close()
        stable_pdf_id(dest)
    finally:
        src.close()


_PDF_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})([^)]*\))")
_PDF_ID = re.compile(rb"/ID\s*\[\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\]")


def stable_pdf_id(path: str) -> None:
    """PDFium writes a random file /ID; derive it from the content instead, so the same pages give the
    same bytes (incremental and full builds then agree). Same length: the cross-reference stays valid."""
    with open(path, "rb") as f:
        data = f.read()
    # PDFium also stamps the time of writing; the content has no such date, so none is claimed.
    data = _PDF_DATE.sub(lambda d: d.group(1) + b"19700101000000" + d.group(3), data)
    m = _PDF_ID.search(data)
    if not m:
        with open(path, "wb") as f:
            f.write(data)
        return
    blank = data[:m.start()] + b"/ID[]" + data[m.end():]
    digest = hashlib.md5(blank).hexdigest().upper().encode()
    ids = (digest * 4)[: len(m.group(1))], (digest * 4)[: len(m.group(2))]
    new = data[:m.start(1)] + ids[0] + data[m.end(1):m.start(2)] + ids[1] + data[m.end(2):]
    with open(path, "wb") as f:
        f.write(new)


# Line breaking (a small subset of the Chinese layout rules of W3C clreq): these never start a
# line (they hang in the margin instead) or never end one (they move to the next line).
_NO_LINE_START = set("，。、；：！？）》」』】〕〉’”…—·％%,.;:!?)]}")
_NO_LINE_END = set("（《「『【〔〈‘“([{")
_UNITS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/]*|\s|.", re.S)


def _wrap(text: str, width: float, widths: dict[str, float], indent: float = 0.0) -> list[str]:
    """Lines of `text` no wider than `width` points: CJK characters break anywhere, Latin words and
    numbers stay whole, closing punctuation hangs at a line end, opening punctuation moves down."""
    lines: list[str] = []
    line: list[str] = []
    used, avail = 0.0, width - indent
    for unit in _UNITS.findall(text):
        w = widths[unit]
        if line and used + w > avail and unit not in _NO_LINE_START:
            carry = []
            while line and line[-1] in _NO_LINE_END:
                carry.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            line, used, avail = carry, sum(widths[c] for c in carry), width
            if unit.isspace():
                continue
        line.append(unit)
        used += w
    if line:
        lines.append("".join(line).rstrip())
    return lines


class _Widths(dict):
    """Width in points of each text unit in one font and size, measured once (a dict lookup per
    character: the line breaker asks for every character of every document)."""

    def __init__(self, font: str, size: float):
        super().__init__()
        self.font, self.size = font, size

    def __missing__(self, unit: str) -> float:
        from reportlab.pdfbase import pdfmetrics

        w = self[unit] = pdfmetrics.stringWidth(unit, self.font, self.size)
        return w


@functools.lru_cache(maxsize=64)
def _widths(font: str, size: float) -> _Widths:
    return _Widths(font, size)


def text_pdf(content: dict, dest: str) -> None:
    """A clean A4 PDF of a document's text with its title, number, issuer and date.

    Set line by line on a ReportLab canvas with one of the standard Adobe CJK fonts (nothing
    embedded); a tenth of the time of ReportLab's paragraph engine, which matters when a cold build
    sets tens of thousands of them."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font = CID_FONTS.get(content["script"], CID_FONTS["zh-Hans"])
    fix_cid_encodings()
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))

    page_w, page_h = A4
    left, right, top, bottom = 25 * mm, 25 * mm, 25 * mm, 22 * mm
    width = page_w - left - right
    c = canvas.Canvas(dest, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(content["title"])
    c.setAuthor(content["issuer"])
    c.setSubject(content["doc_number"])
    c.setCreator(content["site"])
    state = {"y": page_h - top, "page": 1, "size": None}

    def footer() -> None:
        c.setFont(font, 8)
        state["size"] = 8
        c.drawCentredString(page_w / 2, 12 * mm, f"{content['site']} · {content['url']} · {state['page']}")

    def line(text: str, size: float, leading: float, x: float = 0.0, centre: bool = False) -> None:
        if state["y"] - leading < bottom:
            footer()
            c.showPage()
            state["page"] += 1
            state["y"] = page_h - top
            state["size"] = None
        state["y"] -= leading
        if size != state["size"]:
            c.setFont(font, size)
            state["size"] = size
        if centre:
            c.drawCentredString(page_w / 2, state["y"], text)
        else:  # a text object of our own: drawString would also measure the line, unused
            t = c.beginText(left + x, state["y"])
            t.textOut(text)
            c.drawText(t)

    for text in _wrap(content["title"], width, _widths(font, 17)):
        line(text, 17, 26, centre=True)
    state["y"] -= 6
    for meta in (content["doc_number"], content["issuer"], content["date"]):
        for text in _wrap(meta, width, _widths(font, 10.5)) if meta else ():
            line(text, 10.5, 16, centre=True)
    state["y"] -= 8 * mm
    for para in re.split(r"\n\s*\n|\n", content["body"]):
        para = para.strip()
        if not para:
            continue
        if len(para) <= 24 and not para.endswith(("。", "；", "：")):  # a heading (第一章 总则)
            state["y"] -= 6
            for text in _wrap(para, width, _widths(font, 12)):
                line(text, 12, 21, centre=True)
        else:
            for i, text in enumerate(_wrap(para, width, _widths(font, 12), indent=24)):
                line(text, 12, 21, x=24 if i == 0 else 0)
        state["y"] -= 3
    footer()
    c.showPage()
    c.save()


def _make_cached(args: tuple[PdfJob, str]) -> tuple[str, str | None, str | None]:
    """(slug, error, note): error when no PDF could be made, note when the text stood in for a scan."""
    job, path = args
    try:
        make_pdf(job, path)
        return job.slug, None, None
    except Exception as e:  # one bad scan must not stop the build: fall back to the text
        error = f"{type(e).__name__}: {e}"
    try:
        make_pdf(replace(job, kind="text"), path)
        return job.slug, None, f"set from its text: the scan could not be used ({error})"
    except Exception as e:
        return job.slug, f"{error}; from the text: {type(e).__name__}: {e}", None


def write_pdfs(jobs: list[PdfJob], output_dir: str, cache_dir: str, workers: int = 2) -> PdfResult:
    """Make the PDFs missing from the cache, then copy each into documents/ unless already there."""
    os.makedirs(cache_dir, exist_ok=True)
    result = PdfResult(failed=[])
    cached = {job.slug: os.path.join(cache_dir, f"{job.key}.pdf") for job in jobs}
    missing = [(job, cached[job.slug]) for job in jobs if not os.path.exists(cached[job.slug])]
    if len(missing) >= PARALLEL_FROM and workers > 1:
        # Forked workers (spawn would need the caller's `if __name__ == "__main__"` guard); they
        # only run reportlab / pdfium and report back instead of logging, so no inherited lock is taken.
        with ProcessPoolExecutor(max_workers=workers, initializer=die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            outcomes = list(pool.map(_make_cached, missing, chunksize=8))
    else:
        outcomes = [_make_cached(m) for m in missing]
    for slug, error, note in outcomes:
        if note:
            log.warning("PDF of %s %s", slug, note)
        if error:
            result.failed.append(f"{slug}: {error}")
            log.warning("PDF of %s not made: %s", slug, error)
    result.made = len(missing) - len(result.failed)
    result.reused = len(jobs) - len(missing)
    for job in jobs:
        src = cached[job.slug]
        if not os.path.exists(src):
            continue
        dest = os.path.join(output_dir, "documents", f"{job.slug}.pdf")
        try:
            same = os.path.getsize(dest) == os.path.getsize(src) and os.path.getmtime(dest) == os.path.getmtime(src)
        except FileNotFoundError:
            same = False
        if not same:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            tmp = f"{dest}.tmp{os.getpid()}"
            shutil.copy2(src, tmp)  # keeps the cache's mtime: the next build sees it is current
            os.replace(tmp, dest)
            result.written += 1
    return result


def forget_pdfs(jobs: list[PdfJob], cache_dir: str) -> int:
    """Remove cached PDFs that no job of this build uses (documents withheld, edited or deleted
    since): the cache must not keep the text of a document that is no longer public. Only a
    build that plans every document's PDF may call it. Returns how many were removed."""
    keep = {f"{job.key}.pdf" for job in jobs}
    removed = 0
    for name in os.listdir(cache_dir) if os.path.isdir(cache_dir) else ():
        if name not in keep:
            os.remove(os.path.join(cache_dir, name))
            removed += 1
    return removed
