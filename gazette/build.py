"""`gazette build` and `gazette serve`: the archive through Pelican into a static site."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
import time
from dataclasses import dataclass, field

import click

from . import derived, timing
from .build_context import BuildContext, activate
from .build_lock import build_locks
from .build_shortcut import SUMMARY_KEYS, Shortcut, content_stat, inputs_key
from .cli_options import as_of_option, content_option, lenient_option, output_option, settings_option
from .incremental import build_state, compaction_needed, model_key
from .metadata import MetadataError
from .project import BuildMode, GazetteError, Project, load_project
from .header_cache import FILE as HEADERS_FILE
from .header_cache import HeaderCache
from .render import HtmlCache
from .validity import as_of_date


@dataclass
class BuildResult:
    output_dir: str
    as_of: dt.date
    documents: int = 0
    issues: int = 0
    withheld: int = 0
    drafts: int = 0
    errors: list[MetadataError] = field(default_factory=list)
    warnings: list[MetadataError] = field(default_factory=list)  # reported; nothing was skipped for them
    skipped_files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pages_rendered: int = 0
    pages_kept: int = 0
    files_written: int = 0
    files_removed: int = 0
    timings: "timing.Timings | None" = None
    unchanged: bool = False  # nothing changed since the last completed build: nothing was done

    @property
    def ok(self) -> bool:
        return not self.errors or bool(self.skipped_files)


class PartitionsIncomplete(Exception):
    """An assembly over merged partition outputs in which some documents have no page."""

    def __init__(self, years: list[int], count: int):
        self.years, self.count = years, count
        super().__init__(f"{count} documents of {years} have no page in the merged output")


def missing_document_pages(model, output_dir: str) -> list:
    """Listed documents whose page no partition wrote into the merged output (assembly check)."""
    return [d for d in model.documents if not os.path.isfile(os.path.join(output_dir, d.url))]


class MetadataCheckFailed(Exception):
    def __init__(self, errors: list[MetadataError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def build_site(content_dir: str | None = None, output_dir: str | None = None, as_of: str | dt.date | None = None,
               lenient: bool = False, settings_file: str | None = None, quiet: bool = True,
               extra_settings: dict | None = None, partition: tuple[int, int] | None = None,
               assemble: bool = False, project: Project | None = None,
               require_documents: bool = False) -> BuildResult:
    """Validate the archive, then run Pelican. Raises MetadataCheckFailed on errors unless lenient.

    Folders and settings come from `project`, else from `load_project` (gazette/project.py);
    `require_documents` raises GazetteError for an archive without any document file."""
    from pelican import Pelican

    started = time.perf_counter()
    timings = timing.start()
    day = as_of_date(as_of)
    project = project or load_project(content_dir, output_dir, settings_file, extra_settings)
    project.require_content()
    project.require_separate_output()
    from .search.names import LEGACY_TEMP_PREFIX

    mode = BuildMode(partition, assemble)
    code = code_digest(project.settings)
    global_fp = global_fingerprint(project.settings, day, code)
    with build_locks(project.output_dir, project.cache_dir):
        derived.keep_in(os.path.join(project.cache_dir, "derived"))  # facts of the installed code (gazette.derived)
        shortcut = Shortcut(project.cache_dir, project.output_dir, project.whoosh_dir, mode.key)
        # In a child, while the content files are hashed: what a killed build left goes (temporary
        # files of atomic writes, scratch folders of older versions) as the output and the caches
        # are compared with the last completed build's record.
        looked = shortcut.look_later(sweep=(LEGACY_TEMP_PREFIX,))
        files: dict[str, bytes] = {}
        seen: dict[str, tuple] = {}  # each content file's status as hashed (content_stat)
        read: dict[str, tuple[bytes, bytes]] = {}  # Markdown files as hashed, for the header pass
        # The cache folder (and the locks beside it) when they lie in the content folder: not content.
        not_content = (project.cache_dir, os.path.join(os.path.dirname(project.cache_dir), "locks"))
        headers = archive = None
        reading = contextlib.ExitStack()  # the "read metadata" stage, once it starts
        try:
            shortcut.key = inputs_key(project.content_dir, global_fp, mode.key, files, not_content, seen, read)
            if shortcut.names_other_inputs():
                # The short cut cannot hold whatever the comparison finds: the archive is read while
                # the child compares, the header cache held (nothing written to it) until the
                # record is gone.
                reading.enter_context(timing.stage("read metadata"))
                headers = HeaderCache(os.path.join(project.cache_dir, HEADERS_FILE), code)
                headers.held, headers.read_before = True, read
                archive = project.load_archive(headers)
            holds = shortcut.holds(looked)
        except BaseException:
            looked.abandon()
            if headers is not None:
                headers.close()
            reading.close()
            raise
        # Nothing changed and the last build met no problem: its figures stand, and the archive is
        # not even read (at 10,000 documents reading the headers was two thirds of a no-change build).
        if holds and headers is None and (summary := shortcut.summary()) and \
                (summary["documents"] or not require_documents):
            timing.end_pelican()
            return BuildResult(output_dir=project.output_dir, as_of=day, seconds=time.perf_counter() - started,
                               pages_kept=shortcut.files, timings=timings, unchanged=True, **summary)
        with reading:
            try:
                if not holds:
                    # From here on the caches change (the header cache first): the record must not
                    # outlive it. A build killed now and the content put back would otherwise take the
                    # short cut over caches that hold what it read (a document public for the moment
                    # of its run: review 17).
                    shortcut.forget()
                unfinished = _unfinished(project.cache_dir)  # the build before this one did not complete
                if headers is None:
                    reading.enter_context(timing.stage("read metadata"))
                    headers = HeaderCache(os.path.join(project.cache_dir, HEADERS_FILE), code)
                    headers.read_before = read
                    archive = project.load_archive(headers)
                headers.release()
            finally:
                read.clear()
                if headers is not None:
                    headers.close()
            model_inputs = model_key(global_fp, mode.key, project.content_dir, files, headers.header_digests)
        if require_documents:
            project.require_documents(archive)
        if archive.errors and not lenient:
            raise MetadataCheckFailed(archive.errors)
        with timing.stage("validity"):
            model = project.site_model(archive, day)
        if assemble:
            missing = missing_document_pages(model, project.output_dir)
            if missing:
                raise PartitionsIncomplete(sorted({d.date.year for d in missing}), len(missing))
        if holds:
            timing.end_pelican()
            _unfinished(project.cache_dir, done=True)
            result = _result(project, archive, model, day, started, timings, kept=shortcut.files)
            result.unchanged = True
            return result
        own = frozenset(d.slug for d in model.documents if mode.writes_document(d)) if mode.partition else frozenset()
        shortcut.remove_damaged(lambda rel: mode.makes_again(rel, own))
        html = HtmlCache(os.path.join(project.cache_dir, "html.sqlite"), code)
        model.texts = html  # rendered with the bodies below, read by every child
        build = BuildContext(project=project, model=model, as_of=day, mode=mode, lenient=lenient, html=html,
                             code=code)
        with timing.stage("render bodies"):
            html.fill(d.body for d in archive.documents if d.is_public and build.mode.writes_document(d))
        snapshot = None
        try:
            try:
                with _pelican_console(quiet), _plugins_of_this_build(), activate(build), build_state(project.output_dir, project.cache_dir, global_fp, mode.key, model_inputs) as state:
                    build.state = state
                    state.compact_all = unfinished
                    state.output_as_left = shortcut.untouched
                    Pelican(project.settings).run()
                # The output is complete: its snapshot for the no-change record is taken by children
                # while the render cache is compacted below.
                snapshot = shortcut.snapshot_later()
                # The render cache keeps the text of public documents only: a document withheld or
                # edited since leaves no rendering behind.
                html.retain((d.body for d in archive.documents if d.is_public), compaction_needed(state))
            finally:
                build.state = None
                model.texts = None
                html.close()
                timing.end_pelican()
            result = _result(project, archive, model, day, started, timings, state.stats.rendered, state.stats.kept,
                             state.stats.written, state.stats.removed)
            taken = snapshot.wait()
        except BaseException:
            if snapshot is not None:  # nobody will ask: the children are stopped and reaped
                snapshot.abandon()
            raise
        # Counts only, and only for a build without errors or warnings: a message may name a
        # withheld file's path or quote its value, and the cache keeps nothing of those. Not at all
        # when a content file changed while the build ran: the key would name bytes it did not read.
        if content_stat(project.content_dir, not_content) == seen:
            shortcut.record(None if result.errors or result.warnings or result.skipped_files else
                            {k: getattr(result, k) for k in SUMMARY_KEYS}, taken)
        _unfinished(project.cache_dir, done=True)
    return result


def _unfinished(cache_dir: str, done: bool = False) -> bool:
    """Whether the last build that read the archive into these caches did not complete (killed, or
    failed); marks this one as under way (`done`: completed). The caches then compact whatever they
    delete (incremental.compaction_needed)."""
    path = os.path.join(cache_dir, "build-under-way")
    if done:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        return False
    was = os.path.exists(path)
    os.makedirs(cache_dir, exist_ok=True)
    with open(path, "w", encoding="utf-8"):
        pass
    return was


def _result(project, archive, model, day, started, timings, rendered=0, kept=0, written=0, removed=0) -> BuildResult:
    return BuildResult(output_dir=project.output_dir, as_of=day, documents=len(archive.documents),
                       issues=len(archive.issues), withheld=archive.withheld_count, drafts=len(archive.drafts),
                       errors=archive.errors, warnings=model.warnings(),
                       skipped_files=sorted(set(archive.bad_files)), seconds=time.perf_counter() - started,
                       pages_rendered=rendered, pages_kept=kept, files_written=written, files_removed=removed,
                       timings=timings)


def _setting_value(value):
    """A stable picture of a setting for the fingerprint: functions by name, sets sorted."""
    if isinstance(value, (set, frozenset)):
        return sorted(map(repr, value))
    if callable(value):
        return f"{getattr(value, '__module__', '')}.{getattr(value, '__qualname__', type(value).__name__)}"
    return repr(value)


def code_digest(settings: dict) -> str:
    """Our code, theme and plugins, and the site's own templates (Pelican's THEME_TEMPLATES_OVERRIDES:
    an edit of one there is a change of every page it makes)."""
    from .incremental import PACKAGE_DIR, tree_digest

    return tree_digest(PACKAGE_DIR, settings["THEME"], *settings.get("PLUGIN_PATHS", []),
                       *settings.get("THEME_TEMPLATES_OVERRIDES", []))


def global_fingerprint(settings: dict, as_of: dt.date, code: str) -> str:
    """What every page depends on: our code (`code_digest`), theme and plugins, the settings and the as-of date."""
    import hashlib
    import json

    picked = {k: v for k, v in settings.items() if k.isupper()}
    blob = json.dumps(picked, sort_keys=True, default=_setting_value, ensure_ascii=False)
    return hashlib.sha256(f"{code}|{as_of.isoformat()}|{blob}".encode()).hexdigest()


@contextlib.contextmanager
def _plugins_of_this_build():
    """Only this build's PLUGINS receive Pelican's signals.

    Pelican's signals live as long as the process and a plugin's register() connects to them on
    every build, so without this a site's plugin kept running in every later build in the same
    process (of another site, another partition), writing its files there. Each build ends with
    the receivers that were connected before it.
    """
    import weakref

    from blinker import Signal
    from pelican.plugins import signals

    every = [s for s in vars(signals).values() if isinstance(s, Signal)]
    before = [set(s.receivers) for s in every]
    try:
        yield
    finally:
        for signal, kept in zip(every, before):
            for key in set(signal.receivers) - kept:
                receiver = signal.receivers[key]
                receiver = receiver() if isinstance(receiver, weakref.ref) else receiver
                if receiver is not None:
                    signal.disconnect(receiver)


@contextlib.contextmanager
def _pelican_console(quiet: bool):
    """Pelican's own English lines (each file written, "Done: Processed N articles…") only with --verbose.

    Its log keeps warnings either way; the summary line is printed straight to the console that
    `pelican/__init__.py` imported, so a silent console stands in for it while the build runs.
    """
    import pelican
    from pelican.log import init as init_logging
    from rich.console import Console

    init_logging(level=logging.WARNING if quiet else logging.INFO)
    was = pelican.console
    if quiet:
        pelican.console = Console(quiet=True)
    try:
        yield
    finally:
        pelican.console = was


@click.command("build")
@content_option
@output_option
@as_of_option
@lenient_option
@settings_option
@click.option("--partition", metavar="YYYY-YYYY",
              help="只写这些年份发布的文件的页面和检索分片（整十年，如 1950-1989），"
                   "用于分多个并行任务构建超大档案。")
@click.option("--assemble", is_flag=True,
              help="各分区构建合并到 --output 之后：写全站页面（首页、公报、列表、报告、订阅、检索清单），"
                   "不重建各文件页面。")
@click.option("--verbose", is_flag=True, help="显示 Pelican 写出的每个文件。")
def build_cmd(content_dir, output_dir, as_of, lenient, settings_file, partition, assemble, verbose):
    """从档案构建静态网站。"""
    years = None
    if partition:
        years = parse_partition(partition)
        if assemble:
            raise click.UsageError("--partition 和 --assemble 应分两次运行（见 docs/scaling.md）")
    project = load_project(content_dir, output_dir, settings_file)
    try:
        result = build_site(as_of=as_of, lenient=lenient, quiet=not verbose, partition=years, assemble=assemble,
                            project=project, require_documents=True)
    except MetadataCheckFailed as e:
        for err in e.errors:
            click.echo(str(err), err=True)
        click.echo(f"构建中止：{len(e.errors)} 处元数据错误。修正后重试，或用 --lenient 跳过出错文件。", err=True)
        sys.exit(1)
    except PartitionsIncomplete as e:
        years = "、".join(str(y) for y in e.years)
        click.echo(f"汇总中止：{e.count} 件文件在合并后的 {project.output_dir}/ 中没有页面（发布年份 {years}），"
                   f"没有哪个分区构建了这些年份。请让 --partition 的年份范围覆盖档案的所有年份，"
                   f"再把每个分区的输出合并进来（见 docs/scaling.md）。", err=True)
        sys.exit(1)
    for warning in result.warnings:
        click.echo(str(warning), err=True)
    if result.unchanged:
        click.echo(f"{project.output_dir}/ 已是最新：档案、设置、代码和评估日期与上次完整构建相同，输出未被改动，"
                   f"无需重写（{result.documents} 件文件、{result.issues} 期公报，用时 {result.seconds:.1f} 秒）")
    else:
        click.echo(f"已构建 {result.documents} 件文件、{result.issues} 期公报到 {project.output_dir}/"
                   f"（有效性评估日期 {result.as_of}，用时 {result.seconds:.1f} 秒）")
    if result.drafts:
        click.echo(f"{result.drafts} 件导入草稿待审核，未发布（gazette check 列出）。", err=True)
    if result.skipped_files:
        for err in result.errors:
            click.echo(str(err), err=True)
        click.echo(f"已跳过 {len(result.skipped_files)} 个出错文件：", err=True)
        for path in result.skipped_files:
            click.echo(f"  {path}", err=True)


def parse_partition(value: str) -> tuple[int, int]:
    """'1950-1989' → (1950, 1989); partitions cover whole decades so search shards never straddle two jobs."""
    import re

    m = re.fullmatch(r"(\d{4})\s*-\s*(\d{4})", value.strip())
    if not m or int(m.group(1)) > int(m.group(2)):
        raise click.BadParameter(f"“{value}”不是年份范围（应为 YYYY-YYYY，如 1950-1989）", param_hint="--partition")
    first, last = int(m.group(1)), int(m.group(2))
    if first % 10 or last % 10 != 9:
        raise click.BadParameter(f"“{value}”不是整十年（应如 1950-1989）", param_hint="--partition")
    return first, last


@click.command("serve")
@output_option
@click.option("--port", default=8000, show_default=True, type=int, help="监听端口。")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址。")
@settings_option
def serve_cmd(output_dir, port, host, settings_file):
    """在本机预览已构建的网站（正式发布时任何静态主机都能提供）。"""
    output_dir = load_project(output_dir=output_dir, settings_file=settings_file).output_dir
    if not os.path.isfile(os.path.join(output_dir, "index.html")):
        raise GazetteError(f"{output_dir} 中没有已构建的网站（请先运行 gazette build）")
    from .preview import serve

    server = serve(output_dir, port, host)
    click.echo(f"正在预览：http://localhost:{server.server_address[1]}/ （Ctrl+C 停止）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
