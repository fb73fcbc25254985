"""Command-line search: a Whoosh index kept in the cache folder, updated incrementally.

Text is folded exactly as for the browser (`normalise.fold_text`) and indexed twice: as
jieba words (precise, ranks whole words) and as the browser's bigram tokens (finds any
substring, whatever jieba makes of a phrase cut out of its sentence). A free-text query
matches either. Fielded syntax: `issuer:` `doc_number:` `status:` `flag:` `doc_type:`
`category:` `title:` `year:` and `date:` ranges (`date:[2017-01-01 to 2018-06-30]`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
from dataclasses import dataclass, field

from whoosh import fields, index, qparser, query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.qparser.dateparse import DateParserPlugin

from ..labels import FLAG_LABELS, STATUS_LABELS
from .normalise import _TOKEN as _RUNS, fold_text, is_number_query, number_word, query_tokens, tokens
from .records import RECORD_VERSION, SearchRecord
from .whoosh_adapter import FastSegmentWriter

SCHEMA_VERSION = f"5.{RECORD_VERSION}"
# jieba is the slow part of indexing (about 1 MB of text a second, half the index's time at 3,000
# characters): words rank the opening of a document (title, preamble, first articles); the whole
# text is found through its bigrams.
JIEBA_CHARS = 1000
_VERSION_FILE = "gazette-index.json"


class BigramTokenizer(Tokenizer):
    """The browser's tokens (normalise.tokens) plus unigrams; queries use normalise.query_tokens."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pairs = ([(q, 0) for q in query_tokens(value)] if mode == "query" else tokens(value))
        for pos, (text, start) in enumerate(pairs):
            # Indexing also records each character alone, so that a query's lone character
            # (公 in "的通知，公") finds the 公报 it starts.
            forms = (text, text[0]) if mode != "query" and len(text) == 2 and not text.isascii() else (text,)
            for form in forms:
                t.text = t.original = form
                t.boost = 1.0
                t.stopped = False
                if positions:
                    t.pos = start_pos + pos
                if chars:
                    t.startchar = start_char + start
                    t.endchar = t.startchar + len(form)
                yield t


class JiebaTokenizer(Tokenizer):
    """jieba words of the folded text (search mode: long words also yield their parts)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for word, start, end in jieba.tokenize(fold_text(value), mode="search"):
            if not re.search(r"\w", word):
                continue
            t.text = t.original = word
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = pos
                pos += 1
            if chars:
                t.startchar, t.endchar = start_char + start, start_char + end
            yield t


class FoldedWordsTokenizer(Tokenizer):
    """Space-separated values (status codes and labels), folded: 已廢止 == 已废止."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for pos, m in enumerate(re.finditer(r"\S+", value)):
            t.text = t.original = fold_text(m.group())
            t.boost = 1.0
            t.stopped = False
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar, t.endchar = start_char + m.start(), start_char + m.end()
            yield t


def _grams(**kw):
    return fields.TEXT(analyzer=BigramTokenizer(), multitoken_query="and", **kw)


class CountedGrams(fields.TEXT):
    """Whole texts as counted tokens, no positions: the browser's tokens (each character's bigram,
    and the last character of a run alone), not BigramTokenizer's extra unigram per character.

    Indexing counts the terms with C-level string and Counter operations and hands Whoosh one
    posting per distinct term, instead of a Python token object per character, several times
    faster. A query's bigrams must all occur (AND), which is what finds a phrase; positions would
    double the index for little gain. A query's lone character matches as a prefix
    (`lone_characters_as_prefixes`): every occurrence of a character either starts a bigram or
    ends its run. Unigrams for every character would be a quarter of this field's postings, and
    Whoosh spends most of its indexing time on postings."""

    def __init__(self):
        super().__init__(analyzer=BigramTokenizer(), multitoken_query="and", phrase=False)

    def index(self, value, **kwargs):
        from collections import Counter

        from whoosh.system import pack_uint

        counts: Counter = Counter()
        for run in _RUNS.findall(fold_text(value)):
            if run[0].isascii():
                counts[run] += 1
            else:
                counts.update(map("".join, zip(run, run[1:])))
                counts[run[-1]] += 1
        boost = self.format.field_boost
        return ((t.encode("utf-8"), n, n * boost, pack_uint(n)) for t, n in counts.items() if n)


