"""Search records: what each listed document contributes to the search indexes.

One record per document the site lists. Public documents bring their full text;
on-request documents bring catalogue data only (title, number, issuer, date). Withheld
documents never reach the site model, so they can never reach a record.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field

from ..chinese import fold
from ..labels import FLAG_LABELS, STATUS_LABELS, localise
from ..render import text_digest, to_text
from ..validity import review_standing
from ..site import SiteModel
from ..textrules import chinese_digits, chinese_numeral
from .normalise import doc_number_key

# Bumped whenever what a record holds (or how it is indexed) changes, so that incremental
# updates re-index everything once.
RECORD_VERSION = 5


def fields_hash(record: "SearchRecord", *head, leave_out: tuple[str, ...] = ()) -> str:
    """SHA-256 of `head` and a record's fields (but `leave_out`): the fields as JSON (as asdict gives
    them: strings, booleans, lists of strings; vars() without its deep copies), then, after a NUL
    (which no JSON holds), the SHA-256 of the body (`SearchRecord.text_digest`: the render cache
    knows it, so an unchanged record is keyed without its text being read)."""
    fields_ = {k: v for k, v in vars(record).items() if k[0] != "_" and k != "body" and k not in leave_out}
    h = hashlib.sha256(json.dumps([*head, fields_], ensure_ascii=False, sort_keys=True).encode("utf-8"))
    h.update(b"\0" + record.text_digest())
    return h.hexdigest()


@dataclass
class SearchRecord:
    slug: str
    url: str
    title: str
    date: str  # ISO date
    doc_number: str = ""
    issuer: list[str] = field(default_factory=list)
    doc_type: str = ""
    category: str = ""
    index_no: str = ""
    status: str = "in_force"
    flag: str = ""  # "" when the document is not under review
    disclosure: str = "public"
    script: str = "zh-Hans"
    # Plain text in original characters; empty for on-request documents. A record of `iter_records`
    # reads it when first asked (`read_later`): the default is a factory so that the class has no
    # attribute `body` and a record without one in its __dict__ comes to __getattr__.
    body: str = field(default_factory=str)
    # versions of one work (gazette/history.py): the work's id, whether this is its current version
    # at the build's as-of date, and the slug of that current version
    work: str = ""
    is_current_version: bool = True
    current_version: str = ""
    # "document", or "issue": a gazette issue, found by its name (2024年第1期, 总第7期), its page the result
    kind: str = "document"
    # other names the record is found by (an issue's 2024年1期, 总第7期, 2024-01); searched like metadata
    aliases: list[str] = field(default_factory=list)

    def __getattr__(self, name: str):
        later = self.__dict__.get("_later")
        if name == "body" and later is not None:
            body = self.__dict__["body"] = later[0]()
            return body
        raise AttributeError(name)

    def __getstate__(self) -> dict:
        return {**{k: v for k, v in vars(self).items() if k != "_later"}, "body": self.body}

    def read_later(self, read, facts: tuple[bytes, int]) -> "SearchRecord":
        """Read the body (`read()`) when first asked; meanwhile `facts` (its text_digest and length)
        stand for it: the indexes key every record, but read only the text of those that changed."""
        self.__dict__.pop("body", None)
        self._later = (read, *facts)
        return self

    def _known(self, fact: int):
        later = self.__dict__.get("_later")
        return later[fact] if later is not None and "body" not in self.__dict__ else None

    def text_digest(self) -> bytes:
        """render.text_digest of the body."""
        known = self._known(1)
        return known if known is not None else text_digest(self.body)

    @property
    def text_length(self) -> int:
        """len(self.body)."""
        known = self._known(2)
        return known if known is not None else len(self.body)

    @property
    def year(self) -> str:
        return self.date[:4]

    @property
    def number_key(self) -> str:
        return doc_number_key(self.doc_number) if self.doc_number else ""

    def content_hash(self) -> str:
        """Changes whenever anything indexed about the document changes."""
        return fields_hash(self, RECORD_VERSION)

    def filters(self, site_script: str = "zh-Hans") -> dict[str, list[str]]:
        """Filter values as the reader sees them: labels in the site's script, mixed spellings merged."""
        def label(value: str) -> str:
            return localise(fold(value), site_script)

        if self.kind == "issue":
            return {"year": [self.year], "doc_type": [label("公报")]}
        out = {
            "year": [self.year],
            "issuer": [label(i) for i in self.issuer] or [label("未注明")],
            "doc_type": [label(self.doc_type or "未注明")],
            "category": [label(self.category or "未注明")],
            "status": [localise(STATUS_LABELS[self.status], site_script)],
        }
        if self.flag:
            out["flag"] = [localise(FLAG_LABELS[self.flag], site_script)]
        return out


def records_from_site(site: SiteModel) -> list[SearchRecord]:
    """A record for every document the site lists, newest first, then one for every issue."""
    return list(iter_records(site))


def iter_records(site: SiteModel):
    """`records_from_site` one at a time: a consumer that does not keep them (the command-line
    index) never holds every document's text at once."""
    for doc in site.documents:
        if not doc.is_listed:  # defence in depth: the loader already drops withheld documents
            continue
        ev = site.evaluation(doc)
        record = SearchRecord(
            slug=doc.slug,
            url=doc.url,
            title=doc.title,
            date=doc.date.isoformat(),
            doc_number=doc.doc_number or "",
            issuer=list(doc.issuer),
            doc_type=doc.doc_type or "",
            category=doc.category or "",
            index_no=doc.index_no or "",
            status=ev.status,
            # what people read: never reviewed and not yet due is 未到清理期, not 已按期清理
            flag=review_standing(ev.flag, doc.reviewed),
            disclosure=doc.disclosure,
            script=doc.script,
            work=doc.work or "",
            is_current_version=site.is_current_version(doc),
            current_version=site.work_of(doc).current(site.as_of).doc.slug if site.work_of(doc) else "",
        )
        facts = site.text_facts(doc)
        if facts is None:
            record.body = site.text_of(doc)
        else:
            record.read_later(functools.partial(site.text_of, doc), facts)
        yield record
    for issue in site.issues:
        yield issue_record(issue)


def issue_record(issue) -> SearchRecord:
    """An issue as a search result: found by its name in the ways people write it. Its text is the
    issue's own note (its page shows it), never the contents list: that is made of the documents'
    own records, and naming a document here would outlive the document being withheld."""
    number, year = chinese_numeral(issue.number), chinese_digits(issue.year)
    names = [f"{issue.year}年第{issue.number}期", f"{issue.year}年{issue.number}期", issue.key,
             f"{issue.year}年第{number}期", f"{year}年第{number}期"]  # as mastheads write it: 二〇二四年第一期
    if issue.serial:
        names += [f"总第{issue.serial}期", f"总第{chinese_numeral(issue.serial)}期"]
    return SearchRecord(
        slug=f"issue-{issue.key}",
        url=issue.url,
        title=issue.display_title,
        date=issue.date.isoformat(),
        doc_type="公报",
        status="in_force",
        body=to_text(issue.body) if issue.body else "",
        kind="issue",
        aliases=names,
    )
