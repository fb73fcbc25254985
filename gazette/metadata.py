"""Reading and validating the metadata header of a content file.

A content file is Pelican-style Markdown: `key: value` lines at the top, a blank line,
then the body. Keys may be the canonical English names or their Chinese aliases (either
script). Every problem is reported as `path:line: key: what is wrong（应为 …）`, in Simplified Chinese.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from .chinese import fold
from .textrules import FULLWIDTH_DIGITS

# Canonical key -> aliases (Traditional forms; Simplified forms are matched by folding).
KEY_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("標題",),
    "date": ("發布日期", "發佈日期"),
    "doc_number": ("文號",),
    "issuer": ("發文機關",),
    "signed": ("成文日期",),
    "doc_type": ("文種",),
    "category": ("主題分類",),
    "index_no": ("索引號",),
    "effective": ("施行日期",),
    "expires": ("有效期至",),
    "validity": ("有效性",),
    "reviewed": ("清理日期",),
    "superseded_by": ("被替代",),
    "supersedes": ("替代",),
    "amends": ("修改",),
    "disclosure": ("公開屬性",),
    "gazette": ("公報期號",),
    "pages": ("頁碼",),
    "scan": ("原件",),
    "script": ("字形",),
    "slug": (),
    "note": ("備註",),
    "review_note": ("清理說明",),
    # import drafts: `review: pending` keeps a file off the site until an archivist clears it
    "review": ("審核狀態",),
    "review_reason": ("待審原因",),
    # earlier slugs of a renamed document: their URLs redirect to the current one
    "old_slugs": ("aliases", "舊網址", "原網址"),
    # time and relations (docs/time.md): versions of one work, how a document ended, 解读, 勘误
    "work": ("版本系列", "所屬作品"),
    "repealed_on": ("廢止日期", "失效日期"),
    "repealed_by": ("廢止文件", "失效依據"),
    "repeal_verb": ("廢止方式",),
    "interprets": ("解讀對象", "解讀文件"),
    "correction": ("勘誤",),
    # issue files
    "year": ("年份",),
    "number": ("期號",),
    "serial": ("總號",),
}

# Keys that may be given on several lines; their values are kept in order, one per line.
REPEATABLE_KEYS = frozenset({"correction"})

# Keys of issue files (issues/*.md); documents have every other key.
ISSUE_KEYS = frozenset({"title", "year", "number", "serial", "date", "scan", "slug", "note"})
DOCUMENT_KEYS = frozenset(KEY_ALIASES) - {"year", "number", "serial"}

# Invisible characters an editor or a copy from a web page leaves in a key or a code word:
# zero-width spaces and joiners, the byte-order mark, soft hyphens, direction marks.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d"
                                   "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063"
                                   "\u2064\u2066\u2067\u2068\u2069\u3164\ufeff\uffa0"), None)
# Characters no metadata value may hold: C0 controls but the tab, DEL, lone surrogates and the
# non-characters U+FFFE/U+FFFF (they make XML ill-formed, cut file names and strings short, and
# are never typed on purpose).
# C0 and C1 controls (NEL U+0085 breaks a line for some tools), the line and paragraph separators
# (a line break to editors and str.splitlines, so `title: x\u2028disclosure: withheld` looks like two
# lines but is one title), and what XML cannot carry.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def normalise_word(raw: str) -> str:
    """A key or code word as it was meant: full-width look-alikes (ｄｉｓｃｌｏｓｕｒｅ), invisible
    characters, case and the script (公開屬性 / 公开属性) folded away."""
    return fold(unicodedata.normalize("NFKC", raw).translate(_INVISIBLE).strip().lower())


_ALIAS_TO_KEY = {normalise_word(alias): key for key, aliases in KEY_ALIASES.items() for alias in aliases}
_ALIAS_TO_KEY.update({key: key for key in KEY_ALIASES})

VALIDITY_CODES: dict[str, str] = {
    "in_force": "有效",
    "amended": "已修改",
    "repealed": "已廢止",
    "expired": "已失效",
    "not_yet_effective": "尚未生效",
}
_VALIDITY_ALIASES = {
    "有效": "in_force", "現行有效": "in_force", "繼續有效": "in_force",
    "已修改": "amended", "修改": "amended",
    "已廢止": "repealed", "廢止": "repealed",
    "已失效": "expired", "失效": "expired",
    "尚未生效": "not_yet_effective", "未生效": "not_yet_effective",
}

DISCLOSURE_CODES: dict[str, str] = {
    "public": "主動公開",
    "on_request": "依申請公開",
    "withheld": "不予公開",
}
_DISCLOSURE_ALIASES = {"主動公開": "public", "依申請公開": "on_request", "不予公開": "withheld"}

# `review`: what an archivist still has to do with an imported file. `pending` (a draft the importer
# could not settle) is never published and `gazette check` lists it; `cleared` is published as usual.
REVIEW_CODES: dict[str, str] = {"pending": "待審核", "cleared": "已審核"}
_REVIEW_ALIASES = {"待審核": "pending", "待審": "pending", "草稿": "pending", "已審核": "cleared"}

SCRIPTS = ("zh-Hans", "zh-Hant")

_HEADER_LINE = re.compile(r"^(?P<key>[^\s:：][^:：]*?)\s*[:：]\s*(?P<value>.*?)\s*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_CN_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")


class MetadataError(ValueError):
    """One metadata problem, located in its file."""

    def __init__(self, path: str, line: int, key: str, problem: str, expected: str | None = None):
        self.path, self.line, self.key, self.problem, self.expected = path, line, key, problem, expected
        super().__init__(str(self))

    def __reduce__(self):  # kept in the header cache (gazette.header_cache) with its document
        return type(self), (self.path, self.line, self.key, self.problem, self.expected)

    def __str__(self) -> str:
        msg = f"{self.path}:{self.line}: {self.key}: {self.problem}"
        return f"{msg}{expected(self.expected)}" if self.expected else msg


def expected(what: str) -> str:
    """`（应为 what）`: the one way a message says what was expected (a space before Latin text)."""
    return f"（应为{' ' if what[:1].isascii() else ''}{what}）"


# The wording of the problems every reader of metadata reports (headers here, the import manifest).
DATE_EXPECTED = "YYYY-MM-DD 或 2017年1月6日"
# Years a date may have: outside them it is a typo (9999-12-31), and a review due date computed from
# it (a date plus the review cycle) would leave the calendar Python can count.
DATE_YEARS = (1000, 2999)
# The most characters one metadata value (one line) may have: the longest title of the corpus has
# about 220, a 5,000-digit number is still read (tests/test_leaks_inputs.py); a 200,000-character
# title made an 8 MB page and stalled the build.
MAX_VALUE_CHARS = 10_000
NUMBER_EXPECTED = "整数，如 12"


def quoted(value: str, limit: int = 60) -> str:
    """A value as a message shows it: in quotes, cut short when long (a 5,000-digit number)."""
    return f"'{value}'" if len(value) <= limit else f"'{value[:limit]}…'（共 {len(value)} 个字符）"


def not_a_date(value: str) -> str:
    fields = _date_fields(value)
    if fields and not DATE_YEARS[0] <= fields[0] <= DATE_YEARS[1]:
        return f"{quoted(value)} 的年份不在 {DATE_YEARS[0]} 至 {DATE_YEARS[1]} 年之间"
    return f"{quoted(value)} 不是日期"


def not_a_number(value: str) -> str:
    return f"{quoted(value)} 不是整数"


def not_allowed(value: str) -> str:
    return f"{quoted(value)} 不是可用的值"


def one_of(allowed: str) -> str:
    return f"以下之一：{allowed}"


class MetadataErrors(ValueError):
    """All problems found in one file."""

    def __init__(self, errors: list[MetadataError]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class Header:
    """The raw header of a content file: canonical key -> (value, line number)."""

    path: str
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)
    extra: dict[str, tuple[str, int]] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    errors: list[MetadataError] = field(default_factory=list)

    def line_of(self, key: str) -> int:
        return self.fields.get(key, ("", 1))[1]


def canonical_key(raw: str) -> str | None:
    """The canonical English key a header key stands for (either script, any width), or None."""
    return _ALIAS_TO_KEY.get(normalise_word(raw))


def suggest_key(raw: str, allowed=None) -> str | None:
    """The known key an unknown one most likely misspells (disclosue → disclosure), or None."""
    allowed = set(allowed or KEY_ALIASES)
    names = {n: k for n, k in _ALIAS_TO_KEY.items() if k in allowed}
    close = difflib.get_close_matches(normalise_word(raw), list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


def unknown_key_error(path: str, line: int, raw: str, allowed) -> "MetadataError":
    """`path:line: disclosue: 未知的键（是否想写 disclosure？）`."""
    known = canonical_key(raw)
    if known:  # a real key, in the wrong kind of file
        where = "公报期次文件（issues/）" if known in ISSUE_KEYS - DOCUMENT_KEYS else "文件（documents/）"
        return MetadataError(path, line, raw.strip(), f"此处不用这个键（{known} 只用于{where}）")
    guess = suggest_key(raw, allowed)
    hint = f"是否想写 {guess}？" if guess else "可用的键见 README 的元数据表"
    return MetadataError(path, line, raw.strip(), f"未知的键（{hint}）")


def control_character(value: str) -> str | None:
    """A sentence naming the first control character in `value`, or None."""
    m = _CONTROL.search(value)
    if not m:
        return None
    c = m.group()
    what = "控制字符" if c <= "\x9f" else "行分隔符" if c in "\u2028\u2029" else " XML 不允许的字符"
    return f"含有{what} U+{ord(m.group()):04X}（第 {m.start() + 1} 个字符；应为可见的文字）"


@dataclass(frozen=True)
class HeaderLine:
    """One line of a header as read: its index in the file's lines, the key as written and its
    canonical name (None when unknown, or for a line that is not `key: value`), and its value."""

    index: int
    line: str                 # without a trailing "\r"
    raw_key: str | None       # None: not a metadata line
    key: str | None
    value: str = ""
    value_start: int = 0      # the value's span in `line`
    value_end: int = 0

    @property
    def separator(self) -> str:
        """What the archivist wrote between key and value (`: `, `：`…)."""
        return self.line[len(self.raw_key):self.value_start] if self.raw_key is not None else ": "

    def with_value(self, value: str) -> str:
        """This line with its value replaced, every other character kept."""
        return self.line[:self.value_start] + value + self.line[self.value_end:]


@dataclass
class HeaderScan:
    lines: list[HeaderLine]   # the header's lines in order, blank ones left out
    end: int                  # index of the first line after the header (and its closing fence)
    fenced: bool


_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def split_lines(text: str) -> tuple[list[str], list[str]]:
    """`text` as its lines and the line break after each but the last, whatever they are (CRLF,
    LF, or CR alone as old Mac files have): `"".join(l + b for l, b in zip(lines, breaks + [""]))`
    gives `text` back. The one way content files are cut into lines."""
    if "\r" not in text:  # the common case, cut in C without a pattern (the same lines)
        lines = text.split("\n")
        return lines, ["\n"] * (len(lines) - 1)
    parts = _LINE_BREAK.split(text)
    return parts[0::2], parts[1::2]


def scan_header(lines: list[str]) -> HeaderScan:
    """The header of a file split into lines (BOM removed): the one reading of the header format,
    used by `split_header` and by the tools that edit headers in place (gazette cleanup apply)."""
    found: list[HeaderLine] = []
    i = 0
    # Tolerate a YAML-style fence around the header.
    fenced = bool(lines) and lines[0].strip() == "---"
    if fenced:
        i = 1
    while i < len(lines):
        line = lines[i].rstrip("\r")
        if fenced and line.strip() == "---":
            i += 1
            break
        if not line.strip():
            if fenced:
                i += 1
                continue
            break
        m = _HEADER_LINE.match(line)
        if not m:
            if i == 0:
                break  # no header at all
            found.append(HeaderLine(i, line, None, None))
        else:
            found.append(HeaderLine(i, line, m.group("key"), canonical_key(m.group("key")), m.group("value"),
                                    m.start("value"), m.end("value")))
        i += 1
    return HeaderScan(found, i, fenced)


def split_header(text: str, path: str, collect: bool = False) -> Header:
    """Split `text` into its metadata header and body, keeping line numbers.

    Layout problems raise MetadataErrors, or with `collect` are kept in `header.errors` so that
    they are reported together with the fields' own problems."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines, _ = split_lines(text)
    header = Header(path=path)
    errors: list[MetadataError] = []
    scan = scan_header(lines)
    for h in scan.lines:
        if h.raw_key is None:
            errors.append(MetadataError(path, h.index + 1, h.line.strip()[:20], "不是元数据行",
                                        "`键: 值`，或在正文前空一行"))
            continue
        target = header.fields if h.key else header.extra
        name = h.key or h.raw_key.strip()
        if name in target and name in REPEATABLE_KEYS:
            problem = control_character(h.value)
            if problem:
                errors.append(MetadataError(path, h.index + 1, name, problem))
            target[name] = (target[name][0] + "\n" + _CONTROL.sub("", h.value), target[name][1])
            continue
        if name in target:
            errors.append(MetadataError(path, h.index + 1, name, "重复出现", "每个键只写一次"))
        value = h.value
        problem = control_character(value)
        if problem:
            errors.append(MetadataError(path, h.index + 1, name, problem))
            value = _CONTROL.sub("", value)
        target[name] = (value, h.index + 1)
    i = scan.end
    while i < len(lines) and not lines[i].strip():
        i += 1
    header.body_line = i + 1
    header.body = "\n".join(lines[i:])
    if errors and not collect:
        raise MetadataErrors(errors)
    header.errors = errors
    return header


