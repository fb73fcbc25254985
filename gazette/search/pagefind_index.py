"""Browser search: the Pagefind bundle under `<output>/pagefind/`, built through Pagefind's Python API.

Each document becomes one custom record whose content is our token stream (see
`normalise.tokens`), not its text: Pagefind's own Chinese segmenter neither folds scripts
nor cuts Traditional text into words. The record's language is `und`, so Pagefind splits
the stream on spaces and stems nothing. The page reads the original text of each result it shows
from the document's open-data JSON and finds the matches in it itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass

from ..labels import FLAG_LABELS, STATUS_LABELS, localise
from ..incremental import write_bytes
from ..model import document_json_url
from .pagefind_adapter import launch_service
from .pagefind_files import canonicalise
from .normalise import fold_table, number_word, tokens
from .records import SearchRecord

PAGEFIND_DIR = "pagefind"
FOLD_FILE = "gazette-fold.json"
CATALOGUE_FILE = "gazette-catalogue.json"
SHARDS_FILE = "gazette-shards.json"
SHARD_STAMP = "gazette-shard.sha256"
SHARD_CACHE = "pagefind-shards"   # in the cache folder: built shards by the hash of their records
SCRATCH = "pagefind-tmp"          # in the cache folder: where Pagefind writes before the copy into the site
TEMP_PREFIX = ".pagefind-"
INDEX_LANGUAGE = "und"
# The title is indexed twice: a match there should outrank one deep in a long body.
TITLE_REPEAT = 2
# A body token is indexed at most this many times. Pagefind keeps every occurrence (a position
# each, and the stream itself as the record's content), but ranks by a saturating term frequency,
# so occurrences past the first few add little: capped, a legal text's stream is half as long
# (lawrefbook: 50 % of its tokens at 3, 59 % at 5, 30 % distinct), and so are Pagefind's time,
# its memory and the bytes a reader downloads per result. Every distinct token is still there.
BODY_TOKEN_CAP = 4


@dataclass
class BrowserIndexStats:
    records: int
    bundle_dir: str
    bundle_bytes: int


def record_content(record: SearchRecord) -> str:
    """Token stream Pagefind indexes: title (twice), number, issuers, then the body's tokens in
    order, each at most BODY_TOKEN_CAP times."""
    head: list[str] = []
    for _ in range(TITLE_REPEAT):
        head += [t for t, _ in tokens(record.title)]
    if record.number_key:
        head += [t for t, _ in tokens(record.number_key)]
        head.append(number_word(record.doc_number))
    for issuer in record.issuer:
        head += [t for t, _ in tokens(issuer)]
    seen: dict[str, int] = {}
    body = []
    for t, _ in tokens(record.body):
        n = seen.get(t, 0)
        if n < BODY_TOKEN_CAP:
            seen[t] = n + 1
            body.append(t)
    return " ".join(head + body)


def record_meta(record: SearchRecord, site_script: str) -> dict[str, str]:
    """What a result shows. The original text is not here: the page reads it, for the results it
    shows, from the document's open-data JSON (`json`). Carried in every record it would make
    Pagefind a third slower and larger in memory, for text no query ever needs from the index."""
    return {
        "title": record.title,
        "number": record.doc_number,
        "issuer": "；".join(record.issuer),
        "date": record.date,
        "status": record.status,
        "status_label": localise(STATUS_LABELS[record.status], site_script),
        "flag": record.flag,
        "flag_label": localise(FLAG_LABELS[record.flag], site_script) if record.flag else "",
        "disclosure": record.disclosure,
        "script": record.script,
        "json": document_json_url(record.slug),
    }


def catalogue_payload(records: list[SearchRecord], site_script: str) -> list[dict]:
    """Catalogue data of every record, for listing by filters alone.

    Pagefind answers a filter-only search by loading every word chunk of the index (tens
    of megabytes for a large archive); the page filters this small list instead.
    """
    out = []
    for r in sorted(records, key=lambda r: (r.date, r.slug), reverse=True):
        meta = record_meta(r, site_script)
        meta.pop("json")  # a filter-only listing shows no excerpt
        out.append({"url": r.url, "meta": meta, "filters": r.filters(site_script)})
    return out


def fold_payload() -> dict[str, str]:
    """The per-character folding table for the browser: two strings, `from[i]` folds to `to[i]`."""
    table = {chr(k): v for k, v in fold_table().items() if k > 0x2FFF and k != 0x3000}
    keys = sorted(table)
    return {"from": "".join(keys), "to": "".join(table[k] for k in keys)}


async def _write_bundle(records: list[SearchRecord], bundle_dir: str, site_script: str) -> None:
    from pagefind.index import IndexConfig

    service = await launch_service()
    try:
        index = await service.create_index(IndexConfig(output_path=bundle_dir))

        async def add(record: SearchRecord) -> None:
            await index.add_custom_record(url=record.url, content=record_content(record),
                                          language=INDEX_LANGUAGE, meta=record_meta(record, site_script),
                                          filters=record.filters(site_script),
                                          sort={"date": record.date})

        # One at a time: the service indexes concurrent requests in arrival order, which
        # varies, and the bundle must be the same bytes for the same records.
        for record in records:
            await add(record)
        await index.write_files(output_path=bundle_dir)
        await _files_settled(bundle_dir)
    finally:
        await service.close()


async def _files_settled(bundle_dir: str, quiet: float = 0.2, limit: float = 120.0) -> None:
    """Wait until Pagefind's files are all on disk before the service is closed.

    Pagefind answers "written" while its last writes may still be in flight (an empty
    pagefind-entry.json was seen under load); closing the service kills the process, so a
    shard could be left truncated. Waits for a readable entry file, its metadata file, and no
    file changing size for `quiet` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    last = None
    while loop.time() < deadline:
        sizes = {os.path.join(d, n): os.path.getsize(os.path.join(d, n))
                 for d, _, ns in os.walk(bundle_dir) for n in ns}
        if sizes == last and _entry_complete(bundle_dir):
            return
        last = sizes
        await asyncio.sleep(quiet)
    raise RuntimeError(f"Pagefind did not finish writing {bundle_dir} within {limit:.0f} s")


