"""Recording a clean-up (清理): apply its published results to the documents' metadata.

Each result row names a document (by `doc_number` or `slug`) and an outcome. The document's
header gets `reviewed`, `validity` and `review_note` lines; every other byte of the file is left
as it was (line endings, key spellings, the body), and the file is replaced atomically.

Outcomes and the `validity` they record:
- keep (继续有效): the review confirmed the document is in force. A declared `in_force` or
  `amended` stays as it is (an amended document that is kept is still amended), as does an
  absent `validity` (which means in force); any other declaration becomes `in_force`.
- amend (修改) → `amended`; repeal (废止) → `repealed`; expire (失效) → `expired`.
`reviewed` is set for every outcome: it is the date of the clean-up that decided it.
An empty note leaves an existing `review_note` alone.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sys
from dataclasses import dataclass, field

import click

from . import metadata as md
from .archive import load_archive, normalise_doc_number
from .chinese import fold, t2s
from .cli_options import content_option, dry_run_option, parse_date_option, settings_option
from .fileio import write_atomic
from .labels import people_date
from .model import Document, read_document

RESULTS: dict[str, str] = {}
for _code, _words in {
    "keep": ("keep", "继续有效", "有效", "现行有效", "in_force"),
    "amend": ("amend", "修改", "已修改", "amended"),
    "repeal": ("repeal", "废止", "已废止", "repealed"),
    "expire": ("expire", "失效", "已失效", "expired"),
}.items():
    for _w in _words:
        RESULTS[fold(_w)] = _code
RESULTS_ALLOWED = "继续有效/keep、修改/amend、废止/repeal 或 失效/expire"

_VALIDITY_FOR = {"amend": "amended", "repeal": "repealed", "expire": "expired"}
# Column names accepted in the results CSV (folded) -> canonical column.
_COLUMNS = {"doc_number": "doc_number", "文号": "doc_number", "slug": "slug", "result": "result",
            "结果": "result", "清理结果": "result", "note": "note", "备注": "note", "说明": "note",
            "清理说明": "note"}


def parse_result(value: str) -> str:
    """'继续有效' / '繼續有效' / 'keep' → 'keep', and so on; ValueError otherwise."""
    code = RESULTS.get(fold(value.strip().lower()))
    if not code:
        raise ValueError(value)
    return code


@dataclass
class Change:
    """Planned edits to one document file."""

    doc: Document
    path: str  # file on disk
    row: int
    edits: list[tuple[str, str | None, str]] = field(default_factory=list)  # (key, old line, new line)
    new_text: str = ""


@dataclass
class Outcome:
    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one sentence per failed row or file


# -- editing one header ---------------------------------------------------------------------

def _chinese_style(header: list[md.HeaderLine]) -> bool:
    """True when the archivist wrote most keys as Chinese aliases."""
    chinese = sum(1 for h in header if not h.raw_key.isascii())
    return chinese * 2 > len(header)


def _date_text(day: dt.date, like: str | None) -> str:
    # Keep the archivist's date style when the line already had one.
    if like and "年" in like:
        return people_date(day)
    return day.isoformat()


def _validity_text(code: str, chinese: bool, script: str) -> str:
    if not chinese:
        return code
    label = md.VALIDITY_CODES[code]
    return label if script == "zh-Hant" else t2s(label)


def plan_edits(text: str, doc: Document, result: str, note: str, day: dt.date) -> tuple[str, list]:
    """New text of a document file after recording `result`, and the (key, old, new) line edits."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    lines, breaks = md.split_lines(text[len(bom):])  # CRLF, LF and CR-only files alike
    scan = md.scan_header(lines)
    header = [h for h in scan.lines if h.raw_key is not None]
    last = header[-1].index if header else (0 if scan.fenced else -1)  # new lines go after this one
    by_key = {h.key: h for h in header if h.key}
    chinese = _chinese_style(header)
    eol = breaks[0] if breaks else "\n"  # new lines end as the file's lines do
    sep = header[-1].separator if header else ": "  # the archivist's `: ` or `：`

    old_reviewed = by_key.get("reviewed")
    old_value = old_reviewed.value if old_reviewed else None
    wanted = [("reviewed", _date_text(day, old_value))]
    if result != "keep":
        wanted.append(("validity", _VALIDITY_FOR[result]))
    elif doc.validity not in ("in_force", "amended"):
        wanted.append(("validity", "in_force"))
    note = " ".join(note.split())  # a note must stay on its header line
    if note:
        wanted.append(("review_note", note))

    edits = []
    inserts: list[str] = []
    for key, value in wanted:
        h = by_key.get(key)
        if key == "validity":
            # Written as the archivist wrote it: `validity: repealed` or `有效性: 已废止`.
            current = h.value if h else ""
            in_chinese = (not (current or h.raw_key).isascii()) if h else chinese
            value = _validity_text(value, in_chinese, doc.script)
        if h:
            old = lines[h.index]
            new = h.with_value(value)
            if new != old:
                lines[h.index] = new
                edits.append((key, old, new))
        else:
            raw_key = key
            if chinese:
                alias = md.KEY_ALIASES[key][0]
                raw_key = alias if doc.script == "zh-Hant" else t2s(alias)
            inserts.append(f"{raw_key}{sep}{value}")
            edits.append((key, None, f"{raw_key}{sep}{value}"))
    if inserts:
        # After line `last`, each new line followed by a break; a header that is the whole file
        # without a final newline keeps ending without one.
        lines[last + 1:last + 1] = inserts
        breaks[last + 1:last + 1] = [eol] * len(inserts)
    return bom + "".join(line + brk for line, brk in zip(lines, breaks + [""])), edits


