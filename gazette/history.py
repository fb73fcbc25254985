"""How documents change over time: how each one ended (date, verb, instrument, clean-up note),
the versions of a work and which one applies on a date, the timeline a page shows, and up to
when a page's validity information was checked.

Pure functions of the archive's documents and their resolved links (`archive.link_documents`).
Withheld documents never reach the archive, so they can never appear in an ending, a work or a
timeline. The browser repeats `Work.version_on` and `version_notice` (theme/static/js/versions.js;
tests/test_time_browser.py holds the two to the same answers).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .archive import Links
from .labels import VERSION_LABELS, localise
from .labels import people_date
from .model import Document

ONE_DAY = dt.timedelta(days=1)


def start_of(doc: Document) -> dt.date:
    """The day a document (a version) starts to apply: `effective`, else its publication."""
    return doc.effective or doc.date


# -- endings ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ending:
    """How a document stopped (or will stop) applying."""

    verb: str                  # 废止, 失效, 宣布失效 or 修改 (Simplified; localised for display)
    day: dt.date | None        # first day it no longer applies; None when nothing dates it
    by: Document | None        # the instrument that did it (a listed document), if known
    note: str | None           # the clean-up note (`review_note`)
    day_source: str            # "declared" (repealed_on), "instrument", "expires", "review" or ""

    @property
    def last_day(self) -> dt.date | None:
        return self.day - ONE_DAY if self.day else None


def ending_of(doc: Document, links: Links | None) -> Ending | None:
    """The ending of `doc`, first rule that applies:

    date: `repealed_on`; else the effective date (else publication) of the instrument that ended
    it (`repealed_by`, else the document that superseded it); else, for automatic expiry, the day
    after `expires`; else the clean-up (`reviewed`) that declared it repealed or expired.
    verb: `repeal_verb`; else 宣布失效 for a declared expiry, 失效 for automatic expiry, else 废止.
    A document that was neither declared repealed/expired, nor given a repeal date or instrument,
    nor has an `expires` date has no ending."""
    declared = doc.validity in ("repealed", "expired")
    explicit = bool(doc.repealed_on or doc.repealed_by or doc.repeal_verb)
    if not (declared or explicit or doc.expires):
        return None
    by = None
    if links:
        by = (links.repealed_by or (links.superseded_by if declared or explicit else []) or [None])[0]
    automatic = not declared and not explicit  # only `expires` says it ends
    if doc.repeal_verb:
        verb = doc.repeal_verb
    elif doc.validity == "expired":
        verb = "宣布失效"
    elif automatic:
        verb = "失效"
    else:
        verb = "废止"
    if doc.repealed_on:
        day, source = doc.repealed_on, "declared"
    elif by is not None:
        day, source = start_of(by), "instrument"
    elif doc.expires and (automatic or doc.validity == "expired"):
        day, source = doc.expires + ONE_DAY, "expires"
    elif (declared or explicit) and doc.reviewed:
        day, source = doc.reviewed, "review"
    else:
        day, source = None, ""
    return Ending(verb=verb, day=day, by=by, note=doc.review_note, day_source=source)


def ending_days(endings: dict[str, Ending | None]) -> dict[str, dt.date | None]:
    """slug -> first day no longer applying, for the validity rules (verb 修改 ends nothing)."""
    return {slug: e.day for slug, e in endings.items() if e is not None and e.verb != "修改"}


# -- versions of a work -----------------------------------------------------------------------

@dataclass(frozen=True)
class Version:
    doc: Document
    start: dt.date
    end: dt.date | None  # first day it no longer applies (the next version's start, or its ending)

    @property
    def last_day(self) -> dt.date | None:
        return self.end - ONE_DAY if self.end else None


@dataclass
class Work:
    """Documents that are versions of one work (the same `work` id), ordered by the day each
    starts to apply; each keeps its own page, the work has a stable one at works/<id>.html."""

    id: str
    versions: list[Version] = field(default_factory=list)
    ending: Ending | None = None  # the last version's ending: the work's own

    @property
    def url(self) -> str:
        return f"works/{self.id}.html"

    @property
    def title(self) -> str:
        return self.versions[-1].doc.title

    def version_of(self, doc: Document) -> Version | None:
        return next((v for v in self.versions if v.doc.slug == doc.slug), None)

    def version_on(self, day: dt.date) -> Version | None:
        """The version that applies on `day`, or None (before the first, after the work ended)."""
        for v in reversed(self.versions):
            if v.start <= day:
                return v if v.end is None or day < v.end else None
        return None

    def current(self, day: dt.date) -> Version:
        """The version a reader on `day` is sent to: the one applying, else the first (none in
        force yet), else the last (the work has ended)."""
        found = self.version_on(day)
        if found:
            return found
        return self.versions[0] if day < self.versions[0].start else self.versions[-1]


def build_works(documents: list[Document], endings: dict[str, Ending | None]) -> dict[str, Work]:
    """Works by id, from every listed document naming one."""
    groups: dict[str, list[Document]] = defaultdict(list)
    for d in documents:
        if d.work:
            groups[d.work].append(d)
    works = {}
    for work_id in sorted(groups):
        docs = sorted(groups[work_id], key=lambda d: (start_of(d), d.date, d.slug))
        versions = []
        for i, d in enumerate(docs):
            end = start_of(docs[i + 1]) if i + 1 < len(docs) else None
            own = endings.get(d.slug)
            if own and own.day and own.verb != "修改" and (end is None or own.day < end):
                end = own.day
            versions.append(Version(d, start_of(d), end))
        works[work_id] = Work(work_id, versions, endings.get(docs[-1].slug))
    return works


def work_problems(works: dict[str, Work]) -> list[tuple[Document, str]]:
    """Versions of one work that cannot be told apart by the day they start to apply."""
    out = []
    for work in works.values():
        for v, nxt in zip(work.versions, work.versions[1:]):
            if v.start == nxt.start:
                out.append((nxt.doc, f"与同一作品（{work.id}）的另一版本 {v.doc.slug} 同日施行"
                                     f"（{people_date(v.start)}），无法判断哪个版本现行（请注明施行日期 effective）"))
    return out


def replacement_days(works: dict[str, Work]) -> dict[str, dt.date]:
    """slug -> the day the next version of its work starts (for the validity rules)."""
    out = {}
    for work in works.values():
        for v, nxt in zip(work.versions, work.versions[1:]):
            out[v.doc.slug] = nxt.start
    return out


def version_notice(work: Work, doc: Document | None, day: dt.date, script: str = "zh-Hans") -> tuple[str, str]:
    """(slug of the version a reader on `day` should read or '', the notice sentence) for the page
    of `doc` (a version of `work`), or for the work's own page when `doc` is None. The sentence
    names the current version's title; the page links it. versions.js builds the same sentence."""
    L = {k: localise(v, script) for k, v in VERSION_LABELS.items()}
    parts = []
    if doc is not None:
        v = work.version_of(doc)
        if v.start > day:
            parts.append(L["span_future"].format(start=people_date(v.start)))
        elif v.end:
            parts.append(L["span_closed"].format(start=people_date(v.start), end=people_date(v.last_day)))
        else:
            parts.append(L["span_open"].format(start=people_date(v.start)))
    now = work.version_on(day)
    if now is not None and doc is not None and now.doc.slug == doc.slug:
        return now.doc.slug, parts[0] + L["is_current"]
    if now is not None:
        parts.append(L["current"] + now.doc.title)
        return now.doc.slug, " · ".join(parts)
    if day < work.versions[0].start:
        parts.append(L["none_yet"].format(start=people_date(work.versions[0].start)))
    else:
        # after the work ended (or in a gap between versions): the end of the last version begun
        last = [v for v in work.versions if v.start <= day][-1]
        ending = work.ending
        parts.append(L["ended"].format(date=people_date(last.end),
                                       verb=localise(ending.verb if ending else "废止", script)))
    return "", " · ".join(parts)


