"""Text and query normalisation shared by both search engines.

Folding is character by character (each character through `gazette.chinese.fold`), not
phrase-aware: the browser folds queries with a per-character table, so the index must be
folded with the very same table or a Traditional query could miss a Traditional document.
Every function here preserves length, so offsets in folded text are offsets in the original.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..archive import normalise_doc_number
from ..chinese import fold
from ..textrules import chinese_number

# Code point ranges whose characters OpenCC may fold (CJK ideographs and compatibility forms).
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF))
# Traditional forms that are also Simplified characters in their own right, so a per-character
# fold leaves them alone, though OpenCC writes them for another character in many phrases: its
# STPhrases (批复→批覆, 答复→答覆, 借口→藉口, 了解→瞭解, 复苏→復甦, 背包→揹包) and its Taiwan
# variants (随着→隨著, 着重→著重). Folded to that character, 批复 finds 批覆 and 随着 finds 隨著;
# what merges besides (著名 with 着名) never tells two real words apart in a gazette. Taken from
# OpenCC's data/dictionary STCharacters.txt, STPhrases.txt and TWVariants.txt (the forms used in
# five or more phrases, and every Taiwan variant of a common character).
PHRASE_FORMS = {"著": "着", "覆": "复", "藉": "借", "瞭": "了", "甦": "苏", "揹": "背", "伕": "夫", "薰": "熏",
                "簷": "檐", "痺": "痹", "睪": "睾", "鯰": "鲇", "顎": "腭"}
# Characters a bigram run is made of: CJK ideographs (and 〇).
_CJK_RUN = r"\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002a6df"
_TOKEN = re.compile(rf"[{_CJK_RUN}]+|[0-9a-z]+")


@lru_cache(maxsize=None)
def fold_table() -> dict[int, str]:
    """Per-character folding table: Traditional→Simplified, full-width ASCII→ASCII, lower case.
    Derived from OpenCC's data and this module's forms, kept by the build (gazette.derived)."""
    from .. import chinese, derived

    key = derived.files_key(__file__, chinese.__file__) + chinese.opencc_digest()
    return derived.remembered("fold-table", key, _fold_table, dict,
                              lambda t: all(type(k) is int and type(v) is str for k, v in t.items()))


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for lo, hi in _CJK_RANGES:
        chars = "".join(chr(c) for c in range(lo, hi + 1))
        # Blocks of newline-separated characters: few OpenCC calls, no phrase can form.
        step = 2000
        for start in range(0, len(chars), step):
            block = chars[start:start + step]
            out = fold("\n".join(block)).split("\n")
            for a, b in zip(block, out):
                if a != b and len(b) == 1:
                    table[ord(a)] = b
    for a, b in PHRASE_FORMS.items():
        table[ord(a)] = b
    for c in range(0xFF01, 0xFF5F):  # full-width ASCII
        table[c] = chr(c - 0xFEE0).lower()
    for c in range(ord("A"), ord("Z") + 1):
        table[c] = chr(c).lower()
    table[0x3000] = " "
    return table


def fold_text(text: str) -> str:
    """Searchable form of `text`: same length, Simplified, half-width, lower case."""
    return text.translate(_fold_list())


# The table as a list indexed by code point, up to its highest: str.translate asks a dict for every
# character and pays for a KeyError at each one the table does not hold, where a list answers at once
# (0.27 s against 0.50 s for the 8.7 million characters of 1,500 laws; a character past the list's end
# is left as it is, as the table leaves it). Every text is folded two or three times a build.
_folding: tuple[dict, list] | None = None


def _fold_list() -> list:
    global _folding
    table = fold_table()
    if _folding is None or _folding[0] is not table:
        out: list = list(range(max(table) + 1))
        for k, v in table.items():
            out[k] = v
        _folding = (table, out)
    return _folding[1]


def tokens(text: str) -> list[tuple[str, int]]:
    """Search tokens of `text` with their character offsets.

    A run of CJK characters gives one token per character: the bigram starting there, and
    the last character alone. Runs of ASCII letters/digits are one token each. Both the
    Pagefind index and the browser query use this, so any substring of two or more
    characters finds every document containing it, whatever a word segmenter would do.
    """
    folded = fold_text(text)
    out: list[tuple[str, int]] = []
    for m in _TOKEN.finditer(folded):
        run, start = m.group(), m.start()
        if run[0].isascii():
            out.append((run, start))
            continue
        for i in range(len(run)):
            out.append((run[i:i + 2], start + i))
    return out


def query_tokens(text: str) -> list[str]:
    """Tokens of a query: as `tokens`, without the lone last character of a longer run.

    In a document that character is followed by more text, so its token there is a bigram;
    the bigrams before it already require it.
    """
    out: list[str] = []
    folded = fold_text(text)
    for m in _TOKEN.finditer(folded):
        run = m.group()
        if run[0].isascii() or len(run) == 1:
            out.append(run)
        else:
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def doc_number_key(number: str) -> str:
    """The one spelling a document number is indexed and matched under."""
    return normalise_doc_number(unicodedata.normalize("NFKC", number)).lower()


_NOT_TOKEN = re.compile(rf"[^{_CJK_RUN}0-9a-z]+")
_NUMBER_END = re.compile(r"\d+号$")
# The serial before 号 at the end, in Arabic or Chinese numerals, with a 第 before it and a 年 after
# a year before that: 〔2023〕第3号, 2023年3号, 令第三十号, 〔2023〕03号.
_SERIAL_END = re.compile(r"(?:(?<=[0-9]{4})\s*年)?\s*第?\s*([0-9〇零一二三四五六七八九十百千]+)\s*号\s*$")


def number_word(number: str) -> str:
    """A document number as one index word (folded, punctuation dropped, its serial in Arabic
    numerals without leading zeros, no 第 before it nor 年 after its year): 国务院令1号, 临政规20233号.

    Bigrams and digit runs find a number in any spelling but rank it poorly ("1" also
    starts "10" and "100"); this one word, present only where the number is the
    document's own, lifts that document to the top, however the serial is written
    (search-rules.js numberWord is the same).
    """
    folded = fold_text(number)
    m = _SERIAL_END.search(folded)
    if m and (serial := chinese_number(m.group(1))) is not None:
        folded = folded[:m.start()] + f"|{serial}号"
    return _NOT_TOKEN.sub("", folded)


def is_number_query(query: str) -> bool:
    """A query that is a whole document number (…令第1号, …〔2017〕21号), in any spelling."""
    word = number_word(query)
    return bool(_NUMBER_END.search(word)) and len(word) >= 4
