"""Both search indexes from one site model: what `gazette build` runs after the pages are written."""

from __future__ import annotations

import logging
import os
import time

from ..site import SiteModel
from .pagefind_index import build_browser_index
from .whoosh_index import update_index
from .records import iter_records, records_from_site

log = logging.getLogger(__name__)


def whoosh_dir(cache_dir: str) -> str:
    return os.path.join(cache_dir, "whoosh")


def build_browser(model: SiteModel, settings: dict):
    """The Pagefind bundle: partition builds write their decades' shards; the assembly (or a full
    build) writes the site-wide files (see docs/scaling.md)."""
    partition = settings.get("GAZETTE_PARTITION")
    assemble = bool(settings.get("GAZETTE_ASSEMBLE"))
    return build_browser_index(records_from_site(model), settings["OUTPUT_PATH"],
                               settings.get("SITE_SCRIPT", "zh-Hans"), decades=partition, shards=not assemble,
                               site_wide=partition is None, cache_dir=_cache(settings),
                               shard_records=settings.get("GAZETTE_SEARCH_SHARD_RECORDS"))


def build_cli(model: SiteModel, settings: dict):
    """The Whoosh index in the cache folder (full and assembly builds; partitions leave it alone)."""
    if settings.get("GAZETTE_PARTITION") is not None:
        return None
    return update_index(iter_records(model), whoosh_dir(_cache(settings)))


def _cache(settings: dict) -> str:
    return settings.get("GAZETTE_CACHE_DIR") or os.path.join(os.getcwd(), ".cache", "gazette")


def build_indexes(model: SiteModel, settings: dict) -> None:
    """Pagefind into `<OUTPUT_PATH>/pagefind/`, Whoosh into `<GAZETTE_CACHE_DIR>/whoosh`, one after the other."""
    started = time.perf_counter()
    stats = build_browser(model, settings)
    update = build_cli(model, settings)
    if update is not None:
        log.info("search: %d records, browser bundle %.1f MB; command-line index +%d ~%d -%d (%.1f s)",
                 stats.records, stats.bundle_bytes / 1e6, len(update.added), len(update.updated),
                 len(update.removed), time.perf_counter() - started)
