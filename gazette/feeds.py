"""Atom feeds (RFC 4287) for new documents and new issues."""

from __future__ import annotations

import datetime as dt

from .inert import xml_attr as quoteattr, xml_escape as escape
from .model import Document, Issue
from .render import shorten

FEED_LIMIT = 50


def _ts(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def _link(site_url: str, url: str, feed_path: str) -> str:
    if site_url:
        return f"{site_url.rstrip('/')}/{url}"
    # Relative to the feed file, so a preview build still links correctly.
    depth = feed_path.count("/")
    return "../" * depth + url


def atom(feed_path: str, title: str, entries: list[dict], site_url: str, feed_id: str,
         alternate: str = "index.html") -> str:
    """An Atom document; each entry has id, title, url, updated (date), summary, and optional categories.
    `alternate` is the site path of the HTML page the feed follows."""
    updated = max((e["updated"] for e in entries), default=dt.date(1970, 1, 1))
    self_href = _link(site_url, feed_path, feed_path)
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh">',
           f"<title>{escape(title)}</title>",
           f"<id>{escape(feed_id)}</id>",
           f"<updated>{_ts(updated)}</updated>",
           f"<link rel=\"self\" href={quoteattr(self_href)}/>",
           f"<link rel=\"alternate\" href={quoteattr(_link(site_url, alternate, feed_path))}/>",
           "<author><name>" + escape(title.split(" ")[0]) + "</name></author>"]
    for e in entries:
        out.append("<entry>")
        out.append(f"<title>{escape(e['title'])}</title>")
        out.append(f"<id>{escape(e['id'])}</id>")
        out.append(f"<link rel=\"alternate\" href={quoteattr(_link(site_url, e['url'], feed_path))}/>")
        out.append(f"<updated>{_ts(e['updated'])}</updated>")
        out.append(f"<published>{_ts(e['updated'])}</published>")
        for c in e.get("categories", []):
            out.append(f"<category term={quoteattr(c)}/>")
        if e.get("summary"):
            out.append(f"<summary>{escape(e['summary'])}</summary>")
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out) + "\n"


def document_entry(doc: Document, status_label: str, body_text: str) -> dict:
    """`body_text`: the document's plain text (SiteModel.text_of), "" for an on-request one."""
    parts = [p for p in (doc.doc_number, "；".join(doc.issuer), status_label) if p]
    text = " · ".join(parts)
    if doc.is_public:
        text += "\n" + shorten(body_text, 200)
    return {"id": f"tag:gazette,{doc.date.isoformat()}:documents/{doc.slug}", "title": doc.title,
            "url": doc.url, "updated": doc.date, "summary": text,
            "categories": [c for c in (doc.doc_type, doc.category) if c]}


def issue_entry(issue: Issue, contents: list[Document]) -> dict:
    return {"id": f"tag:gazette,{issue.date.isoformat()}:issues/{issue.key}", "title": issue.display_title,
            "url": issue.url, "updated": issue.date,
            "summary": "；".join(d.title for d in contents)}
