"""Command-line search: a Whoosh index kept in the cache folder, updated incrementally, and the
text postings of the browser index.

Free text is answered with the browser's terms and rules: each document's head terms (title, 文号,
metadata) and title terms are exactly those of the browser index (`browser_index.head_terms`,
`title_terms`), a query's terms are `ranking.query_terms`, and the order is `ranking.sort_key`, so
`gazette search` and the search page agree. Which documents hold a term in their text is read from
the browser index itself (`TextPostings`: the site's `search-index/` that the same build wrote, or
one beside the Whoosh files for an index made without a site): Whoosh does not index the text a
second time, which was most of its work (docs/scaling.md). Fielded syntax: `issuer:` `doc_number:`
`status:` `flag:` `doc_type:` `category:` `title:` `year:` and `date:` ranges
(`date:[2017-01-01 to 2018-06-30]`) filter the free text's results; with OR, NOT or parentheses the
query is Whoosh's own, its words looked up in the title, the head terms and the text postings.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import shutil
import zlib
from dataclasses import dataclass, field, replace

from whoosh import columns, fields, index, matching, qparser, query as wq
from whoosh.analysis import Token, Tokenizer
from whoosh.qparser.dateparse import DateParserPlugin
from whoosh.system import pack_uint

from ..fileio import write_atomic
from ..labels import FLAG_LABELS, STATUS_LABELS
from . import ranking
from .browser_index import INDEX_DIR, IndexReader, build_browser_index, decode_posting, ids_digest, in_id_order, \
    read_stamp
from .normalise import fold_text, is_number_query, number_word, query_tokens, tokens
from .records import RECORD_VERSION, SearchRecord
from .terms import RecordTerms, compute as compute_terms
from .whoosh_adapter import FastSegmentWriter

SCHEMA_VERSION = f"12.{RECORD_VERSION}"
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


class TermSet(fields.TEXT):
    """A field of precomputed terms, one per line, each indexed once (no positions, no counts): the
    browser index's terms of a document. Queries are cut by BigramTokenizer (normalise.query_tokens)."""

    def __init__(self):
        super().__init__(analyzer=BigramTokenizer(), multitoken_query="and", phrase=False)

    def index(self, value, **kwargs):
        terms, boost, one = self.term_set(value)
        return ((t, 1, boost, one) for t in terms)

    def term_set(self, value) -> tuple[list[bytes], float, bytes]:
        """(the terms, sorted, each once; their weight; their value): every posting of the field has
        the same weight and value, so the segment writer takes a document's terms in one call
        (whoosh_adapter.FastSegmentWriter)."""
        terms = sorted(set(value.split("\n")))
        if terms and not terms[0]:
            del terms[0]
        return [t.encode("utf-8") for t in terms], self.format.field_boost, _ONE


_ONE = pack_uint(1)


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
        # the browser index's terms (see the module's docstring)
        head_terms=TermSet(),
        title_terms=TermSet(),
        # Never filled: the text's terms are the browser index's postings (TextPostings). The field is
        # here for the query parser, whose words in it become those postings (_with_text).
        body_terms=TermSet(),
        kind=fields.STORED,
        # Columns, read a document at a time without unpickling its stored fields: what ranking needs
        # of every candidate (`_facts`), and the text, zlib-compressed (level 1: on 1,000 corpus texts
        # 0.14 s against 0.36 s at 6, 14 % larger, in the cache only), which only the phrase check
        # reads (ranking.PHRASE_CHECKS).
        facts=fields.COLUMN(columns.VarBytesColumn()),
        text=fields.COLUMN(columns.VarBytesColumn()),
    )


_FACT_SEP = "\x1f"


def _facts_bytes(r: SearchRecord) -> bytes:
    return _FACT_SEP.join((r.status, "1" if r.is_current_version else "", r.kind, str(len(r.title)), r.date,
                           r.slug)).encode("utf-8")


@dataclass(frozen=True)
class _Facts:
    status: str
    is_current: bool
    kind: str
    title_len: int
    date: str
    slug: str


def _facts(data: bytes) -> _Facts:
    status, current, kind, title_len, date, slug = data.decode("utf-8").split(_FACT_SEP)
    return _Facts(status, bool(current), kind, int(title_len), date, slug)


