#!/usr/bin/env python3
"""Regenerate the sample archive's issue scans: content/scans/<issue>.pdf.

Each issue becomes a PDF that looks like a scanned print gazette: a cover page with the
table of contents, then every listed document on the pages its `pages` field names. Each
page is a grayscale raster image (the "scan") with an invisible text layer over it, so the
PDF behaves like an archive scan that went through OCR. Withheld documents never reach a
scan: `load_archive` drops them before we see them.

Output is deterministic (fixed metadata, seeded paper texture), so rerunning gives
identical bytes.

    python scripts/make_sample_scans.py                 # all issues
    python scripts/make_sample_scans.py --only 2023-02  # one issue
    python scripts/make_sample_scans.py --pages         # page count each document needs
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import sys
from dataclasses import dataclass

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

import opencc  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402
from reportlab.lib.utils import ImageReader  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from gazette.archive import issue_contents, load_archive  # noqa: E402
from gazette.chinese import detect_script  # noqa: E402
from gazette.model import Document, Issue  # noqa: E402

FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
DPI = 100
# 16开 (184 x 260 mm), the usual trim size of a Chinese government gazette.
PAGE_MM = (184, 260)
PX_W, PX_H = (round(mm / 25.4 * DPI) for mm in PAGE_MM)
PT_PER_PX = 72 / DPI
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 70, 96, 96
BODY_PX, LINE_PX = 20, 34
TITLE_PX, TITLE_LINE_PX = 26, 40
INK, PAPER = 38, 236
JPEG_QUALITY = 60
PDF_FONTS = {"zh-Hans": "STSong-Light", "zh-Hant": "MSung-Light"}
FONT_FACES = {"zh-Hans": "SC", "zh-Hant": "TC"}

_s2t = opencc.OpenCC("s2t")


class ScanError(RuntimeError):
    pass


# --- text -----------------------------------------------------------------------------------

def plain_paragraphs(markdown: str) -> list[tuple[str, str]]:
    """Markdown body -> (kind, text) paragraphs, kind 'heading' or 'para', markup dropped."""
    paras: list[tuple[str, str]] = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        for line in block.split("\n"):
            line = line.strip()
            if not line:
                continue
            kind = "para"
            if line.startswith("#"):
                kind, line = "heading", line.lstrip("#").strip()
            line = re.sub(r"^(?:[-*+]|\d+\.)\s+", "", line)
            line = re.sub(r"(\*\*|__|\*|`)", "", line)
            line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
            if line.startswith(">"):
                line = line.lstrip("> ").strip()
            paras.append((kind, line))
    return paras


def mark_signature(paras: list[tuple[str, str]], doc: Document) -> list[tuple[str, str]]:
    """Right-align the closing block: issuing bodies, the signatory and the date."""
    issuers = set(doc.issuer)
    date_re = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")

    def closing(text: str) -> bool:
        parts = text.split()
        return bool(date_re.match(text) or (parts and all(p in issuers for p in parts))
                    or (len(text) <= 8 and "\u3000" in text))  # "市长　某某"

    out = list(paras)
    i = len(out) - 1
    while i >= 0 and out[i][0] == "para" and closing(out[i][1]):
        out[i] = ("sign", out[i][1])
        i -= 1
    return out


def wrap(text: str, width_chars: int) -> list[str]:
    """Break text into lines of at most width_chars full-width cells; ASCII counts half a cell.

    Closing punctuation is kept off the start of a line, as Chinese typesetting requires.
    """
    lines, cur, cells = [], "", 0.0
    for ch in text:
        w = 0.5 if ord(ch) < 0x2E80 and ch not in "—…“”‘’" else 1.0
        if cells + w > width_chars and cur:
            if ch in "，。、；：？！）》」』”’〕":
                cur += ch  # hang punctuation in the margin rather than start a line with it
                lines.append(cur)
                cur, cells = "", 0.0
                continue
            lines.append(cur)
            cur, cells = "", 0.0
        cur += ch
        cells += w
    if cur:
        lines.append(cur)
    return lines or [""]


# --- layout ---------------------------------------------------------------------------------

@dataclass
class Line:
    text: str
    x: int
    y: int  # top of the line box, in pixels
    size: int


def _body_chars(size: int) -> int:
    return (PX_W - 2 * MARGIN_X) // size


def text_width(text: str, size: int, script: str) -> int:
    return round(font(script, size).getlength(text))


def layout_document(doc: Document, scale: float = 1.0) -> list[list[Line]]:
    """Lay a document out into pages of Lines (text only; page furniture is added when drawing)."""
    body_px, line_px = round(BODY_PX * scale), round(LINE_PX * scale)
    title_px, title_line_px = round(TITLE_PX * scale), round(TITLE_LINE_PX * scale)
    pages: list[list[Line]] = [[]]
    y = MARGIN_TOP + 20
    bottom = PX_H - MARGIN_BOTTOM

    def put(text: str, size: int, height: int, align: str, indent: int = 0) -> None:
        nonlocal y
        if y + height > bottom:
            pages.append([])
            y = MARGIN_TOP
        width = text_width(text, size, doc.script) if align != "left" else 0
        if align == "center":
            x = (PX_W - width) // 2
        elif align == "right":
            x = PX_W - MARGIN_X - width - 2 * size
        else:
            x = MARGIN_X + indent
        pages[-1].append(Line(text, x, y, size))
        y += height

    for line in wrap(doc.title, _body_chars(title_px) - 2):
        put(line, title_px, title_line_px, "center")
    if doc.doc_number:
        y += 6
        put(doc.doc_number, body_px, line_px, "center")
    y += line_px // 2
    if doc.disclosure == "on_request":
        for text in on_request_notice(doc):
            for i, line in enumerate(wrap(text, _body_chars(body_px) - 2)):
                put(line, body_px, line_px, "left", 2 * body_px if i == 0 else 0)
        return pages
    chars = _body_chars(body_px)
    paras = mark_signature(plain_paragraphs(doc.body), doc)
    n_sign = sum(1 for kind, _ in paras if kind == "sign")
    for kind, text in paras:
        if kind == "sign" and n_sign and y + n_sign * line_px > bottom and len(pages[-1]) > 4:
            # Never leave the signature alone on a page: carry the last text line over with it.
            carried = pages[-1].pop()
            pages.append([])
            y = MARGIN_TOP
            carried.y = y
            pages[-1].append(carried)
            y += line_px
        if kind == "sign":
            n_sign = 0  # checked once, at the start of the block
        if kind == "heading":
            for line in wrap(text, chars - 4):
                put(line, body_px, line_px, "center")
        elif kind == "sign":
            put(text, body_px, line_px, "right")
        else:
            # First line indented two characters, the rest full width.
            first = wrap(text, chars - 2)[0]
            put(first, body_px, line_px, "left", 2 * body_px)
            rest = text[len(first):]
            for more in wrap(rest, chars) if rest else []:
                put(more, body_px, line_px, "left")
    return pages


def on_request_notice(doc: Document) -> list[str]:
    text = ["本文件属依申请公开文件，全文不在本公报刊登。",
            "如需获取全文，请按照《临澜市人民政府公报依申请公开指南》向临澜市人民政府办公室提出申请。",
            "依申请公开"]
    return [_s2t.convert(t) for t in text] if doc.script == "zh-Hant" else text


def fit_document(doc: Document, n_pages: int) -> tuple[list[list[Line]], int]:
    """Lay out into exactly n_pages pages; returns the pages and the natural page count."""
    natural = layout_document(doc)
    pages, scale = natural, 1.0
    while len(pages) > n_pages and scale > 0.6:
        scale -= 0.05
        pages = layout_document(doc, scale)
    pages = pages + [[] for _ in range(n_pages - len(pages))]
    return pages, len(natural)


def page_range(doc: Document) -> tuple[int, int] | None:
    m = re.match(r"^(\d+)\s*(?:[-–~至]\s*(\d+))?$", doc.pages or "")
    if not m:
        return None
    first = int(m.group(1))
    return first, int(m.group(2) or first)


# --- drawing --------------------------------------------------------------------------------

def load_font(script: str, size: int) -> ImageFont.FreeTypeFont:
    if not os.path.exists(FONT_PATH):
        raise ScanError(f"找不到字体文件 {FONT_PATH}：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）")
    for index in range(8):
        try:
            font = ImageFont.truetype(FONT_PATH, size, index=index)
        except OSError:
            break
        if font.getname()[0].endswith(FONT_FACES[script]):
            return font
    raise ScanError(f"字体文件 {FONT_PATH} 中没有 Noto Serif CJK {FONT_FACES[script]} 字形")


_font_cache: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def font(script: str, size: int) -> ImageFont.FreeTypeFont:
    key = (script, size)
    if key not in _font_cache:
        _font_cache[key] = load_font(script, size)
    return _font_cache[key]


def paper(seed: str) -> Image.Image:
    """A light, unevenly lit sheet with a few specks; smooth so that JPEG keeps it small."""
    rng = random.Random(seed)
    small = Image.new("L", (8, 12))
    small.putdata([PAPER - rng.randint(0, 10) for _ in range(8 * 12)])
    img = small.resize((PX_W, PX_H), Image.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randint(4, 12)):
        x, y, r = rng.randint(0, PX_W), rng.randint(0, PX_H), rng.choice((1, 1, 2))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(150, 200))
    # The shadow of the binding along one edge.
    edge = rng.choice(("left", "right"))
    for i in range(14):
        shade = PAPER - 40 + i * 3
        x = i if edge == "left" else PX_W - 1 - i
        draw.line((x, 0, x, PX_H), fill=shade)
    return img


def render_page(lines: list[Line], script: str, seed: str, header: str, footer: str) -> Image.Image:
    img = paper(seed)
    draw = ImageDraw.Draw(img)
    small = font(script, 14)
    if header:
        draw.text((MARGIN_X, MARGIN_TOP - 44), header, font=small, fill=INK + 30)
        draw.line((MARGIN_X, MARGIN_TOP - 20, PX_W - MARGIN_X, MARGIN_TOP - 20), fill=INK + 30, width=1)
    fw = draw.textlength(footer, font=small)
    draw.text(((PX_W - fw) / 2, PX_H - MARGIN_BOTTOM + 40), footer, font=small, fill=INK + 30)
    for ln in lines:
        draw.text((ln.x, ln.y), ln.text, font=font(script, ln.size), fill=INK)
    # Slight softening, as a flatbed scanner gives.
    return img.filter(ImageFilter.GaussianBlur(0.4))


def place_page(c: canvas.Canvas, img: Image.Image, lines: list[Line], script: str) -> None:
    """Draw the raster, then the invisible text layer aligned with it."""
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
    buf.seek(0)
    w_pt, h_pt = PX_W * PT_PER_PX, PX_H * PT_PER_PX
    c.setPageSize((w_pt, h_pt))
    c.drawImage(ImageReader(buf), 0, 0, w_pt, h_pt)
    for ln in lines:
        size = ln.size * PT_PER_PX
        t = c.beginText(ln.x * PT_PER_PX, h_pt - (ln.y + ln.size * 0.88) * PT_PER_PX)
        t.setTextRenderMode(3)  # invisible: the searchable layer of an OCRed scan
        t.setFont(PDF_FONTS[script], size)
        t.textOut(ln.text)
        c.drawText(t)
    c.showPage()


# --- issues ---------------------------------------------------------------------------------

def issue_script(issue: Issue, docs: list[Document]) -> str:
    return detect_script((issue.title or "") + issue.body + "".join(d.title for d in docs))


def cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def cover_lines(issue: Issue, docs: list[Document], script: str) -> list[Line]:
    conv = _s2t.convert if script == "zh-Hant" else (lambda s: s)
    lines: list[Line] = []
    y = MARGIN_TOP + 10

    def centered(text: str, size: int, gap: int) -> None:
        nonlocal y
        lines.append(Line(text, (PX_W - text_width(text, size, script)) // 2, y, size))
        y += gap

    centered(conv("临澜市人民政府公报"), 46, 74)
    sub = f"{issue.year}年第{issue.number}期"
    if issue.serial:
        sub += conv(f"（总第{issue.serial}期）")
    centered(sub, 22, 36)
    if issue.serial == 1:
        centered(conv("创刊号"), 22, 36)
    centered(conv(f"临澜市人民政府办公室编　{cn_date(issue.date)}出版"), 16, 52)
    centered(conv("目　　录"), 24, 48)
    size, chars = 17, (PX_W - 2 * MARGIN_X) // 17 - 4
    for d in docs:
        rng = page_range(d)
        for i, part in enumerate(wrap(d.title, chars)):
            lines.append(Line(part, MARGIN_X + (0 if i == 0 else size), y, size))
            y += 27
        tail = f"（{d.doc_number}）" if d.doc_number else ""
        if d.disclosure == "on_request":
            tail += conv("〔依申请公开〕")
        if tail:
            lines.append(Line(tail, MARGIN_X + size, y, 15))
        if rng:
            num = str(rng[0])
            lines.append(Line(num, PX_W - MARGIN_X - text_width(num, size, script), y, size))
        y += 34
    return lines


def build_issue(issue: Issue, docs: list[Document], out_path: str) -> list[str]:
    """Write one issue's PDF; returns the problems found (page mismatches, overlaps)."""
    problems: list[str] = []
    script = issue_script(issue, docs)
    conv = _s2t.convert if script == "zh-Hant" else (lambda s: s)
    header = f"{conv('临澜市人民政府公报')}　{issue.year}年第{issue.number}期"

    pages: dict[int, tuple[list[Line], str]] = {1: (cover_lines(issue, docs, script), script)}
    next_free = 2
    for d in docs:
        rng = page_range(d)
        if rng is None:
            problems.append(f"{d.source_path}: pages 缺失或格式不对（{d.pages!r}），无法排入 {issue.key}")
            continue
        first, last = rng
        if first < next_free:
            problems.append(f"{d.source_path}: pages {d.pages} 与前一篇文件重叠（应从第 {next_free} 页起）")
            continue
        if first > next_free:
            problems.append(f"{issue.key}: 第 {next_free}-{first - 1} 页没有文件（空白页）")
        laid, natural = fit_document(d, last - first + 1)
        if natural != last - first + 1:
            problems.append(f"{d.source_path}: pages {d.pages} 为 {last - first + 1} 页，正文排版需要 {natural} 页")
        for i, lines in enumerate(laid):
            pages[first + i] = (lines, d.script)
        next_free = last + 1

    c = canvas.Canvas(out_path, invariant=1, pageCompression=1)
    c.setTitle(issue.display_title)
    c.setAuthor(conv("临澜市人民政府办公室"))
    c.setSubject(conv("临澜市人民政府公报（样例档案，虚构内容）"))
    c.setCreator("Gazette scripts/make_sample_scans.py")
    c.setProducer("Gazette")
    for n in range(1, max(pages) + 1):
        lines, page_script = pages.get(n, ([], script))
        img = render_page(lines, page_script, f"{issue.key}/{n}", header if n > 1 else "", f"— {n} —")
        place_page(c, img, lines, page_script)
    c.save()
    return problems


