"""Loading a whole archive: every document and issue under a content folder, cross-referenced.

Layout: `documents/**.md` (one file per document), `issues/*.md` (one per gazette issue),
`scans/` (PDFs), `pages/` (static pages). Withheld documents and import drafts (`review:
pending`) are dropped here, at the first stage, so that nothing downstream can publish them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field

from . import metadata as md
from .model import Document, Issue, Page, disclosure_of, read_document, read_header, read_issue, read_page
from .scans import Placement, real_path, same_file_groups
from .textrules import normalise_doc_number  # noqa: F401 - the archive's lookups use it; re-exported
from .validity import Evaluation, ValiditySettings, evaluate

DOCUMENTS_DIR = "documents"
ISSUES_DIR = "issues"
PAGES_DIR = "pages"



@dataclass
class Archive:
    content_dir: str
    documents: list[Document] = field(default_factory=list)  # public and on-request, never withheld
    issues: list[Issue] = field(default_factory=list)
    errors: list[md.MetadataError] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)
    withheld_count: int = 0
    withheld_paths: set[str] = field(default_factory=set)
    withheld_scans: set[str] = field(default_factory=set)  # real paths of their own scans: never copied
    # Issue key -> where withheld documents, and files that could not be read as public, sit in
    # it: those pages are removed from the published issue scan (gazette.scans).
    unpublished: dict[str, list[Placement]] = field(default_factory=dict)
    warnings: list[md.MetadataError] = field(default_factory=list)  # reported; the file is still used
    # Issue scan path -> the identity of its file: two names of one file (symlink, hard link, copy)
    # share one (gazette.scans.plan_issue_scans redacts them alike).
    scan_identity: dict[str, str] = field(default_factory=dict)
    # Titles and numbers of withheld documents and drafts: never written anywhere, only looked for
    # in the text layer of the scans the site would carry (gazette.scans.pages_naming).
    unnamed: set[str] = field(default_factory=set)
    # Normalised numbers and slugs of withheld documents: never written anywhere either, only used
    # to tell the publisher that a public file cites one (gazette.citations.withheld_citations).
    withheld_numbers: set[str] = field(default_factory=set)
    withheld_slugs: set[str] = field(default_factory=set)
    # (shown path, line, key, reference) of each `supersedes` / `amends` of a withheld document: the
    # documents it names keep their own validity, and the publisher is told (withheld_citations).
    withheld_acts: list[tuple[str, int, str, str]] = field(default_factory=list)
    drafts: list[Document] = field(default_factory=list)   # import drafts (review pending): never published
    # Static pages read without errors (content-relative paths): the only ones Pelican renders, so
    # nothing the archive did not read (a hidden folder, a symlinked folder) becomes a page.
    pages: dict[str, Page] = field(default_factory=dict)  # static pages by "/"-separated path (pages/...)

    def by_number(self) -> dict[str, list[Document]]:
        """Documents by normalised document number; several when two share a number."""
        index: dict[str, list[Document]] = {}
        for d in self.documents:
            if d.doc_number:
                index.setdefault(normalise_doc_number(d.doc_number), []).append(d)
        return index

    def by_ref(self) -> dict[str, Document]:
        """Documents by slug and by normalised document number (the first listed of a shared number)."""
        index: dict[str, Document] = {d.slug: d for d in self.documents}
        for number, docs in self.by_number().items():
            index.setdefault(number, docs[0])
        return index

    def resolve(self, ref: str, index: dict[str, Document] | None = None) -> Document | None:
        index = index if index is not None else self.by_ref()
        return index.get(ref.strip()) or index.get(normalise_doc_number(ref))

    def names_withheld(self, ref: str, index: dict[str, Document] | None = None) -> bool:
        """`ref` (a number or slug as a listed file writes it) names a withheld document and no listed one."""
        if self.resolve(ref, index) is not None:
            return False
        return ref.strip() in self.withheld_slugs or normalise_doc_number(ref) in self.withheld_numbers


MARKDOWN = (".md", ".markdown")  # the names of the archive's Markdown files end so


def iter_content_files(content_dir: str, sub: str):
    """Markdown files under content_dir/sub, sorted for reproducible builds."""
    root = os.path.join(content_dir, sub)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith(MARKDOWN) and not name.startswith("."):
                yield os.path.join(dirpath, name)


def _read_all(archive: Archive, sub: str, reader):
    """(relative path, shown path, content object) of every readable file under `sub`; errors collected."""
    root = os.path.realpath(archive.content_dir)
    inside = lambda p: os.path.commonpath([root, os.path.realpath(p)]) == root  # noqa: E731
    # The walk does not enter a symlinked folder: below `sub` (itself checked once), only a file
    # can be a link out (realpath of every file was a fifth of an edit-one rebuild's header pass).
    base_inside = inside(os.path.join(archive.content_dir, sub))
    prefix = os.path.join(archive.content_dir, "")  # every path below starts with it (os.path.join)
    for path in iter_content_files(archive.content_dir, sub):
        # (os.path.relpath of every file was a fifth of the header pass)
        rel = path[len(prefix):] if path.startswith(prefix) else os.path.relpath(path, archive.content_dir)
        shown = os.path.join(archive.content_dir, rel)  # as the user named the folder, so it can be pasted
        if not (base_inside and not os.path.islink(path)) and not inside(path):
            # A symlink to a file elsewhere on the server (another archive's withheld document…):
            # never read, so nothing of it can be published.
            archive.errors.append(md.MetadataError(shown, 1, "file", "是指向 content/ 之外的符号链接，不读取",
                                                   "content/ 中的文件，或指向 content/ 中文件的符号链接"))
            archive.bad_files.append(rel)
            continue
        try:
            item = reader(path, display_path=shown, content_dir=archive.content_dir)
        except md.MetadataErrors as e:
            archive.errors.extend(e.errors)
            archive.bad_files.append(rel)
            if sub == DOCUMENTS_DIR:
                _note_unreadable(archive, path, shown)
            continue
        item.source_path = rel
        archive.warnings.extend(item.warnings)
        yield rel, shown, item


REFERENCE_FIELDS = ("supersedes", "superseded_by", "amends", "repealed_by", "interprets")


def _references(doc: Document):
    """Every other document a document's header names."""
    return (ref for key in REFERENCE_FIELDS for ref in getattr(doc, key))


