"""The built sample site, served over HTTP from a sub-path, read as a citizen's browser would."""

from __future__ import annotations

import bz2
import gzip
import html
import os
import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
import zlib

import pytest
from click.testing import CliRunner

from conftest import AS_OF, CONTENT, without_line_spans
from gazette.archive import issue_contents, iter_content_files, load_archive
from gazette.cli import cli
from gazette.model import read_document

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url) as r:
        return r.status, r.read(), r.headers.get("Content-Type", "")


def get_html(url: str) -> str:
    status, body, _ = fetch(url)
    assert status == 200
    return without_line_spans(body.decode("utf-8"))


@pytest.fixture(scope="module")
def archive():
    return load_archive(CONTENT)


def test_home_shows_latest_issue_documents_and_search_box(site_url, archive):
    page = get_html(site_url)
    latest = archive.issues[0]
    assert latest.display_title in page
    assert f'href="./{latest.url}"' in page
    assert 'action="./search.html"' in page and 'name="q"' in page
    for doc in archive.documents[:5]:
        assert html.escape(doc.title) in page


def test_issue_page_lists_contents_in_page_order_with_scan_download(site_url, archive):
    toc = issue_contents(archive)
    issue = next(i for i in archive.issues if len(toc[i.key]) >= 2)
    page = get_html(site_url + issue.url)
    positions = [page.index(html.escape(d.title)) for d in toc[issue.key]]
    assert positions == sorted(positions), "table of contents must follow page order"
    assert [d.first_page for d in toc[issue.key]] == sorted(d.first_page for d in toc[issue.key])
    assert "目录" in page
    scan = re.search(r'href="\.\./(scans/[^"]+\.pdf)" download', page).group(1)
    status, body, ctype = fetch(site_url + scan)
    assert status == 200 and body.startswith(b"%PDF") and "pdf" in ctype


def test_issue_archive_goes_back_to_the_first_issue(site_url, archive):
    page = get_html(site_url + "issues/index.html")
    for issue in archive.issues:
        assert f'href="../{issue.url}"' in page
    first = min(archive.issues, key=lambda i: i.date)
    assert f"{first.year}年" in page


def test_document_page_has_metadata_table_text_and_validity(site_url, archive):
    doc = next(d for d in archive.documents if d.is_public and d.doc_number and d.gazette and d.index_no)
    page = get_html(site_url + doc.url)
    table = page[page.index('<table class="meta-table"'):page.index("</table>", page.index('<table class="meta-table"'))]
    for label in ("索引号", "主题分类", "发文机关", "成文日期", "标题", "文号", "发布日期", "有效性"):
        assert f"<th scope=\"row\">{label}</th>" in table
    assert html.escape(doc.doc_number) in table and doc.index_no in table
    assert f'<html lang="{doc.script}">' in page
    first_line = next(line for line in doc.body.splitlines() if line.strip() and not line.startswith("#"))
    assert html.escape(first_line.strip()[:12]) in page
    assert 'class="badge status-' in page and "data-validity-badge" in page
    assert '"@type": "Legislation"' in page


def test_document_links_to_what_it_supersedes_and_back(site_url, archive):
    from gazette.archive import link_documents

    links = link_documents(archive)
    slug, rel = next((s, l) for s, l in links.items() if l.superseded_by)
    old = next(d for d in archive.documents if d.slug == slug)
    new = rel.superseded_by[0]
    old_page = get_html(site_url + old.url)
    assert f'href="../{new.url}"' in old_page and "banner-superseded" in old_page
    new_page = get_html(site_url + new.url)
    assert f'href="../{old.url}"' in new_page


def test_on_request_document_is_a_catalogue_entry_without_text(site_url, archive):
    doc = next(d for d in archive.documents if d.disclosure == "on_request")
    page = get_html(site_url + doc.url)
    assert html.escape(doc.title) in page and "依申请公开指南" in page
    body_lines = [l.strip() for l in doc.body.splitlines() if len(l.strip()) > 15]
    assert body_lines, "sample on-request documents should have a body to hide"
    for line in body_lines:
        assert html.escape(line) not in page


