"""Scanned issues in six generated layouts, segmented by layout with real Tesseract: documents,
titles, numbers, issuers and dates right, and every character read kept in a written file."""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import sys

import pytest
from conftest import ROOT, unavailable

from gazette.archive import iter_content_files, load_archive
from gazette.importer.batch import Importer, run_import

sys.path.insert(0, os.path.join(ROOT, "scripts"))
from import_accuracy import score_scans  # noqa: E402
from make_scan_corpus import FONT_PATH, LAYOUTS, make_corpus  # noqa: E402


# Both text-layer sets and the two OCR sets closest to real trouble (a cover with 目录 and wrapped
# titles without 文号; a skewed, noisy scan); scripts/import_accuracy.py measures all six.
TEST_SETS = ["toc-wrapped-ocr", "skewed-noisy-ocr", "midpage-text", "toc-mixed-text"]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The generated issues imported in one run (two OCR workers), without a manifest; the text
    of every page as read is kept to compare with what was written."""
    if not shutil.which("tesseract"):
        unavailable("tesseract not installed")
    if not os.path.exists(FONT_PATH):
        unavailable(f"{FONT_PATH} not found (fonts-noto-cjk)")
    root = tmp_path_factory.mktemp("scans")
    corpus = root / "scans-in"
    truth = make_corpus(str(corpus), only=TEST_SETS)
    os.unlink(corpus / "truth.json")
    into = root / "content"
    importer = Importer(str(into), jobs=2, keep_read=True)
    report = importer.run([str(corpus)])
    assert not report.failed, report.to_text()
    read = {_name(ident): pages for ident, pages in importer.read_texts.items()}
    assert set(read) == set(truth)
    return truth, str(into), read, report, str(corpus)


def _chars(text: str) -> collections.Counter:
    return collections.Counter(re.sub(r"\s+", "", text))


def _written(into: str) -> str:
    out = []
    for sub in ("documents", "issues"):
        for path in iter_content_files(into, sub):
            with open(path, encoding="utf-8") as f:
                out.append(f.read())
    # Markdown escapes are how text is kept, not text of their own.
    return re.sub(r"\\(.)", r"\1", "\n".join(out)).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_corpus_has_the_six_layouts_in_both_kinds_and_scripts():
    names = {l.name for l in LAYOUTS}
    assert len(names) >= 6
    assert {l.image for l in LAYOUTS} == {True, False} and {l.script for l in LAYOUTS} == {"zh-Hans", "zh-Hant"}
    assert {l.cover for l in LAYOUTS} == {"toc", "plain", "none"} and any(l.skew for l in LAYOUTS)
    assert any(not l.new_page for l in LAYOUTS) and any("order" in l.kinds for l in LAYOUTS)


@pytest.mark.ocr
def test_every_character_read_ends_up_in_a_written_file(imported):
    truth, into, read, _, _ = imported
    written = _chars(_written(into))
    for name, pages in read.items():
        got = _chars("".join(pages))
        assert sum(got.values()) > 300, name
        missing = got - written
        assert not missing, f"{name}: characters read but in no written file: {''.join(missing.elements())[:80]}"


@pytest.mark.ocr
def test_every_line_read_is_in_a_written_file_in_order(imported):
    _, into, read, _, _ = imported
    written = re.sub(r"\s+", "", _written(into))
    for name, pages in read.items():
        for page in pages:
            for line in page.split("\n"):
                line = re.sub(r"\s+", "", line)
                if len(line) >= 4:
                    assert line in written or _split_between(line, written), (name, line)


def _split_between(line: str, written: str) -> bool:
    """A line whose head went into a header field (a title's last line and the text after it)."""
    return any(line[:k] in written and line[k:] in written for k in range(1, len(line)))


@pytest.mark.ocr
def test_segmented_by_layout_95_percent_of_fields_right(imported):
    truth, into, _, report, _ = imported
    scores = score_scans(truth, into)
    right = sum(s["right"] for s in scores.values())
    total = sum(s["total"] for s in scores.values())
    wrong = [f"{n}: {w}" for n, s in scores.items() for w in s["wrong"]]
    assert right / total >= 0.95, "\n".join(wrong)
    for name, s in scores.items():
        assert s["found"] == s["expected"], (name, s["wrong"])
        assert s["char_accuracy"] >= 0.95, (name, s["char_accuracy"])


@pytest.mark.ocr
def test_issue_date_comes_from_the_cover_not_the_first_date_in_the_text(imported):
    truth, into, _, _, _ = imported
    with open(os.path.join(into, ".gazette-import.json"), encoding="utf-8") as f:
        state = json.load(f)["sources"]
    issues = {i.source_path: i for i in load_archive(into).issues}
    for name, t in truth.items():
        issue = issues[state[f"scans-in/{t['file']}#issue"]["output"]]
        assert issue.date.isoformat() == t["issue"]["date"], name
        cover = next(l.cover for l in LAYOUTS if l.name == name)
        assert ("第 1 页（封面、目录）" in issue.body) == (cover != "none"), name


@pytest.mark.ocr
def test_ocr_confidence_is_recorded_per_document_and_report_lists_drafts_and_empty_fields(imported):
    truth, into, _, report, _ = imported
    ocr_outputs = [o for r in report.results if r.kind == "pdf" for o in r.outputs
                   if o.path.startswith("documents/") and truth[_name(r.source)]["image"]]
    assert ocr_outputs and all(o.confidence is not None and 0 < o.confidence <= 100 for o in ocr_outputs)
    text_outputs = [o for r in report.results for o in r.outputs
                    if o.path.startswith("documents/") and not truth[_name(r.source)]["image"]]
    assert text_outputs and all(o.confidence is None for o in text_outputs)
    text = report.to_text()
    assert "[留空]" in text   # rules carry no issuer or signature date: listed per source, not invented


def _name(source: str) -> str:
    return os.path.splitext(os.path.basename(source.split("#")[0]))[0]


def test_reimport_is_idempotent_and_keeps_an_archivists_edit(tmp_path):
    src = tmp_path / "in"
    make_corpus(str(src), only=["midpage-text", "toc-mixed-text"])
    os.unlink(src / "truth.json")
    (src / "broken.pdf").write_bytes(b"%PDF-1.7\n%%EOF garbage")
    into = tmp_path / "content"
    first = run_import([str(src)], str(into), jobs=1)
    assert [r.status for r in first.results if not r.source.endswith("broken.pdf")] == ["imported", "imported"]
    assert next(r for r in first.results if r.source.endswith("broken.pdf")).status == "failed"
    doc = sorted(p for p in iter_content_files(str(into), "documents"))[0]
    with open(doc, "a", encoding="utf-8") as f:
        f.write("\n档案员补充的说明。\n")
    again = run_import([str(src)], str(into), jobs=1)
    outs = [o for r in again.results for o in r.outputs]
    assert {o.action for o in outs if not o.path.endswith(os.path.relpath(doc, into))} <= {"unchanged", "failed"}
    assert "档案员补充的说明" in open(doc, encoding="utf-8").read()
    assert any(o.action == "skipped" for o in outs)


# -- the layout rules on their own (no OCR) -------------------------------------------------------

def _line(text, x0, y0, size=12.0, x1=None):
    from gazette.importer.layout import Line
    return Line(text, x0, y0, x1 if x1 is not None else x0 + size * len(text), y0 + size, size)


def test_toc_entries_keep_wrapped_titles_their_numbers_and_pages():
    from gazette.importer.layout import read_toc
    lines = [_line("江州市人民政府关于印发江州市城市道路挖掘管理办法", 72, 300),
             _line("的通知", 84, 320), _line("（江政发〔2023〕3号） 5", 84, 340),
             _line("江州市人民政府令第12号 7", 72, 360), _line("江州市节约用水条例…………9", 72, 380)]
    entries = read_toc(lines)
    assert [(e.title, e.page, e.number) for e in entries] == [
        ("江州市人民政府关于印发江州市城市道路挖掘管理办法的通知", 5, "江政发〔2023〕3号"),
        ("江州市人民政府令第12号", 7, None), ("江州市节约用水条例", 9, None)]


def test_running_heads_and_page_numbers_are_furniture_and_kept_in_the_issue_file(tmp_path):
    from gazette.importer.layout import PageLayout, body_size, furniture
    pages = [PageLayout(595, 842, [_line("江州市人民政府公报　2023年第2期", 72, 40, 9),
                                   _line("第一条　正文。", 96, 100), _line("— %d —" % n, 280, 790, 9)])
             for n in (2, 3)]
    assert furniture(pages, body_size(pages)) == [{0, 2}, {0, 2}]


def test_an_issue_that_cannot_be_split_or_dated_is_kept_whole_as_a_draft(tmp_path):
    from test_import_pdf import text_pdf
    src = tmp_path / "in" / "scan.pdf"
    src.parent.mkdir()
    body = ["这是一段没有标题的正文，记录了本年度的工作情况，共有三个方面。" * 3, "第二段正文继续说明有关情况。" * 4]
    text_pdf(src, [body, body[::-1]])
    into = tmp_path / "content"
    report = run_import([str(src.parent)], str(into), jobs=1)
    assert not report.failed, report.to_text()
    archive = load_archive(str(into))
    assert archive.documents == [] and archive.issues == [] and len(archive.drafts) == 1
    draft = archive.drafts[0]
    assert "整期保存为一件草稿" in draft.review_reason and "出版日期" in draft.review_reason
    assert draft.scan.startswith("scans/undated-") and (into / draft.scan).exists()
    assert re.sub(r"\s+", "", draft.body).count("第二段正文继续说明有关情况。") == 8
