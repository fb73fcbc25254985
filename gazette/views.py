"""Presentation of a document: what its page shows, computed here so templates stay dumb."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .history import start_of
from .history_view import HistoryView, history_view
from .inert import script_json
from .labels import BANNERS, DISCLOSURE_LABELS, FLAG_LABELS, STATUS_LABELS, flag_shown, localise
from .labels import people_date
from .model import Document
from .site import SiteModel
from .validity import end_status, review_due


@dataclass
class Banner:
    kind: str
    text: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (title, site-relative url)


@dataclass
class DocumentView:
    doc: Document
    status: str
    status_label: str
    flag: str | None
    flag_label: str
    review_due: dt.date | None
    banners: list[Banner]
    # (label, value, kind): kind "doc" for the document's own words (in its script), "site" for the
    # site's labels and dates (in the site's script), "validity" for the cell validity.js refreshes
    rows: list[tuple[str, str, str]]
    relations: list[tuple[str, list[Document]]]
    issue_url: str | None
    issue_title: str | None
    issue_scan_link: str | None  # the published issue scan at this document's first page, if the site shows it
    scan_url: str | None         # the document's own scan (public documents only)
    data: dict[str, str]
    jsonld: str
    history: HistoryView | None = None  # timeline, versions, ending, as-at, 解读, corrections


def _d(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def overdue_advice(model: SiteModel, doc: Document, script: str) -> str:
    """What a citizen may rely on when a document is overdue for review, and whom to ask: its issuer,
    with the site's GAZETTE_VALIDITY_CONTACT when set. Follows the overdue banner's sentence."""
    contact = model.settings.contact
    note = BANNERS["contact_note"].format(contact=contact) if contact else ""
    issuer = "、".join(model.display(i) for i in doc.issuer)
    return localise(BANNERS["overdue_advice"].format(issuer=issuer, contact=note), script)


def banners_for(model: SiteModel, doc: Document, script: str) -> list[Banner]:
    """The banners a document page carries at the build's as-of date."""
    ev = model.evaluation(doc)
    links = model.links.get(doc.slug)
    out: list[Banner] = []
    L = lambda key, **kw: localise(BANNERS[key], script).format(**kw)  # noqa: E731
    ending = model.ending(doc)
    by = [(ending.by.title, ending.by.url)] if ending and ending.by else []
    if ev.status == "expired":
        if doc.expires and doc.validity != "expired" and not end_status(doc):
            out.append(Banner("expired", L("expired", date=people_date(doc.expires))))
        elif ending and ending.day:
            out.append(Banner("expired", L("ended", date=people_date(ending.day), verb=localise(ending.verb, script)), by))
        else:
            out.append(Banner("expired", L("expired_nodate"), by))
    elif ev.status == "repealed":
        if ending and ending.day:
            out.append(Banner("repealed", L("ended", date=people_date(ending.day), verb=localise(ending.verb, script)), by))
        else:
            out.append(Banner("repealed", L("repealed"), by))
    elif ev.status == "not_yet_effective":
        out.append(Banner("not_yet_effective", L("not_yet_effective", date=people_date(doc.effective)) if doc.effective
                          else L("not_yet_effective_nodate")))
    if ev.flag == "overdue":
        out.append(Banner("overdue", (L("overdue", due=people_date(ev.review_due), reviewed=people_date(doc.reviewed)) if doc.reviewed
                                      else L("overdue_never", due=people_date(ev.review_due))) + overdue_advice(model, doc, script)))
    elif ev.flag == "due_soon":
        out.append(Banner("due_soon", L("due_soon", due=people_date(ev.review_due))))
    if links and links.superseded_by:
        out.append(Banner("superseded", L("superseded"), [(d.title, d.url) for d in links.superseded_by]))
    if links and links.amended_by and ev.status == "amended":
        out.append(Banner("amended", L("amended"), [(d.title, d.url) for d in links.amended_by]))
    return out


def jsonld(model: SiteModel, doc: Document, site_url: str = "") -> str:
    """schema.org Legislation with legal force and the dates that matter."""
    ev = model.evaluation(doc)
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "name": doc.title,
        "inLanguage": doc.script,
        "datePublished": _d(doc.date),
        "legislationLegalForce": "https://schema.org/InForce" if ev.in_force else "https://schema.org/NotInForce",
    }
    if site_url:
        data["url"] = f"{site_url.rstrip('/')}/{doc.url}"
    if doc.doc_number:
        data["legislationIdentifier"] = doc.doc_number
    if doc.signed:
        data["legislationDate"] = _d(doc.signed)
    if doc.effective:
        data["legislationDateVersion"] = _d(doc.effective)
    if doc.expires:
        data["expires"] = _d(doc.expires)
    if doc.doc_type:
        data["legislationType"] = doc.doc_type
    if doc.issuer:
        data["legislationPassedBy"] = [{"@type": "GovernmentOrganization", "name": n} for n in doc.issuer]
    if doc.category:
        data["about"] = doc.category
    def ref(d: Document) -> dict:
        out = {"@type": "Legislation", "name": d.title, "legislationIdentifier": d.doc_number or d.slug}
        if site_url:
            out["url"] = f"{site_url.rstrip('/')}/{d.url}"
        return out

    links = model.links.get(doc.slug)
    if links:
        for key, docs in (("legislationRepeals", links.supersedes + [d for d in links.repeals if d not in links.supersedes]),
                          ("legislationChanges", links.amends), ("isBasedOn", links.interprets)):
            if docs:
                data[key] = [ref(d) for d in docs]
    work = model.work_of(doc)
    if work is not None:
        version = work.version_of(doc)
        data["legislationDateVersion"] = _d(version.start)
        work_ref = {"@type": "Legislation", "name": work.title, "identifier": work.id}
        if site_url:
            work_ref["url"] = f"{site_url.rstrip('/')}/{work.url}"
        data["exampleOfWork"] = work_ref
        i = work.versions.index(version)
        if i > 0:  # the earlier version this one consolidates changes into
            data.setdefault("isBasedOn", []).append(ref(work.versions[i - 1].doc))
        if i > 0:  # the amending documents in force by the day this version starts
            amending = {a.slug: a for v in work.versions for a in (model.links[v.doc.slug].amended_by
                                                                  if v.doc.slug in model.links else [])}
            taken = [a for a in amending.values() if start_of(a) <= version.start]
            if taken:
                data["legislationConsolidates"] = [ref(a) for a in sorted(taken, key=lambda a: (a.date, a.slug))]
    return script_json(data, indent=1)