def _entry_complete(bundle_dir: str) -> bool:
    try:
        with open(os.path.join(bundle_dir, "pagefind-entry.json"), encoding="utf-8") as f:
            entry = json.load(f)
        return all(os.path.getsize(os.path.join(bundle_dir, f"pagefind.{lang['hash']}.pf_meta")) > 0
                   for lang in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _run(coro) -> None:
    """Run a coroutine to completion, also when the caller already runs an event loop
    (Playwright's sync API does, in tests that build a site while a browser is open)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


# Pagefind holds a whole shard in memory while it indexes (about 1 MB per long document of our
# capped token streams; measured: 0.8 GB for 625 law texts, 1.2 GB for 960); a decade with more
# documents than this is split into parts. Each shard costs every query a few requests, so shards
# are no smaller than memory requires: at this size Pagefind stays near 1 GB beside the
# command-line index and the page writer. Setting: GAZETTE_SEARCH_SHARD_RECORDS.
SHARD_RECORDS = 1000


def shard_of(record: SearchRecord) -> str:
    """The decade of a record (`2010s`). Partition builds cover whole decades."""
    return f"{int(record.year) // 10 * 10}s"


def plan_shards(records: list[SearchRecord], limit: int | None = None) -> dict[str, list[SearchRecord]]:
    """Records per browser index shard: one shard per decade (`2010s`), or, for a decade of more than
    `limit` records, as many parts as needed (`2010s-1`, `2010s-2`…), a record's part fixed by its slug.

    A document always lands in the same shard while its decade's part count holds, so an edit
    rebuilds one shard; a decade that grows past a multiple of `limit` is re-split once."""
    limit = max(1, limit or SHARD_RECORDS)
    by_decade: dict[str, list[SearchRecord]] = {}
    for r in records:
        by_decade.setdefault(shard_of(r), []).append(r)
    out: dict[str, list[SearchRecord]] = {}
    for decade, rs in by_decade.items():
        parts = -(-len(rs) // limit)
        if parts == 1:
            out[decade] = rs
            continue
        for r in rs:
            part = int.from_bytes(hashlib.sha1(r.slug.encode("utf-8")).digest()[:4], "big") % parts + 1
            out.setdefault(f"{decade}-{part}", []).append(r)
    return out


# Bumped whenever what a shard holds for the same records changes (cached shards are then rebuilt).
BUNDLE_VERSION = 3


def _records_hash(records: list[SearchRecord], site_script: str) -> str:
    h = hashlib.sha256(f"{BUNDLE_VERSION}\n{site_script}\n".encode())
    for r in records:
        h.update(r.content_hash().encode())
    return h.hexdigest()


def _sync_tree(src: str, dst: str) -> None:
    """Make `dst` hold exactly `src`'s files, writing only files whose bytes differ.

    The shard's stamp (the hash of its records) is removed first and written last: a build killed
    half-way through leaves a shard without a stamp, which the next build rewrites."""
    stamp = os.path.join(dst, SHARD_STAMP)
    if os.path.exists(stamp):
        os.remove(stamp)
    wanted = set()
    for dirpath, _, names in os.walk(src):
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), src)
            wanted.add(rel)
            if rel != SHARD_STAMP:
                with open(os.path.join(src, rel), "rb") as f:
                    _write_bytes(os.path.join(dst, rel), f.read())
    for dirpath, _, names in os.walk(dst, topdown=False):
        for name in names:
            rel = os.path.relpath(os.path.join(dirpath, name), dst)
            if rel not in wanted:
                os.remove(os.path.join(dst, rel))
        if dirpath != dst and not os.listdir(dirpath):
            os.rmdir(dirpath)
    if SHARD_STAMP in wanted:
        with open(os.path.join(src, SHARD_STAMP), "rb") as f:
            _write_bytes(stamp, f.read())


def _write_bytes(path: str, data: bytes) -> None:
    # The build's one writer; the bundle manages its own leftovers (above), so it is not recorded.
    write_bytes(path, data, record=False)


def _write_json(path: str, value) -> None:
    _write_bytes(path, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def write_shard(records: list[SearchRecord], shard_dir: str, site_script: str, cache_dir: str | None = None,
                digest: str | None = None) -> bool:
    """One decade's Pagefind bundle; rebuilt only when its records changed. True when rebuilt.

    Pagefind writes into a temporary folder of the cache (never inside the site: a build killed
    there would leave it for the web server), its files are then put in a fixed order
    (`pagefind_files.canonicalise`: the same records give the same bytes), and the shard is
    copied into the site and kept in the cache by the hash of its records, so a later build with
    the same records (an incremental rebuild, a partition job) copies it instead of running Pagefind.
    """
    stamp = os.path.join(shard_dir, SHARD_STAMP)
    digest = digest or _records_hash(records, site_script)
    try:
        with open(stamp, encoding="utf-8") as f:
            if f.read() == digest:
                return False
    except FileNotFoundError:
        pass
    name = os.path.basename(shard_dir)
    cached = os.path.join(cache_dir, SHARD_CACHE, f"{name}-{digest[:32]}") if cache_dir else None
    if cached and os.path.isfile(os.path.join(cached, SHARD_STAMP)) and _entry_complete(cached):
        _sync_tree(cached, shard_dir)
        return True
    scratch = os.path.join(cache_dir, SCRATCH) if cache_dir else None
    if scratch:
        os.makedirs(scratch, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, dir=scratch) as tmp:
        _run(_write_bundle(records, tmp, site_script))
        # Pagefind's own UI files and playground are not used by the gazette's search page.
        for entry in os.listdir(tmp):
            if entry.startswith(("pagefind-ui", "pagefind-component-ui", "pagefind-modular-ui")):
                os.remove(os.path.join(tmp, entry))
        canonicalise(tmp)
        with open(os.path.join(tmp, SHARD_STAMP), "w", encoding="utf-8") as f:
            f.write(digest)
        _sync_tree(tmp, shard_dir)
        if cached:
            parent = os.path.dirname(cached)
            os.makedirs(parent, exist_ok=True)
            for old in os.listdir(parent):  # one cached version per shard
                if old.startswith(f"{name}-"):
                    shutil.rmtree(os.path.join(parent, old), ignore_errors=True)
            # Copied under a temporary name and renamed: a cached shard is whole or absent.
            partial = cached + ".partial"
            shutil.rmtree(partial, ignore_errors=True)
            _sync_tree(tmp, partial)
            os.rename(partial, cached)
    return True


def forget_shards(cache_dir: str | None, keep: set[str]) -> None:
    """Remove cached shards other than the current version of each shard in `keep` (by name),
    and anything a killed build left in the scratch folder: a shard of documents withheld since
    must not stay readable in the cache."""
    if not cache_dir:
        return
    shutil.rmtree(os.path.join(cache_dir, SCRATCH), ignore_errors=True)
    parent = os.path.join(cache_dir, SHARD_CACHE)
    if not os.path.isdir(parent):
        return
    for entry in os.listdir(parent):
        if entry.endswith(".partial") or entry not in keep:
            shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)


def build_browser_index(records: list[SearchRecord], output_dir: str, site_script: str = "zh-Hans",
                        decades: tuple[int, int] | None = None, shards: bool = True,
                        site_wide: bool = True, cache_dir: str | None = None,
                        shard_records: int | None = None) -> BrowserIndexStats:
    """Pagefind shards (`plan_shards`) plus, site-wide, the shard list, folding table and catalogue.

    `decades` limits the shards written to those years (a partition build); an assembly run
    writes no shards; a partition run no site-wide files.
    """
    bundle_dir = os.path.abspath(os.path.join(output_dir, PAGEFIND_DIR))
    by_shard = plan_shards(records, shard_records)
    current = set()
    for shard, shard_records in sorted(by_shard.items()) if shards else ():
        first_year = int(shard[:4])
        if decades and not (decades[0] <= first_year <= decades[1]):
            continue
        digest = _records_hash(shard_records, site_script)
        write_shard(shard_records, os.path.join(bundle_dir, shard), site_script, cache_dir, digest)
        current.add(f"{shard}-{digest[:32]}")
    if shards and site_wide:  # a full build knows every shard: the cache keeps only those
        forget_shards(cache_dir, current)
    if site_wide:
        # Shards of decades that no longer hold any listed document (all withheld since) go.
        if os.path.isdir(bundle_dir):
            for name in os.listdir(bundle_dir):
                path = os.path.join(bundle_dir, name)
                if os.path.isdir(path) and re.fullmatch(r"\d{4}s(-\d+)?", name) and name not in by_shard:
                    shutil.rmtree(path)
        _write_json(os.path.join(bundle_dir, SHARDS_FILE), sorted(by_shard, reverse=True))
        _write_json(os.path.join(bundle_dir, FOLD_FILE), fold_payload())
        _write_json(os.path.join(bundle_dir, CATALOGUE_FILE), catalogue_payload(records, site_script))
    size = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(bundle_dir) for n in ns) \
        if os.path.isdir(bundle_dir) else 0
    return BrowserIndexStats(records=len(records), bundle_dir=bundle_dir, bundle_bytes=size)
