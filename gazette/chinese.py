"""Script handling for Chinese text: Traditional/Simplified folding and detection.

One place for the OpenCC converters, shared by the content model, the site, both
search engines and the importers.
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc


@lru_cache(maxsize=None)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def _char_level(text: str, config: str) -> str:
    if text.isascii():
        return text
    if len(text) <= _SHORT:
        return _short(text, config)
    return _convert(text, config)


# Names, types and issuers are folded again and again (256,000 times in one rebuild at 10,000
# documents, from a few thousand distinct values): short strings are remembered.
_SHORT = 64


@lru_cache(maxsize=1 << 16)
def _short(text: str, config: str) -> str:
    return _convert(text, config)


def _convert(text: str, config: str) -> str:
    # OpenCC's phrase tables can change length (a multi-character phrase mapped to a
    # different-length one); search needs offsets to line up with the original, so any
    # converted run whose length differs is redone character by character.
    conv = _converter(config)
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    return "".join(c if len(c := conv.convert(ch)) != 1 else c for ch in text)


def t2s(text: str) -> str:
    """Traditional → Simplified, length-preserving (same length, same offsets)."""
    return _char_level(text, "t2s")


def s2t(text: str) -> str:
    """Simplified → Traditional, length-preserving."""
    return _char_level(text, "s2t")


def fold(text: str) -> str:
    """The form both search engines index and query: Simplified characters."""
    return t2s(text)


@lru_cache(maxsize=1)
def opencc_digest() -> str:
    """Digest of the installed OpenCC package, its code and dictionaries: the key of what is derived
    from them and kept across builds (gazette.derived)."""
    import os

    from .incremental import tree_digest

    return tree_digest(os.path.dirname(opencc.__file__))


@lru_cache(maxsize=1)
def _script_marks() -> tuple[re.Pattern, re.Pattern]:
    """Patterns of the characters that exist only in Traditional, and only in Simplified, writing
    (per OpenCC). The characters are kept by the build (gazette.derived): making them starts OpenCC's
    s2t converter, 0.1 s of a rebuild that parses any document."""
    from . import derived

    trad_only, simp_only = derived.remembered("script-marks", derived.files_key(__file__) + opencc_digest(),
                                              _script_chars, tuple,
                                              lambda v: len(v) == 2 and all(type(x) is str for x in v))
    return re.compile(f"[{re.escape(trad_only)}]"), re.compile(f"[{re.escape(simp_only)}]")


def _script_chars() -> tuple[str, str]:
    """(the characters only Traditional writing has, those only Simplified writing has)."""
    chars = "".join(chr(c) for c in range(0x4E00, 0xA000))
    simp, trad = _converter("t2s").convert(chars), _converter("s2t").convert(chars)
    if len(simp) != len(chars) or len(trad) != len(chars):  # pragma: no cover - OpenCC is per char here
        simp, trad = t2s(chars), s2t(chars)
    return "".join(c for c, s in zip(chars, simp) if c != s), "".join(c for c, t in zip(chars, trad) if c != t)


def detect_script(text: str) -> str:
    """Return 'zh-Hant' when the text's opening 2,000 characters hold more Traditional-only than
    Simplified-only characters."""
    trad_only, simp_only = _script_marks()
    # A character class matched in C: reading an archive's headers spent a third of its time
    # on this count when it was done character by character (a Counter still took a fifth).
    head = text[:2000]
    return "zh-Hant" if len(trad_only.findall(head)) > len(simp_only.findall(head)) else "zh-Hans"


def to_traditional(text: str) -> str:
    """Simplified → Traditional for display (Taiwan standard forms: 為, 裡), phrase-aware."""
    return _converter("s2tw").convert(text)
