"""`gazette check`: validate every file's metadata and print the validity report."""

from __future__ import annotations

import logging
import os
import sys

import click

from .archive import load_archive
from .cleanup_report import build_report
from .site import SiteModel
from .validity import ValiditySettings, as_of_date

SETTINGS_FILE = "pelicanconf.py"


def project_settings(folder: str = ".") -> dict:
    """Settings from `pelicanconf.py` in `folder` when there is one, else an empty dict (defaults)."""
    path = os.path.join(folder, SETTINGS_FILE)
    if not os.path.exists(path):
        return {}
    from pelican.settings import read_settings
    # Pelican warns about site settings (feeds, SITEURL) that do not matter to a check.
    log = logging.getLogger("pelican.settings")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        return read_settings(path)
    finally:
        log.setLevel(level)


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


def parse_as_of(ctx, param, value):
    try:
        return as_of_date(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (expected YYYY-MM-DD)") from None


@click.command("check")
@click.option("--content", "content_dir", default="content", show_default=True,
              type=click.Path(exists=True, file_okay=False),
              help="Archive folder to check (documents/ and issues/ under it).")
@click.option("--as-of", callback=parse_as_of, metavar="YYYY-MM-DD",
              help="Evaluate validity on this date. Default: SOURCE_DATE_EPOCH if set, else today (UTC).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="Report format: readable text grouped by status and flag, JSON ({as_of, documents}) or CSV.")
@click.option("--strict", is_flag=True,
              help="Exit 1 when any document is overdue for review (有效性待确认), for a publisher's CI.")
@click.option("--lenient", is_flag=True,
              help="Report files with metadata errors, skip them and go on, instead of exiting 1.")
def check_cmd(content_dir: str, as_of, fmt: str, strict: bool, lenient: bool) -> None:
    """Check the archive's metadata and print the validity (clean-up) report.

    Every metadata problem is printed to stderr as `path:line: key: problem (expected …)`
    and the command exits 1, unless --lenient. Import drafts (`review: pending`), which the
    site never publishes, are listed on stderr with the reason the importer recorded. Review settings (GAZETTE_REVIEW_CYCLE_YEARS,
    GAZETTE_REVIEW_DUE_SOON_DAYS, GAZETTE_REVIEW_DOC_TYPES) and the script of the text report
    (SITE_SCRIPT) are read from pelicanconf.py in the current folder when present.
    """
    conf = project_settings()
    settings = ValiditySettings.from_pelican(conf)
    archive = load_archive(content_dir)
    for error in archive.errors:
        click.echo(str(error), err=True)
    if archive.errors:
        if not lenient:
            click.echo(f"{len(archive.errors)} metadata error(s) in {len(archive.bad_files)} file(s); "
                       "fix them, or run with --lenient to skip those files.", err=True)
            sys.exit(1)
        for rel in archive.bad_files:
            click.echo(f"skipped: {os.path.join(content_dir, rel)}", err=True)
    for line in draft_lines(archive):
        click.echo(line, err=True)
    model = SiteModel.build(archive, as_of, settings)
    for doc in archive.documents:
        for key, ref in model.links[doc.slug].unresolved:
            # A warning, not an error: the target may be withheld or outside this archive.
            click.echo(f"{os.path.join(content_dir, doc.source_path)}:{doc.header_lines.get(key, 1)}: {key}: "
                       f"'{ref}' matches no listed document (warning: no link is shown; expected a doc_number or "
                       "slug of this archive)", err=True)
    report = build_report(model)
    if fmt == "json":
        click.echo(report.to_json(), nl=False)
    elif fmt == "csv":
        click.echo(report.to_csv(), nl=False)
    else:
        click.echo(report.to_text(conf.get("SITE_SCRIPT", "zh-Hans")), nl=False)
    if strict and report.overdue:
        click.echo(f"{len(report.overdue)} document(s) overdue for review (有效性待确认) on {as_of.isoformat()}: "
                   + ", ".join(r["slug"] for r in report.overdue), err=True)
        sys.exit(1)
