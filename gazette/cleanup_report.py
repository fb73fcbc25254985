"""The clean-up report (清理结果 / 有效性报告): one row per public document, with its validity.

Built from a SiteModel, so the page, `validity/report.json`, `validity/report.csv` and
`gazette check` all show the same evaluation. Missing values are empty strings throughout,
so the JSON and CSV forms hold exactly the same data: `declared_validity` is empty when the
file declares none, `flag` when the document is not under review, `review_due` when it is not
in force; `issuer` and `superseded_by` (slugs) are `;`-separated. `ended_on`, `end_verb`,
`ended_by` and `review_note` say how a document ended (gazette/history.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .inert import csv_text, json_text
from .labels import FLAG_LABELS, STATUS_LABELS, localise, people_date
from .site import SiteModel
from .validity import FLAGS, STATUSES, review_standing

FIELDS = ("slug", "url", "title", "doc_number", "issuer", "doc_type", "date", "declared_validity",
          "status", "flag", "review_due", "reviewed", "effective", "expires", "superseded_by",
          "ended_on", "end_verb", "ended_by", "review_note")

# Group order on the page and in text output: what needs attention first within each status.
_FLAG_ORDER = (*FLAGS, "not_due", "")


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


@dataclass
class Group:
    """Documents sharing one effective status and clean-up standing (the review flag, with the never
    reviewed documents not yet due apart: gazette.validity.review_standing)."""

    status: str
    standing: str  # the flag, or "not_due" for a "current" document never reviewed
    rows: list[dict[str, str]] = field(default_factory=list)

    @property
    def flag(self) -> str:
        """The review flag of every row (gazette.validity.FLAGS, or '')."""
        return "current" if self.standing == "not_due" else self.standing

    @property
    def anchor(self) -> str:
        return f"{self.status}-{self.standing}" if self.standing else self.status

    def label(self, script: str = "zh-Hans") -> str:
        text = STATUS_LABELS[self.status]
        if self.standing:
            text += " · " + FLAG_LABELS[self.standing]
        return localise(text, script)


@dataclass
class Report:
    as_of: dt.date
    rows: list[dict[str, str]]

    @property
    def overdue(self) -> list[dict[str, str]]:
        return [r for r in self.rows if r["flag"] == "overdue"]

    def groups(self) -> list[Group]:
        """Non-empty groups by status (design order) then standing (overdue, due soon, reviewed, not
        yet due, none)."""
        order = {(s, f): i for i, (s, f) in enumerate((s, f) for s in STATUSES for f in _FLAG_ORDER)}
        groups: dict[tuple[str, str], Group] = {}
        for row in self.rows:
            key = (row["status"], review_standing(row["flag"], row["reviewed"]))
            groups.setdefault(key, Group(*key)).rows.append(row)
        return [groups[k] for k in sorted(groups, key=lambda k: order.get(k, len(order)))]

    def to_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "documents": self.rows}

    def to_json(self) -> str:
        return json_text(self.to_dict(), rows="documents")

    def to_csv(self) -> str:
        return csv_text(list(FIELDS), self.rows, lineterminator="\r\n")

    def to_text(self, script: str = "zh-Hans") -> str:
        """Readable report for the terminal, grouped by status and flag; dates as people read them."""
        L = lambda s: localise(s, script)  # noqa: E731
        D = people_date  # noqa: N806
        lines = [L(f"有效性报告（截至 {D(self.as_of)}）"),
                 L(f"公开文件 {len(self.rows)} 件，有效性待确认 {len(self.overdue)} 件。")]
        for group in self.groups():
            lines += ["", f"{group.label(script)}（{len(group.rows)}）"]
            for r in group.rows:
                detail = []
                if r["review_due"]:
                    detail.append(L(f"应清理 {D(r['review_due'])}"))
                    detail.append(L(f"上次清理 {D(r['reviewed'])}" if r["reviewed"] else "尚未清理"))
                if r["expires"]:
                    detail.append(L(f"有效期至 {D(r['expires'])}"))
                if r["effective"] and r["status"] == "not_yet_effective":
                    detail.append(L(f"施行 {D(r['effective'])}"))
                if r["superseded_by"]:
                    detail.append(L(f"被替代 {r['superseded_by']}"))
                if r["end_verb"] and r["status"] in ("repealed", "expired"):
                    detail.append(L(f"{D(r['ended_on']) or '日期不详'}起{r['end_verb']}")
                                  + (L(f"（依据 {r['ended_by']}）") if r["ended_by"] else ""))
                if r["review_note"]:
                    detail.append(L("清理说明：") + r["review_note"])
                lines.append(f"  {D(r['date'])}  {r['doc_number'] or '-'}  {r['title']}")
                lines.append(f"      {r['slug']}" + ("  " + "；".join(detail) if detail else ""))
        return "\n".join(lines) + "\n"


def report_rows(model: SiteModel) -> list[dict[str, str]]:
    """One row per public document (on-request and withheld documents never appear)."""
    rows = []
    for doc in model.public_documents:
        ev = model.evaluation(doc)
        links = model.links.get(doc.slug)
        successors = [d.slug for d in links.superseded_by] if links else []  # withheld never linked
        ending = model.ending(doc)
        rows.append({
            "slug": doc.slug,
            "url": doc.url,
            "title": doc.title,
            "doc_number": doc.doc_number or "",
            "issuer": ";".join(doc.issuer),
            "doc_type": doc.doc_type or "",
            "date": _iso(doc.date),
            "declared_validity": doc.validity if doc.validity_declared else "",
            "status": ev.status,
            "flag": ev.flag or "",
            "review_due": _iso(ev.review_due),
            "reviewed": _iso(doc.reviewed),
            "effective": _iso(doc.effective),
            "expires": _iso(doc.expires),
            "superseded_by": ";".join(successors),
            # how it ended (gazette/history.py): first day no longer applying, verb, instrument, note
            "ended_on": _iso(ending.day) if ending else "",
            "end_verb": ending.verb if ending else "",
            "ended_by": ending.by.slug if ending and ending.by else "",
            "review_note": doc.review_note or "",
        })
    return rows


def build_report(model: SiteModel) -> Report:
    return Report(as_of=model.as_of, rows=report_rows(model))