def lone_characters_as_prefixes(q: wq.Query, fieldname: str = "grams") -> wq.Query:
    """A lone CJK character searched in the counted-grams field matches the bigrams it starts too."""

    def widen(node: wq.Query) -> wq.Query:
        if (isinstance(node, wq.Term) and node.fieldname == fieldname and isinstance(node.text, str)
                and len(node.text) == 1 and not node.text.isascii()):
            return wq.Or([node, wq.Prefix(fieldname, node.text, boost=node.boost)])
        return node

    return q.accept(widen)


def _body_grams():
    return CountedGrams()


def make_schema() -> fields.Schema:
    return fields.Schema(
        slug=fields.ID(stored=True, unique=True),
        hash=fields.ID(stored=True),
        url=fields.STORED,
        display_title=fields.STORED,
        display_number=fields.STORED,
        display_issuer=fields.STORED,
        status=fields.TEXT(analyzer=FoldedWordsTokenizer(), stored=True),
        flag=fields.TEXT(analyzer=FoldedWordsTokenizer(), stored=True),
        year=fields.ID(stored=True),
        date=fields.DATETIME(stored=True, sortable=True),
        title=_grams(field_boost=3.0),
        doc_number=_grams(field_boost=2.0),
        number_word=fields.ID(),
        issuer=_grams(),
        doc_type=_grams(),
        category=_grams(),
        content=fields.TEXT(analyzer=JiebaTokenizer(), multitoken_query="and"),
        grams=_body_grams(),
    )


def _document_fields(r: SearchRecord, content_hash: str) -> dict:
    code_and_label = lambda code, labels: f"{code} {labels[code]}" if code else ""  # noqa: E731
    return dict(
        slug=r.slug, hash=content_hash, url=r.url,
        display_title=r.title, display_number=r.doc_number, display_issuer="；".join(r.issuer),
        status=code_and_label(r.status, STATUS_LABELS), flag=code_and_label(r.flag, FLAG_LABELS),
        year=r.year, date=dt.datetime.fromisoformat(r.date),
        title=r.title, doc_number=r.number_key, number_word=number_word(r.doc_number) if r.doc_number else "",
        issuer="\n".join(r.issuer),
        doc_type=r.doc_type, category=r.category,
        content=f"{r.title}\n{r.body[:JIEBA_CHARS]}",
        grams="\n".join([r.title, r.number_key, *r.issuer, r.body]),
    )


@dataclass
class IndexUpdate:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    rebuilt: bool = False


def _open_or_create(index_dir: str) -> tuple[index.Index, bool]:
    version_path = os.path.join(index_dir, _VERSION_FILE)
    try:
        with open(version_path, encoding="utf-8") as f:
            current = json.load(f).get("schema") == SCHEMA_VERSION
    except (OSError, ValueError):
        current = False
    if current:
        try:
            return index.open_dir(index_dir), False
        except Exception:  # absent, or written by another version (its pickled schema names classes we lack)
            pass
    shutil.rmtree(index_dir, ignore_errors=True)
    os.makedirs(index_dir, exist_ok=True)
    ix = index.create_in(index_dir, make_schema())
    with open(version_path, "w", encoding="utf-8") as f:
        json.dump({"schema": SCHEMA_VERSION}, f)
    return ix, True


# Documents per Whoosh segment on a rebuild: Whoosh sorts each segment's postings in one pool, so
# one segment for a whole large archive costs more per document the larger it grows (and its
# memory); segments of this size keep both flat. A search reads every segment.
SEGMENT_DOCUMENTS = 1000