# -- timeline and "as at" ---------------------------------------------------------------------

@dataclass(frozen=True)
class Event:
    day: dt.date | None
    kind: str       # published, effective, amended, version, superseded, interpretation, correction,
                    # reviewed, ended
    label: str      # what happened, in Simplified (localised by the view)
    doc: Document | None = None  # the document to link
    note: str = ""


def timeline(doc: Document, links: Links | None, ending: Ending | None, work: Work | None) -> list[Event]:
    """Every dated change of `doc`, oldest first; an ending without a date comes last."""
    events = [Event(doc.date, "published", "发布")]
    if doc.effective:
        events.append(Event(doc.effective, "effective", "施行"))
    if links:
        for a in links.amended_by:
            events.append(Event(start_of(a), "amended", "修改", a))
        for s in links.superseded_by:
            if not (ending and ending.by is s):
                events.append(Event(start_of(s), "superseded", "被新文件替代", s))
        for i in links.interpreted_by:
            events.append(Event(i.date, "interpretation", "发布解读", i))
    if work is not None:
        mine = work.version_of(doc)
        for v in work.versions:
            if v.doc is not doc and mine is not None and v.start > mine.start:
                events.append(Event(v.start, "version", "新版本施行", v.doc))
    for c in doc.corrections:
        events.append(Event(c.date, "correction", "勘误", None, c.text))
    if doc.reviewed:
        events.append(Event(doc.reviewed, "reviewed", "清理"))
    if ending is not None:
        events.append(Event(ending.day, "ended", ending.verb, ending.by, ending.note or ""))
    order = {k: i for i, k in enumerate(("published", "effective", "interpretation", "correction", "amended",
                                         "version", "superseded", "reviewed", "ended"))}
    return sorted(events, key=lambda e: (e.day is None, e.day or dt.date.min, order[e.kind]))


@dataclass(frozen=True)
class CheckedTo:
    """Up to when a page's validity information was checked, and by what."""

    day: dt.date | None
    source: str                 # "reviewed", "instrument" or "" (never reviewed)
    by: Document | None = None  # the instrument, when that is what covered it


def checked_to(doc: Document, ending: Ending | None) -> CheckedTo:
    """The later of the document's last clean-up (`reviewed`) and the instrument that ended it:
    both are someone confirming its validity on that day. Neither: never checked since publication."""
    by = ending.by if ending else None
    if by is not None and (doc.reviewed is None or by.date > doc.reviewed):
        return CheckedTo(by.date, "instrument", by)
    if doc.reviewed:
        return CheckedTo(doc.reviewed, "reviewed")
    return CheckedTo(None, "")
