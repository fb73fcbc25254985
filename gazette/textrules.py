"""Text rules shared by the archive, publishing and the importer, each written once: full-width
digits, the brackets a document number's year is written in, and one spelling for a number.

(Search tokens and the browser's copies of these rules live in gazette/search.)
"""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=1 << 17)  # each document's number, looked up by every index of the archive
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
    # Leading zeros dropped as text: a number of any length (5,000 digits) is no integer to convert.
    return m.group("code"), m.group("year"), m.group("number").lstrip("0") or "0"


def doc_number_serial(number: str | None) -> str | None:
    """The digits before 号 in a document number, full-width read as ASCII (临政规〔2023〕３号 → '3'), or None."""
    m = _SERIAL.search(halfwidth_digits(number or ""))
    return m.group(1) if m else None


# -- numbers written in Chinese numerals --------------------------------------------------------

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "◯": 0, "Ｏ": 0, "O": 0, "o": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMERALS = "〇零○Ｏ一二三四五六七八九十百千"
# A serial in Arabic or Chinese numerals (第656号, 第三十号), as a regular expression.
CN_NUMBER = rf"[\d{CN_NUMERALS}]+"


def chinese_number(s: str) -> int | None:
    """二〇一七 → 2017 (digit by digit); 十二 → 12; 二十一 → 21; 三十 → 30; 一百零五 → 105; 一千零一十 →
    1010; 656 → 656.
    None for anything longer than a serial can be (a 5,000-digit "number" is no number)."""
    if not s or len(s) > 18:
        return None
    s = halfwidth_digits(s)
    if s.isdigit():
        return int(s)
    if "十" not in s and "百" not in s and "千" not in s:
        try:
            return int("".join(str(CN_DIGITS[c]) for c in s))
        except KeyError:
            return None
    total, cur = 0, 0
    for c in s:
        if c in CN_DIGITS:
            cur = CN_DIGITS[c]
        elif c == "十":
            total += (cur or 1) * 10
            cur = 0
        elif c == "百":
            total += (cur or 1) * 100
            cur = 0
        elif c == "千":
            total += (cur or 1) * 1000
            cur = 0
        else:
            return None
    return total + cur


_CN_WRITE = "〇一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一, 105 → 一百零五, 1010 → 一千零一十 (as 第N期 is written);
    chinese_number reads each back."""
    if n < 10:
        return _CN_WRITE[n]
    if n >= 10000:
        return chinese_digits(n)
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d:
            out += ("零" if zero and out else "") + ("" if (unit == "十" and d == 1 and not out) else _CN_WRITE[d]) + unit
            zero = False
        else:
            zero = True
    return out


def chinese_digits(n: int) -> str:
    """2024 → 二〇二四: digit by digit, as a year is written."""
    return "".join(_CN_WRITE[int(c)] for c in str(n))


# -- document numbers in running text -----------------------------------------------------------

# 国发〔2016〕8号, 環辦廳函[2017]21號, 京政发〔2020〕第3号
_BRACKET_TAIL = rf"[{OPEN_CLASS}]\s*(?:19|20)\d{{2}}\s*[{CLOSE_CLASS}]\s*第?\s*\d+\s*[号號]"
_BRACKET_ISSUER = 10  # at most this many CJK characters before the bracket
DOC_NUMBER_BRACKET = re.compile(rf"[\u4e00-\u9fff]{{1,{_BRACKET_ISSUER}}}" + _BRACKET_TAIL)
# 中华人民共和国国务院令第656号, 财政部令第5号, 中华人民共和国主席令第三十号, 临澜市人民政府令第6号
# (a closing bracket only after an opening one: in （临澜市人民政府令第3号） the bracket is the sentence's)
DOC_NUMBER_ORDER = re.compile(rf"(?P<code>[\u4e00-\u9fff]{{2,24}}令)\s*(?P<open>[（(])?\s*第\s*(?P<number>{CN_NUMBER})\s*[号號]"
                              r"(?(open)[）)])")
# 国家税务总局公告2018年第31号
DOC_NUMBER_NOTICE = re.compile(rf"[\u4e00-\u9fff]{{2,20}}公告\s*(?:19|20)\d{{2}}\s*年\s*第\s*\d+\s*[号號]")
# 府交路字第1100012345號, 院臺規字第1080123456號 (Taiwan: organ + 字第 + serial)
DOC_NUMBER_SERIAL = re.compile(r"[\u4e00-\u9fff]{1,12}字第\s*\d{4,13}\s*[号號]")
DOC_NUMBERS = (DOC_NUMBER_BRACKET, DOC_NUMBER_ORDER, DOC_NUMBER_NOTICE, DOC_NUMBER_SERIAL)
# What the last three cannot match without (searched for first: a cheap scan of the text).
_DOC_NUMBER_NEEDS = (re.compile(r"令\s*[（(]?\s*第"), re.compile("公告"), re.compile("字第"))
_BRACKET_TAIL_RX = re.compile(_BRACKET_TAIL)

# Words that can precede a number inside a sentence but are not part of it.
_LEADING_NOISE = re.compile(r"^(?:根据|依据|按照|经|以|和|及|与|并|的|为|于|是|由|即|见|(?:\d{1,2}月\d{1,2}日)|[^\u4e00-\u9fff]+)+")


def find_doc_numbers(text: str) -> list[tuple[int, str]]:
    """Document numbers in `text` as (offset, number as printed), cleaned of leading sentence words."""
    from .chinese import fold

    t = text.translate(FULLWIDTH_DATE_CHARS)
    out = []
    spans = list(_bracket_spans(t))
    for rx, needed in zip(DOC_NUMBERS[1:], _DOC_NUMBER_NEEDS):
        if needed.search(t):  # each pattern tries every CJK character as a start: most texts lack what it needs
            spans += (m.span() for m in rx.finditer(t))
    for start, end in spans:
        raw = text[start:end]
        lead = _LEADING_NOISE.match(fold(raw))
        cut = lead.end() if lead else 0
        out.append((start + cut, raw[cut:].strip()))
    out.sort()
    return out


def _bracket_spans(t: str):
    """The spans `DOC_NUMBER_BRACKET.finditer(t)` gives, found from the bracket: that pattern tries each
    CJK character as the start of an issuer, a tenth of a second for a long law."""
    done = 0  # matches do not overlap: an issuer starts after the previous number
    for m in _BRACKET_TAIL_RX.finditer(t):
        bracket = start = m.start()
        while start > max(done, bracket - _BRACKET_ISSUER) and "\u4e00" <= t[start - 1] <= "\u9fff":
            start -= 1
        if start < bracket:
            yield start, m.end()
            done = m.end()


def order_number_parts(number: str | None) -> tuple[str, str] | None:
    """(issuer's order as written, serial) of an order's number (临澜市人民政府令第6号 → ('临澜市人民政府令',
    '6'); 主席令第三十号 → ('主席令', '30')), or None for any other shape."""
    m = DOC_NUMBER_ORDER.fullmatch(halfwidth_digits((number or "").strip()))
    serial = chinese_number(m.group("number")) if m else None
    return (m.group("code"), str(serial)) if serial else None