def update_index(records, index_dir: str) -> IndexUpdate:
    """Bring the index in line with `records` (any iterable, read once): add new, re-index changed,
    drop vanished documents. Records are indexed as they come, so a generator's texts are never
    all in memory together."""
    ix, created = _open_or_create(index_dir)
    if not created:
        _remove_leftovers(ix)
    result = IndexUpdate(rebuilt=created)
    forget: set[str] = set()  # segments holding a document that left or lost its text
    stored: dict[str, str] = {}
    segment_of: dict[str, str] = {}  # slug → id of the segment holding it
    # Deleted-but-stored records, by segment: a run killed between deleting a document and
    # rewriting its segment (forget_deleted) left them, and nothing would name that segment again.
    deleted_in: dict[str, set[str]] = {}
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            segment = leaf.segment() if hasattr(leaf, "segment") else None
            segment_id = segment.segment_id() if segment is not None else ""
            for f in leaf.all_stored_fields():
                stored[f["slug"]] = f["hash"]
                segment_of[f["slug"]] = segment_id
            if leaf.has_deletions():
                deleted_in[segment_id] = {leaf.stored_fields(n).get("slug", "") for n in range(leaf.doc_count_all())
                                          if leaf.is_deleted(n)}
    no_text: set[str] = set()
    seen: set[str] = set()
    writer, in_segment = None, 0
    try:
        for r in records:
            seen.add(r.slug)
            h = r.content_hash()  # a hash of the whole text: once per record
            if not r.body:
                no_text.add(r.slug)
            if stored.get(r.slug) == h:
                result.unchanged += 1
                continue
            (result.updated if r.slug in stored else result.added).append(r.slug)
            if writer is None:
                writer, in_segment = FastSegmentWriter(ix), 0
            if r.slug in stored:
                writer.update_document(**_document_fields(r, h))
                if not r.body:
                    forget.add(segment_of[r.slug])
            else:  # nothing to replace: no lookup in every earlier segment (a rebuild adds them all)
                writer.add_document(**_document_fields(r, h))
            in_segment += 1
            if in_segment == SEGMENT_DOCUMENTS:
                _commit(writer, result)
                writer = None
        result.removed = sorted(set(stored) - seen)
        if result.removed and writer is None:
            writer = FastSegmentWriter(ix)
        for slug in result.removed:
            writer.delete_by_term("slug", slug)
    except BaseException:
        if writer is not None:
            writer.cancel()
        raise
    if writer is not None:
        _commit(writer, result)
    forget.update(segment_of[slug] for slug in result.removed)
    forget.update(seg for seg, slugs in deleted_in.items() if slugs - (seen - no_text))
    if forget:
        forget_deleted(ix, forget)
    return result


def forget_deleted(ix: index.Index, segment_ids: set[str] | None = None) -> bool:
    """Rewrite the segments `segment_ids` (default: every segment with deletions) without their
    deleted documents.

    Whoosh deletes a document by marking it: its stored fields (title, number, issuer, URL) stay
    readable through `stored_fields` and its terms stay in the segment files until the segment is
    merged. A document withheld since must leave the index for good, so the segments that held it
    are merged away (only those: a full-size segment of other documents is not rewritten for an
    edit elsewhere). True when something was rewritten."""
    with ix.reader() as reader:
        if not reader.has_deletions():
            return False
    writer = FastSegmentWriter(ix)

    def policy(w, segments):
        """Whoosh merge policy: the chosen segments are copied (live documents only) into the
        writer's new segment; the others are kept as they are."""
        from whoosh.reading import SegmentReader

        keep = []
        for seg in segments:
            if seg.has_deletions() and (segment_ids is None or seg.segment_id() in segment_ids):
                reader = SegmentReader(w.storage, w.schema, seg)
                w.add_reader(reader)
                reader.close()
            else:
                keep.append(seg)
        return keep

    writer.commit(mergetype=policy)
    return True


