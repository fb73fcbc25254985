"""`gazette search` and `gazette index`: the command-line side of search."""

from __future__ import annotations

import json
import os

import click

from ..cli_options import as_of_option, content_option, index_option, json_option, settings_option
from ..labels import STATUS_LABELS, people_date
from ..project import GazetteError, load_project



@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="最多显示 N 条结果。")
@click.option("--in-force", "in_force", is_flag=True, help="只看现行有效：现行有效版本的文件（不含已废止、已失效、被替代的）。")
@json_option
@content_option
@index_option
@settings_option
def search_cmd(query, limit, in_force, as_json, content_dir, index_dir, settings_file):
    """检索档案。输入记得的几个词即可，不必连续、顺序不限；简体、繁体均可，文号写法不限；也可检索期号，如 2024年第1期。

    排序与网页检索相同：本文件文号 > 标题或机关、文种等含整个检索词 > 含全部词 > 正文含整个检索词 > 全文含全部词；
    同等时，检索词恰为发文机关、文种、主题分类、索引号或期号的在前，其次现行有效的在前。没有文件含全部词时列出含部分词的结果并注明。

    字段检索（作为筛选）：issuer:  doc_number:  status:  flag:  doc_type:  category:  title:  year:
    以及日期范围，如 'date:[2017-01-01 to 2018-12-31]'；使用 OR、NOT 或括号时按字段检索语法执行。
    --json 的字段：`{query, total, partial, results:[{slug, url, title, doc_number, status, kind, match, why, score}]}`，
    match 为匹配方式（number、head_phrase、head_words、body_phrase、words、partial），why 为各字段命中的检索词，
    正文经核对确含整个检索词时 why.phrase 为 true，检索词恰为其发文机关等某项时 why.value 为 true。
    """
    from .whoosh_index import TextIndexError, search

    text = " ".join(query)
    index_dir = index_dir or load_project(content_dir, settings_file=settings_file).whoosh_dir
    try:
        result = search(index_dir, text, limit=limit, in_force=in_force)
    except FileNotFoundError:
        raise GazetteError(f"找不到检索索引 {index_dir}。请先运行 gazette build（或 gazette index）。") from None
    except TextIndexError as e:
        raise GazetteError(str(e)) from None
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    if not result.hits:
        hint = "取消 --in-force 可查看已废止、已失效的文件。" if in_force else "请换用其他词语，或减少筛选条件。"
        click.echo(f"没有找到与“{text}”相关的文件。{hint}")
        return
    if result.partial:
        click.echo(f"没有同时包含全部检索词的文件。以下 {result.total} 条只包含其中一部分（显示前 {len(result.hits)} 条）："
                   "可以去掉一个词再试。")
    else:
        click.echo(f"共 {result.total} 条结果（检索：{text}），显示前 {len(result.hits)} 条：")
    for n, h in enumerate(result.hits, 1):
        status = "" if h.kind == "issue" else STATUS_LABELS.get(h.status, h.status)
        details = " · ".join(x for x in (h.doc_number, h.issuer, people_date(h.date), status,
                                         "部分匹配" if h.match == "partial" else "") if x)
        click.echo(f"{n}. {h.title}\n   {details}\n   {h.url}")


@click.command("index")
@content_option
@index_option
@as_of_option
@settings_option
def index_cmd(content_dir, index_dir, as_of, settings_file):
    """建立或更新命令行检索索引；只重新索引有变化的文件。"""
    from ..build_lock import cache_lock_path, exclusive
    from .records import records_from_site
    from .whoosh_index import update_index

    project = load_project(content_dir, settings_file=settings_file)
    archive = project.require_archive()
    for error in archive.errors:
        click.echo(f"跳过：{error}", err=True)
    model = project.site_model(archive, as_of)
    # The build writes the same index: the cache's lock keeps the two apart (gazette.build_lock).
    own = index_dir is None or os.path.abspath(index_dir) == os.path.abspath(project.whoosh_dir)
    if own:
        index_dir, lock = project.whoosh_dir, exclusive(cache_lock_path(project.cache_dir), f"缓存目录 {project.cache_dir}")
    else:  # an index of the user's own: a lock file beside it, removed afterwards
        lock = exclusive(os.path.abspath(index_dir).rstrip(os.sep) + ".lock", f"检索索引 {index_dir}", remove=True)
    with lock:
        update = update_index(records_from_site(model), index_dir, cache_dir=project.cache_dir)
    click.echo(f"检索索引 {index_dir}：共 {len(model.documents)} 篇；新增 {len(update.added)}，"
               f"更新 {len(update.updated)}，删除 {len(update.removed)}，未变 {update.unchanged}。")
