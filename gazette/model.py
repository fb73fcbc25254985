"""The content model: documents and gazette issues as plain dataclasses.

Built from a content file's header (see `metadata`), validated as a whole so that every
problem in a file is reported at once.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
from dataclasses import dataclass, field

from . import metadata as md
from .chinese import detect_script

VALIDITY_ALLOWED = "in_force 有效、amended 已修改、repealed 已废止、expired 已失效、not_yet_effective 尚未生效"
DISCLOSURE_ALLOWED = "public 主动公开、on_request 依申请公开、withheld 不予公开"
REVIEW_ALLOWED = "pending 待审核、cleared 已审核"
# A slug is a file name in several folders (documents/<slug>.html.br …): ASCII, and short enough
# for every file system (255 bytes a name) with room for the longest suffix.
SLUG_MAX = 200
_SLUG_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,%d}$" % (SLUG_MAX - 1))
SLUG_EXPECTED = f"ASCII 字母、数字、“-”“_”或“.”，至多 {SLUG_MAX} 个字符"
# Page numbers in one issue: no gazette issue runs to this many pages. The bound keeps a range such
# as 1-999999999 from making the redaction code walk (or hold) a billion pages.
MAX_PAGE = 9999
PAGES_EXPECTED = f"一页或一段页码，如 12-15，页码 1 至 {MAX_PAGE}"
_PAGES = re.compile(r"^(\d{1,9})\s*(?:[-–~至]\s*(\d{1,9}))?$")
# A correction line: its date, then the note (`2024-03-02 第五条“三十日”应为“十五日”`).
_CORRECTION = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[\s:：,，]*(.+)$")
REPEAL_VERBS = ("废止", "失效", "宣布失效", "修改")
REPEAL_VERB_ALLOWED = "废止、失效、宣布失效或修改（简繁均可）"


@dataclass(frozen=True)
class Correction:
    """A 勘误: a dated note shown beside the text; the text as published stays as it was."""

    date: dt.date
    text: str



def document_json_url(slug: str) -> str:
    """Site path of a document's open-data JSON (which also holds its text: the search page reads it)."""
    return f"documents/{slug}.json"


def parse_pages(pages: str | None) -> tuple[int, int] | None:
    """'12-15' → (12, 15): a page or a range of pages counted from 1, at most MAX_PAGE; None otherwise."""
    m = _PAGES.match((pages or "").strip())
    if not m:
        return None
    first, last = int(m.group(1)), int(m.group(2) or m.group(1))
    return (first, last) if 1 <= first <= last <= MAX_PAGE else None


@dataclass
class Document:
    """One document (a rule, a normative document, a notice…) as published in the gazette."""

    source_path: str
    slug: str
    title: str
    date: dt.date              # None only for a draft (review pending), which is never published
    doc_number: str | None = None
    issuer: list[str] = field(default_factory=list)
    signed: dt.date | None = None
    doc_type: str | None = None
    category: str | None = None
    index_no: str | None = None
    effective: dt.date | None = None
    expires: dt.date | None = None
    validity: str = "in_force"
    validity_declared: bool = False
    reviewed: dt.date | None = None
    superseded_by: list[str] = field(default_factory=list)
    supersedes: list[str] = field(default_factory=list)
    amends: list[str] = field(default_factory=list)
    disclosure: str = "public"
    gazette: str | None = None
    pages: str | None = None
    scan: str | None = None
    script: str = "zh-Hans"
    note: str | None = None
    review_note: str | None = None
    old_slugs: list[str] = field(default_factory=list)  # earlier slugs; their URLs redirect here
    review: str | None = None           # `pending`: an import draft awaiting an archivist
    review_reason: str | None = None
    work: str | None = None  # id of the work this document is a version of (works/<id>.html)
    repealed_on: dt.date | None = None  # first day it no longer applies (declared; else derived)
    repealed_by: list[str] = field(default_factory=list)  # the instrument that repealed it
    repeal_verb: str | None = None  # 废止 / 失效 / 宣布失效 / 修改 (Simplified); derived when absent
    interprets: list[str] = field(default_factory=list)  # a 解读: the documents it explains
    corrections: list[Correction] = field(default_factory=list)
    body: str = ""
    warnings: list = field(default_factory=list, repr=False, compare=False)  # MetadataErrors that do not stop it
    body_line: int = 1
    header_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def url(self) -> str:
        """Site-relative URL of the document page (stable: derived from the slug only)."""
        return f"documents/{self.slug}.html"

    @property
    def year(self) -> int:
        return self.date.year

    @property
    def first_page(self) -> int:
        parsed = parse_pages(self.pages)
        return parsed[0] if parsed else 10**9

    @property
    def is_public(self) -> bool:
        return self.disclosure == "public"

    @property
    def is_draft(self) -> bool:
        """An import draft not yet cleared by an archivist: kept out of every output, like withheld."""
        return self.review == "pending"

    @property
    def is_listed(self) -> bool:
        """Listed on the site at all: public documents, and catalogue entries for on-request ones."""
        return self.disclosure != "withheld"


