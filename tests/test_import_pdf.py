"""Scanned issue PDFs: text layer, OCR (Tesseract really runs), manifest and detected boundaries."""

from __future__ import annotations

import os
import shutil
import textwrap

import pytest
from conftest import unavailable

from gazette.archive import issue_contents, load_archive
from gazette.chinese import s2t
from gazette.importer.batch import run_import
from gazette.importer.ocr import char_accuracy

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

NOTICE = ["关于印发政务公开工作要点的通知", "国办发〔2020〕17号",
          "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
          "为贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，进一步提高政府工作透明度，现将有关事项通知如下。",
          "一、加强政策解读，及时回应社会关切。", "二、推进决策公开，扩大公众参与。",
          "国务院办公厅", "2020年6月3日"]
DECISION = ["关于修改部分行政法规的决定", "中华人民共和国国务院令第732号",
            "为了依法推动简政放权、放管结合、优化服务改革措施落地，国务院决定对部分行政法规的部分条款予以修改。",
            "本决定自公布之日起施行。", "国务院", "二〇二〇年十一月二十九日"]
COVER = ["中华人民共和国国务院公报", "2020年第18期（总第1701期）", "2020年6月30日出版"]


def text_pdf(path, pages):
    """A PDF with a text layer (reportlab, standard Chinese CID font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        c.setFont("STSong-Light", 12)
        y = 780
        for para in lines:
            for line in textwrap.wrap(para, 38) or [""]:
                c.drawString(50, y, line)
                y -= 20
        c.showPage()
    c.save()


def image_pdf(path, pages, font_index):
    """An image-only PDF (no text layer): each page's text drawn with Pillow, as a scanner would give."""
    from PIL import Image, ImageDraw, ImageFont
    font = ImageFont.truetype(FONT, 40, index=font_index)
    images = []
    for lines in pages:
        img = Image.new("L", (1654, 2339), 255)   # A4 at 200 dpi
        draw = ImageDraw.Draw(img)
        y = 150
        for para in lines:
            for line in textwrap.wrap(para, 36) or [""]:
                draw.text((120, y), line, font=font, fill=0)
                y += 64
        images.append(img)
    images[0].save(str(path), save_all=True, append_images=images[1:], resolution=200)


def test_text_layer_issue_with_manifest_gives_issue_documents_and_scan(tmp_path):
    src = tmp_path / "scans-in" / "gb2020-18.pdf"
    src.parent.mkdir()
    text_pdf(src, [COVER, NOTICE, DECISION])
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "source,issue,issue_date,title,pages,doc_type,disclosure\n"
        "gb2020-18.pdf,2020-18,2020-06-30,关于印发政务公开工作要点的通知,2,通知,主动公开\n"
        "gb2020-18.pdf,2020-18,2020-06-30,关于修改部分行政法规的决定,3,决定,不予公开\n", encoding="utf-8")
    into = tmp_path / "content"
    report = run_import([str(src.parent)], str(into), manifest=str(manifest), jobs=1)
    assert report.results[0].status == "imported", report.to_text()
    assert report.figures["ocr_pages"] == 0 and report.figures["pdf_pages"] == 3
    archive = load_archive(str(into))
    assert archive.errors == []
    issue = archive.issues[0]
    assert (issue.key, issue.year, issue.number, issue.serial) == ("2020-18", 2020, 18, 1701)
    assert issue.date.isoformat() == "2020-06-30" and issue.scan == "scans/2020-18.pdf"
    assert (into / "scans" / "2020-18.pdf").read_bytes() == src.read_bytes()
    # The withheld decision is written (the archivist's record) but never reaches the archive's output.
    assert archive.withheld_count == 1 and len(archive.documents) == 1
    doc = archive.documents[0]
    assert doc.title == "关于印发政务公开工作要点的通知" and doc.doc_number == "国办发〔2020〕17号"
    assert doc.issuer == ["国务院办公厅"] and doc.signed.isoformat() == "2020-06-03"
    assert doc.gazette == "2020-18" and doc.pages == "2" and doc.doc_type == "通知"
    assert doc.date.isoformat() == "2020-06-30"    # published in the gazette that day
    assert issue_contents(archive)["2020-18"] == [doc]


def test_without_manifest_boundaries_are_detected_and_reported(tmp_path):
    src = tmp_path / "2020年第18期.pdf"
    text_pdf(src, [COVER, NOTICE + DECISION])
    into = tmp_path / "content"
    report = run_import([str(src)], str(into), jobs=1)
    assert report.results[0].status == "imported", report.to_text()
    assert "自动识别" in report.to_text()
    archive = load_archive(str(into))
    assert archive.errors == []
    titles = sorted(d.title for d in archive.documents)
    assert titles == ["关于修改部分行政法规的决定", "关于印发政务公开工作要点的通知"]
    decision = next(d for d in archive.documents if d.title.endswith("决定"))
    assert decision.doc_number == "中华人民共和国国务院令第732号"
    assert decision.issuer == ["国务院"] and decision.signed.isoformat() == "2020-11-29"
    assert "国办发" not in decision.body


