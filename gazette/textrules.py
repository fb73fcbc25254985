"""Text rules shared by the archive, publishing and the importer, each written once: full-width
digits, the brackets a document number's year is written in, and one spelling for a number.

(Search tokens and the browser's copies of these rules live in gazette/search.)
"""

from __future__ import annotations

import re

# ０-９ → 0-9.
FULLWIDTH_DIGITS: dict[int, str] = {0xFF10 + i: str(i) for i in range(10)}
# The same plus the full-width punctuation of dates and times (２０１７．１．６, １２：３０).
FULLWIDTH_DATE_CHARS: dict[int, str] = {**FULLWIDTH_DIGITS, ord("："): ":", ord("／"): "/", ord("．"): ".",
                                         ord("－"): "-"}

# The brackets around a document number's year: 〔2017〕 as prescribed, and what people type instead.
OPEN_BRACKETS = "〔[［(（【｛{"
CLOSE_BRACKETS = "〕]］)）】｝}"
# As regular-expression character classes (without the square brackets around them).
OPEN_CLASS = re.escape(OPEN_BRACKETS)
CLOSE_CLASS = re.escape(CLOSE_BRACKETS)

_NUMBER_FOLD = {**{ord(c): "[" for c in OPEN_BRACKETS}, **{ord(c): "]" for c in CLOSE_BRACKETS}, **FULLWIDTH_DIGITS}

# 临政规〔2023〕3号, 國辦發[2017]21號, 环办(2017)第21号 …: issuer code, year, serial number.
DOC_NUMBER = re.compile(rf"^\s*(?P<code>[^{OPEN_CLASS}\s]+?)\s*[{OPEN_CLASS}]\s*(?P<year>\d{{4}})\s*[{CLOSE_CLASS}]\s*"
                        r"第?\s*(?P<number>\d+)\s*[号號]?\s*$")
_SERIAL = re.compile(r"(\d+)\s*[号號]")


def halfwidth_digits(text: str) -> str:
    """０-９ as 0-9."""
    return text.translate(FULLWIDTH_DIGITS)


def normalise_doc_number(number: str) -> str:
    """One spelling for a document number: its brackets as [], full-width digits as ASCII, spaces
    dropped, Traditional characters folded to Simplified (國辦發［２０１７］21號 = 国办发[2017]21号)."""
    from .chinese import fold

    return re.sub(r"\s+", "", fold(number.translate(_NUMBER_FOLD)))


def doc_number_parts(number: str | None) -> tuple[str, str, str] | None:
    """(issuer code as written, year, serial without leading zeros) of a number shaped like
    临政规〔2023〕3号, or None."""
    m = DOC_NUMBER.match(halfwidth_digits(number or ""))
    if not m:
        return None
    return m.group("code"), m.group("year"), str(int(m.group("number")))


def doc_number_serial(number: str | None) -> str | None:
    """The digits before 号 in a document number, full-width read as ASCII (临政规〔2023〕３号 → '3'), or None."""
    m = _SERIAL.search(halfwidth_digits(number or ""))
    return m.group(1) if m else None
