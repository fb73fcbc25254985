"""Markdown body → safe HTML, and plain text for indexes and feeds.

Raw HTML in a source is shown as text, never passed through, and links or images with
script-capable URLs are dropped: content from old portals must not run in our pages.
"""

from __future__ import annotations

import html
import re
import sqlite3
import threading

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .cache_db import CacheFile, forget_all_but, keep_version
from .inert import safe_url


class _DropUnsafeUrls(Treeprocessor):
    def run(self, root):
        for el in root.iter():
            for attr in ("href", "src"):
                if attr in el.attrib and not safe_url(el.attrib[attr]):
                    del el.attrib[attr]
            for attr in list(el.attrib):
                if attr.lower().startswith("on"):
                    del el.attrib[attr]


class SafeMarkdown(Extension):
    """Escape raw HTML and strip script-capable URLs."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DropUnsafeUrls(md), "gazette_safe_urls", 0)


_local = threading.local()


def _markdown() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(
            extensions=["markdown.extensions.tables", "markdown.extensions.sane_lists",
                        "markdown.extensions.def_list", SafeMarkdown()],
            output_format="html")
    return md


# What Python-Markdown takes quadratic time or unbounded recursion on, never found in a real
# document: '[' nested or left open hundreds deep (each is matched against the rest of the
# text), lists or quotes nested a hundred deep. Such a body is shown as plain paragraphs.
_BRACKET_DEPTH_MAX = 200
_BRACKETS = re.compile(r"[\[\]]")
_DEEP_NESTING = re.compile(r"^[ \t>]{100}", re.M)
_BLOCKS = re.compile(r"\n[ \t]*\n")


def pathological(body: str) -> bool:
    """True for a body Markdown would take minutes, or too deep a recursion, to render."""
    if _DEEP_NESTING.search(body):
        return True
    if body.count("[") <= _BRACKET_DEPTH_MAX:
        return False
    depth = 0
    for m in _BRACKETS.finditer(body):
        depth = depth + 1 if m.group() == "[" else max(depth - 1, 0)
        if depth > _BRACKET_DEPTH_MAX:
            return True
    return False


def plain_html(body: str) -> str:
    """A body as escaped paragraphs, without any Markdown (for bodies Markdown cannot render)."""
    blocks = [b.strip() for b in _BLOCKS.split(body) if b.strip()]
    return "\n".join("<p>" + html.escape(b, quote=False).replace("\n", "<br>\n") + "</p>" for b in blocks)


def to_html(body: str) -> str:
    """Render a document body; safe to insert into a page as-is."""
    if pathological(body):
        return plain_html(body)
    md = _markdown()
    md.reset()
    try:
        return md.convert(body)
    except RecursionError:
        return plain_html(body)


_MD_NOISE = re.compile(r"(^|\n)\s{0,3}(#{1,6}\s+|[-*+]\s+|>\s?|\d+\.\s+)|[*_`|]+|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")


def to_text(body: str) -> str:
    """Plain text of a Markdown body (for search indexes and feed summaries)."""
    text = body if pathological(body) else _MD_NOISE.sub(lambda m: (m.group(1) or "") + (m.group(3) or ""), body)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def shorten(text: str, length: int = 120) -> str:
    """Plain text on one line, cut to `length` characters with an ellipsis."""
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _renderings(body: str) -> tuple[str, str, bytes]:
    text = to_text(body)
    return to_html(body), text, text_digest(text)


def text_digest(text: str) -> bytes:
    """SHA-256 of a text: what a search record is keyed by (search.records.fields_hash)."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).digest()


def _read_texts(db, keys: list[str]) -> dict[str, str] | None:
    """The texts of these keys the cache holds, in one query; None when the file is damaged."""
    try:
        return dict(db.execute(f"SELECT key, text FROM text WHERE key IN ({','.join('?' * len(keys))})", keys))
    except sqlite3.DatabaseError:
        return None


TABLES = ("html", "numbers", "text", "textfacts")  # HtmlCache's tables, each keyed by the body's key
_KEYS: dict[str, str] = {}  # body → HtmlCache.key(body), emptied when a cache closes
READ_AHEAD = 256  # texts a build's child reads in one query (HtmlCache.text)


