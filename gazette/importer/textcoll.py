"""Plain-text and Markdown collections (such as LawRefBook) → one document per file.

A collection file starts with `# title`, may follow it with lines naming its publication
and amendment events or its number, optionally closed by `<!-- INFO END -->`, then the body.
"""

from __future__ import annotations

import re

from ..chinese import fold
from . import boilerplate
from . import recognise as rc
from .sources import DocDraft, Source, read_text

_INFO_END = "<!-- INFO END -->"
_FILENAME_DATE = re.compile(r"[(（]((?:19|20)\d{2}-\d{2}-\d{2})[)）]\s*\.\w+$")
# A legislature's session: `第十届全国人民代表大会常务委员会第二十九次会议通过`.
_CONGRESS = re.compile(r"(全国人民代表大会常务委员会|全国人民代表大会)第[一二三四五六七八九十]+次(?:全体)?会议")
_EVENT = re.compile(r"(公布|通过|修正|修订|发布|施行|批准|印发|废止|决定)")


def preamble_metadata(title: str, preamble: list[str]) -> tuple[dict[str, str], list[str]]:
    """Number, issuer and publication date from the lines between the title and the body.

    The publication date is that of the latest event (the version this text is): a law
    amended in 2019 is the 2019 text.
    """
    meta: dict[str, str] = {}
    notes: list[str] = []
    text = "\n".join(preamble)
    events, effective = [], []
    for line in preamble:
        f = fold(line)
        for _, d, _printed in rc.find_dates(line):
            # `2011年3月30日 施行` is when it takes effect, not when it was published.
            if re.search(r"施行|生效", f) and not re.search(r"公布|通过|修正|修订|发布|印发", f):
                effective.append(d)
            else:
                events.append((d, bool(re.search(r"公布|发布|印发", f))))
    if events:
        latest = max(events, key=lambda e: e[0])
        meta["date"] = latest[0].isoformat()
    if effective:
        meta["effective"] = max(effective).isoformat()
    nums = rc.find_doc_numbers(text)
    if nums:
        # Events are listed oldest first: the last number published this version.
        meta["doc_number"] = nums[-1][1]
    issuer = None
    if meta.get("doc_number"):
        issuer = rc.issuer_from_number(meta["doc_number"])
    if not issuer:
        m = _CONGRESS.search(fold(text))
        if m:
            issuer = text[m.start(1):m.end(1)]
    if issuer:
        meta["issuer"] = issuer
    return meta, notes


def read_collection_file(source: Source, filename_dates: bool = True) -> DocDraft:
    """One Markdown or plain-text collection file as a document draft."""
    text = read_text(source.path)
    lines = text.split("\n")
    notes: list[str] = []
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    title = ""
    if i < len(lines) and lines[i].lstrip().startswith("#"):
        title = lines[i].strip().lstrip("#").strip()
        i += 1
    if _INFO_END in text:
        end = next(n for n, l in enumerate(lines) if _INFO_END in l)
        preamble = [l.strip() for l in lines[i:end] if l.strip()]
        body = "\n".join(lines[end + 1:])
    else:
        # Without an explicit end marker, the preamble is the run of short event/number lines.
        j = i
        preamble = []
        while j < len(lines):
            s = lines[j].strip()
            if s and (len(s) > 120 or not (_EVENT.search(s) or rc.find_doc_numbers(s))):
                break
            if s:
                preamble.append(s)
            j += 1
        body = "\n".join(lines[j:])
    meta, more = preamble_metadata(title, preamble)
    notes += more
    if not title:
        first = next((l.strip() for l in body.split("\n") if l.strip()), "")
        if first and rc.is_title_like(first):
            title = first
    if title:
        meta["title"] = title
    # A collection that names its files `标题(2020-12-29).md` declares the publication date
    # of that version; the text often records only when it was adopted, days or months before.
    m = _FILENAME_DATE.search(source.path) if filename_dates else None
    if m and rc.parse_any_date(m.group(1)):
        if meta.get("date") != m.group(1):
            notes.append(f"发布日期取自文件名（正文最近日期为 {meta.get('date') or '无'}）")
        meta["date"] = m.group(1)
    if preamble:
        # Keep the events in the document: they are part of its published text.
        body = "\n\n".join(boilerplate.escape_text(p) for p in preamble) + "\n\n" + body
    organs, signed, _ = rc.signature_block([l.strip() for l in body.split("\n")])
    if signed and organs and "issuer" not in meta:
        meta["issuer"] = ";".join(organs)
    if signed:
        meta["signed"] = signed.isoformat()
    meta["script"] = rc.script_of(title + body[:4000])
    meta = {k: boilerplate.one_line(v) for k, v in meta.items() if v}
    draft = DocDraft(identity=source.identity, meta=meta, body=boilerplate.safe_markdown(body), notes=notes)
    draft.missing = [k for k in ("title", "date", "doc_number", "issuer", "signed") if k not in meta]
    return draft
