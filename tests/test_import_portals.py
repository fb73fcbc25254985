"""Saved portal pages: the real pages in ../shared/samples (read in place) and our own varied ones.

Each page is compared field by field with a person's reading (truth files): title, 文号, issuer,
the document's date, 索引号, and where the text starts and ends (whitespace deleted).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import pytest
from conftest import ROOT, SAMPLES

from gazette.archive import load_archive
from gazette.importer import boilerplate, html_page
from gazette.importer import recognise as rc
from gazette.importer.batch import run_import
from gazette.importer.legacy import read_legacy
from gazette.importer.main_content import main_text
from gazette.importer.sources import Source, detect_kind

FIXTURES = os.path.join(ROOT, "tests", "fixtures", "portals")
REAL_PAGES = os.path.join(SAMPLES, "portal-pages")
LEGACY_PAGES = os.path.join(SAMPLES, "legacy-pages")


def _rows(folder: str, truth: str) -> list:
    if not os.path.exists(truth) or not os.path.isdir(folder):
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=f"{folder} not found"))]
    with open(truth, encoding="utf-8") as f:
        return [pytest.param(os.path.join(folder, r["file"]), r, id=r["file"]) for r in json.load(f)]


def _squash(s) -> str:
    return re.sub(r"\s+", "", s or "")


def _fields(path: str) -> dict:
    draft = read_legacy(Source(path, os.path.basename(path)), detect_kind(path))
    body = _squash(re.sub(r"\\(.)", r"\1", draft.body).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    m = draft.meta
    return {"title": m.get("title"), "doc_number": m.get("doc_number"), "issuer": m.get("issuer"),
            "date": m.get("signed") or m.get("date"), "index_no": m.get("index_no"), "body": body,
            "published": m.get("date"), "notes": draft.notes}


def _check(path: str, row: dict) -> None:
    got = _fields(path)
    wrong = {k: (got[k], row.get(k)) for k in ("title", "doc_number", "issuer", "date", "index_no")
             if _squash(got[k]) != _squash(row.get(k))}
    first, last = _squash(row["body_first_chars"]), _squash(row["body_last_chars"])
    if not got["body"].startswith(first):
        wrong["body_start"] = (got["body"][:len(first)], first)
    if not got["body"].endswith(last):
        wrong["body_end"] = (got["body"][-len(last):], last)
    assert not wrong, wrong


@pytest.mark.parametrize("path,row", _rows(REAL_PAGES, os.path.join(REAL_PAGES, "truth.json")))
def test_real_portal_page_fields_as_a_person_reads_them(path, row):
    _check(path, row)


@pytest.mark.parametrize("path,row", _rows(LEGACY_PAGES, os.path.join(FIXTURES, "legacy-pages-truth.json")))
def test_real_text_dump_fields_as_a_person_reads_them(path, row):
    _check(path, row)


@pytest.mark.parametrize("path,row", _rows(FIXTURES, os.path.join(FIXTURES, "truth.json")))
def test_our_varied_portal_pages_fields_as_a_person_reads_them(path, row):
    _check(path, row)


def test_fixture_set_is_varied_on_purpose():
    with open(os.path.join(FIXTURES, "truth.json"), encoding="utf-8") as f:
        rows = json.load(f)
    kinds = {detect_kind(os.path.join(FIXTURES, r["file"])) for r in rows}
    assert len(rows) >= 6 and kinds == {"html", "text"}
    assert any(rc.script_of(r["title"]) == "zh-Hant" for r in rows)


# -- what government pages share ------------------------------------------------------------------

def _page(body: str, title: str = "某某市人民政府") -> str:
    return f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{body}</body></html>"


def test_visible_heading_wins_over_title_with_site_prefix():
    html = _page("<div class='nav'><a href='#'>首页</a> <a href='#'>政务公开</a></div>"
                 "<div style='font-size:22px;font-weight:bold'>某某市人民政府关于加强河道管理的通知</div>"
                 "<div class='c'><p>各区人民政府：</p><p>为加强河道管理，保障防洪安全，现就有关事项通知如下，请认真贯彻执行。</p></div>",
                 title="某某市人民政府 政策文件 某某市人民政府关于加强河道管理的通知")
    page = html_page.read_page(html)
    assert page.title_span is not None
    i, j = page.title_span
    assert "".join(l.text for l in page.lines[i:j]) == "某某市人民政府关于加强河道管理的通知"


def test_title_must_read_as_one():
    for junk in ("ad9_210*60", "首页 > 政务公开 > 政策文件", "關鍵詞: 政務公開 目錄", "2019年7月1日", "现将有关事项通知如下。请认真执行"):
        assert not rc.reads_as_title(junk), junk
    assert rc.reads_as_title("关于印发《某某办法》的通知")
    assert rc.reads_as_title("修正「海濱市公有路燈管理辦法」第三條、第五條")


def test_catalogue_table_in_cells_dl_and_spans_either_script():
    cells = _page("<table><tr><td>索 引 号</td><td>0001/2020-01</td><td>發文字號</td><td>某府發〔2020〕3號</td></tr>"
                  "<tr><td>成文日期</td><td>2020年3月2日</td><td>发布机构</td><td>某某市人民政府</td></tr></table>")
    dl = _page("<dl><dt>索引号：</dt><dd>0001/2020-01</dd><dt>发文字号：</dt><dd>某府发〔2020〕3号</dd></dl>")
    spans = _page("<div><span>發布機關：</span><span>某某市政府</span></div><div><b>發布日期:</b> 2020-03-05</div>")
    f = html_page.metadata_fields(html_page.page_lines(cells)[0])
    assert (f["index_no"].value, f["doc_number"].value, f["signed"].value, f["issuer"].value) == \
        ("0001/2020-01", "某府發〔2020〕3號", "2020年3月2日", "某某市人民政府")
    f = html_page.metadata_fields(html_page.page_lines(dl)[0])
    assert (f["index_no"].value, f["doc_number"].value) == ("0001/2020-01", "某府发〔2020〕3号")
    f = html_page.metadata_fields(html_page.page_lines(spans)[0])
    assert (f["issuer"].value, f["date"].value) == ("某某市政府", "2020-03-05")


def test_text_ends_before_related_lists_widgets_and_attachment_links():
    html = _page("<h1>某某市人民政府关于做好防汛工作的通知</h1><div id='zoom'><p>各区人民政府：</p>"
                 "<p>入汛以来，我市降雨偏多。为做好防汛工作，现将有关事项通知如下，请认真贯彻落实。</p>"
                 "<p>某某市人民政府</p><p>2021年6月1日</p></div>"
                 "<p><a href='/f/a.pdf'>某某市防汛预案.pdf</a></p><div>相关解读</div><ul><li><a href='#'>图解防汛</a></li></ul>"
                 "<div>【字体：大 中 小】【打印本页】【关闭窗口】</div><div>分享到：微信 微博</div>")
    src = _write(html)
    draft = read_legacy(Source(src, "p.html"), "html")
    assert draft.body.rstrip().endswith("2021年6月1日")
    for furniture in ("预案.pdf", "相关解读", "图解", "字体", "打印", "分享"):
        assert furniture not in draft.body, furniture
    assert draft.meta["signed"] == "2021-06-01" and draft.meta["issuer"] == "某某市人民政府"
    # Nothing read is lost: what was dropped is listed for review.
    removed = next(n for n in draft.notes if n.startswith("已删除的页面文字"))
    for furniture in ("某某市防汛预案.pdf", "图解防汛", "分享到：微信 微博"):
        assert furniture in removed, furniture


_TMP = []


def _write(text: str, name: str = "page.html") -> str:
    import tempfile
    d = tempfile.mkdtemp(prefix="gazette-portal-")
    _TMP.append(d)
    path = os.path.join(d, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def test_hidden_copies_and_stray_end_tags_do_not_double_or_cut_the_text():
    html = ("<html><head><meta charset='utf-8'><title>t</title></head><body><div class='top'>页头</div></html>"
            "<h1>某某县人民政府关于公布行政许可事项的决定</h1><div class='con'><p>各乡镇人民政府：</p>"
            "<p>经县政府研究，决定公布本县行政许可事项目录，自公布之日起施行，请各单位遵照执行。</p></div>"
            "<div class='ng-hide'><p>经县政府研究，决定公布本县行政许可事项目录，自公布之日起施行，请各单位遵照执行。</p></div>"
            "<div style='display:none'>隐藏的打印版</div></body></html>")
    draft = read_legacy(Source(_write(html), "p.html"), "html")
    assert draft.body.count("决定公布本县行政许可事项目录") == 1
    assert "隐藏" not in draft.body and draft.meta["title"] == "某某县人民政府关于公布行政许可事项的决定"


def test_html_entities_are_decoded_even_when_escaped_twice():
    assert boilerplate.decode_entities("首页 &amp;gt; 政务公开 &gt; 文件&nbsp;库") == "首页 > 政务公开 > 文件 库"


def test_dates_after_junk_in_chinese_numerals_and_roc_calendar():
    assert rc.is_date_line("?????2017年1月6日") == dt.date(2017, 1, 6)
    assert rc.is_date_line("□□ 2017年1月6日") == dt.date(2017, 1, 6)
    assert rc.is_date_line("二〇一七年一月六日") == dt.date(2017, 1, 6)
    assert rc.is_date_line("二○一七年十二月三十一日") == dt.date(2017, 12, 31)
    assert rc.is_date_line("二零二零年三月十一日") == dt.date(2020, 3, 11)
    assert rc.is_date_line("中華民國110年3月5日") == dt.date(2021, 3, 5)
    assert rc.parse_any_date("2017-01-20 14:32 來源: 環境保護部") == dt.date(2017, 1, 20)
    assert rc.subtitle_date("（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）") == dt.date(2007, 6, 29)


def test_issuer_from_title_and_order_numbers():
    assert rc.issuer_from_title("環境保護部、財政部關於印發某辦法的通知") == ["環境保護部", "財政部"]
    assert rc.issuer_from_title("关于印发某办法的通知") == []
    assert rc.order_number(["某某市人民政府令", "第35号", "《办法》已经通过。"]) == "某某市人民政府令第35号"
    assert rc.number_line("府交路字第1100012345號") == "府交路字第1100012345號"


def test_furniture_is_scored_by_what_it_looks_like_not_by_a_phrase_list():
    text = ["为加强城市道路管理，根据有关法律法规，结合本市实际，制定本办法。", "第二条　本办法适用于本市行政区域内的城市道路。",
            "各区人民政府，市政府各部门："]
    furniture = ["网站首页 | 机构设置 | 政务公开 | 办事服务", "2019-05-06 10:22", "http://www.example.gov.cn/a/b.html",
                 "【大】【中】【小】", "友善列印", "冀ICP备05001234号 建议使用IE6.0以上浏览器，1024*768分辨率"]
    for line in text:
        assert boilerplate.furniture_score(line) < 0, line
    for line in furniture:
        assert boilerplate.is_noise(line), line
    # A menu: a run of short lines, each repeated on the page, is outside the text's span.
    lines = ["首页", "机构概况", "政务公开", "办事服务", "互动交流"] + text * 2 + ["首页", "机构概况", "联系我们"]
    s, e = boilerplate.main_span(lines)
    assert lines[s:e] == text * 2


def test_main_content_adapter_finds_the_article_not_the_navigation():
    # Fails when trafilatura's output (XML with <main>) or its choice of region changes underneath us.
    html = _page("<div class='nav'>" + "".join(f"<a href='/c{i}'>栏目{i}</a> " for i in range(12)) + "</div>"
                 "<article><p>为加强城市道路管理，根据有关法律法规，结合本市实际，制定本办法。本办法自公布之日起施行。</p>"
                 "<p>第二条　本办法适用于本市行政区域内的城市道路，包括车行道、人行道、广场和公共停车场。</p></article>"
                 "<div class='footer'>版权所有 某某市人民政府</div>")
    found = main_text(html)
    assert "第二条本办法适用于本市行政区域内的城市道路" in found
    assert "栏目3" not in found and "版权所有" not in found
    assert main_text("<html><body></body></html>") == ""


def test_all_fixtures_import_idempotently_edits_survive_and_a_bad_page_does_not_stop_the_batch(tmp_path):
    import shutil
    src = tmp_path / "portals"
    shutil.copytree(FIXTURES, src, ignore=shutil.ignore_patterns("*.json"))
    (src / "broken.html").write_bytes(b"<html><body>\xff\xfe\x00\x00 not text</body>")
    (src / "empty.html").write_text("<html><body><div>首页</div></body></html>", encoding="utf-8")
    into = tmp_path / "content"
    report = run_import([str(src)], str(into), jobs=1)
    by_source = {r.source.split("/")[-1]: r for r in report.results}
    for name in ("govcn-article.html", "xxgk-catalogue.html", "tw-gazette.html", "nested-tables.html",
                 "site-prefix-title.html", "dump-furniture.txt", "ling-page.html"):
        assert by_source[name].status == "imported", (name, by_source[name].reasons)
    # A page with no title and no date is kept as a draft for review, never published.
    assert by_source["empty.html"].outputs[0].draft
    archive = load_archive(str(into))
    assert archive.errors == [] and len(archive.documents) == 7
    assert [d.source_path for d in archive.drafts] == [by_source["empty.html"].outputs[0].path]
    files = {p: p.read_bytes() for p in into.rglob("*.md")}
    again = run_import([str(src)], str(into), jobs=1)
    assert {p: p.read_bytes() for p in into.rglob("*.md")} == files
    assert all(r.status in ("unchanged", "failed", "skipped") for r in again.results)
    edited = next(p for p in files if "documents" in str(p))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n档案员的修订。\n", encoding="utf-8")
    run_import([str(src)], str(into), jobs=1)
    assert "档案员的修订。" in edited.read_text(encoding="utf-8")


def test_page_whose_title_is_only_in_its_title_tag_is_a_draft_for_review(tmp_path):
    html = _page("<div class='c'><p>各区人民政府：</p><p>为加强河道管理，保障防洪安全，现就有关事项通知如下，请认真贯彻执行。</p>"
                 "<p>某某市人民政府</p><p>2021年5月6日</p></div>",
                 title="某某市人民政府门户网站 - 某某市人民政府关于加强河道管理的通知")
    src = tmp_path / "p.html"
    src.write_text(html, encoding="utf-8")
    draft = read_legacy(Source(str(src), "p.html"), "html")
    assert draft.meta["title"] == "某某市人民政府关于加强河道管理的通知" and draft.review
    report = run_import([str(src)], str(tmp_path / "content"), jobs=1)
    assert report.results[0].outputs[0].draft
    archive = load_archive(str(tmp_path / "content"))
    assert archive.documents == [] and len(archive.drafts) == 1
