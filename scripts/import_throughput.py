"""Import throughput on this machine: documents/s for text sources, pages/s for PDFs.

Three runs, each into a fresh temporary folder, with `--jobs` worker processes (default:
all cores):
  1. text sources: the LawRefBook collection (skipped when absent);
  2. text-layer PDFs: generated issues with a Chinese CID-font text layer;
  3. image-only PDFs: the same pages drawn as images (Simplified and Traditional), so every
     page goes through Tesseract.

    .venv/bin/python scripts/import_throughput.py [--jobs 2] [--pdf-pages 40] [--ocr-pages 8]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from gazette.chinese import s2t  # noqa: E402
from gazette.importer.batch import run_import  # noqa: E402
from test_import_pdf import COVER, DECISION, NOTICE, image_pdf, text_pdf  # noqa: E402

CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "lawrefbook"))


def timed_import(sources: list[str], jobs: int) -> tuple[float, object]:
    into = tempfile.mkdtemp(prefix="gazette-tp-")
    try:
        t0 = time.perf_counter()
        report = run_import(sources, into, jobs=jobs)
        return time.perf_counter() - t0, report
    finally:
        shutil.rmtree(into)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--pdf-pages", type=int, default=40, help="pages of text-layer PDF (in 10-page issues)")
    ap.add_argument("--ocr-pages", type=int, default=8, help="pages of image-only PDF (in 2-page issues)")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}, worker processes: {args.jobs}")

    if os.path.isdir(CORPUS):
        secs, report = timed_import([CORPUS], args.jobs)
        n = len(report.results)
        print(f"text sources: {n} documents in {secs:.2f} s = {n / secs:.0f} documents/s")
    else:
        print(f"text sources: skipped ({CORPUS} not found)")

    tmp = tempfile.mkdtemp(prefix="gazette-tp-src-")
    try:
        pages = [COVER] + [NOTICE, DECISION] * 5
        pdf_dir = os.path.join(tmp, "pdf")
        os.makedirs(pdf_dir)
        for i in range(max(1, args.pdf_pages // 10)):
            text_pdf(os.path.join(pdf_dir, f"2020-{i + 1:02d}.pdf"), pages[:10])
        secs, report = timed_import([pdf_dir], args.jobs)
        n = report.figures["pdf_pages"]
        print(f"text-layer PDF: {n} pages in {secs:.2f} s = {n / secs:.1f} pages/s")

        ocr_dir = os.path.join(tmp, "ocr")
        os.makedirs(ocr_dir)
        for i in range(max(1, args.ocr_pages // 2)):
            image_pdf(os.path.join(ocr_dir, f"2021-{i + 1:02d}.pdf"), [COVER + NOTICE, [s2t(p) for p in DECISION]],
                      font_index=2 + i % 2)
        secs, report = timed_import([ocr_dir], args.jobs)
        n = report.figures["ocr_pages"]
        print(f"OCR (image-only PDF, chi_sim and chi_tra): {n} pages in {secs:.2f} s = {n / secs:.2f} pages/s")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
