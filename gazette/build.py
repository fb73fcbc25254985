"""`gazette build` and `gazette serve`: the archive through Pelican into a static site."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import logging
import os
import sys
import time
from dataclasses import dataclass, field

import click

from .archive import load_archive
from .incremental import build_state
from . import timing
from .pelican_site import BuildMode
from .render import HtmlCache
from .metadata import MetadataError
from .site import SiteModel
from .validity import ValiditySettings, as_of_date

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Pelican features the gazette replaces with its own pages; switched off so nothing stray is written.
_PELICAN_OVERRIDES = {
    "ARTICLE_PATHS": ["documents"],
    "PAGE_PATHS": ["pages"],
    "STATIC_PATHS": ["scans"],
    "ARTICLE_EXCLUDES": [],
    "DIRECT_TEMPLATES": [],
    "PAGINATED_TEMPLATES": {},
    "ARTICLE_LANG_SAVE_AS": "",
    "PAGE_LANG_SAVE_AS": "",
    "DRAFT_SAVE_AS": "",
    "DRAFT_LANG_SAVE_AS": "",
    "DRAFT_PAGE_SAVE_AS": "",
    "DRAFT_PAGE_LANG_SAVE_AS": "",
    "CATEGORY_SAVE_AS": "",
    "TAG_SAVE_AS": "",
    "AUTHOR_SAVE_AS": "",
    "ARCHIVES_SAVE_AS": "",
    "YEAR_ARCHIVE_SAVE_AS": "",
    "MONTH_ARCHIVE_SAVE_AS": "",
    "DAY_ARCHIVE_SAVE_AS": "",
    "CATEGORIES_SAVE_AS": "",
    "TAGS_SAVE_AS": "",
    "AUTHORS_SAVE_AS": "",
    "FEED_ALL_ATOM": None,
    "FEED_ALL_RSS": None,
    "CATEGORY_FEED_ATOM": None,
    "CATEGORY_FEED_RSS": None,
    "AUTHOR_FEED_ATOM": None,
    "AUTHOR_FEED_RSS": None,
    "TRANSLATION_FEED_ATOM": None,
    "TRANSLATION_FEED_RSS": None,
    "TAG_FEED_ATOM": None,
    "TAG_FEED_RSS": None,
    "RELATIVE_URLS": True,
    "READERS": {"rst": None, "html": None, "htm": None},
    "DELETE_OUTPUT_DIRECTORY": False,
    "TYPOGRIFY": False,
    "STATIC_CHECK_IF_MODIFIED": True,
    # Theme assets are copied by the gazette generator, only when their bytes changed.
    "THEME_STATIC_PATHS": [],
    # Our reader owns all metadata; Pelican must not read dates or slugs from file names.
    "FILENAME_METADATA": "",
    "PATH_METADATA": "",
    "JINJA_ENVIRONMENT": {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True, "extensions": []},
}


@dataclass
class BuildResult:
    output_dir: str
    as_of: dt.date
    documents: int = 0
    issues: int = 0
    withheld: int = 0
    drafts: int = 0
    errors: list[MetadataError] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    pages_rendered: int = 0
    pages_kept: int = 0
    files_written: int = 0
    files_removed: int = 0
    timings: "timing.Timings | None" = None

    @property
    def ok(self) -> bool:
        return not self.errors or bool(self.skipped_files)


class PartitionsIncomplete(Exception):
    """An assembly over merged partition outputs in which some documents have no page."""

    def __init__(self, years: list[int], count: int):
        self.years, self.count = years, count
        super().__init__(f"{count} documents of {years} have no page in the merged output")


def missing_document_pages(model: SiteModel, output_dir: str) -> list:
    """Listed documents whose page no partition wrote into the merged output (assembly check)."""
    return [d for d in model.documents if not os.path.isfile(os.path.join(output_dir, d.url))]


class MetadataCheckFailed(Exception):
    def __init__(self, errors: list[MetadataError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def cache_dir_for(content_dir: str) -> str:
    """Caches (rendered bodies, the command-line search index, build manifests) per archive, outside output/.

    GAZETTE_CACHE_DIR in the environment moves the root (for CI caches or read-only checkouts)."""
    import hashlib

    root = os.environ.get("GAZETTE_CACHE_DIR") or os.path.join(PROJECT_DIR, ".cache", "gazette")
    key = hashlib.sha1(os.path.abspath(content_dir).encode()).hexdigest()[:12]
    return os.path.join(root, key)


def pelican_settings(content_dir: str, output_dir: str, settings_file: str | None = None,
                     extra: dict | None = None) -> dict:
    """Pelican settings for a gazette build: the project's conf file plus the gazette's fixed choices."""
    from pelican.settings import read_settings

    settings_file = settings_file or os.path.join(PROJECT_DIR, "pelicanconf.py")
    override = dict(_PELICAN_OVERRIDES)
    override.update({
        "PATH": os.path.abspath(content_dir),
        "OUTPUT_PATH": os.path.abspath(output_dir),
        "THEME": os.path.join(PROJECT_DIR, "theme"),
        "PLUGIN_PATHS": [os.path.join(PROJECT_DIR, "plugins")],
        "GAZETTE_CACHE_DIR": cache_dir_for(content_dir),
        "CACHE_PATH": os.path.join(PROJECT_DIR, ".cache", "pelican"),
    })
    settings = read_settings(settings_file, override=override)
    # Plugins present in this checkout, in pipeline order.
    wanted = ["gazette_site", "validity", "search_index", "publishing"]
    have = [p for p in wanted if os.path.isdir(os.path.join(PROJECT_DIR, "plugins", p))]
    settings["PLUGINS"] = [p for p in settings.get("PLUGINS", []) if p not in wanted] + have
    if extra:
        settings.update(extra)
    return settings


def build_site(content_dir: str = "content", output_dir: str = "output", as_of: str | dt.date | None = None,
               lenient: bool = False, settings_file: str | None = None, quiet: bool = True,
               extra_settings: dict | None = None, partition: tuple[int, int] | None = None,
               assemble: bool = False) -> BuildResult:
    """Validate the archive, then run Pelican. Raises MetadataCheckFailed on errors unless lenient."""
    from pelican import Pelican

    started = time.perf_counter()
    timings = timing.start()
    day = as_of_date(as_of)
    with timing.stage("read metadata"):
        archive = load_archive(content_dir)
    if archive.errors and not lenient:
        raise MetadataCheckFailed(archive.errors)
    settings = pelican_settings(content_dir, output_dir, settings_file, extra_settings)
    with timing.stage("validity"):
        model = SiteModel.build(archive, day, ValiditySettings.from_pelican(settings),
                              settings.get("SITE_SCRIPT", "zh-Hans"))
    if assemble:
        missing = missing_document_pages(model, output_dir)
        if missing:
            raise PartitionsIncomplete(sorted({d.date.year for d in missing}), len(missing))
    cache_dir = settings["GAZETTE_CACHE_DIR"]
    html = HtmlCache(os.path.join(cache_dir, "html.sqlite"))
    settings.update({"GAZETTE_AS_OF": day, "GAZETTE_SITE": model, "GAZETTE_LENIENT": lenient, "GAZETTE_HTML": html,
                     "GAZETTE_PARTITION": partition, "GAZETTE_ASSEMBLE": assemble})
    mode = BuildMode(settings)
    with timing.stage("render bodies"):
        html.fill(d.body for d in archive.documents if d.is_public and mode.writes_document(d))
    _quiet_pelican(quiet)
    try:
        with build_state(output_dir, cache_dir, global_fingerprint(settings, day), mode.key) as state:
            Pelican(settings).run()
    finally:
        html.close()
        timing.end_pelican()
    return BuildResult(output_dir=output_dir, as_of=day, documents=len(archive.documents),
                       issues=len(archive.issues), withheld=archive.withheld_count, drafts=len(archive.drafts),
                       errors=archive.errors,
                       skipped_files=sorted(set(archive.bad_files)), seconds=time.perf_counter() - started,
                       pages_rendered=state.stats.rendered, pages_kept=state.stats.kept,
                       files_written=state.stats.written, files_removed=state.stats.removed, timings=timings)


# Settings that can change what a page shows; anything else (paths, the model itself) is covered elsewhere.
_FINGERPRINT_SKIP = {"GAZETTE_SITE", "GAZETTE_HTML", "GAZETTE_AS_OF", "_GAZETTE_DEPS_FOR", "PATH", "OUTPUT_PATH",
                     "CACHE_PATH", "GAZETTE_CACHE_DIR", "JINJA_FILTERS", "JINJA_GLOBALS", "JINJA_TESTS"}


def global_fingerprint(settings: dict, as_of: dt.date) -> str:
    """What every page depends on: our code, theme and plugins, the settings and the as-of date."""
    import hashlib
    import json

    from .incremental import PACKAGE_DIR, tree_digest

    code = tree_digest(PACKAGE_DIR, settings["THEME"], *settings.get("PLUGIN_PATHS", []))
    picked = {k: v for k, v in settings.items() if k.isupper() and k not in _FINGERPRINT_SKIP}
    blob = json.dumps(picked, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(f"{code}|{as_of.isoformat()}|{blob}".encode()).hexdigest()


def _quiet_pelican(quiet: bool) -> None:
    from pelican.log import init as init_logging

    init_logging(level=logging.WARNING if quiet else logging.INFO)


@click.command("build")
@click.option("--content", "content_dir", default="content", show_default=True, type=click.Path(file_okay=False),
              help="Folder holding the archive (documents/, issues/, scans/, pages/).")
@click.option("--output", "output_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder the static site is written to.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Evaluate validity on this date (default: SOURCE_DATE_EPOCH if set, else today).")
@click.option("--lenient", is_flag=True,
              help="Skip files with metadata errors (listed at the end) instead of stopping the build.")
@click.option("--settings", "settings_file", type=click.Path(dir_okay=False, exists=True),
              help="Pelican settings file (default: pelicanconf.py of the project; publishconf.py for production).")
@click.option("--partition", metavar="YYYY-YYYY",
              help="Write only the pages and search shards of documents published in these years "
                   "(whole decades, e.g. 1950-1989), for building a very large archive in parallel jobs.")
@click.option("--assemble", is_flag=True,
              help="After partition builds were merged into --output: write the site-wide pages "
                   "(home, issues, listings, reports, feeds, search manifest) without rebuilding documents.")
@click.option("--verbose", is_flag=True, help="Show every file Pelican writes.")
def build_cmd(content_dir, output_dir, as_of, lenient, settings_file, partition, assemble, verbose):
    """Build the static site from the archive."""
    if not os.path.isdir(content_dir):
        raise click.UsageError(f"content folder '{content_dir}' does not exist (expected --content DIR)")
    try:
        as_of_date(as_of)
    except ValueError:
        raise click.BadParameter(f"'{as_of}' is not a date (expected YYYY-MM-DD)", param_hint="--as-of")
    years = None
    if partition:
        years = parse_partition(partition)
        if assemble:
            raise click.UsageError("--partition and --assemble are separate runs (see docs/scaling.md)")
    try:
        result = build_site(content_dir, output_dir, as_of, lenient, settings_file, quiet=not verbose,
                            partition=years, assemble=assemble)
    except MetadataCheckFailed as e:
        for err in e.errors:
            click.echo(str(err), err=True)
        click.echo(f"构建中止：{len(e.errors)} 处元数据错误。修正后重试，或用 --lenient 跳过出错文件。", err=True)
        sys.exit(1)
    except PartitionsIncomplete as e:
        years = "、".join(str(y) for y in e.years)
        click.echo(f"汇总中止：{e.count} 件文件在合并后的 {output_dir}/ 中没有页面（发布年份 {years}），"
                   f"没有哪个分区构建了这些年份。请让 --partition 的年份范围覆盖档案的所有年份，"
                   f"再把每个分区的输出合并进来（见 docs/scaling.md）。", err=True)
        sys.exit(1)
    click.echo(f"已构建 {result.documents} 件文件、{result.issues} 期公报到 {output_dir}/"
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
        raise click.BadParameter(f"'{value}' is not a year range (expected YYYY-YYYY, e.g. 1950-1989)",
                                 param_hint="--partition")
    first, last = int(m.group(1)), int(m.group(2))
    if first % 10 or last % 10 != 9:
        raise click.BadParameter(f"'{value}' does not cover whole decades (expected e.g. 1950-1989)",
                                 param_hint="--partition")
    return first, last


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm",
                      ".json": "application/json", ".xml": "application/xml", ".pf_meta": "application/octet-stream"}

    def log_message(self, fmt, *args):  # keep the terminal readable
        pass

    def handle(self):
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the browser cancelled a request (e.g. a range request on a PDF)


def serve(output_dir: str, port: int, host: str = "127.0.0.1") -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_QuietHandler, directory=os.path.abspath(output_dir))
    return http.server.ThreadingHTTPServer((host, port), handler)


@click.command("serve")
@click.option("--output", "output_dir", default="output", show_default=True, type=click.Path(file_okay=False),
              help="Folder of the built site.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def serve_cmd(output_dir, port, host):
    """Serve the built site for preview (any static host serves it in production)."""
    if not os.path.isfile(os.path.join(output_dir, "index.html")):
        raise click.UsageError(f"no built site in '{output_dir}' (run `gazette build` first)")
    server = serve(output_dir, port, host)
    click.echo(f"正在预览：http://localhost:{port}/ （Ctrl+C 停止）")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
