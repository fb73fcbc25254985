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
    """The private names this module uses that the installed Whoosh lacks (empty when all are there)."""
    from whoosh.codec import whoosh3

    missing = [f"whoosh.codec.whoosh3.{n}" for n in ("LENGTHS_COLUMN", "_lenfield", "W3FieldWriter",
                                                       "W3PostingsWriter", "W3PerDocReader")
               if not hasattr(whoosh3, n)]
    if missing:
        return tuple(missing)
    import inspect

    def names(cls) -> str:
        return "".join(inspect.getsource(c) for c in cls.__mro__ if c.__module__.startswith("whoosh"))

    for cls, wanted in ((whoosh3.W3PostingsWriter, _POSTINGS_WRITER), (whoosh3.W3FieldWriter, _FIELD_WRITER),
                        (writing.SegmentWriter, _SEGMENT_WRITER)):
        source = names(cls)
        missing += [f"{cls.__name__}.{n}" for n in wanted if n not in source]
    if "_cached_reader" not in names(whoosh3.W3PerDocReader):
        missing.append("W3PerDocReader._cached_reader")
    return tuple(missing)


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
    terms are sorted, and each term's postings are already in document order."""

    def __init__(self):
        self._fields: dict[str, dict[bytes, list]] = {}

    def add(self, item) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        terms = self._fields.setdefault(fieldname, {})
        postings = terms.get(tbytes)
        if postings is None:
            terms[tbytes] = [(docnum, weight, vbytes)]
        else:
            postings.append((docnum, weight, vbytes))

    def terms(self):
        """(fieldname, [(term bytes, postings in document order)]) per field, both sorted."""
        first = operator.itemgetter(0)
        for fieldname in sorted(self._fields):
            terms = self._fields[fieldname]
            out = []
            for tbytes in sorted(terms):
                postings = terms[tbytes]
                postings.sort(key=first)  # in order already, unless a merge added older documents
                out.append((tbytes, postings))
            yield fieldname, out

    def iter_postings(self):
        """Whoosh's pool interface: every posting in order (field, term, document)."""
        for fieldname, terms in self.terms():
            for tbytes, postings in terms:
                for docnum, weight, vbytes in postings:
                    yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        self._fields.clear()


def _add_term_postings(pw, postings: list, lengths: list[int] | None) -> None:
    """A term's postings into Whoosh's postings writer, a block at a time.

    Does what `W3PostingsWriter.add_posting` does once per posting (append the document, weight
    and value; track the block's largest weight and shortest and longest field length; write the
    block when full) with list operations over each block: the per-posting Python calls were
    most of the command-line index's time. The blocks written are the same bytes."""
    limit, at, n = pw._blocklimit, 0, len(postings)
    while at < n:
        if len(pw._ids) >= limit:
            pw._write_block()
        chunk = postings[at:at + limit - len(pw._ids)]
        at += len(chunk)
        docnums = [p[0] for p in chunk]
        weights = [p[1] for p in chunk]
        pw._ids.extend(docnums)
        pw._weights.extend(weights)
        pw._values.extend([p[2] for p in chunk if p[2]])
        pw._maxweight = max(pw._maxweight, max(weights))
        if lengths is not None:
            present = [lengths[d] for d in docnums if d < len(lengths) and lengths[d]]
            if present:
                low = min(present)
                if pw._minlength is None or low < pw._minlength:
                    pw._minlength = low
                pw._maxlength = max(pw._maxlength, max(present))


def bulk_writable(fieldwriter) -> bool:
    """Whether the field writer is the Whoosh 3 codec's (the default), whose postings writer
    `_add_term_postings` fills, with the internals it relies on; anything else gets Whoosh's own
    path (slower, same index)."""
    from whoosh.codec.whoosh3 import W3FieldWriter

    return isinstance(fieldwriter, W3FieldWriter) and not missing_internals()


class FastSegmentWriter(writing.SegmentWriter):
    """Whoosh's segment writer, with postings grouped by term as they come (`_TermPool`) and field
    lengths looked up in memory while postings are written (`_Lengths`)."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.pool.cleanup()
        self.pool = _TermPool()

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = _Lengths(self.per_document_reader()) if self.codec.length_stats else None
        fw = self.fieldwriter
        if bulk_writable(fw):
            for fieldname, terms in self.pool.terms():
                fw.start_field(fieldname, self.schema[fieldname])
                column = lengths.column(fieldname) if lengths else None
                for tbytes, postings in terms:
                    fw.start_term(tbytes)
                    _add_term_postings(fw._postwriter, postings, column)
                    fw.finish_term()
                fw.finish_field()
        else:
            fw.add_postings(self.schema, lengths, self.pool.iter_postings())
        fw.close()
        if lengths:
            lengths.close()
