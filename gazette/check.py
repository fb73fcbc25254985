"""`gazette check`: validate every file's metadata and print the validity report."""

from __future__ import annotations

import os
import sys

import click

from .cleanup_report import build_report
from .cli_options import as_of_option, content_option, format_option, lenient_option, settings_option
from .coverage import gaps
from .history import work_problems
from .interpretations import interpretation_findings
from .labels import people_date
from .project import load_project
from .time_bound import time_bound_findings

def draft_lines(archive) -> list[str]:
    """One line per import draft (`review: pending`), with the reason the importer recorded."""
    lines = []
    for doc in sorted(archive.drafts, key=lambda d: d.source_path):
        where = f"{os.path.join(archive.content_dir, doc.source_path)}:{doc.header_lines.get('review', 1)}"
        what = doc.title or "（无标题）"
        lines.append(f"{where}: review: 待审核草稿，不会发布：{what}；原因：{doc.review_reason or '未注明'}")
    if lines:
        lines.append(f"共 {len(lines)} 件导入草稿待审核：核对、补全后删除 review 行（或改为 review: cleared）即可发布。")
    return lines


def echo_report(report, fmt: str, script: str) -> None:
    """Print a report (anything with to_json, to_csv, to_text) in the chosen format."""
    if fmt == "json":
        click.echo(report.to_json(), nl=False)
    elif fmt == "csv":
        click.echo(report.to_csv(), nl=False)
    else:
        click.echo(report.to_text(script), nl=False)


def time_warnings(model, settings: dict, content_dir: str) -> list[str]:
    """Warnings about versions, 解读 and missing issues (they never stop a check or a build)."""
    def at(doc, key: str, message: str) -> str:
        return f"{os.path.join(content_dir, doc.source_path)}:{doc.header_lines.get(key, 1)}: {key}: {message}（警告）"

    required = tuple(settings.get("GAZETTE_REQUIRE_INTERPRETATION") or ())
    out = [at(f.doc, f.key, f.message) for f in interpretation_findings(model, required)]
    out += [at(doc, "work", message) for doc, message in work_problems(model.works)]
    out += [f"{os.path.join(content_dir, 'issues')}: 缺期：{gap.describe()}未收录（警告：请补充数字化）"
            for gap in gaps(model.issues)]
    if settings.get("GAZETTE_WARN_TIME_BOUND", True):
        out += [at(doc, "title", f"标题中的{'、'.join(m.describe() for m in marks)}已过，但文件没有 expires"
                                 "（有效期至），仍列为现行有效。请补充 expires，或在清理中宣布失效；"
                                 "设置 GAZETTE_WARN_TIME_BOUND = False 可关闭此项检查")
                for doc, marks in time_bound_findings(model)]
    return out


@click.command("check")
@content_option
@as_of_option
@format_option
@click.option("--strict", is_flag=True,
              help="有文件逾期未清理（有效性待确认）时退出码为 1，供发布单位的持续集成使用。")
@lenient_option
@settings_option
def check_cmd(content_dir, as_of, fmt: str, strict: bool, lenient: bool, settings_file) -> None:
    """检查档案的元数据，输出有效性（清理）报告。

    报告的文字格式按状态和提示分组；JSON 为 `{as_of, documents}`，CSV 每件文件一行。

    每处元数据问题以“路径:行: 键: 问题（应为……）”输出到标准错误，并以退出码 1 结束，
    除非用了 --lenient。导入草稿（review: pending）不会发布，连同导入时记下的原因列在标准错误中。
    清理设置（GAZETTE_REVIEW_CYCLE_YEARS、GAZETTE_REVIEW_DUE_SOON_DAYS、GAZETTE_REVIEW_DOC_TYPES）
    和文字报告的字形（SITE_SCRIPT）取自设置文件。档案中一件文件也没有时退出码为 1。

    另在标准错误中给出警告（不影响退出码）：公报期号或总号的缺期、晚于所解读文件发布的解读
    （未同步发布）或未注明解读对象的解读、同日施行无法区分的同一文件的两个版本、标题中的年份或季节（2022年、防汛、春节……）
    已过却没有 expires 的现行有效文件（设置 GAZETTE_WARN_TIME_BOUND = False 关闭）、在标题、正文、勘误或
    替代、修改、废止、解读等关系中引用不予公开文件的文号或文件名之处（只列出位置和所引文号；网站照原文发布，
    不链接、不显示该文件）、替代或修改公开文件的不予公开文件（公开文件的有效性不因此改变）；设置 GAZETTE_REQUIRE_INTERPRETATION 列出文种（如 ("规范性文件",)）时，还列出这些文种中没有政策解读的现行有效文件。
    """
    project = load_project(content_dir, settings_file=settings_file)
    archive = project.require_archive()
    content_dir = project.content_dir
    for error in archive.errors:
        click.echo(str(error), err=True)
    if archive.errors:
        if not lenient:
            click.echo(f"{len(archive.bad_files)} 个文件中有 {len(archive.errors)} 处元数据错误；"
                       "请修正，或用 --lenient 跳过这些文件。", err=True)
            sys.exit(1)
        for rel in archive.bad_files:
            click.echo(f"已跳过：{os.path.join(content_dir, rel)}", err=True)
    for line in draft_lines(archive):
        click.echo(line, err=True)
    model = project.site_model(archive, as_of)
    for warning in model.warnings():
        click.echo(str(warning), err=True)
    for doc in archive.documents:
        for key, ref in model.links[doc.slug].unresolved:
            if archive.names_withheld(ref):
                continue  # said by model.warnings() above (gazette.citations.withheld_citations)
            # A warning, not an error: the target may be outside this archive.
            click.echo(f"{os.path.join(content_dir, doc.source_path)}:{doc.header_lines.get(key, 1)}: {key}: "
                       f"“{ref}”与档案中的任何公开文件都不匹配（警告：不显示链接；应为本档案中的文号或 slug）",
                       err=True)
    for line in time_warnings(model, project.settings, content_dir):
        click.echo(line, err=True)
    report = build_report(model)
    echo_report(report, fmt, project.script)
    if strict and report.overdue:
        click.echo(f"{people_date(as_of)}有 {len(report.overdue)} 件文件逾期未清理（有效性待确认）："
                   + "、".join(r["slug"] for r in report.overdue), err=True)
        sys.exit(1)
