"""Scans named in metadata: where they may come from, and what of each issue scan may be published.

A `scan:` value is a path under the content folder's `scans/`. Once symlinks are followed it must
still be inside the content folder: anything else is a located error, never copied (the build
would otherwise publish any file the server can read).

An issue scan holds every document printed in the issue, withheld (不予公开) and on-request
(依申请公开) ones included. Its published copy has those documents' pages replaced by a notice
page (GAZETTE_REDACTED_SCANS = "redact", the default) or is not published at all ("omit"); it is
never published when a withheld or on-request document of the issue does not say which pages it
is on, since nothing then tells which pages to remove.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

SCANS_DIR = "scans"
REDACT, OMIT = "redact", "omit"
MODES = (REDACT, OMIT)
SETTING = "GAZETTE_REDACTED_SCANS"

# Why a page is not in the published copy (the notice page says it, in the site's script).
REASONS = {
    "withheld": "本页载有不予公开的内容，依法不在网上公布。",
    "on_request": "本页载有依申请公开的文件，正文不在网上公布，可按依申请公开指南申请获取。",
    "unreadable": "本页所载文件的元数据有误，公开属性无法确认，暂不公布。",
    "draft": "本页所载文件为导入草稿，尚待审核，暂不公布。",
    # Covers, tables of contents, lists of the issue: an issue's own pages name every document in it.
    "listing": "本页不属于任何已公开的文件（封面、目录等），可能载有不予公开文件的标题或文号，暂不公布。",
}
# Reasons whose documents' very titles and numbers may not appear (an on-request document is listed
# in the catalogue, so a table of contents naming it reveals nothing new).
SECRET_TITLES = ("withheld", "unreadable", "draft")


class ScanSettingError(ValueError):
    """GAZETTE_REDACTED_SCANS has a value that is not a mode."""


def scan_mode(settings: dict) -> str:
    """GAZETTE_REDACTED_SCANS from the settings, checked."""
    mode = str(settings.get(SETTING) or REDACT).strip().lower()
    if mode not in MODES:
        raise ScanSettingError(f"{SETTING} = {settings.get(SETTING)!r}：应为 'redact'（删去不公开的页）或 'omit'（不发布整期扫描件）")
    return mode


def check_scan_path(content_dir: str, value: str) -> tuple[str | None, str | None, bool]:
    """(normalised path, problem, exists) of a `scan:` value.

    The path is relative, '/'-separated, under scans/, a PDF, and stays inside the content folder
    when its symlinks are followed; `problem` (a Chinese sentence) says which of these fails."""
    raw = value.strip()
    expected = "（应为 content/ 下 scans/ 中的 PDF 文件，如 scans/2023-02.pdf）"
    if "\\" in raw or os.path.isabs(raw) or raw.startswith(("/", "~")) or (len(raw) > 1 and raw[1] == ":"):
        return None, f"'{raw}' 是绝对路径{expected}", False
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        return None, f"'{raw}' 指向 content/ 之外{expected}", False
    if not parts or parts[0] != SCANS_DIR or len(parts) < 2:
        return None, f"'{raw}' 不在 scans/ 中{expected}", False
    if not parts[-1].lower().endswith(".pdf"):
        return None, f"'{raw}' 不是 PDF 文件{expected}", False
    rel = "/".join(parts)
    root = os.path.realpath(content_dir)
    target = os.path.realpath(os.path.join(root, *parts))
    if os.path.commonpath([root, target]) != root:
        return None, f"'{raw}' 是指向 content/ 之外的符号链接{expected}", False
    if os.path.exists(target) and not os.path.isfile(target):
        return None, f"'{raw}' 不是普通文件{expected}", False
    if os.path.isfile(target) and not _looks_like_pdf(target):
        # An HTML or SVG page named .pdf would be published as it is, script and all.
        return None, f"'{raw}' 的内容不是 PDF（文件开头没有 %PDF-）{expected}", False
    return rel, None, os.path.isfile(target)


def _looks_like_pdf(path: str) -> bool:
    """A PDF says so in its first 1024 bytes (ISO 32000: the header may follow some junk)."""
    try:
        with open(path, "rb") as f:
            return b"%PDF-" in f.read(1024)
    except OSError:
        return False


def real_path(content_dir: str, rel: str) -> str:
    """The file a checked scan path names, symlinks followed (for telling two names of one file apart)."""
    return os.path.realpath(os.path.join(content_dir, *rel.split("/")))


def same_file_groups(paths) -> dict[str, str]:
    """Each real path (see real_path) -> one path standing for every file with the same bytes: a
    hard link, or a copy (`cp scans/2024-01.pdf scans/notice.pdf`) is the same scan under another
    name, and holds the same pages that may not be published. Only files of one size are read."""
    by_size: dict[int, list[str]] = {}
    for path in sorted(set(paths)):
        try:
            by_size.setdefault(os.path.getsize(path), []).append(path)
        except OSError:
            continue
    out: dict[str, str] = {}
    for same_size in by_size.values():
        by_digest: dict[str, str] = {}
        for path in same_size:
            digest = _digest(path) if len(same_size) > 1 else path
            out[path] = by_digest.setdefault(digest, path)
    return out


def _digest(path: str) -> str:
    import hashlib

    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return path
    return h.hexdigest()


def page_numbers(pages: str | None) -> range | None:
    """'12-15' → range(12, 16); None when absent or not a range of pages counted from 1."""
    from .model import parse_pages

    parsed = parse_pages(pages)
    return range(parsed[0], parsed[1] + 1) if parsed else None


@dataclass(frozen=True)
class Placement:
    """Where a document that may not be published sits in an issue."""

    pages: str | None  # as written; None when the file does not say
    reason: str        # a key of REASONS


@dataclass(frozen=True)
class IssueScan:
    """What the site carries of one issue's scan."""

    key: str
    source: str                               # path under content/ (scans/…)
    published: bool = True                    # False: no copy of this scan is on the site
    removed: tuple[tuple[int, str], ...] = ()  # (page, reason) replaced by a notice page
    pages_known: bool = True                  # every unpublished document says which pages it is on
    why_not: str = ""                         # why it is not published (for check and the build)

    @property
    def url(self) -> str | None:
        """Site path of the published copy (redacted or not), or None."""
        return self.source if self.published else None

    @property
    def removed_pages(self) -> frozenset[int]:
        return frozenset(p for p, _ in self.removed)

    def may_cut(self, pages: str | None) -> bool:
        """True when a public document's pages can be cut from this scan without taking any page
        of a document that may not be published."""
        rng = page_numbers(pages)
        return rng is not None and self.pages_known and self.removed_pages.isdisjoint(rng)

    def links_page(self, pages: str | None) -> bool:
        """True when the published copy shows this document's first page (a link to it is useful)."""
        rng = page_numbers(pages)
        return self.published and rng is not None and rng[0] not in self.removed_pages


