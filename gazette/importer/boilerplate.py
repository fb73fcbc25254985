"""Cleaning text from sources: page noise, pinyin annotations, repeats, and safe Markdown.

Everything a source gives us ends up in a Markdown body that Pelican renders, so text is
escaped (no raw HTML, no links) and Markdown sources are stripped of raw HTML and unsafe links.
"""

from __future__ import annotations

import html as htmllib
import re

from ..chinese import fold
from ..inert import safe_url

# `環(huán)` → `環`: a tone-marked syllable in brackets right after a Han character.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
PINYIN = re.compile(rf"(?<=[\u3400-\u9fff])\s?[(（]\s*[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*\s*[)）]")

# Web-page vocabulary: the words of widgets, menus and footers that portals of every CMS print,
# in either script (matched on folded text). One feature of the furniture score, not a verdict alone.
_UI_WORDS = frozenset("""
打印 打印本页 打印此页 打印文章 打印正文 列印 友善列印 关闭 关闭窗口 关闭本页 关闭此页 返回 返回顶部 回到顶部 返回首页
返回列表 返回上页 回上一页 回上页 回首页 回页首 收藏 加入收藏 设为首页 收藏本页 分享 分享到 分享至 纠错 我要纠错 字体 字号 字体大小
大 中 小 默认 超大 标准 简 繁 简体 繁体 简体中文 繁体中文 English EN ENGLISH 无障碍 无障碍浏览 长者模式 关怀版 登录 注册 退出
网站地图 网站导览 联系我们 关于我们 网站声明 RSS 微信 微博 QQ空间 Facebook LINE Twitter 下载 保存 放大 缩小 恢复 搜索 检索 首页
更多 上一页 下一页 语音播报 视力保护色 附件下载 附件列表 相关附件 扫一扫 二维码 手机版 电脑版 跳到主要内容区块 :::
""".split())
_TOKEN_SPLIT = re.compile(r"[\s【】\[\]()（）|｜:：·•/、，,>»›]+")
_UI_LINE = re.compile(
    r"^(?:.*扫一扫.*|.*二维码.*|分享到.*|分享至.*|.*微信扫.*|"
    r"(?:责任)?编辑[:：].*|(?:审核|校对|核稿|签发人|来源|信息来源|作者|供稿|稿源)[:：].*|"
    r".*(?:浏览|阅读|点击|点阅|访问)(?:次数|人次|量|数|率)[:：]?.*|上一篇.*|下一篇.*|上一条.*|下一条.*|"
    r"(?:当前位置|您的位置|您现在的位置|目前位置|现在位置)[:：].*|首页\s*[>›»].*|.*版权所有.*|.*著作权.*|.*ICP备.*|.*公网安备.*|"
    r"(?:主办|承办|协办)(?:单位)?[:：].*|技术支持[:：].*|网站标识码.*|建议使用.*浏览器.*|"
    r"(?:发布|发表|更新)?(?:时间|日期)[:：].*|(?:19|20)\d{2}-\d{1,2}-\d{1,2}\d{1,2}:\d{2}(?::\d{2})?(?:来源.*)?)$",
    re.I)


# Footer lines: legal notices that never belong to a document's text.
_FOOTER = re.compile(r"ICP备|ICP证|公网安备|版权所有|网站标识码|技术支持[:：]|建议使用.{0,20}浏览器|分辨率|"
                     r"主办[:：单]|承办[:：单]|运行维护单位")


def _all_ui_words(s: str) -> bool:
    tokens = [t for t in _TOKEN_SPLIT.split(s) if t]
    return bool(tokens) and all(t in _UI_WORDS for t in tokens)


# A heading after which a page lists unrelated things, or its closing widgets: everything from it on goes.
_TAIL_START = re.compile(r"^[【\[]?(?:相关词条|热门词条|相关链接|相关阅读|相关文章|相关新闻|相关文件|相关稿件|推荐阅读|"
                         r"猜你喜欢|热点推荐|延伸阅读|相关解读|政策解读|相关附件|扫一扫在手机(?:上)?打开当前页|"
                         r"打印本页|关闭窗口|分享到)[】\]]?(?:[:：].{0,80})?$")
_SENTENCE = re.compile(r"[。；！？]|[，,].{4,}")
_MENU_SEP = re.compile(r"[|｜>›»/·]")
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")


