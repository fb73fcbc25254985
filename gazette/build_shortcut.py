"""The no-change short cut: a build whose inputs are those of the last completed build, and whose
output is still exactly what that build left, does nothing.

Incremental builds already skip unchanged pages, but they still reach every step: each page's
fingerprint, both search indexes re-deriving their records, the validity and annual reports. When
nothing at all has changed that work only confirms the output. So a completed build records

- the *inputs key*: the build-wide fingerprint (code, theme, plugins, settings, as-of date), the
  build mode, and every file under the content folder (its name, and its bytes — or, for a file
  over `HASH_LIMIT`, its size and modification time);
- a *snapshot* of what it left: name, size and modification time (ns) of every file under the
  output folder and under the command-line index in the cache.

The next build with the same inputs key whose output and index match the snapshot file for file
is done. Anything else — one file edited, added or removed in content/, one output file touched,
deleted or left over, a different day — and the snapshot is removed *before* the build writes
anything, so a build killed at any moment never leaves a snapshot that vouches for a half-written
output: the next build takes the ordinary path, which repairs it.
"""

from __future__ import annotations

import hashlib
import json
import os

from .fileio import write_atomic

DANGLING = "\0dangling"  # after the name of a symlink that leads nowhere (its presence still counts)
SUMMARY_KEYS = ("documents", "issues", "withheld", "drafts")  # what a build reports, kept for the short cut
HASH_LIMIT = 8 * 2**20  # content files up to this size are hashed; larger ones (scans) by size and mtime


def inputs_key(content_dir: str, global_fp: str, mode_key: str, files: dict[str, bytes] | None = None) -> str:
    """The hash of every file under the content folder with the build-wide fingerprint and the mode;
    `files`, when given, receives each file's own digest by its '/'-separated relative name (for
    incremental.model_key)."""
    h = hashlib.sha256(f"{global_fp}|{mode_key}|".encode())
    for rel, path in _files(content_dir):
        if rel.endswith(DANGLING):  # a dangling symlink or a loop: where it points is what counts
            digest = b"link:" + os.readlink(path).encode("utf-8", "surrogateescape")
        else:
            st = os.stat(path)
            if st.st_size <= HASH_LIMIT:
                with open(path, "rb") as f:
                    digest = hashlib.sha256(f.read()).digest()
            else:
                digest = f"{st.st_size}:{st.st_mtime_ns}".encode()
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0" + digest)
        if files is not None:
            files[rel] = digest
    return h.hexdigest()


def _files(root: str):
    """(relative name, path) of every regular file under root, in a stable order; symlinks are
    followed as the build follows them (their target's bytes count)."""
    root = os.path.abspath(root)
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        prefix = _prefix(dirpath, root).replace(os.sep, "/")
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if os.path.isfile(path):
                yield prefix + name, path
            elif os.path.islink(path):  # dangling: its presence still counts
                yield prefix + name + DANGLING, path


def _prefix(dirpath: str, root: str) -> str:
    """What goes before a file name in `dirpath` to make it relative to `root` ("" or "sub/dir/"):
    once a folder (os.path.relpath once a file was a third of a no-change build's snapshots)."""
    rel = os.path.relpath(dirpath, root)
    return "" if rel == "." else rel + os.sep


def _snapshot(folders: dict[str, str]) -> dict[str, list[int]]:
    """label:relative name → [size, mtime (ns), mode] of every entry under the folders but folders
    (a symlink, to a folder or not, is an entry; it is not followed)."""
    picture: dict[str, list[int]] = {}
    for label, folder in folders.items():
        if not os.path.isdir(folder):
            continue
        stack = [(folder, f"{label}:")]
        while stack:
            path, key = stack.pop()
            with os.scandir(path) as entries:
                for e in entries:
                    if e.is_dir(follow_symlinks=False):
                        stack.append((e.path, key + e.name + os.sep))
                    else:
                        st = e.stat(follow_symlinks=False)
                        picture[key + e.name] = [st.st_size, st.st_mtime_ns, st.st_mode]
    return picture


