"""Faults: builds and imports killed at chosen moments (SIGKILL, as `kill -9` or the OOM killer
would), two builds at once, and a document withheld after all that. Afterwards nothing of the
withheld document is readable anywhere (every output file, the cache folder, the Whoosh stored
fields, decompressed: tests/leakscan.py), and the output is byte for byte a clean build's.

Moments are chosen by watching files appear (the build's journal, a page, catalogue.json naming
the new document, Pagefind's scratch folder, a new Whoosh segment file, a fresh compressed copy),
never by sleeping. A small part of the sample archive keeps each build short.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time

import pytest
from conftest import AS_OF, CONTENT, ROOT
from test_incremental import tree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from leakscan import find_leaks, whoosh_leaks  # noqa: E402

SLUG = "lf-fault-2026-77"
TITLE = "临澜市人民政府关于故障注入演练专用事项的通知"
NUMBER = "临政发〔2026〕77号"
ISSUER = "临澜市故障演练办公室"
SENTENCE = "为检验构建在任意时刻中断之后的恢复能力特制定本演练专用事项说明"
MARKERS = [TITLE, NUMBER, ISSUER, SENTENCE, SLUG]
GAZETTE = [sys.executable, "-c", "import sys; from gazette.cli import main; sys.argv[0] = 'gazette'; main()"]


def small_archive(dst: str) -> str:
    """The sample archive's 2026: nine documents, two issues with their scans, the static pages."""
    for sub in ("documents", "issues", "scans"):
        os.makedirs(os.path.join(dst, sub), exist_ok=True)
    shutil.copytree(os.path.join(CONTENT, "pages"), os.path.join(dst, "pages"))
    shutil.copytree(os.path.join(CONTENT, "documents", "2026"), os.path.join(dst, "documents", "2026"))
    for name in os.listdir(os.path.join(CONTENT, "issues")):
        if name.startswith("2026-"):
            shutil.copy(os.path.join(CONTENT, "issues", name), os.path.join(dst, "issues", name))
            scan = name[:-3] + ".pdf"
            shutil.copy(os.path.join(CONTENT, "scans", scan), os.path.join(dst, "scans", scan))
    return dst


def write_marked(content: str, disclosure: str) -> None:
    """The document the faults are about: its own issuer and subject, so it brings listing pages
    and feeds of its own that must disappear with it."""
    path = os.path.join(content, "documents", "2026", f"{SLUG}.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"title: {TITLE}\ndate: 2026-11-20\ndoc_number: {NUMBER}\nissuer: {ISSUER}\n"
                f"doc_type: 规范性文件\ncategory: 应急演练\ndisclosure: {disclosure}\n\n"
                f"各区人民政府：\n\n{SENTENCE}。\n\n第一条　本说明仅用于演练。\n\n{ISSUER}\n")


def env_for(cache: str) -> dict:
    env = dict(os.environ, GAZETTE_CACHE_DIR=cache, PYTHONPATH=ROOT)
    env.pop("SOURCE_DATE_EPOCH", None)
    return env


def build_cmd(content: str, output: str) -> list[str]:
    return GAZETTE + ["build", "--content", content, "--output", output, "--as-of", AS_OF.isoformat()]


def build(content: str, output: str, cache: str) -> None:
    done = subprocess.run(build_cmd(content, output), env=env_for(cache), capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]


def assert_same_tree(got: str, want: str) -> None:
    a, b = tree(got), tree(want)
    assert sorted(set(a) - set(b)) == [], "files a clean build does not make"
    assert sorted(set(b) - set(a)) == [], "files missing"
    assert sorted(rel for rel in a if a[rel] != b[rel]) == [], "files whose bytes differ from a clean build's"


