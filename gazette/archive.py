"""Loading a whole archive: every document and issue under a content folder, cross-referenced.

Layout: `documents/**.md` (one file per document), `issues/*.md` (one per gazette issue),
`scans/` (PDFs), `pages/` (static pages). Withheld documents and import drafts (`review:
pending`) are dropped here, at the first stage, so that nothing downstream can publish them.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from . import metadata as md
from .model import Document, Issue, read_document, read_issue
from .textrules import normalise_doc_number  # noqa: F401 - the archive's lookups use it; re-exported
from .validity import Evaluation, ValiditySettings, evaluate

DOCUMENTS_DIR = "documents"
ISSUES_DIR = "issues"



@dataclass
class Archive:
    content_dir: str
    documents: list[Document] = field(default_factory=list)  # public and on-request, never withheld
    issues: list[Issue] = field(default_factory=list)
    errors: list[md.MetadataError] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)
    withheld_count: int = 0
    withheld_paths: set[str] = field(default_factory=set)
    withheld_scans: set[str] = field(default_factory=set)  # never copied to the site
    drafts: list[Document] = field(default_factory=list)   # import drafts (review pending): never published

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


def iter_content_files(content_dir: str, sub: str):
    """Markdown files under content_dir/sub, sorted for reproducible builds."""
    root = os.path.join(content_dir, sub)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".md", ".markdown")) and not name.startswith("."):
                yield os.path.join(dirpath, name)


def _read_all(archive: Archive, sub: str, reader):
    """(relative path, shown path, content object) of every readable file under `sub`; errors collected."""
    for path in iter_content_files(archive.content_dir, sub):
        rel = os.path.relpath(path, archive.content_dir)
        shown = os.path.join(archive.content_dir, rel)  # as the user named the folder, so it can be pasted
        try:
            item = reader(path, display_path=shown)
        except md.MetadataErrors as e:
            archive.errors.extend(e.errors)
            archive.bad_files.append(rel)
            continue
        item.source_path = rel
        yield rel, shown, item


def load_archive(content_dir: str) -> Archive:
    """Read and validate every document and issue; collect all metadata errors."""
    archive = Archive(content_dir=content_dir)
    seen_slugs: dict[str, str] = {}
    for rel, shown, doc in _read_all(archive, DOCUMENTS_DIR, read_document):
        if doc.is_draft:
            # Dropped here, like withheld documents, so no page, listing, feed or index can show it.
            archive.drafts.append(doc)
        if doc.disclosure == "withheld":
            archive.withheld_count += 1
            archive.withheld_paths.add(rel)
            if doc.scan:
                archive.withheld_scans.add(doc.scan.replace(os.sep, "/").lstrip("./"))
            continue
        if doc.is_draft:
            continue
        if doc.slug in seen_slugs:
            archive.errors.append(md.MetadataError(shown, 1, "slug", f"'{doc.slug}' is also used by {seen_slugs[doc.slug]}",
                                                   "a slug (file name) unique in the archive"))
            archive.bad_files.append(rel)
            continue
        seen_slugs[doc.slug] = rel
        archive.documents.append(doc)
    archive.issues.extend(issue for _, _, issue in _read_all(archive, ISSUES_DIR, read_issue))
    known = {i.key for i in archive.issues}
    for doc in list(archive.documents):
        if doc.gazette and doc.gazette not in known:
            shown = os.path.join(content_dir, doc.source_path)
            archive.errors.append(md.MetadataError(shown, doc.header_lines.get("gazette", 1), "gazette",
                                                   f"no issue '{doc.gazette}' in {os.path.join(content_dir, ISSUES_DIR)}",
                                                   "the key of an issue file, e.g. 2023-02"))
            archive.bad_files.append(doc.source_path)
            archive.documents.remove(doc)
    archive.documents.sort(key=lambda d: (d.date, d.slug), reverse=True)
    archive.issues.sort(key=lambda i: (i.date, i.key), reverse=True)
    return archive


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