def document_view(model: SiteModel, doc: Document, script: str = "zh-Hans", site_url: str = "") -> DocumentView:
    ev = model.evaluation(doc)
    L = lambda s: localise(s, script)  # noqa: E731
    status_label = L(STATUS_LABELS[ev.status])
    issue = model.issue_of(doc)
    rows = [
        (L("索引号"), doc.index_no or "", "doc"),
        (L("主题分类"), doc.category or "", "doc"),
        (L("发文机关"), "；".join(doc.issuer), "doc"),
        (L("成文日期"), people_date(doc.signed), "site"),
        (L("标题"), doc.title, "doc"),
        (L("文号"), doc.doc_number or "", "doc"),
        (L("发布日期"), people_date(doc.date), "site"),
        (L("有效性"), status_label + (L("（待确认）") if ev.flag == "overdue" else ""), "validity"),
    ]
    if doc.effective:
        rows.append((L("施行日期"), people_date(doc.effective), "site"))
    if doc.expires:
        rows.append((L("有效期至"), people_date(doc.expires), "site"))
    history = history_view(model, doc, script)
    if history.ending:
        rows.append((L("废止或失效"), history.ending + (L("，依据") + history.ending_by.title
                                                       + (f"（{history.ending_by.doc_number}）" if history.ending_by.doc_number else "")
                                                       if history.ending_by else ""), "site"))
    if ev.flag:
        rows.append((L("清理日期"), people_date(doc.reviewed) if doc.reviewed else L(BANNERS["never_reviewed"]), "site"))
    if doc.review_note:
        rows.append((L("清理说明"), doc.review_note, "doc"))
    rows.append((L("公开属性"), L(DISCLOSURE_LABELS[doc.disclosure]), "site"))
    if doc.doc_type:
        rows.append((L("文种"), doc.doc_type, "doc"))
    links = model.links.get(doc.slug)
    relations = []
    if links:
        for label, docs in ((L("本文件替代的文件"), links.supersedes), (L("替代本文件的新文件"), links.superseded_by),
                            (L("本文件修改的文件"), links.amends), (L("修改本文件的文件"), links.amended_by),
                            (L("废止本文件的文件"), links.repealed_by), (L("本文件废止的文件"), links.repeals),
                            (L("本文件解读的文件"), links.interprets), (L("本文件的政策解读"), links.interpreted_by)):
            if docs:
                relations.append((label, docs))
    data = validity_data(model, doc)
    if model.settings.under_review(doc.doc_type):
        # the page's overdue banner ends with it (validity.js too, when the reader's date makes it overdue)
        data["overdue-advice"] = overdue_advice(model, doc, script)
    return DocumentView(
        doc=doc, status=ev.status, status_label=status_label, flag=ev.flag,
        flag_label=L(FLAG_LABELS[ev.flag]) if ev.flag else "", review_due=ev.review_due,
        banners=banners_for(model, doc, script), rows=rows, relations=relations,
        issue_url=issue.url if issue else None, issue_title=issue.display_title if issue else None,
        issue_scan_link=model.issue_scan_link(doc), scan_url=doc.scan if doc.is_public else None,
        data=data, jsonld=jsonld(model, doc, site_url), history=history)


def validity_data(model: SiteModel, doc: Document) -> dict[str, str]:
    """The dates and codes validity.js needs to re-evaluate a badge against the reader's date."""
    ev = model.evaluation(doc)
    return {
        "status": ev.status, "declared-validity": doc.validity, "flag": ev.flag or "",
        "effective": _d(doc.effective), "expires": _d(doc.expires), "review-due": _d(review_due(doc, model.settings)),
        "reviewed": _d(doc.reviewed), "date": _d(doc.date),
        "under-review": "1" if model.settings.under_review(doc.doc_type) else "",
        "due-soon-days": str(model.settings.due_soon_days), "cycle-years": str(model.settings.cycle_years),
        "as-of": _d(model.as_of),
        # how and when it ends, and when a newer version of its work takes over (gazette.history)
        "ended-on": _d(model.ended_on.get(doc.slug) or doc.repealed_on), "end-status": end_status(doc),
        "replaced-on": _d(model.replaced_on.get(doc.slug)),
        "end-verb": localise(model.ending(doc).verb, model.script) if model.ending(doc) else "",
    }
