#!/usr/bin/env python3
"""Generate a deliberately varied corpus of scanned gazette issues, with the truth for each.

Six layouts, each one issue PDF: a cover with or without 目录 or no cover at all; titles wrapped
over two or three lines or on one; documents with and without 文号; a 政府令 (order line, 第N号,
announcement, then the rules it promulgates); documents starting mid-page; Simplified and
Traditional; one skewed, noisy scan; image-only pages (to be OCRed) and text-layer PDFs.
Document texts are read in place from `../shared/corpus/lawrefbook` when it is there (never
copied into the repository), else from the sample archive's documents (`content/documents`).

    .venv/bin/python scripts/make_scan_corpus.py OUT_DIR [--only NAME ...]

Writes OUT_DIR/<name>.pdf and OUT_DIR/truth.json (issue metadata and, per document, the title,
number, issuer, signed date, first page and body text as laid out).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import sys
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from gazette.chinese import s2t  # noqa: E402

CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "lawrefbook"))
FONT_PATH = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
PDF_FONTS = {"zh-Hans": "STSong-Light", "zh-Hant": "MSung-Light"}
W, H = 595.0, 842.0                    # A4, points
LEFT, RIGHT, TOP, BOTTOM = 72.0, 523.0, 78.0, 770.0
BODY, LEAD = 12.0, 21.0


@dataclass
class Placed:
    text: str
    x: float
    y: float          # top of the line, points from the top
    size: float
    script: str = "zh-Hans"


@dataclass
class Doc:
    kind: str                              # rule | notice | order | decision
    title: str
    number: str | None = None
    issuer: str | None = None
    signed: str | None = None              # ISO date
    adoption: str | None = None
    addressee: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    order_title: str | None = None         # 江州市人民政府令 (orders)
    order_no: str | None = None            # 第12号
    announcement: str | None = None
    signer: str | None = None              # 市长　王某某
    cn_numeral_date: bool = False
    script: str = "zh-Hans"


@dataclass
class Layout:
    name: str
    script: str = "zh-Hans"
    cover: str = "toc"                     # toc | plain | none
    wrap: int = 16                         # title characters per line (wrapped titles) or 30
    new_page: bool = True                  # every document starts a page
    image: bool = True                     # image-only (OCR) or text layer
    dpi: int = 200
    skew: float = 0.0
    noise: bool = False
    head_date: bool = False                # running heads carry the issue date
    kinds: tuple[str, ...] = ("rule",)
    body_chars: int = 420
    year: int = 2023
    number: int = 2
    serial: int | None = 45
    date: str = "2023-03-15"


LAYOUTS = [
    Layout("toc-wrapped-ocr", cover="toc", wrap=13, kinds=("rule", "rule", "rule"), year=2021, number=4,
           serial=212, date="2021-02-26"),
    Layout("order-trad-ocr", script="zh-Hant", cover="plain", wrap=15, new_page=False,
           kinds=("order", "decision"), year=2022, number=9, serial=None, date="2022-05-10"),
    Layout("midpage-text", cover="none", wrap=30, new_page=False, image=False, head_date=True,
           kinds=("notice", "notice", "decision", "notice"), year=2020, number=18, serial=None,
           date="2020-09-30", body_chars=520),
    Layout("toc-mixed-text", cover="toc", wrap=14, new_page=False, image=False,
           kinds=("order", "notice", "rule-trad", "decision"), year=2019, number=6, serial=138,
           date="2019-03-31", body_chars=600),
    Layout("skewed-noisy-ocr", cover="toc", wrap=16, skew=1.4, noise=True, new_page=False, kinds=("notice", "rule"),
           year=2018, number=11, serial=97, date="2018-06-15", body_chars=380),
    Layout("nocover-cn-dates-ocr", cover="none", wrap=30, new_page=False, head_date=True, dpi=200,
           kinds=("notice", "decision"), year=2017, number=3, serial=None, date="2017-02-08", body_chars=300),
]

ISSUERS = ["江州市人民政府", "江州市人民政府办公室", "江州市财政局", "江州市住房和城乡建设局"]
PREFIX = {"江州市人民政府": "江政发", "江州市人民政府办公室": "江政办发", "江州市财政局": "江财规",
          "江州市住房和城乡建设局": "江建发"}


# --- texts --------------------------------------------------------------------------------------

def source_texts() -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of real normative texts, read in place; the sample archive otherwise."""
    out = []
    if os.path.isdir(CORPUS):
        for sub in ("部门规章", "行政法规"):
            for dirpath, dirs, files in os.walk(os.path.join(CORPUS, sub)):
                dirs.sort()
                for f in sorted(files):
                    if f.endswith(".md"):
                        out.append(_read_corpus(os.path.join(dirpath, f)))
    if len(out) < 20:
        from gazette.archive import load_archive
        for d in sorted(load_archive(os.path.join(ROOT, "content")).documents, key=lambda d: d.slug):
            paras = [p.strip() for p in d.body.split("\n\n") if p.strip() and not p.startswith("#")]
            out.append((d.title, [re.sub(r"\\(.)", r"\1", p) for p in paras]))
    return [(t, p) for t, p in out if 8 <= len(t) <= 28 and sum(map(len, p)) > 300]


