"""A small PDF writer for what Gazette sets itself: pages of PDF operators in the standard Adobe CJK
fonts (nothing embedded; readers have them or substitute), text in UTF-16 as the fonts' Unicode CMaps
read it, so every reader renders, selects and extracts it.

ReportLab supplies the fonts' metrics and dictionaries; the document is written here: a canvas and
its serialiser cost more than setting the text when a cold build makes tens of thousands of PDFs.
Same input, same bytes (no dates; the file /ID is a hash of the content).
"""

from __future__ import annotations

import functools
import hashlib
import zlib

# zlib level of the page streams: on 1,000 corpus texts level 3 took 0.23 s against 0.54 s at the
# default 6, for streams 14 % larger (level 6 was an eighth of a cold build's PDF time at 10,000 documents).
STREAM_LEVEL = 3

CID_FONTS = {"zh-Hans": "STSong-Light", "zh-Hant": "MSung-Light"}
# Resource names the page contents use: a font per script, and two fill opacities (the stamp's box).
FONT_REFS = {"STSong-Light": "/FS", "MSung-Light": "/FT"}
ALPHA_88, ALPHA_1 = "/A88", "/A1"


def fix_cid_encodings() -> None:
    """ReportLab pairs MSung-Light (Traditional) with the GB encoding; poppler then shows nothing.

    Use the CNS (Big5 repertoire) Unicode CMap for it, so every PDF reader renders and extracts it."""
    from reportlab.pdfbase import cidfonts

    cidfonts.defaultUnicodeEncodings["MSung-Light"] = ("cht", "UniCNS-UCS2-H")


def cid_font(script: str) -> str:
    """The standard CJK font of a script, registered with ReportLab (once per process)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    font = CID_FONTS.get(script, CID_FONTS["zh-Hans"])
    fix_cid_encodings()
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    return font


class Widths(dict):
    """Width of each text unit in one font, in thousandths of the font size (the font's own integer
    metrics: sums are exact, and one table serves every size), measured once per unit."""

    def __init__(self, font: str):
        from reportlab.pdfbase import pdfmetrics

        super().__init__()
        self.chars = pdfmetrics.getFont(font).unicodeWidths

    def __missing__(self, unit: str) -> int:
        w = self[unit] = sum(self.chars.get(c, 1000) for c in unit)
        return w

    def of(self, text: str) -> int:
        return sum(map(self.__getitem__, text))


@functools.lru_cache(maxsize=8)
def widths(font: str) -> Widths:
    return Widths(font)


@functools.lru_cache(maxsize=8)
def _font_dict(font: str) -> bytes:
    """The font's Type0 dictionary (descendant CID font, descriptor, widths) as ReportLab writes it."""
    from reportlab.pdfbase import pdfdoc, pdfmetrics
    from reportlab.pdfbase.cidfonts import CIDFontInfo, structToPDF

    f = pdfmetrics.getFont(font)
    spec = dict(CIDFontInfo[f.face.name], Name=FONT_REFS[font], Encoding="/" + f.encodingName)
    return pdfdoc.format(structToPDF(spec), pdfdoc.PDFDocument(invariant=1))


def num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def hex_text(text: str) -> str:
    """A string operand: UTF-16 (big-endian), as the fonts' UCS2 CMaps read it."""
    return f"<{text.encode('utf_16_be').hex()}>"


def _info_text(text: str) -> bytes:
    return b"<feff" + text.encode("utf_16_be").hex().encode() + b">"


def pdf_bytes(pages: list[tuple[float, float, str]], fonts: set[str], info: dict[str, str] | None = None) -> bytes:
    """A PDF of `pages` (width, height in points, content: PDF operators naming the fonts by FONT_REFS
    and the opacities ALPHA_88 / ALPHA_1), `fonts` the fonts the contents use, `info` the document's
    Title, Author, Subject, Creator."""
    fonts = sorted(fonts)
    first_page = 5 + len(fonts)  # 1 catalogue, 2 page tree, 3 resources, 4 info, then fonts, then pages
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []

    def put(body: bytes) -> None:
        offsets.append(len(out))
        out.extend(b"%d 0 obj\n" % len(offsets))
        out.extend(body)
        out.extend(b"\nendobj\n")

    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    put(b"<< /Type /Catalog /Pages 2 0 R >>")
    put(f"<< /Type /Pages /Count {len(pages)} /Kids [ {kids} ] >>".encode())
    font_refs = " ".join(f"{FONT_REFS[f]} {5 + i} 0 R" for i, f in enumerate(fonts))
    put(f"<< /Font << {font_refs} >> /ExtGState << {ALPHA_88} << /ca .88 >> {ALPHA_1} << /ca 1 >> >> "
        f"/ProcSet [ /PDF /Text ] >>".encode())
    fields = b"".join(b"/%s %s " % (k.encode(), _info_text(v)) for k, v in (info or {}).items() if v)
    put(b"<< " + fields + b"/Producer (Gazette) /CreationDate (D:20000101000000+00'00') "
        b"/ModDate (D:20000101000000+00'00') >>")
    for f in fonts:
        put(_font_dict(f))
    for i, (w, h, content) in enumerate(pages):
        put(f"<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 {num(w)} {num(h)} ] /Resources 3 0 R "
            f"/Contents {first_page + 2 * i + 1} 0 R >>".encode())
        data = zlib.compress(content.encode("ascii"), STREAM_LEVEL)
        put(b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
    xref = len(out)
    digest = hashlib.md5(out).hexdigest()
    out.extend(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    out.extend(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.extend(f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R /Info 4 0 R /ID [ <{digest}> <{digest}> ] >>\n"
               f"startxref\n{xref}\n%%EOF\n".encode())
    return bytes(out)
