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

    expired, repealed: the first day it no longer applies (gazette.history.ending_of: `repealed_on`,
    else the effective date of the instrument that ended it, else the day after `expires`, else the
    review that declared it); overdue: the day after the review was due. A declared repeal with none
    of these has no known day.
    """
    ev = model.evaluation(doc)
    day: dt.date | None = None
    if ev.status in ("expired", "repealed"):
        ending = model.ending(doc)  # gazette.history: its date, verb, instrument and note
        day = ending.day if ending else None
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
    review falling due, a later document superseding, amending, repealing or explaining it, a
    correction, or another version of its work published or taking effect."""
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
        days += [d.date for d in (*links.superseded_by, *links.amended_by, *links.supersedes, *links.amends,
                                  *links.repealed_by, *links.interpreted_by)]
    # its timeline, version notice and corrections (gazette.history)
    ending = model.ending(doc)
    if ending and ending.day:
        days.append(ending.day)
    days += [c.date for c in doc.corrections]
    work = model.work_of(doc)
    if work:
        days += [d for v in work.versions for d in (v.doc.date, v.start)]
    past = [d for d in days if d <= model.as_of]
    return max(past) if past else doc.date
