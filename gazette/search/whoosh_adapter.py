"""The one place Gazette reaches into Whoosh's internals: a faster segment writer.

`FastSegmentWriter` is Whoosh's `SegmentWriter` with postings grouped by term as they arrive and
handed to the Whoosh 3 codec's postings writer a block at a time, which writes the same bytes as
Whoosh's posting-by-posting path several times faster. It uses private attributes of
`whoosh.codec.whoosh3` (the postings writer's block lists, the field writer's postings writer,
the per-document reader's cached columns), so the Whoosh-Reloaded versions it is known to work
with are pinned in pyproject.toml (WHOOSH_VERSIONS); `missing_internals()` names what a
different version lacks, and the writer then falls back to Whoosh's own path.
tests/test_search_index.py::test_block_writer_writes_what_whoosh_itself_writes and
tests/test_adapters.py fail when the library changes underneath.
"""

from __future__ import annotations

import functools
import operator
from array import array

from whoosh import writing

# Versions of Whoosh-Reloaded whose internals this module was checked against (pyproject.toml).
WHOOSH_VERSIONS = ">=2.7.5,<2.8"

# What is used, by object: attributes of W3PostingsWriter, W3FieldWriter, SegmentWriter, and the codec module.
_POSTINGS_WRITER = ("_blocklimit", "_ids", "_weights", "_values", "_maxweight", "_minlength", "_maxlength",
                    "_write_block")
_FIELD_WRITER = ("_postwriter", "start_field", "start_term", "finish_term", "finish_field", "add_postings")
_SEGMENT_WRITER = ("_flush_segment", "pool", "perdocwriter", "per_document_reader", "fieldwriter", "codec")


@functools.lru_cache(maxsize=1)
def missing_internals() -> tuple[str, ...]:
    """The private names this module uses that the installed Whoosh lacks (empty when all are there).
    Read from Whoosh's source, kept by the build (gazette.derived) while those files and this one stay."""
    import sys

    from whoosh.codec import whoosh3

    from .. import derived

    classes = (whoosh3.W3PostingsWriter, whoosh3.W3FieldWriter, writing.SegmentWriter, whoosh3.W3PerDocReader)
    sources = {__file__, whoosh3.__file__} | {sys.modules[c.__module__].__file__ for cls in classes
                                              for c in cls.__mro__ if c.__module__.startswith("whoosh")}
    return tuple(derived.remembered("whoosh-internals", derived.files_key(*sorted(sources)), _missing_internals,
                                    tuple))


def _missing_internals() -> tuple[str, ...]:
    from whoosh.codec import whoosh3

    missing = [f"whoosh.codec.whoosh3.{n}" for n in ("LENGTHS_COLUMN", "_lenfield", "W3FieldWriter",
                                                       "W3PostingsWriter", "W3PerDocReader")
               if not hasattr(whoosh3, n)]
    if missing:
        return tuple(missing)
    def names(cls) -> set[str]:
        # Every name in the source of the class and its Whoosh bases, from each module parsed once
        # (inspect.getsource of each class was a quarter of a second of every build's index child).
        return {n for c in cls.__mro__ if c.__module__.startswith("whoosh") for n in _class_names(c)}

    for cls, wanted in ((whoosh3.W3PostingsWriter, _POSTINGS_WRITER), (whoosh3.W3FieldWriter, _FIELD_WRITER),
                        (writing.SegmentWriter, _SEGMENT_WRITER)):
        source = names(cls)
        missing += [f"{cls.__name__}.{n}" for n in wanted if n not in source]
    if "_cached_reader" not in names(whoosh3.W3PerDocReader):
        missing.append("W3PerDocReader._cached_reader")
    return tuple(missing)


def _class_names(cls) -> set[str]:
    """The identifiers in `cls`'s own source (attributes, methods, names), from its module's AST."""
    import ast
    import sys

    tree = _module_tree(sys.modules[cls.__module__].__file__)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
            for sub in ast.walk(node):
                if isinstance(sub, ast.Attribute):
                    found.add(sub.attr)
                elif isinstance(sub, ast.Name):
                    found.add(sub.id)
                elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    found.add(sub.name)
    return found


