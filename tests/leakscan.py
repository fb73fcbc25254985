"""A leak scanner for tests: every file under a folder searched for the marker strings of a
document that must not be published (its title, number, a sentence of its body).

Each file is read whole and decompressed where it is compressed (gzip by its magic bytes, so
Pagefind's `.pf_fragment`/`.pf_index` files are opened too; brotli by the `.br` suffix; zip),
PDFs also through their text layer (pypdfium2), so a marker is found as stored, as UTF-16 (PDF
strings), JSON-escaped, HTML-escaped, and in both scripts (the search index holds a folded copy).
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