def _document_fields(r: SearchRecord, content_hash: str, terms: RecordTerms | None = None) -> dict:
    """`terms`: the record's terms as the browser index has them (terms.py), else computed here."""
    terms = terms or compute_terms(r, "zh-Hans")  # the filter terms (!…), which depend on the script, are left out
    code_and_label = lambda code, labels: f"{code} {labels[code]}" if code else ""  # noqa: E731
    return dict(
        slug=r.slug, hash=content_hash, url=r.url,
        display_title=r.title, display_number=r.doc_number, display_issuer="；".join(r.issuer),
        status=code_and_label(r.status, STATUS_LABELS), flag=code_and_label(r.flag, FLAG_LABELS),
        year=r.year, date=dt.datetime.fromisoformat(r.date),
        title=r.title, doc_number=r.number_key, number_word=number_word(r.doc_number) if r.doc_number else "",
        issuer="\n".join(r.issuer),
        doc_type=r.doc_type, category=r.category,
        head_terms="\n".join(t for t in terms.head if not t.startswith("!")),
        title_terms="\n".join(terms.title),
        kind=r.kind, facts=_facts_bytes(r),
        text=zlib.compress(r.body.encode("utf-8"), 1) if r.body else b"",
    )


@dataclass
class IndexUpdate:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    rebuilt: bool = False


def _read_version(index_dir: str) -> dict:
    try:
        with open(os.path.join(index_dir, _VERSION_FILE), encoding="utf-8") as f:
            got = json.load(f)
    except (OSError, ValueError):
        return {}
    return got if isinstance(got, dict) else {}


def _open_or_create(index_dir: str) -> tuple[index.Index, bool]:
    version_path = os.path.join(index_dir, _VERSION_FILE)
    current = _read_version(index_dir).get("schema") == SCHEMA_VERSION
    if current:
        try:
            return index.open_dir(index_dir), False
        except Exception:  # absent, or written by another version (its pickled schema names classes we lack)
            pass
    shutil.rmtree(index_dir, ignore_errors=True)
    os.makedirs(index_dir, exist_ok=True)
    ix = index.create_in(index_dir, make_schema())
    write_atomic(version_path, json.dumps({"schema": SCHEMA_VERSION}))
    return ix, True


def _note_site_index(index_dir: str, site_index: str | None) -> None:
    """Name the browser index whose text postings answer this index's queries (None: its own)."""
    version = _read_version(index_dir)
    if version.get("site_index") != site_index:
        version["site_index"] = site_index
        write_atomic(os.path.join(index_dir, _VERSION_FILE), json.dumps(version, ensure_ascii=False))


# Documents per Whoosh segment on a rebuild. Each segment writes every term its documents hold (a
# term in ten segments is written ten times: most of the writing time), so larger segments cost
# less per document; the segment writer keeps a segment's term sets as arrays of document numbers
# (whoosh_adapter), so its memory stays small (about 0.2 GB for 5,000 law texts). A segment that held
# a document withheld since is rewritten whole (forget_deleted), which bounds it from above. At
# 10,000 documents the index took 120 CPU-s in segments of 1,000, 78 in segments of 5,000 and 66 in
# one segment. A search reads every segment.
SEGMENT_DOCUMENTS = 5000


def update_index(records, index_dir: str, terms=None, site_index: str | None = None,
                 cache_dir: str | None = None) -> IndexUpdate:
    """Bring the index in line with `records` (any iterable, read once): add new, re-index changed,
    drop vanished documents. Records are indexed as they come, so a generator's texts are never
    all in memory together. `terms(record)` gives a record's terms (a `terms.TermCache`'s, shared
    with the browser index); by default they are computed here.

    `site_index`: the browser index (`<output>/search-index`) that the same build writes from the
    same records; queries read the text postings there. Without it a browser index of these records
    is written beside the Whoosh files (`<index_dir>/search-index`; its term cache in `cache_dir`)."""
    if site_index is None:
        records = list(records)
    result = _update_whoosh(records, index_dir, terms or (lambda r: None))
    if site_index is None:
        build_browser_index(records, index_dir, cache_dir=cache_dir)
    else:  # one written here before, when there was no site
        shutil.rmtree(os.path.join(index_dir, INDEX_DIR), ignore_errors=True)
    _note_site_index(index_dir, os.path.abspath(site_index) if site_index else None)
    return result


