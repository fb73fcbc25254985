"""The no-change short cut: a build whose inputs are those of the last completed build, and whose
output is still exactly what that build left, does nothing.

Incremental builds already skip unchanged pages, but they still reach every step: each page's
fingerprint, both search indexes re-deriving their records, the validity and annual reports. When
nothing at all has changed that work only confirms the output. So a completed build records

- the *inputs key*: the build-wide fingerprint (code, theme, plugins, settings, as-of date), the
  build mode, and every file under the content folder (its name, and its bytes — or, for a file
  over `HASH_LIMIT`, its size and modification time);
- a *snapshot* of what it left: name, size, modification and change times (ns) and mode of every file under the
  output folder and under the command-line index in the cache.

The next build with the same inputs key whose output and index match the snapshot file for file
is done. Anything else — one file edited, added or removed in content/, one output file touched,
deleted or left over, a different day — and the snapshot is removed *before* the build writes
anything, so a build killed at any moment never leaves a snapshot that vouches for a half-written
output: the next build takes the ordinary path, which repairs it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os

from .archive import MARKDOWN
from .fileio import write_atomic

DANGLING = "\0dangling"  # after the name of a symlink that leads nowhere (its presence still counts)
SUMMARY_KEYS = ("documents", "issues", "withheld", "drafts")  # what a build reports, kept for the short cut
HASH_LIMIT = 8 * 2**20  # content files up to this size are hashed; larger ones (scans) by size and mtime
KEEP_LIMIT = 256 * 2**20  # bytes of Markdown files `inputs_key` hands on to the header pass, at most


def inputs_key(content_dir: str, global_fp: str, mode_key: str, files: dict[str, bytes] | None = None,
               skip: tuple[str, ...] = (), seen: dict[str, tuple] | None = None,
               keep: dict[str, tuple[bytes, bytes]] | None = None) -> str:
    """The hash of every file under the content folder (but the folders `skip`: the build's cache,
    when it lies in there) with the build-wide fingerprint and the mode; `files`, when given,
    receives each file's own digest by its '/'-separated relative name (for incremental.model_key),
    `seen` each file's status as hashed (`content_stat`), `keep` the bytes and SHA-256 of Markdown
    files as read here (up to KEEP_LIMIT bytes in all; header_cache.HeaderCache.read_before)."""
    h = hashlib.sha256(f"{global_fp}|{mode_key}|".encode())
    room = KEEP_LIMIT
    for rel, path in _files(content_dir, skip):
        if rel.endswith(DANGLING):  # a dangling symlink or a loop: where it points is what counts
            digest = b"link:" + os.readlink(path).encode("utf-8", "surrogateescape")
            st = None
        else:
            st = os.stat(path)
            if st.st_size <= HASH_LIMIT:
                with open(path, "rb") as f:
                    data = f.read()
                digest = hashlib.sha256(data).digest()
                if keep is not None and len(data) <= room and rel.endswith(MARKDOWN):
                    keep[rel] = (data, digest)
                    room -= len(data)
            else:
                digest = f"{st.st_size}:{st.st_mtime_ns}".encode()
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0" + digest)
        if files is not None:
            files[rel] = digest
        if seen is not None:
            seen[rel] = _status(st)
    return h.hexdigest()


def content_stat(content_dir: str, skip: tuple[str, ...] = ()) -> dict[str, tuple]:
    """Each content file's status (size, modification time, inode) as `inputs_key` records it in
    `seen`: a build compares the two before recording its inputs, so that a file edited while it
    ran, and put back since, cannot leave a record of inputs the build did not read (review 18: a
    document made public for a moment, then withheld again by an undo, and the next build trusted
    the output of the public moment)."""
    out = {}
    for rel, path in _files(content_dir, skip):
        try:
            out[rel] = _status(None if rel.endswith(DANGLING) else os.stat(path))
        except OSError:
            out[rel] = ("gone",)
    return out


def _status(st) -> tuple:
    return () if st is None else (st.st_size, st.st_mtime_ns, st.st_ino)


def _files(root: str, skip: tuple[str, ...] = ()):
    """(relative name, path) of every regular file under root (not under the folders `skip`), in a
    stable order; symlinks are followed as the build follows them (their target's bytes count)."""
    root = os.path.abspath(root)
    skip_paths = {os.path.abspath(p) for p in skip}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        if skip_paths:
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skip_paths]
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