def _place(archive: Archive, gazette: str | None, pages: str | None, reason: str) -> None:
    if gazette:
        archive.unpublished.setdefault(gazette.strip(), []).append(Placement(pages, reason))


def _drop(archive: Archive, doc: Document) -> None:
    """Leave out a document read without errors of its own (a clash with another file): an
    on-request one keeps its pages out of the issue scan, as it would have when published."""
    if doc in archive.documents:
        archive.documents.remove(doc)
    if doc.disclosure != "public":
        _place(archive, doc.gazette, doc.pages, doc.disclosure)


def _note_unreadable(archive: Archive, path: str, shown: str) -> None:
    """A document file with errors is not published; if it may not be public, its pages in an issue
    scan must not be either (its text is printed there)."""
    try:
        header = read_header(path, display_path=shown)
    except md.MetadataErrors:
        return
    disclosure = disclosure_of(header)
    if header.errors and disclosure == "public":
        # A header that is not even laid out right (a key twice: `disclosure: withheld` then
        # `disclosure: public`; a line separator inside a value) says nothing that can be trusted.
        disclosure = "unreadable"
    if disclosure != "public":
        reason = disclosure if disclosure in ("withheld", "on_request") else "unreadable"
        stray = {key: value for _, key, value in md.stray_header_lines(header)}  # where it says it is
        get = lambda key: header.fields.get(key, ("", 0))[0].strip() or stray.get(key, "").strip() or None  # noqa: E731
        _place(archive, get("gazette"), get("pages"), reason)


