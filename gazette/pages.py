"""The site's own pages beyond one-per-document: what to write where, and with what context.

Pure: returns a plan (output path, template name, context); the Pelican plugin renders it.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field

from .annual_report import annual_report, classified, report_years
from .coverage import coverage
from .history_view import work_block
from .site import SiteModel

# Browse dimensions: key on Document -> (URL part, label in Simplified).
DIMENSIONS: dict[str, tuple[str, str]] = {
    "year": ("year", "按年度"),
    "issuer": ("issuer", "按发文机关"),
    "doc_type": ("type", "按文种"),
    "category": ("subject", "按主题分类"),
}
DIMENSION_TITLES = {"year": "年度", "issuer": "发文机关", "doc_type": "文种", "category": "主题分类"}


@dataclass
class PageSpec:
    save_as: str
    template: str
    context: dict = field(default_factory=dict)


# An ASCII group value longer than this is named by its hash, like any other: the name must fit a
# file name (255 bytes) with the longest suffix (.atom.xml.br).
GROUP_NAME_MAX = 64


@functools.lru_cache(maxsize=1 << 14)  # a few hundred issuers and subjects, asked for by every document
def group_slug(value: str) -> str:
    """Stable ASCII file name for a group (issuer, subject…), the same for either script: years stay as they are."""
    from .chinese import fold

    if value.isascii() and value.replace("-", "").isalnum() and len(value) <= GROUP_NAME_MAX:
        return value
    return hashlib.sha1(fold(value).encode("utf-8")).hexdigest()[:10]


def group_url(dimension: str, value: str) -> str:
    return f"browse/{DIMENSIONS[dimension][0]}/{group_slug(value)}.html"


def plan_pages(model: SiteModel, latest_count: int = 12) -> list[PageSpec]:
    """Every listing page of the site, in a stable order; planned once per model (the page writer and
    the sitemap both ask, and the publishing child inherits the plan the parent made before it)."""
    memo = model.__dict__.setdefault("_page_plans", {})
    if latest_count not in memo:
        memo[latest_count] = _plan_pages(model, latest_count)
    return memo[latest_count]


def _plan_pages(model: SiteModel, latest_count: int) -> list[PageSpec]:
    plan = [
        PageSpec("index.html", "index", {
            "latest_issue": model.issues[0] if model.issues else None,
            "latest_issue_docs": model.toc.get(model.issues[0].key, []) if model.issues else [],
            "latest_documents": model.documents[:latest_count],
            "page_name": "home",
        }),
        PageSpec("issues/index.html", "issues", {"years": model.issues_by_year(), "page_name": "issues",
                                                 "coverage": {c.year: c for c in coverage(model.issues)}}),
        PageSpec("catalogue.html", "catalogue", {"groups": model.in_force_catalogue(), "types": model.catalogue_types(),
                                                 "page_name": "catalogue"}),
        PageSpec("search.html", "search", {"page_name": "search"}),
    ]
    for issue in model.issues:
        plan.append(PageSpec(issue.url, "issue", {"issue": issue, "contents": model.toc.get(issue.key, []),
                                                  "scan": model.issue_scan(issue), "page_name": "issues"}))
    browse = []
    from .labels import localise

    for dim, (part, label) in DIMENSIONS.items():
        groups = model.group_documents(dim)
        label = localise(label, model.script)
        browse.append((dim, label, [(name, group_url(dim, name), len(docs)) for name, docs in groups]))
        for name, docs in groups:
            plan.append(PageSpec(group_url(dim, name), "listing", {
                "dimension": dim, "dimension_title": localise(DIMENSION_TITLES[dim], model.script), "group": name,
                "documents": docs, "page_name": "browse"}))
    plan.append(PageSpec("browse/index.html", "browse", {"dimensions": browse, "page_name": "browse"}))
    for work in model.works.values():
        plan.append(PageSpec(work.url, "work", {"work_view": work_block(model, work, None, model.script),
                                                "current": work.current(model.as_of).doc, "page_name": "browse"}))
    reports = annual_reports(model)
    plan.append(PageSpec(ANNUAL_INDEX, "annual_index", {"reports": reports, "page_name": "validity"}))
    titles = {d.slug: d.title for d in model.public_documents}
    for report in reports:
        # Only the titles this year's table names: a page's fingerprint pictures all it is given, and
        # every report given every title cost 3 CPU-s of fingerprints at 10,000 documents.
        named = {slug: titles[slug] for row in report.rows for slugs in row.documents.values()
                 for slug in slugs if slug in titles}
        plan.append(PageSpec(annual_url(report.year), "annual", {"report": report, "doc_titles": named,
                                                                 "page_name": "validity"}))
    return plan


ANNUAL_INDEX = "validity/annual.html"


def annual_reports(model: SiteModel) -> list:
    """Every year's annual-report table, newest first; computed once per model (the plan of pages is
    asked for by the page writer, the sitemap and the validity plugin)."""
    memo = model.__dict__.get("_annual_reports")
    if memo is None:
        documents = classified(model)
        memo = model.__dict__["_annual_reports"] = [annual_report(model, y, documents) for y in report_years(model)]
    return memo


def annual_url(year: int, ext: str = "html") -> str:
    return f"validity/annual-{year}.{ext}"
