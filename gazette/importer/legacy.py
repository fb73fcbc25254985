"""Saved pages of old portals (HTML, or text dumps of them) → one document.

Keeps the document's own text (with its attachments); drops navigation, font-size and print
widgets, share and QR prompts, editor lines, previous/next links, unrelated lists and repeated
blocks; removes pinyin annotations. Metadata comes from the page's labels and the text itself.
"""

from __future__ import annotations

import re

from ..chinese import fold
from . import boilerplate, html_page
from . import recognise as rc
from .sources import DocDraft, Source, read_text

def _split_cells(lines: list[str]) -> list[str]:
    """Table rows `索引号：\\t000014/2017\\t主题分类：\\t环境` → one `label：value` line per pair."""
    out = []
    for line in lines:
        if "\t" not in line:
            out.append(line)
            continue
        cells = [c.strip() for c in line.split("\t") if c.strip()]
        i = 0
        while i < len(cells):
            c = cells[i]
            if re.fullmatch(r"[\u4e00-\u9fff]{2,6}\s*[:：]", c) and i + 1 < len(cells):
                out.append(c + cells[i + 1])
                i += 2
            else:
                out.append(c)
                i += 1
    return out


def _publication_date(lines: list[str], labelled: dict) -> tuple[str | None, int]:
    """A page's publication date: its label, or a `2017-01-20 14:32 来源：…` line near the top."""
    if "date" in labelled:
        d = rc.parse_any_date(labelled["date"][0])
        if d:
            return d.isoformat(), labelled["date"][1]
    for i, line in enumerate(lines[:12]):
        f = fold(line)
        if re.search(r"\d{1,2}:\d{2}|来源|发布|时间", f):
            d = rc.parse_any_date(line)
            if d:
                return d.isoformat(), i
    return None, -1


def parse_lines(raw_lines: list[str], page_meta: dict[str, str] | None = None) -> tuple[dict, list[str], list[str]]:
    """Recognise a page's document: (metadata, body lines, notes)."""
    page_meta = page_meta or {}
    notes: list[str] = []
    lines = [boilerplate.strip_pinyin(l).strip() for l in _split_cells(raw_lines)]
    lines = [l for l in lines if l]
    # Where the text is: the densest run of text-like lines; menus and footers outside it go.
    # The few lines above it stay for the heading (title, number, dateline) to be recognised.
    s, e = boilerplate.main_span(lines)
    s = max(0, s - 8)
    # A related-lists heading or closing widget well below the top ends the page's text.
    tail = next((i for i in range(s + 8, len(lines)) if boilerplate.is_tail_start(lines[i])), None)
    if tail is not None and tail <= e:
        notes.append(f"已删除页面末尾无关列表（自「{lines[tail]}」起 {len(lines) - tail} 行）")
        e = tail
    elif e < len(lines) or s:
        notes.append(f"已删除正文之外的页面杂项 {s + len(lines) - e} 行")
    lines = lines[s:e]
    labelled = rc.labelled_fields(lines)
    date, date_line = _publication_date(lines, labelled)
    if not date and page_meta.get("date"):
        d = rc.parse_any_date(page_meta["date"])
        date = d.isoformat() if d else None
    label_lines = {idx for _, idx in labelled.values()}
    counts: dict[str, int] = {}
    for l in lines:
        counts[l] = counts.get(l, 0) + 1
    # An infobox: bullet items (`• 中文名:…`) and the short heading right above them.
    infobox = {i for i, l in enumerate(lines) if boilerplate.is_bullet_item(l)}
    infobox |= {i - 1 for i in infobox if i > 0 and len(lines[i - 1]) <= 8 and not re.search(r"[。；，,:：]", lines[i - 1])
                and not re.match(r"^(?:[一二三四五六七八九十]+、|第.+[章条节]|附件)", lines[i - 1])}
    kept = [l for i, l in enumerate(lines)
            if i not in label_lines and i != date_line and i not in infobox
            and not boilerplate.is_noise(l, repeats=counts[l])]
    dropped = len(lines) - len(kept)
    kept, repeats = boilerplate.drop_repeats(kept)
    if repeats:
        notes.append(f"已删除重复段落 {repeats} 段")
    if dropped:
        notes.append(f"已删除页面杂项 {dropped} 行")

    meta: dict[str, str] = {}
    # The document's own number stands on a line of its own near the top; numbers quoted in
    # sentences belong to other documents.
    num_idx = -1
    for i, l in enumerate(kept[:15]):
        n = rc.number_line(l)
        if n:
            meta["doc_number"], num_idx = n, i
            break
    title_idx = -1
    if num_idx > 0:
        for j in range(num_idx - 1, -1, -1):
            if rc.is_title_like(kept[j]):
                title_idx = j
                break
    if title_idx < 0 and "title" in labelled:
        want = fold(labelled["title"][0])
        title_idx = next((i for i, l in enumerate(kept[:15]) if fold(l) == want), -1)
        if title_idx < 0:
            meta["title"] = labelled["title"][0]
    if title_idx < 0 and "title" not in meta:
        title_idx = next((i for i, l in enumerate(kept[:5]) if rc.is_title_like(l)), 0 if kept else -1)
    if title_idx >= 0:
        meta["title"] = kept[title_idx]
        if title_idx > 0:
            notes.append(f"已删除标题前的页面标题 {title_idx} 行")
    start = max(title_idx, num_idx) + 1
    body = kept[start:]

    if date:
        meta["date"] = date
    organs, signed, _ = rc.signature_block(kept, start)
    if organs:
        meta["issuer"] = ";".join(organs)
    elif "issuer" in labelled:
        meta["issuer"] = labelled["issuer"][0]
    elif meta.get("doc_number") and rc.issuer_from_number(meta["doc_number"]):
        meta["issuer"] = rc.issuer_from_number(meta["doc_number"])
    if signed:
        meta["signed"] = signed.isoformat()
    elif "signed" in labelled and rc.parse_any_date(labelled["signed"][0]):
        meta["signed"] = rc.parse_any_date(labelled["signed"][0]).isoformat()
    if "doc_number" not in meta and "doc_number" in labelled:
        meta["doc_number"] = labelled["doc_number"][0]
    for key in ("index_no", "category"):
        if key in labelled:
            meta[key] = labelled[key][0]
    if "effective" in labelled and rc.parse_any_date(labelled["effective"][0]):
        meta["effective"] = rc.parse_any_date(labelled["effective"][0]).isoformat()
    meta["script"] = rc.script_of(meta.get("title", "") + "".join(body))
    return meta, body, notes


