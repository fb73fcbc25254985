"""Document numbers cited in a document's text (the clean-up decision cites a dozen), linked on its
page to the documents they name when those are listed in the archive.

Numbers are found by the one rule in gazette.textrules (find_doc_numbers) and matched by their one
spelling (normalise_doc_number), so 臨教規〔2021〕1號 in the archive answers 临教规〔2021〕1号 in a
text. Only listed documents are linked (a withheld one is not in the archive at all); a document
citing its own number is not linked to itself; nothing is linked inside a heading, an existing
link or code.

A public file may still cite a withheld document, by its number in the text or in a relation
(supersedes, amends…): the text is published as written and the relation is dropped, nothing of the
withheld document is shown; withheld_citations warns the publisher (file, line, the number as the
public file writes it: never the withheld document's title or file name).
"""

from __future__ import annotations

import html as html_lib
import os
import posixpath
import re

from .chinese import fold
from .metadata import MetadataError
from .model import Document
from .textrules import find_doc_numbers, normalise_doc_number

_TAG = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z0-9]+)")
# Inside these nothing is linked.
_NO_LINKS = frozenset({"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "script", "style"})


def citations(model, doc: Document) -> list[tuple[str, Document]]:
    """(normalised number, document) for each distinct number `doc`'s text cites that names another
    listed document, in order of first citation. Memoised on the model."""
    memo = model.__dict__.setdefault("_citations", {})
    if doc.slug not in memo:
        index = model.__dict__.get("_by_number")
        if index is None:
            index = model.__dict__["_by_number"] = {n: docs[0] for n, docs in model.archive.by_number().items()}
        from .build_context import current

        build = current()
        cache = build.html if build is not None else None
        found: dict[str, Document] = {}
        numbers = (cache.doc_numbers(doc.body) if cache else find_doc_numbers(doc.body)) if doc.is_public else ()
        for _, number in numbers:
            key = normalise_doc_number(number)
            target = index.get(key)
            if target is not None and target.slug != doc.slug:
                found.setdefault(key, target)
        memo[doc.slug] = list(found.items())
    return memo[doc.slug]


def link_citations(body_html: str, doc: Document, cited: list[tuple[str, Document]]) -> str:
    """`body_html` (rendered, safe) with each cited number outside headings, links and code made a
    link to its document, relative to `doc`'s page."""
    if not cited:
        return body_html
    targets = dict(cited)
    here = posixpath.dirname(doc.url)
    out, closed = [], 0   # closed: how many elements that forbid links we are inside
    for part in _TAG.split(body_html):
        if part.startswith("<"):
            m = _TAG_NAME.match(part)
            if m and m.group(2).lower() in _NO_LINKS and not part.endswith("/>"):
                closed += -1 if m.group(1) else 1
            out.append(part)
        elif closed > 0 or not part:
            out.append(part)
        else:
            out.append(_link_text(part, targets, here))
    return "".join(out)


def _link_text(text: str, targets: dict[str, Document], here: str) -> str:
    pieces, at = [], 0
    for start, number in find_doc_numbers(text):
        target = targets.get(normalise_doc_number(html_lib.unescape(number)))
        if target is None or start < at:
            continue
        end = start + len(number)
        if text[start:end] != number:
            continue
        href = posixpath.relpath(target.url, here or ".")
        pieces += [text[at:start], f'<a class="doc-ref" href="{html_lib.escape(href)}">{number}</a>']
        at = end
    return "".join(pieces) + text[at:]


_CODE = re.compile(r"[\u4e00-\u9fff]+")


def _issuer_code(number: str) -> str:
    """The characters a normalised number starts with, up to 第 (临密[2024]9号 → 临密, 临澜市人民政府令第3号
    → 临澜市人民政府令): every spelling of the number in a text holds them, folded, in one run."""
    m = _CODE.match(number)
    return m.group().split("第")[0] if m else ""


def withheld_citations(model) -> list[MetadataError]:
    """Warnings (MetadataErrors) for each place a listed file names a withheld document: a relation
    whose reference is a withheld document's number or slug, and, in a public document, a number of
    a withheld document in its title, text or corrections (unless a listed document bears it too);
    and, at a withheld file, each listed document it says it supersedes or amends."""
    archive = model.archive
    numbers = archive.withheld_numbers
    if not numbers and not archive.withheld_slugs:
        return []
    index = archive.by_ref()
    out: list[MetadataError] = []
    for path, line, key, ref in archive.withheld_acts:
        if archive.resolve(ref, index) is not None:
            # At the withheld file: the listed document it replaces or amends is shown as before.
            act = "替代" if key == "supersedes" else "修改"
            out.append(MetadataError(path, line, key,
                                     f"本文件不予公开，网站上“{ref}”不会因被本文件{act}而显示为已被{act}"
                                     f"（警告：如需要，请在“{ref}”自己的元数据中写明其有效性）"))
    codes = sorted({c for c in map(_issuer_code, numbers) if c}, key=len, reverse=True)
    # A cheap test first: only a text holding a withheld number's issuer code is searched for numbers.
    holds_code = re.compile("|".join(map(re.escape, codes))).search if codes else (lambda _text: None)
    for doc in archive.documents:
        path = os.path.join(archive.content_dir, doc.source_path)
        for key, ref in model.links[doc.slug].unresolved:
            if archive.names_withheld(ref, index):
                out.append(MetadataError(path, doc.header_lines.get(key, 1), key,
                                         f"“{ref}”指向不予公开的文件：网站不显示这一项，不链接、不提及该文件"
                                         "（警告：请确认本文件可以公开引用它，或删去这一项）"))
        if not doc.is_public:
            continue  # an on-request document's text is not published
        texts = [("title", doc.header_lines.get("title", 1), doc.title, "标题"),
                 *(("correction", doc.header_lines.get("correction", 1), c.text, "勘误") for c in doc.corrections),
                 ("正文", doc.body_line, doc.body, "正文")]
        seen: set[tuple[str, int, str]] = set()
        for key, line, text, what in texts:
            if not text or not holds_code(fold(text)):
                continue
            for start, number in find_doc_numbers(text):
                at = line + text.count("\n", 0, start) if key == "正文" else line
                if (key, at, number) in seen or normalise_doc_number(number) not in numbers \
                        or archive.resolve(number, index) is not None:
                    continue
                seen.add((key, at, number))
                out.append(MetadataError(path, at, key,
                                         f"引用的“{number}”是不予公开文件的文号：{what}照原文公开，但不链接该文件，"
                                         "也不显示它的标题和有效性（警告：请确认这样引用可以公开）"))
    return sorted(out, key=lambda e: (e.path, e.line))
