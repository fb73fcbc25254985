"""Pagefind's bundle files made reproducible: the same records give the same bytes, run after run.

Pagefind (1.x, `pagefind/src/index/mod.rs`) collects filters in a `hashbrown::HashMap`, whose
iteration order is seeded at random in every process. So the values inside each filter file, the
order of the filters in the language's metadata file, and with them the files' hashed names and
`pagefind-entry.json`, change from one build of the same records to the next (two clean builds of
one archive were not byte-identical). Everything else Pagefind writes is already in a fixed order
(fragments, word chunks, sort orders).

`canonicalise` rewrites a freshly written bundle in place: each filter's values sorted, the
metadata's filters sorted by name, files renamed by the hash of their new bytes (Pagefind's own
naming: `<language>_<first 7 hex digits of the SHA-1>`), the entry file pointed at the new
metadata. The browser side reads these structures by key (a filter is looked up by name, a value
by its string), so order carries no meaning there.

The files are gzip (`pagefind_dcd` + CBOR, as minicbor encodes Rust structs: definite-length
arrays, shortest heads). This module is the one place that reads them; the test suite decodes and
re-encodes every file of a real bundle, so a Pagefind release that changes the format fails there.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import struct

MAGIC = b"pagefind_dcd"


# -- CBOR, the subset Pagefind writes ------------------------------------------------------

def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 * struct.calcsize(fmt)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise ValueError(f"CBOR integer too large: {n}")


class _Simple:
    """A CBOR simple value or float kept as its raw bytes (Pagefind writes none we change)."""

    def __init__(self, raw: bytes):
        self.raw = raw

    def __eq__(self, other):
        return isinstance(other, _Simple) and other.raw == self.raw


def decode(data: bytes):
    value, end = _decode(data, 0)
    if end != len(data):
        raise ValueError(f"CBOR: {len(data) - end} bytes after the value")
    return value


def _decode(data: bytes, at: int):
    first = data[at]
    major, info = first >> 5, first & 31
    at += 1
    if major == 7:
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info, 0)
        return _Simple(data[at - 1:at + size]), at + size
    if info < 24:
        n = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        n = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise ValueError(f"CBOR: indefinite or reserved length at byte {at - 1}")
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major == 2:
        return bytes(data[at:at + n]), at + n
    if major == 3:
        return data[at:at + n].decode("utf-8"), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        out = {}
        for _ in range(n):
            key, at = _decode(data, at)
            out[key], at = _decode(data, at)
        return out, at
    raise ValueError(f"CBOR: major type {major} (tags) not expected in a Pagefind file")


def encode(value) -> bytes:
    if isinstance(value, _Simple):
        return value.raw
    if isinstance(value, bool) or value is None:
        raise TypeError("CBOR booleans and null are decoded as simple values")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise TypeError(f"cannot encode {type(value).__name__} as CBOR")


def read_file(path: str):
    """The CBOR value of one of Pagefind's gzip files (`.pf_meta`, `.pf_filter`, `.pf_index`)."""
    with open(path, "rb") as f:
        data = gzip.decompress(f.read())
    if not data.startswith(MAGIC):
        raise ValueError(f"{path}: not a Pagefind file (no {MAGIC.decode()} header)")
    return decode(data[len(MAGIC):])


def file_bytes(value) -> bytes:
    """Gzip of MAGIC + CBOR, with no timestamp or name in the gzip header (same value, same bytes)."""
    return gzip.compress(MAGIC + encode(value), 9, mtime=0)


# -- the bundle ------------------------------------------------------------------------------

# Field positions in Pagefind's structs (minicbor `#[n(i)]`): MetaIndex.filters, FilterIndex.values.
META_FILTERS = 3
FILTER_VALUES = 1


def _name(language: str, cbor: bytes, taken: set[str]) -> str:
    digest = hashlib.sha1(cbor).hexdigest()
    length = 7
    while f"{language}_{digest[:length]}" in taken and length < len(digest):
        length += 1
    return f"{language}_{digest[:length]}"


def canonicalise(bundle_dir: str) -> bool:
    """Rewrite the filter files, metadata and entry of the Pagefind bundle in `bundle_dir` in a
    fixed order. Returns False when there is nothing to do (no entry file)."""
    entry_path = os.path.join(bundle_dir, "pagefind-entry.json")
    try:
        with open(entry_path, encoding="utf-8") as f:
            entry = json.load(f)
    except FileNotFoundError:
        return False
    filter_dir = os.path.join(bundle_dir, "filter")
    for language, info in sorted(entry["languages"].items()):
        meta_path = os.path.join(bundle_dir, f"pagefind.{info['hash']}.pf_meta")
        meta = read_file(meta_path)
        filters = meta[META_FILTERS]
        renamed: dict[str, str] = {}
        taken: set[str] = set()
        new_files: dict[str, bytes] = {}
        for name, old_hash in sorted(filters, key=lambda f: f[0]):
            value = read_file(os.path.join(filter_dir, f"{old_hash}.pf_filter"))
            value[FILTER_VALUES].sort(key=lambda v: v[0])
            cbor = encode(value)
            new = _name(language, cbor, taken)
            taken.add(new)
            renamed[old_hash] = new
            new_files[new] = file_bytes(value)
        for old_hash in renamed:
            os.remove(os.path.join(filter_dir, f"{old_hash}.pf_filter"))
        for new, data in new_files.items():
            with open(os.path.join(filter_dir, f"{new}.pf_filter"), "wb") as f:
                f.write(data)
        meta[META_FILTERS] = sorted(([name, renamed[h]] for name, h in filters), key=lambda f: f[0])
        cbor = encode(meta)
        # Pagefind names the metadata file with a longer hash than the others (language length + 8).
        meta_hash = f"{language}_{hashlib.sha1(cbor).hexdigest()[:len(language) + 8]}"
        os.remove(meta_path)
        with open(os.path.join(bundle_dir, f"pagefind.{meta_hash}.pf_meta"), "wb") as f:
            f.write(file_bytes(meta))
        info["hash"] = meta_hash
    entry["languages"] = dict(sorted(entry["languages"].items()))
    with open(entry_path, "w", encoding="utf-8") as f:
        f.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
    return True
