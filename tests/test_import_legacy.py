"""Saved pages of old portals: the two real pages in ../shared/samples/legacy-pages, and HTML."""

from __future__ import annotations

import os

import pytest
from conftest import SAMPLES, unavailable

from gazette.archive import load_archive
from gazette.importer.batch import run_import
from gazette.importer.legacy import read_legacy
from gazette.importer.sources import Source, detect_kind
from gazette.model import read_document

PAGES = os.path.join(SAMPLES, "legacy-pages")
MEE = os.path.join(PAGES, "mee-2017-21.txt")
HUANGGANG = os.path.join(PAGES, "huanggang-2020-plan.txt")


@pytest.fixture(scope="module")
def mee():
    if not os.path.exists(MEE):
        pytest.skip(f"{MEE} not found")
    return read_legacy(Source(MEE, "legacy-pages/mee-2017-21.txt"), detect_kind(MEE))


@pytest.fixture(scope="module")
def huanggang():
    if not os.path.exists(HUANGGANG):
        pytest.skip(f"{HUANGGANG} not found")
    return read_legacy(Source(HUANGGANG, "legacy-pages/huanggang-2020-plan.txt"), detect_kind(HUANGGANG))


def test_mee_page_metadata_as_printed(mee):
    assert mee.meta["title"] == "關于印發貫徹落實《〈關于全面推進政務公開工作的意見〉實施細則》的方案的通知"
    assert mee.meta["doc_number"] == "環辦廳函[2017]21號"
    assert mee.meta["issuer"] == "環境保護部辦公廳"
    assert mee.meta["signed"] == "2017-01-06"     # 2017年1月6日 in the signature block
    assert mee.meta["date"] == "2017-01-20"       # 2017-01-20 14:32 on the page
    assert mee.meta["script"] == "zh-Hant"
    assert mee.missing == []


def test_mee_page_noise_and_pinyin_gone_attachment_kept(mee):
    body = mee.body
    for noise in ("字體", "打印", "責任編輯", "朱英", "掃一掃", "頂部", "來源", "14:32", "環保部印發落實"):
        assert noise not in body, noise
    assert "(huán)" not in body and "(fā)" not in body and "ǐ" not in body
    assert body.startswith("部機關各部門,各派出機構、直屬單位:")
    assert "環境保護部辦公廳\n\n2017年1月6日" in body            # the signature block is the document's own
    assert "附件\n\n貫徹落實《〈關于全面推進政務公開工作的意見〉實施細則》的方案" in body
    assert body.rstrip().endswith("認真抓好貫徹落實。")


def test_huanggang_page_metadata_as_printed(huanggang):
    assert huanggang.meta["title"] == "2020年黃岡市政務公開工作實施方案"
    assert huanggang.meta["issuer"] == "黃岡市人民政府辦公室"     # 發布單位 in the page's infobox
    # The page prints no number and no date of its own: the numbers in it are other documents'.
    assert "doc_number" not in huanggang.meta and "date" not in huanggang.meta
    assert set(huanggang.missing) == {"doc_number", "date", "signed"}


def test_huanggang_page_noise_and_repeated_block_gone(huanggang):
    body = huanggang.body
    for noise in ("基本介紹", "中文名", "發布單位", "相關詞條", "熱門詞條", "聯絡我們", "•"):
        assert noise not in body, noise
    assert body.count("7.加大規範性檔案備案審查結果公開力度") == 1
    assert body.count("三、保障措施") == 1
    assert body.count("接受社會監督") == 1
    # The repeated copy of item 7 was the clean one: the anti-copy junk characters went with it.
    assert "建立和完善規範性檔案備案" in body and "鞏朽" not in body
    assert body.startswith("為認真貫徹《國務院辦公廳關於印發2020年政務公開工作要點的通知》")


