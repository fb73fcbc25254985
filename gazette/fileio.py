"""Writing files an archivist keeps (archive Markdown, scans, the import state): atomically, durably
and with normal permissions. One writer for the importer and `gazette cleanup apply`.

(The site's output files go through gazette.incremental, which also skips unchanged bytes.)
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: str) -> int:
    """The mode of the file being replaced, else what a new file gets here (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _replace_with(path: str, fill, prefix: str) -> None:
    # A symlink (an archivist's document linked from elsewhere in content/) is kept: its target
    # is what gets the new bytes, not the link replaced by a regular file.
    path = os.path.realpath(path)
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            fill(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# The names of both kinds of temporary file a write leaves when its process is killed between
# writing and renaming: `write_atomic`'s (`.gazette-XXXX.tmp`, default prefix) and the build's
# output writer's (`<name>.tmp<pid>`, `temporary_name`).
_TEMPORARY = re.compile(r"^\.gazette-[A-Za-z0-9_]+\.tmp$|\.tmp\d+$|^__jinja2_[0-9a-f]+\.cache[A-Za-z0-9_]+\.tmp$")


def temporary_name(path: str) -> str:
    """Where the build's output writer (gazette.incremental.write_bytes) puts a file before renaming it."""
    return f"{path}.tmp{os.getpid()}"


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file of an atomic write (either kind above): one a process
    killed between writing and renaming leaves behind (the build's sweep removes them)."""
    return _TEMPORARY.search(name) is not None


def write_atomic(path: str, data: bytes | str, prefix: str = ".gazette-") -> None:
    """Write `data` (text as UTF-8, line endings untouched) via a temporary file in the same folder,
    fsync and rename: a reader never sees half a file, a crash leaves the old one. A symlink at
    `path` stays a symlink: the file it points to is replaced."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    _replace_with(path, lambda f: f.write(raw), prefix)


def copy_atomic(src: str, path: str, prefix: str = ".gazette-") -> None:
    """Copy `src` to `path` the same way."""
    def fill(out):
        with open(src, "rb") as inp:
            shutil.copyfileobj(inp, out)

    _replace_with(path, fill, prefix)
