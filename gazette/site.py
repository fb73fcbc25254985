"""The site model: everything the templates, feeds, reports and indexes read, computed once.

Built from an Archive at an as-of date. Plugins put it in Pelican's context as
`context["gazette"]`; templates only present what it holds.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections import defaultdict
from dataclasses import dataclass, field

from .archive import Archive, Links, evaluate_all, issue_contents, link_documents
from .history import Ending, Work, build_works, ending_days, ending_of, replacement_days
from .model import Document, Issue
from .chinese import fold
from .scans import REDACT, IssueScan, NamingCache, ScanPlan, _squash, plan_issue_scans, scan_page_count
from .labels import localise
from .render import HtmlCache, text_digest, to_text
from .validity import Evaluation, ValiditySettings, evaluate


_NO_TEXT = (text_digest(""), 0)  # SiteModel.text_facts of a document whose text is not published


@dataclass
class SiteModel:
    archive: Archive
    as_of: dt.date
    settings: ValiditySettings
    evaluations: dict[str, Evaluation] = field(default_factory=dict)
    links: dict[str, Links] = field(default_factory=dict)
    toc: dict[str, list[Document]] = field(default_factory=dict)
    script: str = "zh-Hans"  # the site's labels; group names (issuers, types, subjects) are shown in it
    endings: dict[str, Ending | None] = field(default_factory=dict)  # how each document ended (history)
    works: dict[str, Work] = field(default_factory=dict)  # versions of one work, by work id
    ended_on: dict[str, dt.date | None] = field(default_factory=dict)  # slug -> first day no longer applying
    replaced_on: dict[str, dt.date] = field(default_factory=dict)  # slug -> next version's start

    scans: ScanPlan = field(default_factory=ScanPlan)  # what of each issue scan is published
    # Where the plain texts of bodies come from (render.to_text otherwise): a build's render cache
    # (render.HtmlCache: `text(body)`, `text_facts(body)`, `prefetch(bodies)`), read by every child.
    texts: "HtmlCache | None" = None

    @classmethod
    def build(cls, archive: Archive, as_of: dt.date, settings: ValiditySettings,
              script: str = "zh-Hans", redacted_scans: str = REDACT, cache_dir: str | None = None) -> "SiteModel":
        """`redacted_scans`: GAZETTE_REDACTED_SCANS ('redact' or 'omit', see gazette.scans); `cache_dir`
        keeps which scan pages name a withheld document (gazette.scans.NamingCache)."""
        links = link_documents(archive)
        endings = {d.slug: ending_of(d, links.get(d.slug)) for d in archive.documents}
        works = build_works(archive.documents, endings)
        ended_on, replaced_on = ending_days(endings), replacement_days(works)
        naming = _scan_names(archive, cache_dir)
        _drop_own_scans_naming(archive, naming)
        model = cls(archive=archive, as_of=as_of, settings=settings,
                   evaluations=evaluate_all(archive, as_of, settings, ended_on, replaced_on),
                   links=links, toc=issue_contents(archive), script=script, endings=endings, works=works,
                   ended_on=ended_on, replaced_on=replaced_on,
                   scans=plan_issue_scans(archive.issues, archive.documents, archive.unpublished, redacted_scans,
                                         functools.partial(scan_page_count, archive.content_dir),
                                         archive.scan_identity, naming))
        if isinstance(naming, NamingCache):
            naming.save()
        return model

    def evaluate_on(self, doc: Document, day: dt.date) -> Evaluation:
        """`doc` evaluated on another day than the as-of date, by the same rules."""
        return evaluate(doc, day, self.settings, self.ended_on.get(doc.slug), self.replaced_on.get(doc.slug))

    def text_of(self, doc: Document) -> str:
        """The plain text of a public document's body, "" for an on-request one: what both search
        indexes, the open data and the feeds carry. From the build's render cache when there is one."""
        if not doc.is_public:
            return ""
        return self.texts.text(doc.body) if self.texts else to_text(doc.body)

    def text_facts(self, doc: Document) -> tuple[bytes, int] | None:
        """(render.text_digest, length) of `text_of(doc)` where known without reading the text (the
        build's render cache holds them), else None."""
        if not doc.is_public:
            return _NO_TEXT
        return self.texts.text_facts(doc.body) if self.texts else None

    def prefetch_texts(self, docs) -> None:
        """`text_of` is about to be asked for each of `docs`, off the order the bodies were rendered
        in (a feed's newest documents): their texts come in one read."""
        if self.texts:
            self.texts.prefetch([d.body for d in docs if d.is_public])

    def ending(self, doc: Document) -> Ending | None:
        return self.endings.get(doc.slug)

    def work_of(self, doc: Document) -> Work | None:
        return self.works.get(doc.work) if doc.work else None

    def is_current_version(self, doc: Document, day: dt.date | None = None) -> bool:
        """True unless `doc` is a version of a work whose current version (on `day`, default the
        as-of date) is another document."""
        work = self.work_of(doc)
        return work is None or work.current(day or self.as_of).doc.slug == doc.slug

    def display(self, value: str) -> str:
        """A group name in the site's script: 臨瀾市財政局 and 临澜市财政局 are one issuer."""
        return localise(fold(value), self.script)

    # -- lookups -------------------------------------------------------------------------
    @property
    def documents(self) -> list[Document]:
        """Listed documents (public and on-request), newest first."""
        return self.archive.documents

    @property
    def public_documents(self) -> list[Document]:
        return [d for d in self.archive.documents if d.is_public]

    @property
    def issues(self) -> list[Issue]:
        return self.archive.issues

    def evaluation(self, doc: Document) -> Evaluation:
        return self.evaluations[doc.slug]

    def issue_of(self, doc: Document) -> Issue | None:
        # Called for every document page and listing row: a lookup, not a scan of all issues.
        by_key = self.__dict__.get("_issues_by_key")
        if by_key is None:
            by_key = self.__dict__["_issues_by_key"] = {i.key: i for i in self.archive.issues}
        return by_key.get(doc.gazette) if doc.gazette else None

    def warnings(self) -> list:
        """Problems that do not stop a build (MetadataErrors), for `gazette check` and `gazette build`:
        the archive's, each issue scan the site cannot carry, and each citation of a withheld document."""
        import os

        from .metadata import MetadataError

        from .citations import withheld_citations

        out = list(self.archive.warnings)
        for issue in self.archive.issues:
            scan = self.scans.of(issue.key)
            if scan is not None and not scan.published:
                out.append(MetadataError(os.path.join(self.archive.content_dir, issue.source_path),
                                         issue.header_lines.get("scan", 1), "scan", f"警告：{scan.why_not}"))
        return out + withheld_citations(self)

    def issue_scan(self, issue: Issue | None) -> IssueScan | None:
        return self.scans.of(issue.key) if issue else None

    def issue_scan_link(self, doc: Document) -> str | None:
        """Site path of the issue scan at this document's first page, when the site shows that page:
        never for an on-request document (its pages are removed) or a page that was removed."""
        scan = self.scans.of(doc.gazette)
        if not doc.is_public or scan is None or not scan.published:
            return None
        if doc.pages is None:
            return scan.url
        return f"{scan.url}#page={doc.first_page}" if scan.links_page(doc.pages) else None

    # -- groupings for browse pages ------------------------------------------------------
    def issues_by_year(self) -> list[tuple[int, list[Issue]]]:
        groups: dict[int, list[Issue]] = defaultdict(list)
        for issue in self.archive.issues:
            groups[issue.year].append(issue)
        return [(y, sorted(groups[y], key=lambda i: i.number)) for y in sorted(groups, reverse=True)]

    def group_documents(self, key: str) -> list[tuple[str, list[Document]]]:
        """Listed documents grouped by 'year', 'issuer', 'doc_type' or 'category', either script as one."""
        groups: dict[str, list[Document]] = defaultdict(list)
        for d in self.archive.documents:
            if key == "year":
                values = [str(d.year)]
            elif key == "issuer":
                values = d.issuer or ["未注明"]
            else:
                values = [getattr(d, key) or "未注明"]
            for v in dict.fromkeys(self.display(v) for v in values):
                groups[v].append(d)
        order = sorted(groups, reverse=True) if key == "year" else sorted(groups, key=lambda k: (-len(groups[k]), k))
        return [(k, groups[k]) for k in order]

    def catalogue_types(self) -> list[str]:
        """The document types the 现行有效目录 lists (GAZETTE_CATALOGUE_DOC_TYPES), in the site's script;
        empty: every type."""
        return [self.display(t) for t in self.settings.catalogue_types]

    def in_force_catalogue(self) -> list[tuple[str, list[Document]]]:
        """現行有效目錄: listed documents in force or amended, of the catalogue's types (by convention
        规章 and 规范性文件), by document type in the order of the setting."""
        types = self.catalogue_types()
        groups: dict[str, list[Document]] = defaultdict(list)
        for d in self.archive.documents:
            # a work is listed once, by its current version
            if self.evaluations[d.slug].in_force and self.is_current_version(d):
                kind = self.display(d.doc_type or "其他")
                if not types or kind in types:
                    groups[kind].append(d)
        first = types or [self.display(t) for t in ("规章", "规范性文件")]
        order = sorted(groups, key=lambda k: (first.index(k) if k in first else len(first), -len(groups[k]), k))
        return [(k, sorted(groups[k], key=lambda d: d.date, reverse=True)) for k in order]


def _scan_names(archive: Archive, cache_dir: str | None):
    """scan path -> pages naming a withheld document or a draft (gazette.scans.pages_naming); a name
    a listed document also has (versions of one work share a title) reveals nothing."""
    listed = {_squash(n) for d in archive.documents for n in (d.title, d.doc_number) if n}
    names = {n for n in archive.unnamed if _squash(n) not in listed}
    if not names:
        return lambda rel: set()
    return NamingCache(os.path.join(cache_dir, "scan-names.json") if cache_dir else None, archive.content_dir, names)


def _drop_own_scans_naming(archive: Archive, naming) -> None:
    """A public document's own scan whose text layer names a withheld document (an excerpt of an
    issue, a page the withheld document shares) is not published: a warning, as for the others of
    gazette.archive._check_own_scans."""
    from .metadata import MetadataError

    for doc in archive.documents:
        if doc.is_public and doc.scan and naming(doc.scan):
            archive.warnings.append(MetadataError(
                os.path.join(archive.content_dir, doc.source_path), doc.header_lines.get("scan", 1), "scan",
                f"'{doc.scan}' 的文字层载有不予公开文件的标题或文号（警告：不发布）"))
            doc.scan = None
