"""`gazette search` and `gazette index`: the command-line side of search."""

from __future__ import annotations

import json
import os

import click

from ..labels import STATUS_LABELS
from .indexing import whoosh_dir


def default_index_dir() -> str:
    """`<project>/.cache/gazette/whoosh`, where `gazette build` puts it (GAZETTE_CACHE_DIR overrides)."""
    from ..build import PROJECT_DIR

    cache = os.environ.get("GAZETTE_CACHE_DIR") or os.path.join(PROJECT_DIR, ".cache", "gazette")
    return whoosh_dir(cache)


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Show at most N results.")
@click.option("--json", "as_json", is_flag=True,
              help="Print {query, total, results:[{slug, url, title, doc_number, status, score}]} as JSON.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False),
              help="Index folder (default: <project>/.cache/gazette/whoosh, written by gazette build / gazette index).")
def search_cmd(query, limit, as_json, index_dir):
    """Search the archive. Simplified or Traditional, any document-number spelling.

    Fielded: issuer:  doc_number:  status:  flag:  doc_type:  category:  title:  year:
    and date ranges, e.g. 'date:[2017-01-01 to 2018-12-31]'. Terms are ANDed; OR and NOT work too.
    """
    from .whoosh_index import search

    text = " ".join(query)
    index_dir = index_dir or default_index_dir()
    try:
        result = search(index_dir, text, limit=limit)
    except FileNotFoundError:
        raise click.ClickException(f"找不到检索索引 {index_dir}。请先运行 gazette build 或 gazette index。") from None
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    if not result.hits:
        click.echo(f"没有找到与“{text}”相关的文件。")
        return
    click.echo(f"共 {result.total} 条结果（检索：{text}），显示前 {len(result.hits)} 条：")
    for n, h in enumerate(result.hits, 1):
        details = " · ".join(x for x in (h.doc_number, h.issuer, h.date, STATUS_LABELS.get(h.status, h.status)) if x)
        click.echo(f"{n}. {h.title}\n   {details}\n   {h.url}")


@click.command("index")
@click.option("--content", "content_dir", default="content", show_default=True, type=click.Path(file_okay=False, exists=True),
              help="Folder holding the archive (documents/, issues/).")
@click.option("--index", "index_dir", type=click.Path(file_okay=False),
              help="Index folder (default: <project>/.cache/gazette/whoosh).")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Evaluate validity on this date (default: SOURCE_DATE_EPOCH if set, else today).")
def index_cmd(content_dir, index_dir, as_of):
    """Build or update the command-line search index; only changed documents are re-indexed."""
    from ..archive import load_archive
    from ..site import SiteModel
    from ..validity import ValiditySettings, as_of_date
    from .whoosh_index import update_index
    from .records import records_from_site

    archive = load_archive(content_dir)
    for error in archive.errors:
        click.echo(f"跳过：{error}", err=True)
    model = SiteModel.build(archive, as_of_date(as_of), ValiditySettings())
    index_dir = index_dir or default_index_dir()
    update = update_index(records_from_site(model), index_dir)
    click.echo(f"检索索引 {index_dir}：共 {len(model.documents)} 篇；新增 {len(update.added)}，"
               f"更新 {len(update.updated)}，删除 {len(update.removed)}，未变 {update.unchanged}。")