@dataclass
class Issue:
    """One gazette issue (期); its table of contents is derived from the documents naming it."""

    source_path: str
    key: str
    year: int
    number: int
    date: dt.date
    serial: int | None = None
    title: str | None = None
    scan: str | None = None
    body: str = ""
    warnings: list = field(default_factory=list, repr=False, compare=False)
    header_lines: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @property
    def url(self) -> str:
        return f"issues/{self.key}.html"

    @property
    def display_title(self) -> str:
        return self.title or f"{self.year}年第{self.number}期"


def parse_repeal_verb(value: str) -> str:
    from .chinese import fold

    by_fold = {fold(v): v for v in REPEAL_VERBS}
    verb = by_fold.get(fold(value.strip()))
    if verb is None:
        raise ValueError(value)
    return verb


def _corrections(r: md.FieldReader) -> list[Correction]:
    """Every `correction` line: a date, then the note."""
    out = []
    for line in (r.text("correction") or "").split("\n"):
        line = line.strip()
        if not line:
            continue
        m = _CORRECTION.match(line)
        try:
            day = md.parse_date(m.group(1)) if m else None
        except ValueError:
            day = None
        if day is None:
            r._err("correction", f"'{line[:40]}' 没有以日期开头",
                   "先写日期，再写勘误说明：2024-03-02 第五条“三十日”应为“十五日”")
            continue
        out.append(Correction(day, m.group(2).strip()))
    return sorted(out, key=lambda c: c.date)


