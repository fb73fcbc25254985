"""documents/<slug>.pdf: a standalone download of each public document.

From the best source that exists: the document's own scan; else its pages cut from the scan of
the issue it appeared in (pypdfium2 imports the page range into a new PDF); else a clean PDF
set from its text (reportlab, with the standard Adobe CJK fonts, so no font file is embedded).
Each PDF is cached under the cache folder by a hash of its inputs, so a rebuild only makes the
PDFs of new or edited documents; GAZETTE_PDF = False switches the downloads off.

The download of a document that is not in force (repealed, expired, not yet effective) carries a
stamp on every page: its status and the date of the stamp (the build's as-of date). On a scan the
stamp is an overlay added to each page's content; the page's own content is left as it is. The
unstamped scan PDF stays cached by its own key, the stamped one by that key and the stamp, so a
new as-of date only re-stamps. A text PDF is set with its stamp drawn on each page (cached by the
same two keys): setting it again is cheaper than stamping it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import shutil
from bisect import bisect_right
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from itertools import accumulate

from ..background import die_with_parent
from ..model import Document, Issue, parse_pages
from ..labels import people_date
from ..pdf_files import failure, open_pdf
from ..render import to_text
from . import pdf_write
from .pdf_write import cid_font

log = logging.getLogger(__name__)

VERSION = "4"  # bump when the generated PDFs change, to invalidate the cache


PARALLEL_FROM = 24  # fewer PDFs to make than this: not worth starting worker processes


STAMP_VERSION = "1"  # bump when the stamp's drawing changes


@dataclass(frozen=True)
class Stamp:
    """What a not-in-force document's download is stamped with."""

    status: str   # the status label (已废止, 已失效, 尚未生效)
    day: str      # the date of the stamp, as people read it (2026年11月22日)
    caption: str  # the line under it (有效性标注日期：…)
    script: str = "zh-Hans"

    @property
    def key(self) -> str:
        return _hash(STAMP_VERSION, self.status, self.day, self.caption, self.script)[:16]


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
    stamp: Stamp | None = None   # a document not in force: stamped on every page

    @property
    def cache_name(self) -> str:
        """The PDF's name in the cache: the unstamped PDF's, or the stamped copy's."""
        return f"{self.key}-{self.stamp.key}.pdf" if self.stamp else f"{self.key}.pdf"

    @property
    def text(self) -> dict:
        """What the text PDF shows; made when needed, so planning a large archive's PDFs (most of
        them already cached) does not hold every document's text at once."""
        from .. import build_context

        build = build_context.current()
        if build is not None and self.doc.is_public:
            # The text the build derived with each body's HTML (render cache): to_text of every
            # body again was a tenth of a cold build's PDFs at 10,000 documents.
            return text_content(self.doc, self.site, body=lambda _body: build.model.text_of(self.doc))
        return text_content(self.doc, self.site)


@dataclass
class PdfResult:
    made: int = 0
    reused: int = 0
    written: int = 0
    stamped: int = 0
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


def text_content(doc: Document, site_name: str, body=to_text) -> dict:
    return {"title": doc.title, "doc_number": doc.doc_number or "", "issuer": "；".join(doc.issuer),
            "date": people_date(doc.date), "script": doc.script,
            "body": body(doc.body), "site": site_name, "url": doc.url}


