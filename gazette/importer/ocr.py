"""OCR of page images with Tesseract (`chi_sim` and `chi_tra`), run as a subprocess.

`TesseractOCR` is the one concrete engine; the PDF reader only needs `.read(image) -> text`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from ..textrules import CLOSE_CLASS, OPEN_CLASS

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SPACE_CJK_ASCII = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])[ \t]+(?=[{_CJK}])")


class OCRError(RuntimeError):
    pass


_HALF_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s*([,:;?!])|([,:;?!])\s*(?=[{_CJK}])")
# 国办发 (2020] 17号 → 国办发〔2020〕17号: the brackets of a document number are often misread.
_NUMBER_BRACKETS = re.compile(rf"([\u4e00-\u9fff])\s*[{OPEN_CLASS}]\s*((?:19|20)\d{{2}})\s*[{CLOSE_CLASS}]\s*(\d+)\s*([号號])")


def tidy(text: str) -> str:
    """Tesseract puts spaces between Chinese characters and reads full-width punctuation as ASCII."""
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _SPACE_CJK_ASCII.sub("", text)
    text = _PUNCT_NEAR_CJK.sub(lambda m: _HALF_PUNCT[m.group(1) or m.group(2)], text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _NUMBER_BRACKETS.sub(r"\1〔\2〕\3\4", text)
    lines = [l.strip() for l in text.replace("\f", "\n").split("\n")]
    out, blank = [], False
    for l in lines:
        if l:
            out.append(l)
            blank = False
        elif not blank and out:
            out.append("")
            blank = True
    return "\n".join(out).strip()


class TesseractOCR:
    """Tesseract CLI. One page per call; single-threaded so a process pool can use every core."""

    def __init__(self, dpi: int = 300, psm: int = 6, binary: str | None = None):
        self.dpi, self.psm = dpi, psm
        self.binary = binary or shutil.which("tesseract")

    def available(self) -> bool:
        return bool(self.binary)

    def _run(self, image_path: str, lang: str) -> tuple[str, float]:
        """(text, mean word confidence) of one image with one language model."""
        if not self.binary:
            raise OCRError("未找到 tesseract（请安装 tesseract-ocr、tesseract-ocr-chi-sim、tesseract-ocr-chi-tra）")
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        proc = subprocess.run([self.binary, image_path, "stdout", "-l", lang, "--psm", str(self.psm),
                               "--dpi", str(self.dpi), "tsv"],
                              capture_output=True, env=env, timeout=600)
        if proc.returncode != 0:
            raise OCRError(f"tesseract 失败：{proc.stderr.decode('utf-8', 'replace').strip()[-300:]}")
        lines: dict[tuple, list[str]] = {}
        paragraphs: list[tuple] = []
        total, weight = 0.0, 0
        for row in proc.stdout.decode("utf-8", "replace").split("\n")[1:]:
            cols = row.split("\t")
            if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
                continue
            key = (int(cols[2]), int(cols[3]), int(cols[4]))
            if key not in lines:
                lines[key] = []
                paragraphs.append(key)
            lines[key].append(cols[11])
            conf = float(cols[10])
            if conf >= 0:
                total += conf * len(cols[11])
                weight += len(cols[11])
        out, last_par = [], None
        for key in paragraphs:
            if last_par is not None and key[:2] != last_par:
                out.append("")
            out.append(" ".join(lines[key]))
            last_par = key[:2]
        return tidy("\n".join(out)), (total / weight if weight else 0.0)

    def read(self, image) -> str:
        """Text of a PIL image, read with whichever of chi_sim / chi_tra is more confident.

        Each model alone reads its own script better than the mixed `chi_sim+chi_tra` model.
        Both run on every page: chi_sim reads a Traditional page as Simplified characters with
        high confidence, so a page cannot safely be given one model from its neighbours.
        """
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "page.png")
            image.save(path)
            results = [self._run(path, lang) for lang in ("chi_sim", "chi_tra")]
            return max(results, key=lambda r: r[1])[0]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (characters)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def char_accuracy(expected: str, got: str) -> float:
    """1 − edit distance / length of the expected text, whitespace ignored."""
    e = "".join(expected.split())
    g = "".join(got.split())
    if not e:
        return 1.0 if not g else 0.0
    return max(0.0, 1 - edit_distance(e, g) / len(e))
