"""Publishing outputs of the built sample site: open data, feeds, permanent identifiers, sitemap,
PDF downloads and precompressed copies, and withheld documents in none of them."""

from __future__ import annotations

import csv
import gzip
import html
import io
import json
import os
import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import brotli
import pypdfium2
import pytest

from conftest import AS_OF, CONTENT
from gazette.archive import iter_content_files, load_archive
from gazette.model import read_document
from gazette.chinese import fold
from gazette.pages import group_url
from gazette.publishing.links import feed_path
from gazette.publishing.opendata import FIELDS

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def archive():
    return load_archive(CONTENT)


@pytest.fixture(scope="module")
def catalogue(sample_site):
    with open(os.path.join(sample_site.output, "catalogue.json"), encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def withheld():
    docs = []
    for path in iter_content_files(CONTENT, "documents"):
        text = open(path, encoding="utf-8").read()
        if re.search(r"^(disclosure|公開屬性|公开属性)\s*[:：]\s*(withheld|不予公開|不予公开)\s*$", text, re.M):
            docs.append(read_document(path))
    assert docs, "the sample archive must hold withheld documents"
    return docs


def read(site, path: str) -> str:
    with open(os.path.join(site.output, path), encoding="utf-8") as f:
        return f.read()


def test_catalogue_lists_every_listed_document_with_the_design_fields(sample_site, archive, catalogue):
    records = {r["slug"]: r for r in catalogue["documents"]}
    assert set(records) == {d.slug for d in archive.documents}
    assert catalogue["count"] == len(archive.documents) and catalogue["as_of"] == AS_OF.isoformat()
    assert catalogue["fields"] == list(FIELDS)
    for doc in archive.documents:
        r = records[doc.slug]
        assert list(r) == list(FIELDS)
        assert (r["title"], r["doc_number"], r["issuer"], r["date"]) == (
            doc.title, doc.doc_number or "", doc.issuer, doc.date.isoformat())
        assert r["url"] == doc.url and os.path.isfile(os.path.join(sample_site.output, r["url"]))
        assert r["disclosure"] == doc.disclosure
    # The effective status is the build's evaluation: the same as the validity report's.
    report = json.loads(read(sample_site, "validity/report.json"))
    for row in report["documents"]:
        assert records[row["slug"]]["status"] == row["status"]
        assert records[row["slug"]]["review_flag"] == row["flag"]


def test_catalogue_csv_holds_the_same_records(sample_site, catalogue):
    rows = list(csv.DictReader(io.StringIO(read(sample_site, "catalogue.csv"))))
    assert [r["slug"] for r in rows] == [r["slug"] for r in catalogue["documents"]]
    for row, record in zip(rows, catalogue["documents"]):
        assert row["issuer"] == ";".join(record["issuer"])
        assert row["status"] == record["status"] and row["title"] == record["title"]


def test_issues_json_lists_every_issue_with_contents_in_page_order(sample_site, archive):
    data = json.loads(read(sample_site, "issues.json"))
    assert [i["key"] for i in data["issues"]] == [i.key for i in archive.issues]
    for issue in data["issues"]:
        pages = [d["pages"] for d in issue["documents"]]
        firsts = [int(re.match(r"\d+", p).group()) for p in pages if p]
        assert firsts == sorted(firsts)
        assert os.path.isfile(os.path.join(sample_site.output, issue["url"]))


def test_each_document_page_has_its_json_next_to_it(sample_site, archive):
    for doc in archive.documents:
        data = json.loads(read(sample_site, f"documents/{doc.slug}.json"))
        assert data["slug"] == doc.slug and data["title"] == doc.title
        if doc.is_public:
            first_line = next(line for line in doc.body.splitlines() if line.strip())
            assert first_line.strip()[:10] in data["text"]
        else:  # on request: catalogue entry only, never the text
            assert data["text"] == "" and data["pdf_url"] == ""
        page = read(sample_site, doc.url)
        assert f'href="../documents/{doc.slug}.json"' in page


def _feed(site, path):
    root = ET.parse(os.path.join(site.output, path)).getroot()
    return root, [e.find(f"{ATOM}link").get("href") for e in root.findall(f"{ATOM}entry")]


def test_feeds_per_issuer_type_and_subject_list_their_documents(sample_site, archive):
    doc = next(d for d in archive.documents if d.is_public and d.issuer and d.doc_type and d.category)
    page = read(sample_site, doc.url)
    for dim, value in (("issuer", doc.issuer[0]), ("doc_type", doc.doc_type), ("category", doc.category)):
        path = feed_path(dim, value)
        root, links = _feed(sample_site, path)
        # Groups join both scripts: 臨瀾市財政局 and 临澜市财政局 are one issuer.
        members = [d for d in archive.documents
                   if fold(value) in [fold(v) for v in (d.issuer if dim == "issuer" else [getattr(d, dim)])]]
        assert links == [f"../../{d.url}" for d in members][:50]
        assert root.find(f"{ATOM}title").text.endswith(fold(value))
        # Linked from the document page (head and body) and from the group's listing page.
        assert page.count(f'href="../{path}"') == 2
        listing = read(sample_site, group_url(dim, value))
        assert f'type="application/atom+xml" title="{html.escape(value)}" href="../../{path}"' in listing


def test_validity_feed_lists_recent_expiries_repeals_and_overdue_reviews(sample_site, catalogue):
    root, links = _feed(sample_site, "feeds/validity.atom.xml")
    records = {r["url"]: r for r in catalogue["documents"]}
    assert links, "the sample archive has validity changes in the last two years"
    for entry, link in zip(root.findall(f"{ATOM}entry"), links):
        record = records[link.removeprefix("../")]
        assert record["status"] in ("expired", "repealed") or record["review_flag"] == "overdue"
        updated = entry.find(f"{ATOM}updated").text[:10]
        assert "2024-11-22" <= updated <= AS_OF.isoformat()
    updated = [e.find(f"{ATOM}updated").text for e in root.findall(f"{ATOM}entry")]
    assert updated == sorted(updated, reverse=True)
    # An automatic expiry is dated the day after its `expires` date.
    expired = [r for r in catalogue["documents"] if r["status"] == "expired" and r["expires"]
               and "2024-11-22" <= r["expires"] < AS_OF.isoformat()]
    for r in expired:
        assert f"../{r['url']}" in links
    assert 'href="../feeds/validity.atom.xml"' in read(sample_site, "validity/index.html")


def test_sitemap_has_every_document_with_lastmod_and_robots_points_to_it(sample_site, archive):
    root = ET.parse(os.path.join(sample_site.output, "sitemap.xml")).getroot()
    entries = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod").text for u in root.findall(f"{SITEMAP}url")}
    for doc in archive.documents:
        assert doc.url in entries
        assert doc.date.isoformat() <= entries[doc.url] <= AS_OF.isoformat()
    assert not any(loc.startswith("eli/") for loc in entries), "redirect pages are not indexed"
    assert "index.html" in entries and "pages/about.html" in entries
    # every static page Pelican wrote (the publishing child, started before Pelican read them, lists
    # them from the archive)
    written = {f"pages/{n}" for n in os.listdir(os.path.join(sample_site.output, "pages")) if n.endswith(".html")}
    assert written and written <= set(entries)
    assert "Sitemap: sitemap.xml" in read(sample_site, "robots.txt")


@pytest.mark.browser
def test_short_permanent_address_redirects_to_the_document(site_url, catalogue, page):
    record = next(r for r in catalogue["documents"] if r["eli_url"])
    assert record["eli_url"].startswith("eli/")
    page.goto(site_url + record["eli_url"])
    page.wait_for_url(re.compile(re.escape(record["url"]) + "$"))
    assert page.locator("h1").inner_text() == record["title"]
    # And the document page shows it as its permanent link.
    doc_page = urllib.request.urlopen(site_url + record["url"]).read().decode()
    assert f'href="../{record["eli_url"]}index.html" rel="bookmark"' in doc_page


def test_pdf_download_of_each_public_document(sample_site, archive, catalogue):
    records = {r["slug"]: r for r in catalogue["documents"]}
    cut_from_scan = stamped = 0
    stamp_day = f"{AS_OF.year}年{AS_OF.month}月{AS_OF.day}日"
    for doc in archive.documents:
        if not doc.is_public:
            assert not os.path.exists(os.path.join(sample_site.output, "documents", f"{doc.slug}.pdf"))
            continue
        assert records[doc.slug]["pdf_url"] == f"documents/{doc.slug}.pdf"
        pdf = pypdfium2.PdfDocument(os.path.join(sample_site.output, records[doc.slug]["pdf_url"]))
        pages = [re.sub(r"\s+", "", p.get_textpage().get_text_range()) for p in pdf]
        text = "".join(pages)
        title = re.sub(r"\s+", "", doc.title)
        assert title[:8] in text, doc.slug
        # Not in force: its status and the date of the stamp on every page; in force: no stamp.
        record = records[doc.slug]
        if record["status"] in ("in_force", "amended"):
            assert "有效性标注日期" not in text, doc.slug
        else:
            stamped += 1
            for n, page_text in enumerate(pages, 1):
                assert record["status_label"] in page_text and f"有效性标注日期：{stamp_day}" in page_text, (doc.slug, n)
        if doc.pages:
            first, _, last = doc.pages.partition("-")
            if len(pdf) == int(last or first) - int(first) + 1:
                cut_from_scan += 1
        page = read(sample_site, doc.url)
        assert f'href="../documents/{doc.slug}.pdf"' in page
    assert cut_from_scan >= 10, "documents printed in a scanned issue are cut from that scan"
    assert stamped >= 8, "the sample's repealed, expired and not yet effective documents are stamped"


def test_precompressed_copies_match_their_sources(sample_site):
    checked = 0
    for dirpath, _, files in os.walk(sample_site.output):
        for name in files:
            if not name.endswith((".html", ".json", ".xml", ".css", ".js", ".csv")):
                continue
            path = os.path.join(dirpath, name)
            data = open(path, "rb").read()
            if len(data) < 256:
                continue
            with open(path + ".gz", "rb") as f:
                assert gzip.decompress(f.read()) == data, path
            with open(path + ".br", "rb") as f:
                assert brotli.decompress(f.read()) == data, path
            checked += 1
    assert checked > 100


def test_withheld_documents_are_in_no_publishing_output(sample_site, withheld):
    needles = []
    for doc in withheld:
        for s in filter(None, (doc.title, doc.doc_number, doc.slug)):
            needles += [s, html.escape(s), urllib.parse.quote(s), json.dumps(s)[1:-1]]
    paths = ["catalogue.json", "catalogue.csv", "issues.json", "sitemap.xml", "robots.txt"]
    # works/: the stable pages of works; validity/: the report and the annual-report tables
    for sub in ("feeds", "eli", "documents", "works", "validity"):
        for dirpath, _, files in os.walk(os.path.join(sample_site.output, sub)):
            paths += [os.path.relpath(os.path.join(dirpath, f), sample_site.output) for f in files
                      if f.endswith((".xml", ".json", ".html", ".csv"))]
    assert len(paths) > 150
    assert "works/chengshi-lvhua.html" in paths and "validity/annual-2024.json" in paths
    assert "validity/annual-2024.csv" in paths and "validity/annual.html" in paths
    for path in paths:
        text = read(sample_site, path)
        for needle in needles:
            assert needle not in text, f"withheld {needle!r} in {path}"
    for doc in withheld:
        for ext in ("html", "json", "pdf"):
            assert not os.path.exists(os.path.join(sample_site.output, "documents", f"{doc.slug}.{ext}"))
