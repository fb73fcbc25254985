"""The project every command works on: its settings (read once), content, output and cache folders,
and the build mode.

`load_project` is the one place these are worked out; build, serve, check, index, search, cleanup
and import all call it, so a setting, a cache path or a default cannot disagree between commands.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field

import click

from .defaults import with_defaults

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
SETTINGS_FILE = "pelicanconf.py"
# Our plugins, in pipeline order; they run after a site's own plugins.
GAZETTE_PLUGINS = ["gazette_site", "validity", "search_index", "publishing"]
ARCHIVE_LAYOUT = ("documents/（每件文件一个 Markdown 文件，必需）、issues/（每期公报一个文件）、"
                  "scans/（扫描原件 PDF）、pages/（静态页面）")


def resource_dir(name: str) -> str:
    """theme/ or plugins/: inside the installed package (`gazette/_theme`), else at the top of this checkout."""
    installed = os.path.join(PACKAGE_DIR, "_" + name)
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(PACKAGE_DIR), name)


THEME_DIR = resource_dir("theme")
PLUGINS_DIR = resource_dir("plugins")

# Pelican features the gazette replaces with its own pages; switched off so nothing stray is written.
PELICAN_FIXED = {
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


class GazetteError(click.ClickException):
    """A problem a person can act on: printed as one Chinese sentence, exit status 1."""

    def show(self, file=None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True, file=file)


PER_DOCUMENT = ("documents/", "eli/")  # the output a partition run writes; everything else is site-wide


@dataclass(frozen=True)
class BuildMode:
    """Which part of the site a build writes: all of it, one partition's documents, or the assembly.

    Very large archives are built as partitions (year ranges, e.g. in parallel CI jobs) that write
    only their documents' pages and search shards, then one `assemble` run writes the site-wide
    pages over the merged output (docs/scaling.md). The one place this rule is written."""

    partition: tuple[int, int] | None = None  # (first_year, last_year)
    assemble: bool = False

    @property
    def site_wide(self) -> bool:
        """Listings, home, issues, reports, feeds, sitemap, the command-line index: everything not per document."""
        return self.partition is None

    @property
    def writes_documents(self) -> bool:
        """Whether this run writes any document's files (the assembly writes none)."""
        return not self.assemble

    def writes_document(self, doc) -> bool:
        if self.assemble:
            return False
        if self.partition is None:
            return True
        return self.partition[0] <= doc.date.year <= self.partition[1]

    def makes_again(self, rel: str, own_slugs: frozenset[str] = frozenset()) -> bool:
        """Whether this run makes the output file at `rel` ('/'-separated) again if it is removed: a
        full build every file; the assembly none of the documents' files (documents/, eli/: the
        partitions', merged into its folder); a partition only its own documents' (`own_slugs`)
        under documents/ (the eli/ short addresses it writes it compares byte for byte anyway)."""
        if self.partition is None and not self.assemble:
            return True
        if self.assemble:
            return not rel.startswith(PER_DOCUMENT)
        return rel.startswith("documents/") and rel[len("documents/"):].split(".", 1)[0] in own_slugs

    @property
    def key(self) -> str:
        if self.assemble:
            return "assemble"
        return f"partition-{self.partition[0]}-{self.partition[1]}" if self.partition else "full"


FULL_BUILD = BuildMode()


@dataclass(frozen=True)
class Project:
    """A site project: settings as Pelican reads them (Pelican's defaults, ours, the site's file, our
    fixed choices) and the folders every command uses."""

    settings: dict = field(hash=False, compare=False)
    content_dir: str
    output_dir: str
    cache_dir: str                  # this archive's caches: <cache root>/<hash of the content folder>
    settings_file: str | None = None

    @property
    def script(self) -> str:
        return self.settings["SITE_SCRIPT"]

    @property
    def validity(self):
        from .validity import ValiditySettings

        return ValiditySettings.from_pelican(self.settings)

    @property
    def publishing(self):
        from .publishing.links import PublishingSettings

        return PublishingSettings.from_pelican(self.settings)

    @property
    def whoosh_dir(self) -> str:
        """The command-line search index (written by `gazette build` and `gazette index`)."""
        return os.path.join(self.cache_dir, "whoosh")

    def load_archive(self, headers=None):
        """The archive; `headers`: a header_cache.HeaderCache to read documents through (a build's)."""
        from .archive import load_archive

        return load_archive(self.content_dir, headers)

    def require_archive(self):
        """The archive a command works on; GazetteError when the content folder or its documents are missing."""
        self.require_content()
        archive = self.load_archive()
        self.require_documents(archive)
        return archive

    def site_model(self, archive, as_of):
        from .site import SiteModel

        from .scans import ScanSettingError, scan_mode

        try:
            mode = scan_mode(self.settings)
        except ScanSettingError as e:
            raise GazetteError(str(e)) from None
        return SiteModel.build(archive, as_of, self.validity, self.script, mode, self.cache_dir)

    def require_content(self) -> None:
        """GazetteError when the content folder does not exist."""
        if not os.path.isdir(self.content_dir):
            raise GazetteError(f"档案目录 {os.path.abspath(self.content_dir)} 不存在。档案目录应包含 "
                               f"{ARCHIVE_LAYOUT}；用 --content 指定档案目录。")

    def require_separate_output(self) -> None:
        """GazetteError when building would write or delete files of the archive: an output folder
        inside the content folder, or a folder in the output that is a symlink (output/scans linked
        to content/scans to save space: the build replaced the originals by redacted copies and
        deleted the scans it does not publish, a withheld document's original among them)."""
        content, output = os.path.realpath(self.content_dir), os.path.realpath(self.output_dir)
        if os.path.commonpath([content, output]) == content:
            raise GazetteError(f"输出目录 {os.path.abspath(self.output_dir)} 在档案目录 {content} 之中："
                               "构建会改动档案（应为档案目录之外的文件夹；用 --output 指定）")
        cache = os.path.realpath(self.cache_dir)
        if os.path.commonpath([output, cache]) == output:
            # The caches hold what public documents say and the lock files: published with the site,
            # and judged as output (review 18).
            raise GazetteError(f"缓存目录 {cache} 在输出目录 {output} 之中：缓存会随网站一起发布"
                               "（应为输出目录之外的文件夹；用设置或环境变量 GAZETTE_CACHE_DIR 指定）")
        try:
            names = sorted(os.listdir(self.output_dir))
        except OSError:
            return
        for name in names:
            path = os.path.join(self.output_dir, name)
            if os.path.islink(path) and os.path.isdir(path):
                raise GazetteError(f"输出目录中的 {name} 是指向 {os.path.realpath(path)} 的符号链接：构建会在那里写入和删除"
                                   "文件（应为普通文件夹；删除该链接后重新构建）")

    def require_documents(self, archive) -> None:
        """GazetteError unless the archive holds at least one document file (public, on request, a draft,
        withheld or with errors): an empty or mistaken --content must not pass for an empty archive."""
        if archive.documents or archive.withheld_count or archive.bad_files or archive.drafts:
            return
        from .archive import DOCUMENTS_DIR

        folder = os.path.join(self.content_dir, DOCUMENTS_DIR)
        where = (f"{folder}/ 中没有任何文件（*.md）" if os.path.isdir(folder)
                 else f"在 {os.path.abspath(self.content_dir)} 下没有找到 {DOCUMENTS_DIR}/ 文件夹")
        raise GazetteError(f"{where}。档案目录应包含 {ARCHIVE_LAYOUT}；用 --content 指定档案目录。")


