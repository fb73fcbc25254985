"""Compare PDF text-layer extractors on Chinese text: accuracy and speed.

Makes test PDFs from known Chinese text (Simplified and Traditional) two ways — reportlab
with a standard CID font (how many office tools write Chinese) and Chromium's print-to-PDF
with embedded Noto CJK subsets — then extracts them with each library and prints character
accuracy (1 - edit distance / length, whitespace ignored) and pages per second.

    .venv/bin/python scripts/pdf_text_libs.py [--pages 20]
"""

from __future__ import annotations

import argparse
import glob
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from gazette.chinese import s2t  # noqa: E402
from gazette.importer.ocr import char_accuracy  # noqa: E402

CORPUS = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "corpus", "lawrefbook")
FALLBACK = ("第一条 为了规范政府信息公开工作，保障公民、法人和其他组织依法获取政府信息，提高政府工作的透明度，"
            "建设法治政府，充分发挥政府信息对人民群众生产、生活和经济社会活动的服务作用，制定本条例。") * 6


def sample_pages(n: int) -> list[str]:
    texts = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "行政法规", "*.md")))[:n]:
        with open(path, encoding="utf-8") as f:
            body = f.read().split("<!-- INFO END -->")[-1]
        texts.append("".join(body.split())[:600])
    while len(texts) < n:
        texts.append(FALLBACK[:600])
    # Every other page in Traditional characters.
    return [t if i % 2 == 0 else s2t(t) for i, t in enumerate(texts)]


def pdf_reportlab(pages: list[str], path: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(path, pagesize=A4)
    for text in pages:
        c.setFont("STSong-Light", 12)
        y = 800
        for i in range(0, len(text), 40):
            c.drawString(40, y, text[i:i + 40])
            y -= 18
        c.showPage()
    c.save()


def pdf_chromium(pages: list[str], path: str) -> bool:
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not exe:
        return False
    html = "".join(f'<div style="page-break-after:always;font:14px \'Noto Sans CJK SC\'">{t}</div>' for t in pages)
    with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False, encoding="utf-8") as f:
        f.write(f"<html><meta charset='utf-8'><body>{html}</body></html>")
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={path}",
                    "--no-pdf-header-footer", f.name], capture_output=True, timeout=120)
    os.unlink(f.name)
    return os.path.exists(path)


def ex_pdfium(path):
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument(path)
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def ex_pdfplumber(path):
    import pdfplumber
    with pdfplumber.open(path) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def ex_pdfminer(path):
    from pdfminer.high_level import extract_text
    return extract_text(path).split("\f")


def ex_pypdf(path):
    import pypdf
    return [p.extract_text() or "" for p in pypdf.PdfReader(path).pages]


EXTRACTORS = {"pypdfium2": ex_pdfium, "pdfplumber": ex_pdfplumber, "pdfminer.six": ex_pdfminer, "pypdf": ex_pypdf}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=20)
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # pdfminer complains about every CID font it meets
    pages = sample_pages(args.pages)
    tmp = tempfile.mkdtemp()
    pdfs = {}
    pdf_reportlab(pages, os.path.join(tmp, "reportlab.pdf"))
    pdfs["reportlab CID"] = os.path.join(tmp, "reportlab.pdf")
    if pdf_chromium(pages, os.path.join(tmp, "chromium.pdf")):
        pdfs["chromium Noto"] = os.path.join(tmp, "chromium.pdf")
    print(f"{'PDF':15} {'library':13} {'accuracy':>9} {'pages/s':>9}")
    for label, path in pdfs.items():
        for name, fn in EXTRACTORS.items():
            try:
                t0 = time.perf_counter()
                out = fn(path)
                secs = time.perf_counter() - t0
            except Exception as e:  # a missing optional library
                print(f"{label:15} {name:13} {'error':>9} {type(e).__name__}")
                continue
            out = (list(out) + [""] * len(pages))[:len(pages)]
            acc = sum(char_accuracy(w, g) for w, g in zip(pages, out)) / len(pages)
            print(f"{label:15} {name:13} {acc:9.4f} {len(pages) / secs:9.1f}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