@dataclass
class ScanPlan:
    issues: dict[str, IssueScan] = field(default_factory=dict)

    def of(self, issue_key: str | None) -> IssueScan | None:
        return self.issues.get(issue_key) if issue_key else None


def scan_page_count(content_dir: str, rel: str) -> int | None:
    """Pages of the scan at `rel` under content/, or None when it cannot be read as a PDF."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(os.path.join(content_dir, *rel.split("/")))
    except Exception:  # missing, damaged, not a PDF: pypdfium2 raises its own errors
        return None
    try:
        return len(pdf)
    finally:
        pdf.close()


MIN_NAME = 6  # shorter titles and numbers occur by chance


def _squash(text: str) -> str:
    from .chinese import fold

    return fold("".join(text.split()))


def pages_naming(content_dir: str, rel: str, names) -> set[int]:
    """Pages (from 1) of the scan at `rel` whose text layer names one of `names` (titles and numbers
    of withheld documents): a later issue's annual index (年度总目录), a 'next issue' list, a title
    printed on the page before the document's own. Nothing is found in a scan without text."""
    import pypdfium2 as pdfium

    wanted = {_squash(n) for n in names}
    wanted = {n for n in wanted if len(n) >= MIN_NAME}
    if not wanted:
        return set()
    try:
        pdf = pdfium.PdfDocument(os.path.join(content_dir, *rel.split("/")))
    except Exception:  # not readable as a PDF: its pages are counted as unknown elsewhere
        return set()
    found = set()
    try:
        for n, page in enumerate(pdf, 1):
            tp = page.get_textpage()
            text = _squash(tp.get_text_range())
            tp.close()
            page.close()
            if any(w in text for w in wanted):
                found.add(n)
    finally:
        pdf.close()
    return found


