"""Metadata recognised from a document's text: title, number, issuer, dates, script.

Pure functions over lines of text. Anything not found is returned as None and listed by
the caller; nothing is guessed from outside the text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..chinese import detect_script, fold
from ..textrules import CLOSE_CLASS, FULLWIDTH_DATE_CHARS, OPEN_CLASS
from ..textrules import CN_NUMBER as _NUM
from ..textrules import chinese_number as _cn_number
# Document numbers in running text: one rule for the importer, the archive and the citation links.
from ..textrules import (DOC_NUMBER_BRACKET, DOC_NUMBER_NOTICE, DOC_NUMBER_ORDER, DOC_NUMBER_SERIAL,  # noqa: F401
                         DOC_NUMBERS, find_doc_numbers)

_FULLWIDTH = FULLWIDTH_DATE_CHARS

# Arabic, Chinese-numeral and ISO-style dates.
DATE_AR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_CN = re.compile(r"([〇零○◯ＯO一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
DATE_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
# Taiwan's official calendar: 中華民國110年3月5日 = 2021-03-05 (year + 1911).
DATE_ROC = re.compile(r"(?:中[華华]民[國国]|民[國国])\s*(\d{2,3})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")

_OPEN = OPEN_CLASS
_CLOSE = CLOSE_CLASS

# An issuing body: ends with the word for an organ.
ORGAN = re.compile(r"^[\u4e00-\u9fff（）()]{2,40}(?:部|厅|局|委员会|委|政府|办公室|办公厅|院|署|银行|会|总局|中心|司|处|所|法院|检察院|公司|集团|协会|联合会|小组|办)$")

# Number prefix -> issuing body, for the common central-government prefixes (Simplified, folded).
NUMBER_PREFIX_ISSUER = {
    "国发": "国务院", "国函": "国务院", "国令": "国务院",
    "国办发": "国务院办公厅", "国办函": "国务院办公厅", "国办发明电": "国务院办公厅",
    "环发": "环境保护部", "环办": "环境保护部办公厅", "环办厅函": "环境保护部办公厅",
    "环办函": "环境保护部办公厅", "财税": "财政部", "财预": "财政部",
    "劳社部发": "劳动和社会保障部", "人社部发": "人力资源和社会保障部",
    "中发": "中共中央", "中办发": "中共中央办公厅",
}

# A stray mark an OCR engine leaves between the number and 期 (`2018年第11] 期`) is tolerated.
_ISSUE_NO = re.compile(r"((?:19|20)\d{2})\s*年\s*第\s*(\d{1,3})[\s\]|)）]{0,2}[期号號]")
_SERIAL = re.compile(r"[总總]\s*第\s*(\d{1,5})[\s\]|)）]{0,2}[期号號]")

# Labelled fields on portal pages and information tables (matched on the folded text, spaces removed).
LABELS = {
    "title": ("标题", "名称", "文件名称", "中文名", "文件标题", "信息名称"),
    "doc_number": ("文号", "发文字号", "发文文号", "文件编号", "发文号"),
    "issuer": ("发文机关", "发布机关", "发布单位", "发文单位", "制定机关", "发布机构", "发文机构", "成文机关"),
    "signed": ("成文日期", "签发日期", "印发日期", "成文时间", "签署日期", "生成日期"),
    "date": ("发布日期", "公布日期", "发布时间", "公开日期", "发文日期", "公开时间", "发布于"),
    "index_no": ("索引号", "索取号", "索引编号"),
    "category": ("主题分类", "主题词分类"),
    "effective": ("施行日期", "实施日期", "生效日期"),
}
# Labels of tables that ARE a document's text (the national 行政处罚信息公开表): read, never removed.
IN_TEXT_LABELS = {
    "doc_number": ("行政处罚决定书文号", "处罚决定书文号", "决定书文号"),
    "issuer": ("作出处罚决定的机关名称", "作出处罚决定的机关", "处罚机关", "作出决定机关"),
    "signed": ("作出处罚决定的日期", "处罚决定日期", "作出决定日期"),
}
_LABEL_KEY = {label: key for key, labels in LABELS.items() for label in labels}
_IN_TEXT_KEY = {label: key for key, labels in IN_TEXT_LABELS.items() for label in labels}
_LABEL_RE = re.compile(r"^[\s•·●▪\-*]*([\u4e00-\u9fff]{2,6})\s*[:：]\s*(.+?)\s*$")


def label_key(label: str) -> str | None:
    """The canonical key a page's label names (`發布機構` → issuer), either script, spaces ignored."""
    s = re.sub(r"[\s:：]+", "", fold(label))
    return _LABEL_KEY.get(s) or _IN_TEXT_KEY.get(s)


def is_catalogue_label(label: str) -> bool:
    """A label of the page's catalogue table (removed from the text), not of a table in the text."""
    return re.sub(r"[\s:：]+", "", fold(label)) in _LABEL_KEY


