"""Cleaning text from sources: page noise, pinyin annotations, repeats, and safe Markdown.

Everything a source gives us ends up in a Markdown body that Pelican renders, so text is
escaped (no raw HTML, no links) and Markdown sources are stripped of raw HTML and unsafe links.
"""

from __future__ import annotations

import re

from ..chinese import fold

# `環(huán)` → `環`: a tone-marked syllable in brackets right after a Han character.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])\s?[(（]\s*[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*\s*[)）]")

# Lines that belong to the page, not the document (matched on folded, space-free text).
_NOISE_LINE = re.compile(
    r"^(?:【?字[体号][:：].*|.*[【\[]?字[体号][:：]?[大中小\s]*[】\]]?.*打印.*|打印(?:本页)?|关闭(?:窗口|本页)?|"
    r"\[?打印本页\]?.*|\[?关闭窗口\]?.*|.*扫一扫.*|.*二维码.*|分享到.*|.*微信扫.*|"
    r"(?:责任)?编辑[:：].*|(?:审核|校对|核稿|签发人|来源)[:：].*|.*浏览次数.*|.*阅读次数.*|.*访问量.*|"
    r"上一篇.*|下一篇.*|上一条.*|下一条.*|(?:回到|返回)顶部|(?:当前位置|您的位置|您现在的位置)[:：].*|"
    r"首页\s*[>›»].*|.*版权所有.*|.*ICP备.*|.*公网安备.*|主办单位[:：].*|承办单位[:：].*|网站地图|"
    r"联系我们|收藏|保存|纠错|【?(?:大|中|小)】?|基本介绍|基本信息|"
    r"(?:发布|发表|更新)?(?:时间|日期)[:：].*|(?:19|20)\d{2}-\d{1,2}-\d{1,2}\d{1,2}:\d{2}(?::\d{2})?(?:来源.*)?)$",
    re.I)
# A heading after which a page lists unrelated things; everything from it on is dropped.
_TAIL_START = re.compile(r"^(?:相关词条|热门词条|相关链接|相关阅读|相关文章|相关新闻|相关文件|推荐阅读|猜你喜欢|"
                         r"热点推荐|延伸阅读|相关解读)$")
_BULLET = re.compile(r"^[\s•·●▪◆■□\-*]+")


# A syllable whose character was lost in an encoding mishap: `?qǐng)` stands for one character.
LOST_CHAR = re.compile(rf"[?？]\s*[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*\s*[)）]")


def strip_pinyin(text: str) -> str:
    """Drop pinyin annotations; a character lost with its annotation becomes □ (illegible)."""
    return LOST_CHAR.sub("□", PINYIN.sub("", text))


def is_noise(line: str) -> bool:
    s = re.sub(r"\s+", "", fold(line))
    return bool(s) and bool(_NOISE_LINE.match(s))


def is_tail_start(line: str) -> bool:
    return bool(_TAIL_START.match(re.sub(r"\s+", "", fold(line))))


def is_bullet_item(line: str) -> bool:
    """Infobox items such as `  • 中文名:…` (a page widget, not the document's text)."""
    return bool(re.match(r"^\s*[•·●▪◆]", line))


def _contained(short: str, long: str) -> bool:
    """True when `long` is `short` with a few characters inserted (a garbled copy)."""
    it = iter(long)
    return all(c in it for c in short)


