"""政策解读: a 解读 names the document it explains (`interprets`), and is published with it (三同步:
同步起草、同步审签、同步发布). The links both ways are resolved with the others in
`archive.link_documents` (Links.interprets / Links.interpreted_by); this module says what a 解读 is
and what `gazette check` reports about them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .chinese import fold
from .labels import people_date
from .model import Document
from .site import SiteModel

INTERPRETATION_TYPES = ("解读", "政策解读")


def is_interpretation(doc: Document) -> bool:
    """A 解读: of that document type, or naming the document it explains."""
    return bool(doc.interprets) or fold(doc.doc_type or "") in _folded_types()


@lru_cache(maxsize=1)
def _folded_types() -> frozenset:
    return frozenset(fold(t) for t in INTERPRETATION_TYPES)


@dataclass(frozen=True)
class Finding:
    doc: Document
    key: str  # the metadata key the finding is about (for its line number)
    message: str


def interpretation_findings(model: SiteModel, required_types: tuple[str, ...] = ()) -> list[Finding]:
    """What `gazette check` reports: a 解读 that names no document, a 解读 published after its
    document (三同步 broken), and, for the document types in `required_types` (the setting
    GAZETTE_REQUIRE_INTERPRETATION), a public document in force without any 解读."""
    out = []
    for doc in model.documents:
        links = model.links.get(doc.slug)
        if is_interpretation(doc):
            if not doc.interprets:
                out.append(Finding(doc, "doc_type", "解读未注明所解读的文件（interprets: 文号或文件名）"))
            for target in (links.interprets if links else []):
                if doc.date > target.date:
                    out.append(Finding(doc, "interprets", f"解读发布于{people_date(doc.date)}，晚于所解读文件"
                                       f"《{target.title}》的发布日期{people_date(target.date)}（未同步发布）"))
    wanted = {fold(t) for t in required_types}
    if wanted:
        for doc in model.public_documents:
            if fold(doc.doc_type or "") in wanted and model.evaluation(doc).in_force \
                    and not (model.links.get(doc.slug) and model.links[doc.slug].interpreted_by):
                out.append(Finding(doc, "doc_type", "现行有效的文件没有政策解读"))
    return out