# Keys that keep a document off the site. Written after a blank line by mistake they end up in
# the body, and the document would be published as public (or as cleared).
GATE_KEYS = {"disclosure": "public", "review": "cleared"}  # key -> the value that publishes anyway


def stray_header_lines(header: Header) -> list[tuple[int, str, str]]:
    """(line, key, value) of the known-key lines the body starts with, blank lines between them
    skipped: a blank line inside the header ended it too early (or every line is followed by one:
    CR CR LF line ends, a CRLF file converted twice)."""
    out = []
    for n, line in enumerate(split_lines(header.body)[0]):
        if not line.strip():
            continue
        m = _HEADER_LINE.match(line)
        key = canonical_key(m.group("key")) if m else None
        if key is None:
            break
        out.append((header.body_line + n, key, m.group("value")))
    return out


def stray_gate_lines(header: Header) -> list[tuple[int, str, str]]:
    """The stray header lines (above) that would keep the document off the site: `disclosure` or
    `review` with any value but the one that publishes anyway."""
    out = []
    for line, key, value in stray_header_lines(header):
        if key in GATE_KEYS:
            try:
                harmless = (parse_disclosure if key == "disclosure" else parse_review)(value) == GATE_KEYS[key]
            except ValueError:
                harmless = False
            if not harmless:
                out.append((line, key, value))
    return out


