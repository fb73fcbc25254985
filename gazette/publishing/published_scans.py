"""scans/: the scanned originals the site carries, and nothing else.

Every file under output/scans/ is written here (Pelican's static copy is switched off for them,
see gazette.pelican_site): a public document's own scan as it is; an issue's scan as it is, or
with the pages of withheld and on-request documents replaced by a notice page (same size, same
page numbers, so links to `#page=N` still land on the right page); a scan the model does not
publish (omitted, or of a document withheld since an earlier build) is removed.
Redacted copies are cached by a hash of their inputs, like the document PDFs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field

from ..labels import localise
from ..pdf_files import failure, open_pdf
from ..scans import REASONS, SCANS_DIR, IssueScan
from ..site import SiteModel
from .document_pdf import _file_hash, stable_pdf_id
from .pdf_write import cid_font

VERSION = "1"  # bump when redacted copies change, to invalidate the cache


@dataclass
class ScanResult:
    written: list[str] = field(default_factory=list)   # site paths copied or redacted this time
    expected: set[str] = field(default_factory=set)   # every scan the site carries
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def published_scans(model: SiteModel) -> dict[str, IssueScan | None]:
    """Site path → how it is made: an IssueScan (issue scans) or None (a public document's own scan)."""
    out: dict[str, IssueScan | None] = {}
    for d in model.documents:
        if d.is_public and d.scan:
            out[d.scan] = None
    for scan in model.scans.issues.values():
        if scan.published:
            out[scan.source] = scan
    return out


def _ranges(pages: list[int]) -> str:
    """[3, 4, 5, 8] → '3-5、8'."""
    parts, start = [], None
    for i, p in enumerate(pages):
        if start is None:
            start = p
        if i + 1 == len(pages) or pages[i + 1] != p + 1:
            parts.append(str(start) if start == p else f"{start}-{p}")
            start = None
    return "、".join(parts)


def notice_lines(scan: IssueScan, page: int, reason: str, site_name: str, script: str) -> list[str]:
    """What the notice page standing for `page` says."""
    removed = sorted(scan.removed_pages)
    return [localise(s, script) for s in (
        f"第 {page} 页未公开",
        REASONS[reason],
        f"本期公报扫描件删去了第 {_ranges(removed)} 页，其余各页与原件相同。",
        site_name,
    ) if s]


def _notice_pdf(path: str, pages: list[tuple[float, float, list[str]]], script: str) -> None:
    """One notice page per entry (width, height in points, lines), in the standard CJK font (nothing embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    font = cid_font(script)
    c = canvas.Canvas(path, invariant=1, pageCompression=1)
    for width, height, lines in pages:
        c.setPageSize((width, height))
        size = max(8.0, min(width, height) / 36)
        y = height * 0.62
        for n, text in enumerate(lines):
            s = size * (1.6 if n == 0 else 1.0)
            # Long sentences are shrunk to the page width rather than wrapped: a notice has three lines.
            w = pdfmetrics.stringWidth(text, font, s)
            if w > width * 0.86:
                s *= width * 0.86 / w
            c.setFont(font, s)
            c.drawCentredString(width / 2, y, text)
            y -= s * 2.2
        c.showPage()
    c.save()


def redact(source: str, scan: IssueScan, dest: str, site_name: str = "", script: str = "zh-Hans") -> None:
    """`source` with each removed page replaced by a notice page of the same size, written to `dest`.

    Built page by page into a new document (pages imported, never copied whole), so the removed
    pages' content, the outline and the document information do not travel with it."""
    import pypdfium2 as pdfium

    reasons = dict(scan.removed)
    src = open_pdf(source)
    tmp_notice = f"{dest}.notice{os.getpid()}"
    try:
        n = len(src)
        removed = [p for p in sorted(reasons) if p <= n]
        sizes = {p: src[p - 1].get_size() for p in removed}
        _notice_pdf(tmp_notice, [(*sizes[p], notice_lines(scan, p, reasons[p], site_name, script)) for p in removed],
                    script)
        notice = pdfium.PdfDocument(tmp_notice)
        out = pdfium.PdfDocument.new()
        try:
            slot = {p: i for i, p in enumerate(removed)}
            for page in range(1, n + 1):
                if page in slot:
                    out.import_pages(notice, [slot[page]])
                else:
                    out.import_pages(src, [page - 1])
            out.save(dest)
        finally:
            out.close()
            notice.close()
        stable_pdf_id(dest)
    finally:
        src.close()
        if os.path.exists(tmp_notice):
            os.remove(tmp_notice)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.getsize(a) == os.path.getsize(b) and os.path.getmtime(a) == os.path.getmtime(b)
    except FileNotFoundError:
        return False


def _copy(src: str, dest: str) -> bool:
    """Copy with the source's mtime (the next build sees the copy is current); atomic. True if written."""
    if _same_file(src, dest):
        return False
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = f"{dest}.tmp{os.getpid()}"
    shutil.copy2(src, tmp)
    os.replace(tmp, dest)
    return True


def write_scans(model: SiteModel, content_dir: str, output_dir: str, cache_dir: str, site_name: str = "",
                script: str = "zh-Hans", mine=lambda doc: True, site_wide: bool = True) -> ScanResult:
    """Write the scans the site carries into output/scans/ and remove every other file there.

    `mine(doc)` tells which documents' own scans this run writes (partition builds); issue scans
    and the clean-up of scans/ belong to the site-wide run."""
    result = ScanResult()
    used: set[str] = set()  # redacted copies this build's scans are made from
    plan = published_scans(model)
    result.expected = set(plan)
    own = {d.scan for d in model.documents if d.is_public and d.scan and mine(d)}
    for rel, scan in sorted(plan.items()):
        if scan is None and rel not in own:
            continue
        if scan is not None and not site_wide:
            continue
        src = os.path.join(content_dir, *rel.split("/"))
        dest = os.path.join(output_dir, *rel.split("/"))
        try:
            if scan is None or not scan.removed:
                written = _copy(src, dest)
            else:
                key = hashlib.sha1("\x00".join((VERSION, _file_hash(src), repr(scan.removed), site_name, script))
                                   .encode()).hexdigest()
                cached = os.path.join(cache_dir, f"{key}.pdf")
                used.add(os.path.basename(cached))
                if not os.path.exists(cached):
                    os.makedirs(cache_dir, exist_ok=True)
                    tmp = f"{cached}.tmp{os.getpid()}"
                    redact(src, scan, tmp, site_name, script)
                    os.replace(tmp, cached)
                written = _copy(cached, dest)
        except Exception as e:  # one bad scan never stops the build, and is never published whole
            result.failed.append(failure(rel, e))
            result.expected.discard(rel)
            continue
        if written:
            result.written.append(rel)
    if site_wide:
        result.removed = remove_unpublished(output_dir, result.expected)
        forget_redactions(cache_dir, used)
    return result


def forget_redactions(cache_dir: str, used: set[str]) -> None:
    """Remove every cached redacted copy this build did not use (and any half-written one): an older
    redaction of an issue still holds the pages of a document withheld since."""
    if not os.path.isdir(cache_dir):
        return
    for name in os.listdir(cache_dir):
        path = os.path.join(cache_dir, name)
        if name not in used and os.path.isfile(path):
            os.remove(path)


def remove_unpublished(output_dir: str, expected: set[str]) -> list[str]:
    """Remove every file under output/scans/ the site does not carry (with its compressed copies)."""
    removed = []
    top = os.path.join(output_dir, SCANS_DIR)
    for dirpath, _dirs, files in os.walk(top, topdown=False):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, output_dir).replace(os.sep, "/")
            base = rel[:-3] if rel.endswith((".gz", ".br")) else rel
            if base in expected or rel in expected:
                continue
            os.remove(path)
            removed.append(rel)
        if dirpath != top and not os.listdir(dirpath):
            os.rmdir(dirpath)
    return sorted(removed)