def _snapshot(folders: dict[str, str], sweep: tuple[str, ...] | None = None, pick=None) -> dict[str, list[int]]:
    """label:relative name → [size, mtime (ns), mode, ctime (ns)] of every entry under the folders but folders
    (a symlink, to a folder or not, is an entry; it is not followed); with `pick`, only under the
    entries at the top of a folder for which pick(label, name) is true. With `sweep` (a tuple of
    folder-name prefixes, possibly empty) what killed builds left goes on the way and is not
    pictured (incremental.removed_if_leftover: one walk where there were two)."""
    from .incremental import removed_if_leftover

    picture: dict[str, list[int]] = {}
    for label, folder in folders.items():
        if not os.path.isdir(folder):
            continue
        stack = [(folder, f"{label}:")]
        while stack:
            path, key = stack.pop()
            with os.scandir(path) as entries:
                for e in entries:
                    if pick is not None and path == folder and not pick(label, e.name):
                        continue
                    folder_entry = e.is_dir(follow_symlinks=False)
                    if sweep is not None and removed_if_leftover(e.path, e.name, folder_entry, sweep):
                        continue
                    if folder_entry:
                        stack.append((e.path, key + e.name + os.sep))
                    else:
                        st = e.stat(follow_symlinks=False)
                        # the change time too: a file put back with its old size and date (cp -p,
                        # rsync -t from a backup) is not the one the build left (review 19)
                        picture[key + e.name] = [st.st_size, st.st_mtime_ns, st.st_mode, st.st_ctime_ns]
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
        self.summary_recorded = None
        self.altered: list[str] = []  # label:name of every entry the record names and that differs now
        # The output and the index are file for file what the last completed build in this mode
        # left, whatever its inputs were (after `holds`): incremental.BuildState.output_as_left.
        self.untouched = False

    def look_later(self, sweep: tuple[str, ...] = ()):
        """Start what `holds` needs, in a child process while this one hashes the content files:
        what killed builds left in the output, the index and the cache goes (`_snapshot`'s
        `sweep`), and the record is read and compared with a snapshot taken now. Two walks of a
        140,000-file output and a JSON of as many entries were a second of an edit-one rebuild at
        10,000 documents in a thread, sharing this process's interpreter with the hashing; in a
        child they use the other core. Only the comparison comes back (`holds`)."""
        from .background import ForkedCall

        return ForkedCall(_look, self.path, self.folders, sweep, self.cache_dir)

    def names_other_inputs(self) -> bool:
        """True when the record of the last completed build is missing or names other inputs than
        `key`: `holds` is then False whatever the folders hold, and the build need not wait for the
        comparison to start reading the archive (its first line is read, not the snapshot)."""
        try:
            with open(self.path, encoding="utf-8") as f:
                head = json.loads(f.readline())
        except (OSError, ValueError):
            return True
        return not isinstance(head, dict) or head.get("key") != self.key

    def holds(self, looked=None) -> bool:
        """True when the last completed build had these inputs and its output is untouched since
        (`looked`: `look_later`'s call, else looked at now)."""
        seen = looked.wait() if looked is not None else _look(self.path, self.folders)
        if seen is None:
            return False
        self.summary_recorded, self.altered, self.untouched = seen["summary"], seen["altered"], seen["same"]
        if seen["key"] != self.key or not seen["same"]:
            return False
        self.files = seen["pages"]
        return True

    def remove_damaged(self, makes_again=lambda rel: True) -> list[str]:
        """Output files the last completed build left that have been altered since (size, time or
        mode): removed, so that the build makes them again instead of keeping them as unchanged
        (an incremental build trusts a kept page's bytes). Missing ones it makes again anyway.
        Only files this build makes again (`makes_again(rel)`, BuildMode.makes_again): the
        assembly never removes the partitions' pages merged into its folder since its last run."""
        removed = []
        output = self.folders["output"]
        for label_rel in self.altered:
            label, rel = label_rel.split(":", 1)
            if label == "output" and makes_again(rel.replace(os.sep, "/")):
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
        """The snapshot of the output and the index as they are now, taken in child processes (for
        `record`, once nothing more is written into them) while this one finishes its caches:
        two, one for the documents' folder and one for the rest, as the build's other work is done
        and both cores are free (one child walking 140,000 files was most of a second of an
        edit-one rebuild at 10,000 documents). `wait()` gives it as JSON."""
        from .background import ForkedCall

        documents = lambda label, name: label == "output" and name == "documents"  # noqa: E731
        rest = lambda label, name: not documents(label, name)  # noqa: E731
        return _Joined([ForkedCall(lambda pick=pick: json.dumps(_snapshot(self.folders, pick=pick)))
                        for pick in (documents, rest)])

    def record(self, summary: dict | None = None, snapshot: str | None = None) -> None:
        """Called when a build has completed: every step done, every file in place; `summary` the counts
        it reported (see `summary`); `snapshot` (JSON) taken since the last file was written (else now)."""
        snapshot = json.dumps(_snapshot(self.folders)) if snapshot is None else snapshot
        # Two lines: the key and the summary, then the snapshot (`names_other_inputs` reads the first).
        head = json.dumps({"key": self.key, "summary": summary})
        write_atomic(self.path, f"{head}\n{snapshot}\n".encode("utf-8"))


