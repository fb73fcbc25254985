"""The publishing links of a document: its JSON, PDF, permanent (ELI-style) address and the feeds
of its issuer, type and subject. One place, read by the page template and the open data alike."""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, field

from ..chinese import fold
from ..defaults import DEFAULTS, with_defaults
from ..model import document_json_url
from ..textrules import doc_number_parts, order_number_parts
from ..pages import DIMENSIONS, group_slug

FEED_DIMENSIONS = ("issuer", "doc_type", "category")
ELI_PART_MAX = 120  # bytes of one folder name of a short address (file systems allow 255)
VALIDITY_FEED = "feeds/validity.atom.xml"



def feed_path(dimension: str, value: str) -> str:
    """Site path of the Atom feed of one browse group, e.g. feeds/issuer/<group_slug>.atom.xml."""
    return f"feeds/{DIMENSIONS[dimension][0]}/{group_slug(value)}.atom.xml"


def eli_parts(doc_number: str | None, codes: dict[str, str] | None = None,
              year: int | None = None) -> tuple[str, str, str] | None:
    """(issuer code, year, number) of a document number, or None when it has no such shape.

    The code is the number's prefix in Simplified characters (either script gives the same path),
    or what the GAZETTE_ELI_CODES setting maps that prefix to (e.g. 临政规 → llzg). An order's number
    (临澜市人民政府令第6号, the number of a 规章) carries no year: it takes `year`, the year the order
    was published, when given (临澜市人民政府令/2023/6)."""
    if not doc_number:
        return None
    parts = doc_number_parts(doc_number)
    if not parts:
        order = order_number_parts(doc_number)
        if not order or not year:
            return None
        parts = (order[0], str(year), order[1])
    code, year, number = parts
    code = fold(code)
    if codes:
        code = {fold(k): v for k, v in codes.items()}.get(code, code)
    if "/" in code or code in (".", "..") or any(len(p.encode("utf-8")) > ELI_PART_MAX for p in (code, number)):
        return None  # no short address rather than a folder name the file system refuses
    return code, year, number


def eli_path(parts: tuple[str, str, str]) -> str:
    """Site path of the permanent short address: eli/<code>/<year>/<number>/ (a folder with index.html)."""
    return "eli/" + "/".join(parts) + "/"


@dataclass
class DocumentLinks:
    json_url: str
    pdf_url: str | None = None
    scan_url: str | None = None
    eli_url: str | None = None      # short permanent address (a folder), percent-encoded
    feeds: list[tuple[str, str, str]] = field(default_factory=list)  # (dimension, value, feed path)

    @property
    def eli_href(self) -> str | None:
        """The short address as a link that also works where folders are not served (file://)."""
        return self.eli_url + "index.html" if self.eli_url else None

    def permanent_address(self, doc_url: str, site_url: str = "") -> str:
        """What a printed page cites: the short permanent address, else the page's own; absolute
        when the site's public address is known, else the site path. As people read and type it
        (临政规, not %E4%B8%B4…)."""
        path = urllib.parse.unquote(self.eli_url or doc_url)
        return f"{site_url}/{path}" if site_url else path


@dataclass
class PublishingSettings:
    """The publishing settings (pelicanconf.py); their defaults are in gazette.defaults."""

    pdf: bool = DEFAULTS["GAZETTE_PDF"]                          # GAZETTE_PDF: per-document PDF downloads
    pdf_from_text: bool = DEFAULTS["GAZETTE_PDF_FROM_TEXT"]      # GAZETTE_PDF_FROM_TEXT: one set from the text
    compress: bool = DEFAULTS["GAZETTE_COMPRESS"]                # GAZETTE_COMPRESS: .gz and .br copies
    brotli_quality: int = DEFAULTS["GAZETTE_BROTLI_QUALITY"]     # GAZETTE_BROTLI_QUALITY: 0-11
    validity_feed_days: int = DEFAULTS["GAZETTE_VALIDITY_FEED_DAYS"]  # GAZETTE_VALIDITY_FEED_DAYS
    eli_codes: dict[str, str] = field(default_factory=lambda: dict(DEFAULTS["GAZETTE_ELI_CODES"]))  # GAZETTE_ELI_CODES

    @classmethod
    def from_pelican(cls, settings: dict) -> "PublishingSettings":
        settings = with_defaults(settings)
        return cls(pdf=bool(settings["GAZETTE_PDF"]),
                   pdf_from_text=bool(settings["GAZETTE_PDF_FROM_TEXT"]),
                   compress=bool(settings["GAZETTE_COMPRESS"]),
                   brotli_quality=int(settings["GAZETTE_BROTLI_QUALITY"]),
                   validity_feed_days=int(settings["GAZETTE_VALIDITY_FEED_DAYS"]),
                   eli_codes=dict(settings["GAZETTE_ELI_CODES"] or {}))


