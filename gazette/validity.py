"""Validity rules: a document's effective status and its two-year clean-up review flag.

Pure functions of a document, an as-of date and the settings. Computed once per build and
read by the page, the listings, the report, the search filters and the CLI alike.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from .chinese import fold
from .defaults import DEFAULTS, with_defaults
from .model import Document

STATUSES = ("in_force", "amended", "not_yet_effective", "expired", "repealed")
FLAGS = ("overdue", "due_soon", "current")
IN_FORCE_STATUSES = ("in_force", "amended")


@dataclass(frozen=True)
class ValiditySettings:
    """GAZETTE_REVIEW_CYCLE_YEARS, GAZETTE_REVIEW_DUE_SOON_DAYS, GAZETTE_REVIEW_DOC_TYPES (defaults: gazette.defaults)."""

    cycle_years: int = DEFAULTS["GAZETTE_REVIEW_CYCLE_YEARS"]
    due_soon_days: int = DEFAULTS["GAZETTE_REVIEW_DUE_SOON_DAYS"]
    review_types: tuple[str, ...] = tuple(DEFAULTS["GAZETTE_REVIEW_DOC_TYPES"])

    @classmethod
    def from_pelican(cls, settings: dict) -> "ValiditySettings":
        settings = with_defaults(settings)
        return cls(
            cycle_years=int(settings["GAZETTE_REVIEW_CYCLE_YEARS"]),
            due_soon_days=int(settings["GAZETTE_REVIEW_DUE_SOON_DAYS"]),
            review_types=tuple(settings["GAZETTE_REVIEW_DOC_TYPES"]),
        )

    def under_review(self, doc_type: str | None) -> bool:
        return bool(doc_type) and fold(doc_type) in {fold(t) for t in self.review_types}


@dataclass(frozen=True)
class Evaluation:
    status: str
    flag: str | None  # "current" | "due_soon" | "overdue" | None when not under review
    review_due: dt.date | None

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE_STATUSES


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def effective_status(doc: Document, as_of: dt.date) -> str:
    """The design's four rules, first match wins."""
    if doc.effective and doc.effective > as_of:
        return "not_yet_effective"
    if doc.validity in ("repealed", "expired"):
        return doc.validity
    if doc.expires and doc.expires < as_of:
        return "expired"
    if doc.validity == "not_yet_effective" and doc.effective:
        # Declared 尚未生效 but its `effective` date has come (rule 1 did not apply): it is in
        # force now; a declaration written before that day must not keep it 尚未生效 for ever.
        return "in_force"
    return doc.validity or "in_force"


def review_due(doc: Document, settings: ValiditySettings) -> dt.date | None:
    """Due date of the next clean-up review, or None for documents not under review."""
    if not settings.under_review(doc.doc_type):
        return None
    return add_years(doc.reviewed or doc.date, settings.cycle_years)


def evaluate(doc: Document, as_of: dt.date, settings: ValiditySettings = ValiditySettings()) -> Evaluation:
    """Effective status and review flag of `doc` on `as_of`."""
    status = effective_status(doc, as_of)
    due = review_due(doc, settings)
    flag = None
    if due is not None and status in IN_FORCE_STATUSES:
        if as_of > due:
            flag = "overdue"
        elif (due - as_of).days <= settings.due_soon_days:
            flag = "due_soon"
        else:
            flag = "current"
    return Evaluation(status=status, flag=flag, review_due=due if status in IN_FORCE_STATUSES else None)


def as_of_date(value: str | dt.date | None = None, environ=os.environ) -> dt.date:
    """The build's as-of date: explicit value, else SOURCE_DATE_EPOCH, else today (UTC)."""
    if isinstance(value, dt.date):
        return value
    if value:
        from .metadata import parse_date
        return parse_date(value)
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc).date()
    return dt.datetime.now(tz=dt.timezone.utc).date()