class HtmlCache(CacheFile):
    """Rendered bodies (HTML, and the plain text both search indexes, the open data and the feeds
    read) by content hash, in one SQLite file: a rebuild renders only what changed, and the
    build's children read the text from it instead of each deriving it again."""

    def __init__(self, path: str | None, code: str = ""):
        import os

        self.version = code  # renderings made by other code are forgotten (cache_db.keep_version)
        self._numbers: dict[str, str] | None = None  # the numbers table, read whole when first asked
        super().__init__(path)  # deleted rows are overwritten with zeros, not left in free pages (see `retain`)
        self._pid = os.getpid()
        self._reader_pid, self._reader = None, None
        self._ahead: dict[str, str] = {}  # a child's texts read ahead (`text`)
        self._order: list[str] = []  # the keys `fill` was given, in order, and where each is
        self._position: dict[str, int] = {}
        self._next = 0  # where a child reading in `fill`'s order reads next (`text`)
        self._floor = 0  # the lowest text it has read since it last read off the order
        self._facts: tuple[int, dict] | None = None  # (pid, key → (digest, length)), read whole when first asked

    def _create(self) -> None:
        self.db.execute("CREATE TABLE IF NOT EXISTS html (key TEXT PRIMARY KEY, html TEXT NOT NULL)")
        # The document numbers each body cites (find_doc_numbers), by the same key: every page's
        # fingerprint needs them, and scanning every body again made an edit-one rebuild linear.
        self.db.execute("CREATE TABLE IF NOT EXISTS numbers (key TEXT PRIMARY KEY, found TEXT NOT NULL)")
        self.db.execute("CREATE TABLE IF NOT EXISTS text (key TEXT PRIMARY KEY, text TEXT NOT NULL)")
        # Each text's SHA-256 and length, by the same key (`text_facts`): what the search indexes key
        # a record by, without reading every text back to hash it.
        self.db.execute("CREATE TABLE IF NOT EXISTS textfacts (key TEXT PRIMARY KEY, digest BLOB NOT NULL, "
                        "length INTEGER NOT NULL)")
        keep_version(self.db, TABLES, self.version)
        self.db.commit()

    def _forgotten(self) -> None:
        self._numbers = self._facts = None

    @staticmethod
    def key(body: str) -> str:
        """A body's key, remembered while a cache is open: the parent renders by it, keeps by it,
        and each of the build's children (forked, inheriting the memo) reads the text by it
        (hashing every body again was a sixth of each search index's edit-one rebuild)."""
        key = _KEYS.get(body)
        if key is None:
            import hashlib

            key = _KEYS[body] = hashlib.sha1(body.encode("utf-8")).hexdigest()
        return key

    def get(self, body: str) -> str:
        return self.guarded(lambda: self._get(body))

    def _get(self, body: str) -> str:
        row = self.db.execute("SELECT html FROM html WHERE key = ?", (self.key(body),)).fetchone()
        if row:
            return row[0]
        out = to_html(body)
        self.db.execute("INSERT OR REPLACE INTO html VALUES (?, ?)", (self.key(body), out))
        return out

    def text(self, body: str) -> str:
        """to_text(body), from the cache when it holds it. Safe in a forked child (a search index,
        publishing): the child reads through a read-only connection of its own and never writes."""
        import os

        if os.getpid() == self._pid:
            return self.guarded(lambda: self._text(body))
        key = self.key(body)
        db = self._child_reader()
        text = self._ahead.pop(key, None)
        if text is None and db is not None:
            # A child reading the texts in the order `fill` was given them (Whoosh, the open data)
            # gets the next READ_AHEAD in one query (one query a document was a third of each search
            # index's edit-one rebuild at 10,000 documents). One reading them back, a day at a time
            # (the browser index: oldest day first, a day's documents in fill's order), gets the
            # READ_AHEAD below the lowest it has read, which hold the rest of the day (the texts still
            # held stay: the day may reach above). So at most twice READ_AHEAD are held at a time. A
            # read off either order fetches its own text only: reading ahead there fetched 256 texts
            # for each of the feeds' latest documents (review 21 found the first cut of reading back
            # fetching 15 times the texts it needed for days of 16 documents and more).
            at = self._position.get(key)
            held: dict[str, str] = {}
            if at is None:
                keys = [key]
            else:
                if at == self._next:  # on along the order
                    lo, hi = at, at + READ_AHEAD
                elif self._floor - READ_AHEAD <= at < self._floor:  # back below what it has read
                    lo, hi = max(0, self._floor - READ_AHEAD), self._floor
                    held = self._ahead if len(self._ahead) <= READ_AHEAD else {}
                    self._floor = lo
                else:  # off the order: a new start
                    lo, hi = at, at + 1
                    self._floor = at
                keys = self._order[lo:hi]
                self._next = lo + len(keys)
            got = _read_texts(db, keys)
            # a damaged file: the child derives it (the parent makes the file again)
            self._ahead = {**held, **got} if got is not None else {}
            text = self._ahead.pop(key, None)
        return text if text is not None else to_text(body)

    def prefetch(self, bodies) -> None:
        """`text` is about to be asked for each of `bodies`: their texts are read now, in one query
        (in a forked child, which holds them until asked; the parent reads its own as asked)."""
        import os

        if os.getpid() == self._pid:
            return
        db = self._child_reader()
        keys = [k for k in dict.fromkeys(self.key(b) for b in bodies) if k not in self._ahead]
        if db is not None and keys:
            self._ahead.update(_read_texts(db, keys) or {})

    def _text(self, body: str) -> str:
        row = self.db.execute("SELECT text FROM text WHERE key = ?", (self.key(body),)).fetchone()
        if row:
            return row[0]
        out = to_text(body)
        self._store([(self.key(body), body)], [(None, out, text_digest(out))])
        return out

    def text_facts(self, body: str) -> tuple[bytes, int] | None:
        """(SHA-256 of to_text(body), its length in characters) as `fill` kept them, or None where
        the cache does not hold them (the caller reads the text). Every row is read at the first
        call, in each process: one query, 40 bytes a document."""
        import os

        if self._facts is None or self._facts[0] != os.getpid():
            db = self.db if os.getpid() == self._pid else self._child_reader()
            try:
                rows = dict((k, (d, n)) for k, d, n in db.execute("SELECT key, digest, length FROM textfacts")) \
                    if db is not None else {}
            except sqlite3.DatabaseError:
                rows = {}
            self._facts = (os.getpid(), rows)
        got = self._facts[1].get(self.key(body))
        # A damaged row (another type, a negative length) is not used: the caller reads the text.
        ok = got is not None and type(got[0]) is bytes and len(got[0]) == 32 and type(got[1]) is int and got[1] >= 0
        return got if ok else None

    def _child_reader(self):
        import os

        if self._reader_pid != os.getpid():
            self._reader_pid, self._reader, self._ahead, self._next, self._floor = os.getpid(), None, {}, 0, 0
            if self.path:
                try:
                    self._reader = sqlite3.connect(f"file:{os.path.abspath(self.path)}?mode=ro", uri=True,
                                                   check_same_thread=False, timeout=30)
                except sqlite3.Error:
                    self._reader = None
        return self._reader

    def doc_numbers(self, body: str) -> list[tuple[int, str]]:
        """find_doc_numbers(body), remembered across builds (only in the process that opened the cache:
        a forked child never shares the parent's connection)."""
        import os

        from .textrules import find_doc_numbers

        if os.getpid() != self._pid:
            return find_doc_numbers(body)
        return self.guarded(lambda: self._doc_numbers(body))

    def _doc_numbers(self, body: str) -> list[tuple[int, str]]:
        import json

        from .textrules import find_doc_numbers

        if self._numbers is None:  # every row at once: one query instead of one a document
            self._numbers = dict(self.db.execute("SELECT key, found FROM numbers"))
        key = self.key(body)
        row = self._numbers.get(key)
        if row is not None:
            return [(start, number) for start, number in json.loads(row)]
        found = find_doc_numbers(body)
        self._numbers[key] = json.dumps(found, ensure_ascii=False)
        self.db.execute("INSERT OR REPLACE INTO numbers VALUES (?, ?)", (key, self._numbers[key]))
        return found

    def fill(self, bodies, workers: int = 0) -> int:
        """Render every body not cached yet, on all cores. Returns how many were rendered."""
        bodies = list(bodies)
        return self.guarded(lambda: self._fill(bodies, workers))

    def _fill(self, bodies: list[str], workers: int) -> int:
        import os
        from concurrent.futures import ProcessPoolExecutor

        from .background import die_with_parent

        todo: dict[str, str] = {}
        for body in bodies:
            k = self.key(body)
            if k not in todo:
                todo[k] = body
        keys = list(todo)
        self._order, self._position = keys, {k: i for i, k in enumerate(keys)}
        have: dict[str, set] = {"html": set(), "text": set(), "textfacts": set()}
        for table in have:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                have[table].update(r[0] for r in self.db.execute(
                    f"SELECT key FROM {table} WHERE key IN ({','.join('?' * len(chunk))})", chunk))
        missing = [(k, todo[k]) for k in keys if any(k not in got for got in have.values())]
        workers = workers or os.cpu_count() or 1
        if len(missing) < 50 or workers == 1:
            self._store(missing, map(_renderings, (b for _, b in missing)))
        else:
            with ProcessPoolExecutor(workers, initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
                self._store(missing, pool.map(_renderings, [b for _, b in missing],
                                              chunksize=max(1, len(missing) // (workers * 8))))
        self.db.commit()
        return len(missing)

    def _store(self, missing, rendered) -> None:
        """Keep renderings: (key, body) and (HTML or None, text, its text_digest) pairs."""
        self._facts = None
        for (key, _), (html_text, plain, digest) in zip(missing, rendered):
            if html_text is not None:
                self.db.execute("INSERT OR REPLACE INTO html VALUES (?, ?)", (key, html_text))
            self.db.execute("INSERT OR REPLACE INTO text VALUES (?, ?)", (key, plain))
            self.db.execute("INSERT OR REPLACE INTO textfacts VALUES (?, ?, ?)", (key, digest, len(plain)))

    def retain(self, bodies, compact: bool = True) -> int:
        """Delete every rendering but those of `bodies`, so the text of a document withheld (or
        edited) since is gone from the file, not merely unlisted: deleted rows are zeroed
        (secure_delete) and the file is compacted (`compact`: incremental.compaction_needed).
        Returns how many were deleted."""
        keep = {self.key(b) for b in bodies}
        removed = self.guarded(lambda: forget_all_but(self.db, TABLES, keep, compact))
        self._numbers = self._facts = None
        return removed["html"]

    def close(self) -> None:
        self.db.commit()
        self.db.close()
        _KEYS.clear()
        if self._reader is not None and self._reader_pid == __import__("os").getpid():
            self._reader.close()