def slug_from_path(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _unknown_keys(r: md.FieldReader, allowed) -> None:
    for key, (_, line) in r.header.extra.items():
        r.errors.append(md.unknown_key_error(r.header.path, line, key, allowed))
    for key, (_, line) in r.header.fields.items():
        if key not in allowed:
            r.errors.append(md.unknown_key_error(r.header.path, line, key, allowed))


def _scan(r: md.FieldReader, content_dir: str | None) -> str | None:
    """The `scan:` value, checked against the content folder when it is known (see gazette.scans)."""
    value = r.text("scan")
    if value is None or content_dir is None:
        return value
    from .scans import check_scan_path

    rel, problem, exists = check_scan_path(content_dir, value)
    if problem:
        r.errors.append(md.MetadataError(r.header.path, r.header.line_of("scan"), "scan", problem))
        return None
    if not exists:
        r.warnings.append(md.MetadataError(r.header.path, r.header.line_of("scan"), "scan",
                                           f"'{value}' 不存在（警告：不显示扫描件；应为 content/ 下已有的 PDF 文件）"))
        return None
    return rel


def disclosure_of(header: md.Header) -> str:
    """'public', 'on_request' or 'withheld' as the header says; 'unreadable' when it cannot be told
    (a value that is no disclosure, or an unknown key that looks like one: 公开: 不予公开)."""
    value = header.fields.get("disclosure", ("", 0))[0].strip()
    for _, key, raw in md.stray_gate_lines(header):
        if key == "disclosure":
            try:
                return md.parse_disclosure(raw)
            except ValueError:
                return "unreadable"
    for key, (raw, _) in header.extra.items():
        try:
            looks = md.parse_disclosure(raw) != "public"
        except ValueError:
            looks = False
        if looks or md.suggest_key(key) == "disclosure":
            return "unreadable"
    if not value:
        return "public"
    try:
        return md.parse_disclosure(value)
    except ValueError:
        return "unreadable"


def document_from_header(header: md.Header, slug: str | None = None, content_dir: str | None = None) -> Document:
    """Validate a header as a document; raises MetadataErrors listing every problem.

    With `content_dir`, the `scan:` path is checked against it (gazette.scans)."""
    r = md.FieldReader(header)
    _unknown_keys(r, md.DOCUMENT_KEYS)
    for line, key, value in md.stray_gate_lines(header):
        r.errors.append(md.MetadataError(header.path, line, key, f"“{key}: {value}”在正文中：元数据中间的空行使它成了正文，"
                                         "文件会被当作公开发布", "元数据各行之间不空行，这一行移到空行之前"))
    slug = r.text("slug") or slug or slug_from_path(header.path)
    if not _SLUG_OK.match(slug):
        r._err("slug", f"'{slug}' 不能用作网址", SLUG_EXPECTED)
    review = r.choice("review", md.parse_review, REVIEW_ALLOWED)
    # A draft may lack what the importer could not recognise; the archivist adds it when clearing.
    title = r.text("title", required=review != "pending")
    date = r.date("date", required=review != "pending")
    validity_raw = r.text("validity")
    doc = dict(
        doc_number=r.text("doc_number"),
        issuer=r.items("issuer"),
        signed=r.date("signed"),
        doc_type=r.text("doc_type"),
        category=r.text("category"),
        index_no=r.text("index_no"),
        effective=r.date("effective"),
        expires=r.date("expires"),
        validity=r.choice("validity", md.parse_validity, VALIDITY_ALLOWED, "in_force"),
        validity_declared=validity_raw is not None,
        reviewed=r.date("reviewed"),
        superseded_by=r.items("superseded_by"),
        supersedes=r.items("supersedes"),
        amends=r.items("amends"),
        # A value that cannot be read makes the document withheld, never public (and is reported).
        disclosure=(r.choice("disclosure", md.parse_disclosure, DISCLOSURE_ALLOWED, "withheld")
                    if r.text("disclosure") else "public"),
        gazette=r.text("gazette"),
        pages=r.text("pages"),
        scan=_scan(r, content_dir),
        note=r.text("note"),
        review_note=r.text("review_note"),
        old_slugs=r.items("old_slugs"),
        review=review,
        review_reason=r.text("review_reason"),
        work=r.text("work"),
        repealed_on=r.date("repealed_on"),
        repealed_by=r.items("repealed_by"),
        repeal_verb=r.choice("repeal_verb", parse_repeal_verb, REPEAL_VERB_ALLOWED),
        interprets=r.items("interprets"),
        corrections=_corrections(r),
    )
    if doc["work"] and not _SLUG_OK.match(doc["work"]):
        r._err("work", f"'{doc['work']}' 不能用作网址",
               "由 ASCII 字母、数字、“-”“_”或“.”组成的作品编号（works/<编号>.html）")
    for old in doc["old_slugs"]:
        if not _SLUG_OK.match(old) or old == slug:
            r._err("old_slugs", f"'{old}' 不能作为 '{slug}' 的旧网址",
                   f"本文件从前用过、与现在不同的文件名：{SLUG_EXPECTED}")
    if doc["pages"] and not parse_pages(doc["pages"]):
        r._err("pages", f"{md.quoted(doc['pages'])} 不是页码范围", PAGES_EXPECTED)
    script = r.text("script")
    if script is not None and script not in md.SCRIPTS:
        r._err("script", md.not_allowed(script), "zh-Hans 或 zh-Hant")
        script = None
    if doc["expires"] and doc["effective"] and doc["expires"] < doc["effective"]:
        r._err("expires", "早于施行日期", f"{doc['effective']} 之后的日期")
    if r.errors:
        raise md.MetadataErrors(sorted(r.errors, key=lambda e: e.line))
    if script is None:
        script = detect_script((title or "") + header.body[:2000])
    return Document(source_path=header.path, slug=slug, title=title or "", date=date, script=script,
                    body=header.body, body_line=header.body_line, warnings=r.warnings,
                    header_lines={k: line for k, (_, line) in header.fields.items()}, **doc)


def issue_from_header(header: md.Header, content_dir: str | None = None) -> Issue:
    """Validate a header as a gazette issue; raises MetadataErrors listing every problem."""
    r = md.FieldReader(header)
    _unknown_keys(r, md.ISSUE_KEYS)
    key = r.text("slug") or slug_from_path(header.path)
    if not _SLUG_OK.match(key):
        r._err("slug" if r.text("slug") else "file", f"'{key}' 不能用作期次（文件名）", SLUG_EXPECTED)
    year = r.integer("year", required=True)
    number = r.integer("number", required=True)
    date = r.date("date", required=True)
    serial = r.integer("serial")
    scan = _scan(r, content_dir)
    if r.errors:
        raise md.MetadataErrors(sorted(r.errors, key=lambda e: e.line))
    return Issue(source_path=header.path, key=key, year=year, number=number, date=date, serial=serial,
                 title=r.text("title"), scan=scan, body=header.body, warnings=r.warnings,
                 header_lines={k: line for k, (_, line) in header.fields.items()})


@dataclass
class Page:
    """A static page (pages/*.md): what the archive checks of it; Pelican renders it."""

    source_path: str
    title: str
    slug: str
    warnings: list = field(default_factory=list, repr=False, compare=False)

    @property
    def url(self) -> str:
        return f"pages/{self.slug}.html"


def page_from_header(header: md.Header) -> Page:
    """A static page's header checked; raises MetadataErrors for one that would not make a page
    (a slug that is no file name, control characters, a line that is no `key: value`)."""
    r = md.FieldReader(header)
    slug = r.text("slug") or slug_from_path(header.path)
    disclosure = disclosure_of(header)
    if disclosure != "public":
        # a document file moved or linked among the static pages: a page has no disclosure of its
        # own, and one that says it may not be public is never published
        from .labels import DISCLOSURE_LABELS

        shown = DISCLOSURE_LABELS.get(disclosure, "无法判断")
        r._err("disclosure", f"静态页面标为“{shown}”，不发布（静态页面只能是主动公开的内容；公文应放在 documents/ 下）",
               "无 disclosure 字段的静态页面")
    if not _SLUG_OK.match(slug):
        r._err("slug" if r.text("slug") else "file", f"{md.quoted(slug)} 不能用作网址", SLUG_EXPECTED)
    if r.errors:
        raise md.MetadataErrors(sorted(r.errors, key=lambda e: e.line))
    return Page(header.path, r.text("title") or slug_from_path(header.path), slug)


def read_page(path: str, text: str | None = None, display_path: str | None = None,
              content_dir: str | None = None) -> Page:
    """Read one static page's header."""
    return page_from_header(read_header(path, text, display_path))


def read_header(path: str, text: str | None = None, display_path: str | None = None) -> md.Header:
    """The header of one content file, layout problems kept in `header.errors`."""
    if text is None:
        text = read_text(path, display_path)
    return md.split_header(text, display_path or path, collect=True)


def read_document(path: str, text: str | None = None, display_path: str | None = None,
                  content_dir: str | None = None) -> Document:
    """Read one document file."""
    return document_from_header(read_header(path, text, display_path), slug_from_path(path), content_dir)


def read_issue(path: str, text: str | None = None, display_path: str | None = None,
               content_dir: str | None = None) -> Issue:
    """Read one issue file."""
    return issue_from_header(read_header(path, text, display_path), content_dir)


def read_text(path: str, display_path: str | None = None) -> str:
    return decode_text(read_bytes(path, display_path), display_path or path)


def read_bytes(path: str, display_path: str | None = None) -> bytes:
    """The bytes of one content file; MetadataErrors naming the file when it is not a readable file."""
    shown = display_path or path
    try:
        if not os.path.isfile(path):
            # A dangling symlink, a folder named *.md, a FIFO (reading one would wait for ever)…
            what = "不是普通文件"
            if os.path.islink(path) and not os.path.exists(path):
                try:
                    os.stat(path)
                    what = "悬空的符号链接（目标不存在）"
                except OSError as e:
                    what = "符号链接循环" if e.errno == errno.ELOOP else "悬空的符号链接（目标不存在）"
            raise md.MetadataErrors([md.MetadataError(shown, 1, "file", f"无法读取：{what}（应为 UTF-8 文本文件）")])
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise md.MetadataErrors([md.MetadataError(shown, 1, "file",
                                                  f"无法读取：{e.strerror or e}（应为可读的 UTF-8 文本文件）")]) from None


def decode_text(data: bytes, shown: str) -> str:
    """A content file's text: UTF-8, every line break read as \n (as Python's text files do)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise md.MetadataErrors([md.MetadataError(shown, 1, "encoding",
                                                  f"不是 UTF-8 编码（第 {e.start} 字节：{e.reason}）",
                                                  "UTF-8 文本文件")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
