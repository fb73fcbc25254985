"""The options several commands share, each declared once with one Chinese help text.

A command writes `@content_option` instead of repeating `click.option("--content", ...)`, so the
name, the type, the parameter name and what `--help` says are the same in every command.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable

import click

from .validity import as_of_date


def bad_date(value: str, param_hint: str | None = None) -> click.BadParameter:
    """The usage error for a value that is not a YYYY-MM-DD date."""
    return click.BadParameter(f"“{value}”不是日期（应为 YYYY-MM-DD）", param_hint=param_hint)


def parse_date_option(parse: Callable[[str | None], dt.date]):
    """A click callback: the option's value through `parse`, a usage error when it is not a date."""
    def callback(ctx, param, value):
        try:
            return parse(value)
        except ValueError:
            raise bad_date(value) from None
    return callback


parse_as_of = parse_date_option(as_of_date)

content_option = click.option(
    "--content", "content_dir", type=click.Path(file_okay=False),
    help="档案目录（其下有 documents/、issues/、scans/、pages/）。默认：设置中的 PATH，否则 content。")

settings_option = click.option(
    "--settings", "settings_file", type=click.Path(dir_okay=False, exists=True),
    help="Pelican 设置文件（默认：当前目录的 pelicanconf.py；正式发布用 publishconf.py）。")

as_of_option = click.option(
    "--as-of", "as_of", callback=parse_as_of, metavar="YYYY-MM-DD",
    help="按此日期评估有效性（默认：设置了 SOURCE_DATE_EPOCH 时用它，否则用今天（UTC））。")

format_option = click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
    help="输出格式：文字、JSON 或 CSV（各项内容见命令说明）。")

json_option = click.option(
    "--json", "as_json", is_flag=True, help="以 JSON 输出，而不是文字（字段见命令说明）。")

index_option = click.option(
    "--index", "index_dir", type=click.Path(file_okay=False),
    help="检索索引目录（默认：本档案缓存目录下的 whoosh/，由 gazette build 或 gazette index 写入）。")

output_option = click.option(
    "--output", "output_dir", type=click.Path(file_okay=False),
    help="网站输出目录。默认：设置中的 OUTPUT_PATH，否则 output。")

lenient_option = click.option(
    "--lenient", is_flag=True,
    help="跳过元数据有错的文件（在标准错误中列出）继续，而不是以退出码 1 中止。")

dry_run_option = click.option(
    "--dry-run", is_flag=True, help="只报告将做的修改，不写入任何文件。")
