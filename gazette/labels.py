"""User-facing labels, written once in Simplified Chinese; Traditional by the SITE_SCRIPT setting."""

from __future__ import annotations

import datetime as dt

from .chinese import to_traditional


def people_date(day: dt.date | str | None) -> str:
    """A date as people read it on every page, report, message and PDF: 2024年2月26日 (ISO dates only in
    data files: CSV, JSON, feed timestamps, the sitemap). A date or an ISO string; '' for none.
    peopleDate in theme/static/js/page-rules.js is the browser's copy (tests/test_page_rules_browser.py)."""
    if not day:
        return ""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return f"{day.year}年{day.month}月{day.day}日"


# The review flags shown beside a status badge: only news (overdue, due soon), never 已按期清理 or
# 未到清理期. showFlag in theme/static/js/page-rules.js is the browser's copy.
SHOWN_FLAGS = ("overdue", "due_soon")


def flag_shown(flag: str | None) -> bool:
    """Whether a page shows this review flag beside the status badge."""
    return flag in SHOWN_FLAGS

STATUS_LABELS = {
    "in_force": "有效",
    "amended": "已修改",
    "repealed": "已废止",
    "expired": "已失效",
    "not_yet_effective": "尚未生效",
}
FLAG_LABELS = {
    "overdue": "有效性待确认",
    "due_soon": "即将到期清理",
    "current": "已按期清理",
    # Not a flag of its own: a document under review, not yet due, that has never been reviewed
    # (gazette.validity.review_standing).
    "not_due": "未到清理期",
}
DISCLOSURE_LABELS = {
    "public": "主动公开",
    "on_request": "依申请公开",
    "withheld": "不予公开",
}
# Banner sentences; {date} and similar fields are filled in by the page or by validity.js.
BANNERS = {
    "expired": "本文件有效期至{date}，已失效，仅供查阅。",
    "expired_nodate": "本文件已失效，仅供查阅。",
    "repealed": "本文件已废止，仅供查阅。",
    "ended": "本文件自{date}起{verb}，仅供查阅。",
    "not_yet_effective": "本文件尚未生效，将于{date}起施行。",
    "not_yet_effective_nodate": "本文件尚未生效。",
    "overdue": "有效性待确认：本文件应于{due}前完成清理，最近一次清理为{reviewed}。",
    "overdue_never": "有效性待确认：本文件应于{due}前完成清理，发布以来尚未经过清理。",
    # Follows either overdue sentence: what a citizen may rely on, whom to ask ({contact}: contact_note or "").
    "overdue_advice": "本文件未被宣布废止或失效，本站仍列为有效，但已超过清理期限；"
                      "办理具体事项前，请向发布机关{issuer}确认本文件是否仍然适用{contact}。",
    "contact_note": "（{contact}）",
    "due_soon": "本文件目前有效，将于{due}前接受定期清理。",
    "superseded": "本文件已被新文件替代：",
    "amended": "本文件已被修改，请同时参阅修改文件：",
    "never_reviewed": "尚未清理",
}


# The version notice of a version's page and of a work's page ({start}, {end}, {date}, {verb} filled
# in by gazette.history.version_notice or by versions.js, which must build the same sentence).
VERSION_LABELS = {
    "span_closed": "此版本自{start}起至{end}止有效",
    "span_open": "此版本自{start}起有效",
    "span_future": "此版本自{start}起施行，尚未生效",
    "is_current": "（现行版本）",
    "current": "现行版本：",
    "none_yet": "尚无施行中的版本（首个版本自{start}起施行）",
    "ended": "本文件已于{date}起{verb}，无现行版本",
    "read_current": "阅读现行版本",
    "current_mark": "现行版本",
}
# How a document ended, and up to when its validity information was checked.
ENDING_LABELS = {
    "ended": "{date}起{verb}",
    "ended_nodate": "已{verb}（日期不详）",
    "by": "依据",
    "note": "清理说明",
    "checked_reviewed": "本页有效性信息核对至{date}（该日清理确认）。",
    "checked_instrument": "本页有效性信息核对至{date}（{title}）。",
    "checked_never": "本文件发布以来尚未经过清理，本页有效性信息依据发布时的文本及此后公布的相关文件。",
}


def localise(text: str, script: str = "zh-Hans") -> str:
    """Return `text` in the site's script ('zh-Hans' or 'zh-Hant')."""
    return to_traditional(text) if script == "zh-Hant" else text


def all_labels(script: str = "zh-Hans") -> dict[str, dict[str, str]]:
    """Every label table, localised: handed to templates and to the page scripts as JSON."""
    return {name: {k: localise(v, script) for k, v in table.items()}
            for name, table in (("status", STATUS_LABELS), ("flag", FLAG_LABELS),
                                ("disclosure", DISCLOSURE_LABELS), ("banner", BANNERS),
                                ("version", VERSION_LABELS))}