def load_archive(content_dir: str, headers=None) -> Archive:
    """Read and validate every document and issue; collect all metadata errors.

    `headers`: a header_cache.HeaderCache (a build's), which documents are read through and which
    then keeps only this archive's public documents."""
    archive = Archive(content_dir=content_dir)
    seen_slugs: dict[str, str] = {}
    reader = read_document if headers is None else headers.read_document
    read: list[Document] = []
    for rel, shown, doc in _read_all(archive, DOCUMENTS_DIR, reader):
        read.append(doc)
        if doc.is_draft:
            # Dropped here, like withheld documents, so no page, listing, feed or index can show it.
            archive.drafts.append(doc)
        if doc.disclosure == "withheld" or doc.is_draft:
            archive.unnamed.update(n for n in (doc.title, doc.doc_number) if n)
        if doc.disclosure == "withheld":
            archive.withheld_count += 1
            archive.withheld_paths.add(rel)
            archive.withheld_slugs.add(doc.slug)
            archive.withheld_acts += [(shown, doc.header_lines.get(key, 1), key, ref)
                                      for key in ("supersedes", "amends") for ref in getattr(doc, key)]
            if doc.doc_number:
                archive.withheld_numbers.add(normalise_doc_number(doc.doc_number))
            if doc.scan:
                archive.withheld_scans.add(real_path(content_dir, doc.scan))
            _place(archive, doc.gazette, doc.pages, "withheld")
            continue
        if doc.is_draft:
            _place(archive, doc.gazette, doc.pages, "draft")  # its pages stay out of the issue scan
            continue
        if doc.slug in seen_slugs:
            archive.errors.append(md.MetadataError(shown, 1, "slug", f"'{doc.slug}' 已由 {seen_slugs[doc.slug]} 使用",
                                                   "档案中唯一的 slug（文件名）"))
            archive.bad_files.append(rel)
            _drop(archive, doc)
            continue
        seen_slugs[doc.slug] = rel
        archive.documents.append(doc)
    if headers is not None:
        # At once: a document withheld since leaves the cache before anything else runs. A public
        # document naming one that is not listed (withheld, a draft, unreadable, or by a title the
        # site cannot resolve) is read again each time instead: the site never shows that name.
        index = archive.by_ref()
        headers.retain(d for d in read if all(archive.resolve(ref, index) is not None for ref in _references(d)))
    for rel, shown, issue in _read_all(archive, ISSUES_DIR, read_issue):
        twin = next((i for i in archive.issues if i.key == issue.key), None)
        if twin:
            archive.errors.append(md.MetadataError(shown, 1, "slug", f"期次 '{issue.key}' 已由 {twin.source_path} 使用"
                                                   "（每期公报只能有一个期次文件）"))
            archive.bad_files.append(rel)
            continue
        archive.issues.append(issue)
    for rel, _, page in _read_all(archive, PAGES_DIR, read_page):
        archive.pages[rel.replace(os.sep, "/")] = page  # headers checked here; Pelican renders them
    _check_own_scans(archive)
    _check_old_slugs(archive)
    known = {i.key for i in archive.issues}
    for doc in list(archive.documents):
        if doc.gazette and doc.gazette not in known:
            shown = os.path.join(content_dir, doc.source_path)
            archive.errors.append(md.MetadataError(shown, doc.header_lines.get("gazette", 1), "gazette",
                                                   f"{os.path.join(content_dir, ISSUES_DIR)} 中没有期次 '{doc.gazette}'",
                                                   "某个期次文件的期次，如 2023-02"))
            archive.bad_files.append(doc.source_path)
            _drop(archive, doc)
    _place_loosely(archive)  # after the documents dropped just above have placed their pages
    archive.documents.sort(key=lambda d: (d.date, d.slug), reverse=True)
    archive.issues.sort(key=lambda i: (i.date, i.key), reverse=True)
    return archive


_ISSUE_NAME = re.compile(r"^\D*(\d{4})\D+0*(\d{1,3})\D*$")


def _place_loosely(archive: Archive) -> None:
    """Pages of withheld (and unreadable) documents whose `gazette:` is not an issue key as written
    (`2024-1`, `2024年第1期`, full-width digits, a stray space) are removed from the issue it means
    all the same: for a public document the mismatch is an error, but a withheld one is never
    checked, and its pages stayed in the scan."""
    import unicodedata

    keys = {i.key for i in archive.issues}
    by_number = {(i.year, i.number): i.key for i in archive.issues}
    for written in [k for k in archive.unpublished if k not in keys]:
        plain = md.normalise_word(written)
        m = _ISSUE_NAME.match(unicodedata.normalize("NFKC", plain))
        key = next((k for k in keys if md.normalise_word(k) == plain), None) or (
            by_number.get((int(m.group(1)), int(m.group(2)))) if m else None)
        if key:
            archive.unpublished.setdefault(key, []).extend(archive.unpublished.pop(written))


def _check_own_scans(archive: Archive) -> None:
    """A document's own `scan:` must be its own original: the scan of a whole issue (older imports
    named it so) or a withheld document's original would publish other documents' pages."""
    real = lambda rel: real_path(archive.content_dir, rel)  # noqa: E731
    groups = same_file_groups([real(i.scan) for i in archive.issues if i.scan] + list(archive.withheld_scans)
                              + [real(d.scan) for d in archive.documents if d.scan])
    same = lambda rel: groups.get(real(rel), real(rel))  # noqa: E731 - a copy or hard link is the same scan
    archive.scan_identity = {i.scan: same(i.scan) for i in archive.issues if i.scan}
    issue_scans = {same(i.scan): i.key for i in archive.issues if i.scan}
    withheld = {groups.get(w, w) for w in archive.withheld_scans}
    for doc in archive.documents:
        if not doc.scan:
            continue
        if same(doc.scan) in issue_scans:
            why = f"是第 {issue_scans[same(doc.scan)]} 期整期公报的扫描件，不是本文件的原件（警告：改用 gazette 与 pages 从该期扫描件中截取本文件的页）"
        elif same(doc.scan) in withheld:
            why = "也是一件不予公开文件的原件（警告：不发布）"
        else:
            continue
        shown = os.path.join(archive.content_dir, doc.source_path)
        archive.warnings.append(md.MetadataError(shown, doc.header_lines.get("scan", 1), "scan", f"'{doc.scan}' {why}"))
        doc.scan = None