class _Computed(dict):
    """slug → value for the slugs `known`, each computed when first asked for (`make(slug)`); a
    slug not known is missing (KeyError, or `get`'s default), as in a dict made whole."""

    def __init__(self, make, known):
        super().__init__()
        self._make, self._known = make, known

    def __missing__(self, slug):
        if slug not in self._known:
            raise KeyError(slug)
        value = self[slug] = self._make(slug)
        return value

    def get(self, slug, default=None):
        return self[slug] if slug in self._known else default


class LinkPlan:
    """Every listed document's publishing links (`links`: slug → DocumentLinks), how its PDF is made
    (`pdf_kinds`: slug → 'scan', 'issue', 'text', for those that get one) and the parts of the short
    addresses (`eli`: slug → parts; unique: the earliest document keeps a number). A document's links
    are worked out when first asked for: the page writer of an edit-one rebuild asks for one."""

    def __init__(self, links, kind_of, slugs, eli: dict[str, tuple[str, str, str]]):
        self.links: dict[str, DocumentLinks] = links
        self.eli = eli
        self._kind_of, self._slugs, self._kinds = kind_of, slugs, None

    @property
    def pdf_kinds(self) -> dict[str, str]:
        if self._kinds is None:
            self._kinds = {slug: kind for slug in self._slugs if (kind := self._kind_of(slug))}
        return self._kinds


def plan_links(model, content_dir: str, settings: PublishingSettings = PublishingSettings()) -> LinkPlan:
    """Every document's links, once per build (each worked out when first asked for)."""
    exists: dict[str, bool] = {}

    def present(rel: str | None) -> bool:
        if not rel or not rel.lower().endswith(".pdf"):
            return False
        if rel not in exists:
            exists[rel] = os.path.isfile(os.path.join(content_dir, rel))
        return exists[rel]

    owners: dict[tuple[str, str, str], str] = {}
    for doc in sorted(model.documents, key=lambda d: (d.date, d.slug)):
        parts = eli_parts(doc.doc_number, settings.eli_codes, doc.date.year)
        if parts:
            owners.setdefault(parts, doc.slug)
    eli = {slug: parts for parts, slug in owners.items()}
    documents = {doc.slug: doc for doc in model.documents}
    kinds: dict[str, str | None] = {}

    def kind_of(slug: str) -> str | None:
        if slug not in kinds:
            doc, kind = documents[slug], None
            if settings.pdf and doc.is_public:
                if present(doc.scan):
                    kind = "scan"
                elif (scan := model.scans.of(doc.gazette)) and scan.may_cut(doc.pages) and present(scan.source):
                    kind = "issue"  # its own pages only, none shared with a document that is not published
                elif settings.pdf_from_text:
                    kind = "text"
            kinds[slug] = kind
        return kinds[slug]

    def links(slug: str) -> DocumentLinks:
        doc, kind = documents[slug], kind_of(slug)
        feeds = []
        for dim in FEED_DIMENSIONS:
            values = doc.issuer if dim == "issuer" else ([getattr(doc, dim)] if getattr(doc, dim) else [])
            feeds += [(dim, v, feed_path(dim, v)) for v in values]
        parts = eli.get(doc.slug)
        return DocumentLinks(
            json_url=document_json_url(doc.slug),
            pdf_url=f"documents/{doc.slug}.pdf" if kind else None,
            # Only a public document's own scan is published (an on-request scan is its full text).
            scan_url=doc.scan if doc.is_public and doc.scan and os.path.isfile(os.path.join(content_dir, doc.scan))
            else None,
            eli_url=urllib.parse.quote(eli_path(parts)) if parts else None,
            feeds=feeds)

    return LinkPlan(_Computed(links, documents), kind_of, list(documents), eli)