@dataclass
class Recognised:
    """What was recognised in a text, and from where (for the report)."""

    title: str | None = None
    doc_number: str | None = None
    issuer: list[str] = field(default_factory=list)
    signed: dt.date | None = None
    date: dt.date | None = None
    effective: dt.date | None = None
    index_no: str | None = None
    category: str | None = None
    script: str | None = None
    notes: list[str] = field(default_factory=list)

    def missing(self) -> list[str]:
        keys = ("title", "date", "doc_number", "issuer", "signed")
        return [k for k in keys if not getattr(self, k)]


def _mkdate(y: int | None, m: int | None, d: int | None) -> dt.date | None:
    try:
        return dt.date(y, m, d) if y and m and d and 1900 <= y <= 2100 else None
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, dt.date, str]]:
    """Every date in `text` as (offset, date, as printed), in order; Arabic, Chinese numerals or ISO."""
    t = text.translate(_FULLWIDTH)
    found = []
    for m in DATE_AR.finditer(t):
        d = _mkdate(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            found.append((m.start(), d, text[m.start():m.end()]))
    for m in DATE_CN.finditer(t):
        d = _mkdate(_cn_number(m.group(1)), _cn_number(m.group(2)), _cn_number(m.group(3)))
        if d:
            found.append((m.start(), d, text[m.start():m.end()]))
    for m in DATE_ISO.finditer(t):
        d = _mkdate(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if d:
            found.append((m.start(), d, text[m.start():m.end()]))
    for m in DATE_ROC.finditer(t):
        d = _mkdate(int(m.group(1)) + 1911, int(m.group(2)), int(m.group(3)))
        if d:
            found.append((m.start(), d, text[m.start():m.end()]))
    found.sort(key=lambda f: f[0])
    return found


def parse_any_date(text: str) -> dt.date | None:
    """The first date in `text`, in any supported spelling."""
    found = find_dates(text)
    return found[0][1] if found else None


# Characters a page puts before a signature date: lost characters (`?`), boxes, bullets, spaces.
_DATE_JUNK = re.compile(r"^[\s?？□■◆●·•*_\-—=~#]+|[\s　]+$")


def is_date_line(line: str) -> dt.date | None:
    """The date when the whole line is one date (a signature block's date line).

    Junk before the date (`?????2017年1月6日`, a character lost in an encoding mishap) is ignored.
    """
    s = _DATE_JUNK.sub("", line.strip())
    if len(s) > 24 or not ("日" in s or "-" in s or "/" in s or "." in s):
        return None  # cheap rejection: this runs on every line of every document
    s = s.translate(_FULLWIDTH)
    for rx in (DATE_AR, DATE_CN, DATE_ISO, DATE_ROC):
        m = rx.fullmatch(s)
        if m:
            return parse_any_date(s)
    return None


def number_line(line: str) -> str | None:
    """The number when a line holds nothing but a document number."""
    s = line.strip()
    nums = find_doc_numbers(s)
    # Allow one stray character (a trailing full stop, a bracket left over from the layout).
    if len(nums) == 1 and len(nums[0][1]) >= len(s) - 1:
        return nums[0][1]
    return None


def is_order_header(line: str) -> bool:
    """`江西省人民政府令`, `中华人民共和国国务院令`: an order's header line, without its number."""
    s = re.sub(r"\s+", "", fold(line))
    return s.endswith("令") and bool(ORGAN.match(re.sub(r"^中华人民共和国", "", s[:-1]) or "x"))


def order_number(lines: list[str]) -> str | None:
    """An order's number printed over two lines at the top (`某某市人民政府令` / `第35号`)."""
    for a, b in zip(lines[:4], lines[1:5]):
        if is_order_header(a) and re.fullmatch(rf"\s*[（(]?\s*第\s*{_NUM}\s*[号號]\s*[）)]?\s*", b):
            return a.strip() + re.sub(r"\s+", "", b)
    return None


# `省长　易炼红` / `市长 张某某` above a date: an order signed by the head of government.
_SIGNATORY = re.compile(r"^(?:代理)?(?:总理|省长|市长|县长|区长|州长|旗长|盟长|主席|部长|主任|局长|署长|行长|院长|镇长|乡长)"
                        r"(?:\s*[\u4e00-\u9fff○〇×Ｘ某]{1,4})?$")


def signatory_date(lines: list[str], start: int = 0) -> dt.date | None:
    """The date under a signatory's title and name (an order, a 公告 signed by a person)."""
    for i in range(max(start, 1), len(lines)):
        d = is_date_line(lines[i])
        if d and _SIGNATORY.match(re.sub(r"\s+", "", fold(lines[i - 1]))):
            return d
    return None


def issuer_from_number(number: str) -> str | None:
    """The issuing body named by a number: an order's organ, or a known prefix."""
    f = fold(number)
    m = re.match(r"^(?:中华人民共和国)?([\u4e00-\u9fff]{2,24}?)令", f)
    if m and "主席" not in m.group(1):
        organ = number[m.start(1):m.end(1)] if len(number) == len(f) else m.group(1)
        return organ
    m = re.match(rf"^([\u4e00-\u9fff]+)[{_OPEN}]", f)
    if m:
        prefix = m.group(1)
        for p in sorted(NUMBER_PREFIX_ISSUER, key=len, reverse=True):
            if prefix == p:
                return NUMBER_PREFIX_ISSUER[p]
    return None


def signature_block(lines: list[str], start: int = 0) -> tuple[list[str], dt.date | None, int]:
    """The first signature block after `start`: organ lines directly above a date line.

    Returns (issuers, signed date, index of the date line), or ([], None, -1).
    """
    for i in range(start, len(lines)):
        d = is_date_line(lines[i])
        if not d:
            continue
        organs = []
        j = i - 1
        while j >= start and len(organs) < 6:
            cand = lines[j].strip()
            if not cand:
                j -= 1
                continue
            # Joint issuance puts several organs on one line, separated by spaces.
            parts = [p for p in re.split(r"\s+", cand) if p]
            if parts and all(ORGAN.match(fold(p)) for p in parts):
                organs[:0] = parts
                j -= 1
                continue
            break
        if organs:
            return organs, d, i
    return [], None, -1


def is_title_like(line: str) -> bool:
    """A heading that reads as a document title (ends in a document kind, no sentence punctuation)."""
    s = fold(line.strip())
    if not (4 <= len(s) <= 80) or s[-1] in "。；;，,：:":
        return False
    return bool(re.search(r"(通知|决定|办法|规定|意见|公告|通告|条例|细则|规则|方案|批复|函|规划|纲要|"
                          r"决议|命令|令|指引|标准|法|实施意见|报告|要点|目录|清单|公报|章程|制度)$", s))


def labelled_fields(lines: list[str]) -> dict[str, tuple[str, int]]:
    """`发布单位：…`-style catalogue values: canonical key -> (value, line index). First one wins."""
    out: dict[str, tuple[str, int]] = {}
    for i, line in enumerate(lines):
        m = _LABEL_RE.match(line)
        if not m:
            continue
        key = _LABEL_KEY.get(fold(m.group(1)))
        if key and key not in out:
            out[key] = (m.group(2).strip(), i)
    return out


# Characters no title contains: breadcrumb arrows, sentence ends, labels.
_NOT_IN_TITLE = re.compile(r"[>›»→]|&gt;|。.|^[\u4e00-\u9fff]{2,8}\s*[:：]|[:：]$|^(?:首页|当前位置|您的位置)")
_CJK = re.compile(r"[\u3400-\u9fff]")


def reads_as_title(line: str) -> bool:
    """True when a line can be a document's title: Chinese words, one line, not page furniture.

    Rejects ad placeholders (`ad9_210*60`), breadcrumbs (`首页 > 政务公开 > …`), labelled lines
    (`關鍵詞: …`), sentences and dates.
    """
    s = re.sub(r"\s+", "", line)
    if not (4 <= len(s) <= 120):
        return False
    cjk = len(_CJK.findall(s))
    if cjk < 4 or cjk < len(s) * 0.5:
        return False
    f = fold(s)
    if _NOT_IN_TITLE.search(f) or is_date_line(s) or s.endswith(("，", ",", "；", ";", "、")):
        return False
    # An organ's name alone (a signature line, a site's name) is not a title.
    return not (ORGAN.match(f) and not re.search(r"关于|的", f))


_TITLE_ORGAN = re.compile(r"^([\u4e00-\u9fff（）()、]{2,80}?)(?:关于|印发)")


def issuer_from_title(title: str) -> list[str]:
    """`全国人民代表大会常务委员会关于…的决议` → its organ(s), as printed; [] when the title names none."""
    t = title.strip()
    m = _TITLE_ORGAN.match(fold(t))
    if not m:
        return []
    # fold() keeps length, so the printed organs sit at the same offsets.
    parts = [p for p in t[:m.end(1)].split("、") if p]
    return parts if parts and all(ORGAN.match(fold(p)) for p in parts) else []


# `（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）` under a title.
_SUBTITLE = re.compile(r"^[（(][^）)]*(?:通过|公布|发布|施行|批准|修正|修订|印发|颁布)[^）)]*[）)]$")


def subtitle_date(line: str) -> dt.date | None:
    """The date of a bracketed adoption/publication note under a title, else None."""
    s = re.sub(r"\s+", "", line)
    if not _SUBTITLE.match(fold(s)):
        return None
    found = find_dates(s)
    return found[0][1] if found else None


def issue_from_text(text: str) -> tuple[int | None, int | None, int | None]:
    """(year, number, serial) of a gazette issue from its cover text: `2017年第1期（总第123期）`."""
    t = text.translate(_FULLWIDTH)
    m = _ISSUE_NO.search(t)
    s = _SERIAL.search(t)
    return (int(m.group(1)) if m else None, int(m.group(2)) if m else None, int(s.group(1)) if s else None)


def script_of(text: str) -> str:
    return detect_script(text)
