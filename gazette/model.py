"""The content model: documents and gazette issues as plain dataclasses.

Built from a content file's header (see `metadata`), validated as a whole so that every
problem in a file is reported at once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field

from . import metadata as md
from .chinese import detect_script

VALIDITY_ALLOWED = "in_force 有效, amended 已修改, repealed 已廢止, expired 已失效, not_yet_effective 尚未生效"
DISCLOSURE_ALLOWED = "public 主動公開, on_request 依申請公開, withheld 不予公開"
REVIEW_ALLOWED = "pending 待審核, cleared 已審核"
_SLUG_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PAGES = re.compile(r"^(\d+)\s*(?:[-–~至]\s*(\d+))?$")
# A correction line: its date, then the note (`2024-03-02 第五条“三十日”应为“十五日”`).
_CORRECTION = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)[\s:：,，]*(.+)$")
REPEAL_VERBS = ("废止", "失效", "宣布失效", "修改")
REPEAL_VERB_ALLOWED = "废止, 失效, 宣布失效 or 修改 (either script)"


@dataclass(frozen=True)
class Correction:
    """A 勘误: a dated note shown beside the text; the text as published stays as it was."""

    date: dt.date
    text: str



def document_json_url(slug: str) -> str:
    """Site path of a document's open-data JSON (which also holds its text: the search page reads it)."""
    return f"documents/{slug}.json"

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
        m = _PAGES.match(self.pages or "")
        return int(m.group(1)) if m else 10**9

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
            r._err("correction", f"'{line[:40]}' does not start with a date",
                   "a date, then the note: 2024-03-02 第五条“三十日”应为“十五日”")
            continue
        out.append(Correction(day, m.group(2).strip()))
    return sorted(out, key=lambda c: c.date)


def slug_from_path(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def document_from_header(header: md.Header, slug: str | None = None) -> Document:
    """Validate a header as a document; raises MetadataErrors listing every problem."""
    r = md.FieldReader(header)
    slug = r.text("slug") or slug or slug_from_path(header.path)
    if not _SLUG_OK.match(slug):
        r._err("slug", f"'{slug}' cannot be used in a URL", "ASCII letters, digits, '-', '_' or '.'")
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
        disclosure=r.choice("disclosure", md.parse_disclosure, DISCLOSURE_ALLOWED, "public"),
        gazette=r.text("gazette"),
        pages=r.text("pages"),
        scan=r.text("scan"),
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
        r._err("work", f"'{doc['work']}' cannot be used in a URL",
               "a work id of ASCII letters, digits, '-', '_' or '.' (works/<id>.html)")
    for old in doc["old_slugs"]:
        if not _SLUG_OK.match(old) or old == slug:
            r._err("old_slugs", f"'{old}' cannot be an earlier slug of '{slug}'",
                   "earlier file names: ASCII letters, digits, '-', '_' or '.', other than the current one")
    if doc["pages"] and not _PAGES.match(doc["pages"]):
        r._err("pages", f"'{doc['pages']}' is not a page range", "a page or a range such as 12-15")
    script = r.text("script")
    if script is not None and script not in md.SCRIPTS:
        r._err("script", f"'{script}' is not allowed", "zh-Hans or zh-Hant")
        script = None
    if doc["expires"] and doc["effective"] and doc["expires"] < doc["effective"]:
        r._err("expires", "before the date it takes effect", f"a date after {doc['effective']}")
    if r.errors:
        raise md.MetadataErrors(sorted(r.errors, key=lambda e: e.line))
    if script is None:
        script = detect_script((title or "") + header.body)
    return Document(source_path=header.path, slug=slug, title=title or "", date=date, script=script,
                    body=header.body, body_line=header.body_line,
                    header_lines={k: line for k, (_, line) in header.fields.items()}, **doc)


def issue_from_header(header: md.Header) -> Issue:
    """Validate a header as a gazette issue; raises MetadataErrors listing every problem."""
    r = md.FieldReader(header)
    key = r.text("slug") or slug_from_path(header.path)
    year = r.integer("year", required=True)
    number = r.integer("number", required=True)
    date = r.date("date", required=True)
    serial = r.integer("serial")
    if r.errors:
        raise md.MetadataErrors(r.errors)
    return Issue(source_path=header.path, key=key, year=year, number=number, date=date, serial=serial,
                 title=r.text("title"), scan=r.text("scan"), body=header.body)


def read_document(path: str, text: str | None = None, display_path: str | None = None) -> Document:
    """Read one document file."""
    if text is None:
        text = read_text(path, display_path)
    return document_from_header(md.split_header(text, display_path or path, collect=True), slug_from_path(path))


def read_issue(path: str, text: str | None = None, display_path: str | None = None) -> Issue:
    """Read one issue file."""
    if text is None:
        text = read_text(path, display_path)
    return issue_from_header(md.split_header(text, display_path or path, collect=True))


def read_text(path: str, display_path: str | None = None) -> str:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise md.MetadataErrors([md.MetadataError(display_path or path, 1, "encoding",
                                                  f"not UTF-8 ({e.reason} at byte {e.start})",
                                                  "a UTF-8 text file")]) from None
