"""The annual-report table (政府信息公开工作年度报告, 主动公开政府信息情况): for 规章 and for 规范性文件,
how many were issued (本年制发), repealed (本年废止), declared or become invalid (本年失效),
amended (本年修改) in a year, and how many were in force at its end (现行有效).

Counted over public documents only (the table is about 主动公开; withheld documents never reach
the model, on-request ones are not 主动公开), by these rules, each a function of the archive:
- 本年制发: published in the year; a later version of a work without a 文号 of its own is a
  consolidated text (修正本) of an earlier instrument, not a new one, and is not counted.
- 本年废止 / 本年失效: the first day the document no longer applies (its ending, gazette.history)
  falls in the year: verb 废止, or 失效 / 宣布失效 (a document valid until 31 December lapses on
  1 January, in the next year's figures, and is still 现行有效 at the end of its last year).
  An ending without a date is counted in no year (listed as `undated`).
- 本年修改: documents (a work counted once) changed in the year by an amending document published
  then, by a new version of the work taking effect then, or by an ending with the verb 修改.
- 现行有效: in force on 31 December (or on the as-of date, for a year not yet over), by the
  validity rules, the current version of a work only, amending decisions (documents that amend
  others) merged into what they amend.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass, field

import click

from .check import echo_report
from .cli_options import as_of_option, content_option, format_option, settings_option
from .chinese import fold
from .inert import csv_text
from .labels import localise, people_date
from .model import Document
from .site import SiteModel

CLASSES = ("规章", "规范性文件")
COLUMNS = ("issued", "repealed", "expired", "amended", "in_force")
COLUMN_LABELS = {"issued": "本年制发", "repealed": "本年废止", "expired": "本年失效", "amended": "本年修改",
                 "in_force": "现行有效"}


@dataclass
class ClassRow:
    doc_type: str
    documents: dict[str, list[str]] = field(default_factory=lambda: {c: [] for c in COLUMNS})  # slugs

    def count(self, column: str) -> int:
        return len(self.documents[column])

    def label(self, script: str = "zh-Hans") -> str:
        """The document type in the site's script (the data keeps Simplified)."""
        return localise(self.doc_type, script)


@dataclass
class AnnualReport:
    year: int
    day: dt.date  # the day 现行有效 is counted on
    as_of: dt.date
    rows: list[ClassRow]
    undated: list[str] = field(default_factory=list)  # endings no year can be given to

    def to_dict(self) -> dict:
        return {"year": self.year, "counted_on": self.day.isoformat(), "as_of": self.as_of.isoformat(),
                "rows": [{"doc_type": r.doc_type, **{c: r.count(c) for c in COLUMNS},
                          "documents": r.documents} for r in self.rows],
                "undated_endings": self.undated}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    def to_csv(self) -> str:
        return csv_text(["year", "doc_type", *COLUMNS],
                        ([self.year, r.doc_type, *(r.count(c) for c in COLUMNS)] for r in self.rows))

    def to_text(self, script: str = "zh-Hans") -> str:
        L = lambda s: localise(s, script)  # noqa: E731
        lines = [L(f"{self.year}年 规章和规范性文件情况（现行有效截至{people_date(self.day)}）"),
                 "\t".join([L("文种")] + [L(COLUMN_LABELS[c]) for c in COLUMNS])]
        for r in self.rows:
            lines.append("\t".join([L(r.doc_type)] + [str(r.count(c)) for c in COLUMNS]))
        if self.undated:
            lines.append(L(f"另有 {len(self.undated)} 件废止或失效日期不详，未计入任何年度：") + "、".join(self.undated))
        return "\n".join(lines) + "\n"


def _class_of(doc: Document) -> str | None:
    return _class_of_type(doc.doc_type or "")


@functools.lru_cache(maxsize=1024)
def _class_of_type(doc_type: str) -> str | None:
    # Memoised: every year's table asks for every document's class (years × documents folds).
    folded = fold(doc_type)
    return next((c for c in CLASSES if fold(c) == folded), None)


def _is_consolidated(model: SiteModel, doc: Document) -> bool:
    work = model.work_of(doc)
    return bool(work) and work.versions[0].doc is not doc and not doc.doc_number


def _ending_year(model: SiteModel, doc: Document) -> tuple[int | None, str | None]:
    e = model.ending(doc)
    if e is None:
        return None, None
    if e.day is None:
        return None, e.verb
    return (e.day.year if e.day <= model.as_of else None), e.verb


def classified(model: SiteModel) -> list[tuple[Document, str]]:
    """(document, class) of every public document the tables count: what every year's table goes
    through (computed once for all of them by `pages.annual_reports`)."""
    return [(doc, cls) for doc in model.public_documents if (cls := _class_of(doc)) is not None]


@dataclass
class _Facts:
    """What every year's table needs of the counted documents and does not depend on the year:
    found once per model, so 73 years × 10,000 documents ask only 现行有效 again."""
    issued: dict[int, list[tuple[str, str]]]  # year → (class, slug) published then, not consolidated
    ended: dict[int, list[tuple[str, str, str]]]  # year → (class, column, slug): its ending falls then
    undated: list[str]  # endings no year can be given to
    may_be_in_force: list[tuple[Document, str]]  # by date: documents that amend nothing
    changed: dict[int, list[tuple[Document, str]]]  # year → documents amended then (in `documents` order)


