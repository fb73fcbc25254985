"""Validity rules: a document's effective status and its two-year clean-up review flag.

Pure functions of a document, an as-of date and the settings. Computed once per build and
read by the page, the listings, the report, the search filters and the CLI alike.
"""

from __future__ import annotations

import datetime as dt
import functools
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
    """GAZETTE_REVIEW_CYCLE_YEARS, GAZETTE_REVIEW_DUE_SOON_DAYS, GAZETTE_REVIEW_DOC_TYPES, GAZETTE_VALIDITY_CONTACT,
    GAZETTE_CATALOGUE_DOC_TYPES (defaults: gazette.defaults)."""

    cycle_years: int = DEFAULTS["GAZETTE_REVIEW_CYCLE_YEARS"]
    due_soon_days: int = DEFAULTS["GAZETTE_REVIEW_DUE_SOON_DAYS"]
    review_types: tuple[str, ...] = tuple(DEFAULTS["GAZETTE_REVIEW_DOC_TYPES"])
    contact: str = DEFAULTS["GAZETTE_VALIDITY_CONTACT"]
    catalogue_types: tuple[str, ...] = tuple(DEFAULTS["GAZETTE_CATALOGUE_DOC_TYPES"])

    @classmethod
    def from_pelican(cls, settings: dict) -> "ValiditySettings":
        settings = with_defaults(settings)
        return cls(
            cycle_years=int(settings["GAZETTE_REVIEW_CYCLE_YEARS"]),
            due_soon_days=int(settings["GAZETTE_REVIEW_DUE_SOON_DAYS"]),
            review_types=tuple(settings["GAZETTE_REVIEW_DOC_TYPES"]),
            contact=str(settings["GAZETTE_VALIDITY_CONTACT"] or ""),
            catalogue_types=tuple(settings["GAZETTE_CATALOGUE_DOC_TYPES"] or ()),
        )

    def under_review(self, doc_type: str | None) -> bool:
        return bool(doc_type) and _under_review(doc_type, self.review_types)


@functools.lru_cache(maxsize=4096)
def _under_review(doc_type: str, review_types: tuple[str, ...]) -> bool:
    # Memoised: the annual reports ask it of every document for every year (years × documents folds).
    return fold(doc_type) in {fold(t) for t in review_types}


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


def end_status(doc: Document) -> str:
    """The status an undeclared document takes from its own `repealed_on` day ('' when none):
    a repeal date given means it is repealed (or, by the verb 失效/宣布失效, expired) from that day."""
    if not doc.repealed_on or doc.validity in ("repealed", "expired") or doc.repeal_verb == "修改":
        return ""
    return "expired" if doc.repeal_verb in ("失效", "宣布失效") else "repealed"


def effective_status(doc: Document, as_of: dt.date, ended_on: dt.date | None = None,
                     replaced_on: dt.date | None = None) -> str:
    """The design's rules, first match wins. `ended_on` is the first day the document no longer
    applies (its `repealed_on`, else derived from the instrument that ended it: gazette.history);
    a declared repeal that takes effect after `as_of` leaves the document in force until then.
    `replaced_on`: the day a newer version of the same work takes over; from then an earlier
    version in force is 已修改 (amended)."""
    ended_on = ended_on or doc.repealed_on
    declared_end = doc.validity in ("repealed", "expired")
    if doc.effective and doc.effective > as_of:
        return "not_yet_effective"
    if declared_end and not (ended_on and ended_on > as_of):
        return doc.validity
    implied = end_status(doc)
    if implied and ended_on and ended_on <= as_of:
        return implied
    if doc.expires and doc.expires < as_of:
        return "expired"
    if doc.validity == "not_yet_effective" and doc.effective:
        # Declared 尚未生效 but its `effective` date has come (rule 1 did not apply): it is in
        # force now; a declaration written before that day must not keep it 尚未生效 for ever.
        return "in_force"
    status = "in_force" if declared_end else (doc.validity or "in_force")
    if status == "in_force" and replaced_on and replaced_on <= as_of:
        return "amended"
    return status


def review_due(doc: Document, settings: ValiditySettings) -> dt.date | None:
    """Due date of the next clean-up review, or None for documents not under review."""
    if not settings.under_review(doc.doc_type):
        return None
    return add_years(doc.reviewed or doc.date, settings.cycle_years)


def evaluate(doc: Document, as_of: dt.date, settings: ValiditySettings = ValiditySettings(),
             ended_on: dt.date | None = None, replaced_on: dt.date | None = None) -> Evaluation:
    """Effective status and review flag of `doc` on `as_of` (`ended_on`, `replaced_on`: see
    effective_status)."""
    status = effective_status(doc, as_of, ended_on, replaced_on)
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


def review_standing(flag: str | None, reviewed: dt.date | None) -> str:
    """The clean-up standing people read (report groups, catalogue labels): the flag, except that a
    document not yet due that has never been reviewed is "not_due" (未到清理期), not "current"
    (已按期清理). '' when not under review."""
    if flag == "current" and not reviewed:
        return "not_due"
    return flag or ""


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

