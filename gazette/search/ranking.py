"""Search rules shared by `gazette search` and the browser (theme/static/js/search-rules.js).

Pure data in, data out: no index, no engine. Each engine finds candidates its own way, then
asks these rules whether a document matches and in what order results come, so the two
answer a query the same way. Keep the JavaScript mirror in step with every change here.

Matching is "words in any order" without a dictionary: a query's CJK run is covered when
every one of its characters lies in at least one of its bigrams that the document holds
(养犬规定 matches 临澜市养犬管理规定 through 养犬 + 规定, though 犬规 is absent; 电梯加装 matches
加装电梯); every ASCII letter/digit run of the query must be a whole run of the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .normalise import _CJK_RUN, _TOKEN, fold_table, fold_text, is_number_query, number_word

TIERS = {6: "number", 5: "head_phrase", 4: "head_words", 3: "body_phrase", 2: "words", 1: "partial"}


@dataclass(frozen=True)
class QueryTerms:
    """A query's terms: each CJK run with its bigrams (a lone character stands for itself), and
    its ASCII/digit runs. `phrase` is the query as a contiguous run (see `phrase_key`)."""
    runs: tuple[tuple[str, tuple[str, ...]], ...]  # (folded run, its terms)
    words: tuple[str, ...]
    phrase: str
    text: str

    @property
    def terms(self) -> list[str]:
        """Every distinct term, in query order (what an engine looks up)."""
        seen: dict[str, None] = {}
        for _, bigrams in self.runs:
            seen.update(dict.fromkeys(bigrams))
        seen.update(dict.fromkeys(self.words))
        return list(seen)

    @property
    def units(self) -> int:
        """What coverage counts: each CJK character, each ASCII/digit run."""
        return sum(len(run) for run, _ in self.runs) + len(self.words)


def query_terms(text: str) -> QueryTerms:
    """The terms of `text` as `normalise.query_tokens` makes them, grouped by run."""
    runs: list[tuple[str, tuple[str, ...]]] = []
    words: list[str] = []
    for m in _TOKEN.finditer(fold_text(text)):
        run = m.group()
        if run[0].isascii():
            words.append(run)
        elif len(run) == 1:
            runs.append((run, (run,)))
        else:
            runs.append((run, tuple(run[i:i + 2] for i in range(len(run) - 1))))
    return QueryTerms(tuple(runs), tuple(words), _query_phrase(text), text)


def coverage(query: QueryTerms, present: set[str]) -> tuple[bool, float]:
    """Whether the terms in `present` cover the whole query, and which share of it they cover.

    A character of a CJK run is covered when a present term includes it; an ASCII/digit run
    when it is present itself.
    """
    covered = 0
    for run, bigrams in query.runs:
        if len(run) == 1:
            covered += run in present
            continue
        hit = [b in present for b in bigrams]
        # character i lies in bigrams i-1 and i
        covered += sum(1 for i in range(len(run)) if (i > 0 and hit[i - 1]) or (i < len(hit) and hit[i]))
    covered += sum(1 for w in query.words if w in present)
    units = query.units
    if not units:
        return False, 0.0
    return covered == units, covered / units


def terms_in(query: QueryTerms, text: str) -> set[str]:
    """The query's terms that `text` holds: CJK terms anywhere in its folded form, ASCII/digit
    terms as whole runs."""
    folded = fold_text(text)
    out = {t for run, bigrams in query.runs for t in bigrams if t in folded}
    if query.words:
        runs = {m.group() for m in _TOKEN.finditer(folded) if m.group()[0].isascii()}
        out.update(w for w in query.words if w in runs)
    return out


# --- phrases -------------------------------------------------------------------------------
# A text's phrase key is its runs (CJK, ASCII/digit) between bars: "临政规〔2023〕3号" and
# "临政规[2023]3号" both give "|临政规|2023|3|号|", so punctuation never matters but run boundaries
# do; whitespace between two CJK characters is dropped first (第一条　人民法院 is 第一条人民法院, as
# the index's bigrams have it). A query is a phrase of a text when its key occurs in the text's
# key; the query's key carries a bar only beside an ASCII/digit run at either end (a number must
# be whole, 1 must not match 10; a CJK run may sit inside a longer one).
#
# The index holds no positions, so "every term present" only suggests a phrase (the body_phrase
# tier). Candidates of that tier are checked against their text, and those holding the phrase come
# first within it (phrase_seen). Head phrases are not checked: the head includes fields a result
# does not carry (文种, 主题分类), so a check could not see every field. `gazette search` checks whole
# texts in ranking order until it has as many holders as it shows. The browser checks the candidates
# that hold every junction trigram of the query (browser_index.junction_terms), in ranking order,
# PHRASE_CHECKS at a time, until as many hold it as it shows or PHRASE_ROUNDS rounds are done; a
# further round starts only while the search has downloaded less than PHRASE_BUDGET bytes (the cold
# query's bytes stay bounded at 50,000 records). Each candidate is read in the text blocks where the
# phrase can be: none before the latest first occurrence of its terms, only where every junction
# trigram occurs (their block masks), each block on the end of the one before; at most PHRASE_BLOCKS
# blocks (2 for a query without junction trigrams). The same answer unless more candidates hold
# where its words meet than the rounds reach, or a long text holds the phrase only further on.

PHRASE_CHECKS = 20
PHRASE_ROUNDS = 3
PHRASE_BLOCKS = 6
PHRASE_BUDGET = 120_000

_SPACED = re.compile(rf"(?<=[{_CJK_RUN}])\s+(?=[{_CJK_RUN}])")


def phrase_key(text: str) -> str:
    return "|" + "|".join(m.group() for m in _TOKEN.finditer(_SPACED.sub("", fold_text(text)))) + "|"


def _query_phrase(text: str) -> str:
    runs = [m.group() for m in _TOKEN.finditer(_SPACED.sub("", fold_text(text)))]
    if not runs:
        return ""
    key = "|".join(runs)
    if runs[0][0].isascii():
        key = "|" + key
    if runs[-1][0].isascii():
        key += "|"
    return key


def is_phrase(query: QueryTerms, key: str) -> bool:
    return bool(query.phrase) and query.phrase in key


def needs_phrase_check(query: QueryTerms) -> bool:
    """Only a query of several terms can hold them all and still not be a phrase; one typed as words
    apart (CJK runs with spaces between) asks for the words, not for a phrase."""
    return len(query.terms) > 1 and _SPACED.search(fold_text(query.text)) is None


def phrase_seen(query: QueryTerms, text: str) -> bool:
    """Whether `text` holds the query as a phrase."""
    if query.phrase and "|" not in query.phrase and query.phrase[0] > "\x7f":
        # One CJK run: found in the unfolded text by a pattern, without folding the whole text.
        return _run_pattern(query.phrase).search(text) is not None
    return is_phrase(query, phrase_key(text))


@lru_cache(maxsize=1)
def _unfold() -> dict[str, str]:
    """Folded character → the characters that fold to it."""
    out: dict[str, str] = {}
    for src, dst in fold_table().items():
        out[dst] = out.get(dst, "") + chr(src)
    return out


@lru_cache(maxsize=64)
def _run_pattern(run: str) -> re.Pattern:
    """A folded CJK run over unfolded text: each character or any folding to it, whitespace
    allowed between (as `phrase_key` drops it)."""
    unfold = _unfold()
    return re.compile(r"\s*".join("[" + re.escape(c + unfold.get(c, "")) + "]" for c in run))


# --- values --------------------------------------------------------------------------------
# A query that is exactly one of a record's values — its 发文机关, 文种, 主题分类 or 索引号, or an
# issue's name (2024年第1期) — asks for the records carrying that value: 全国人民代表大会 for what
# the NPC issued, before titles that merely hold the name (全国人民代表大会常务委员会关于…). Each
# record's head holds one term per value (browser_index.head_terms), the value's phrase key after
# "="; the query asks for its own.

VALUE_PREFIX = "="


def value_term(text: str) -> str:
    """The term of a value, or of a query as a value ("" when it has no runs)."""
    key = phrase_key(text)
    return VALUE_PREFIX + key if key != "||" else ""


# --- ranking -------------------------------------------------------------------------------

def number_exact(query_text: str, doc_number: str) -> bool:
    """The query is this document's own 文号, in any spelling."""
    return bool(doc_number) and is_number_query(query_text) and number_word(query_text) == number_word(doc_number)


