"""`gazette search` and `gazette index`: the command-line side of search."""

from __future__ import annotations

import json
import os

import click

from ..labels import STATUS_LABELS, people_date
from ..project import GazetteError, load_project

_CONTENT_HELP = "档案目录（含 documents/、issues/）。默认：设置中的 PATH，否则 content。"
_INDEX_HELP = "检索索引目录（默认：本档案缓存目录下的 whoosh/，由 gazette build 或 gazette index 写入）。"
_SETTINGS_HELP = "Pelican 设置文件（默认：当前目录的 pelicanconf.py）。"


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="最多显示 N 条结果。")
@click.option("--json", "as_json", is_flag=True,
              help="以 JSON 输出：`{query, total, results:[{slug, url, title, doc_number, status, score}]}`。")
@click.option("--content", "content_dir", type=click.Path(file_okay=False), help=_CONTENT_HELP)
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help=_INDEX_HELP)
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, exists=True), help=_SETTINGS_HELP)
def search_cmd(query, limit, as_json, content_dir, index_dir, settings_file):
    """检索档案。简体、繁体均可，文号写法不限。

    字段检索：issuer:  doc_number:  status:  flag:  doc_type:  category:  title:  year:
    以及日期范围，如 'date:[2017-01-01 to 2018-12-31]'。多个词须同时出现；也可用 OR 和 NOT。
    """
    from .whoosh_index import search

    text = " ".join(query)
    index_dir = index_dir or load_project(content_dir, settings_file=settings_file).whoosh_dir
    try:
        result = search(index_dir, text, limit=limit)
    except FileNotFoundError:
        raise GazetteError(f"找不到检索索引 {index_dir}。请先运行 gazette build（或 gazette index）。") from None
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    if not result.hits:
        click.echo(f"没有找到与“{text}”相关的文件。")
        return
    click.echo(f"共 {result.total} 条结果（检索：{text}），显示前 {len(result.hits)} 条：")
    for n, h in enumerate(result.hits, 1):
        details = " · ".join(x for x in (h.doc_number, h.issuer, people_date(h.date), STATUS_LABELS.get(h.status, h.status))
                             if x)
        click.echo(f"{n}. {h.title}\n   {details}\n   {h.url}")


@click.command("index")
@click.option("--content", "content_dir", type=click.Path(file_okay=False), help=_CONTENT_HELP)
@click.option("--index", "index_dir", type=click.Path(file_okay=False), help=_INDEX_HELP)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="按此日期评估有效性（默认：设置了 SOURCE_DATE_EPOCH 时用它，否则用今天）。")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, exists=True), help=_SETTINGS_HELP)
def index_cmd(content_dir, index_dir, as_of, settings_file):
    """建立或更新命令行检索索引；只重新索引有变化的文件。"""
    from ..build_lock import cache_lock_path, exclusive
    from ..validity import as_of_date
    from .records import records_from_site
    from .whoosh_index import update_index

    try:
        day = as_of_date(as_of)
    except ValueError:
        raise click.BadParameter(f"“{as_of}”不是日期（应为 YYYY-MM-DD）", param_hint="--as-of") from None
    project = load_project(content_dir, settings_file=settings_file)
    project.require_content()
    archive = project.load_archive()
    project.require_documents(archive)
    for error in archive.errors:
        click.echo(f"跳过：{error}", err=True)
    model = project.site_model(archive, day)
    # The build writes the same index: the cache's lock keeps the two apart (gazette.build_lock).
    own = index_dir is None or os.path.abspath(index_dir) == os.path.abspath(project.whoosh_dir)
    if own:
        index_dir, lock = project.whoosh_dir, exclusive(cache_lock_path(project.cache_dir), f"缓存目录 {project.cache_dir}")
    else:  # an index of the user's own: a lock file beside it, removed afterwards
        lock = exclusive(os.path.abspath(index_dir).rstrip(os.sep) + ".lock", f"检索索引 {index_dir}", remove=True)
    with lock:
        update = update_index(records_from_site(model), index_dir)
    click.echo(f"检索索引 {index_dir}：共 {len(model.documents)} 篇；新增 {len(update.added)}，"
               f"更新 {len(update.updated)}，删除 {len(update.removed)}，未变 {update.unchanged}。")