@pytest.mark.ocr
def test_image_only_pdf_is_ocred_in_both_scripts_with_95_percent_accuracy(tmp_path):
    if not shutil.which("tesseract"):
        unavailable("tesseract not installed")
    if not os.path.exists(FONT):
        unavailable(f"{FONT} not found")
    trad = [s2t(p) for p in NOTICE]
    src_simp = tmp_path / "in" / "2020-01.pdf"
    src_trad = tmp_path / "in" / "2020-02.pdf"
    src_simp.parent.mkdir()
    image_pdf(src_simp, [NOTICE], font_index=2)   # Noto Sans CJK SC
    image_pdf(src_trad, [trad], font_index=3)     # Noto Sans CJK TC
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("source,issue_date,title,pages\n"
                        "2020-01.pdf,2020-01-15,关于印发政务公开工作要点的通知,1\n"
                        f"2020-02.pdf,2020-02-15,{trad[0]},1\n", encoding="utf-8")
    into = tmp_path / "content"
    report = run_import([str(src_simp.parent)], str(into), manifest=str(manifest), jobs=2)
    assert report.figures["ocr_pages"] == 2 and not report.failed, report.to_text()
    archive = load_archive(str(into))
    assert archive.errors == []
    by_issue = {d.gazette: d for d in archive.documents}
    for key, lines, script in (("2020-01", NOTICE, "zh-Hans"), ("2020-02", trad, "zh-Hant")):
        doc = by_issue[key]
        got = doc.title + doc.doc_number + doc.body.replace("\\", "")
        accuracy = char_accuracy("".join(lines), got)
        assert accuracy >= 0.95, (key, accuracy, got)
        assert doc.script == script
        assert doc.signed.isoformat() == "2020-06-03"


@pytest.mark.ocr
def test_issue_mixing_scripts_is_ocred_page_by_page(tmp_path):
    if not shutil.which("tesseract"):
        unavailable("tesseract not installed")
    trad = [s2t(p) for p in DECISION]
    src = tmp_path / "2020-03.pdf"
    # Drawn with the SC font throughout: the scripts differ in characters, not in typeface.
    image_pdf(src, [NOTICE, trad], font_index=2)
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("source,issue_date,pages\n2020-03.pdf,2020-03-15,1\n2020-03.pdf,2020-03-15,2\n",
                        encoding="utf-8")
    report = run_import([str(src)], str(tmp_path / "content"), manifest=str(manifest), jobs=2)
    assert report.figures["ocr_pages"] == 2 and not report.failed, report.to_text()
    docs = {d.pages: d for d in load_archive(str(tmp_path / "content")).documents}
    for page, lines in (("1", NOTICE), ("2", trad)):
        got = docs[page].title + docs[page].doc_number + docs[page].body.replace("\\", "")
        assert char_accuracy("".join(lines), got) >= 0.95, (page, got)


def test_two_scans_of_one_issue_do_not_overwrite_each_other(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text_pdf(folder / "a.pdf", [COVER, NOTICE])
    text_pdf(folder / "b.pdf", [COVER, DECISION])   # the same cover: 2020年第18期
    report = run_import([str(folder)], str(tmp_path / "content"), jobs=1)
    status = {r.source: r for r in report.results}
    assert status["in/a.pdf"].status == "imported"
    assert status["in/b.pdf"].status == "failed" and "2020-18" in status["in/b.pdf"].reasons[0]
    assert (tmp_path / "content" / "scans" / "2020-18.pdf").read_bytes() == (folder / "a.pdf").read_bytes()
    # b's documents are not written pointing at a's scan.
    assert [d.title for d in load_archive(str(tmp_path / "content")).documents] == ["关于印发政务公开工作要点的通知"]
    report = run_import([str(folder)], str(tmp_path / "content"), jobs=1)   # and again, from the state
    assert {r.source: r.status for r in report.results}["in/b.pdf"] == "failed"


def test_unreadable_pdf_is_reported_and_the_batch_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a PDF")
    text_pdf(folder / "2020-18.pdf", [COVER, NOTICE])
    report = run_import([str(folder)], str(tmp_path / "content"), jobs=1)
    status = {r.source: r.status for r in report.results}
    assert status == {"in/broken.pdf": "failed", "in/2020-18.pdf": "imported"}
    assert report.failed


def test_a_damaged_pdf_is_reported_in_chinese(tmp_path):
    src = tmp_path / "in" / "2024年第1期.pdf"
    src.parent.mkdir()
    src.write_bytes(b"%PDF-1.4 truncated")
    report = run_import([str(src)], str(tmp_path / "content"), jobs=1, ocr=False)
    (result,) = report.results
    assert result.status == "failed"
    assert any("无法读取 PDF：文件已损坏或不是 PDF" in r for r in result.reasons), result.reasons
    assert not any("PdfiumError" in r or "Failed" in r for r in result.reasons), result.reasons