def _update_whoosh(records, index_dir: str, terms) -> IndexUpdate:
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
            if not r.text_length:
                no_text.add(r.slug)
            if stored.get(r.slug) == h:
                result.unchanged += 1
                continue
            (result.updated if r.slug in stored else result.added).append(r.slug)
            if writer is None:
                writer, in_segment = FastSegmentWriter(ix), 0
            if r.slug in stored:
                writer.update_document(**_document_fields(r, h, terms(r)))
                if not r.text_length:
                    forget.add(segment_of[r.slug])
            else:  # nothing to replace: no lookup in every earlier segment (a rebuild adds them all)
                writer.add_document(**_document_fields(r, h, terms(r)))
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
        if os.path.isdir(os.path.join(folder, name)) and name != INDEX_DIR:
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
    kind: str = "document"
    match: str = ""  # ranking tier name: number, head_phrase, head_words, body_phrase, words, partial
    why: dict = field(default_factory=dict)  # field → the query's terms found there


@dataclass
class SearchResult:
    query: str
    total: int
    hits: list[Hit]
    partial: bool = False  # nothing holds every word: these hold some

    def as_json(self) -> dict:
        return {"query": self.query, "total": self.total, "partial": self.partial,
                "results": [{"slug": h.slug, "url": h.url, "title": h.title, "doc_number": h.doc_number,
                             "status": h.status, "kind": h.kind, "match": h.match, "why": h.why,
                             "score": round(h.score, 4)} for h in self.hits]}


_DATE_CLAUSE = re.compile(r"date:(\[[^\]]*\]|\S+)")
_FIELDS = ("issuer", "doc_number", "number", "status", "flag", "doc_type", "type", "category", "subject",
           "title", "year", "date")
_CLAUSE = re.compile(rf"(?<![\w:])(?:{'|'.join(_FIELDS)}):(?:\[[^\]]*\]|\S+)")
_OPERATORS = re.compile(r"(?:^|\s)(?:OR|NOT|AND)(?:\s|$)|[()]")


def _prepare(text: str) -> str:
    # Whoosh's date parser reads 2021-06-01 as the year 2021; 20210601 is read as a day.
    text = _DATE_CLAUSE.sub(lambda m: "date:" + re.sub(r"(\d{4})-(\d{1,2})-(\d{1,2})",
                                                      lambda d: f"{d[1]}{int(d[2]):02d}{int(d[3]):02d}", m.group(1)), text)
    text = _BRACKETED_YEAR.sub(lambda m: f"〔{m.group(1) or m.group(2)}〕", text)
    for alias, name in _FIELD_ALIASES.items():
        text = re.sub(rf"(?<![\w:]){alias}:", f"{name}:", text)
    return text


def parse_query(ix: index.Index, text: str) -> wq.Query:
    """Whoosh's own reading of a query (fielded clauses; free words in the title and the terms)."""
    parser = qparser.MultifieldParser(["title", "head_terms", "body_terms"], ix.schema,
                                      fieldboosts={"title": 3.0, "head_terms": 2.0, "body_terms": 1.0})
    parser.add_plugin(DateParserPlugin(free=False))
    parser.add_plugin(qparser.GtLtPlugin())
    q = parser.parse(_prepare(text))
    if is_number_query(text):
        # The document whose own number this is comes first (see normalise.number_word).
        q = wq.Or([q, wq.Term("number_word", number_word(text), boost=20.0)])
    return q


def split_query(text: str) -> tuple[str, str]:
    """(free words, fielded clauses) of a query; ("", text) when it uses OR, NOT or parentheses
    outside its clauses (then Whoosh reads it whole)."""
    clauses = " ".join(m.group() for m in _CLAUSE.finditer(text))
    free = _CLAUSE.sub(" ", text).strip()
    if _OPERATORS.search(_BRACKETED_YEAR.sub("", free)):
        return "", text
    return free, clauses


