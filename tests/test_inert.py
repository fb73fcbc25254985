"""Inert output (issue 12): link targets judged after entity decoding against an allow-list of
schemes, JSON inside <script> with <, >, & escaped, no XML-invalid character in any XML, and no
CSV cell a spreadsheet would evaluate — each rule in gazette/inert.py, used by every writer."""

from __future__ import annotations

import csv
import io
import json
import re
import textwrap
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from gazette.inert import csv_cell, csv_text, safe_url, script_json, xml_attr, xml_escape

# Every disguise of a script-capable URL a browser would still run (or that is no URL at all).
UNSAFE_URLS = [
    "javascript:alert(1)", "JaVaScRiPt:alert(2)", "java&#9;script:alert(4)", "java&NewLine;script:alert(5)",
    "\x01javascript:alert(6)", " \x00javascript:alert(7)", "java\tscript:alert(8)", "java\nscript:alert(9)",
    "jav&#x0A;ascript:alert(10)", "&#106;avascript:alert(11)", "&#x6A;&#x61;vascript:alert(12)",
    "java&amp;#9;script:alert(13)", "java script:alert(14)", "vbscript:msgbox(1)", "data:text/html,<script>",
    "DATA:image/svg+xml;base64,PHN2Zz4=", "file:///etc/passwd", "java\x00script:alert(15)", "&Tab;javascript:x",
    "javascript&colon;alert(16)", "livescript:x", "&#0000106avascript:alert(17)", "jav&#x09;ascript:alert(18)",
    "javascript&#58;alert(19)", "JAVASCRIPT:alert(20)", "\u00a0javascript:alert(21)", "java\u200bscript:alert(22)",
    "%20javascript:alert(23)", "javascript\x00:alert(24)", "blob:https://example.org/x", "ftp://example.org/x",
]
# As they can be written in a Markdown link target (raw spaces and line ends end the target there).
MARKDOWN_URLS = [u for u in UNSAFE_URLS if "\n" not in u and " " not in u]
# As they can be written in a Markdown link target (raw spaces and line ends end the target there).
MARKDOWN_URLS = [u for u in UNSAFE_URLS if "\n" not in u and " " not in u]
SAFE_URLS = ["http://example.org/a?b=1", "HTTPS://example.org", "mailto:office@example.gov.cn", "tel:+86-10-1234",
             "#section-2", "../documents/a.html", "./b.html", "/scans/x.pdf", "page.html", "?q=1", "a/b:c.html",
             "//example.org/x", ""]


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_script_capable_urls_are_refused(url):
    assert not safe_url(url)


@pytest.mark.parametrize("url", SAFE_URLS)
def test_allowed_schemes_and_relative_references_pass(url):
    assert safe_url(url)


@pytest.mark.parametrize("url", MARKDOWN_URLS)
def test_rendered_markdown_drops_every_disguised_url(url):
    from gazette.render import to_html

    html = to_html(f"[链接]({url}) ![图]({url})\n\n[参考][r]\n\n[r]: {url}\n")
    assert "href" not in html and "src" not in html, html


def test_rendered_markdown_keeps_safe_links():
    from gazette.render import to_html

    html = to_html("[甲](https://example.org/a) [乙](../documents/b.html) [丙](#p2) [丁](mailto:a@example.org)")
    for href in ("https://example.org/a", "../documents/b.html", "#p2", "mailto:a@example.org"):
        assert f'href="{href}"' in html


@pytest.mark.parametrize("url", MARKDOWN_URLS)
def test_imported_markdown_neutralises_every_disguised_url(url):
    from gazette.importer.boilerplate import safe_markdown

    out = safe_markdown(f"正文[链接]({url})。\n\n[r]: {url}\n")
    assert url.split("(")[0] not in out and re.search(r"\]\(\s*#", out) and "[r]: #" in out, out


def test_imported_markdown_keeps_safe_links():
    from gazette.importer.boilerplate import safe_markdown

    text = "见[通知](https://example.gov.cn/a.html)和[附件](../b.html \"附件\")。\n\n[r]: mailto:a@example.org\n"
    assert safe_markdown(text) == text


def test_script_json_cannot_end_or_comment_the_script_element():
    data = {"name": "<!--<script>x</script>&\u2028\u2029", "n": ["</SCRIPT>"]}
    text = script_json(data, indent=1)
    assert not any(c in text for c in "<>&\u2028\u2029")
    assert json.loads(text) == data


def test_xml_writers_drop_invalid_characters():
    bad = "标题\x00\x01\x08\x0b\x0c\x1f\ufffe\uffff\ud800尾\t\n"
    assert xml_escape(bad + "<&>") == "标题尾\t\n&lt;&amp;&gt;"
    ET.fromstring(f"<a b={xml_attr(bad)}>{xml_escape(bad)}</a>")


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil.example\",\"点击\")", "+1+2", "-2+3", "@SUM(A1)",
                                  "\tx", "\rx", "=1"])
