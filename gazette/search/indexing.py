"""Both search indexes from one site model: what `gazette build` runs after the pages are written."""

from __future__ import annotations

import logging
import os
import time

from ..project import FULL_BUILD, BuildMode, Project
from ..site import SiteModel
from .names import INDEX_DIR
from .records import iter_records, records_from_site
from .terms import TERMS_FILE, TermCache

# Each engine is imported in the child that builds its index, not by the build before it forks.

log = logging.getLogger(__name__)


def build_browser(model: SiteModel, project: Project, mode: BuildMode = FULL_BUILD):
    """The browser index: full builds and the assembly write it whole; partitions leave it alone
    (see docs/scaling.md)."""
    from .browser_index import build_browser_index

    return build_browser_index(records_from_site(model), project.settings["OUTPUT_PATH"], project.script,
                               site_wide=mode.site_wide, cache_dir=project.cache_dir)


def build_cli(model: SiteModel, project: Project, mode: BuildMode = FULL_BUILD):
    """The Whoosh index in the cache folder (full and assembly builds; partitions leave it alone). Its
    queries read the text postings of the browser index the other child writes (whoosh_index)."""
    if not mode.site_wide:
        return None
    from .whoosh_index import update_index

    # Records come newest first, the browser index reads them oldest first: run side by side, each
    # finds in the term cache the records the other has already done.
    cache = TermCache(os.path.join(project.cache_dir, TERMS_FILE), project.script)
    site_index = os.path.join(project.settings["OUTPUT_PATH"], INDEX_DIR)
    try:
        return update_index(iter_records(model), project.whoosh_dir, terms=cache.terms, site_index=site_index)
    finally:
        cache.close()


def build_indexes(model: SiteModel, project: Project, mode: BuildMode = FULL_BUILD) -> None:
    """The browser index into `<output>/search-index/`, Whoosh into `<cache>/whoosh`, one after the other."""
    started = time.perf_counter()
    stats = build_browser(model, project, mode)
    update = build_cli(model, project, mode)
    if update is not None:
        log.info("检索：%d 条记录，浏览器检索包 %.1f MB；命令行索引新增 %d、更新 %d、删除 %d（用时 %.1f 秒）",
                 stats.records, stats.bundle_bytes / 1e6, len(update.added), len(update.updated),
                 len(update.removed), time.perf_counter() - started)
