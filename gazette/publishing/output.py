"""Writing output files so that unchanged files keep their bytes and modification time.

Incremental rebuilds and rsync-style uploads rely on it; no Pelican import, so every
publishing stage is unit-testable on a plain folder.
"""

from __future__ import annotations

import os


# The build's one writer (unchanged bytes are not rewritten). Publishing removes its own leftovers
# (gazette.publishing.compress, redirects…), so its files are not entered in the build's outputs.
from .. import incremental  # noqa: E402


def write_bytes(path: str, data: bytes) -> bool:
    return incremental.write_bytes(path, data, record=False)


def write_text(path: str, text: str) -> bool:
    return incremental.write_text(path, text, record=False)


def relative(from_path: str, to_path: str) -> str:
    """Relative URL from the page at site path `from_path` to site path `to_path` (both '/'-separated)."""
    depth = from_path.count("/")
    return "../" * depth + to_path


def absolute_site_url(settings: dict) -> str:
    """The site's public address for links that must be absolute (feeds, sitemap), or ''."""
    for key in ("FEED_DOMAIN", "SITEURL"):
        value = (settings.get(key) or "").rstrip("/")
        if value.startswith(("http://", "https://")):
            return value
    return ""
