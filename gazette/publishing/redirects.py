"""Permanent identifiers: old URLs of renamed documents and ELI-style short paths redirect to the
document page, with static HTML redirect pages that any static host serves.

A renamed document lists its earlier slugs in `old_slugs:` (aliases: `aliases`, 旧网址);
documents/<old>.html then redirects to documents/<slug>.html. A document whose number has the
usual shape (临政规〔2023〕3号) is also reachable at eli/<code>/<year>/<number>/.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..labels import localise
from ..site import SiteModel
from .links import LinkPlan, eli_path
from .output import relative

log = logging.getLogger(__name__)


SENTENCES = {"renamed": "本文件的网址已变更，请访问：", "eli": "本永久链接指向："}


@dataclass(frozen=True)
class Redirect:
    path: str    # site path of the redirect page (a file)
    target: str  # site path of the document page
    title: str
    kind: str = "renamed"  # "renamed" (an old slug) or "eli" (a short permanent address)


def plan_redirects(model: SiteModel, plan: LinkPlan) -> tuple[list[Redirect], list[str]]:
    """Redirect pages to write, and warnings for old slugs that cannot redirect (a slug in use, or
    claimed by two documents: the earliest document keeps it)."""
    current = {d.slug for d in model.documents}
    redirects: dict[str, Redirect] = {}
    warnings = []
    for doc in sorted(model.documents, key=lambda d: (d.date, d.slug)):
        for old in doc.old_slugs:
            path = f"documents/{old}.html"
            if old in current:
                warnings.append(f"{doc.source_path}: old_slugs: '{old}' 是另一件文件现在的网址，不做转向")
            elif path in redirects:
                warnings.append(f"{doc.source_path}: old_slugs: '{old}' 已转向 {redirects[path].target}，不再转向本文件")
            else:
                redirects[path] = Redirect(path, doc.url, doc.title)
    by_slug = {d.slug: d for d in model.documents}
    for slug, parts in sorted(plan.eli.items(), key=lambda kv: kv[1]):
        doc = by_slug[slug]
        path = eli_path(parts) + "index.html"
        redirects[path] = Redirect(path, doc.url, doc.title, "eli")
    return sorted(redirects.values(), key=lambda r: r.path), warnings


def redirect_html(r: Redirect, site_name: str, script: str = "zh-Hans", site_url: str = "") -> str:
    """A static redirect page: meta refresh, canonical link and a plain link for anyone it does not move."""
    href = relative(r.path, r.target)
    canonical = f"{site_url}/{r.target}" if site_url else href
    L = lambda s: localise(s, script)  # noqa: E731
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{script}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'self'; script-src 'none'; "
        "object-src 'none'; base-uri 'none'\">\n"
        f'<meta http-equiv="refresh" content={quoteattr("0; url=" + href)}>\n'
        '<meta name="robots" content="noindex">\n'
        f"<link rel=\"canonical\" href={quoteattr(canonical)}>\n"
        f"<title>{escape(r.title)} · {escape(site_name)}</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{escape(r.title)}</h1>\n"
        f"<p>{L(SENTENCES[r.kind])}<a href={quoteattr(href)}>{escape(r.title)}</a></p>\n"
        "</main>\n</body>\n</html>\n")