def test_browse_pages_and_in_force_catalogue(site_url, archive):
    browse = get_html(site_url + "browse/index.html")
    for label in ("按年度", "按发文机关", "按文种", "按主题分类"):
        assert label in browse
    links = [l for l in re.findall(r'href="\.\./(browse/[^"]+\.html)"', browse) if not l.endswith("index.html")]
    assert len(links) >= 8
    for link in links[:6]:
        assert "doc-list" in get_html(site_url + link)
    catalogue = get_html(site_url + "catalogue.html")
    assert "现行有效目录" in catalogue
    assert "status-repealed" not in catalogue and "status-expired" not in catalogue


def test_feeds_are_valid_atom_with_documents_and_issues(site_url, archive):
    for path, expected in (("feeds/documents.atom.xml", archive.documents[0].title),
                           ("feeds/issues.atom.xml", archive.issues[0].display_title)):
        status, body, _ = fetch(site_url + path)
        root = ET.fromstring(body)
        assert root.tag == f"{ATOM}feed"
        titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
        assert expected in titles
        for entry in root.findall(f"{ATOM}entry"):
            href = entry.find(f"{ATOM}link").get("href")
            assert fetch(urllib.parse.urljoin(site_url + path, href))[0] == 200


def test_every_internal_link_resolves(site_url, sample_site):
    seen, queue, broken = set(), ["index.html"], []
    while queue:
        rel = queue.pop()
        if rel in seen:
            continue
        seen.add(rel)
        path = os.path.join(sample_site.output, rel)
        if not os.path.isfile(path):
            broken.append(rel)
            continue
        if not rel.endswith(".html"):
            continue
        text = open(path, encoding="utf-8").read()
        for href in re.findall(r'(?:href|src)="([^"#?]+)', text):
            if href.startswith(("http:", "https:", "mailto:")):
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(rel), urllib.parse.unquote(href)))
            assert not target.startswith(".."), f"{rel} links outside the site: {href}"
            queue.append(target.replace(os.sep, "/"))
    assert not broken, f"broken links: {broken[:10]}"
    assert len(seen) > 60


def test_pages_have_no_external_requests(sample_site):
    for dirpath, _, files in os.walk(sample_site.output):
        for name in files:
            if name.endswith((".html", ".css")):
                text = open(os.path.join(dirpath, name), encoding="utf-8").read()
                assert not re.search(r'(?:src|href)="(?:https?:)?//', text.replace('href="https://schema.org', "")), name
                assert "@import url(http" not in text and "fonts.googleapis" not in text


def _decoded_variants(path: str) -> list[bytes]:
    data = open(path, "rb").read()
    out = [data]
    if path.endswith(".gz") or data[:2] == b"\x1f\x8b":  # also the search index's gzip files
        out.append(gzip.decompress(data))
    if path.endswith(".br"):
        import brotli  # noqa: PLC0415 - only when a .br exists

        out.append(brotli.decompress(data))
    if path.endswith(".bz2"):
        out.append(bz2.decompress(data))
    if data.startswith(b"%PDF"):
        for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
            try:
                out.append(zlib.decompress(m.group(1)))
            except zlib.error:
                pass
        import pypdfium2

        pdf = pypdfium2.PdfDocument(path)
        out.append("".join(p.get_textpage().get_text_range() for p in pdf).encode("utf-8"))
    return out


def test_withheld_documents_appear_in_no_output_file(sample_site):
    withheld = []
    for path in iter_content_files(CONTENT, "documents"):
        text = open(path, encoding="utf-8").read()
        if re.search(r"^(disclosure|公開屬性|公开属性)\s*[:：]\s*(withheld|不予公開|不予公开)\s*$", text, re.M):
            withheld.append(read_document(path))
    assert len(withheld) >= 1, "the sample archive must hold withheld documents to test this"
    needles = []
    for doc in withheld:
        for s in filter(None, (doc.title, doc.doc_number, doc.slug)):
            for form in {s, html.escape(s), s.encode("unicode_escape").decode("ascii")}:
                needles.append(form.encode("utf-8"))
    checked = 0
    for dirpath, _, files in os.walk(sample_site.output):
        for name in files:
            path = os.path.join(dirpath, name)
            for blob in _decoded_variants(path):
                for needle in needles:
                    assert needle not in blob, f"withheld {needle.decode()!r} found in {path}"
            checked += 1
    assert checked > 50
    assert any(dirpath.endswith(os.path.join("search-index", "x")) for dirpath, _, _ in os.walk(sample_site.output)), \
        "the search index must be among the files checked"


