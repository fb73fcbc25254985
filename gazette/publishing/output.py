"""Writing output files so that unchanged files keep their bytes and modification time.

Incremental rebuilds and rsync-style uploads rely on it; no Pelican import, so every
publishing stage is unit-testable on a plain folder.
"""

from __future__ import annotations

import os


def write_bytes(path: str, data: bytes) -> bool:
    """Write `data` to `path` atomically unless the file already holds it; True when written."""
    try:
        if os.path.getsize(path) == len(data):
            with open(path, "rb") as f:
                if f.read() == data:
                    return False
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return True


def write_text(path: str, text: str) -> bool:
    return write_bytes(path, text.encode("utf-8"))


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
