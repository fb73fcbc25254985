"""OCR of page images with Tesseract (`chi_sim` and `chi_tra`), run as a subprocess.

`TesseractOCR` is the one concrete engine; the PDF reader only needs `.read_layout(image)`, the
page's lines with their boxes and word confidences (Tesseract's TSV output).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from ..textrules import CLOSE_CLASS, OPEN_CLASS
from .layout import Line, PageLayout

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SPACE_CJK_ASCII = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])[ \t]+(?=[{_CJK}])")


class OCRError(RuntimeError):
    pass


_HALF_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_PUNCT_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s*([,:;?!()])|([,:;?!()])\s*(?=[{_CJK}])")
# Brackets around Chinese text are full-width in print; Tesseract reads them as ASCII.
_ASCII_PARENS_CJK = re.compile(r"\(([^()\n]*[\u4e00-\u9fff][^()\n]*)\)")
# 国办发 (2020] 17号 → 国办发〔2020〕17号: the brackets of a document number are often misread.
_NUMBER_BRACKETS = re.compile(rf"([\u4e00-\u9fff])\s*[{OPEN_CLASS}]\s*((?:19|20)\d{{2}})\s*[{CLOSE_CLASS}]\s*(\d+)\s*([号號])")


# A digit 1 misread as a bracket or bar inside a date (`2018年]月12日`).
_DATE_ONE = re.compile(r"(?<=[年月])\s*[\]|lI]\s*(?=\d?[月日])")
# Quote marks with nothing to quote: specks read as ” after a gap (`第一条 ”为了`).
_STRAY_QUOTE = re.compile(r"(?:(?<=\s)|^)[”“\"']\s*(?=[\u4e00-\u9fff\d])")
_PAIRS = {"《": "》", "〈": "〉", "【": "】"}


# A year in Chinese numerals with 〇 read as the letter O, a zero, or two of them (二OO一七年).
_CN_YEAR = re.compile(r"(?<![一二三四五六七八九〇Oo0Ｏ○])([一二三四五六七八九〇Oo0Ｏ○]{4,6})(?=\s*年)")
# A bracket or bar left between a number and its unit (`2021]年`, `第11] 期`).
_STRAY_MARK = re.compile(r"(?<=\d)\s*[\]|]\s*(?=[年月日号號期])")
# An opening bracket read twice (`〈（2021年…`).
_DOUBLE_OPEN = re.compile(r"[《〈【]\s*(?=[（(])")


def _cn_year(m: re.Match) -> str:
    digits = re.sub(r"[Oo0Ｏ○]", "〇", m.group(1))
    if not re.search(r"[一二三四五六七八九]", digits):
        return m.group(1)
    while len(digits) > 4 and "〇〇" in digits:
        digits = digits.replace("〇〇", "〇", 1)
    return digits if len(digits) == 4 else m.group(1)


def _repair_line(line: str) -> str:
    """Fix what Tesseract typically misreads on a line: 1 and 〇 in dates, stray quotes, and an
    opening bracket read as 《 or 〈 where the line closes it with ）."""
    line = _DATE_ONE.sub("1", line)
    line = _STRAY_MARK.sub("", line)
    line = _CN_YEAR.sub(_cn_year, line)
    if "》" not in line and "〉" not in line:
        line = _DOUBLE_OPEN.sub("", line)
    if line.count("“") + line.count("”") == 1 or '"' in line:
        line = _STRAY_QUOTE.sub("", line)
    for opening, closing in _PAIRS.items():
        i = line.find(opening)
        while i >= 0:
            rest = line[i + 1:]
            close = min((rest.find(c) for c in "）)" if rest.find(c) >= 0), default=-1)
            mate = rest.find(closing)
            if close >= 0 and (mate < 0 or mate > close) and opening + "（" not in line[i:i + 2]:
                line = line[:i] + "（" + rest
            i = line.find(opening, i + 1)
    return line


def tidy(text: str) -> str:
    """Tesseract puts spaces between Chinese characters and reads full-width punctuation as ASCII."""
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _SPACE_CJK_ASCII.sub("", text)
    text = _ASCII_PARENS_CJK.sub(r"（\1）", text)
    text = _PUNCT_NEAR_CJK.sub(lambda m: _HALF_PUNCT[m.group(1) or m.group(2)], text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _NUMBER_BRACKETS.sub(r"\1〔\2〕\3\4", text)
    lines = [_repair_line(l.strip()) for l in text.replace("\f", "\n").split("\n")]
    out, blank = [], False
    for l in lines:
        if l:
            out.append(l)
            blank = False
        elif not blank and out:
            out.append("")
            blank = True
    return "\n".join(out).strip()


def deskew_angle(image, limit: float = 3.0, step: float = 0.25) -> float:
    """The rotation (degrees) that makes text lines horizontal: the angle whose row profile is sharpest.

    A page scanned a little askew merges neighbouring lines in Tesseract's layout; straightened
    first, its line boxes, heights and margins are those of the printed page again."""
    from PIL import Image, ImageOps
    small = ImageOps.invert(image.convert("L"))
    small.thumbnail((500, 700))
    small = small.point(lambda v: 255 if v > 96 else 0)
    best, best_score = 0.0, -1.0
    n = int(limit / step)
    for k in range(-n, n + 1):
        angle = k * step
        rotated = small.rotate(angle, resample=Image.NEAREST, fillcolor=0)
        w, h = rotated.size
        data = rotated.tobytes()
        rows = [data[y * w:(y + 1) * w].count(255) for y in range(h)]
        score = sum((rows[i + 1] - rows[i]) ** 2 for i in range(h - 1))
        if score > best_score:
            best, best_score = angle, score
    return best


class TesseractOCR:
    """Tesseract CLI. One page per call; single-threaded so a process pool can use every core."""

    def __init__(self, dpi: int = 300, psm: int = 6, binary: str | None = None):
        self.dpi, self.psm = dpi, psm
        self.binary = binary or shutil.which("tesseract")

    def available(self) -> bool:
        return bool(self.binary)

    def _run(self, image_path: str, lang: str) -> tuple[list[Line], float]:
        """(lines with boxes in points, mean word confidence) of one image with one language model."""
        if not self.binary:
            raise OCRError("未找到 tesseract（请安装 tesseract-ocr、tesseract-ocr-chi-sim、tesseract-ocr-chi-tra）")
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        proc = subprocess.run([self.binary, image_path, "stdout", "-l", lang, "--psm", str(self.psm),
                               "--dpi", str(self.dpi), "tsv"],
                              capture_output=True, env=env, timeout=600)
        if proc.returncode != 0:
            raise OCRError(f"tesseract 失败：{proc.stderr.decode('utf-8', 'replace').strip()[-300:]}")
        return lines_from_tsv(proc.stdout.decode("utf-8", "replace"), 72 / self.dpi)

    def read_layout(self, image) -> PageLayout:
        """The page's lines, read with whichever of chi_sim / chi_tra is more confident.

        Each model alone reads its own script better than the mixed `chi_sim+chi_tra` model.
        Both run on every page: chi_sim reads a Traditional page as Simplified characters with
        high confidence, so a page cannot safely be given one model from its neighbours.
        """
        angle = deskew_angle(image)
        if abs(angle) >= 0.25:
            image = image.convert("L").rotate(angle, resample=3, fillcolor=255)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "page.png")
            image.save(path)
            results = [self._run(path, lang) for lang in ("chi_sim", "chi_tra")]
        lines = max(results, key=lambda r: r[1])[0]
        scale = 72 / self.dpi
        return PageLayout(width=image.width * scale, height=image.height * scale, lines=lines, ocr=True)

    def read(self, image) -> str:
        """Text of a PIL image (see `read_layout`)."""
        return self.read_layout(image).text


def lines_from_tsv(tsv: str, scale: float) -> tuple[list[Line], float]:
    """Tesseract TSV → lines (box of the line, its words' text tidied, char-weighted confidence)."""
    boxes: dict[tuple, tuple[int, int, int, int]] = {}
    words: dict[tuple, list[tuple[str, float]]] = {}
    order: list[tuple] = []
    for row in tsv.split("\n")[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        if cols[0] == "4":
            boxes[key] = (int(cols[6]), int(cols[7]), int(cols[8]), int(cols[9]))
        elif cols[0] == "5" and cols[11].strip():
            if key not in words:
                words[key] = []
                order.append(key)
            words[key].append((cols[11], float(cols[10])))
    lines, total, weight = [], 0.0, 0
    for key in order:
        text = tidy(" ".join(w for w, _ in words[key]))
        if not text:
            continue
        confs = [(c, len(w)) for w, c in words[key] if c >= 0]
        n = sum(k for _, k in confs)
        conf = sum(c * k for c, k in confs) / n if n else None
        if conf is not None:
            total += conf * n
            weight += n
        left, top, width, height = boxes.get(key, (0, 0, 0, 0))
        lines.append(Line(text, left * scale, top * scale, (left + width) * scale, (top + height) * scale,
                          height * scale, conf))
    return lines, (total / weight if weight else 0.0)


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