def drop_repeats(lines: list[str], min_len: int = 12) -> tuple[list[str], int]:
    """Remove paragraphs the page repeats; when the copy is a cleaner spelling, keep the clean one.

    Portals sometimes repeat a block, and some insert junk characters against copying; a
    repeated paragraph that equals an earlier one minus inserted characters replaces it.
    Short lines (headings) are dropped when they repeat inside a repeated block.
    Returns (lines, number of repeated paragraphs removed).
    """
    kept: list[str | None] = []
    seen_long: dict[str, int] = {}
    seen_short: set[str] = set()
    repeat = [False] * len(lines)
    slot = [-1] * len(lines)
    for n, line in enumerate(lines):
        s = line.strip()
        if len(s) < min_len:
            slot[n] = len(kept)
            kept.append(line)
            continue
        if s in seen_long:
            repeat[n] = True
            continue
        match = None
        for i, prev in enumerate(kept):
            p = (prev or "").strip()
            if len(p) < min_len or p[:2] != s[:2]:
                continue
            if 0 < len(p) - len(s) <= max(8, len(s) // 10) and _contained(s, p):
                match = i
                break
            if 0 < len(s) - len(p) <= max(8, len(p) // 10) and _contained(p, s):
                match = -1  # the copy is the garbled one: keep the earlier, clean line
                break
        if match is None:
            seen_long[s] = len(kept)
            slot[n] = len(kept)
            kept.append(line)
        else:
            repeat[n] = True
            if match >= 0:
                kept[match] = line
                seen_long[s] = match
    # A short line repeating an earlier one, next to a repeated paragraph, is part of the block.
    for n, line in enumerate(lines):
        s = line.strip()
        if repeat[n] or len(s) >= min_len or not s:
            continue
        if s in seen_short and ((n > 0 and repeat[n - 1]) or (n + 1 < len(lines) and repeat[n + 1])):
            repeat[n] = True
            kept[slot[n]] = None
        seen_short.add(s)
    return [l for l in kept if l is not None], sum(repeat)


_SENTENCE_END = tuple("。！？：；:;!?」』”）)")


def reflow(lines: list[str]) -> list[str]:
    """Join the lines a page layout wrapped back into paragraphs (PDF text and OCR output).

    A line as long as the page's full lines that does not end a sentence continues on the next.
    """
    lengths = sorted(len(l.strip()) for l in lines if l.strip())
    if not lengths:
        return lines
    full = lengths[int(len(lengths) * 0.9)] if len(lengths) >= 3 else lengths[-1]
    out: list[str] = []
    joining = False
    for line in lines:
        s = line.strip()
        if not s:
            continue  # layout blank lines carry no meaning once lines are rejoined
        if joining and out:
            out[-1] += s
        else:
            out.append(s)
        joining = len(s) >= max(12, full * 0.85) and not s.endswith(_SENTENCE_END)
    return out


def escape_text(line: str) -> str:
    """Plain text as Markdown that renders as exactly that text: no HTML, links or emphasis."""
    s = line.replace("\\", "\\\\")
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = re.sub(r"([`*_\[\]])", r"\\\1", s)
    # A leading list/heading/quote marker would change the paragraph's meaning.
    s = re.sub(r"^(\s*)([#+=|-])", r"\1\\\2", s)
    s = re.sub(r"^(\s*\d+)([.)])(\s)", r"\1\\\2\3", s)
    return s


def paragraphs(lines: list[str]) -> str:
    """Lines of plain text as Markdown paragraphs, one per line, escaped."""
    out = [escape_text(re.sub(r"\s+", " ", l.strip())) for l in lines if l.strip()]
    return "\n\n".join(out) + ("\n" if out else "")


_RAW_HTML = re.compile(r"<(?=[A-Za-z/!?])")
_UNSAFE_LINK = re.compile(r"(\]\(\s*<?)\s*(?:javascript|vbscript|data|file):[^)\s]*", re.I)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def safe_markdown(text: str) -> str:
    """A Markdown body with raw HTML neutralised, unsafe links removed and remote images as text."""
    text = _HTML_COMMENT.sub("", text)
    text = _RAW_HTML.sub("&lt;", text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _UNSAFE_LINK.sub(r"\1#", text)
    # Reference-style definitions can smuggle a scheme too.
    text = re.sub(r"^(\s*\[[^\]]+\]:\s*)(?:javascript|vbscript|data|file):\S*", r"\1#", text, flags=re.I | re.M)
    return text.strip() + "\n"


def one_line(value: str) -> str:
    """A header value: one line, spaces collapsed."""
    return re.sub(r"\s+", " ", value).strip()