# -- applying a results file ----------------------------------------------------------------

def read_results(csv_path: str) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """Rows of a results CSV as (line number, {doc_number, slug, result, note}) and problems."""
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        try:
            head = next(reader)
        except StopIteration:
            return [], [f"{csv_path}:1: 空文件（应有表头行：doc_number 或 slug、result、note）"]
        columns = [_COLUMNS.get(fold(h.strip().lower())) for h in head]
        missing = []
        if "doc_number" not in columns and "slug" not in columns:
            missing.append("doc_number 或 slug")
        if "result" not in columns:
            missing.append("result")
        if missing:
            return [], [f"{csv_path}:1: header: 缺少 {'、'.join(missing)} 列"
                        f"（应有 doc_number 或 slug、result 列，可另加 note 列）"]
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            row = {"doc_number": "", "slug": "", "result": "", "note": ""}
            for col, value in zip(columns, values):
                if col:
                    row[col] = value.strip()
            rows.append((reader.line_num, row))
    return rows, []


def apply_results(csv_path: str, content_dir: str, day: dt.date) -> Outcome:
    """Plan the changes a results CSV asks for; nothing is written here."""
    out = Outcome()
    rows, problems = read_results(csv_path)
    out.problems += problems
    if problems:
        return out
    archive = load_archive(content_dir)
    by_slug = {d.slug: d for d in archive.documents}
    by_number = archive.by_number()
    withheld_refs = set()
    for rel in archive.withheld_paths:
        try:
            w = read_document(os.path.join(content_dir, rel))
        except md.MetadataErrors:
            continue
        withheld_refs.add(w.slug)
        if w.doc_number:
            withheld_refs.add(normalise_doc_number(w.doc_number))
    bad_slugs = {os.path.splitext(os.path.basename(p))[0] for p in archive.bad_files}

    planned: dict[str, Change] = {}
    for line, row in rows:
        where = f"{csv_path}:{line}"
        name = row["slug"] or row["doc_number"]
        try:
            result = parse_result(row["result"])
        except ValueError:
            out.problems.append(f"{where}: result: “{row['result']}”不是清理结果"
                                f"（应为 {RESULTS_ALLOWED}）")
            continue
        if not name:
            out.problems.append(f"{where}: 没有 doc_number 或 slug（应写明结果所指的文件）")
            continue
        doc = None
        if row["slug"]:
            doc = by_slug.get(row["slug"])
            if doc and row["doc_number"] and (not doc.doc_number or normalise_doc_number(doc.doc_number)
                                              != normalise_doc_number(row["doc_number"])):
                out.problems.append(f"{where}: slug “{row['slug']}”与 doc_number “{row['doc_number']}”"
                                    "指向不同的文件（两者应指同一件文件）")
                continue
            ref_withheld = row["slug"] in withheld_refs
            ref_bad = row["slug"] in bad_slugs
        else:
            matches = by_number.get(normalise_doc_number(row["doc_number"]), [])
            if len(matches) > 1:
                out.problems.append(f"{where}: doc_number “{row['doc_number']}”不唯一，以下文件都用它："
                                    + "、".join(d.slug for d in matches) + "（请加 slug 列指明是哪一件）")
                continue
            doc = matches[0] if matches else None
            ref_withheld = normalise_doc_number(row["doc_number"]) in withheld_refs
            ref_bad = False
        if doc is None:
            if ref_withheld:
                why = "指向不予公开的文件（只能是主动公开或依申请公开的文件）"
            elif ref_bad:
                why = "指向元数据有错的文件（应先修正：运行 gazette check）"
            else:
                why = f"不在 {content_dir} 中（应为主动公开或依申请公开文件的文号或 slug）"
            out.problems.append(f"{where}: {'slug' if row['slug'] else 'doc_number'}: “{name}”{why}")
            continue
        if doc.slug in planned:
            out.problems.append(f"{where}: “{name}”指向 {doc.slug}，第 {planned[doc.slug].row} 行已给出它的结果"
                                "（每件文件一个结果）")
            continue
        path = os.path.join(content_dir, doc.source_path)
        with open(path, encoding="utf-8", newline="") as f:
            text = f.read()
        new_text, edits = plan_edits(text, doc, result, row["note"], day)
        try:  # never write a header the loader would reject
            read_document(path, text=new_text)
        except md.MetadataErrors as e:  # pragma: no cover - a bug in plan_edits
            out.problems.append(f"{where}: 无法更新 {path}：{e}")
            continue
        planned[doc.slug] = Change(doc=doc, path=path, row=line, edits=edits, new_text=new_text)
    out.changes = list(planned.values())
    return out