@functools.lru_cache(maxsize=None)
def _module_tree(path: str):
    import ast

    with open(path, encoding="utf-8") as f:
        return ast.parse(f.read())


class _Lengths:
    """Field lengths of a new segment, read once per field into a list.

    Whoosh asks for the length of the document of every posting it writes (to keep per-block
    length bounds), each time through a column reader: a sixth of the indexing time."""

    def __init__(self, reader):
        self._reader = reader
        self._columns: dict[str, list[int]] = {}

    def column(self, fieldname: str) -> list[int]:
        """The length of `fieldname` in each document of the segment, by document number."""
        column = self._columns.get(fieldname)
        if column is None:
            from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
            from whoosh.util.numeric import byte_to_length

            col = self._reader._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            column = self._columns[fieldname] = [byte_to_length(b) for b in col] if col is not None else []
        return column

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        column = self.column(fieldname)
        return column[docnum] if docnum < len(column) else default

    def close(self) -> None:
        self._reader.close()


class _TermPool:
    """A segment's postings grouped by field and term as they arrive.

    Whoosh's pool keeps one (field, term, document, weight, value) tuple per posting and sorts
    them all when the segment is written (a tenth of indexing time); grouped, only the distinct
    terms are sorted, and each term's postings are already in document order. The postings of a
    field whose every posting has the same weight and value (a `uniform` field: the precomputed
    term sets, most of the postings) are kept as one array of document numbers per term."""

    def __init__(self):
        self._fields: dict[str, dict[bytes, list]] = {}
        self._uniform: dict[str, tuple[float, bytes, dict[bytes, array]]] = {}

    def add_terms(self, fieldname: str, terms, docnum: int, weight: float, vbytes: bytes) -> bool:
        """One document's terms of a uniform field (each once); False (nothing added) when this
        weight and value are not the field's: the caller adds them one by one instead."""
        got = self._uniform.get(fieldname)
        if got is None:
            got = self._uniform[fieldname] = (weight, vbytes, {})
        elif got[0] != weight or got[1] != vbytes:
            return False
        postings = got[2]
        get = postings.get
        for tbytes in terms:
            docs = get(tbytes)
            if docs is None:
                postings[tbytes] = array("I", (docnum,))
            else:
                docs.append(docnum)
        return True

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._fields.setdefault(fieldname, {})
        postings = terms.get(tbytes)
        if postings is None:
            terms[tbytes] = [(docnum, weight, vbytes)]
        else:
            postings.append((docnum, weight, vbytes))

    def terms(self):
        """(fieldname, [(term bytes, postings in document order)]) per field, both sorted. Postings
        are a list of (document, weight, value), or, for a uniform field, (weight, value, array of
        documents)."""
        first = operator.itemgetter(0)
        for fieldname in sorted(self._fields.keys() | self._uniform.keys()):
            terms = self._fields.get(fieldname, {})
            weight, vbytes, uniform = self._uniform.get(fieldname, (None, None, {}))
            out = []
            for tbytes in sorted(terms.keys() | uniform.keys()) if terms and uniform else sorted(terms or uniform):
                docs = uniform.get(tbytes)
                postings = terms.get(tbytes)
                if postings is None:
                    out.append((tbytes, (weight, vbytes, docs)))
                    continue
                if docs is not None:  # a merge (one by one) and new documents (uniform) in one segment
                    postings.extend((d, weight, vbytes) for d in docs)
                postings.sort(key=first)  # in order already, unless a merge added older documents
                out.append((tbytes, postings))
            yield fieldname, out

    def iter_postings(self):
        """Whoosh's pool interface: every posting in order (field, term, document)."""
        for fieldname, terms in self.terms():
            for tbytes, postings in terms:
                if isinstance(postings, tuple):
                    weight, vbytes, docs = postings
                    postings = [(d, weight, vbytes) for d in docs]
                for docnum, weight, vbytes in postings:
                    yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        self._fields.clear()
        self._uniform.clear()


