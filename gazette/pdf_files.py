"""Opening a PDF with pypdfium2, with an error a person can act on: in Chinese, naming the file."""

from __future__ import annotations

# PDFium's own reasons (FPDF_GetLastError, as pypdfium2 words them) in the user's language.
_REASONS = {
    "file access": "文件不存在或无法读取",
    "data format": "文件已损坏或不是 PDF",
    "password": "文件有密码保护",
    "security": "文件使用了不支持的加密方式",
    "page not found": "页面缺失或内容损坏",
}


class PdfError(Exception):
    """A PDF that PDFium cannot open or read; the message is for people (Chinese, file named)."""


def pdf_reason(error: Exception) -> str:
    """What went wrong with a PDF, in Chinese (PDFium's English words only when unknown)."""
    if isinstance(error, FileNotFoundError):
        return _REASONS["file access"]
    text = str(error).lower()
    for key, reason in _REASONS.items():
        if key in text:
            return reason
    return f"PDFium 无法处理（{error}）"


def pdf_problem(path: str, error: Exception) -> str:
    """The message for `error` met while reading the PDF at `path`."""
    if isinstance(error, PdfError):
        return str(error)
    return f"{path}：无法读取 PDF：{pdf_reason(error)}"


def failure(where: str, error: Exception) -> str:
    """Why making something from the PDF at `where` failed: PDFium's errors in Chinese, others as raised."""
    if isinstance(error, (PdfError, FileNotFoundError)) or type(error).__module__.startswith("pypdfium2"):
        return pdf_problem(where, error)
    return f"{where}：{type(error).__name__}: {error}"


def open_pdf(path):
    """pypdfium2's PdfDocument for `path` (a file name or a binary stream); PdfError when it cannot."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(path)
    except (pdfium.PdfiumError, OSError) as e:
        raise PdfError(pdf_problem(path if isinstance(path, str) else "（内存中的 PDF）", e)) from None