class NamingCache:
    """pages_naming's answers, by scan file (path, size, mtime) and the names looked for: reading a
    scan's text layer costs ~15 ms a page, every build. Holds page numbers only, never text; an
    answer no longer asked for is dropped when saved."""

    def __init__(self, path: str | None, content_dir: str, names):
        import hashlib
        import json

        self.path, self.content_dir, self.names = path, content_dir, set(names)
        self.digest = hashlib.sha1("\n".join(sorted(self.names)).encode("utf-8")).hexdigest()
        self.old: dict[str, list[int]] = {}
        self.used: dict[str, list[int]] = {}
        if path:
            try:
                with open(path, encoding="utf-8") as f:
                    self.old = {k: v for k, v in json.load(f).items() if isinstance(v, list)}
            except (OSError, ValueError, AttributeError):
                self.old = {}

    def __call__(self, rel: str) -> set[int]:
        try:
            st = os.stat(os.path.join(self.content_dir, *rel.split("/")))
        except OSError:
            return set()
        key = f"{rel}|{st.st_size}|{st.st_mtime_ns}|{self.digest}"
        if key not in self.used:
            self.used[key] = self.old[key] if key in self.old else sorted(pages_naming(self.content_dir, rel, self.names))
        return set(self.used[key])

    def save(self) -> None:
        import json

        from .fileio import write_atomic

        if self.path and self.used != self.old:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, json.dumps(self.used, sort_keys=True))


def plan_issue_scans(issues, documents, unpublished: dict[str, list[Placement]], mode: str = REDACT,
                     page_count=lambda rel: None, same_scan: dict[str, str] | None = None,
                     naming=lambda rel: set()) -> ScanPlan:
    """Each issue scan's published form: unchanged, with pages removed, or not at all.

    `documents` are the listed documents (on-request ones hold pages to remove); `unpublished`
    holds, by issue key, the places of withheld documents and of files that could not be read.
    When one of those may not even be named, the issue's own pages (cover, table of contents)
    go too: every page outside the listed documents' pages, counted by `page_count(scan)`; so do
    the pages `naming(scan)` finds naming a withheld document, in whichever issue they are.
    Issues whose scans are one file (`same_scan`: scan path -> the file's identity; a combined
    issue 合刊, or a copied `scan:` line) share it: what any of them may not publish, none does."""
    plan = ScanPlan()
    identity = lambda issue: (same_scan or {}).get(issue.scan, issue.scan)  # noqa: E731
    sharing: dict[str, set[str]] = {}
    for issue in issues:
        if issue.scan:
            sharing.setdefault(identity(issue), set()).add(issue.key)
    for issue in issues:
        if not issue.scan:
            continue
        keys = sharing[identity(issue)]
        places = [p for key in sorted(keys) for p in unpublished.get(key, [])]
        places += [Placement(d.pages, "on_request") for d in documents
                   if d.gazette in keys and d.disclosure == "on_request"]
        removed: dict[int, str] = {}
        unknown = False
        for place in places:
            rng = page_numbers(place.pages)
            if rng is None:
                unknown = True
                continue
            for page in rng:
                # "withheld" outranks the others: a shared page says the stricter reason.
                if removed.get(page) != "withheld":
                    removed[page] = place.reason
        why = "本期有不予公开或依申请公开的文件未注明页码（pages），无法确定应删去哪些页，扫描件不予发布"
        secret = any(place.reason in SECRET_TITLES for place in places)
        count = page_count(issue.scan) if places and not unknown else None
        if removed and count is not None and max(removed) > count:
            # Printed page numbers (the cover unnumbered) rather than the PDF's: the pages removed
            # would be the wrong ones.
            unknown = True
            why = (f"本期不公开文件的页码（第 {max(removed)} 页）超出扫描件的页数（{count} 页），"
                   "可能写的是印刷页码而不是 PDF 的页序，无法确定应删去哪些页，扫描件不予发布")
        if not unknown and secret:
            if count is None:
                unknown = True
                why = "本期载有不予公开的文件，而扫描件读不出页数，无法删去封面、目录等页，扫描件不予发布"
            else:
                listed = {p for d in documents if d.gazette in keys for p in (page_numbers(d.pages) or ())}
                for page in range(1, count + 1):
                    if page not in listed and page not in removed:
                        removed[page] = "listing"
        for page in naming(issue.scan):  # found by its text: stricter than any reason but 'listing'
            if removed.get(page) in (None, "on_request"):
                removed[page] = "withheld"
        if unknown:
            plan.issues[issue.key] = IssueScan(
                issue.key, issue.scan, published=False, removed=tuple(sorted(removed.items())), pages_known=False,
                why_not=why)
        elif removed and mode == OMIT:
            plan.issues[issue.key] = IssueScan(issue.key, issue.scan, published=False,
                                               removed=tuple(sorted(removed.items())),
                                               why_not=f"{SETTING} = 'omit'：本期扫描件载有不公开的页，不予发布")
        else:
            plan.issues[issue.key] = IssueScan(issue.key, issue.scan, removed=tuple(sorted(removed.items())))
    return plan
