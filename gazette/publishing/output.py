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


def output_manifest(cache_dir: str, kind: str, output_dir: str) -> str:
    """Where a publishing stage keeps what it knows of one output folder (`kind`: compress, files)."""
    import hashlib

    return os.path.join(cache_dir, kind, hashlib.sha1(os.path.abspath(output_dir).encode()).hexdigest()[:16] + ".json")


class KeyedFiles:
    """Output files made from inputs a stage can name by a key (a hash of everything the file is
    made of, computed for much less than the file): `fresh` is True when the last build wrote the
    file from the same key and the file is still the one it left (same size and modification
    time, as rsync judges), so the stage neither makes nor compares it again. The manifest is
    saved when the stage has done its work (`save`) and removed as soon as it is read: a stage
    killed or failing in between leaves none (it would name documents withheld since), and the
    next build makes every file again. `salt` (the build-wide fingerprint: code, settings, as-of
    date) is part of every key; a different salt forgets every entry. `as_left`: the output is
    file for file what the last completed build left (incremental.BuildState.output_as_left), which
    saved this manifest: each file it names is the one it describes, and is not looked at."""

    def __init__(self, path: str, output_dir: str, salt: str, as_left: bool = False):
        import json

        self.path, self.output_dir, self.salt, self.as_left = path, output_dir, salt, as_left
        self.before: dict[str, list] = {}
        self.now: dict[str, list] = {}
        self.groups_before: dict[str, list] = {}
        self.groups: dict[str, list] = {}  # name → [inputs, {file: [size, mtime]}] (same_group)
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
            if isinstance(data, dict) and data.get("salt") == salt and isinstance(data.get("files"), dict):
                self.before = data["files"]
                self.groups_before = data.get("groups") if isinstance(data.get("groups"), dict) else {}
        except (OSError, ValueError):
            pass
        try:
            os.remove(path)
        except FileNotFoundError:
            pass

    def _stat(self, rel: str) -> list[int] | None:
        try:
            st = os.stat(os.path.join(self.output_dir, rel))
        except OSError:
            return None
        return [st.st_size, st.st_mtime_ns]

    def _as_written(self, rel: str, stat) -> bool:
        """The file is still the one the last build left (`stat`: what the manifest says of it)."""
        if self.as_left:
            return isinstance(stat, list) and len(stat) == 2
        return self._stat(rel) == stat

    def fresh(self, rel: str, key: str, inputs: str | None = None) -> bool:
        entry = self.before.get(rel)
        if isinstance(entry, list) and len(entry) in (3, 4) and entry[0] == key and self._as_written(rel, entry[1:3]):
            self.now[rel] = entry[:3] + ([inputs] if inputs else [])
            return True
        return False

    def same_inputs(self, rel: str, inputs: str | None) -> bool:
        """True when the last build wrote the file from these inputs (a hash of what its key is
        computed from: the model's inputs and a document file's digest, incremental.model_key) and
        the file is still the one it left: then not even its key needs computing."""
        entry = self.before.get(rel)
        if inputs and isinstance(entry, list) and len(entry) == 4 and entry[3] == inputs and \
                self._as_written(rel, entry[1:3]):
            self.now[rel] = entry
            return True
        return False

    def written(self, rel: str, key: str, inputs: str | None = None) -> None:
        stat = self._stat(rel)
        if stat is not None:
            self.now[rel] = [key, *stat] + ([inputs] if inputs else [])

    def same_group(self, name: str, inputs: str | None) -> list[str] | None:
        """The files made together as `name` (a stage whose files are not known before it is done:
        the sitemap's), when the last build made them from these inputs and each is still the one
        it left; else None."""
        entry = self.groups_before.get(name)
        if not inputs or not (isinstance(entry, list) and len(entry) == 2 and entry[0] == inputs
                              and isinstance(entry[1], dict)):
            return None
        if not all(self._as_written(rel, stat) for rel, stat in entry[1].items()):
            return None
        self.groups[name] = entry
        return sorted(entry[1])

    def made_group(self, name: str, inputs: str | None, files) -> None:
        if inputs:
            stats = {rel: self._stat(rel) for rel in files}
            if all(stats.values()):
                self.groups[name] = [inputs, stats]

    def save(self) -> None:
        import json

        from ..fileio import write_atomic

        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        write_atomic(self.path, json.dumps({"salt": self.salt, "files": self.now, "groups": self.groups}, sort_keys=True))
