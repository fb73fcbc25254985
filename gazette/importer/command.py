"""`gazette import`: scanned issues, saved portal pages and text collections into the archive."""

from __future__ import annotations

import os
import sys

import click

from ..cli_options import dry_run_option, settings_option
from .batch import run_import


def _progress(items, length, label):
    # Only on long runs, and only to a terminal-or-log stderr: stdout carries the report.
    if length < 20:
        return items
    return _bar(items, length, label)


def _bar(items, length, label):
    with click.progressbar(items, length=length, label=label, file=sys.stderr) as bar:
        yield from bar


@click.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path())
@click.option("--into", type=click.Path(file_okay=False),
              help="目标档案目录（文件写入 documents/、issues/、scans/）。默认：设置中的 PATH，否则 content。")
@settings_option
@click.option("--manifest", type=click.Path(exists=True, dir_okay=False),
              help="CSV 清单：每行一个来源的期次或一件文件（source、issue、title、pages 及其他元数据列）。")
@dry_run_option
@click.option("--force", is_flag=True, help="覆盖导入后被人工修改过的文件。")
@click.option("--report", "report_file", type=click.Path(dir_okay=False),
              help="把报告以 JSON 写入此文件（默认在终端输出文字报告）。")
@click.option("--jobs", type=int, default=None, help="并行进程数（默认：CPU 核数）。")
@click.option("--no-ocr", is_flag=True, help="不做 OCR：没有文字层的 PDF 页面报告为失败。")
def import_cmd(sources, into, settings_file, manifest, dry_run, force, report_file, jobs, no_ocr):
    """导入扫描公报（PDF）、旧网站页面（HTML/文本）和文本合集，生成档案中的 Markdown 文件。

    SOURCE 可以是文件或目录（递归读取）；类型按内容识别。重复导入同一来源得到同一文件；
    导入后被人工修改的文件不会被覆盖（除非 --force）。有来源失败时退出码非零。
    """
    from ..project import load_project

    into = load_project(into, settings_file=settings_file).content_dir
    report = run_import(list(sources), into, manifest=manifest, dry_run=dry_run, force=force,
                        jobs=jobs, progress=_progress, ocr=not no_ocr)
    if report_file:
        tmp = report_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(report.to_json())
        os.replace(tmp, report_file)
    click.echo(report.to_text(), nl=False)
    if report.failed:
        sys.exit(1)
