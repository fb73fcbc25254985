"""When a document's page last changed, and which validity changes happened recently.

Both are pure functions of the archive and the as-of date, never of an earlier build's
state: the same content at the same as-of date gives the same feed and sitemap, so builds stay
reproducible and an incremental build equals a full one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import Document
from ..site import SiteModel

ONE_DAY = dt.timedelta(days=1)
CHANGE_KINDS = ("expired", "repealed", "overdue")


@dataclass(frozen=True)
class ValidityChange:
    """A document became expired, repealed or overdue for review on `day`."""

    doc: Document
    kind: str
    day: dt.date


def change_day(model: SiteModel, doc: Document) -> tuple[str, dt.date] | None:
    """The validity change a document has gone through by the as-of date, with its date, if known.

    expired: the day after `expires` (automatic expiry), else the clean-up review that declared it;
    repealed: the publication of the document that superseded it, else the review that declared it;
    overdue: the day after the review was due. A declared repeal with neither date has no known day.
    """
    ev = model.evaluation(doc)
    links = model.links.get(doc.slug)
    successors = [d.date for d in (links.superseded_by if links else []) if d.date <= model.as_of]
    day: dt.date | None = None
    if ev.status == "expired":
        if doc.validity != "expired" and doc.expires:
            day = doc.expires + ONE_DAY
        else:
            day = doc.reviewed or (max(successors) if successors else None)
    elif ev.status == "repealed":
        day = max(successors) if successors else doc.reviewed
    elif ev.flag == "overdue" and ev.review_due:
        day = ev.review_due + ONE_DAY
    else:
        return None
    if day is None or day > model.as_of:
        return None
    return ("overdue" if ev.flag == "overdue" else ev.status), day


def recent_changes(model: SiteModel, window_days: int = 730) -> list[ValidityChange]:
    """Validity changes within `window_days` before the as-of date, newest first."""
    start = model.as_of - dt.timedelta(days=window_days)
    out = []
    for doc in model.documents:
        found = change_day(model, doc)
        if found and found[1] >= start:
            out.append(ValidityChange(doc, found[0], found[1]))
    out.sort(key=lambda c: (c.day, c.doc.slug), reverse=True)
    return out


def document_lastmod(model: SiteModel, doc: Document) -> dt.date:
    """Last day the document's page changed: publication, review, entry into force, expiry,
    review falling due, or a later document superseding or amending it (its page gains a banner)."""
    days = [doc.date]
    if doc.reviewed:
        days.append(doc.reviewed)
    if doc.effective:
        days.append(doc.effective)
    if doc.expires:
        days.append(doc.expires + ONE_DAY)
    ev = model.evaluation(doc)
    if ev.flag == "overdue" and ev.review_due:
        days.append(ev.review_due + ONE_DAY)
    links = model.links.get(doc.slug)
    if links:
        days += [d.date for d in (*links.superseded_by, *links.amended_by, *links.supersedes, *links.amends)]
    past = [d for d in days if d <= model.as_of]
    return max(past) if past else doc.date