def test_page_without_a_date_is_reported_not_invented_and_manifest_supplies_it(tmp_path, huanggang):
    into = tmp_path / "content"
    report = run_import([HUANGGANG], str(into), jobs=1)
    # Kept as a draft (never published) rather than failed: its text is not lost.
    out = report.results[0].outputs[0]
    assert report.results[0].status == "imported" and "发布日期" in out.draft and "date" in out.missing
    draft = load_archive(str(into))
    assert draft.documents == [] and len(draft.drafts) == 1 and draft.drafts[0].date is None
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("source,date,disclosure\nhuanggang-2020-plan.txt,2020-07-15,主動公開\n", encoding="utf-8")
    report = run_import([HUANGGANG], str(into), manifest=str(manifest), jobs=1)
    assert report.results[0].status == "updated", report.to_text()
    archive = load_archive(str(into))
    assert archive.errors == [] and archive.documents[0].date.isoformat() == "2020-07-15"
    assert archive.documents[0].title == "2020年黃岡市政務公開工作實施方案"


HTML_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>通知_某某市人民政府</title>
<meta name="PubDate" content="2019-03-05 09:30"><script>alert('x')</script></head>
<body onload="evil()"><div class="nav">首页 | 政务公开</div>
<table><tr><td>索引号：</td><td>11420000/2019-00012</td><td>发文机关：</td><td>某某市人民政府办公室</td></tr></table>
<div class="fontsize">【字体：大 中 小】 打印</div>
<div id="zoom"><p><strong>关于做好2019年政务公开工作的通知</strong></p><p>某政办发〔2019〕5号</p>
<p>各县（市、区）人民政府：</p>
<p onclick="steal()">现将有关事项通知如下。<a href="javascript:alert(1)">点击</a> &lt;script&gt;x&lt;/script&gt;</p>
<iframe src="https://evil.example/x"></iframe><p>某某市人民政府办公室</p><p>二〇一九年三月一日</p></div>
<div class="share">分享到：微信 微博</div><div>上一篇：关于某某的通知</div>
<div class="footer">版权所有 某某市人民政府</div></body></html>"""


def test_html_page_becomes_safe_markdown_with_its_metadata(tmp_path):
    src = tmp_path / "saved" / "page.bin"   # the kind comes from the content, not the extension
    src.parent.mkdir()
    src.write_text(HTML_PAGE, encoding="utf-8")
    assert detect_kind(str(src)) == "html"
    into = tmp_path / "content"
    report = run_import([str(src.parent)], str(into), jobs=1)
    assert report.results[0].status == "imported"
    path = into / report.results[0].outputs[0].path
    doc = read_document(str(path))
    assert doc.title == "关于做好2019年政务公开工作的通知" and doc.doc_number == "某政办发〔2019〕5号"
    assert doc.issuer == ["某某市人民政府办公室"] and doc.signed.isoformat() == "2019-03-01"
    assert doc.date.isoformat() == "2019-03-05" and doc.index_no == "11420000/2019-00012"
    text = path.read_text(encoding="utf-8")
    for bad in ("<script", "alert('x')", "onclick", "onload", "<iframe", "evil.example", "javascript:",
                "首页", "字体", "分享到", "上一篇", "版权所有"):
        assert bad not in text, bad
    assert "&lt;script&gt;x" in text   # text that looks like HTML stays text


def test_old_gb18030_text_dump_is_read(tmp_path):
    page = "发布日期：2016-02-03\n关于加强档案工作的通知\n某办发〔2016〕2号\n各单位：\n请认真执行。\n某某市档案局\n2016年2月1日\n"
    src = tmp_path / "old.txt"
    src.write_bytes(page.encode("gb18030"))
    report = run_import([str(src)], str(tmp_path / "content"), jobs=1)
    assert report.results[0].status == "imported", report.to_text()
    doc = load_archive(str(tmp_path / "content")).documents[0]
    assert (doc.title, doc.doc_number, doc.issuer) == ("关于加强档案工作的通知", "某办发〔2016〕2号", ["某某市档案局"])
