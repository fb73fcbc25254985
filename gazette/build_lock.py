"""One build at a time per output folder and per cache folder.

Two builds writing one output (or one cache: the render cache, the command-line index, the
manifests) at once both fail half-way and leave a site that neither would have made. A build
takes an exclusive POSIX record lock (`fcntl.lockf`) on a lock file; the second build is refused
at once with a message naming the first. The kernel releases the lock when its process ends,
however it ends, so a lock file left by a killed build never blocks the next one. Record locks
are not inherited by forked children: only the build's own process holds them (its children end
with it, see `background.die_with_parent`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import socket
import sys

from .project import GazetteError


class BuildLocked(GazetteError):
    """Another process holds the lock; the message (Chinese) names it. Exit status 1."""


_held: set[str] = set()  # record locks do not exclude a second holder in the same process


def output_lock_path(cache_dir: str, output_dir: str) -> str:
    """The lock of an output folder, kept beside the per-archive caches (never inside the site):
    two archives built into one folder exclude each other too."""
    key = hashlib.sha1(os.path.abspath(output_dir).encode()).hexdigest()[:16]
    return os.path.join(os.path.dirname(os.path.abspath(cache_dir)), "locks", f"output-{key}.lock")


def cache_lock_path(cache_dir: str) -> str:
    return os.path.join(cache_dir, "build.lock")


def _describe(holder: dict) -> str:
    parts = [f"进程 {holder.get('pid', '?')}"]
    if holder.get("host"):
        parts.append(f"主机 {holder['host']}")
    if holder.get("started"):
        parts.append(f"{holder['started']} 开始")
    if holder.get("command"):
        parts.append(f"命令：{holder['command']}")
    return "，".join(parts)


@contextlib.contextmanager
def exclusive(path: str, what: str, remove: bool = False):
    """Hold the lock at `path` for the block; `what` names the locked thing in the message.
    `remove`: delete the lock file afterwards (a lock kept in a folder people look at)."""
    path = os.path.abspath(path)
    if path in _held:
        raise BuildLocked(f"{what}正被本进程中的另一个构建使用，请等它结束后再试。")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            try:
                holder = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
            except ValueError:
                holder = {}
            os.close(fd)
            if e.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            raise BuildLocked(f"{what}正被另一个进程使用（{_describe(holder)}）。"
                              f"请等它结束后再试；锁文件：{path}") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)  # its holder removed it after we opened it: lock the file now at `path`
    try:
        holder = {"pid": os.getpid(), "host": socket.gethostname(),
                  "started": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
                  "command": " ".join([os.path.basename(sys.argv[0])] + sys.argv[1:])[:300]}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder, ensure_ascii=False).encode("utf-8"), 0)
        _held.add(path)
        try:
            yield
        finally:
            _held.discard(path)
            if remove:
                os.remove(path)
            else:
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def build_locks(output_dir: str, cache_dir: str):
    """The output folder's lock, then the cache folder's."""
    with exclusive(output_lock_path(cache_dir, output_dir), f"输出目录 {output_dir}"), \
            exclusive(cache_lock_path(cache_dir), f"缓存目录 {cache_dir}"):
        yield