def _date_fields(value: str) -> tuple[int, int, int] | None:
    v = value.strip().translate(FULLWIDTH_DIGITS)
    m = _ISO_DATE.match(v) or _CN_DATE.match(v)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def parse_date(value: str) -> dt.date:
    """Parse `2017-01-06` or `2017年1月6日` (full-width digits allowed), a year within DATE_YEARS;
    ValueError otherwise."""
    fields = _date_fields(value)
    if not fields or not DATE_YEARS[0] <= fields[0] <= DATE_YEARS[1]:
        raise ValueError(value)
    return dt.date(*fields)


_CODE_WORDS: dict[int, dict[str, str]] = {}  # per alias table: normalised word -> code


def _parse_code(value: str, codes: dict[str, str], aliases: dict[str, str]) -> str:
    """A coded value given as its code or as a Chinese alias, in either script, any case or width,
    invisible characters ignored ('withheld', '不予公開', 'ｗｉｔｈｈｅｌｄ', 'withheld\u200b')."""
    key = id(aliases)
    words = _CODE_WORDS.get(key)
    if words is None:
        words = _CODE_WORDS[key] = {**{normalise_word(k): c for k, c in aliases.items()}, **{c: c for c in codes}}
    code = words.get(normalise_word(value))
    if not code:
        raise ValueError(value)
    return code


