"""Both search indexes from one site model: what `gazette build` runs after the pages are written."""

from __future__ import annotations

import logging
import os
import time

from ..site import SiteModel
from .browser import build_browser_index
from .cli_index import update_index
from .records import records_from_site

log = logging.getLogger(__name__)


def whoosh_dir(cache_dir: str) -> str:
    return os.path.join(cache_dir, "whoosh")


def build_indexes(model: SiteModel, settings: dict) -> None:
    """Pagefind into `<OUTPUT_PATH>/pagefind/`, Whoosh into `<GAZETTE_CACHE_DIR>/whoosh`."""
    started = time.perf_counter()
    records = records_from_site(model)
    # Partition builds write their decades' browser shards; the assembly (or a full build)
    # writes the site-wide files and the command-line index (see docs/scaling.md).
    partition = settings.get("GAZETTE_PARTITION")
    assemble = bool(settings.get("GAZETTE_ASSEMBLE"))
    cache = settings.get("GAZETTE_CACHE_DIR") or os.path.join(os.getcwd(), ".cache", "gazette")
    stats = build_browser_index(records, settings["OUTPUT_PATH"], settings.get("SITE_SCRIPT", "zh-Hans"),
                                decades=partition, shards=not assemble, site_wide=partition is None,
                                cache_dir=cache)
    if partition is not None:
        return
    update = update_index(records, whoosh_dir(cache))
    log.info("search: %d records, browser bundle %.1f MB; command-line index +%d ~%d -%d (%.1f s)",
             stats.records, stats.bundle_bytes / 1e6, len(update.added), len(update.updated),
             len(update.removed), time.perf_counter() - started)
