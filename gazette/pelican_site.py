"""Adapters between the gazette model and Pelican: the reader, the listings generator, Jinja setup.

The plugin in plugins/gazette_site only connects these to Pelican's signals.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import types

import jinja2
from pelican.generators import Generator
from pelican.readers import BaseReader

from . import build_context, feeds, incremental, typography
from .build_context import BuildError  # noqa: F401 - re-exported
from .inert import script_json
from .labels import STATUS_LABELS, FLAG_LABELS, all_labels, flag_shown, localise, people_date
from .metadata import split_header
from .model import read_text
from .pages import DIMENSIONS, group_url, plan_pages
from .citations import citations, link_citations
from .render import to_html
from .site import SiteModel
from .incremental import write_text  # noqa: F401 - write_text re-exported
from .views import document_view, validity_data

log = logging.getLogger(__name__)


def site_model(settings: dict) -> SiteModel:
    """The SiteModel of this Pelican run (its build context's)."""
    return build_context.for_pelican(settings).model


def drop_unpublishable_scans(generator) -> None:
    """Pelican copies no static file: the scans the site carries are written by the publishing
    stage (gazette.publishing.published_scans), redacted where they hold pages that may not be
    published, and nothing else under content/ (a `{static}` link in a body) is copied."""
    generator.staticfiles[:] = []
    generator.context["staticfiles"] = []


class GazetteReader(BaseReader):
    """Reads content Markdown with our header format (Chinese keys, line-numbered errors)."""

    enabled = True
    file_extensions = ["md", "markdown"]

    def read(self, source_path):
        build = build_context.for_pelican(self.settings)
        rel = os.path.relpath(source_path, self.settings["PATH"]).replace(os.sep, "/")
        if rel.startswith("documents/"):
            doc = build.document_at(rel)
            if doc is None or not build.mode.writes_document(doc):
                # withheld, skipped by a lenient build, or another partition's
                return "", {"status": "skip", "title": "", "date": dt.datetime(1970, 1, 1)}
            if incremental.keeps_document_page(doc):
                # Its page is already in the output, byte for byte what it would render: skip it entirely.
                return "", {"status": "skip", "title": "", "date": dt.datetime(1970, 1, 1)}
            cache = build.html
            content = (cache.get(doc.body) if cache else to_html(doc.body)) if doc.is_public else ""
            content = link_citations(content, doc, citations(build.model, doc))
            return content, {
                "title": doc.title, "date": dt.datetime.combine(doc.date, dt.time()), "slug": doc.slug,
                "save_as": doc.url, "url": doc.url, "template": "document", "doc": doc,
                "status": "published",
            }
        page = build.model.archive.pages.get(rel)
        if page is None:
            # A file with errors (reported; lenient build), or one the archive never read: in a hidden
            # or symlinked folder (Pelican follows those; it could be any file, a withheld document).
            return "", {"status": "skip", "title": "", "date": dt.datetime(1970, 1, 1)}
        header = split_header(read_text(source_path), rel)
        return to_html(header.body), {"title": page.title, "slug": page.slug, "save_as": page.url,
                                      "url": page.url, "template": "page", "status": "published"}


def skip_kept_documents(generator) -> None:
    """Pelican's article generator does not list the files of documents whose pages are kept
    (incremental.keeps_document_page): it would open each, work out metadata from its path, make a
    content object and send two signals, only for our reader to skip it. At 10,000 documents that
    per-file work was a quarter of an edit-one rebuild's time in the page writer's process."""
    build = build_context.for_pelican(generator.settings)
    listed = generator.get_files

    def get_files(paths, exclude=None, extensions=None):
        if list(paths) == ["documents"] and not exclude:
            # The listed documents' files: the only ones under documents/ the reader makes a page of
            # (it skips any other), named without Pelican walking and matching 10,000 files.
            return {d.source_path for d in build.model.documents
                    if not _kept_document(build, d.source_path)}
        return {f for f in listed(paths, exclude, extensions) if not _kept_document(build, f)}

    generator.get_files = get_files


def _kept_document(build, rel: str) -> bool:
    rel = rel.replace(os.sep, "/")
    if not rel.startswith("documents/"):
        return False
    doc = build.document_at(rel)
    return doc is not None and build.mode.writes_document(doc) and incremental.keeps_document_page(doc)


class ScriptLoader(jinja2.BaseLoader):
    """Serves templates with their Chinese literals in the site's script (written in Simplified)."""

    def __init__(self, inner: jinja2.BaseLoader, script: str):
        self.inner, self.script = inner, script

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        return localise(source, self.script), filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


class TemplateCode(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept across builds (in the archive's cache, `templates/`): compiling the
    theme's templates afresh in each generator took 0.18 s of every build, an eighth of an edit-one
    rebuild at 1,512 documents. Jinja checks each entry against the template's source (as served,
    localised); the key adds what the compiled code also depends on: our code, theme and plugins
    (`code`: how each filter and test is called, and the value of a filter applied to a constant, are
    compiled in; review 20), the environment's syntax and escaping options and Jinja's version, so
    another configuration never reads it. Only the theme's templates pass through here, nothing of
    the archive. An entry that is not code is compiled again; one that cannot be written is not kept."""

    def __init__(self, directory: str, env: jinja2.Environment, code: str = ""):
        os.makedirs(directory, exist_ok=True)
        super().__init__(directory)
        options = (code, jinja2.__version__, env.block_start_string, env.block_end_string, env.variable_start_string,
                   env.variable_end_string, env.comment_start_string, env.comment_end_string,
                   env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks,
                   env.newline_sequence, env.keep_trailing_newline, env.optimized, env.is_async,
                   env.finalize is not None, bool(env.autoescape), callable(env.autoescape),
                   sorted(env.extensions))
        self.options = repr(options)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(f"{self.options}|{name}", filename)

    def load_bytecode(self, bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a truncated or foreign file: compiled again and rewritten
            bucket.reset()
        if bucket.code is not None and not isinstance(bucket.code, types.CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only or full cache: compiled again next time
            pass


def configure_jinja(generator) -> None:
    """Filters and globals every template may use; the loader localises literals; compiled
    templates come from the cache."""
    settings = generator.settings
    script = settings["SITE_SCRIPT"]
    env = generator.env
    if script != "zh-Hans" and not isinstance(env.loader, ScriptLoader):
        env.loader = ScriptLoader(env.loader, script)
    labels = all_labels(script)
    env.autoescape = True
    build = build_context.for_pelican(settings)
    if build.code:  # a plain `pelican` run (no `gazette build`) compiles its templates afresh
        try:
            env.bytecode_cache = TemplateCode(os.path.join(build.project.cache_dir, "templates"), env, build.code)
        except OSError:  # `templates` is not a folder that can be made: no compiled templates kept
            env.bytecode_cache = None
    env.filters["cn_date"] = people_date    # dates as people read them (gazette.labels)
    env.tests["shown_flag"] = flag_shown    # {% if flag is shown_flag %}: only overdue and due soon
    env.filters["keep_units"] = typography.keep_units
    env.filters["no_orphan"] = typography.no_orphan
    env.filters["keep_each"] = typography.keep_each
    env.globals["labels"] = labels
    env.globals["labels_json"] = script_json(labels)
    env.globals["site_script"] = script
    env.globals["group_url"] = group_url


SITE_PAGES = "listings"  # the pages of gazette.pages.plan_pages, as a group of the build's outputs


class GazetteGenerator(Generator):
    """Writes the home page, issue archive and pages, browse listings, the catalogue and feeds."""

    def generate_context(self):
        model = site_model(self.settings)
        self.context["gazette"] = model
        script = self.settings["SITE_SCRIPT"]
        site_url = self.settings.get("FEED_DOMAIN") or ""
        self.context["doc_view"] = lambda doc: document_view(model, doc, script, site_url)
        self.context["badge_data"] = lambda doc: validity_data(model, doc)
        self.context["status_of"] = lambda doc: model.evaluation(doc).status
        self.context["issue_of"] = model.issue_of
        self.context["dimensions"] = DIMENSIONS

    def generate_output(self, writer):
        if not build_context.for_pelican(self.settings).mode.site_wide:
            return
        model = self.context["gazette"]
        self.copy_theme_assets()
        incremental.made_of_the_model(SITE_PAGES, lambda: self.write_pages(writer, model))
        self.write_feeds(model)  # the newest documents' text: not the model alone

    def write_pages(self, writer, model: SiteModel) -> list[str]:
        """The pages of gazette.pages.plan_pages; returns their names."""
        written = []
        for spec in plan_pages(model):
            try:
                template = self.get_template(spec.template)
            except Exception:
                if spec.template == "search":
                    continue  # the search page arrives with the search plugin's template
                raise
            writer.write_file(spec.save_as, template, self.context, relative_urls=True, **spec.context)
            written.append(spec.save_as)
        return written

    def copy_theme_assets(self) -> None:
        """theme/static → <output>/theme/, writing only files whose bytes changed (Pelican rewrites them all)."""
        src = os.path.join(self.theme, "static")
        dst = os.path.join(self.output_path, self.settings.get("THEME_STATIC_DIR", "theme"))
        for dirpath, _, files in os.walk(src):
            for name in sorted(files):
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    incremental.write_bytes(os.path.join(dst, os.path.relpath(path, src)), f.read())

    def write_feeds(self, model: SiteModel) -> None:
        script = self.settings["SITE_SCRIPT"]
        site_url = self.settings.get("FEED_DOMAIN") or ""
        name = self.settings.get("SITENAME", "")
        docs = [feeds.document_entry(d, localise(STATUS_LABELS[model.evaluation(d).status], script),
                                    model.text_of(d))
                for d in model.documents[: feeds.FEED_LIMIT]]
        issues = [feeds.issue_entry(i, model.toc.get(i.key, [])) for i in model.issues[: feeds.FEED_LIMIT]]
        for path, title, entries in (("feeds/documents.atom.xml", f"{name} 最新文件", docs),
                                     ("feeds/issues.atom.xml", f"{name} 最新公报", issues)):
            write_text(os.path.join(self.output_path, path),
                       feeds.atom(path, localise(title, script), entries, site_url, f"tag:gazette:{path}"))




def page_writer(output_path: str, settings: dict):
    """A Pelican writer that keeps unchanged pages (for plugins writing pages of their own)."""
    from pelican.writers import Writer

    from .incremental import make_writer_class

    return make_writer_class(Writer)(output_path, settings=settings)