# A title read from the page's <title> or meta tags only (no visible heading): an archivist checks it.
REVIEW_TITLE = "页面上没有可见的标题，标题取自网页的 <title> 或元数据（请核对）"


def _date_value(text: str | None) -> str | None:
    d = rc.parse_any_date(text) if text else None
    return d.isoformat() if d else None


def _row_lines(lines: list[html_page.Line]) -> list[str]:
    """Body lines; a table row of one-line cells becomes one line, its cells separated by a wide space."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.cell is None:
            out.append(line.text)
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].cell is not None and lines[j].cell[:2] == line.cell[:2]:
            j += 1
        row = lines[i:j]
        cells = [c.cell for c in row]
        if len(set(cells)) == len(cells) and len(row) <= 8 and sum(len(c.text) for c in row) <= 200:
            out.append("\u3000".join(c.text for c in row))
        else:
            out.extend(c.text for c in row)
        i = j
    return out


def _is_header_line(text: str) -> bool:
    """A line the page prints between its heading and the text: dateline, source, counters, widgets."""
    f = re.sub(r"\s+", "", fold(text))
    return boilerplate.is_noise(text) or bool(re.match(r"^(?:发布|发表|更新|来源|信息来源|浏览|阅读|点击|作者|编辑)", f) and
                                             (re.search(r"[:：]", f) or rc.find_dates(f)))


def parse_page(page: html_page.PageText) -> tuple[dict, list[str], list[str]]:
    """Recognise the document of a saved HTML page: (metadata, body lines, notes)."""
    lines = page.lines
    texts = [boilerplate.strip_pinyin(l.text) for l in lines]
    notes: list[str] = []
    start, end = page.region
    meta: dict[str, str] = {}
    title = None
    if page.title_span:
        i, j = page.title_span
        title = "".join(texts[i:j]).strip()
        if i <= start + 25:
            start = max(start, j)
    else:
        if page.meta.get("title") and rc.reads_as_title(page.meta["title"]):
            title = page.meta["title"]
        else:
            title = _title_from_page_title(page.meta.get("page_title", ""))
        if title:
            notes.append(REVIEW_TITLE)
    fields = page.fields

    # The top of the text: what the page prints between the heading and the text.
    signed_sub = None
    while start < end:
        t = texts[start]
        sq = re.sub(r"\s+", "", t)
        if start in page.catalogue or _is_header_line(t) or (title and sq == re.sub(r"\s+", "", title)):
            start += 1
            continue
        n = rc.number_line(t)
        if n and not rc.DOC_NUMBER_ORDER.fullmatch(n):
            # A 发文字号 under the title is the document's header; a 令 line starts its text.
            meta.setdefault("doc_number", n)
            start += 1
            continue
        sub = rc.subtitle_date(t)
        if sub:
            signed_sub = sub
            meta["note"] = t.strip()
            start += 1
            continue
        break
    # The end of the text: before related lists, widgets, attachment links, source lines.
    for k in range(start, end):
        if boilerplate.is_tail_start(texts[k]):
            notes.append(f"已删除页面末尾无关列表（自「{texts[k]}」起）")
            end = k
            break
    while end > start and (lines[end - 1].file_link or (end - 1) in page.catalogue or _is_header_line(texts[end - 1])
                           or boilerplate.is_noise(texts[end - 1], lines[end - 1].links)):
        end -= 1
    body_lines = [l for k, l in enumerate(lines[start:end], start)
                  if k not in page.catalogue and not boilerplate.is_noise(texts[k], l.links)]
    for l in body_lines:
        l.text = boilerplate.strip_pinyin(l.text)
    body = _row_lines(body_lines)
    body, repeats = boilerplate.drop_repeats(body)
    if repeats:
        notes.append(f"已删除重复段落 {repeats} 段")
    dropped = len(lines) - len(body_lines)
    if dropped:
        notes.append(f"已删除页面导航、栏目、页脚等 {dropped} 行")

    if title:
        meta["title"] = title
    elif "title" in fields:
        meta["title"] = fields["title"].value
    # The page's catalogue is the portal's own record of the document: it wins over the text.
    for key in ("doc_number", "index_no", "category"):
        if key in fields and fields[key].value:
            if key != "doc_number" or rc.find_doc_numbers(fields[key].value) or key not in meta:
                meta[key] = fields[key].value
    if "doc_number" not in meta:
        top = next((rc.number_line(b) for b in body[:3] if rc.number_line(b)), None) or rc.order_number(body)
        if top:
            meta["doc_number"] = top
    organs, sig_date, _ = rc.signature_block(body)
    if "issuer" in fields:
        meta["issuer"] = fields["issuer"].value
    elif organs:
        meta["issuer"] = ";".join(organs)
    elif rc.issuer_from_title(meta.get("title", "")):
        meta["issuer"] = ";".join(rc.issuer_from_title(meta["title"]))
    elif meta.get("doc_number") and rc.issuer_from_number(meta["doc_number"]):
        meta["issuer"] = rc.issuer_from_number(meta["doc_number"])
    signed = _date_value(fields["signed"].value) if "signed" in fields else None
    if not sig_date:
        sig_date = rc.signatory_date(body)
    signed = signed or (signed_sub.isoformat() if signed_sub else None) or (sig_date.isoformat() if sig_date else None)
    if signed:
        meta["signed"] = signed
    date = _date_value(fields["date"].value) if "date" in fields else None
    date = date or _date_value(page.meta.get("date"))
    if date:
        meta["date"] = date
    if "effective" in fields and _date_value(fields["effective"].value):
        meta["effective"] = _date_value(fields["effective"].value)
    meta["script"] = rc.script_of(meta.get("title", "") + "".join(body))
    return meta, body, notes


def _title_from_page_title(page_title: str) -> str | None:
    """The part of `<title>` that reads as a document title (`江西省人民政府 政策文件 关于…的通知`)."""
    parts = [p for p in re.split(r"\s*[_|｜—–]+\s*|\s+-\s+|\s{1,}", page_title) if p]
    cands = [p for p in parts if rc.reads_as_title(p)]
    titled = [p for p in cands if rc.is_title_like(p)]
    pool = titled or cands
    return max(pool, key=len) if pool else None


def read_legacy(source: Source, kind: str) -> DocDraft:
    """One saved page (HTML or a text dump) as a document draft."""
    text = read_text(source.path)
    if kind == "html":
        page = html_page.read_page(text)
        read = [l.text for l in page.lines]
        meta, body, notes = parse_page(page)
    else:
        read = [boilerplate.decode_entities(l) for l in text.split("\n")]
        meta, body, notes = parse_lines(read)
    meta = {k: boilerplate.one_line(v) for k, v in meta.items() if v}
    # Nothing read is lost: what was taken for page furniture is listed for review (JSON report).
    kept = re.sub(r"\s+", "", "".join(body) + "".join(meta.values()))
    removed = [l.strip() for l in read if l.strip() and re.sub(r"\s+", "", boilerplate.strip_pinyin(l)) not in kept]
    if removed:
        notes.append("已删除的页面文字（供核对）：" + " ｜ ".join(removed))
    draft = DocDraft(identity=source.identity, meta=meta, body=boilerplate.paragraphs(body), notes=notes)
    if REVIEW_TITLE in notes:
        draft.review.append(REVIEW_TITLE)
    draft.missing = [k for k in ("title", "date", "doc_number", "issuer", "signed") if k not in meta]
    return draft