def _check_old_slugs(archive: Archive) -> None:
    """An earlier slug redirects to one document only (the earliest that claims it) and never
    shadows a current slug: any other claim is a located error, and that file is left out."""
    current = {d.slug: d for d in archive.documents}
    claimed: dict[str, Document] = {}
    for doc in sorted(archive.documents, key=lambda d: (d.date, d.slug)):
        clashes = []
        for old in doc.old_slugs:
            other = current.get(old) or claimed.get(old)
            if other is None:
                claimed[old] = doc
                continue
            what = "是另一件文件现在的网址" if old in current else "已是另一件文件的旧网址"
            clashes.append(md.MetadataError(
                os.path.join(archive.content_dir, doc.source_path), doc.header_lines.get("old_slugs", 1), "old_slugs",
                f"'{old}' {what}（{other.source_path}）", "本文件自己从前的文件名，且不与其他文件的网址或旧网址相同"))
        if clashes:
            archive.errors.extend(clashes)
            archive.bad_files.append(doc.source_path)
            _drop(archive, doc)


@dataclass
class Links:
    """Resolved relations of one document, both directions, withheld targets removed."""

    supersedes: list[Document] = field(default_factory=list)
    superseded_by: list[Document] = field(default_factory=list)
    amends: list[Document] = field(default_factory=list)
    amended_by: list[Document] = field(default_factory=list)
    repealed_by: list[Document] = field(default_factory=list)  # the instrument named by `repealed_by`
    repeals: list[Document] = field(default_factory=list)
    interprets: list[Document] = field(default_factory=list)  # a 解读: the documents it explains
    interpreted_by: list[Document] = field(default_factory=list)  # the 解读 of a document
    unresolved: list[tuple[str, str]] = field(default_factory=list)  # (key, reference as written)


def link_documents(archive: Archive) -> dict[str, Links]:
    """Resolve supersedes / superseded_by / amends / repealed_by / interprets, adding the inverse
    relation to each target."""
    index = archive.by_ref()
    links = {d.slug: Links() for d in archive.documents}

    def add(lst: list[Document], d: Document) -> None:
        if d not in lst:
            lst.append(d)

    for d in archive.documents:
        for attr, inverse in (("supersedes", "superseded_by"), ("superseded_by", "supersedes"), ("amends", "amended_by"),
                              ("repealed_by", "repeals"), ("interprets", "interpreted_by")):
            for ref in getattr(d, attr):
                target = archive.resolve(ref, index)
                if target is None or target is d:
                    # Possibly a withheld document: never echo the reference itself.
                    links[d.slug].unresolved.append((attr, ref))
                    continue
                add(getattr(links[d.slug], attr), target)
                add(getattr(links[target.slug], inverse), d)
    return links


def evaluate_all(archive: Archive, as_of: dt.date, settings: ValiditySettings,
                 ended_on: dict[str, dt.date | None] | None = None,
                 replaced_on: dict[str, dt.date | None] | None = None) -> dict[str, Evaluation]:
    """Every document evaluated on `as_of`; `ended_on`: slug -> first day it no longer applies,
    `replaced_on`: slug -> the day a newer version of its work takes over (gazette.history)."""
    ended_on, replaced_on = ended_on or {}, replaced_on or {}
    return {d.slug: evaluate(d, as_of, settings, ended_on.get(d.slug), replaced_on.get(d.slug))
            for d in archive.documents}


def issue_contents(archive: Archive) -> dict[str, list[Document]]:
    """Each issue's table of contents: the documents naming it, in page order."""
    toc: dict[str, list[Document]] = {i.key: [] for i in archive.issues}
    for d in archive.documents:
        if d.gazette in toc:
            toc[d.gazette].append(d)
    for docs in toc.values():
        docs.sort(key=lambda d: (d.first_page, d.date, d.slug))
    return toc