_ENDING_COLUMN = {"废止": "repealed", "失效": "expired", "宣布失效": "expired", "修改": "amended"}


def _facts(model: SiteModel, documents: list[tuple[Document, str]]) -> _Facts:
    memo = model.__dict__.setdefault("_annual_facts", {})
    if id(documents) in memo and memo[id(documents)][0] is documents:
        return memo[id(documents)][1]
    facts = _Facts({}, {}, [], [], {})
    for doc, cls in documents:
        if doc.date <= model.as_of and not _is_consolidated(model, doc):
            facts.issued.setdefault(doc.date.year, []).append((cls, doc.slug))
        end_year, verb = _ending_year(model, doc)
        if verb and end_year is None and model.ending(doc).day is None:
            facts.undated.append(doc.slug)
        if end_year is not None:
            facts.ended.setdefault(end_year, []).append((cls, _ENDING_COLUMN[verb], doc.slug))
        if not doc.amends:
            facts.may_be_in_force.append((doc, cls))
        # 本年修改: amended by a document published in the year, or (the first version of a work) a
        # consolidated text taking effect then; a new instrument replacing the old is 废止 + 制发 instead
        links = model.links.get(doc.slug)
        years = {a.date.year for a in (links.amended_by if links else []) if a.date <= model.as_of and a.is_public}
        work = model.work_of(doc)
        if work is not None and work.versions[0].doc is doc:
            years.update(v.start.year for v in work.versions[1:] if v.start <= model.as_of and _is_consolidated(model, v.doc))
        for year in sorted(years):
            facts.changed.setdefault(year, []).append((doc, cls))
    facts.may_be_in_force.sort(key=lambda dc: dc[0].date)
    memo[id(documents)] = (documents, facts)
    return facts


def annual_report(model: SiteModel, year: int, documents: list[tuple[Document, str]] | None = None) -> AnnualReport:
    """The table for `year`, counted on 31 December or, for a year not over yet, the as-of date
    (`documents`: `classified(model)`, when the caller has it)."""
    day = min(dt.date(year, 12, 31), model.as_of)
    rows = {c: ClassRow(c) for c in CLASSES}
    facts = _facts(model, classified(model) if documents is None else documents)
    for cls, slug in facts.issued.get(year, ()):
        rows[cls].documents["issued"].append(slug)
    for cls, column, slug in facts.ended.get(year, ()):
        rows[cls].documents[column].append(slug)
    for doc, cls in facts.may_be_in_force:
        if doc.date > day:
            break
        if model.is_current_version(doc, day) and model.evaluate_on(doc, day).in_force:
            rows[cls].documents["in_force"].append(doc.slug)
    for doc, cls in facts.changed.get(year, ()):
        cells = rows[cls].documents
        if doc.slug not in cells["amended"] and not _already_counted(model, doc, cells["amended"]):
            cells["amended"].append(doc.slug)
    for r in rows.values():
        for c in COLUMNS:
            r.documents[c].sort()
    return AnnualReport(year=year, day=day, as_of=model.as_of, rows=[rows[c] for c in CLASSES],
                        undated=sorted(facts.undated))


def _already_counted(model: SiteModel, doc: Document, slugs: list[str]) -> bool:
    """A work is counted once: true when another version of it is in `slugs` already."""
    work = model.work_of(doc)
    return bool(work) and any(v.doc.slug in slugs for v in work.versions)


def report_years(model: SiteModel) -> list[int]:
    """Every year from the first public document to the as-of date, newest first."""
    years = [d.date.year for d in model.public_documents]
    if not years:
        return []
    return list(range(model.as_of.year, min(years) - 1, -1))



# -- `gazette report annual` --------------------------------------------------------------------

@click.group("report")
def report_cmd() -> None:
    """由档案计算的统计报表。"""


@report_cmd.command("annual")
@click.option("--year", type=int, required=True, help="统计年度，如 2024。")
@content_option
@as_of_option
@format_option
@settings_option
def annual_cmd(year: int, content_dir, as_of, fmt: str, settings_file) -> None:
    """政府信息公开工作年度报告“主动公开政府信息情况”表中规章和规范性文件的数字：本年制发、
    本年废止、本年失效、本年修改件数和年末现行有效件数（与网站 validity/annual-YYYY.html 相同）。
    只统计主动公开的文件；元数据有错的文件跳过，并在标准错误中列出。统计口径见 docs/time.md。
    尚未结束的年度统计到 --as-of 这一天。JSON 格式另列每个数字所计的文件。"""
    from .project import load_project

    project = load_project(content_dir, settings_file=settings_file)
    archive = project.require_archive()
    for error in archive.errors:
        click.echo(str(error), err=True)
    model = project.site_model(archive, as_of)
    echo_report(annual_report(model, year), fmt, project.script)