def test_broken_metadata_stops_the_build_with_located_error(tmp_path):
    content = tmp_path / "content"
    (content / "documents").mkdir(parents=True)
    (content / "documents" / "ok.md").write_text("title: 通知\ndate: 2024-01-02\n\n正文\n", encoding="utf-8")
    (content / "documents" / "bad.md").write_text("title: 通知\ndate: 2024-01-02\nvalidity: 作废\n\n正文\n",
                                                   encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["build", "--content", str(content), "--output", str(tmp_path / "out"),
                                 "--as-of", "2024-06-01"])
    assert result.exit_code == 1
    assert "content/documents/bad.md:3: validity: '作废' 不是可用的值（应为以下之一：in_force" in result.output
    assert not (tmp_path / "out" / "documents" / "ok.html").exists()

    result = runner.invoke(cli, ["build", "--content", str(content), "--output", str(tmp_path / "out"),
                                 "--as-of", "2024-06-01", "--lenient"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "documents" / "ok.html").exists()
    assert not (tmp_path / "out" / "documents" / "bad.html").exists()
    assert "documents/bad.md" in result.output.split("已跳过")[1]


def test_traditional_site_labels_by_setting(tmp_path):
    from gazette.build import build_site

    content = tmp_path / "content"
    (content / "documents").mkdir(parents=True)
    (content / "documents" / "a.md").write_text("title: 通知\ndate: 2024-01-02\n\n正文\n", encoding="utf-8")
    build_site(str(content), str(tmp_path / "out"), as_of=AS_OF, extra_settings={"SITE_SCRIPT": "zh-Hant"})
    page = (tmp_path / "out" / "documents" / "a.html").read_text(encoding="utf-8")
    from gazette.labels import localise

    assert localise("发布日期", "zh-Hant") in page and "发布日期" not in page
    assert "现行有效目录" not in page and "現行有效目錄" in page


def test_every_option_of_every_command_has_help():
    import click

    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, path + [name])

    undocumented = [(" ".join(path), p.opts) for path, command in walk(cli, [])
                    for p in command.params if isinstance(p, click.Option) and not (p.help or "").strip()]
    assert not undocumented
    help_text = CliRunner().invoke(cli, ["build", "--help"]).output
    assert re.search(r"--lenient\s+\S", help_text)  # and --help shows it beside the option


def test_scans_of_withheld_and_on_request_documents_are_not_published(tmp_path):
    from gazette.build import build_site

    content = tmp_path / "content"
    (content / "documents").mkdir(parents=True)
    (content / "scans").mkdir()
    for name in ("public", "secret", "asked", "stray"):
        (content / "scans" / f"{name}.pdf").write_bytes(b"%PDF-1.4\n% " + name.encode() + b"\n%%EOF\n")
    for slug, disclosure in (("pub", "public"), ("sec", "withheld"), ("ask", "on_request")):
        name = {"pub": "public", "sec": "secret", "ask": "asked"}[slug]
        (content / "documents" / f"{slug}.md").write_text(
            f"title: 文件{slug}\ndate: 2024-01-02\ndisclosure: {disclosure}\nscan: scans/{name}.pdf\n\n正文\n",
            encoding="utf-8")
    out = tmp_path / "out"
    build_site(str(content), str(out), as_of=AS_OF)
    published = sorted(p.name for p in (out / "scans").iterdir()) if (out / "scans").exists() else []
    assert published == ["public.pdf"]
    assert "scans/asked.pdf" not in (out / "documents" / "ask.html").read_text(encoding="utf-8")
