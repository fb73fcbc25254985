"""Finding sources and recognising their kind from their content, not only their extension.

Also the drafts every reader produces: a document or an issue not yet written to disk.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field

KINDS = ("pdf", "html", "markdown", "text")
# Files an archivist keeps next to sources that are not sources themselves.
_IGNORED_EXT = (".csv", ".json", ".tsv", ".xlsx", ".xls", ".db", ".sqlite3", ".sqlite")
_HTML_START = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|table|p|title)\b",
                         re.I | re.S)
_TEXT_ENCODINGS = ("utf-8-sig", "gb18030", "big5")


class SourceError(Exception):
    """A source that cannot be read; the message says why, in Chinese, for the report."""


@dataclass
class Source:
    path: str          # on disk
    identity: str      # stable name: the argument's base name + path inside it
    kind: str | None = None


@dataclass
class DocDraft:
    """A document recognised in a source, before it is written."""

    identity: str                      # source identity + '#n' for the n-th document of a source
    meta: dict[str, str] = field(default_factory=dict)   # canonical key -> header value
    body: str = ""
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Why this document needs an archivist before it may be published (an unsplit issue, pages
    # no document claimed, no date, low OCR confidence). Any reason makes it a draft (`review: pending`).
    review: list[str] = field(default_factory=list)
    confidence: float | None = None    # mean OCR word confidence (0-100) of its pages, when OCRed


@dataclass
class IssueDraft:
    identity: str
    meta: dict[str, str] = field(default_factory=dict)
    body: str = ""
    scan_from: str | None = None       # the PDF to copy under scans/
    missing: list[str] = field(default_factory=list)
    complete: bool = True              # False: year, number or date unknown; only the scan is written


@dataclass
class Parsed:
    """Everything one source yields."""

    source: Source
    documents: list[DocDraft] = field(default_factory=list)
    issue: IssueDraft | None = None
    notes: list[str] = field(default_factory=list)
    pages: int = 0
    ocr_pages: int = 0


def walk(arguments: list[str], exclude: str | None = None) -> tuple[list[Source], list[tuple[str, str, str]]]:
    """Sources named on the command line, folders walked recursively in sorted order.

    Returns (sources, problems) where each problem is (path, reason, status): status "failed" for
    a source that should be there and is not, "skipped" for a file that is not one to read (a
    named pipe, socket or device: never opened).
    """
    sources: list[Source] = []
    problems: list[tuple[str, str]] = []
    excl = os.path.realpath(exclude) if exclude else None
    for arg in arguments:
        if not os.path.exists(arg):
            problems.append((arg, "来源不存在", "failed"))
            continue
        root = os.path.abspath(arg)
        if excl and (os.path.realpath(root) + os.sep).startswith(excl + os.sep):
            problems.append((arg, "来源位于目标目录之内（不能把档案自身再导入）", "failed"))
            continue
        base = os.path.basename(root.rstrip(os.sep)) or "source"
        if not os.path.isdir(root):
            reason = not_regular(root)
            if reason:
                problems.append((arg, reason, _problem_status(root)))
            else:
                sources.append(Source(root, base))
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                                 and not (excl and os.path.realpath(os.path.join(dirpath, d)) == excl))
            for name in sorted(filenames):
                if name.startswith(".") or name.lower().endswith(_IGNORED_EXT):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root).replace(os.sep, "/")
                reason = not_regular(path)
                if reason:
                    problems.append((f"{base}/{rel}", reason, _problem_status(path)))
                else:
                    sources.append(Source(path, f"{base}/{rel}"))
    return sources, problems


def _problem_status(path: str) -> str:
    return "skipped" if os.path.exists(path) else "failed"  # a special file, or a dangling link


def not_regular(path: str) -> str | None:
    """Why `path` is not a file to read (a named pipe would block the import for ever, a device
    or socket has no content), or None for a regular file (a symbolic link is followed)."""
    try:
        st = os.stat(path)
    except OSError as e:
        return f"无法读取：{e.strerror or e}（悬空的符号链接？）"
    if stat.S_ISREG(st.st_mode):
        return None
    kind = ("命名管道（FIFO）" if stat.S_ISFIFO(st.st_mode) else "套接字" if stat.S_ISSOCK(st.st_mode)
            else "设备文件" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "特殊文件")
    return f"不是普通文件，而是{kind}：已跳过，未打开"


def open_regular(path: str):
    """Open `path` for reading only if it is a regular file, without blocking on a named pipe
    swapped in after it was listed. Raises SourceError otherwise."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SourceError(not_regular(path) or "不是普通文件：已跳过")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def detect_kind(path: str) -> str | None:
    """pdf, html, markdown or text from the first bytes; None for anything else (images, binaries)."""
    with open_regular(path) as f:
        head = f.read(4096)
    if head.lstrip()[:5] == b"%PDF-":
        return "pdf"
    if b"\x00" in head:
        return None
    if _HTML_START.match(head) or re.search(rb"<(?:html|body|div|p|br|table)\b[^>]*>", head[:2048], re.I):
        return "html"
    try:
        text = decode(head, partial=True)
    except SourceError:
        return None
    first = text.lstrip("\ufeff").lstrip()
    if first.startswith("# ") or "<!-- INFO END -->" in text or path.lower().endswith((".md", ".markdown")):
        return "markdown"
    return "text"


def decode(data: bytes, partial: bool = False) -> str:
    """Text of a source: UTF-8, else GB18030 or Big5 (old portal dumps), else an error."""
    for enc in _TEXT_ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as e:
            # A multi-byte character cut at the end of a partial read is not an error.
            if partial and e.start >= len(data) - 3 and enc.startswith("utf-8"):
                return data[:e.start].decode(enc)
    raise SourceError("无法识别文本编码（应为 UTF-8、GB18030 或 Big5）")


def read_text(path: str) -> str:
    with open_regular(path) as f:
        return decode(f.read()).lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
