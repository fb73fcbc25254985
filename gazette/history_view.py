"""Presentation of a document's history: its timeline, its versions and the version notice, how it
ended, up to when its validity was checked, its 解读 and its corrections; and the page of a work.

Computed here so the partials (theme/templates/_versions.html, _timeline.html, _corrections.html,
work.html) stay dumb. Everything comes from the site model, where withheld documents never are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .history import Event, Work, checked_to, timeline, version_notice
from .labels import people_date
from .interpretations import is_interpretation
from .labels import ENDING_LABELS, localise
from .model import Document
from .site import SiteModel

EVENT_LABELS = {
    "published": "发布", "effective": "施行", "amended": "被修改", "version": "新版本施行",
    "superseded": "被新文件替代", "interpretation": "发布政策解读", "correction": "勘误",
    "reviewed": "清理确认有效",
}


@dataclass
class TimelineRow:
    iso: str
    day: str           # for people; "日期不详" when unknown
    label: str
    title: str = ""    # the linked document's title
    url: str = ""      # its site-relative URL
    script: str = "zh-Hans"
    note: str = ""
    upcoming: bool = False  # after the build's as-of date


@dataclass
class VersionRow:
    slug: str
    title: str
    url: str
    script: str
    start: str          # ISO dates read by versions.js
    end: str            # first day it no longer applies, or ""
    span: str           # for people: 2021年5月1日—2023年4月30日
    is_this: bool = False
    is_current: bool = False


@dataclass
class WorkBlock:
    """The versions of a document's work and the notice of the version a reader should read."""

    id: str
    url: str
    title: str
    versions: list[VersionRow]
    notice: str
    current_slug: str
    data: dict[str, str] = field(default_factory=dict)  # data attributes for versions.js


@dataclass
class HistoryView:
    timeline: list[TimelineRow]
    work: WorkBlock | None
    ending: str          # e.g. 2024年12月26日起废止 ("" when it has not ended)
    ending_by: Document | None
    ending_note: str
    checked: str         # the "as at" sentence
    interpretations: list[Document]
    interprets: list[Document]
    corrections: list[tuple[str, str, str]]  # (ISO date, date for people, note)
    is_interpretation: bool


def _span(start: dt.date, end: dt.date | None, script: str) -> str:
    last = end - dt.timedelta(days=1) if end else None
    return people_date(start) + ("—" + people_date(last) if last else localise("起", script))


def work_block(model: SiteModel, work: Work, doc: Document | None, script: str = "zh-Hans") -> WorkBlock:
    current_slug, notice = version_notice(work, doc, model.as_of, script)
    rows = [VersionRow(slug=v.doc.slug, title=v.doc.title, url=v.doc.url, script=v.doc.script,
                       start=v.start.isoformat(), end=v.end.isoformat() if v.end else "",
                       span=_span(v.start, v.end, script), is_this=doc is not None and v.doc.slug == doc.slug,
                       is_current=v.doc.slug == current_slug)
            for v in work.versions]
    ending = work.ending
    data = {"work": work.id, "this": doc.slug if doc else "", "as-of": model.as_of.isoformat(),
            "work-ended-on": work.versions[-1].end.isoformat() if work.versions[-1].end else "",
            "work-end-verb": localise(ending.verb, script) if ending else ""}
    return WorkBlock(work.id, work.url, work.title, rows, notice, current_slug, data)


def ending_text(model: SiteModel, doc: Document, script: str = "zh-Hans") -> str:
    e = model.ending(doc)
    if e is None:
        return ""
    L = {k: localise(v, script) for k, v in ENDING_LABELS.items()}
    verb = localise(e.verb, script)
    return L["ended"].format(date=people_date(e.day), verb=verb) if e.day else L["ended_nodate"].format(verb=verb)


def checked_sentence(model: SiteModel, doc: Document, script: str = "zh-Hans") -> str:
    c = checked_to(doc, model.ending(doc))
    L = {k: localise(v, script) for k, v in ENDING_LABELS.items()}
    if c.source == "instrument":
        return L["checked_instrument"].format(date=people_date(c.day), title=c.by.title)
    if c.source == "reviewed":
        return L["checked_reviewed"].format(date=people_date(c.day))
    return L["checked_never"]


def history_view(model: SiteModel, doc: Document, script: str = "zh-Hans") -> HistoryView:
    links = model.links.get(doc.slug)
    ending = model.ending(doc)
    work = model.work_of(doc)
    rows = []
    for e in timeline(doc, links, ending, work):
        if e.kind == "ended":  # the clean-up note is shown once, above the timeline
            label, e = localise(e.label, script), Event(e.day, e.kind, e.label, e.doc)
        else:
            label = localise(EVENT_LABELS[e.kind], script)
        rows.append(TimelineRow(
            iso=e.day.isoformat() if e.day else "", day=people_date(e.day) if e.day else localise("日期不详", script),
            label=label, title=e.doc.title if e.doc else "", url=e.doc.url if e.doc else "",
            script=e.doc.script if e.doc else doc.script, note=e.note,
            upcoming=bool(e.day and e.day > model.as_of)))
    return HistoryView(
        timeline=rows,
        work=work_block(model, work, doc, script) if work and len(work.versions) > 1 else None,
        ending=ending_text(model, doc, script), ending_by=ending.by if ending else None,
        ending_note=(ending.note or "") if ending else "",
        checked=checked_sentence(model, doc, script),
        interpretations=list(links.interpreted_by) if links else [],
        interprets=list(links.interprets) if links else [],
        corrections=[(c.date.isoformat(), people_date(c.date), c.text) for c in doc.corrections],
        is_interpretation=is_interpretation(doc))


def history_dependencies(model: SiteModel, doc: Document) -> list:
    """What the history parts of a page show that other documents decide (incremental builds)."""
    h = history_view(model, doc)
    return [[(r.iso, r.label, r.title, r.url, r.note) for r in h.timeline],
            [(v.slug, v.title, v.start, v.end) for v in h.work.versions] + [h.work.notice] if h.work else None,
            h.ending, h.checked, [(d.slug, d.title) for d in h.interpretations + h.interprets]]