def _hit(fields_: dict, score: float = 0.0, match: str = "", why: dict | None = None) -> Hit:
    return Hit(slug=fields_["slug"], url=fields_["url"], title=fields_["display_title"],
               doc_number=fields_["display_number"], issuer=fields_["display_issuer"],
               date=fields_["date"].date().isoformat(), status=(fields_.get("status") or "").split(" ")[0],
               flag=(fields_.get("flag") or "").split(" ")[0], score=score, kind=fields_.get("kind", "document"),
               match=match, why=why or {})


class TextIndexError(Exception):
    """The browser index whose text postings answer queries is missing or holds other records."""


class TextPostings:
    """Which documents hold a term in their text, in Whoosh's document numbers: read from the
    browser index's postings. The browser index numbers its records by (date, slug)
    (`browser_index.in_id_order`); Whoosh's documents are numbered the same way from their facts
    column, and the stamp's digest of the slugs in that order (`browser_index.ids_digest`) must be
    that of these documents: an index from another build is never read as this one's."""

    def __init__(self, reader, index_dir: str):
        version = _read_version(index_dir)
        self.dir = version.get("site_index") or os.path.join(index_dir, INDEX_DIR)
        stamp = read_stamp(self.dir)
        facts = reader.column_reader("facts")
        docs = in_id_order([(_facts(facts[d]), d) for d in reader.all_doc_ids()],
                           lambda fd: (fd[0].date, fd[0].slug))
        if not stamp:
            raise TextIndexError(f"找不到网站检索包 {self.dir}（或其写入未完成）。请重新运行 gazette build。")
        if stamp[2:3] != [ids_digest(f.slug for f, _ in docs)]:
            raise TextIndexError(f"命令行检索索引与网站检索包 {self.dir} 所含文件不一致（多半是上次构建被中断，"
                                 "或网站由另一次构建写出）。请重新运行 gazette build。")
        self.site = IndexReader(self.dir)
        self.docnum = [d for _, d in docs]
        self._chunks: dict[int, dict[str, bytes]] = {}

    def docs(self, term: str) -> set[int]:
        got = self.site.chunk_posting(term, self._chunks)
        if got is None:
            return set()
        _, body = decode_posting(got, self.site.total)
        return {self.docnum[rid] for rid in body}


class _Documents(wq.Query):
    """Documents given by number (a word's text postings), in a query Whoosh runs segment by segment."""

    def __init__(self, docnums: set[int], boost: float = 1.0):
        self.docnums, self.boost = frozenset(docnums), boost

    def __repr__(self):
        return f"_Documents({len(self.docnums)})"

    def __eq__(self, other):
        return type(other) is type(self) and other.docnums == self.docnums and other.boost == self.boost

    def __hash__(self):
        return hash(self.docnums)

    def estimate_size(self, ixreader):
        return len(self.docnums)

    def matcher(self, searcher, context=None):
        offset = searcher.get_parent()._offset_for_subsearcher(searcher) if searcher.has_parent() else 0
        size = searcher.reader().doc_count_all()
        ids = sorted(d - offset for d in self.docnums if offset <= d < offset + size)
        return matching.ListMatcher(ids, all_weights=self.boost) if ids else matching.NullMatcher()


def _with_text(q: wq.Query, text: TextPostings) -> wq.Query:
    """Whoosh's query with each word in the text field read from the text postings."""
    if isinstance(q, wq.Term) and q.fieldname == "body_terms":
        return _Documents(text.docs(q.text), q.boost)
    return q.apply(lambda sub: _with_text(sub, text))


def search(index_dir: str, text: str, limit: int = 10, in_force: bool = False) -> SearchResult:
    """Run a query (free text and/or fielded) against the index at `index_dir`."""
    if not index.exists_in(index_dir):
        raise FileNotFoundError(index_dir)
    ix = index.open_dir(index_dir)
    free, clauses = split_query(text)
    with ix.searcher() as s:
        postings = TextPostings(s.reader(), index_dir)
        allowed = None
        if clauses or not free:
            q = _with_text(parse_query(ix, clauses or text), postings)
            if not free:
                facts = s.reader().column_reader("facts")
                found = [(r.docnum, r.score or 0.0) for r in s.search(q, limit=None)]
                if in_force:
                    found = [(d, score) for d, score in found
                             if _in_force(_facts(facts[d]))]
                hits = [_hit(s.stored_fields(d), score) for d, score in found[:limit]]
                return SearchResult(query=text, total=len(found), hits=hits)
            allowed = set(s.docs_for_query(q))
        hits, total, partial = ranked(s, postings, free, allowed, in_force, limit)
        return SearchResult(query=text, total=total, hits=hits, partial=partial)


