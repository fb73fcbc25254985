"""sitemap.xml (with last-modified dates) and robots.txt.

Past 50,000 URLs (the protocol's limit per file) sitemap.xml becomes a sitemap index of
sitemaps/sitemap-N.xml files. Locations are absolute when the site's address is known
(SITEURL / FEED_DOMAIN in publishconf.py) and relative to the sitemap otherwise (preview builds).
"""

from __future__ import annotations

import datetime as dt

from ..inert import xml_escape as escape
from ..pages import plan_pages
from ..site import SiteModel
from .changes import document_lastmod

MAX_URLS = 50_000
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_entries(model: SiteModel, extra: list[str] = ()) -> list[tuple[str, dt.date]]:
    """(site path, last modified) of every page a search engine should index: listed documents,
    issues, listings, the catalogue and report, static pages. Redirect pages are left out."""
    doc_mod = {d.slug: document_lastmod(model, d) for d in model.documents}
    latest = max(doc_mod.values(), default=model.as_of)
    entries: dict[str, dt.date] = {}
    for spec in plan_pages(model):
        ctx = spec.context
        docs = ctx.get("documents") or ctx.get("contents") or ctx.get("latest_documents")
        if spec.template == "search":
            continue  # a form, not content
        if ctx.get("issue") is not None:
            day = max([ctx["issue"].date] + [doc_mod[d.slug] for d in docs or []])
        elif docs:
            day = max(doc_mod[d.slug] for d in docs)
        else:
            day = latest
        entries[spec.save_as] = day
    entries["validity/index.html"] = model.as_of  # the report is evaluated at each build's date
    for d in model.documents:
        entries[d.url] = doc_mod[d.slug]
    for path in extra:
        entries.setdefault(path, latest)
    return sorted(entries.items())


def _loc(site_url: str, path: str, from_path: str) -> str:
    if site_url:
        return escape(f"{site_url}/{path}")
    return escape("../" * from_path.count("/") + path)


def urlset(entries: list[tuple[str, dt.date]], site_url: str, file_path: str) -> str:
    out = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{NS}">']
    for path, day in entries:
        out.append(f"<url><loc>{_loc(site_url, path, file_path)}</loc><lastmod>{day.isoformat()}</lastmod></url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"


def sitemap_files(entries: list[tuple[str, dt.date]], site_url: str = "") -> dict[str, str]:
    """sitemap.xml, plus sitemaps/sitemap-N.xml when there are more URLs than one file may hold."""
    if len(entries) <= MAX_URLS:
        return {"sitemap.xml": urlset(entries, site_url, "sitemap.xml")}
    files, index = {}, ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{NS}">']
    for n, start in enumerate(range(0, len(entries), MAX_URLS), 1):
        chunk = entries[start:start + MAX_URLS]
        path = f"sitemaps/sitemap-{n}.xml"
        files[path] = urlset(chunk, site_url, path)
        last = max(day for _, day in chunk)
        index.append(f"<sitemap><loc>{_loc(site_url, path, 'sitemap.xml')}</loc>"
                     f"<lastmod>{last.isoformat()}</lastmod></sitemap>")
    index.append("</sitemapindex>")
    files["sitemap.xml"] = "\n".join(index) + "\n"
    return files


def robots_txt(site_url: str = "") -> str:
    lines = ["User-agent: *", "Disallow:"]
    if site_url:
        lines.append(f"Sitemap: {site_url}/sitemap.xml")
    else:
        # Crawlers want an absolute address; set SITEURL (publishconf.py) for production builds.
        lines.append("Sitemap: sitemap.xml")
    return "\n".join(lines) + "\n"
