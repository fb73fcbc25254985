"""A leak scanner for tests: every file under a folder searched for the marker strings of a
document that must not be published (its title, number, a sentence of its body).

Each file is read whole and decompressed where it is compressed (gzip by its magic bytes, so
the search index's `.bin` files are opened too; brotli by the `.br` suffix; zip),
PDFs also through their text layer (pypdfium2), so a marker is found as stored, as UTF-16 (PDF
strings), JSON-escaped, HTML-escaped, and in both scripts (the search index holds a folded copy).
Binary files are also searched for zlib streams at every zlib header (Whoosh compresses its
stored fields that way inside its segment files), and `whoosh_leaks` reads a Whoosh index's
stored fields through Whoosh itself, deleted-but-stored records included.
Usage: `assert find_leaks(output_dir, markers) == []`.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import os
import zipfile
import zlib

MIN_MARKER = 4  # shorter strings occur by chance


def _forms(marker: str) -> set[bytes]:
    from gazette.chinese import s2t, t2s

    texts = {marker, t2s(marker), s2t(marker)}
    out: set[bytes] = set()
    for t in texts:
        for variant in (t, html.escape(t, quote=True), json.dumps(t)[1:-1], json.dumps(t, ensure_ascii=False)[1:-1]):
            out.add(variant.encode("utf-8"))
        out.add(t.encode("utf-16-be"))
    return {f for f in out if f}


def _decoded(name: str, data: bytes, depth: int = 0):
    """`data` and every decompressed form of it."""
    yield data
    if depth > 3:
        return
    if data[:2] == b"\x1f\x8b":
        try:
            yield from _decoded(name, gzip.decompress(data), depth + 1)
        except (OSError, EOFError, zlib.error):
            pass
    if name.endswith(".br"):
        import brotli

        try:
            yield from _decoded(name[:-3], brotli.decompress(data), depth + 1)
        except brotli.error:
            pass
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for info in z.infolist():
                    yield from _decoded(info.filename, z.read(info), depth + 1)
        except zipfile.BadZipFile:
            pass
    if data[:5] == b"%PDF-":
        yield from _pdf_text(data)
    if depth == 0 and b"\x00" in data[:4096]:
        yield from _zlib_streams(data)


_ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


def _zlib_streams(data: bytes):
    """Every zlib stream inside a binary file (segment files, SQLite pages), decompressed."""
    for header in _ZLIB_HEADERS:
        at = data.find(header)
        while at != -1:
            try:
                out = zlib.decompressobj().decompress(data[at:at + (1 << 22)])
            except zlib.error:
                out = b""
            if out:
                yield out
            at = data.find(header, at + 1)


def _pdf_text(data: bytes):
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return
    try:
        for page in pdf:
            tp = page.get_textpage()
            text = tp.get_text_range()
            # Scans set titles across lines: search the text without its line breaks too.
            yield text.encode("utf-8")
            yield "".join(text.split()).encode("utf-8")
            tp.close()
            page.close()
    finally:
        pdf.close()


def iter_files(root: str):
    for dirpath, dirnames, files in os.walk(root):
        dirnames.sort()
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            if os.path.isfile(path):
                yield path


def find_leaks(root: str, markers, roots_extra=()) -> list[tuple[str, str]]:
    """(file, marker) for every marker found in any file under `root` (and `roots_extra`)."""
    markers = [m for m in markers if m and len(m) >= MIN_MARKER]
    assert markers, "no marker long enough to search for"
    forms = {m: _forms(m) for m in markers}
    found = []
    for top in (root, *roots_extra):
        for path in iter_files(top):
            with open(path, "rb") as f:
                data = f.read()
            hits = set()
            for blob in _decoded(path, data):
                for m, fs in forms.items():
                    if m not in hits and any(f in blob for f in fs):
                        hits.add(m)
            found += [(os.path.relpath(path, top), m) for m in sorted(hits)]
    return found


def document_markers(path: str) -> list[str]:
    """Title, document number and the longest body sentence of a content file: what must never appear."""
    from gazette.model import read_header

    header = read_header(path)
    values = [header.fields.get(k, ("", 0))[0].strip() for k in ("title", "doc_number")]
    sentences = [s.strip() for s in header.body.replace("\n", "。").split("。") if s.strip()]
    if sentences:
        values.append(max(sentences, key=len))
    return [v for v in values if v]


def whoosh_leaks(index_dir: str, markers) -> list[tuple[str, str]]:
    """(docnum, marker) for every marker in any stored field or column of the Whoosh index at
    `index_dir` (the text column inflated), read through Whoosh, deleted documents included (a
    deleted document is only marked)."""
    import zlib

    from whoosh import index

    if not index.exists_in(index_dir):
        return []
    markers = [m for m in markers if m and len(m) >= MIN_MARKER]
    found = []
    ix = index.open_dir(index_dir)
    with ix.reader() as reader:
        for leaf, offset in reader.leaf_readers():
            names = [name for name in ix.schema.names() if leaf.has_column(name)]
            cols = {name: leaf.column_reader(name) for name in names}
            for docnum in range(leaf.doc_count_all()):
                values = [leaf.stored_fields(docnum)]
                for name, col in cols.items():
                    value = col[docnum]
                    if isinstance(value, bytes):
                        try:
                            value = zlib.decompress(value)
                        except zlib.error:
                            pass
                        value = value.decode("utf-8", "replace")
                    values.append(value)
                text = json.dumps(values, ensure_ascii=False, default=str)
                found += [(f"{offset + docnum}", m) for m in markers if m in text]
    return found