def _block_chunks(pw, items):
    """`items` in pieces that fill the postings writer's current block, writing each full block
    before the next piece (the caller appends each piece)."""
    limit, at, n = pw._blocklimit, 0, len(items)
    while at < n:
        if len(pw._ids) >= limit:
            pw._write_block()
        chunk = items[at:at + limit - len(pw._ids)]
        at += len(chunk)
        yield chunk


def _add_uniform_postings(pw, weight: float, vbytes: bytes, docs: array, lengths: list[int] | None) -> None:
    """`_add_term_postings` for a uniform field's term: every posting has this weight and value."""
    for chunk in _block_chunks(pw, docs):
        pw._ids.extend(chunk)
        pw._weights.extend([weight] * len(chunk))
        if vbytes:
            pw._values.extend([vbytes] * len(chunk))
        if weight > pw._maxweight:
            pw._maxweight = weight
        _note_lengths(pw, chunk, lengths)


def _note_lengths(pw, docnums, lengths: list[int] | None) -> None:
    """The block's shortest and longest field lengths, as Whoosh's postings writer keeps them."""
    if lengths is None:
        return
    present = [lengths[d] for d in docnums if d < len(lengths) and lengths[d]]
    if present:
        low = min(present)
        if pw._minlength is None or low < pw._minlength:
            pw._minlength = low
        pw._maxlength = max(pw._maxlength, max(present))


def _write_uniform_terms(fw, terms: list, lengths: list[int] | None) -> None:
    """A field's terms into the segment, each whose postings are uniform and fit in one block
    written directly: what `start_term`, `W3PostingsWriter` (`add_posting`, `finish_postings`,
    `_write_block`, the term info's `add_block`) and `finish_term` do for it, the same bytes,
    without their dozen calls a term (a term's block is written once, most of them hold a few
    documents, and a segment has a hundred thousand terms). Terms of more than a block and
    postings that are not uniform take Whoosh's own path (`_add_term_postings`)."""
    import zlib
    from pickle import dumps

    from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
    from whoosh.system import pack_int, pack_ushort
    from whoosh.util.numeric import length_to_byte
    from whoosh.util.numlists import delta_encode

    pw = fw._postwriter
    limit, inline, comp = pw._blocklimit, pw._inlinelimit, pw._compression
    fixed = fw._format.fixed_value_size()
    postfile, add_term, prefix = fw._postfile, fw._tindex.add, pack_ushort(fw._fieldid)
    n_lengths = len(lengths) if lengths is not None else 0
    for tbytes, postings in terms:
        if not isinstance(postings, tuple) or len(postings[2]) > limit:
            fw.start_term(tbytes)
            if isinstance(postings, tuple):
                _add_uniform_postings(pw, *postings, lengths)
            else:
                _add_term_postings(pw, postings, lengths)
            fw.finish_term()
            continue
        weight, vbytes, docs = postings
        k = len(docs)
        weights = array("f", (weight,)) * k
        values = [vbytes] * k if vbytes else []
        info = W3TermInfo()
        info._weight += sum(weights)
        info._df = k
        if n_lengths:
            present = [lengths[d] for d in docs if d < n_lengths and lengths[d]]
            if present:
                info._minlength, info._maxlength = min(present), max(present)
        maxweight = weight if weight > 0 else 0
        info._maxweight = maxweight
        info._minid, info._maxid = docs[0], docs[-1]
        if k < inline:
            info._inlined = (tuple(docs), tuple(weights), tuple(values))
        else:
            if fixed is None or fixed < 0:
                mini_values = tuple(values)
            elif fixed == 0:
                mini_values = None
            else:
                mini_values = b"".join(values)
            data = dumps((tuple(delta_encode(docs)), None if weights[0] == 1.0 else weights[0], mini_values), 2)
            if comp:
                data = zlib.compress(data, comp)
            head = dumps((k, docs[-1], maxweight, comp, length_to_byte(info._minlength),
                          length_to_byte(info._maxlength)), 2)
            block = WHOOSH3_HEADER_MAGIC + pack_int(-(len(head) + len(data))) + head + data
            info._offset, info._length = postfile.tell(), len(block)
            postfile.write(block)
        add_term(prefix + tbytes, info.to_bytes())


