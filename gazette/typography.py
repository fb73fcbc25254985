"""Line breaking for people reading Chinese on screens: units that must not be split across lines
(dates, issue names, document numbers, page ranges) and titles that must not end with a single
character alone on their last line.

Both only add `<span class="nw">` around text (white-space: nowrap in site.css): the text itself is
unchanged, so search, copying and screen readers read it as before.
"""

from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

from .textrules import CLOSE_CLASS, OPEN_CLASS

# 2024年5月20日, 2024年第1期 (总第12期), 临市监规〔2026〕1号, 令第12号, 第12-15页: each one unit on a line.
UNITS = re.compile(
    r"\d{4}年\d{1,2}月\d{1,2}日"
    r"|(?:总)?\d{4}年第\d+期|总第\d+期"
    rf"|[\u3400-\u9fff]{{0,4}}[{OPEN_CLASS}]\d{{4}}[{CLOSE_CLASS}]第?\d+[号號]|令第\d+[号號]"
    r"|第\d+(?:[-–—至]\d+)?页")
# Characters that may not start a line: they go with the character before them.
_CLOSING = set("，。、；：！？）》」』】〕〉’”…·%％")
_NOWRAP = '<span class="nw">{}</span>'


# Both filters are asked for the same strings on page after page (a document's title in every listing it
# is in, an issue's name on each of its documents): at 10,000 documents a full build called them 340,000
# times for a few tens of thousands of strings. Results are Markup (immutable), remembered per string and
# type (`typed`: a Markup and a str of the same characters escape differently).
_MEMO = functools.lru_cache(maxsize=1 << 16, typed=True)


def keep_units(text: str | None) -> Markup:
    """`text`, HTML-escaped, with each date, issue name, document number and page range kept on one line."""
    if not text:
        return Markup("")
    return _keep_units(text) if type(text) in (str, Markup) else _keep_units.__wrapped__(text)


@_MEMO
def _keep_units(text: str) -> Markup:
    out, pos = [], 0
    for m in UNITS.finditer(str(text)):
        out.append(escape(text[pos:m.start()]))
        out.append(Markup(_NOWRAP).format(m.group()))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def keep_each(items, sep: str = "；") -> Markup:
    """Names (issuers) joined by `sep`, each kept on one line: a line breaks between names only."""
    return Markup(sep).join(Markup(_NOWRAP).format(item) for item in items or () if item)


def no_orphan(text: str | None, keep: int = 2) -> Markup:
    """A title whose last `keep` characters (with any closing punctuation after them) stay together,
    so a narrow screen never leaves one character alone on the last line. Units are kept too."""
    if not text:
        return Markup("")
    return _no_orphan(text if type(text) in (str, Markup) else str(text), keep)


@_MEMO
def _no_orphan(text: str, keep: int) -> Markup:
    text = str(text)
    end = len(text)
    start = end
    while start > 0 and text[start - 1] in _CLOSING:
        start -= 1
    start = max(0, start - keep)
    # Do not cut into a unit: the tail starts at the start of the unit it would cut.
    for m in UNITS.finditer(text):
        if m.start() < start < m.end():
            start = m.start()
    if start <= 0 or text[start - 1].isspace() or not text[start:].strip():
        return keep_units(text)
    tail = text[start:]
    return keep_units(text[:start]) + Markup(_NOWRAP).format(Markup(keep_units(tail)))