class _Joined:
    """The calls of `snapshot_later`, waited for (or abandoned) as one: their JSON objects joined."""

    def __init__(self, calls):
        self.calls = calls

    def wait(self) -> str:
        parts = []
        try:
            for call in self.calls:
                parts.append(call.wait())
        finally:
            self.abandon()
        inner = [p[1:-1] for p in parts if p != "{}"]
        return "{" + ", ".join(inner) + "}"

    def abandon(self) -> None:
        for call in self.calls:  # each, whatever another's does
            with contextlib.suppress(Exception):
                call.abandon()


def _look(path: str, folders: dict[str, str], sweep: tuple[str, ...] | None = None,
          cache_dir: str | None = None) -> dict | None:
    """What `holds` needs to know: the record's key and summary, whether the folders are as it
    pictured them, which of its entries differ now (`altered`) and how many pages there are;
    None without a readable record. With `sweep`, what killed builds left under the folders and
    `cache_dir` goes first (see `_snapshot`)."""
    import threading

    from .incremental import sweep_leftovers

    if sweep is not None and cache_dir:
        sweep_leftovers(cache_dir, folders=sweep, skip=tuple(folders.values()))
    read: dict = {}

    def load():  # while the folders are walked (a stat leaves the interpreter to it)
        try:
            with open(path, encoding="utf-8") as f:
                head = json.loads(f.readline())
                if isinstance(head, dict):
                    head["snapshot"] = json.loads(f.readline())
                    read["record"] = head
        except (OSError, ValueError):
            pass

    loader = threading.Thread(target=load, name="completed-build record")
    loader.start()
    try:
        now = _snapshot(folders, sweep)
    finally:
        loader.join()
    recorded = read.get("record")
    if not isinstance(recorded, dict) or not isinstance(recorded.get("snapshot"), dict):
        return None
    then = recorded["snapshot"]
    return {"key": recorded.get("key"), "summary": recorded.get("summary"), "same": now == then,
            "altered": [k for k, entry in now.items() if k in then and then[k] != entry],
            "pages": sum(1 for k in now if k.startswith("output:") and k.endswith(".html"))}