def parse_validity(value: str) -> str:
    return _parse_code(value, VALIDITY_CODES, _VALIDITY_ALIASES)


def parse_disclosure(value: str) -> str:
    return _parse_code(value, DISCLOSURE_CODES, _DISCLOSURE_ALIASES)


def parse_review(value: str) -> str:
    return _parse_code(value, REVIEW_CODES, _REVIEW_ALIASES)


def split_list(value: str) -> list[str]:
    """Split a `;`-separated value (also `；` and `、`) into its non-empty parts."""
    return [p.strip() for p in re.split(r"[;；、]", value) if p.strip()]


class FieldReader:
    """Typed access to a header's fields that collects every error instead of stopping at the first."""

    def __init__(self, header: Header):
        self.header = header
        self.errors: list[MetadataError] = list(header.errors)
        self.warnings: list[MetadataError] = []  # reported, but the file is still used

    def _err(self, key: str, problem: str, expected: str | None = None) -> None:
        self.errors.append(MetadataError(self.header.path, self.header.line_of(key), key, problem, expected))

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.header.fields.get(key, ("", 0))[0].strip()
        if not value:
            if required:
                self._err(key, "缺少此项" if key not in self.header.fields else "值为空", "非空的值")
            return None
        longest = max(map(len, value.split("\n")))  # a repeatable key's lines are joined by \n
        if longest > MAX_VALUE_CHARS:
            self._err(key, f"过长：{longest} 个字符", f"不超过 {MAX_VALUE_CHARS} 个字符的值")
            return None
        return value

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.text(key, required)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError:
            self._err(key, not_a_date(value), DATE_EXPECTED)
            return None

    def integer(self, key: str, required: bool = False) -> int | None:
        value = self.text(key, required)
        if value is None:
            return None
        try:
            return int(value.translate(FULLWIDTH_DIGITS))
        except ValueError:
            self._err(key, not_a_number(value), NUMBER_EXPECTED)
            return None

    def choice(self, key: str, parser, allowed: str, default: str | None = None) -> str | None:
        value = self.text(key)
        if value is None:
            return default
        try:
            return parser(value)
        except ValueError:
            self._err(key, not_allowed(value), one_of(allowed))
            return default

    def items(self, key: str) -> list[str]:
        value = self.text(key)
        return split_list(value) if value else []
