"""Open data: catalogue.json / catalogue.csv of every listed document, issues.json of every
gazette issue, and documents/<slug>.json next to each document page.

Listed means public (主动公开) and on-request (依申请公开) documents: the latter appear as
catalogue entries without their text, exactly as on the site. Withheld documents are not in
the model at all. Missing values are empty strings (lists are empty lists in JSON and
`;`-joined in CSV), so the JSON and CSV forms hold the same data.
"""

from __future__ import annotations

import datetime as dt

from ..inert import csv_text, json_text
from ..labels import FLAG_LABELS, STATUS_LABELS, localise
from ..model import Document, Issue
from ..site import SiteModel
from .changes import document_lastmod
from .links import DocumentLinks
from ..validity import review_standing

# Field order of catalogue.csv and of each catalogue.json record (documented in the README).
FIELDS = ("slug", "url", "title", "doc_number", "issuer", "signed", "date", "doc_type", "category",
          "index_no", "effective", "expires", "declared_validity", "status", "status_label", "review_flag",
          "review_flag_label", "review_due", "reviewed", "disclosure", "gazette", "pages", "script",
          "supersedes", "superseded_by", "amends", "amended_by", "json_url", "pdf_url", "scan_url",
          "eli_url", "last_modified",
          # time and relations (gazette/history.py)
          "work", "work_url", "versions", "version_start", "version_end", "current_version",
          "is_current_version", "ended_on", "end_verb", "ended_by", "review_note", "checked_to",
          "interprets", "interpreted_by", "corrections")
LIST_FIELDS = ("issuer", "supersedes", "superseded_by", "amends", "amended_by", "versions", "interprets",
               "interpreted_by")
# Joined with a line break in CSV: a correction's note may hold any punctuation.
LINE_FIELDS = ("corrections",)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _abs(site_url: str, url: str) -> str:
    return f"{site_url}/{url}" if site_url and url else url


def document_record(model: SiteModel, doc: Document, links: DocumentLinks, script: str = "zh-Hans",
                    site_url: str = "") -> dict:
    """The catalogue record of one document (no text)."""
    ev = model.evaluation(doc)
    rel = model.links.get(doc.slug)
    slugs = lambda docs: [d.slug for d in docs]  # noqa: E731  (withheld targets never resolved)
    return {
        "slug": doc.slug,
        "url": _abs(site_url, doc.url),
        "title": doc.title,
        "doc_number": doc.doc_number or "",
        "issuer": list(doc.issuer),
        "signed": _iso(doc.signed),
        "date": _iso(doc.date),
        "doc_type": doc.doc_type or "",
        "category": doc.category or "",
        "index_no": doc.index_no or "",
        "effective": _iso(doc.effective),
        "expires": _iso(doc.expires),
        "declared_validity": doc.validity if doc.validity_declared else "",
        "status": ev.status,
        "status_label": localise(STATUS_LABELS[ev.status], script),
        "review_flag": ev.flag or "",
        "review_flag_label": localise(FLAG_LABELS[review_standing(ev.flag, doc.reviewed)], script) if ev.flag else "",
        "review_due": _iso(ev.review_due),
        "reviewed": _iso(doc.reviewed),
        "disclosure": doc.disclosure,
        "gazette": doc.gazette or "",
        "pages": doc.pages or "",
        "script": doc.script,
        "supersedes": slugs(rel.supersedes) if rel else [],
        "superseded_by": slugs(rel.superseded_by) if rel else [],
        "amends": slugs(rel.amends) if rel else [],
        "amended_by": slugs(rel.amended_by) if rel else [],
        "json_url": _abs(site_url, links.json_url),
        "pdf_url": _abs(site_url, links.pdf_url or ""),
        "scan_url": _abs(site_url, links.scan_url or ""),
        "eli_url": _abs(site_url, links.eli_url or ""),
        "last_modified": _iso(document_lastmod(model, doc)),
        **time_fields(model, doc, site_url),
    }


def time_fields(model: SiteModel, doc: Document, site_url: str = "") -> dict:
    """Versions, ending, as-at, 解读 and corrections of one document, for its open-data record."""
    from ..history import checked_to

    work = model.work_of(doc)
    version = work.version_of(doc) if work else None
    ending = model.ending(doc)
    rel = model.links.get(doc.slug)
    checked = checked_to(doc, ending)
    return {
        "work": work.id if work else "",
        "work_url": _abs(site_url, work.url) if work else "",
        "versions": [v.doc.slug for v in work.versions] if work else [],
        "version_start": _iso(version.start) if version else "",
        "version_end": _iso(version.end) if version else "",
        "current_version": work.current(model.as_of).doc.slug if work else "",
        "is_current_version": model.is_current_version(doc),
        "ended_on": _iso(ending.day) if ending else "",
        "end_verb": ending.verb if ending else "",
        "ended_by": ending.by.slug if ending and ending.by else "",
        "review_note": doc.review_note or "",
        "checked_to": _iso(checked.day),
        "interprets": [d.slug for d in rel.interprets] if rel else [],
        "interpreted_by": [d.slug for d in rel.interpreted_by] if rel else [],
        "corrections": [f"{c.date.isoformat()} {c.text}" for c in doc.corrections],
    }


def document_fields(record: dict, issue: Issue | None, as_of: dt.date) -> dict:
    """What documents/<slug>.json holds but the text: the catalogue record, its issue, the as-of date."""
    data = dict(record)
    data["issue"] = ({"key": issue.key, "title": issue.display_title, "url": issue.url}
                     if issue else None)
    data["as_of"] = as_of.isoformat()
    return data


def document_json(fields: dict, text: str) -> str:
    """documents/<slug>.json: `document_fields` plus `text` (SiteModel.text_of: public documents only)."""
    return json_text({**fields, "text": text})


def catalogue_json(records: list[dict], model: SiteModel, site_name: str) -> str:
    return json_text({"site": site_name, "as_of": model.as_of.isoformat(), "count": len(records),
                      "fields": list(FIELDS), "documents": records}, rows="documents")


def catalogue_csv(records: list[dict]) -> str:
    return csv_text(list(FIELDS), ({k: ";".join(r[k]) if k in LIST_FIELDS else "\n".join(r[k]) if k in LINE_FIELDS
                                    else r[k] for k in FIELDS} for r in records))


def issues_json(model: SiteModel, site_name: str, site_url: str = "") -> str:
    """Every gazette issue with its table of contents in page order."""
    issues = []
    for issue in model.issues:
        issues.append({
            "key": issue.key, "title": issue.display_title, "year": issue.year, "number": issue.number,
            "serial": issue.serial, "date": _iso(issue.date), "url": _abs(site_url, issue.url),
            "scan_url": _abs(site_url, (model.issue_scan(issue) and model.issue_scan(issue).url) or ""),
            "documents": [{"slug": d.slug, "title": d.title, "doc_number": d.doc_number or "",
                           "pages": d.pages or "", "url": _abs(site_url, d.url)}
                          for d in model.toc.get(issue.key, [])],
        })
    return json_text({"site": site_name, "as_of": model.as_of.isoformat(), "count": len(issues),
                      "issues": issues}, rows="issues")