def _remove_leftovers(ix: index.Index) -> None:
    """Files of a writer that was killed before it committed (segment files the index does not
    list, temporary folders): they hold the text it was indexing."""
    from whoosh.index import TOC, clean_files

    toc = TOC.read(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)
    folder = ix.storage.folder
    for name in os.listdir(folder):
        if os.path.isdir(os.path.join(folder, name)):
            shutil.rmtree(os.path.join(folder, name), ignore_errors=True)


def _commit(writer, result: IndexUpdate) -> None:
    # A rebuild leaves its full-size segments as they are; a small update lets Whoosh merge small
    # segments as usual (never the full-size ones: see whoosh.writing.MERGE_SMALL).
    writer.commit(merge=not result.rebuilt)


# -- querying ---------------------------------------------------------------------------
_FIELD_ALIASES = {"number": "doc_number", "type": "doc_type", "subject": "category"}
# ASCII brackets and parentheses are query syntax to Whoosh; in a document number
# (环办厅函[2017]21号) they are just spelling, so they become 〔〕 before parsing.
_BRACKETED_YEAR = re.compile(r"(?<![\s:])[\[(（［【](\d{4})[\])）］】]|(?<=:)[\[(（［【](\d{4})[\])）］】](?=\S)")


@dataclass
class Hit:
    slug: str
    url: str
    title: str
    doc_number: str
    issuer: str
    date: str
    status: str
    flag: str
    score: float


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]

    def as_json(self) -> dict:
        return {"query": self.query, "total": self.total,
                "results": [{"slug": h.slug, "url": h.url, "title": h.title, "doc_number": h.doc_number,
                             "status": h.status, "score": round(h.score, 4)} for h in self.hits]}


_DATE_CLAUSE = re.compile(r"date:(\[[^\]]*\]|\S+)")


def _prepare(text: str) -> str:
    # Whoosh's date parser reads 2021-06-01 as the year 2021; 20210601 is read as a day.
    text = _DATE_CLAUSE.sub(lambda m: "date:" + re.sub(r"(\d{4})-(\d{1,2})-(\d{1,2})",
                                                      lambda d: f"{d[1]}{int(d[2]):02d}{int(d[3]):02d}", m.group(1)), text)
    text = _BRACKETED_YEAR.sub(lambda m: f"〔{m.group(1) or m.group(2)}〕", text)
    for alias, name in _FIELD_ALIASES.items():
        text = re.sub(rf"(?<![\w:]){alias}:", f"{name}:", text)
    return text


def parse_query(ix: index.Index, text: str) -> wq.Query:
    parser = qparser.MultifieldParser(["title", "content", "grams"], ix.schema,
                                      fieldboosts={"title": 3.0, "content": 1.5, "grams": 1.0})
    parser.add_plugin(DateParserPlugin(free=False))
    parser.add_plugin(qparser.GtLtPlugin())
    q = lone_characters_as_prefixes(parser.parse(_prepare(text)))
    if is_number_query(text):
        # The document whose own number this is comes first (see normalise.number_word).
        q = wq.Or([q, wq.Term("number_word", number_word(text), boost=20.0)])
    return q


def search(index_dir: str, text: str, limit: int = 10) -> SearchResult:
    """Run a query (free text and/or fielded) against the index at `index_dir`."""
    if not index.exists_in(index_dir):
        raise FileNotFoundError(index_dir)
    ix = index.open_dir(index_dir)
    q = parse_query(ix, text)
    with ix.searcher() as s:
        results = s.search(q, limit=limit)
        hits = [Hit(slug=r["slug"], url=r["url"], title=r["display_title"], doc_number=r["display_number"],
                    issuer=r["display_issuer"], date=r["date"].date().isoformat(),
                    status=(r.get("status") or "").split(" ")[0], flag=(r.get("flag") or "").split(" ")[0],
                    score=r.score or 0.0) for r in results]
        return SearchResult(query=text, total=len(results), hits=hits)