def _read_corpus(path: str) -> tuple[str, list[str]]:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    title = text.split("\n", 1)[0].lstrip("# ").strip()
    body = text.split("<!-- INFO END -->", 1)[-1]
    paras = []
    for p in body.split("\n"):
        p = p.strip()
        if not p:
            continue
        if p.startswith("#"):
            p = p.lstrip("# ").strip()           # a chapter heading, set centred in body type
            paras.append("§" + p)
            continue
        p = re.sub(r"^(第[一二三四五六七八九十百]+条)\s+", r"\1　", p)
        paras.append(re.sub(r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t]+(?=[\u3000-\u9fff\uff00-\uffef])", "", p))
    return title, paras


def cn_date(iso: str, numerals: bool = False) -> str:
    y, m, d = (int(x) for x in iso.split("-"))
    if not numerals:
        return f"{y}年{m}月{d}日"
    digits = "〇一二三四五六七八九"

    def small(n):
        return ("十" if n == 10 else ("十" + digits[n % 10] if n < 20 else digits[n // 10] + "十"
                                      + (digits[n % 10] if n % 10 else ""))) if n >= 10 else digits[n]
    return "".join(digits[int(c)] for c in str(y)) + f"年{small(m)}月{small(d)}日"


def make_docs(lay: Layout, texts: list, rng: random.Random) -> list[Doc]:
    docs = []
    for n, kind in enumerate(lay.kinds):
        title, paras = texts[rng.randrange(len(texts))]
        body, size = [], 0
        for p in paras:
            if size > lay.body_chars:
                break
            body.append(p)
            size += len(p)
        day = f"{lay.year}-{(lay.number % 12) or 1:02d}-{rng.randint(1, 12):02d}"
        if day >= lay.date:
            day = f"{lay.year}-01-{rng.randint(2, 20):02d}"
        issuer = ISSUERS[n % len(ISSUERS)]
        meeting = f"（{cn_date(day)}江州市人民政府第{rng.randint(3, 40)}次常务会议通过）"
        base = kind.replace("-trad", "")
        if base == "rule":
            d = Doc("rule", "江州市" + re.sub(r"^(?:中华人民共和国|国务院)", "", title), adoption=meeting,
                    paragraphs=body)
        elif base == "notice":
            num = f"{PREFIX[issuer]}〔{lay.year}〕{rng.randint(1, 60)}号"
            d = Doc("notice", f"{issuer}关于印发{title}的通知", number=num, issuer=issuer, signed=day,
                    addressee="各区、县（市）人民政府，市政府各部门、各直属单位：",
                    paragraphs=[f"现将《{title}》印发给你们，请认真贯彻执行。"] + body[:3],
                    cn_numeral_date=lay.name.startswith("nocover-cn"))
        elif base == "order":
            no = rng.randint(1, 160)
            d = Doc("order", "江州市" + title, number=f"江州市人民政府令第{no}号", issuer="江州市人民政府",
                    signed=day, order_title="江州市人民政府令", order_no=f"第{no}号",
                    announcement=f"《江州市{title}》已经{cn_date(day)}市人民政府第{rng.randint(3, 40)}次常务会议"
                                 f"通过，现予公布，自{lay.year}年{rng.randint(5, 12)}月1日起施行。",
                    signer="市长　王　明", paragraphs=body)
        else:
            d = Doc("decision", f"江州市人民政府关于废止{title}的决定", issuer="江州市人民政府", signed=day,
                    paragraphs=[f"经市人民政府研究，决定废止《{title}》。", body[0] if body else "",
                                "本决定自公布之日起施行。"],
                    cn_numeral_date=lay.name.startswith("nocover-cn"))
        if lay.script == "zh-Hant" or kind.endswith("-trad"):
            d = traditional(d)
        docs.append(d)
    return docs


def traditional(d: Doc) -> Doc:
    conv = lambda s: s2t(s) if s else s  # noqa: E731
    return Doc(d.kind, conv(d.title), conv(d.number), conv(d.issuer), d.signed, conv(d.adoption),
               conv(d.addressee), [conv(p) for p in d.paragraphs], conv(d.order_title), conv(d.order_no),
               conv(d.announcement), conv(d.signer), d.cn_numeral_date, "zh-Hant")


# --- layout -------------------------------------------------------------------------------------

def width(text: str, size: float) -> float:
    return sum(size * (0.5 if ord(c) < 0x2000 else 1.0) for c in text)


def wrap(text: str, chars: int) -> list[str]:
    """Break text into lines of at most `chars` full-width characters, no line starting with punctuation."""
    lines, cur = [], ""
    for c in text:
        if width(cur + c, 1) > chars and cur:
            if c in "，。、；：）》”！？":
                cur += c
                continue
            lines.append(cur)
            cur = ""
        cur += c
    if cur:
        lines.append(cur)
    return lines


class Pages:
    def __init__(self):
        self.pages: list[list[Placed]] = [[]]
        self.y = TOP
        self.script = "zh-Hans"

    def new_page(self):
        self.pages.append([])
        self.y = TOP

    def room(self, lines: int) -> bool:
        return self.y + lines * LEAD <= BOTTOM

    def put(self, text: str, size: float, align: str = "left", indent: float = 0.0, lead: float | None = None):
        if not self.room(1):
            self.new_page()
        if align == "centre":
            x = (LEFT + RIGHT - width(text, size)) / 2
        elif align == "right":
            x = RIGHT - BODY * 2 - width(text, size)
        else:
            x = LEFT + indent
        self.pages[-1].append(Placed(text, x, self.y, size, self.script))
        self.y += lead or max(LEAD, size * 1.6)

    def paragraph(self, text: str):
        if text.startswith("§"):
            self.put(text[1:], BODY, "centre")
            return
        chars = int((RIGHT - LEFT) / BODY)
        first = wrap(text, chars - 2)[0]
        self.put(first, BODY, indent=BODY * 2)
        for line in wrap(text[len(first):], chars):
            self.put(line, BODY)


def lay_title(pg: Pages, title: str, chars: int, size: float = 18.0):
    chars = min(chars, int((RIGHT - LEFT) / size) - 2)
    for line in wrap(title, chars):
        pg.put(line, size, "centre", lead=size * 1.45)
    pg.y += 6


def lay_doc(pg: Pages, d: Doc, lay: Layout) -> dict:
    """Lay out one document; returns its truth (first page, body paragraphs as set)."""
    if lay.new_page and pg.pages[-1]:
        pg.new_page()
    elif pg.pages[-1]:
        pg.y += LEAD * 1.5
        if not pg.room(8):
            pg.new_page()
    first_page = len(pg.pages)
    pg.script = d.script
    body: list[str] = []
    if d.kind == "order":
        lay_title(pg, d.order_title, lay.wrap, 20.0)
        pg.put(d.order_no, 14.0, "centre")
        pg.y += 6
        pg.paragraph(d.announcement)
        pg.put(d.signer, BODY, "right")
        date = cn_date(d.signed)
        pg.put(date, BODY, "right")
        body += [d.announcement, d.signer, date]
        pg.y += LEAD
        lay_title(pg, d.title, lay.wrap)
    else:
        lay_title(pg, d.title, lay.wrap)
    if d.number and d.kind != "order":
        pg.put(d.number, BODY, "centre")
    if d.adoption:
        pg.put(d.adoption, BODY, "centre")
        body.append(d.adoption)
    if d.addressee:
        pg.put(d.addressee, BODY)
        body.append(d.addressee)
    for p in d.paragraphs:
        if p:
            pg.paragraph(p)
            body.append(p[1:] if p.startswith("§") else p)
    if d.kind in ("notice", "decision"):
        pg.y += LEAD * 0.5
        date = cn_date(d.signed, d.cn_numeral_date)
        pg.put(d.issuer, BODY, "right")
        pg.put(date, BODY, "right")
        body += [d.issuer, date]
    return {"title": d.title, "doc_number": d.number, "issuer": d.issuer, "signed": d.signed,
            "first_page": first_page, "body": body}


def lay_issue(lay: Layout, docs: list[Doc]) -> tuple[list[list[Placed]], list[dict], list[str]]:
    conv = (lambda s: s2t(s)) if lay.script == "zh-Hant" else (lambda s: s)
    pg = Pages()
    pg.script = lay.script
    truths = []
    if lay.cover != "none":
        pg.y = TOP + 40
        pg.put(conv("江州市人民政府公报"), 30.0, "centre", lead=60)
        issue = f"{lay.year}年第{lay.number}期" + (conv(f"（总第{lay.serial}期）") if lay.serial else "")
        pg.put(issue, 15.0, "centre", lead=30)
        pg.put(conv(f"江州市人民政府办公室编　{cn_date(lay.date)}出版"), 11.0, "centre", lead=50)
        pg.new_page()
    for d in docs:
        truths.append(lay_doc(pg, d, lay))
    pages = pg.pages
    if lay.cover == "toc":
        # The 目录 is written last: it needs the page each document starts on.
        c = Pages()
        c.pages, c.y, c.script = [pages[0]], pages[0][-1].y + 50, lay.script
        c.put(conv("目　　录"), 16.0, "centre", lead=36)
        for d, t in zip(docs, truths):
            lines = wrap(d.title, 32)
            for i, line in enumerate(lines):
                c.put(line, BODY, indent=0 if i == 0 else BODY, lead=19)
            if d.number:
                c.put(f"（{d.number}）", 11.0, indent=BODY, lead=19)
            num = str(t["first_page"])
            c.pages[0].append(Placed(num, RIGHT - width(num, BODY), c.y - 19, BODY, lay.script))
            c.y += 8
    heads = []
    head = conv("江州市人民政府公报") + f"　{lay.year}年第{lay.number}期" + (f"　{cn_date(lay.date)}" if lay.head_date else "")
    for n, page in enumerate(pages):
        if n == 0 and lay.cover != "none":
            continue
        page.insert(0, Placed(head, LEFT, 44.0, 9.0, lay.script))
        page.append(Placed(f"— {n + 1} —", (W - width(f"— {n + 1} —", 9.0)) / 2, H - 52.0, 9.0, lay.script))
        heads += [head, f"— {n + 1} —"]
    return pages, truths, heads


# --- rendering ----------------------------------------------------------------------------------

def render_image_pdf(path: str, pages: list[list[Placed]], lay: Layout) -> None:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont
    scale = lay.dpi / 72
    index = {"zh-Hans": 2, "zh-Hant": 3}   # Noto Serif CJK SC / TC in the collection
    fonts: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}
    rng = random.Random(lay.name)
    images = []
    for page in pages:
        img = Image.new("L", (int(W * scale), int(H * scale)), 250)
        draw = ImageDraw.Draw(img)
        for p in page:
            script = p.script
            key = (script, int(p.size * scale))
            if key not in fonts:
                fonts[key] = _font(index, script, key[1])
            draw.text((p.x * scale, p.y * scale), p.text, font=fonts[key], fill=20)
        if lay.noise:
            for _ in range(400):
                x, y = rng.randrange(img.width), rng.randrange(img.height)
                draw.point((x, y), fill=rng.randint(60, 160))
            for _ in range(12):
                x, y, r = rng.randrange(img.width), rng.randrange(img.height), rng.choice((1, 2, 2, 3))
                draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.randint(80, 170))
        if lay.skew:
            img = img.rotate(lay.skew, resample=Image.BICUBIC, fillcolor=250)
        img = img.filter(ImageFilter.GaussianBlur(0.45 if lay.noise else 0.3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=70 if lay.noise else 85)
        images.append(Image.open(io.BytesIO(buf.getvalue())))
    images[0].save(path, "PDF", save_all=True, append_images=images[1:], resolution=lay.dpi)


def _font(index: dict, script: str, px: int):
    from PIL import ImageFont
    for i in range(8):
        try:
            f = ImageFont.truetype(FONT_PATH, px, index=i)
        except OSError:
            break
        if f.getname()[0].endswith("TC" if script == "zh-Hant" else "SC"):
            return f
    return ImageFont.truetype(FONT_PATH, px, index=index[script])


def render_text_pdf(path: str, pages: list[list[Placed]], lay: Layout) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    for name in PDF_FONTS.values():
        pdfmetrics.registerFont(UnicodeCIDFont(name))
    c = canvas.Canvas(path, pagesize=(W, H), invariant=1)
    for page in pages:
        for p in page:
            c.setFont(PDF_FONTS[p.script], p.size)
            c.drawString(p.x, H - p.y - p.size * 0.88, p.text)
        c.showPage()
    c.save()


def make_corpus(out_dir: str, only: list[str] | None = None) -> dict:
    """Write the layouts' PDFs into out_dir; returns (and writes) the truth."""
    if not os.path.exists(FONT_PATH):
        raise SystemExit(f"找不到字体文件 {FONT_PATH}：请安装 fonts-noto-cjk")
    os.makedirs(out_dir, exist_ok=True)
    texts = source_texts()
    truth = {}
    for lay in LAYOUTS:
        if only and lay.name not in only:
            continue
        rng = random.Random(lay.name)
        docs = make_docs(lay, texts, rng)
        pages, truths, heads = lay_issue(lay, docs)
        path = os.path.join(out_dir, f"{lay.name}.pdf")
        (render_image_pdf if lay.image else render_text_pdf)(path, pages, lay)
        truth[lay.name] = {"file": f"{lay.name}.pdf", "image": lay.image, "pages": len(pages),
                           "issue": {"key": f"{lay.year}-{lay.number:02d}", "year": lay.year,
                                     "number": lay.number, "serial": lay.serial, "date": lay.date},
                           "documents": truths, "chars": "".join(p.text for page in pages for p in page)}
    with open(os.path.join(out_dir, "truth.json"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)
    return truth


def main() -> int:
    ap = argparse.ArgumentParser(description="生成多种版式的扫描公报测试语料（PDF 与标准答案 truth.json）")
    ap.add_argument("out", help="输出目录")
    ap.add_argument("--only", action="append", metavar="NAME", help="只生成这种版式（可重复）")
    args = ap.parse_args()
    truth = make_corpus(args.out, args.only)
    for name, t in truth.items():
        print(f"{name}\t{t['pages']} 页\t{len(t['documents'])} 件\t{'图像' if t['image'] else '文字层'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
