"""Atom feeds beyond the two site-wide ones: one per issuer, document type and subject, and one
of validity changes (documents that recently expired, were repealed or became overdue for review).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import feeds
from ..labels import FLAG_LABELS, STATUS_LABELS, localise
from ..labels import people_date
from ..pages import DIMENSION_TITLES, group_url
from ..site import SiteModel
from .changes import ONE_DAY, ValidityChange, recent_changes
from .links import FEED_DIMENSIONS, VALIDITY_FEED, feed_path

CHANGE_TITLES = {"expired": STATUS_LABELS["expired"], "repealed": STATUS_LABELS["repealed"],
                 "overdue": FLAG_LABELS["overdue"]}
CHANGE_SENTENCES = {"expired": "{date}起失效", "repealed": "{date}起废止（或被替代）",
                    "overdue": "应于{due}前完成清理，{date}起有效性待确认"}


@dataclass
class Feed:
    path: str
    text: str


def feed_groups(model: SiteModel):
    """(dimension, value, feed path, the documents it carries) of every group feed."""
    for dim in FEED_DIMENSIONS:
        for value, docs in model.group_documents(dim):
            yield dim, value, feed_path(dim, value), docs[: feeds.FEED_LIMIT]


def group_feed(model: SiteModel, dim: str, value: str, docs, site_name: str, script: str = "zh-Hans",
               site_url: str = "") -> Feed:
    """feeds/<issuer|type|subject>/<group_slug>.atom.xml, newest documents first."""
    path = feed_path(dim, value)
    model.prefetch_texts(docs)
    entries = [feeds.document_entry(d, localise(STATUS_LABELS[model.evaluation(d).status], script), model.text_of(d))
               for d in docs]
    title = f"{site_name} {localise(DIMENSION_TITLES[dim], script)}：{value}"
    return Feed(path, feeds.atom(path, title, entries, site_url, f"tag:gazette:{path}", alternate=group_url(dim, value)))


def group_feeds(model: SiteModel, site_name: str, script: str = "zh-Hans", site_url: str = "") -> list[Feed]:
    """Every group feed (`group_feed`)."""
    return [group_feed(model, dim, value, docs, site_name, script, site_url)
            for dim, value, _, docs in feed_groups(model)]


def change_entry(change: ValidityChange, script: str = "zh-Hans", model: SiteModel | None = None) -> dict:
    doc, L = change.doc, (lambda s: localise(s, script))  # noqa: E731
    # An overdue change happens the day after the review was due.
    sentence = CHANGE_SENTENCES[change.kind].format(date=people_date(change.day), due=people_date(change.day - ONE_DAY))
    ending = model.ending(doc) if model is not None and change.kind != "overdue" else None
    if ending is not None:  # the verb, the instrument that did it and the clean-up note
        sentence = f"{people_date(change.day)}起{ending.verb}"
        if ending.by is not None:
            sentence += f"，依据《{ending.by.title}》" + (f"（{ending.by.doc_number}）" if ending.by.doc_number else "")
        if ending.note:
            sentence += f"。清理说明：{ending.note}"
    parts = [p for p in (doc.doc_number, "；".join(doc.issuer), L(sentence)) if p]
    return {"id": f"tag:gazette,{change.day.isoformat()}:validity/{doc.slug}/{change.kind}",
            "title": f"{L(CHANGE_TITLES[change.kind])}：{doc.title}", "url": doc.url, "updated": change.day,
            "summary": " · ".join(parts), "categories": [L(CHANGE_TITLES[change.kind])]}


def validity_feed(model: SiteModel, site_name: str, script: str = "zh-Hans", site_url: str = "",
                  window_days: int = 730) -> Feed:
    """feeds/validity.atom.xml: validity changes within the window before the as-of date."""
    entries = [change_entry(c, script, model) for c in recent_changes(model, window_days)[: feeds.FEED_LIMIT]]
    title = f"{site_name} {localise('有效性变化', script)}"
    return Feed(VALIDITY_FEED, feeds.atom(VALIDITY_FEED, title, entries, site_url, f"tag:gazette:{VALIDITY_FEED}",
                                          alternate="validity/index.html"))