def find_settings_file(settings_file: str | None = None) -> str | None:
    """The settings file: the one given, else pelicanconf.py in the current folder, else none (defaults)."""
    if settings_file:
        if not os.path.isfile(settings_file):
            raise GazetteError(f"找不到设置文件 {settings_file}")
        return os.path.abspath(settings_file)
    return os.path.abspath(SETTINGS_FILE) if os.path.isfile(SETTINGS_FILE) else None


def cache_root(settings: dict, settings_file: str | None, environ=os.environ) -> str:
    """GAZETTE_CACHE_DIR of the settings (relative to the settings file), else of the environment,
    else .cache/gazette beside the settings file (in the current folder when there is none)."""
    base = os.path.dirname(settings_file) if settings_file else os.getcwd()
    root = settings.get("GAZETTE_CACHE_DIR") or environ.get("GAZETTE_CACHE_DIR")
    return os.path.abspath(os.path.join(base, root) if root else os.path.join(base, ".cache", "gazette"))


def cache_dir_for(root: str, content_dir: str) -> str:
    """One cache folder per archive under the root, so two archives never share an index."""
    key = hashlib.sha1(os.path.abspath(content_dir).encode()).hexdigest()[:12]
    return os.path.join(root, key)


def load_project(content_dir: str | None = None, output_dir: str | None = None, settings_file: str | None = None,
                 extra: dict | None = None, find_settings: bool = True) -> Project:
    """The project: settings read once with Pelican's `read_settings`, then the folders.

    content: `content_dir`, else the settings' PATH, else ./content; output: `output_dir`, else the
    settings' OUTPUT_PATH (Pelican's default: ./output). The site's PLUGINS run, ours after them.
    `extra` overrides the settings file (scripts and tests)."""
    from pelican.settings import get_settings_from_file, read_settings

    path = find_settings_file(settings_file) if (find_settings or settings_file) else None
    extra = dict(extra or {})
    # Pelican warns about site settings (feeds, SITEURL) that do not concern us.
    log = logging.getLogger("pelican.settings")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        own = get_settings_from_file(path) if path else {}
        if content_dir is None:
            content_dir = extra.get("PATH") or own.get("PATH") or "content"
            if not os.path.isabs(content_dir) and path and ("PATH" in own and "PATH" not in extra):
                content_dir = os.path.join(os.path.dirname(path), content_dir)
        # Pelican insists that PATH exists; a missing content folder is reported by the command that needs it.
        where = os.path.abspath(content_dir) if os.path.isdir(content_dir) else os.getcwd()
        settings = read_settings(path, override={**extra, "PATH": where, "THEME": THEME_DIR})
    except GazetteError:
        raise
    except Exception as e:  # a settings file that does not run: say which
        raise GazetteError(f"无法读取设置文件 {path}：{e}") from e
    finally:
        log.setLevel(level)
    settings = with_defaults(settings)
    if output_dir is None:
        output_dir = settings["OUTPUT_PATH"]
    cache_dir = cache_dir_for(cache_root(settings, path), content_dir)
    plugins = [p for p in (settings.get("PLUGINS") or []) if p not in GAZETTE_PLUGINS]
    settings.update(PELICAN_FIXED)
    settings.update({
        "PATH": os.path.abspath(content_dir),
        "OUTPUT_PATH": os.path.abspath(output_dir),
        "THEME": THEME_DIR,
        "PLUGIN_PATHS": [PLUGINS_DIR] + [p for p in settings.get("PLUGIN_PATHS", []) if p != PLUGINS_DIR],
        "PLUGINS": plugins + [p for p in GAZETTE_PLUGINS if os.path.isdir(os.path.join(PLUGINS_DIR, p))],
        "CACHE_PATH": os.path.join(cache_dir, "pelican"),
    })
    return Project(settings=settings, content_dir=content_dir, output_dir=output_dir, cache_dir=cache_dir,
                   settings_file=path)