def test_formula_cells_are_neutralised(cell):
    expected = "'" + cell.replace("\r", "\n")
    assert csv_cell(cell) == expected
    rows = list(csv.reader(io.StringIO(csv_text(["a", "b"], [[cell, "后"]]), newline="")))
    assert rows == [["a", "b"], [expected, "后"]]


@pytest.mark.parametrize("cell", ["临政规〔2024〕1号", "", 3, None, "a=b", "2024-01-01"])
def test_ordinary_cells_are_kept(cell):
    assert csv_cell(cell) == cell


FORMULA_DOC = """\
title: =HYPERLINK("http://evil.example","点此")
date: 2024-03-01
doc_number: @SUM(1+1)
issuer: -2+3
doc_type: +规范性文件
category: =cmd|' /C calc'!A0

正文。
"""


@pytest.fixture
def formula_archive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    content = tmp_path / "content"
    (content / "documents").mkdir(parents=True)
    (content / "documents" / "formula.md").write_text(FORMULA_DOC, encoding="utf-8")
    return content


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _assert_inert(cells: list[str]) -> None:
    assert cells
    for c in cells:
        assert not c.startswith(("=", "+", "-", "@", "\t", "\r")), c


def test_check_csv_neutralises_formulas(formula_archive):
    from gazette.cli import cli

    result = CliRunner().invoke(cli, ["check", "--as-of", "2026-11-22", "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    cells = _cells(result.stdout)
    _assert_inert(cells)
    assert "'=HYPERLINK(\"http://evil.example\",\"点此\")" in cells and "'@SUM(1+1)" in cells


def test_catalogue_csv_neutralises_formulas(formula_archive, tmp_path):
    import datetime as dt

    from gazette.archive import load_archive
    from gazette.project import load_project
    from gazette.publishing import publish

    out = tmp_path / "out"
    project = load_project(str(formula_archive), str(out), find_settings=False,
                           extra={"SITENAME": "测试公报", "GAZETTE_CACHE_DIR": str(tmp_path / "cache")})
    publish(project.site_model(load_archive(str(formula_archive)), dt.date(2026, 11, 22)), project)
    cells = _cells((out / "catalogue.csv").read_text(encoding="utf-8"))
    _assert_inert(cells)
    assert "'-2+3" in cells and "'=cmd|' /C calc'!A0" in cells


def test_feed_stays_well_formed_with_controls_in_the_body():
    import datetime as dt

    from gazette.feeds import atom

    entries = [{"id": "tag:x,2024:1", "title": "标题\ufffe", "url": "documents/a.html", "updated": dt.date(2024, 1, 1),
                "summary": "正文\x00\x01\x1b[31m\uffff", "categories": ["类\x02别"]}]
    root = ET.fromstring(atom("feeds/documents.atom.xml", "测试公报", entries, "", "tag:x,2024:feed").encode("utf-8"))
    ns = "{http://www.w3.org/2005/Atom}"
    assert root.find(f"{ns}entry/{ns}summary").text == "正文[31m"


def test_check_rejects_xml_invalid_characters_in_a_title_with_a_location(tmp_path, monkeypatch):
    from gazette.cli import cli

    monkeypatch.chdir(tmp_path)
    doc = tmp_path / "content" / "documents" / "bad.md"
    doc.parent.mkdir(parents=True)
    doc.write_text(textwrap.dedent("""\
        date: 2024-03-01
        title: 关于\ufffe的通知

        正文。
        """), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--as-of", "2026-11-22"], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{doc.relative_to(tmp_path)}:2: title: 含有 XML 不允许的字符 U+FFFE" in result.stderr


@pytest.mark.parametrize("body", [
    "".join("  " * i + "- 项\n" for i in range(1000)),      # RecursionError in Markdown
    "> " * 150 + "引文",
    "[" * 300 + "文字",                                      # each '[' matched against the rest: quadratic
    "[" * 50000 + "链接" + "]" * 50000,
    "![" * 400,
])
def test_bodies_markdown_cannot_render_are_shown_as_plain_text(body):
    from gazette.render import pathological, plain_html, to_html, to_text

    assert pathological(body)
    out = to_html(body)
    assert out == plain_html(body) and "<li>" not in out and "<a" not in out
    assert to_text(body) == body.strip()


@pytest.mark.parametrize("body", ["[甲](https://example.org) " * 500, "[[嵌套]] " * 300, "- 项\n  - 子项\n    - 孙项\n",
                                  "> 引文\n>> 再引\n", "正文。" * 1000])
def test_ordinary_bodies_are_rendered_as_markdown(body):
    from gazette.render import pathological

    assert not pathological(body)
