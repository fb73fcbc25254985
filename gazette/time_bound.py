"""Time-bound documents: notices whose title ties them to a year, a period or a season or one-off
occasion (做好2022年防汛防台风工作的通知, 2025年春节期间……的通告, 做好2025年高校毕业生……就业创业工作
的通知). Once that time is over they have done their work, yet without an `expires` date they stay
有效 in the catalogue for ever. `gazette check` warns about those still in force.

The rule reads the title as a gazette title is built: 发文机关 + 关于 + subject + 的 + 文种. A title
whose own form is a lasting rule or decision (办法, 条例, 规定, 决定, 修正案 …) is not time-bound,
whatever year it carries: 《…（2019年修订）》, 宪法修正案（2004年） and 防汛条例 name a version or
a topic, not a period of force. A 通知 that issues something (印发/转发/下达 X 的通知) takes the form
of what it issues (印发……管理办法的通知 is lasting). Titles cited to be amended or repealed
(修改《X》的决定) are not read. Traditional titles are read through their Simplified form.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .chinese import fold
from .textrules import chinese_number

# The form (文种) of lasting instruments: rules, decisions, amendments. A title ending in one of
# these is not time-bound.
LASTING_FORMS = ("法", "条例", "规定", "办法", "细则", "规则", "章程", "准则", "规范", "标准", "规程",
                 "制度", "决定", "决议", "修正案", "解释", "批复", "命令", "令",
                 # treaties are named by the year they were signed (1992年国际油污损害民事责任公约)
                 "公约", "议定书", "条约", "协定", "宪章")

# Seasons and one-off occasions a notice is written for. Simplified forms (titles are folded).
OCCASIONS = ("汛期", "防汛", "防台", "台风", "抗旱", "冬春", "秋冬", "春夏", "迎峰度夏", "度冬", "供暖季",
             "春节", "元旦", "清明", "五一", "端午", "中秋", "国庆", "两节", "节假日", "节日期间", "春运",
             "暑期", "暑假", "寒假", "开学", "高校毕业生", "招生", "中考", "高考", "年度", "今年", "疫情")

_DIGIT = "0-9０-９"
_CN_DIGIT = "〇零○Ｏ一二三四五六七八九"
# A year: 2022, ２０２２ or 二〇二二, before 年 (2022年, 2022年度) or closing a range (2024—2025年度).
_YEAR = rf"(?:[{_DIGIT}]{{4}}|[一二][{_CN_DIGIT}]{{3}})"
YEARS = re.compile(rf"(?P<first>{_YEAR})(?:\s*[—–\-－~～至到]\s*(?P<last>{_YEAR}))?\s*年"
                   # not a day (2024年5月1日起施行, 一九四九年八月十二日): that names a moment, not a period
                   rf"(?![{_DIGIT}{_CN_DIGIT}十]{{1,2}}月)")
# A five-year plan: “十四五”, 十四五.
PLAN = re.compile(r"十([一二三四五六七八九])五")
# Parenthesised notes after a title or a cited title: （2019年修订）, （2023年修正本）, （试行）.
_NOTE = re.compile(r"[（(][^（）()]*[)）]")
_VERSION_NOTE = re.compile(r"[（(][^（）()]*(?:修订|修正|修改|试行|暂行|草案|版|本)[^（）()]*[)）]")
# Cited titles: 《…》 (with nested 〈〉 left inside).
_CITED = re.compile(r"《([^《》]*)》")
# Verbs that issue what follows as the notice's content.
_ISSUING = re.compile(r"(?:印发|转发|批转|下达|发布|颁布|公布)(?P<issued>.+)$")


@dataclass(frozen=True)
class TimeMark:
    """What in a title ties a document to a time: the words (as written, folded) and, for a year
    or a period, the last year it names (None for a season or occasion)."""

    words: str
    last_year: int | None

    def describe(self) -> str:
        return f"“{self.words}”" if self.last_year is not None else f"“{self.words}”（发布已逾一年）"


def _year(text: str) -> int:
    return chinese_number(text) or 0


def _form_is_lasting(text: str) -> bool:
    return text.endswith(LASTING_FORMS)


def _subject(title: str) -> str | None:
    """The part of a folded title that says what the document is for, or None when the title's form
    is a lasting instrument."""
    text = _VERSION_NOTE.sub("", title).strip()
    bare = _NOTE.sub("", text).strip()
    if _form_is_lasting(bare):
        return None
    head, sep, _ = bare.rpartition("的")
    issued = _ISSUING.search(head) if sep else None
    if issued:
        what = issued.group("issued")
        cited = _CITED.fullmatch(what.strip())
        what = cited.group(1) if cited else what
        if _form_is_lasting(_NOTE.sub("", _VERSION_NOTE.sub("", what)).strip()):
            return None
        # What it issues is read (with its cited title's words); the rest of the frame too.
        return _CITED.sub(lambda m: m.group(1), text)
    # Titles cited to be amended, repealed or interpreted are not the document's own subject.
    return _CITED.sub("", text)


def time_marks(title: str) -> list[TimeMark]:
    """What ties the document with this title to a time (empty: nothing, or a lasting form)."""
    subject = _subject(fold(title or ""))
    if subject is None:
        return []
    marks: list[TimeMark] = []
    for m in YEARS.finditer(subject):
        first = _year(m.group("first"))
        last = _year(m.group("last")) if m.group("last") else first
        if 1900 <= first <= 2200 and first <= last:
            marks.append(TimeMark(m.group(0), last))
    for m in PLAN.finditer(subject):
        n = "一二三四五六七八九".index(m.group(1)) + 11
        # From the 3rd plan (1966-1970) on, plan n runs 1966 + 5(n - 3) to four years later.
        marks.append(TimeMark(m.group(0), 1966 + 5 * (n - 3) + 4))
    if not marks:  # a year, where named, says when; the season alone says "once, that year"
        marks = [TimeMark(word, None) for word in OCCASIONS if word in subject]
    return marks


def outlived(title: str, issued_on: dt.date, as_of: dt.date) -> list[TimeMark]:
    """The marks of a title whose time is over on `as_of`: a year or period before as_of's year; a
    season or occasion (which comes round once a year) when the document is more than a year old."""
    out = []
    for mark in time_marks(title):
        if mark.last_year is not None:
            if mark.last_year < as_of.year:
                out.append(mark)
        elif as_of > issued_on + dt.timedelta(days=366):
            out.append(mark)
    return out


def time_bound_findings(model) -> list[tuple]:
    """(document, marks) for each listed document in force, without `expires`, whose title's time is
    over on the model's as-of date."""
    found = []
    for doc in model.documents:
        if doc.expires or not model.evaluation(doc).in_force:
            continue
        marks = outlived(doc.title, doc.date, model.as_of)
        if marks:
            found.append((doc, marks))
    return found
