"""The archivist's manifest: a CSV naming, per source, the issue and its documents.

Columns (English keys or their Chinese aliases, as in content headers):
`source` (file name or path of the source), `issue` (key such as 2017-01), `year`, `number`,
`serial`, `issue_date`, then per document `title`, `pages` (PDF pages, e.g. 3-7) and any
document metadata (`doc_number`, `issuer`, `date`, `signed`, `disclosure`, `validity`, …).
A row without `pages` gives metadata for a whole single-document source.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

from .. import metadata as md
from ..model import DISCLOSURE_ALLOWED, PAGES_EXPECTED, VALIDITY_ALLOWED, parse_pages
from . import recognise as rc

SPECIAL = {"source": "source", "来源文件": "source", "來源文件": "source", "文件": "source", "file": "source",
           "issue": "issue", "公报": "issue", "issue_date": "issue_date", "出版日期": "issue_date",
           "issue_title": "issue_title"}
DATE_KEYS = ("date", "signed", "effective", "expires", "reviewed", "issue_date")
ISSUE_KEYS = ("issue", "year", "number", "serial", "issue_date", "issue_title")


@dataclass
class ManifestRow:
    line: int
    source: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def page_range(self) -> tuple[int, int] | None:
        return parse_pages(self.values.get("pages", ""))


@dataclass
class Manifest:
    path: str
    rows: list[ManifestRow] = field(default_factory=list)
    errors: list[md.MetadataError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def rows_for(self, identity: str, path: str) -> list[ManifestRow]:
        """Rows whose `source` names this source: its path, its identity, or the end of either."""
        out = []
        norm_path = os.path.abspath(path).replace(os.sep, "/")
        for r in self.rows:
            s = r.source.replace("\\", "/").strip("/")
            if s and (identity == s or identity.endswith("/" + s) or norm_path.endswith("/" + s)):
                out.append(r)
        return out


def _column_key(name: str) -> str | None:
    n = name.strip().lstrip("\ufeff")
    low = n.lower()
    if low in SPECIAL or n in SPECIAL:
        return SPECIAL.get(low) or SPECIAL[n]
    return md.canonical_key(n)


def _check(key: str, value: str) -> tuple[str, str | None, str | None]:
    """(normalised value, problem, expected)."""
    if key in DATE_KEYS:
        try:
            return md.parse_date(value).isoformat(), None, None
        except ValueError:
            d = rc.parse_any_date(value)
            if d:
                return d.isoformat(), None, None
            return value, md.not_a_date(value), md.DATE_EXPECTED
    if key == "disclosure":
        try:
            return md.parse_disclosure(value), None, None
        except ValueError:
            return value, md.not_allowed(value), md.one_of(DISCLOSURE_ALLOWED)
    if key == "validity":
        try:
            return md.parse_validity(value), None, None
        except ValueError:
            return value, md.not_allowed(value), md.one_of(VALIDITY_ALLOWED)
    if key == "pages" and not parse_pages(value):
        return value, f"{md.quoted(value)} 不是页码范围", PAGES_EXPECTED
    if key in ("year", "number", "serial") and not value.isdigit():
        return value, md.not_a_number(value), md.NUMBER_EXPECTED
    if key == "script" and value not in md.SCRIPTS:
        return value, md.not_allowed(value), "zh-Hans 或 zh-Hant"
    return value, None, None


def load_manifest(path: str) -> Manifest:
    """Read and check a manifest; every bad cell is reported as `path:line: column: problem`."""
    man = Manifest(path=path)
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        try:
            header = next(reader)
        except StopIteration:
            man.errors.append(md.MetadataError(path, 1, "header", "文件为空", "由列名组成的表头行"))
            return man
        keys = []
        for name in header:
            key = _column_key(name)
            if key is None and name.strip():
                man.ignored_columns.append(name.strip())
            keys.append(key)
        if "source" not in keys:
            man.errors.append(md.MetadataError(path, 1, "source", "缺少此列",
                                               "写明每行所述文件的 source 列"))
            return man
        for row in reader:
            line = reader.line_num
            if not any(c.strip() for c in row):
                continue
            values: dict[str, str] = {}
            bad = False
            for key, cell in zip(keys, row):
                cell = cell.strip()
                if key is None or not cell:
                    continue
                value, problem, expected = _check(key, cell)
                if problem:
                    man.errors.append(md.MetadataError(path, line, key, problem, expected))
                    bad = True
                values[key] = value
            if "scan" in values and "pages" in values:
                # A document of an issue is cut from the issue's scan by its pages; naming a scan as
                # its own would publish that whole file (the issue's: every document in it, withheld
                # ones too) as the document's original.
                man.errors.append(md.MetadataError(path, line, "scan", "有 pages 的行是一期公报中的文件，不能另给 scan",
                                                   "只写 pages：文件的页从该期的扫描件中截取"))
                bad = True
            source = values.pop("source", "")
            if not source:
                man.errors.append(md.MetadataError(path, line, "source", "值为空", "本行所述的文件"))
                bad = True
            if not bad:
                man.rows.append(ManifestRow(line=line, source=source, values=values))
    return man