def _processes():
    """(pid, state, parent pid, process group) of every process, from /proc."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                yield int(entry), fields[0], int(fields[1]), int(fields[2])
            except (OSError, ValueError, IndexError):
                continue


def processes_in_group(pgid: int) -> list[int]:
    return [pid for pid, state, _, group in _processes() if group == pgid and state != "Z"]


def _children(pid: int) -> list[int]:
    return [child for child, state, parent, _ in _processes() if parent == pid and state != "Z"]


def kill_when(cmd: list[str], env: dict, ready, what: str, timeout: float = 300) -> None:
    """Start `cmd`, SIGKILL its process (only it, as the OOM killer would) as soon as `ready()`,
    then check that every process it started ended with it (children die with their parent)."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if proc.poll() is not None:
                pytest.fail(f"ended (code {proc.returncode}) before the kill point: {what}\n"
                            f"{proc.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"kill point never reached: {what}")
            time.sleep(0.003)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        until = time.monotonic() + 15
        while processes_in_group(proc.pid) and time.monotonic() < until:
            time.sleep(0.05)
        left = processes_in_group(proc.pid)
        assert not left, f"processes outlived the killed {what}: {left}"
    finally:
        if proc.poll() is None:
            proc.kill()
        for pid in processes_in_group(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.stderr.close()


def leaks(output: str, cache: str) -> list:
    found = find_leaks(output, MARKERS) + find_leaks(cache, MARKERS)
    for dirpath, dirnames, _ in os.walk(cache):
        if "whoosh" in dirnames:
            found += whoosh_leaks(os.path.join(dirpath, "whoosh"), MARKERS)
    return found


# -- the builds every test starts from --------------------------------------------------------

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Fixed paths (the cache is keyed by them), a snapshot of the archive built once, and the
    reference: a clean build of the archive with the marked document withheld."""
    root = tmp_path_factory.mktemp("faults")
    lab = {k: str(root / k) for k in ("content", "output", "cache", "snapshot", "ref-content", "ref-output",
                                      "ref-cache")}
    small_archive(lab["content"])
    build(lab["content"], lab["output"], lab["cache"])
    os.makedirs(lab["snapshot"])
    for k in ("content", "output", "cache"):
        shutil.copytree(lab[k], os.path.join(lab["snapshot"], k), symlinks=True)
    small_archive(lab["ref-content"])
    write_marked(lab["ref-content"], "withheld")
    build(lab["ref-content"], lab["ref-output"], lab["ref-cache"])
    return lab


def restore(lab: dict) -> None:
    for k in ("content", "output", "cache"):
        shutil.rmtree(lab[k])
        shutil.copytree(os.path.join(lab["snapshot"], k), lab[k], symlinks=True)


def _archive_cache(lab) -> str:
    """The archive's own folder in the cache root (the snapshot's build made it)."""
    return next(os.path.join(lab["cache"], d) for d in sorted(os.listdir(lab["cache"]))
                if os.path.isfile(os.path.join(lab["cache"], d, "html.sqlite")))


def _listdir(folder: str) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _journal(lab) -> bool:
    return any(n.endswith(".journal") for n in _listdir(_archive_cache(lab)))


def _page(lab) -> bool:
    return os.path.exists(os.path.join(lab["output"], "documents", f"{SLUG}.html"))


def _catalogue(lab) -> bool:
    try:
        with open(os.path.join(lab["output"], "catalogue.json"), encoding="utf-8") as f:
            return TITLE in f.read()
    except (OSError, UnicodeDecodeError):
        return False


def _feed(lab) -> bool:
    """The new-documents feed names it (written in the publishing stage, before the PDFs)."""
    try:
        with open(os.path.join(lab["output"], "feeds", "documents.atom.xml"), encoding="utf-8") as f:
            return TITLE in f.read()
    except (OSError, UnicodeDecodeError):
        return False


def _pdf(lab) -> bool:
    return os.path.exists(os.path.join(lab["output"], "documents", f"{SLUG}.pdf"))


def _search_index(lab) -> bool:
    """The browser index holds its text (a block file of the document's text is written)."""
    from gazette.search.browser_index import INDEX_DIR, text_key
    from gazette.search.records import SearchRecord

    key = text_key(SearchRecord(slug=SLUG, url="", title="", date=""))
    return os.path.exists(os.path.join(lab["output"], INDEX_DIR, "x", f"{key}-0.bin"))


def _whoosh(lab, before: set[str]) -> bool:
    return bool(set(_listdir(os.path.join(_archive_cache(lab), "whoosh"))) - before)


def _compress(lab) -> bool:
    try:
        with open(os.path.join(lab["output"], "catalogue.json.gz"), "rb") as f:
            return TITLE.encode() in gzip.decompress(f.read())
    except (OSError, EOFError):
        return False


KILL_POINTS = {
    "journal": _journal,        # the first moments: lock taken, leftovers swept, journal open
    "page": _page,              # the new document's page written
    "catalogue": _catalogue,    # catalogue.json names it (the issue's case)
    "feed": _feed,              # the Atom feed of new documents names it
    "pdf": _pdf,                # its PDF download written
    "index": _search_index,     # the browser index being written
    "whoosh": None,             # a new Whoosh segment file (see below)
    "compress": _compress,      # its compressed copies being made
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_build_killed_then_document_withheld_leaves_no_trace(lab, point):
    restore(lab)
    write_marked(lab["content"], "public")
    ready = KILL_POINTS[point]
    if ready is None:
        before = set(_listdir(os.path.join(_archive_cache(lab), "whoosh")))
        ready = lambda lab: _whoosh(lab, before)  # noqa: E731
    kill_when(build_cmd(lab["content"], lab["output"]), env_for(lab["cache"]), lambda: ready(lab),
              f"build ({point})")
    write_marked(lab["content"], "withheld")
    build(lab["content"], lab["output"], lab["cache"])  # a lock left by the killed build does not block
    assert leaks(lab["output"], lab["cache"]) == []
    assert_same_tree(lab["output"], lab["ref-output"])
    assert cached_terms(lab) == indexed_records(lab["output"])  # the withheld document's terms are gone


def cached_terms(lab) -> int:
    """Records whose terms the term cache keeps (gazette/search/terms.py): the term chunks hold bigrams,
    which the leak scanner's whole strings would not find, so the rows are counted instead: the
    records' terms, and their junction terms (rows `j:<common key>:<record key>`)."""
    import sqlite3

    from gazette.search.terms import TERMS_FILE

    with contextlib.closing(sqlite3.connect(os.path.join(_archive_cache(lab), TERMS_FILE))) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM terms")]
    junctions = [k for k in keys if k.startswith("j:")]
    return max(len(keys) - len(junctions), len(junctions))


def indexed_records(output: str) -> int:
    with open(os.path.join(output, "search-index", "manifest.json"), encoding="utf-8") as f:
        return json.load(f)["records"]


def test_leftovers_of_moments_too_short_to_hit_are_removed(lab):
    """What a kill leaves in windows too short to hit by watching: a temporary file of an atomic
    write (ours and fileio.write_atomic's), the Pagefind folder and scratch folder earlier versions made in the site, a scan copy
    cut short, a compressed copy of a page since removed, a cached PDF half-written, a Whoosh
    segment file of a writer that never committed. The next build removes them all."""
    restore(lab)
    out, cache = lab["output"], lab["cache"]
    secret = f"{TITLE}。{SENTENCE}".encode()
    planted = {
        os.path.join(out, "catalogue.json.tmp4242"): secret,
        os.path.join(out, "pagefind", ".pagefind-k1ll3d", "fragment", "und_1234567.pf_fragment"): gzip.compress(secret),
        os.path.join(out, "documents", f"{SLUG}.html.gz"): gzip.compress(secret),
    }
    cache_dir = _archive_cache(lab)
    planted[os.path.join(cache_dir, "pdf", "0123abcd.pdf.tmp4242")] = b"%PDF-1.7 " + secret
    # fileio.write_atomic's temporaries (the browser index's state, the publishing manifests)
    planted[os.path.join(cache_dir, "browser-index", ".gazette-k1ll3d_0.tmp")] = secret
    planted[os.path.join(cache_dir, "files", ".gazette-k1ll3d_1.tmp")] = secret
    planted[os.path.join(cache_dir, "whoosh", "MAIN_k1ll3dwr1t3r.trm")] = secret
    planted[os.path.join(cache_dir, "whoosh", "MAIN_k1ll3dwr1t3r.tmp", "pool")] = secret
    for path, data in planted.items():
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    scan = os.path.join(out, "scans", sorted(os.listdir(os.path.join(out, "scans")))[0])
    with open(scan, "r+b") as f:
        f.truncate(os.path.getsize(scan) // 2)  # newer than its source now: Pelican would keep it
    assert leaks(out, cache) != []
    build(lab["content"], out, cache)
    assert leaks(out, cache) == []
    assert_same_tree(out, os.path.join(lab["snapshot"], "output"))


def test_two_clean_builds_are_byte_identical_search_index_included(lab, tmp_path):
    """Every file of the browser index is the same bytes for the same records (gzip without a
    date, terms and chunks in a fixed order)."""
    build(lab["ref-content"], str(tmp_path / "output"), str(tmp_path / "cache"))
    assert_same_tree(str(tmp_path / "output"), lab["ref-output"])
    assert any(rel.startswith("search-index/t/") for rel in tree(lab["ref-output"]))


def test_second_build_is_refused_then_withheld_document_leaves_index_and_caches(lab):
    """Two builds at once on one output: the second stops at once and names the first; the first
    completes. Then the document is withheld: it leaves the Whoosh index (no deleted-but-stored
    record), the render cache and the PDF cache, not only the pages."""
    restore(lab)
    write_marked(lab["content"], "public")
    # Not the no-change short cut (it takes the lock for a moment only): a build that does its work.
    for dirpath, _, files in os.walk(lab["cache"]):
        for name in files:
            if name.startswith("completed-") and name.endswith(".json"):
                os.remove(os.path.join(dirpath, name))
    first = subprocess.Popen(build_cmd(lab["content"], lab["output"]), env=env_for(lab["cache"]),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def held() -> bool:
        for dirpath, _, files in os.walk(lab["cache"]):
            for name in files:
                if name.endswith(".lock") and os.path.getsize(os.path.join(dirpath, name)):
                    return True
        return False

    deadline = time.monotonic() + 120
    while not held():
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.005)
    # Paused while it holds the lock (a small archive builds faster than a second process starts).
    os.kill(first.pid, signal.SIGSTOP)
    try:
        second = subprocess.run(build_cmd(lab["content"], lab["output"]), env=env_for(lab["cache"]),
                                capture_output=True, text=True, timeout=120)
    finally:
        os.kill(first.pid, signal.SIGCONT)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err[-3000:]
    assert second.returncode == 1
    assert "正被另一个进程使用" in second.stderr and f"进程 {first.pid}" in second.stderr, second.stderr
    assert "Traceback" not in second.stderr
    # The first build's compressed copies are all there and current.
    assert missing_copies(lab["output"]) == []
    # The document was built in full: it is in every index and cache…
    assert leaks(lab["output"], lab["cache"]) != []
    write_marked(lab["content"], "withheld")
    build(lab["content"], lab["output"], lab["cache"])
    # …and now in none of them.
    assert leaks(lab["output"], lab["cache"]) == []
    assert_same_tree(lab["output"], lab["ref-output"])


def missing_copies(output: str) -> list[str]:
    """Text files of the site without a current .gz and .br copy (gazette.publishing.compress)."""
    import gzip

    import brotli

    from gazette.publishing.compress import MIN_SIZE, TEXT_EXTENSIONS

    missing = []
    for dirpath, _, files in os.walk(output):
        for name in files:
            path = os.path.join(dirpath, name)
            if not name.endswith(TEXT_EXTENSIONS) or os.path.getsize(path) < MIN_SIZE:
                continue
            with open(path, "rb") as f:
                data = f.read()
            try:
                with open(path + ".gz", "rb") as f:
                    gz_ok = gzip.decompress(f.read()) == data
                with open(path + ".br", "rb") as f:
                    br_ok = brotli.decompress(f.read()) == data
            except FileNotFoundError:
                gz_ok = br_ok = False
            if not (gz_ok and br_ok):
                missing.append(os.path.relpath(path, output))
    return missing


HOLD_LOCK = """import sys
from gazette.build_lock import cache_lock_path, exclusive
with exclusive(cache_lock_path(sys.argv[1]), "缓存目录"):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_index_and_build_are_refused_while_the_cache_is_locked(tmp_path):
    """`gazette index` writes the index the build writes: it takes the same lock, and says so."""
    content = small_archive(str(tmp_path / "content"))
    cache = str(tmp_path / "cache")
    env = env_for(cache)
    from gazette.project import load_project

    archive_cache = load_project(content, str(tmp_path / "out"), find_settings=False,
                                 extra={"GAZETTE_CACHE_DIR": cache}).cache_dir
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, archive_cache], env=env, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for cmd in (GAZETTE + ["index", "--content", content, "--as-of", AS_OF.isoformat()],
                    build_cmd(content, str(tmp_path / "out"))):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
            assert done.returncode == 1, (cmd, done.stdout, done.stderr)
            assert done.stderr.startswith("错误：缓存目录 ") and f"正被另一个进程使用（进程 {holder.pid}，" in done.stderr
            assert "Traceback" not in done.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    # Released: the index is written.
    done = subprocess.run(GAZETTE + ["index", "--content", content, "--as-of", AS_OF.isoformat()], env=env,
                          capture_output=True, text=True, timeout=300, cwd=str(tmp_path))
    assert done.returncode == 0, done.stderr


# -- imports -----------------------------------------------------------------------------------

NOTICE = """发布日期：2018-05-{day:02d}
关于开展第{n}批测试工作的通知
某政发〔2018〕{n}号

各区人民政府：

现将第{n}批测试工作的有关事项通知如下。

某某市人民政府
2018年5月{day}日
"""


def notices(folder, count: int) -> str:
    os.makedirs(folder, exist_ok=True)
    for n in range(1, count + 1):
        with open(os.path.join(folder, f"notice-{n:03d}.txt"), "w", encoding="utf-8") as f:
            f.write(NOTICE.format(n=n, day=n % 28 + 1))
    return str(folder)


def import_cmd(sources: str, into: str, *extra: str) -> list[str]:
    return GAZETTE + ["import", sources, "--into", into, *extra]


def files_under(folder: str) -> dict[str, bytes]:
    return {rel: data for rel, data in tree(folder).items() if not rel.endswith(".gazette-import.json")}


def test_import_killed_midway_leaves_no_temporary_files_and_resumes_to_a_clean_result(tmp_path):
    sources = notices(tmp_path / "sources", 40)
    clean, into = str(tmp_path / "clean"), str(tmp_path / "content")
    env = dict(os.environ, PYTHONPATH=ROOT)
    subprocess.run(import_cmd(sources, clean), env=env, check=True, capture_output=True, timeout=300)
    # A temporary file of an import killed between writing and renaming (the window is too short
    # to hit by watching), and a kill once the first documents are written.
    os.makedirs(os.path.join(into, "documents", "2018"))
    with open(os.path.join(into, "documents", "2018", ".import-x1y2.tmp"), "w", encoding="utf-8") as f:
        f.write("半截")

    def some_written() -> bool:
        folder = os.path.join(into, "documents", "2018")
        return len([n for n in os.listdir(folder) if n.endswith(".md")]) >= 3

    kill_when(import_cmd(sources, into, "--jobs", "2"), env, some_written, "import")
    done = subprocess.run(import_cmd(sources, into), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert files_under(into) == files_under(clean)
    assert not [rel for rel in tree(into) if ".import-" in rel or rel.endswith(".lock")]


def test_imported_files_get_normal_permissions(tmp_path):
    from gazette.importer.batch import run_import

    sources = notices(tmp_path / "sources", 2)
    old = os.umask(0o022)
    try:
        run_import([sources], str(tmp_path / "content"), jobs=1)
    finally:
        os.umask(old)
    modes = {rel: stat.S_IMODE(os.stat(os.path.join(tmp_path / "content", rel)).st_mode)
             for rel in tree(str(tmp_path / "content"))}
    assert modes and set(modes.values()) == {0o644}, modes


def test_special_files_are_skipped_with_a_reason_never_opened(tmp_path):
    """A named pipe in the source tree made the import wait for ever; a socket and a dangling
    link are reported too, and the rest is imported."""
    import socket

    sources = notices(tmp_path / "sources", 2)
    os.mkfifo(os.path.join(sources, "pipe.txt"))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(os.path.join(sources, "sock.txt"))
    os.symlink(os.path.join(sources, "missing.txt"), os.path.join(sources, "dangling.txt"))
    try:
        done = subprocess.run(import_cmd(sources, str(tmp_path / "content"), "--jobs", "1"),
                              env=dict(os.environ, PYTHONPATH=ROOT), capture_output=True, text=True, timeout=120)
    finally:
        sock.close()
    assert "pipe.txt：不是普通文件，而是命名管道" in done.stdout, done.stdout
    assert "sock.txt：不是普通文件，而是套接字" in done.stdout
    assert "dangling.txt：无法读取" in done.stdout
    assert "新导入 2" in done.stdout


def _kill_own_worker(args):
    """A task whose worker is killed (SIGKILL, as the OOM killer would) on its first try, or on
    every try: the pool must lose only this task."""
    n, flag, always = args
    if n == 3 and (always or not os.path.exists(flag)):
        open(flag, "w").close()
        os.kill(os.getpid(), signal.SIGKILL)
    return n * n


def test_a_killed_worker_costs_only_its_own_task_retried_once(tmp_path):
    from gazette.background import TaskPool

    flag = str(tmp_path / "died")
    with TaskPool(2) as pool:
        once = list(pool.map(_kill_own_worker, [(n, flag, False) for n in range(8)],
                             on_death=lambda item, why: ("lost", item[0], why)))
    assert once == [n * n for n in range(8)]  # retried in a new worker and done
    with TaskPool(2) as pool:
        always = list(pool.map(_kill_own_worker, [(n, flag, True) for n in range(8)],
                               on_death=lambda item, why: ("lost", item[0], why)))
    assert always[3][:2] == ("lost", 3) and "SIGKILL" in always[3][2]
    assert [r for i, r in enumerate(always) if i != 3] == [n * n for n in range(8) if n != 3]


def test_ocr_worker_killed_costs_only_its_source_and_workers_end_with_the_import(tmp_path):
    """The OOM killer takes an OCR worker (twice: the retry too): that scanned issue is reported
    as failed and every text source is still imported. Then the import itself is killed during
    OCR: its workers end with it."""
    if not shutil.which("tesseract"):
        pytest.skip("tesseract is not installed")
    from test_import_pdf import NOTICE as PDF_NOTICE, image_pdf

    sources = notices(tmp_path / "sources", 6)
    image_pdf(os.path.join(sources, "scan.pdf"), [PDF_NOTICE], 0)  # one page: one OCR task, killed twice
    into = str(tmp_path / "content")
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen(import_cmd(sources, into, "--jobs", "2"), env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    killed: set[int] = set()
    deadline = time.monotonic() + 300
    while proc.poll() is None and len(killed) < 2 and time.monotonic() < deadline:
        for worker in _children(proc.pid):
            if worker not in killed and _children(worker):  # running tesseract: doing OCR
                os.kill(worker, signal.SIGKILL)
                killed.add(worker)
        time.sleep(0.01)
    out, _ = proc.communicate(timeout=300)
    assert len(killed) == 2, out
    assert "scan.pdf：" in out and "SIGKILL" in out and "重试一次仍失败" in out, out
    assert "新导入 6" in out, out

    # The import killed during OCR: no worker (nor its Tesseract) outlives it for long.
    shutil.rmtree(into)
    proc = subprocess.Popen(import_cmd(sources, into, "--jobs", "2"), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while not any(_children(w) for w in _children(proc.pid)):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.01)
        workers = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        until = time.monotonic() + 5
        while set(workers) & _alive() and time.monotonic() < until:
            time.sleep(0.05)
        assert not set(workers) & _alive()
    finally:
        for pid in processes_in_group(proc.pid):
            os.kill(pid, signal.SIGKILL)


def _alive() -> set[int]:
    return {pid for pid, state, _, _ in _processes() if state != "Z"}


def built_withheld_then_public(tmp_path, monkeypatch):
    """A completed build with the marked document withheld, then the document made public (not yet
    built): (content, output, cache, its path, its withheld bytes)."""
    from gazette.build import build_site

    content = small_archive(str(tmp_path / "content"))
    write_marked(content, "withheld")
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    monkeypatch.setenv("GAZETTE_CACHE_DIR", cache)
    build_site(content, out, as_of=AS_OF)
    path = os.path.join(content, "documents", "2026", f"{SLUG}.md")
    withheld = open(path, "rb").read()
    write_marked(content, "public")
    return content, out, cache, path, withheld


def test_a_build_that_stops_after_reading_leaves_no_short_cut_over_what_it_cached(tmp_path, monkeypatch):
    """Review 17: a build that read the archive with the document public (its header now in the
    header cache) and stopped before writing anything, then the document withheld again: the inputs
    are those of the last completed build, whose no-change record stood, so the next build did
    nothing and the header cache kept the document. The record now goes before any cache is written,
    and a build after one that did not complete compacts every cache it deletes from."""
    from gazette import project as project_module
    from gazette.build import build_site

    content, out, cache, path, withheld = built_withheld_then_public(tmp_path, monkeypatch)

    def stopped(*args, **kwargs):  # the moment a SIGKILL found in review 17: after the header pass
        raise KeyboardInterrupt

    monkeypatch.setattr(project_module.Project, "site_model", stopped)
    with pytest.raises(KeyboardInterrupt):
        build_site(content, out, as_of=AS_OF)
    monkeypatch.undo()
    monkeypatch.setenv("GAZETTE_CACHE_DIR", cache)
    assert find_leaks(cache, [NUMBER]), "the stopped build cached the document while it was public"
    with open(path, "wb") as f:
        f.write(withheld)
    again = build_site(content, out, as_of=AS_OF)
    assert not again.unchanged
    assert find_leaks(cache, MARKERS) == [] and find_leaks(out, MARKERS) == []


def test_a_build_stopped_while_it_reads_ahead_of_the_comparison_writes_no_cache(tmp_path, monkeypatch):
    """When the record of the last completed build names other inputs, the archive is read while a
    child compares the output with the record, before the record is removed: the header cache is
    held until then. A build stopped in that window (the comparison never came back), with the
    document public for the moment, then withheld again as in the completed build: the record still
    stands and the next build does nothing, so nothing of the public moment may be in any cache."""
    from gazette.build import build_site
    from gazette.build_shortcut import Shortcut

    content, out, cache, path, withheld = built_withheld_then_public(tmp_path, monkeypatch)
    read = []
    holds = Shortcut.holds

    def stopped(self, looked=None):  # the comparison's answer, awaited after the archive was read
        read.append(True)
        holds(self, looked)  # reaps the child
        raise KeyboardInterrupt

    monkeypatch.setattr(Shortcut, "holds", stopped)
    with pytest.raises(KeyboardInterrupt):
        build_site(content, out, as_of=AS_OF)
    monkeypatch.undo()
    monkeypatch.setenv("GAZETTE_CACHE_DIR", cache)
    assert read
    with open(path, "wb") as f:
        f.write(withheld)
    again = build_site(content, out, as_of=AS_OF)
    assert again.unchanged  # the record stood: nothing was written while the archive was read
    assert leaks(out, cache) == []


def test_a_file_edited_while_the_build_runs_and_put_back_leaves_no_record(tmp_path, monkeypatch):
    """Review 18 (it predates the review's change): the record's key is the content as hashed at
    the start, the archive is read after. A document withheld when hashed, made public before it
    was read (so published), then put back byte for byte: the next build found the inputs of the
    record and did nothing, over the public moment's output. A build now records its inputs only if
    every content file is as it was when hashed."""
    from gazette import build as build_module, build_shortcut
    from gazette.build import build_site

    content = small_archive(str(tmp_path / "content"))
    write_marked(content, "withheld")
    out, cache = str(tmp_path / "out"), str(tmp_path / "cache")
    monkeypatch.setenv("GAZETTE_CACHE_DIR", cache)
    path = os.path.join(content, "documents", "2026", f"{SLUG}.md")
    withheld = open(path, "rb").read()
    hashed = build_module.inputs_key

    def then_edited(*args, **kwargs):  # someone saves the file the moment after it was hashed
        key = hashed(*args, **kwargs)
        write_marked(content, "public")
        return key

    monkeypatch.setattr(build_module, "inputs_key", then_edited)
    # The header pass parses the bytes the inputs key hashed (build_shortcut.KEEP_LIMIT): the build is
    # of the withheld file, whatever is saved meanwhile.
    build_site(content, out, as_of=AS_OF)
    assert find_leaks(out, [NUMBER]) == [] and leaks(out, cache) == []
    # Past that limit (a very large archive) the header pass reads the files again: the race as it was.
    monkeypatch.setattr(build_shortcut, "KEEP_LIMIT", 0)
    write_marked(content, "withheld")
    build_site(content, out, as_of=AS_OF)
    monkeypatch.setattr(build_module, "inputs_key", hashed)
    assert find_leaks(out, [NUMBER]), "the build read the document while it was public"
    with open(path, "wb") as f:  # the edit undone
        f.write(withheld)
    again = build_site(content, out, as_of=AS_OF)
    assert not again.unchanged
    assert leaks(out, cache) == []


def test_a_cache_in_the_content_folder_is_not_content_and_one_in_the_output_is_refused(tmp_path, monkeypatch):
    """Review 18: with the cache inside the content folder (the default when the archive is the
    working folder), every build hashed the caches as content (no build was ever "unchanged"), and
    the child sweeping the cache raced the hashing. A cache inside the output would be published."""
    from gazette.build import build_site
    from gazette.project import GazetteError

    content = small_archive(str(tmp_path / "content"))
    out = str(tmp_path / "out")
    monkeypatch.setenv("GAZETTE_CACHE_DIR", os.path.join(content, ".cache", "gazette"))
    assert not build_site(content, out, as_of=AS_OF).unchanged
    assert build_site(content, out, as_of=AS_OF).unchanged
    monkeypatch.setenv("GAZETTE_CACHE_DIR", os.path.join(out, "cache"))
    with pytest.raises(GazetteError, match="缓存目录"):
        build_site(content, out, as_of=AS_OF)