def _in_force(f: _Facts) -> bool:
    return ranking.in_force_now(f.status, f.is_current, f.kind)


def ranked(searcher, postings: TextPostings, text: str, allowed: set[int] | None, in_force: bool,
           limit: int = 10) -> tuple[list[Hit], int, bool]:
    """(the first `limit` hits, how many there are, partial) of free text by the browser's rules
    (ranking.py): candidates hold a query term in their head or text; phrase is every term present
    (as the browser judges it, without positions), then checked against the whole text of
    body-phrase candidates (see ranking.PHRASE_CHECKS). Ranking reads each candidate's facts
    column; only the hits shown unpickle their stored fields."""
    query = ranking.query_terms(text)
    terms = query.terms
    reader = searcher.reader()

    def docs(fieldname: str, term: str) -> set[int]:
        if (fieldname, term) not in reader:
            return set()
        return {d for d in reader.postings(fieldname, term).all_ids() if not reader.is_deleted(d)}

    head = {t: docs("head_terms", t) for t in terms}
    title = {t: docs("title_terms", t) for t in terms}
    body = {t: postings.docs(t) for t in terms}
    exact = set()
    if is_number_query(text):
        exact = {d for d in docs("head_terms", "#" + number_word(text))}
    value = ranking.value_term(text)
    valued = docs("head_terms", value) if value else set()
    candidates = set(exact).union(*head.values(), *body.values())
    if allowed is not None:
        candidates &= allowed
    facts = reader.column_reader("facts")
    rows = []
    for d in candidates:
        fact = _facts(facts[d])
        if in_force and not _in_force(fact):
            continue
        in_head = {t for t in terms if d in head[t]}
        in_body = {t for t in terms if d in body[t]}
        in_title = {t for t in terms if d in title[t]}
        full, fraction = ranking.coverage(query, in_head | in_body)
        f = ranking.Features(
            number_exact=d in exact, value_exact=d in valued, head_phrase=bool(terms) and len(in_head) == len(terms),
            head_full=ranking.coverage(query, in_head)[0], body_phrase=bool(terms) and len(in_body) == len(terms),
            full=full, fraction=fraction, title_full=ranking.coverage(query, in_title)[0],
            status=fact.status, is_current_version=fact.is_current, title_len=fact.title_len,
            date=fact.date, slug=fact.slug)
        tier = ranking.tier(f)
        if tier:
            why = {k: sorted(v) for k, v in (("title", in_title), ("head", in_head), ("body", in_body)) if v}
            if f.value_exact:
                why["value"] = True  # the query is one of its values (ranking.value_term)
            rows.append((ranking.sort_key(f), tier, f, d, why))
    rows.sort(key=lambda row: row[0])
    if ranking.needs_phrase_check(query):
        # In ranking order, until `limit` texts hold the phrase: they are the tier's first `limit`
        # results whatever the unchecked ones hold.
        texts = reader.column_reader("text")
        found = 0
        for i in [i for i, row in enumerate(rows) if row[1] == 3]:
            _, tier, f, d, why = rows[i]
            data = texts[d]
            if ranking.phrase_seen(query, zlib.decompress(data).decode("utf-8") if data else ""):
                f = replace(f, phrase_seen=True)
                rows[i] = (ranking.sort_key(f), ranking.tier(f), f, d, dict(why, phrase=True))
                found += 1
                if found >= limit:
                    break
        rows.sort(key=lambda row: row[0])
    # a number is the document's or it is not: without a full match there are no partial results
    full_rows = [r for r in rows if r[1] > 1]
    partial = not full_rows and not is_number_query(text) and bool(rows)
    shown = full_rows if full_rows or is_number_query(text) else rows
    hits = [_hit(reader.stored_fields(d), float(tier), ranking.tier_name(f), why)
            for _, tier, f, d, why in shown[:limit]]
    return hits, len(shown), partial