@functools.lru_cache(maxsize=1)
def _to_text_code() -> str:
    """A digest of the code that makes a text PDF's text from a body (gazette/render.py)."""
    from .. import render

    with open(render.__file__, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest()


def _text_key(doc: Document, site_name: str) -> str:
    """What a document's PDF shows, as a cache key: its Markdown body rather than the text made from it
    (to_text on every document of every build, for PDFs that are almost all cached), with the code
    that makes that text. The body stands as the digest of its file's bytes where the header cache
    took one (`source_digest`: hashing 10,000 bodies again was a tenth of the publishing step of an
    edit-one rebuild), else as its own digest."""
    digest = getattr(doc, "source_digest", None)
    body = (lambda b: "file:" + digest) if digest else (lambda b: hashlib.sha1(b.encode("utf-8")).hexdigest())  # noqa: E731
    return json.dumps([_to_text_code(), text_content(doc, site_name, body=body)], sort_keys=True)


STAMP_CAPTION = "有效性标注日期：{day}"


def status_stamps(model, script: str = "zh-Hans") -> dict[str, Stamp]:
    """slug → stamp, for each document not in force on the model's as-of date."""
    from ..labels import STATUS_LABELS, localise

    day = people_date(model.as_of)
    return {doc.slug: Stamp(localise(STATUS_LABELS[ev.status], script), day,
                            localise(STAMP_CAPTION.format(day=day), script), script)
            for doc in model.documents if not (ev := model.evaluation(doc)).in_force}


def plan_pdfs(docs: list[Document], kinds: dict[str, str], issues: dict[str, Issue], content_dir: str,
              site_name: str, stamps: dict[str, Stamp] | None = None) -> list[PdfJob]:
    """One job per document that gets a PDF (kinds: slug → 'scan' | 'issue' | 'text'; stamps: slug →
    the stamp of a document not in force)."""
    jobs = []
    stamps = stamps or {}
    for doc in docs:
        kind = kinds.get(doc.slug)
        if not kind:
            continue
        text_key = _text_key(doc, site_name)
        own = dict(doc=doc, site=site_name, stamp=stamps.get(doc.slug))
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


def draws_stamp(job: PdfJob) -> bool:
    """A text PDF is set with its stamp (a few milliseconds), not stamped afterwards: PDFium's overlay
    costs a tenth of a second and more per document, most of it loading each page again."""
    return job.kind == "text" and job.stamp is not None


def make_pdf(job: PdfJob, dest: str) -> None:
    """Make one PDF at `dest` (atomically): the stamped one if the job draws its stamp, else the unstamped."""
    tmp = f"{dest}.tmp{os.getpid()}"
    if job.kind == "scan":
        shutil.copyfile(job.source, tmp)
    elif job.kind == "issue":
        cut_pages(job.source, job.first, job.last, tmp)
    else:
        text_pdf(job.text, tmp, job.stamp)
    os.replace(tmp, dest)


def cut_pages(source: str, first: int, last: int, dest: str) -> None:
    """Pages first..last (0-based, inclusive) of `source` as a new PDF; clamped to the scan's length."""
    import pypdfium2 as pdfium

    src = open_pdf(source)
    try:
        n = len(src)
        if first >= n:
            raise ValueError(f"{source} 只有 {n} 页，没有第 {first + 1} 页")
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


def stamp_status(source: str, dest: str, stamp: Stamp, site: str = "") -> None:
    """`source` with `stamp` drawn over the top of every page, written to `dest` (atomically).

    The stamp is set by ReportLab (one page per page of `source`, in that page's size and rotation)
    and placed on each page as a form XObject by PDFium: an object added after the page's own,
    which stay as they are. Same input, same stamp: same bytes (stable_pdf_id)."""
    import io

    import pypdfium2 as pdfium

    src = open_pdf(source)
    try:
        boxes = [(page.get_cropbox(), page.get_rotation()) for page in src]
        overlay = pdfium.PdfDocument(io.BytesIO(_stamp_pages(boxes, stamp, site)))
        for i, page in enumerate(src):
            page.insert_obj(overlay.page_as_xobject(i, src).as_pageobject())
            page.gen_content()
        tmp = f"{dest}.tmp{os.getpid()}"
        src.save(tmp)
        overlay.close()
    finally:
        src.close()
    stable_pdf_id(tmp)
    os.replace(tmp, dest)


def _stamp_pages(boxes: list[tuple[tuple[float, float, float, float], int]], stamp: Stamp, site: str) -> bytes:
    """A PDF with one page per (crop box, rotation): the stamp in the top right corner as the page is
    seen (rotation applied), the rest of the page empty."""
    fonts = {cid_font(stamp.script)}
    return pdf_write.pdf_bytes([(right, top, stamp_ops(stamp, site, (left, bottom, right, top), rotation))
                                for (left, bottom, right, top), rotation in boxes], fonts)


_RED = ".64 .09 .1"


def stamp_ops(stamp: Stamp, site: str, box: tuple[float, float, float, float], rotation: int = 0) -> str:
    """PDF operators drawing the stamp on a page whose crop box is `box` (left, bottom, right, top),
    in its top right corner as the page is seen (`rotation` applied): a framed white box, not quite
    opaque, with the status, the caption and the site in red."""
    font = cid_font(stamp.script)
    widths, ref, num = pdf_write.widths(font), pdf_write.FONT_REFS[font], pdf_write.num
    left, bottom, right, top = box
    w, h = right - left, top - bottom
    seen_w, seen_h = (h, w) if rotation in (90, 270) else (w, h)
    # From the page as seen (origin bottom left) to the page's own space.
    turn = {0: (1, 0, 0, 1, 0, 0), 90: (0, 1, -1, 0, w, 0), 180: (-1, 0, 0, -1, w, h),
            270: (0, -1, 1, 0, 0, h)}[rotation % 360]
    scale = max(0.6, min(1.0, seen_w / 595))  # A4 width in points: smaller on small pages
    lines = [(stamp.status, 15 * scale), (stamp.caption, 8 * scale)] + ([(site, 7 * scale)] if site else [])
    pad = 6 * scale
    box_w = max(widths.of(t) * size / 1000 for t, size in lines) + 2 * pad
    box_h = sum(size * 1.35 for _, size in lines) + 2 * pad - 2 * scale
    x, y = seen_w - box_w - 18 * scale, seen_h - box_h - 18 * scale
    ops = ["q", f"1 0 0 1 {num(left)} {num(bottom)} cm", " ".join(map(num, turn)) + " cm",
           f"1 1 1 rg {pdf_write.ALPHA_88} gs {_RED} RG {num(1.5 * scale)} w",
           f"{num(x)} {num(y)} {num(box_w)} {num(box_h)} re B", f"{_RED} rg {pdf_write.ALPHA_1} gs"]
    baseline = y + box_h - pad
    for text, size in lines:
        baseline -= size
        # The text state is not reset by the form that holds the stamp on a scan: its OCR layer
        # leaves invisible (3 Tr) or scaled text behind it. Set every part of it; fill and stroke
        # (2 Tr) sets it a little bolder too.
        tx = x + box_w / 2 - widths.of(text) * size / 2000
        ops.append(f"{num(size * 0.02)} w BT {ref} {num(size)} Tf 2 Tr 0 Tc 0 Tw 100 Tz 0 Ts "
                   f"1 0 0 1 {num(tx)} {num(baseline)} Tm {pdf_write.hex_text(text)} Tj ET")
        baseline -= size * 0.35
    ops.append("Q")
    return "\n".join(ops)


# Line breaking (a small subset of the Chinese layout rules of W3C clreq): these never start a
# line (they hang in the margin instead) or never end one (they move to the next line).
_NO_LINE_START = set("，。、；：！？）》」』】〕〉’”…—·％%,.;:!?)]}")
_NO_LINE_END = set("（《「『【〔〈‘“([{")
_CARRY_MAX = 4  # opening punctuation moved down to the next line at most (a run of 50,000 '[' too)
_UNITS = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-/]*|\s|.", re.S)


