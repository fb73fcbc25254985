"""The site model: everything the templates, feeds, reports and indexes read, computed once.

Built from an Archive at an as-of date. Plugins put it in Pelican's context as
`context["gazette"]`; templates only present what it holds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .archive import Archive, Links, evaluate_all, issue_contents, link_documents
from .model import Document, Issue
from .validity import Evaluation, ValiditySettings


@dataclass
class SiteModel:
    archive: Archive
    as_of: dt.date
    settings: ValiditySettings
    evaluations: dict[str, Evaluation] = field(default_factory=dict)
    links: dict[str, Links] = field(default_factory=dict)
    toc: dict[str, list[Document]] = field(default_factory=dict)

    @classmethod
    def build(cls, archive: Archive, as_of: dt.date, settings: ValiditySettings) -> "SiteModel":
        return cls(archive=archive, as_of=as_of, settings=settings,
                   evaluations=evaluate_all(archive, as_of, settings),
                   links=link_documents(archive), toc=issue_contents(archive))

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
        for issue in self.archive.issues:
            if issue.key == doc.gazette:
                return issue
        return None

    # -- groupings for browse pages ------------------------------------------------------
    def issues_by_year(self) -> list[tuple[int, list[Issue]]]:
        groups: dict[int, list[Issue]] = defaultdict(list)
        for issue in self.archive.issues:
            groups[issue.year].append(issue)
        return [(y, sorted(groups[y], key=lambda i: i.number)) for y in sorted(groups, reverse=True)]

    def group_documents(self, key: str) -> list[tuple[str, list[Document]]]:
        """Listed documents grouped by 'year', 'issuer', 'doc_type' or 'category'."""
        groups: dict[str, list[Document]] = defaultdict(list)
        for d in self.archive.documents:
            if key == "year":
                values = [str(d.year)]
            elif key == "issuer":
                values = d.issuer or ["未注明"]
            else:
                values = [getattr(d, key) or "未注明"]
            for v in values:
                groups[v].append(d)
        order = sorted(groups, reverse=True) if key == "year" else sorted(groups, key=lambda k: (-len(groups[k]), k))
        return [(k, groups[k]) for k in order]

    def in_force_catalogue(self) -> list[tuple[str, list[Document]]]:
        """現行有效目錄: public documents in force or amended, grouped by document type."""
        groups: dict[str, list[Document]] = defaultdict(list)
        for d in self.public_documents:
            if self.evaluations[d.slug].in_force:
                groups[d.doc_type or "其他"].append(d)
        return [(k, sorted(v, key=lambda d: d.date, reverse=True)) for k, v in sorted(groups.items())]
