"""Every Gazette setting and its default, written once (as Pelican's DEFAULT_CONFIG is for Pelican's).

A site's `pelicanconf.py` overrides any of them; `gazette.project.load_project` lays the site's
settings over these and Pelican's own defaults. Code reads a setting from the merged settings, or
through `with_defaults` where it is handed a partial dictionary (a test, a script).
"""

from __future__ import annotations

import copy

DEFAULTS: dict = {
    # Labels of the site in Simplified ("zh-Hans") or Traditional ("zh-Hant") characters.
    "SITE_SCRIPT": "zh-Hans",
    "SITE_PUBLISHER": "",
    # Validity rules (gazette/validity.py).
    "GAZETTE_REVIEW_CYCLE_YEARS": 2,
    "GAZETTE_REVIEW_DUE_SOON_DAYS": 90,
    "GAZETTE_REVIEW_DOC_TYPES": ["规范性文件", "规章"],
    # Whom a citizen asks whether a document overdue for review still applies (a telephone number, an
    # office, an address), shown after its issuer on the document's page; empty: the issuer alone.
    "GAZETTE_VALIDITY_CONTACT": "",
    # Document types the 现行有效目录 (catalogue.html) lists, in this order; by convention 规章 and
    # 规范性文件. Add others (e.g. "通知", "决定") for more; an empty list: every type.
    "GAZETTE_CATALOGUE_DOC_TYPES": ["规章", "规范性文件"],
    # Document types that must have a 政策解读: `gazette check` lists those in force without one
    # (gazette/interpretations.py); empty: no such check.
    "GAZETTE_REQUIRE_INTERPRETATION": [],
    # `gazette check` warns about documents in force, without `expires`, whose title names a year,
    # a period or a season or occasion that is over (gazette/time_bound.py); False: no such warning.
    "GAZETTE_WARN_TIME_BOUND": True,
    # How a citizen requests an on-request (依申请公开) document.
    "GAZETTE_REQUEST_PAGE": "pages/request.html",
    # Publishing (gazette/publishing).
    "GAZETTE_PDF": True,                 # per-document PDF downloads
    "GAZETTE_PDF_FROM_TEXT": True,       # a PDF set from the text when no scan exists
    "GAZETTE_COMPRESS": True,            # .gz and .br copies of text files
    "GAZETTE_BROTLI_QUALITY": 5,         # 0-11 (11 is ~5 % smaller, ~20x slower)
    "GAZETTE_VALIDITY_FEED_DAYS": 730,   # oldest change the validity feed lists
    "GAZETTE_ELI_CODES": {},             # document-number prefix -> short-address code
    # Search (gazette/search): records per browser-index shard (None: the built-in size).
    # Root of the caches (rendered bodies, the command-line index, manifests); None: the environment's
    # GAZETTE_CACHE_DIR, else .cache/gazette beside the settings file (see gazette.project.cache_root).
    "GAZETTE_CACHE_DIR": None,
}


def with_defaults(settings: dict) -> dict:
    """`settings` with every Gazette setting it lacks set to its default (a new dictionary)."""
    merged = copy.deepcopy(DEFAULTS)
    merged.update(settings)
    return merged