def _wrap(text: str, width: float, widths, indent: float = 0.0) -> list[str]:
    """Lines of `text` no wider than `width` (in the unit of `widths`: a unit of text → its width):
    CJK characters break anywhere, Latin words and numbers stay whole, closing punctuation hangs at a
    line end, opening punctuation moves down.

    Found a line at a time, not a character at a time: the running widths are summed once (C-level
    `accumulate`), each line's end is a binary search in them, and only the units around a break are
    looked at in Python. (tests/test_publishing_unit.py compares it with the unit-by-unit rule.)"""
    units = _UNITS.findall(text)
    n = len(units)
    if not n:
        return []
    cum = list(accumulate(map(widths.__getitem__, units), initial=0))
    lines: list[str] = []
    carry: list[str] = []  # opening punctuation moved down, before units[start:]
    carry_w = 0
    start, check = 0, 1  # the line's first unit after the carry; the first unit that may break it
    avail = width - indent
    while True:
        # units[j] breaks the line when carry_w + cum[j + 1] - cum[start] > avail
        j = bisect_right(cum, avail - carry_w + cum[start], check + 1) - 1
        while j < n and units[j] in _NO_LINE_START:  # hangs in the margin
            j += 1
        if j >= n:
            if carry or start < n:
                lines.append("".join(carry + units[start:]).rstrip())
            return lines
        line = carry + units[start:j]
        carry = []
        while line and line[-1] in _NO_LINE_END and len(carry) < _CARRY_MAX:
            carry.insert(0, line.pop())
        if not line:  # a line of nothing but opening punctuation: break it where it is
            line, carry = carry, []
        lines.append("".join(line).rstrip())
        carry_w = sum(widths[c] for c in carry)
        avail = width
        if units[j].isspace():  # a space at a break is dropped
            start = j + 1
            check = start if carry else start + 1
        else:
            start, check = j, j + 1


