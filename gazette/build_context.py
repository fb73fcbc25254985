"""The live objects of one build (site model, rendered-body cache, incremental state, background
jobs), in one object beside Pelican's settings rather than inside them.

`gazette build` makes it and activates it for the Pelican run; the plugins and the Pelican
adapters read it with `for_pelican(settings)`, which for a plain `pelican` run builds one from
Pelican's settings.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any, Callable

from .project import FULL_BUILD, BuildMode, Project


@dataclass
class BuildContext:
    project: Project
    model: Any                      # gazette.site.SiteModel
    as_of: dt.date
    mode: BuildMode = FULL_BUILD
    lenient: bool = False
    html: Any = None                # gazette.render.HtmlCache, or None: bodies rendered on demand
    state: Any = None               # gazette.incremental.BuildState while pages are written
    code: str = ""                  # gazette.build.code_digest: our code, theme and plugins
    # What plugins add to a document page, by plugin: fn(doc) -> JSON-able value (incremental builds).
    page_dependencies: dict[str, Callable] = field(default_factory=dict)
    # Per-build state of each plugin (background jobs, plans), by plugin name.
    plugin_state: dict[str, dict] = field(default_factory=dict)
    _docs_by_path: dict | None = None

    @property
    def settings(self) -> dict:
        return self.project.settings

    def document_at(self, rel: str):
        """The listed document read from `documents/...` (a '/'-separated path), or None."""
        if self._docs_by_path is None:
            self._docs_by_path = {d.source_path.replace(os.sep, "/"): d for d in self.model.documents}
        return self._docs_by_path.get(rel)

    def page_context(self, doc) -> list:
        """What a document's page and listing rows show besides its own fields but what its text
        cites (`cited_context`), for incremental builds."""
        model = self.model
        ev = model.evaluations.get(doc.slug)
        links = model.links.get(doc.slug)
        issue = model.issue_of(doc)
        rel = []
        if links:
            for name in ("supersedes", "superseded_by", "amends", "amended_by", "repealed_by", "repeals",
                         "interprets", "interpreted_by"):
                rel.append([name] + [(d.slug, d.title, d.doc_number, d.script) for d in getattr(links, name)])
        from .history_view import history_dependencies  # versions, timeline, ending, as-at, 解读

        return [ev.status if ev else None, ev.flag if ev else None, str(ev.review_due) if ev else None, rel,
                (issue.key, issue.display_title, model.issue_scan_link(doc)) if issue else None,
                [fn(doc) for _, fn in sorted(self.page_dependencies.items())], history_dependencies(model, doc)]

    def cited_context(self, doc) -> list:
        """The documents a document's text cites, linked from its page (for incremental builds)."""
        from .citations import citations

        return [(number, d.slug, d.url) for number, d in citations(self.model, doc)]

    def plugin(self, name: str) -> dict:
        return self.plugin_state.setdefault(name, {})


_active: BuildContext | None = None


def current() -> BuildContext | None:
    return _active


@contextlib.contextmanager
def activate(build: BuildContext):
    """Make `build` the one the Pelican run in this block reads."""
    global _active
    previous, _active = _active, build
    try:
        yield build
    finally:
        _active = previous


class BuildError(RuntimeError):
    """Metadata errors that stop a strict build."""


def for_pelican(settings: dict) -> BuildContext:
    """The active build; for a plain `pelican` run (no `gazette build`), one made from its settings."""
    global _active
    if _active is None:
        from .defaults import with_defaults
        from .project import cache_dir_for, cache_root
        from .validity import as_of_date

        merged = with_defaults(settings)
        project = Project(settings=merged, content_dir=settings["PATH"], output_dir=settings["OUTPUT_PATH"],
                          cache_dir=cache_dir_for(cache_root(merged, None), settings["PATH"]))
        archive = project.load_archive()
        if archive.errors:
            raise BuildError("\n".join(str(e) for e in archive.errors))
        as_of = as_of_date()
        _active = BuildContext(project=project, model=project.site_model(archive, as_of), as_of=as_of)
    return _active
