"""OCR of page images with Tesseract (`chi_sim` and `chi_tra`), run as a subprocess.

`TesseractOCR` is the one concrete engine; the PDF reader only needs `.read(image) -> text`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

from ..chinese import detect_script

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")
_SPACE_CJK_ASCII = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[0-9A-Za-z])|(?<=[0-9A-Za-z])[ \t]+(?=[{_CJK}])")


class OCRError(RuntimeError):
    pass


def tidy(text: str) -> str:
    """Tesseract puts spaces between Chinese characters; remove them and blank runs."""
    text = _SPACE_BETWEEN_CJK.sub("", text)
    text = _SPACE_CJK_ASCII.sub("", text)
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

    def _run(self, image_path: str, lang: str) -> str:
        if not self.binary:
            raise OCRError("未找到 tesseract（请安装 tesseract-ocr、tesseract-ocr-chi-sim、tesseract-ocr-chi-tra）")
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        proc = subprocess.run([self.binary, image_path, "stdout", "-l", lang, "--psm", str(self.psm),
                               "--dpi", str(self.dpi), "-c", "preserve_interword_spaces=1"],
                              capture_output=True, env=env, timeout=600)
        if proc.returncode != 0:
            raise OCRError(f"tesseract 失败：{proc.stderr.decode('utf-8', 'replace').strip()[-300:]}")
        return tidy(proc.stdout.decode("utf-8", "replace"))

    def read(self, image) -> str:
        """Text of a PIL image. A first pass with both scripts decides which model reads the page."""
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "page.png")
            image.save(path)
            first = self._run(path, "chi_sim+chi_tra")
            # Each model alone is more accurate on its own script than the mixed pass.
            lang = "chi_tra" if detect_script(first) == "zh-Hant" else "chi_sim"
            return self._run(path, lang)


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