def text_pdf(content: dict, dest: str, stamp: Stamp | None = None) -> None:
    """A clean A4 PDF of a document's text with its title, number, issuer and date; `stamp` (a
    document not in force) drawn on every page as it is set.

    In one of the standard Adobe CJK fonts (nothing embedded), written by pdf_write: each page one
    text object, a position and a string per line. (ReportLab's paragraph engine took ten times as
    long, its canvas and serialiser twice.)"""
    mm = 72 / 25.4
    font = cid_font(content["script"])
    widths, ref, num = pdf_write.widths(font), pdf_write.FONT_REFS[font], pdf_write.num
    page_w, page_h = 595.2755905511812, 841.8897637795277  # A4
    left, right, top, bottom = 25 * mm, 25 * mm, 25 * mm, 22 * mm
    width = page_w - left - right
    pages: list[tuple[float, float, str]] = []
    ops: list[str] = ["BT"]
    state = {"y": page_h - top, "page": 1, "size": None}

    def show(text: str, size: float, x: float, y: float) -> None:
        if size != state["size"]:
            ops.append(f"{ref} {num(size)} Tf")
            state["size"] = size
        ops.append(f"1 0 0 1 {num(x)} {num(y)} Tm {pdf_write.hex_text(text)} Tj")

    def centred(text: str, size: float, y: float) -> None:
        show(text, size, page_w / 2 - widths.of(text) * size / 2000, y)

    def end_page() -> None:
        centred(f"{content['site']} · {content['url']} · {state['page']}", 8, 12 * mm)
        ops.append("ET")
        if stamp:
            ops.append(stamp_ops(stamp, content["site"], (0, 0, page_w, page_h)))
        pages.append((page_w, page_h, "\n".join(ops)))
        ops[:] = ["BT"]
        state["size"] = None

    def lines(text: str, size: float, leading: float, centre: bool = False, indent: float = 0.0) -> None:
        scale = 1000 / size  # points → the widths' thousandths of the size
        for i, line in enumerate(_wrap(text, width * scale, widths, indent * scale)):
            if state["y"] - leading < bottom:
                end_page()
                state["page"] += 1
                state["y"] = page_h - top
            state["y"] -= leading
            if centre:
                centred(line, size, state["y"])
            else:
                show(line, size, left + (indent if i == 0 else 0), state["y"])

    lines(content["title"], 17, 26, centre=True)
    state["y"] -= 6
    for meta in (content["doc_number"], content["issuer"], content["date"]):
        lines(meta, 10.5, 16, centre=True)
    state["y"] -= 8 * mm
    for para in re.split(r"\n\s*\n|\n", content["body"]):
        para = para.strip()
        if not para:
            continue
        if len(para) <= 24 and not para.endswith(("。", "；", "：")):  # a heading (第一章 总则)
            state["y"] -= 6
            lines(para, 12, 21, centre=True)
        else:
            lines(para, 12, 21, indent=24)
        state["y"] -= 3
    end_page()
    info = {"Title": content["title"], "Author": content["issuer"], "Subject": content["doc_number"],
            "Creator": content["site"]}
    with open(dest, "wb") as f:
        f.write(pdf_write.pdf_bytes(pages, {font} | ({cid_font(stamp.script)} if stamp else set()), info))