def _add_term_postings(pw, postings: list, lengths: list[int] | None) -> None:
    """A term's postings into Whoosh's postings writer, a block at a time.

    Does what `W3PostingsWriter.add_posting` does once per posting (append the document, weight
    and value; track the block's largest weight and shortest and longest field length; write the
    block when full) with list operations over each block: the per-posting Python calls were
    most of the command-line index's time. The blocks written are the same bytes."""
    for chunk in _block_chunks(pw, postings):
        docnums = [p[0] for p in chunk]
        weights = [p[1] for p in chunk]
        pw._ids.extend(docnums)
        pw._weights.extend(weights)
        pw._values.extend([p[2] for p in chunk if p[2]])
        pw._maxweight = max(pw._maxweight, max(weights))
        _note_lengths(pw, docnums, lengths)


def bulk_writable(fieldwriter) -> bool:
    """Whether the field writer is the Whoosh 3 codec's (the default), whose postings writer
    `_add_term_postings` fills, with the internals it relies on; anything else gets Whoosh's own
    path (slower, same index)."""
    from whoosh.codec.whoosh3 import W3FieldWriter

    return isinstance(fieldwriter, W3FieldWriter) and not missing_internals()


# A term in fewer documents than this is kept in the term table itself, not as a block of the postings
# file (Whoosh's `inlinelimit`): in a segment of law texts 40 % of the terms are in one document only,
# and a block costs a pickled header, a pickled and compressed body and a pointer.
INLINE_LIMIT = 2


def _codec():
    from whoosh.codec.whoosh3 import W3Codec, W3TermInfo

    # Whoosh-Reloaded 2.7's postings writer calls `set_inline`, which its term info spells
    # `set_inlined` (inlining is off by default, so nothing else reaches it); reading is unaffected.
    if not hasattr(W3TermInfo, "set_inline"):
        W3TermInfo.set_inline = W3TermInfo.set_inlined
    return W3Codec(inlinelimit=INLINE_LIMIT)


class FastSegmentWriter(writing.SegmentWriter):
    """Whoosh's segment writer, with postings grouped by term as they come (`_TermPool`) and field
    lengths looked up in memory while postings are written (`_Lengths`)."""

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", _codec())
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = _TermPool()
        self._bulk = bulk_writable(self.fieldwriter)

    def add_document(self, **fields):
        """Whoosh's add_document, but a field that gives its terms as a set (`term_set(value)`: a
        uniform field, each term once with the same weight and value) hands them to the pool in one
        call instead of a posting at a time; the other fields, and everything else about the
        document (stored values, lengths, columns), go through Whoosh's own path."""
        if not self._bulk:
            return super().add_document(**fields)
        schema, sets = self.schema, {}
        for name in list(fields):
            field = schema[name] if name in schema else None
            if field is not None and hasattr(field, "term_set") and fields[name] is not None \
                    and not field.stored and not field.separate_spelling() and not field.vector \
                    and not field.column_type:
                sets[name] = fields.pop(name)
        docnum = self.docnum
        super().add_document(**fields)  # advances self.docnum
        docboost = self._doc_boost(fields)
        for name, value in sets.items():
            field = schema[name]
            terms, weight, vbytes = field.term_set(value)
            weight *= self._field_boost(fields, name, docboost)
            if not self.pool.add_terms(name, terms, docnum, weight, vbytes):
                for tbytes in terms:
                    self.pool.add((name, tbytes, docnum, weight, vbytes))
            self.perdocwriter.add_field(name, field, None, len(terms) if field.scorable else 0)

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = _Lengths(self.per_document_reader()) if self.codec.length_stats else None
        fw = self.fieldwriter
        if bulk_writable(fw):
            for fieldname, terms in self.pool.terms():
                fw.start_field(fieldname, self.schema[fieldname])
                column = lengths.column(fieldname) if lengths else None
                _write_uniform_terms(fw, terms, column)
                fw.finish_field()
        else:
            fw.add_postings(self.schema, lengths, self.pool.iter_postings())
        fw.close()
        if lengths:
            lengths.close()