def furniture_score(line: str, links: int = 0, repeats: int = 1) -> float:
    """How much a line looks like page furniture (> 0) rather than document text (< 0).

    Features: sentence punctuation (text), length, share of link text, web-page vocabulary,
    menu separators, clock times, ASCII-heavy strings (URLs, ad slots), repetition on the page.
    """
    s = re.sub(r"\s+", "", fold(line))
    n = len(s)
    if not n:
        return 0.0
    score = 0.0
    if re.search(r"[。；！？]", s):
        score -= 3.0
    elif _SENTENCE.search(s):
        score -= 1.5   # a comma: a list of links can have one too
    if s[-1] in "。；：:":
        score -= 1.0
    if n >= 40:
        score -= 1.5
    if _UI_LINE.match(s) or _all_ui_words(fold(line.strip())):
        score += 4.0
    if _FOOTER.search(s) and n <= 120:
        score += 3.0
    if links and links >= n * 0.6:
        score += 3.0
    seps = len(_MENU_SEP.findall(s))
    if seps >= 2 and n <= 80 and not _SENTENCE.search(s):
        items = [t for t in _MENU_SEP.split(s) if t]
        # a menu or breadcrumb: three or more short items between separators
        score += 3.5 if len(items) >= 3 and max(len(t) for t in items) <= 8 else 2.0
    if _TIME.search(s) and n <= 40:
        score += 2.0
    ascii_n = sum(1 for c in s if c.isascii())
    if ascii_n >= n * 0.7 and n >= 3 and not re.fullmatch(r"[\d.,%-]+", s):
        score += 2.0
    if repeats >= 2 and n <= 30:
        score += 1.0 + min(repeats, 4) * 0.5
    if n <= 6 and not re.match(r"^(?:[一二三四五六七八九十]+、|第.+[章条节]|附件|附表|[（(]?[一二三四五六七八九十\d]+[)）.、])", s):
        score += 0.5
    return score


def is_noise(line: str, links: int = 0, repeats: int = 1) -> bool:
    """A line of page furniture (scored; see `furniture_score`)."""
    return furniture_score(line, links, repeats) >= 3.0


_SIGNATURE_LIKE = re.compile(r"(?:年.*月.*日|[部厅局委办院署行会府处室所]|[号號])$")


def _menu_like(line: str) -> bool:
    """A menu item: a few characters, no punctuation at all, not a date, an organ or a number."""
    s = re.sub(r"\s+", "", line)
    return 0 < len(s) <= 8 and not re.search(r"[\W\d_]", s) and not _SIGNATURE_LIKE.search(s)


def main_span(lines: list[str], links: list[int] | None = None) -> tuple[int, int]:
    """[start, end) of the densest run of text in a page's lines (its document), furniture outside.

    Each line counts its length when it reads as text and against when it reads as furniture;
    the span is the run with the largest total (runs of short menu-like lines count against).
    """
    links = links or [0] * len(lines)
    counts: dict[str, int] = {}
    for l in lines:
        k = l.strip()
        counts[k] = counts.get(k, 0) + 1
    menu = [_menu_like(l) for l in lines]
    in_run = [False] * len(lines)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and menu[j]:
            j += 1
        if j - i >= 3:
            in_run[i:j] = [True] * (j - i)
        i = max(j, i + 1)
    values = []
    for i, l in enumerate(lines):
        n = len(re.sub(r"\s+", "", l))
        f = furniture_score(l, links[i], counts.get(l.strip(), 1)) + (1.5 if in_run[i] else 0.0)
        values.append(n if f < 1.0 else -max(n, 10) * f)
    best, best_span, cur, cur_start = 0.0, (0, len(lines)), 0.0, 0
    for i, v in enumerate(values):
        if cur <= 0:
            cur, cur_start = 0.0, i
        cur += v
        if cur > best:
            best, best_span = cur, (cur_start, i + 1)
    return best_span


_BULLET = re.compile(r"^[\s•·●▪◆■□\-*]+")


# A syllable whose character was lost in an encoding mishap: `?qǐng)` stands for one character.
LOST_CHAR = re.compile(rf"[?？]\s*[a-z{_TONED}]*[{_TONED}][a-z{_TONED}]*\s*[)）]")


def decode_entities(text: str) -> str:
    """`&gt;`, `&amp;nbsp;`, `&#26174;`: entities, also those a page escaped twice, decoded."""
    for _ in range(3):
        if "&" not in text:
            break
        new = htmllib.unescape(text)
        if new == text:
            break
        text = new
    return text.replace("\xa0", " ")


def strip_pinyin(text: str) -> str:
    """Drop pinyin annotations; a character lost with its annotation becomes □ (illegible)."""
    return LOST_CHAR.sub("□", PINYIN.sub("", text))


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
_LINK_TARGET = re.compile(r"(\]\(\s*<?)([^)>]*)")
_REFERENCE_TARGET = re.compile(r"^(\s*\[[^\]]+\]:[ \t]*<?)([^\n>]*)", re.M)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def safe_markdown(text: str) -> str:
    """A Markdown body with raw HTML neutralised, unsafe links removed and remote images as text."""
    text = _HTML_COMMENT.sub("", text)
    text = _RAW_HTML.sub("&lt;", text)
    text = _IMAGE.sub(lambda m: m.group(1), text)
    # Link targets (inline and reference-style) that are not http(s)/mailto/tel or relative: '#'.
    for pattern in (_LINK_TARGET, _REFERENCE_TARGET):
        text = pattern.sub(lambda m: m.group(1) + (m.group(2) if safe_url(m.group(2).strip()) else "#"), text)
    return text.strip() + "\n"


def one_line(value: str) -> str:
    """A header value: one line, spaces collapsed."""
    return re.sub(r"\s+", " ", value).strip()