def _make_cached(args: tuple[PdfJob, str]) -> tuple[str, str | None, str | None]:
    """(slug, error, note): error when no PDF could be made, note when the text stood in for a scan."""
    job, path = args
    try:
        make_pdf(job, path)
        return job.slug, None, None
    except Exception as e:  # one bad scan must not stop the build: fall back to the text
        error = failure(job.source or job.slug, e)
    try:  # unstamped, where the scan's PDF would have been: stamped below like a scan
        make_pdf(replace(job, kind="text", stamp=None), path)
        return job.slug, None, f"扫描件无法使用，改由正文排版（{error}）"
    except Exception as e:
        return job.slug, f"{error}；由正文排版也失败：{failure(job.source or job.slug, e)}", None



def write_pdfs(jobs: list[PdfJob], output_dir: str, cache_dir: str, workers: int = 2) -> PdfResult:
    """Make the PDFs missing from the cache, then copy each into documents/ unless already there."""
    os.makedirs(cache_dir, exist_ok=True)
    result = PdfResult(failed=[])
    base = {job.slug: os.path.join(cache_dir, f"{job.key}.pdf") for job in jobs}
    cached = {job.slug: os.path.join(cache_dir, job.cache_name) for job in jobs}
    # A scan's unstamped PDF is made when missing and its document's download is (a stamped one is
    # made from it: a new stamp date re-stamps without cutting the scan again); a text PDF is set
    # as its download is, stamp included (draws_stamp).
    # Each file is looked at once (stat), not once per question: 10,000 documents' PDFs were 70,000
    # system calls of an edit-one rebuild's publishing step.
    have = {job.slug: _stat(cached[job.slug]) for job in jobs}
    missing = [(job, cached[job.slug] if draws_stamp(job) else base[job.slug]) for job in jobs
               if have[job.slug] is None and (draws_stamp(job) or not os.path.exists(base[job.slug]))]
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
            log.warning("%s 的 PDF：%s", slug, note)
        if error:
            result.failed.append(f"{slug}：{error}")
            log.warning("%s 的 PDF 未生成：%s", slug, error)
    for job, _ in missing:
        have[job.slug] = _stat(cached[job.slug])
    result.made = len(missing) - len(result.failed)
    result.reused = len(jobs) - len(missing)
    result.stamped = sum(1 for job, _ in missing if draws_stamp(job) and have[job.slug] is not None)
    for job in jobs:
        if job.stamp and have[job.slug] is None and os.path.exists(base[job.slug]):
            try:
                stamp_status(base[job.slug], cached[job.slug], job.stamp, job.site)
                have[job.slug] = _stat(cached[job.slug])
                result.stamped += 1
            except Exception as e:  # a PDF PDFium cannot rewrite: no download rather than an unmarked one
                from ..pdf_files import pdf_problem

                problem = pdf_problem(base[job.slug], e)
                result.failed.append(f"{job.slug}：无法加注有效性标记：{problem}")
                log.warning("%s 的 PDF 未加注有效性标记：%s", job.slug, problem)
    for job in jobs:
        src, made = cached[job.slug], have[job.slug]
        if made is None:
            continue
        dest = os.path.join(output_dir, "documents", f"{job.slug}.pdf")
        there = _stat(dest)
        if there is None or there.st_size != made.st_size or there.st_mtime != made.st_mtime:
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            tmp = f"{dest}.tmp{os.getpid()}"
            shutil.copy2(src, tmp)  # keeps the cache's mtime: the next build sees it is current
            os.replace(tmp, dest)
            result.written += 1
    return result


def _stat(path: str) -> os.stat_result | None:
    """The file's status; None where os.path.exists would say False."""
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def forget_pdfs(jobs: list[PdfJob], cache_dir: str) -> int:
    """Remove cached PDFs that no job of this build uses (documents withheld, edited or deleted
    since): the cache must not keep the text of a document that is no longer public. Only a
    build that plans every document's PDF may call it. Returns how many were removed."""
    keep = {f"{job.key}.pdf" for job in jobs} | {job.cache_name for job in jobs}
    removed = 0
    for name in os.listdir(cache_dir) if os.path.isdir(cache_dir) else ():
        if name not in keep:
            os.remove(os.path.join(cache_dir, name))
            removed += 1
    return removed