_STANDING = {"in_force": 0, "not_yet_effective": 1, "amended": 1}


def standing(status: str, is_current_version: bool = True) -> int:
    """0 in force and current; 1 not yet effective or amended; 2 repealed, expired, superseded
    (not the current version of its work) — and any status these rules do not know."""
    if not is_current_version:
        return 2
    return _STANDING.get(status, 2)


def in_force_now(status: str, is_current_version: bool, kind: str = "document") -> bool:
    """只看现行有效: a document in force now (amended ones too) in its current version; issues are not
    documents."""
    return kind == "document" and is_current_version and status in ("in_force", "amended")


@dataclass(frozen=True)
class Features:
    number_exact: bool = False
    value_exact: bool = False  # the query is one of the record's values (see value_term)
    head_phrase: bool = False
    head_full: bool = False
    body_phrase: bool = False
    phrase_seen: bool = False  # checked against the text: it holds the query as a phrase
    full: bool = False
    fraction: float = 0.0
    title_full: bool = False  # the title alone covers the whole query
    status: str = "in_force"
    is_current_version: bool = True
    title_len: int = 0
    date: str = ""  # ISO
    slug: str = ""


def _get(features, name):
    return features[name] if isinstance(features, dict) else getattr(features, name)


def _get_default(features, name, default=0.0):
    try:
        return _get(features, name)
    except (KeyError, AttributeError):
        return default


def tier(features) -> int:
    """6 exact 文号, 5 phrase in the head, 4 every word in the head, 3 phrase in the body,
    2 every word somewhere, 1 partial, 0 nothing."""
    g = lambda n: _get(features, n)  # noqa: E731
    if g("number_exact"):
        return 6
    if g("head_phrase"):
        return 5
    if g("head_full"):
        return 4
    if g("body_phrase"):
        return 3
    if g("full"):
        return 2
    return 1 if g("fraction") > 0 else 0


def tier_name(features) -> str:
    return TIERS.get(tier(features), "none")


_NOT_DIGIT = re.compile(r"\D")


def sort_key(features) -> tuple:
    """Higher tier first; within it the query being one of the record's values (value_term), the
    phrase seen in the text (see PHRASE_CHECKS), a title holding
    every word (above one holding some, with a 文种 or subject holding the rest; a title holding only
    some is not preferred, so that standing decides between 财政局 as issuer and 财政 in a title),
    standing, more of the query covered, shorter title, newer date, slug."""
    g = lambda n: _get(features, n)  # noqa: E731
    day = _NOT_DIGIT.sub("", g("date") or "")
    return (-tier(features), -int(_get_default(features, "value_exact", False)),
            -int(_get_default(features, "phrase_seen", False)),
            -int(_get_default(features, "title_full", False)), standing(g("status"), g("is_current_version")),
            -g("fraction"),
            g("title_len"), -int(day or 0), g("slug"))