@click.group("cleanup")
def cleanup_cmd() -> None:
    """把清理结果记入各文件的元数据。"""


def _day(value: str | None) -> dt.date:
    return md.parse_date(value) if value is not None else dt.date.today()


@cleanup_cmd.command("apply")
@click.argument("results", type=click.Path(exists=True, dir_okay=False))
@content_option
@settings_option
@click.option("--date", "day", callback=parse_date_option(_day), metavar="YYYY-MM-DD",
              help="清理日期，写为 reviewed。默认：今天。")
@dry_run_option
def apply_cmd(results: str, content_dir: str | None, settings_file: str | None, day: dt.date, dry_run: bool) -> None:
    """把清理结果 CSV（RESULTS）应用到其中列出的文件。

    列：doc_number 或 slug，result（继续有效/keep、修改/amend、废止/repeal、失效/expire，
    简繁均可），可选 note。每件文件的元数据写入 reviewed、validity 和 review_note 行，
    文件其余内容不变。找不到、不唯一或不予公开的文件会报告出来并保持原样，命令以退出码 1 结束。
    """
    from .project import load_project

    project = load_project(content_dir, settings_file=settings_file)
    project.require_content()
    outcome = apply_results(results, project.content_dir, day)
    for change in outcome.changes:
        click.echo(change.path + ("" if change.edits else "  （已是最新）"))
        for _key, old, new in change.edits:
            if old is not None:
                click.echo(f"  - {old}")
            click.echo(f"  + {new}")
        if not dry_run and change.edits:
            write_atomic(change.path, change.new_text)
    changed = sum(1 for c in outcome.changes if c.edits)
    verb = "将更新" if dry_run else "已更新"
    click.echo(f"{verb} {changed} 件文件" + ("（预演：未写入任何文件）" if dry_run else ""))
    for problem in outcome.problems:
        click.echo(problem, err=True)
    if outcome.problems:
        click.echo(f"{len(outcome.problems)} 行未应用。", err=True)
        sys.exit(1)