def register_fonts() -> None:
    from gazette.publishing.pdf_write import fix_cid_encodings

    fix_cid_encodings()
    for name in PDF_FONTS.values():
        pdfmetrics.registerFont(UnicodeCIDFont(name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="重新生成样例档案的公报扫描件 content/scans/<期号>.pdf")
    parser.add_argument("--content", default=os.path.join(REPO, "content"), help="档案目录（默认：仓库的 content/）")
    parser.add_argument("--only", action="append", metavar="KEY", help="只生成这一期（可重复），如 2023-02")
    parser.add_argument("--pages", action="store_true", help="只列出每篇文件正文排版需要的页数，不生成 PDF")
    args = parser.parse_args(argv)

    archive = load_archive(args.content)
    if archive.errors:
        for e in archive.errors:
            print(e, file=sys.stderr)
        print(f"元数据有 {len(archive.errors)} 处错误，未生成扫描件", file=sys.stderr)
        return 2
    try:
        font("zh-Hans", BODY_PX), font("zh-Hant", BODY_PX)
    except ScanError as e:
        print(f"错误：{e}", file=sys.stderr)
        return 2
    toc = issue_contents(archive)
    if args.pages:
        print("期号\t文件\tpages\t排版所需页数")
        for issue in sorted(archive.issues, key=lambda i: i.key):
            for d in toc[issue.key]:
                print(f"{issue.key}\t{d.slug}\t{d.pages}\t{len(layout_document(d))}")
        return 0
    register_fonts()
    scans_dir = os.path.join(args.content, "scans")
    os.makedirs(scans_dir, exist_ok=True)
    problems: list[str] = []
    for issue in sorted(archive.issues, key=lambda i: i.key):
        if args.only and issue.key not in args.only:
            continue
        out = os.path.join(args.content, issue.scan or f"scans/{issue.key}.pdf")
        tmp = out + ".tmp"
        found = build_issue(issue, toc[issue.key], tmp)
        os.replace(tmp, out)
        problems += found
        print(f"{os.path.relpath(out, args.content)}\t{len(toc[issue.key])} 篇\t{os.path.getsize(out) // 1024} KB")
    for p in problems:
        print(f"注意：{p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
