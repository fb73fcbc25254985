"""Document numbers cited in a document's text (the clean-up decision cites a dozen), linked on its
page to the documents they name when those are listed in the archive.

Numbers are found by the one rule in gazette.textrules (find_doc_numbers) and matched by their one
spelling (normalise_doc_number), so 臨教規〔2021〕1號 in the archive answers 临教规〔2021〕1号 in a
text. Only listed documents are linked (a withheld one is not in the archive at all); a document
citing its own number is not linked to itself; nothing is linked inside a heading, an existing
link or code.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re

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