class Shortcut:
    """The record of one output folder's last completed build, in one build mode."""

    def __init__(self, cache_dir: str, output_dir: str, index_dir: str, mode_key: str, key: str = ""):
        from .incremental import record_path

        self.path = record_path(cache_dir, "completed", output_dir, mode_key)
        self.cache_dir, self.output_dir, self.mode_key = cache_dir, output_dir, mode_key
        self.folders = {"output": os.path.abspath(output_dir), "index": os.path.abspath(index_dir)}
        self.key = key
        self.files = 0  # pages (HTML files) the completed build left
        self.recorded: dict = {}
        self.summary_recorded = None
        self.now: dict = {}

    def holds(self, snapshot=None) -> bool:
        """True when the last completed build had these inputs and its output is untouched since
        (`snapshot`: a future of the snapshot taken now, `snapshot_later`)."""
        try:
            with open(self.path, encoding="utf-8") as f:
                recorded = json.load(f)
        except (OSError, ValueError):
            return False
        if not isinstance(recorded, dict) or not isinstance(recorded.get("snapshot"), dict):
            return False
        self.recorded, self.now = recorded["snapshot"], _snapshot(self.folders) if snapshot is None else snapshot.result()
        self.summary_recorded = recorded.get("summary")
        if recorded.get("key") != self.key or self.now != self.recorded:
            return False
        self.files = sum(1 for k in self.now if k.startswith("output:") and k.endswith(".html"))
        return True

    def remove_damaged(self, makes_again=lambda rel: True) -> list[str]:
        """Output files the last completed build left that have been altered since (size, time or
        mode): removed, so that the build makes them again instead of keeping them as unchanged
        (an incremental build trusts a kept page's bytes). Missing ones it makes again anyway.
        Only files this build makes again (`makes_again(rel)`, BuildMode.makes_again): the
        assembly never removes the partitions' pages merged into its folder since its last run."""
        removed = []
        output = self.folders["output"]
        for label_rel, entry in self.now.items():
            label, rel = label_rel.split(":", 1)
            if label == "output" and label_rel in self.recorded and self.recorded[label_rel] != entry \
                    and makes_again(rel.replace(os.sep, "/")):
                path = os.path.join(output, rel)
                if os.path.isfile(path) or os.path.islink(path):
                    os.remove(path)
                    removed.append(rel)
        return removed

    def forget(self) -> None:
        """Called before a build writes anything: from here on the output may differ from the record,
        and from the other build modes' records for this folder (which name its files: a document
        withheld since among them), so those go too."""
        from .incremental import other_modes, record_path

        for mode in [self.mode_key, *other_modes(self.cache_dir, self.output_dir, self.mode_key)]:
            try:
                os.remove(record_path(self.cache_dir, "completed", self.output_dir, mode))
            except FileNotFoundError:
                pass

    def summary(self) -> dict | None:
        """The counts the last completed build reported, when it had no errors or warnings (after `holds`)."""
        summary = self.summary_recorded
        if isinstance(summary, dict) and set(summary) == set(SUMMARY_KEYS) and \
                all(type(v) is int and v >= 0 for v in summary.values()):
            return summary
        return None

    def snapshot_later(self):
        """A future of the snapshot of the output and the index as they are now, taken by a thread
        (for `record`, once nothing more is written into them)."""
        from concurrent.futures import Future
        import threading

        future: Future = Future()

        def take():
            try:
                future.set_result(_snapshot(self.folders))
            except BaseException as e:  # noqa: BLE001 - re-raised by result()
                future.set_exception(e)

        threading.Thread(target=take, name="output snapshot", daemon=True).start()
        return future

    def record(self, summary: dict | None = None, snapshot: dict | None = None) -> None:
        """Called when a build has completed: every step done, every file in place; `summary` the counts
        it reported (see `summary`); `snapshot` taken since the last file was written (else now)."""
        write_atomic(self.path, json.dumps({"key": self.key, "snapshot": _snapshot(self.folders) if snapshot is None
                                            else snapshot, "summary": summary}).encode("utf-8"))
