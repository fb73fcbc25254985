"""Browser search: Gazette's own static index under `<output>/search-index/` (docs/search.md).

Pagefind answers a query by loading, in every shard, its entry file, its page list and one chunk
per query word with word positions; the bytes grow with the archive (6.3 MB per cold query at
50,000 documents) and its required-run queries cannot find words typed apart. This index is built
for the gazette's own rules instead:

- `manifest.json`: sizes, filter values with their counts, the folding table's file.
- `docs.bin`: three bytes per record (status, current version, kind; review flag; title length):
  what ranking and the 只看现行有效 switch need for every candidate.
- `t/<n>.bin`: term chunks. A term (a folded bigram, a lone last character, an ASCII run, a
  document's number word `#…`, a filter value `!key=value`, a value whole `=|…|`) is in chunk `fnv1a(term) % chunks`;
  its posting holds the records with the term in their title, number or metadata (with a field
  mask) and the records with it in their text (with the text block where it first occurs), the
  latter as a bitmap where that is smaller. No positions: phrase and adjacency are judged from
  the query's junction bigrams (see ranking.py), so a query costs one small file per term; where
  two common bigrams (bitmaps) meet in a text, their trigram is a term too (`junction_terms`, with
  a mask of the blocks where it occurs instead of the first one), so a phrase of common words is
  found where its words meet, and the first candidates are checked against the text blocks where
  the phrase can be (ranking.PHRASE_CHECKS).
- `d/<n>.bin`: what a result shows, DOC_GROUP records a file, fetched for the shown results only.
- `x/<key>-<n>.bin`: the text of a record in BLOCK_CHARS blocks, for excerpts: a shown result
  fetches the one block where its rarest matched term first occurs.

Record ids follow (date, slug), oldest first, so a newly published document is appended and only
the chunks of its own terms change. Every `.bin` is gzip (mtime 0, so the same records give the
same bytes), which the page inflates with DecompressionStream whatever the host compresses.
Only what `records.py` yields is read: withheld documents never reach a record.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
from array import array
from collections import deque
from itertools import filterfalse
from dataclasses import dataclass

from ..fileio import write_atomic
from ..background import ForkedCall
from ..incremental import write_bytes
from ..labels import FLAG_LABELS, STATUS_LABELS, localise
from .normalise import _CJK_RUN, fold_table, fold_text, number_word, tokens
from .ranking import value_term
from .records import SearchRecord
from .names import INDEX_DIR, LEGACY_CACHE, LEGACY_OUTPUT, LEGACY_TEMP_PREFIX  # noqa: F401 - re-exported
from .terms import (FACT_FIELDS, TERMS_FILE, RecordTerms, TermCache, common_key, compute as compute_terms,
                    pack_junctions, record_key)

# 3: junction trigrams (see junction_terms); 4: value terms (ranking.value_term); 5: number words as
# normalise.number_word makes them now; 6: a junction trigram's entry holds a mask of its text's blocks
FORMAT = 6
STAMP = "index.sha256"
FOLD_FILE = "fold.bin"
BLOCK_CHARS = 3000
DOC_GROUP = 16
CHUNK_BYTES = 4096  # posting bytes per term chunk (before compression), on average
# Field bits of a posting entry.
BODY, TITLE, NUMBER, META = 1, 2, 4, 8
HEAD = TITLE | NUMBER | META
STATUS_CODES = tuple(STATUS_LABELS)  # in_force, amended, repealed, expired, not_yet_effective
FLAG_CODES = ("",) + tuple(FLAG_LABELS)
FILTER_KEYS = ("year", "issuer", "doc_type", "category", "status", "flag")
# Filters the page applies from the per-record facts (docs.bin), not from terms.
FACT_FILTERS = ("status", "flag")


@dataclass
class BrowserIndexStats:
    records: int
    bundle_dir: str
    written: bool = True

    @property
    def bundle_bytes(self) -> int:
        """The index's size on disk, walked when asked (a build does not: a walk of every file)."""
        return sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(self.bundle_dir) for n in ns)


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes: which chunk holds a term (search-worker.js has the same)."""
    h = 0x811C9DC5
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def filter_term(key: str, value: str) -> str:
    return f"!{key}={value}"


def number_term(doc_number: str) -> str:
    return "#" + number_word(doc_number)


def title_terms(text: str) -> set[str]:
    """Terms of a short text (a title, a name): its tokens and every character alone, as in body_terms."""
    out = set()
    for t, _ in tokens(text):
        out.add(t)
        if len(t) == 2:
            out.add(t[0])
    return out


def head_terms(record: SearchRecord, site_script: str = "zh-Hans") -> dict[str, int]:
    """Terms of the title, the number and the metadata, each with the fields it is in."""
    out: dict[str, int] = {}

    def add(text: str, bit: int) -> None:
        for t in title_terms(text):
            out[t] = out.get(t, 0) | bit

    add(record.title, TITLE)
    if record.doc_number:
        add(record.doc_number, NUMBER)
        out[number_term(record.doc_number)] = NUMBER
    for value in (*record.issuer, record.doc_type, record.category, record.index_no, *record.aliases):
        if value:
            add(value, META)
            if term := value_term(value):
                out[term] = META
    for key, values in record.filters(site_script).items():
        if key in FACT_FILTERS:  # read from docs.bin: a status that changes rewrites no term chunk
            continue
        for value in values:
            out[filter_term(key, value)] = META
    return out


_NOT_CJK = re.compile(rf"[^{_CJK_RUN}]")
_ASCII_RUN = re.compile(r"[0-9a-z]+")
_SPACED = re.compile(rf"([{_CJK_RUN}])\s+(?=([{_CJK_RUN}]))")


def body_terms(body: str) -> dict[str, int]:
    """Terms of the text (the bigrams of `normalise.tokens`, every CJK character alone, ASCII runs),
    each with the block where it first occurs.

    Written for speed (it sees every character of the archive): characters outside CJK runs are
    masked, so each block's bigrams are one set, taken by slices in C; a bigram ending in the mask
    is a run's lone last character."""
    folded = fold_text(body)
    first: dict[str, int] = {}
    for m in _ASCII_RUN.finditer(folded):  # (a posting keeps the block in one byte, as below)
        first.setdefault(m.group(), min(m.start() // BLOCK_CHARS, 255))
    # Two characters a line break or spaces apart (第一条　人民法院) also make a bigram: a phrase typed
    # without the space is still a phrase of the text.
    for m in _SPACED.finditer(folded):
        first.setdefault(m.group(1) + m.group(2), min(m.start() // BLOCK_CHARS, 255))
    masked = _NOT_CJK.sub("\0", folded) + "\0"
    for block, start in enumerate(range(0, len(folded), BLOCK_CHARS)):
        window = masked[start:start + BLOCK_CHARS + 1]
        grams = set(map(window.__getitem__, _BIGRAM_SLICES[:min(BLOCK_CHARS, len(folded) - start)]))
        kept = min(block, 255)  # the posting keeps one byte: a later block shows from block 255
        for g in grams.difference(first):
            if g[0] != "\0" and g[1] != "\0":
                first[g] = kept
        # every character alone: a query's lone character (直 at the end of a copied phrase, 粮)
        # finds the texts holding it anywhere, not only where it ends a run
        for ch in set(masked[start:start + BLOCK_CHARS]).difference(first):
            if ch != "\0":
                first[ch] = kept
    return first


def is_bitmap(body_records: int, total: int) -> bool:
    """A posting's text records are a bitmap (one bit a record) where that is smaller than the list
    (about two bytes a record): the term is common in the archive's texts."""
    return body_records * 2 >= (total + 7) // 8


def common_bigrams(postings: dict, total: int) -> frozenset[str]:
    """The CJK bigrams whose text records are a bitmap (see `junction_terms`)."""
    out = []
    for term, entries in postings.items():
        if len(term) == 2 and _NOT_CJK.search(term) is None:
            if is_bitmap(sum(1 for e in entries if e & BODY), total):
                out.append(term)
    return frozenset(out)


def text_blocks(length: int) -> int:
    """How many BLOCK_CHARS blocks a text of `length` characters is kept in (`x/<key>-<n>.bin`); folding
    keeps lengths."""
    return -(-length // BLOCK_CHARS)


def block_group(blocks: int) -> int:
    """How many text blocks one bit of a junction trigram's block mask stands for, in a text of
    `blocks` blocks: one each up to 8 blocks, then the blocks in 8 even groups (search-worker.js
    blockGroup)."""
    return max(1, -(-blocks // 8))


def junction_terms(body: str, common: frozenset[str]) -> dict[str, int]:
    """The text's trigrams whose two bigrams are both common, each with a mask of the blocks where it
    occurs (bit k: block group k, see `block_group`).

    Common bigrams carry no block and are in most records, so a phrase made only of them (当事人应当承担
    赔偿责任) could not be told from the many texts that hold its words apart. A query's trigram
    where two common bigrams meet narrows those texts to the ones where they meet, and the masks
    of its trigrams say where: in a law whose first articles say 违反本法第十条规定 and whose
    penalties say 违反本法第十三条规定, each trigram first occurs in the first block, but only the
    last block holds them all. The page asks for these trigrams only where two bitmap postings
    meet in the query."""
    if not common:
        return {}
    folded = fold_text(body)
    masked = _NOT_CJK.sub("\0", folded) + "\0\0"
    group = block_group(text_blocks(len(body)))
    masks: dict[str, int] = {}
    get = masks.get
    for block, start in enumerate(range(0, len(folded), BLOCK_CHARS)):
        window = masked[start:start + BLOCK_CHARS + 2]
        grams = set(map(window.__getitem__, _TRIGRAM_SLICES[:min(BLOCK_CHARS, len(folded) - start)]))
        bit = 1 << (block // group)
        for g in grams:
            if g[:2] in common and g[1:] in common:
                masks[g] = get(g, 0) | bit
    return masks


# A block's bigrams (trigrams) as slices of its window, taken by `map` in C: the loop that sees every
# character of the archive.
_BIGRAM_SLICES = [slice(i, i + 2) for i in range(BLOCK_CHARS)]
_TRIGRAM_SLICES = [slice(i, i + 3) for i in range(BLOCK_CHARS)]


def _varint(n: int, out: bytearray) -> None:
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)


def _varint_bytes(n: int) -> bytes:
    out = bytearray()
    _varint(n, out)
    return bytes(out)


# The varints of the numbers below 2 ** 14 (two bytes at most), looked up rather than computed: an id
# gap of more than 127 is common in the postings of larger archives (a term in 1 % of 10,000 records).
_VARINTS = [bytes((n,)) for n in range(0x80)] + [bytes((n & 0x7F | 0x80, n >> 7)) for n in range(0x80, 1 << 14)]


def _deltas(ids: list[int], out: bytearray) -> None:
    gaps = [b - a - 1 for a, b in zip([-1] + ids, ids)]
    top = max(gaps) if gaps else 0
    if top < 0x80:  # the common case: one byte each
        out += bytes(gaps)
    elif top < len(_VARINTS):
        out += b"".join(map(_VARINTS.__getitem__, gaps))
    else:
        for gap in gaps:
            _varint(gap, out)


# A posting entry while building: record id << 12 | first text block << 4 | field bits.
_ID_SHIFT, _BLOCK_SHIFT = 12, 4


def encode_posting(entries, total: int) -> bytes:
    """varint head count, head entries (id gap, field byte); then the text's records: kind 0 and a
    varint count, id gaps and one block byte each (the first block; a junction trigram's block
    mask); or kind 1 and a bitmap of `total` bits."""
    out = bytearray()
    head = [e for e in entries if e & HEAD]
    _varint(len(head), out)
    prev = -1
    for e in head:
        rid = e >> _ID_SHIFT
        _varint(rid - prev - 1, out)
        out.append(e & HEAD)
        prev = rid
    body = [e for e in entries if e & BODY]
    if is_bitmap(len(body), total):
        out.append(1)
        bits = bytearray((total + 7) // 8)
        for e in body:
            rid = e >> _ID_SHIFT
            bits[rid >> 3] |= 1 << (rid & 7)
        out += bits
    else:
        out.append(0)
        _varint(len(body), out)
        _deltas([e >> _ID_SHIFT for e in body], out)
        out += bytes([(e >> _BLOCK_SHIFT) & 255 for e in body])
    return bytes(out)


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def text_key(record: SearchRecord) -> str:
    """File key of a record's text blocks: stable while its slug is (ids move as records are added)."""
    return slug_text_key(record.slug)


def slug_text_key(slug: str) -> str:
    return hashlib.sha1(slug.encode("utf-8")).hexdigest()[:12]


def fold_payload() -> dict[str, str]:
    """The per-character folding table for the browser: two strings, `from[i]` folds to `to[i]`."""
    table = {chr(k): v for k, v in fold_table().items() if k > 0x2FFF and k != 0x3000}
    keys = sorted(table)
    return {"from": "".join(keys), "to": "".join(table[k] for k in keys)}


def doc_entry(record: SearchRecord, site_script: str) -> list:
    """What a result shows: [url, title, number, issuers, date, status, status label, flag, flag
    label, disclosure, script, kind, text key, text blocks]."""
    blocks = text_blocks(record.text_length)
    return [record.url, record.title, record.doc_number, "；".join(record.issuer), record.date,
            record.status, localise(STATUS_LABELS[record.status], site_script),
            record.flag, localise(FLAG_LABELS[record.flag], site_script) if record.flag else "",
            record.disclosure, record.script, record.kind, text_key(record) if blocks else "", blocks]


def ordered(records: list[SearchRecord]) -> list[SearchRecord]:
    """Record ids: oldest first (a new document is appended), slugs of a day in descending order, so
    that descending id is ranking.sort_key's last two keys (newer date, then slug)."""
    return in_id_order(records, lambda r: (r.date, r.slug))


def in_id_order(items: list, date_and_slug) -> list:
    """`items` in record-id order, given each one's (date, slug): the one rule for ids, which the
    command line uses to number Whoosh's documents as this index numbers its records."""
    by_slug = sorted(items, key=lambda item: date_and_slug(item)[1], reverse=True)
    return sorted(by_slug, key=lambda item: date_and_slug(item)[0])


def ids_digest(slugs) -> str:
    """Hash of the slugs in id order: the stamp's third line, which a reader of the postings compares
    with the records it numbers (whoosh_index.TextPostings)."""
    return hashlib.sha256("\n".join(slugs).encode("utf-8")).hexdigest()


def read_stamp(index_dir: str) -> list[str]:
    """The stamp's lines (terms hash, records hash, ids digest); [] when there is none (an index
    never written, or one being written)."""
    try:
        with open(os.path.join(index_dir, STAMP), encoding="utf-8") as f:
            return f.read().split("\n")
    except OSError:
        return []


def records_hash(records: list[SearchRecord], site_script: str, keys: list[str] | None = None) -> tuple[str, str]:
    """(hash of what the terms are made of, hash of everything): the first unchanged means the term
    chunks and text blocks of the index already written hold for these records. `keys`: the
    records' `terms.record_key`s, when already known."""
    head = f"{FORMAT}\n{BLOCK_CHARS}\n{DOC_GROUP}\n{CHUNK_BYTES}\n{site_script}\n".encode()
    terms, whole = hashlib.sha256(head), hashlib.sha256(head)
    for r, key in zip(records, keys if keys is not None else (record_key(r, site_script) for r in records)):
        terms.update(key.encode())
        whole.update(key.encode() + json.dumps([getattr(r, k) for k in FACT_FIELDS]).encode())
    return terms.hexdigest(), whole.hexdigest()


def index_files(records: list[SearchRecord], site_script: str) -> dict[str, bytes]:
    """Every file of the index, by path inside it."""
    return dict(iter_index_files(records, site_script))


def iter_index_files(records: list[SearchRecord], site_script: str, chunks: int | None = None):
    """(path inside the index, bytes) of every file, text blocks as each record is read: the index's
    memory is its postings, 8 bytes an entry, not the archive's text a second time. With `chunks`
    (the count of the index already written, whose terms these records share): the facts' files only."""
    for rel, raw in _raw_files(ordered(records), site_script, chunks):
        yield rel, _final(rel, raw)


def _final(rel: str, raw: bytes) -> bytes:
    """A file's bytes as written: every `.bin` gzip."""
    return _gzip(raw) if rel.endswith(".bin") else raw


def _raw_files(records: list[SearchRecord], site_script: str, chunks: int | None = None, terms_of=None,
               text_wanted=None, sizes: dict | None = None, junctions_of=None, cached_junctions=None,
               keep_junctions=None):
    """(path, bytes before compression) of every file of these (ordered) records. `terms_of(id,
    record)` gives a record's terms (default: computed); `text_wanted(id, record)` whether its text
    blocks are wanted (default: all); `sizes` receives the chunk count and the postings' bytes; the
    junction functions: see _term_files."""
    if chunks is None:
        chunks, posting_bytes = yield from _term_files(records, site_script, terms_of, text_wanted, junctions_of, sizes,
                                                       cached_junctions, keep_junctions)
        if sizes is not None:
            sizes.update(chunks=chunks, posting_bytes=posting_bytes)
    yield from _fact_files(records, site_script, chunks)


def _entries(t: RecordTerms) -> dict[str, int]:
    """A record's posting entries without its id, by term: BODY and its first block, field bits."""
    out = {term: BODY | block << _BLOCK_SHIFT for term, block in t.body.items()}
    for term, bits in t.head.items():
        out[term] = out.get(term, 0) | bits
    return out


def _chunk_count(posting_bytes: int) -> int:
    """A power of two: the count (and so every term's chunk) changes only when the index doubles."""
    return 1 << max(0, (-(-posting_bytes // CHUNK_BYTES) - 1).bit_length())


def _chunk_bytes(postings: dict[str, bytes]) -> bytes:
    """A term chunk: varint term count, then each term (sorted) with its posting's size; the postings."""
    head, data = bytearray(), bytearray()
    _varint(len(postings), head)
    for term in sorted(postings):
        raw = term.encode("utf-8")
        _varint(len(raw), head)
        head += raw
        _varint(len(postings[term]), head)
        data += postings[term]
    return bytes(head + data)


def _text_files(record: SearchRecord):
    key = text_key(record)
    for b in range(0, len(record.body), BLOCK_CHARS):
        yield f"x/{key}-{b // BLOCK_CHARS}.bin", record.body[b:b + BLOCK_CHARS].encode("utf-8")


def _add_body(postings: dict[str, array], rid: int, terms: dict[str, int]) -> None:
    """Append record `rid`'s text entries (term → first block, or a junction trigram's block mask:
    a byte either way) to the postings (ids ascending).

    This sees every term of every text (at 10,000 laws, 18 of the browser index's 86 CPU-seconds as
    a loop in Python): the terms new to the postings are found by `filterfalse`, then each entry is
    appended by `map` over the lists, in C."""
    if not terms:
        return
    for term in filterfalse(postings.__contains__, terms):
        postings[term] = array("q")
    base = rid << _ID_SHIFT | BODY
    deque(map(array.append, map(postings.__getitem__, terms),
              map(base.__or__, map(_BLOCK_BITS.__getitem__, terms.values()))), maxlen=0)


_BLOCK_BITS = [block << _BLOCK_SHIFT for block in range(256)]  # (a block past 255 is an error, never an id's bits)


# Records from which the browser index shares its last passes with a forked helper (see _term_files).
PARALLEL_RECORDS = 1000


def _helper_part(records: list, later: dict, common: frozenset, postings: dict, theirs: set, total: int, pack):
    """In the helper of `_term_files`: the junction terms of the second half's records (`records`:
    (id, record) pairs to compute them for; `later`: id → those the cache had) as postings of their
    own, ids ascending (they extend the first half's); the computed ones packed for the term cache
    (`pack`: terms.pack_junctions, or None: no cache); the postings of the terms `theirs` encoded."""
    todo = dict(records)
    junctions: dict[str, array] = {}
    packed = []
    for rid in sorted(todo.keys() | later.keys()):
        r = todo.get(rid)
        if r is None:
            got = later[rid]
        else:
            got = junction_terms(r.body, common) if r.body else {}
            if pack is not None:
                packed.append((rid, pack(got)))
        _add_body(junctions, rid, got)
    return junctions, packed, {term: encode_posting(postings[term], total) for term in theirs}


def _term_files(records: list[SearchRecord], site_script: str, terms_of=None, text_wanted=None,
                junctions_of=None, sizes: dict | None = None, cached_junctions=None, keep_junctions=None):
    """Text blocks and term chunks; returns (chunk count, postings' bytes). `junctions_of(id,
    record, common)` gives a record's junction terms (default: computed); `cached_junctions(id,
    record, common)` the cached ones or None, `keep_junctions(id, record, common, packed)` keeps
    those computed by the helper, packed by terms.pack_junctions (both default: no cache); `sizes`
    receives the common bigrams."""
    total = len(records)
    # term → entries (array of 8-byte ints: a list would cost 36 bytes an entry, 7 GB at 50,000 laws)
    postings: dict[str, array] = {}
    get = postings.get
    for rid, r in enumerate(records):
        t = terms_of(rid, r) if terms_of else compute_terms(r, site_script)
        _add_body(postings, rid, t.body)
        for term, bits in t.head.items():
            lst = get(term)
            if lst is None:
                postings[term] = array("q", (rid << _ID_SHIFT | bits,))
            elif lst[-1] >> _ID_SHIFT == rid:  # also in its text
                lst[-1] |= bits
            else:
                lst.append(rid << _ID_SHIFT | bits)
        if r.text_length and (text_wanted is None or text_wanted(rid, r)):
            yield from _text_files(r)
    common = common_bigrams(postings, total)
    if sizes is not None:
        sizes["common"] = sorted(common)
    if junctions_of is None:
        junctions_of = lambda rid, r, common: junction_terms(r.body, common) if r.body else {}  # noqa: E731
    encoded: dict[str, bytes] = {}
    # What is left is two passes, over the records (their junction terms) and over the terms (their
    # postings encoded), each pure Python: the second half of each is done by a forked helper at
    # the same time (the same bytes; the browser index is the build's longest job).
    split = total // 2 if total >= PARALLEL_RECORDS else total
    helper = None
    if split < total:
        later: dict[int, dict[str, int]] = {}  # the second half's junction terms, from the cache
        missing = []
        for rid in range(split, total):
            got = cached_junctions(rid, records[rid], common) if cached_junctions else None
            if got is None:
                missing.append(rid)
            else:
                later[rid] = got
        # Junction terms are three CJK characters, no other term is (bigrams, characters, ASCII
        # runs, #numbers, !filters), so the postings there are now are complete: the helper encodes
        # those of odd hash (the same in a forked child), this process the others.
        mine, theirs = [], set()
        for term in postings:
            (theirs.add if hash(term) & 1 else mine.append)(term)
        helper = ForkedCall(_helper_part, [(rid, records[rid]) for rid in missing], later, common, postings, theirs,
                            total, pack_junctions if keep_junctions else None)
    for rid in range(split):
        _add_body(postings, rid, junctions_of(rid, records[rid], common))
    if helper is not None:
        for term in mine:
            encoded[term] = encode_posting(postings.pop(term), total)
        junctions, packed, helped = helper.wait()
        for term in theirs:
            del postings[term]
        encoded.update(helped)
        for rid, blob in packed:
            keep_junctions(rid, records[rid], common, blob)
        # What is left in the postings is the first half's junction terms: the second half's
        # entries follow them (a C-level extend; the helper made them an append at a time).
        for term, entries in junctions.items():
            lst = postings.get(term)
            if lst is None:
                postings[term] = entries
            else:
                lst.extend(entries)
    while postings:  # each posting's entries are freed as it is encoded
        term, entries = postings.popitem()
        encoded[term] = encode_posting(entries, total)
    posting_bytes = sum(len(v) for v in encoded.values())
    chunks = _chunk_count(posting_bytes)
    by_chunk: dict[int, list[str]] = {}
    for term in encoded:
        by_chunk.setdefault(fnv1a(term) % chunks, []).append(term)
    for n, terms in by_chunk.items():
        yield f"t/{n}.bin", _chunk_bytes({term: encoded[term] for term in terms})
    return chunks, posting_bytes


def _fact_files(records: list[SearchRecord], site_script: str, chunks: int):
    """What a result shows, the per-record facts, the folding table and the manifest."""
    total = len(records)
    facts = bytearray()
    filter_counts: dict[str, dict[str, int]] = {k: {} for k in FILTER_KEYS}
    for r in records:
        facts += bytes((STATUS_CODES.index(r.status) | (8 if r.is_current_version else 0)
                        | (16 if r.kind == "issue" else 0),
                        FLAG_CODES.index(r.flag), min(255, len(r.title))))
        for key, values in r.filters(site_script).items():
            for value in values:
                filter_counts[key][value] = filter_counts[key].get(value, 0) + 1
    for g in range(0, total, DOC_GROUP):
        group = [doc_entry(r, site_script) for r in records[g:g + DOC_GROUP]]
        yield f"d/{g // DOC_GROUP}.bin", json.dumps(group, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    yield "docs.bin", bytes(facts)
    yield FOLD_FILE, json.dumps(fold_payload(), ensure_ascii=False).encode("utf-8")
    manifest = {
        "format": FORMAT, "records": total, "chunks": chunks, "group": DOC_GROUP, "block": BLOCK_CHARS,
        "status": list(STATUS_CODES), "flag": list(FLAG_CODES),
        # the labels the filters show, by code (status and flag are filtered from docs.bin)
        "labels": {"status": [localise(STATUS_LABELS[c], site_script) for c in STATUS_CODES],
                   "flag": [""] + [localise(FLAG_LABELS[c], site_script) for c in FLAG_CODES[1:]]},
        # Newest first, as the page lists them; counts as the filters show them.
        "filters": {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in filter_counts.items()},
    }
    manifest["filters"]["year"] = dict(sorted(filter_counts["year"].items(), reverse=True))
    yield "manifest.json", json.dumps(manifest, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _write(path: str, data: bytes) -> None:
    # The index manages its own leftovers (below), so its files are not entered in the build record.
    write_bytes(path, data, record=False)


def _remove(index_dir: str, rel: str) -> None:
    """A file no longer part of the index, with the compression stage's copies of it."""
    for suffix in ("", ".gz", ".br"):
        try:
            os.remove(os.path.join(index_dir, rel + suffix))
        except FileNotFoundError:
            pass


def forget_legacy(output_dir: str, cache_dir: str | None) -> None:
    for name in LEGACY_OUTPUT:
        shutil.rmtree(os.path.join(output_dir, name), ignore_errors=True)
    for name in LEGACY_CACHE if cache_dir else ():
        shutil.rmtree(os.path.join(cache_dir, name), ignore_errors=True)


# -- what the index written holds, kept in the cache folder ----------------------------------------
# With the record terms of the term cache it lets a rebuild write only what changed: per record its
# slug, terms key and text blocks (in id order); the chunk count and the postings' bytes; per file
# (but the text blocks, which follow their record's key) a hash of its bytes before compression and
# its size as written. It holds for the index whose stamp it names, and only for it.
STATE_DIR = "browser-index"


def _digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def _state_path(cache_dir: str, index_dir: str) -> str:
    return os.path.join(cache_dir, STATE_DIR, hashlib.sha1(index_dir.encode("utf-8")).hexdigest()[:16] + ".json")


def _load_state(path: str, stamp: str) -> dict | None:
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
    except (OSError, ValueError):
        return None
    return state if state.get("stamp") == stamp and stamp.strip() else None


class _Files:
    """Writes term chunks and fact files, skipping those the state says hold these bytes already."""

    def __init__(self, index_dir: str, before: dict | None):
        self.dir, self.before, self.files = index_dir, before, {}

    def put(self, rel: str, raw: bytes) -> None:
        digest = _digest(raw)
        path = os.path.join(self.dir, rel)
        was = self.before.get(rel) if self.before is not None else None
        if was and was[0] == digest and _size(path) == was[1]:
            self.files[rel] = was
            return
        data = _final(rel, raw)
        _write(path, data)
        self.files[rel] = [digest, len(data)]


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return -1


class _Fallback(Exception):
    """The state or the term cache cannot patch this change: the index is computed whole."""


def _patch(index_dir: str, records: list[SearchRecord], keys: list[str], state: dict, cache: TermCache):
    """The term chunks changed by the records whose terms changed, when every record keeps its id
    (an edit, or a newest document added after the others): (path → bytes before compression, or
    None for a chunk now empty; postings' bytes; the changed records' ids). Each chunk is read back
    from the index, the changed terms' postings decoded, the changed records' entries replaced and
    the postings encoded again: the same bytes as the whole index computed again. None where ids
    move (a record removed, or added before another), where many records changed, where a bitmap
    would grow by a byte (one addition in eight) or where the chunk count would change."""
    before = state["records"]
    # the day's new document, dated after every other: it takes the next id and no other id moves
    appended = len(records) == len(before) + 1 and (len(before) + 7) // 8 == (len(records) + 7) // 8
    if (len(before) != len(records) and not appended) or any(b[0] != r.slug for b, r in zip(before, records)):
        return None
    changed = [rid for rid, (b, key) in enumerate(zip(before, keys)) if b[1] != key]
    if appended:
        changed.append(len(before))
    if len(changed) > max(16, len(records) // 64):
        return None
    total = len(records)
    if "common_key" not in state:
        return None
    common, ckey = frozenset(state["common"]), state["common_key"]
    delta: dict[str, dict[int, int]] = {}  # term → changed record → its entry now (0: none)
    for rid in changed:
        old = {}  # an added record had no entries
        if rid < len(before):
            was = cache.get(before[rid][1])
            was_joins = cache.get_junctions(before[rid][1], ckey)
            if was is None or was_joins is None:
                return None
            old = _entries(was)
            # junction terms for the same common bigrams (a change to those is found below: a fallback)
            old.update((t, BODY | b << _BLOCK_SHIFT) for t, b in was_joins.items())
        new = _entries(cache.terms(records[rid], keys[rid]))
        new.update((t, BODY | b << _BLOCK_SHIFT) for t, b in cache.junctions(records[rid], keys[rid], common, ckey).items())
        for term in old.keys() | new.keys():
            if old.get(term, 0) != new.get(term, 0):
                delta.setdefault(term, {})[rid] = new.get(term, 0)
    chunks, posting_bytes = state["chunks"], state["posting_bytes"]
    by_chunk: dict[int, list[str]] = {}
    for term in delta:
        by_chunk.setdefault(fnv1a(term) % chunks, []).append(term)
    bodies: dict[int, dict[str, int]] = {}

    def first_block(rid: int, term: str) -> int:
        # a bitmap posting keeps no blocks; a list does: the record's terms have it
        if rid not in bodies:
            got, joins = cache.get(keys[rid]), cache.get_junctions(keys[rid], ckey)
            if got is None or joins is None:
                raise _Fallback
            bodies[rid] = {**got.body, **joins}
        return bodies[rid][term]

    out: dict[str, bytes | None] = {}
    try:
        for n, terms in by_chunk.items():
            rel = f"t/{n}.bin"
            chunk: dict[str, bytes] = {}
            if rel in state["files"]:
                try:
                    with open(os.path.join(index_dir, rel), "rb") as f:
                        raw = gzip.decompress(f.read())
                except (OSError, EOFError, gzip.BadGzipFile):
                    return None
                if _digest(raw) != state["files"][rel][0]:
                    return None
                chunk = _parse_chunk(raw)
            for term in terms:
                entries: dict[int, int] = {}
                unknown: set[int] = set()
                if term in chunk:
                    posting_bytes -= len(chunk[term])
                    head, body = decode_posting(chunk[term], total)
                    entries.update(head)
                    for rid, block in body.items():
                        if block is None:
                            unknown.add(rid)
                        entries[rid] = entries.get(rid, 0) | BODY | (block or 0) << _BLOCK_SHIFT
                for rid, entry in delta[term].items():
                    unknown.discard(rid)
                    if entry:
                        entries[rid] = entry
                    else:
                        entries.pop(rid, None)
                if len(term) == 2 and _NOT_CJK.search(term) is None and \
                        (term in common) != is_bitmap(sum(1 for e in entries.values() if e & BODY), total):
                    raise _Fallback  # the common bigrams change: every record's junction terms may
                if not entries:
                    chunk.pop(term, None)
                    continue
                if unknown and not is_bitmap(sum(1 for e in entries.values() if e & BODY), total):
                    for rid in unknown:  # no longer a bitmap: the list names each record's first block
                        entries[rid] |= first_block(rid, term) << _BLOCK_SHIFT
                chunk[term] = encode_posting([rid << _ID_SHIFT | e for rid, e in sorted(entries.items())], total)
                posting_bytes += len(chunk[term])
            out[rel] = _chunk_bytes(chunk) if chunk else None
    except _Fallback:
        return None
    if _chunk_count(posting_bytes) != chunks:
        return None
    return out, posting_bytes, changed


def build_browser_index(records: list[SearchRecord], output_dir: str, site_script: str = "zh-Hans",
                        site_wide: bool = True, cache_dir: str | None = None) -> BrowserIndexStats:
    """Write `<output>/search-index/` for these records; files whose bytes are unchanged are left
    alone, files no longer part of the index are removed.

    With `cache_dir`, each record's terms come from the term cache (terms.py: computed once, for
    this index and the command-line one) and what the index holds is kept there (the state, above):
    an edit rewrites only the term chunks of the terms it changed, an addition computes the chunks
    again from the cached terms and writes those whose bytes changed. The term cache keeps only the
    terms of these records.

    The stamp (hash of the records) is removed before anything is written and written last: a
    build killed half-way leaves no stamp, and the next one rewrites the index (the state names the
    stamp it holds for). A partition build writes none of it: the assembly, which reads every
    record, does."""
    index_dir = os.path.abspath(os.path.join(output_dir, INDEX_DIR))
    forget_legacy(output_dir, cache_dir)
    if not site_wide:
        return BrowserIndexStats(records=0, bundle_dir=index_dir, written=False)
    records = ordered(records)
    cache = TermCache(os.path.join(cache_dir, TERMS_FILE) if cache_dir else None, site_script)
    try:
        keys = [cache.key(r) for r in records]
        terms_digest, digest = records_hash(records, site_script, keys)
        stamp = os.path.join(index_dir, STAMP)
        stamp_text = f"{terms_digest}\n{digest}\n{ids_digest(r.slug for r in records)}"
        stamped = read_stamp(index_dir)
        before_terms, before = (stamped + ["", ""])[:2]
        try:
            with open(os.path.join(index_dir, "manifest.json"), encoding="utf-8") as f:
                chunks = json.load(f)["chunks"]
        except (OSError, ValueError, KeyError):
            before_terms = before = ""
            chunks = None
        state_path = _state_path(cache_dir, index_dir) if cache_dir else None
        state = _load_state(state_path, f"{before_terms}\n{before}") if state_path else None
        unchanged = chunks is not None and "\n".join(stamped) == stamp_text
        if not unchanged:
            if os.path.exists(stamp):
                os.remove(stamp)
            new_state = _write_index(index_dir, records, keys, site_script, cache, state, chunks,
                                     before_terms == terms_digest)
            if state_path:
                if new_state is None:
                    if os.path.exists(state_path):
                        os.remove(state_path)
                else:
                    new_state["stamp"] = f"{terms_digest}\n{digest}"
                    write_atomic(state_path, json.dumps(new_state, separators=(",", ":")))
            _write(stamp, stamp_text.encode("utf-8"))
        else:
            new_state = state
        cache.retain(keys, new_state.get("common_key") if new_state else None)
    finally:
        cache.close()
    return BrowserIndexStats(records=len(records), bundle_dir=index_dir, written=not unchanged)


def _write_index(index_dir: str, records: list[SearchRecord], keys: list[str], site_script: str,
                 cache: TermCache, state: dict | None, chunks: int | None, same_terms: bool) -> dict | None:
    """Write the index's files (see build_browser_index); returns the new state (None: unknown)."""
    files = _Files(index_dir, state["files"] if state else None)
    blocks = [text_blocks(r.text_length) for r in records]
    new_state = {"records": [[r.slug, k, b] for r, k, b in zip(records, keys, blocks)]}
    patched = _patch(index_dir, records, keys, state, cache) if state else None
    if patched is not None:
        out, posting_bytes, changed = patched
        chunks = state["chunks"]
        new_state.update(common=state["common"], common_key=state["common_key"])
        files.files.update((rel, v) for rel, v in state["files"].items() if rel.startswith("t/") and rel not in out)
        for rel, raw in out.items():
            if raw is None:
                _remove(index_dir, rel)
            else:
                files.put(rel, raw)
        for rid in changed:
            for rel, raw in _text_files(records[rid]):
                _write(os.path.join(index_dir, rel), _final(rel, raw))
        for rel, raw in _fact_files(records, site_script, chunks):
            files.put(rel, raw)
    elif state is None and same_terms and chunks:
        # Only facts changed (a status, a review flag, which version is current), and nothing is
        # known of the files: the term chunks and text blocks stay; the rest is written again.
        for rel, data in iter_index_files(records, site_script, chunks=chunks):
            _write(os.path.join(index_dir, rel), data)
        return None
    else:
        kept = {(b[0], b[1]) for b in state["records"]} if state else set()
        sizes: dict = {}
        texts = set()

        def text_wanted(rid: int, r: SearchRecord) -> bool:
            return (r.slug, keys[rid]) not in kept

        terms_of = lambda rid, r: cache.terms(r, keys[rid])  # noqa: E731
        common_keys: dict[frozenset, str] = {}

        def ckey(common: frozenset) -> str:
            if common not in common_keys:
                common_keys[common] = common_key(common)
            return common_keys[common]

        def junctions_of(rid: int, r: SearchRecord, common: frozenset) -> dict[str, int]:
            return cache.junctions(r, keys[rid], common, ckey(common))

        def cached_junctions(rid: int, r: SearchRecord, common: frozenset) -> dict[str, int] | None:
            return cache.get_junctions(keys[rid], ckey(common))

        def keep_junctions(rid: int, r: SearchRecord, common: frozenset, packed: bytes) -> None:
            cache.keep_packed_junctions(keys[rid], ckey(common), packed)

        for rel, raw in _raw_files(records, site_script, None, terms_of, text_wanted, sizes, junctions_of,
                                   cached_junctions, keep_junctions):
            if rel.startswith("x/"):
                _write(os.path.join(index_dir, rel), _final(rel, raw))
                texts.add(rel)
            else:
                files.put(rel, raw)
        chunks, posting_bytes = sizes["chunks"], sizes["posting_bytes"]
        new_state.update(common=sizes["common"], common_key=common_key(sizes["common"]))
        if state is None:  # whatever is there and not part of the index goes
            written = texts | set(files.files)
            for dirpath, _, names in os.walk(index_dir, topdown=False):
                for name in names:
                    rel = os.path.relpath(os.path.join(dirpath, name), index_dir).replace(os.sep, "/")
                    # the compression stage's copies (.gz, .br) of files still there stay
                    if rel not in written and os.path.splitext(rel)[0] not in written and rel != STAMP:
                        os.remove(os.path.join(dirpath, name))
                if dirpath != index_dir and not os.listdir(dirpath):
                    os.rmdir(dirpath)
    if state is not None:
        for rel in set(state["files"]) - set(files.files):
            _remove(index_dir, rel)
        now = {r.slug: b for r, b in zip(records, blocks)}
        for slug, _, count in state["records"]:
            for n in range(now.get(slug, 0), count):
                _remove(index_dir, f"x/{slug_text_key(slug)}-{n}.bin")
    new_state.update(chunks=chunks, posting_bytes=posting_bytes, files=files.files)
    return new_state


# -- reading (tests, `gazette check`-style audits): the same format search-worker.js decodes --------

def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return n, pos


def decode_posting(buf: bytes, total: int) -> tuple[dict[int, int], dict[int, int | None]]:
    """(head: id → field bits, body: id → first text block, None where the posting is a bitmap)."""
    count, pos = _read_varint(buf, 0)
    head, rid = {}, -1
    for _ in range(count):
        gap, pos = _read_varint(buf, pos)
        rid += gap + 1
        head[rid] = buf[pos]
        pos += 1
    kind = buf[pos]
    pos += 1
    body: dict[int, int | None] = {}
    if kind == 1:
        for rid in range(total):
            if buf[pos + (rid >> 3)] >> (rid & 7) & 1:
                body[rid] = None
        return head, body
    count, pos = _read_varint(buf, pos)
    ids, rid = [], -1
    for _ in range(count):
        gap, pos = _read_varint(buf, pos)
        rid += gap + 1
        ids.append(rid)
    return head, dict(zip(ids, buf[pos:pos + count]))


def read_chunk(data: bytes) -> dict[str, bytes]:
    return _parse_chunk(gzip.decompress(data))


def _parse_chunk(buf: bytes) -> dict[str, bytes]:
    count, pos = _read_varint(buf, 0)
    heads = []
    for _ in range(count):
        n, pos = _read_varint(buf, pos)
        term = buf[pos:pos + n].decode("utf-8")
        pos += n
        size, pos = _read_varint(buf, pos)
        heads.append((term, size))
    out = {}
    for term, size in heads:
        out[term] = buf[pos:pos + size]
        pos += size
    return out


class IndexReader:
    """A written index, read from its folder."""

    def __init__(self, index_dir: str):
        self.dir = index_dir
        with open(os.path.join(index_dir, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        self.total = self.manifest["records"]

    def _bin(self, rel: str) -> bytes:
        with open(os.path.join(self.dir, rel), "rb") as f:
            return f.read()

    def posting(self, term: str):
        got = self.chunk_posting(term, {})
        return decode_posting(got, self.total) if got is not None else ({}, {})

    def chunk_posting(self, term: str, chunks: dict[int, dict[str, bytes]]) -> bytes | None:
        """A term's posting as stored (None: no record holds it); `chunks` keeps the chunks read."""
        n = fnv1a(term) % self.manifest["chunks"]
        if n not in chunks:
            try:
                chunks[n] = read_chunk(self._bin(f"t/{n}.bin"))
            except FileNotFoundError:  # no term fell in this chunk
                chunks[n] = {}
        return chunks[n].get(term)

    def entry(self, rid: int) -> list:
        group = json.loads(gzip.decompress(self._bin(f"d/{rid // DOC_GROUP}.bin")))
        return group[rid % DOC_GROUP]

    def entries(self) -> list[list]:
        return [self.entry(i) for i in range(self.total)]

    def fold_table(self) -> dict[str, str]:
        table = json.loads(gzip.decompress(self._bin(FOLD_FILE)))
        return dict(zip(table["from"], table["to"]))
