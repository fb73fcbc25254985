"""The sample archive (content/): a fictional city's gazette that exercises every feature.

Evaluated at the fixed as-of date the other sample-site tests use. The scans are checked
through their text layer, as a reader's PDF viewer or our importer would see them.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
import shutil
import subprocess
import sys
from collections import Counter

import pypdfium2
import pytest

from gazette.archive import issue_contents, link_documents, load_archive, normalise_doc_number
from gazette.metadata import split_header
from gazette.model import read_document
from gazette.validity import ValiditySettings, evaluate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONTENT = os.path.join(ROOT, "content")
SCRIPT = os.path.join(ROOT, "scripts", "make_sample_scans.py")
AS_OF = dt.date(2026, 11, 22)
PAGES = re.compile(r"^(\d+)(?:-(\d+))?$")


def squash(text: str) -> str:
    """Text without any whitespace: titles wrap across lines in a scan."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def archive():
    return load_archive(CONTENT)


@pytest.fixture(scope="module")
def evaluations(archive):
    return {d.slug: evaluate(d, AS_OF, ValiditySettings()) for d in archive.documents}


@pytest.fixture(scope="module")
def withheld():
    return [read_document(os.path.join(CONTENT, p)) for p in sorted(load_archive(CONTENT).withheld_paths)]


@pytest.fixture(scope="module")
def scan_pages(archive):
    """Issue key -> text of each page of its scan (index 0 is page 1)."""
    out = {}
    for issue in archive.issues:
        pdf = pypdfium2.PdfDocument(os.path.join(CONTENT, issue.scan))
        out[issue.key] = [squash(page.get_textpage().get_text_range()) for page in pdf]
        pdf.close()
    return out


def all_document_files() -> list[str]:
    return sorted(glob.glob(os.path.join(CONTENT, "documents", "*", "*.md")))


# -- metadata ------------------------------------------------------------------------------------

def test_sample_archive_has_no_metadata_errors(archive):
    assert archive.errors == []
    assert archive.bad_files == []


def test_documents_are_filed_by_year_with_ascii_slugs(archive):
    for doc in archive.documents:
        assert doc.source_path == os.path.join("documents", str(doc.year), f"{doc.slug}.md")
        # a consolidated version (修正本) of a rule: the original's slug and the year of the revision
        assert re.fullmatch(r"ll[a-z]+-\d{3}(-r\d{4})?|ll[a-z]+-\d{4}-\d{2}", doc.slug), doc.slug


def test_archivists_may_type_chinese_keys_and_chinese_dates():
    raw_keys, cn_dates = Counter(), 0
    for path in all_document_files():
        header = split_header(open(path, encoding="utf-8").read(), path)
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    break
                raw_keys[line.split(":", 1)[0].split("：", 1)[0].strip()] += 1
        cn_dates += bool(re.search(r"年\d+月\d+日", header.fields.get("date", ("", 0))[0]))
    chinese_keys = [k for k in raw_keys if not k.isascii()]
    assert {"文號", "發文機關"} <= set(chinese_keys)  # Traditional aliases
    assert {"文号", "发文机关", "发布日期"} <= set(chinese_keys)  # Simplified aliases
    assert cn_dates >= 2


def test_every_document_has_a_structured_body_of_realistic_length(archive, withheld):
    for doc in archive.documents + withheld:
        body = squash(doc.body)
        assert 300 <= len(body) <= 1500, (doc.slug, len(body))
        # closes with a signature block: the issuing body (or its head) and a date
        tail = [p.strip() for p in doc.body.strip().split("\n") if p.strip()][-3:]
        assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", tail[-1]), doc.slug
        assert any(i in tail[-2] for i in doc.issuer) or tail[-2].startswith(("市長", "市长")), doc.slug
    normative = [d for d in archive.documents if d.doc_type in ("规范性文件", "規範性文件", "规章", "規章")]
    assert all("第一条" in d.body or "第一條" in d.body or "一、" in d.body for d in normative)
    assert sum("附件" in d.body for d in archive.documents) >= 3


def test_issuers_carry_catalogue_numbers(archive):
    public = [d for d in archive.documents if d.is_public]
    assert all(re.fullmatch(r"11339900MB\d{7}[0-9A-Z]/\d{4}-\d{5}", d.index_no or "") for d in public)
    assert any(len(d.issuer) > 1 for d in archive.documents)  # joint documents


# -- coverage ------------------------------------------------------------------------------------

def test_archive_spans_years_since_the_first_issue(archive):
    years = {i.year for i in archive.issues}
    assert len(years) >= 4 and len(archive.issues) >= 10
    first = min(archive.issues, key=lambda i: i.date)
    assert (first.key, first.year, first.number, first.serial) == ("2021-01", 2021, 1, 1)
    assert "创刊号" in first.title or "創刊號" in first.title
    # the serial number (总号) runs across years; one issue (2026年第2期, 总号12) is not digitised
    # yet: the coverage report (gazette/coverage.py) lists that gap
    by_date = sorted(archive.issues, key=lambda i: i.date)
    assert [i.serial for i in by_date] == [s for s in range(1, len(by_date) + 2) if s != 12]
    assert [(i.year, i.number) for i in by_date if i.year == 2026] == [(2026, 1), (2026, 3)]
    for issue in archive.issues:
        assert issue.key == f"{issue.year}-{issue.number:02d}" and issue.date.year == issue.year


def test_archive_holds_enough_documents_in_both_scripts(archive, withheld):
    assert len(archive.documents) >= 55
    scripts = Counter(d.script for d in archive.documents + withheld)
    share = scripts["zh-Hant"] / sum(scripts.values())
    assert 0.25 <= share <= 0.45, scripts
    # the early issues were digitised from Traditional-typeset print
    for doc in archive.documents:
        if doc.gazette and doc.gazette < "2023":
            assert doc.script == "zh-Hant", doc.slug


def test_validity_statuses_at_the_as_of_date(archive, evaluations):
    by_status = Counter(ev.status for ev in evaluations.values())
    flags = Counter(ev.flag for ev in evaluations.values())
    assert by_status["in_force"] >= 20
    assert flags["current"] >= 5
    assert flags["overdue"] >= 3
    assert flags["due_soon"] >= 2
    assert by_status["amended"] >= 2
    assert by_status["repealed"] >= 2
    assert by_status["not_yet_effective"] >= 1


def test_overdue_documents_are_normative_and_unreviewed_for_two_years(archive, evaluations):
    for doc in archive.documents:
        if evaluations[doc.slug].flag == "overdue":
            assert doc.doc_type in ("规范性文件", "規範性文件", "规章", "規章")
            assert (doc.reviewed or doc.date) < dt.date(2024, 11, 22)


def test_due_soon_documents_fall_due_within_ninety_days(evaluations):
    due = [ev.review_due for ev in evaluations.values() if ev.flag == "due_soon"]
    assert len(due) >= 2
    assert all(AS_OF < d <= AS_OF + dt.timedelta(days=90) for d in due)


def test_expired_documents_both_automatic_and_declared(archive, evaluations):
    expired = [d for d in archive.documents if evaluations[d.slug].status == "expired"]
    automatic = [d for d in expired if d.validity == "in_force" and d.expires and d.expires < AS_OF]
    declared = [d for d in expired if d.validity == "expired" and d.validity_declared]
    assert len(automatic) >= 2
    assert any(not d.validity_declared for d in automatic)  # validity left out, expiry still applies
    assert len(declared) >= 1


def test_repealed_and_amended_documents_are_linked(archive, evaluations):
    links = link_documents(archive)
    assert all(not lk.unresolved for lk in links.values())
    repealed = [d for d in archive.documents if evaluations[d.slug].status == "repealed"]
    superseded = [d for d in repealed if links[d.slug].superseded_by]
    assert superseded, "one repealed document is replaced by a newer one"
    newer = links[superseded[0].slug].superseded_by[0]
    assert newer.date > superseded[0].date and evaluations[newer.slug].status == "in_force"
    assert any(normalise_doc_number(superseded[0].doc_number) == normalise_doc_number(r) for r in newer.supersedes)
    amended = [d for d in archive.documents if evaluations[d.slug].status == "amended"]
    assert len(amended) >= 2
    for doc in amended:
        assert links[doc.slug].amended_by, f"{doc.slug} is amended but no document amends it"
        assert all(a.date > doc.date for a in links[doc.slug].amended_by)


def test_not_yet_effective_rule_is_in_the_latest_issue(archive, evaluations):
    latest = max(archive.issues, key=lambda i: i.date)
    pending = [d for d in archive.documents if evaluations[d.slug].status == "not_yet_effective"]
    assert any(d.effective == dt.date(2027, 1, 1) and d.gazette == latest.key for d in pending)


def test_disclosure_mix(archive, withheld):
    assert archive.withheld_count == 3 and len(withheld) == 3
    assert all(d.disclosure == "withheld" for d in withheld)
    on_request = [d for d in archive.documents if d.disclosure == "on_request"]
    assert len(on_request) == 2
    assert all(d.gazette for d in on_request)


def test_withheld_documents_are_in_no_issue_and_referenced_by_no_document(archive, withheld):
    refs = {normalise_doc_number(r) for d in archive.documents for r in d.supersedes + d.superseded_by + d.amends}
    refs |= {r for d in archive.documents for r in d.supersedes + d.superseded_by + d.amends}
    for doc in withheld:
        assert doc.gazette is None and doc.pages is None
        assert doc.slug not in refs and normalise_doc_number(doc.doc_number) not in refs
        for other in archive.documents:
            assert doc.title not in other.body and doc.doc_number not in other.body
            assert normalise_doc_number(doc.doc_number) not in normalise_doc_number(other.body)


def test_a_few_normative_documents_and_the_interpretations_stand_alone(archive):
    # 政策解读 are published on the portal with their document, never in the gazette
    standalone = [d for d in archive.documents if not d.gazette]
    interpretations = [d for d in standalone if d.doc_type == "政策解读"]
    assert len(interpretations) == 3 and all(d.interprets for d in interpretations)
    assert 2 <= len(standalone) - len(interpretations) <= 6
    assert all(d.doc_type in ("规范性文件", "規範性文件", "政策解读") for d in standalone)
    assert all(d.pages is None for d in standalone)


# -- issues and their pages ----------------------------------------------------------------------

def test_every_gazette_reference_names_an_existing_issue(archive):
    keys = {i.key for i in archive.issues}
    for doc in archive.documents:
        if doc.gazette:
            assert doc.gazette in keys, f"{doc.slug}: no issue {doc.gazette}"
            issue = next(i for i in archive.issues if i.key == doc.gazette)
            assert doc.date <= issue.date, f"{doc.slug} is dated after its issue"


def test_each_issue_lists_documents_on_consecutive_pages(archive):
    toc = issue_contents(archive)
    for issue in archive.issues:
        docs = toc[issue.key]
        assert len(docs) >= 3, issue.key
        expected_first = 2  # page 1 is the cover with the table of contents
        for doc in docs:
            m = PAGES.match(doc.pages or "")
            assert m, f"{doc.slug}: pages {doc.pages!r}"
            first, last = int(m.group(1)), int(m.group(2) or m.group(1))
            assert first == expected_first and last >= first, f"{doc.slug}: pages {doc.pages}"
            if doc.disclosure == "on_request":
                assert first == last  # one page saying 依申请公开
            expected_first = last + 1


def test_every_issue_scan_exists_as_a_pdf(archive):
    total = 0
    for issue in archive.issues:
        assert issue.scan == f"scans/{issue.key}.pdf"
        path = os.path.join(CONTENT, issue.scan)
        with open(path, "rb") as f:
            assert f.read(5) == b"%PDF-"
        total += os.path.getsize(path)
    assert total < 8 * 1024 * 1024


def test_scans_carry_each_listed_document_on_its_pages(archive, scan_pages):
    toc = issue_contents(archive)
    for issue in archive.issues:
        pages = scan_pages[issue.key]
        docs = toc[issue.key]
        last = max(int(PAGES.match(d.pages).group(2) or PAGES.match(d.pages).group(1)) for d in docs)
        assert len(pages) == last, f"{issue.key}: scan has {len(pages)} pages, contents end on page {last}"
        cover = pages[0]
        assert f"{issue.year}年第{issue.number}期" in cover
        for doc in docs:
            first = int(PAGES.match(doc.pages).group(1))
            assert squash(doc.title) in pages[first - 1], f"{doc.slug} not on page {first} of {issue.key}"
            assert squash(doc.title) in cover, f"{doc.slug} missing from the table of contents"
            if doc.disclosure == "on_request":
                assert "依申请公开" in pages[first - 1] or "依申請公開" in pages[first - 1]
                body_start = squash(doc.body)[:40]
                assert body_start not in "".join(pages), f"{doc.slug}: on-request body printed in the scan"


def test_public_document_text_is_in_the_scan_text_layer(archive, scan_pages):
    for doc in archive.documents:
        if doc.is_public and doc.gazette:
            text = "".join(scan_pages[doc.gazette])
            # a sentence from the middle of the body, as a search would hit it
            paras = [squash(p) for p in doc.body.split("\n") if len(squash(p)) > 30]
            assert paras[len(paras) // 2][:30] in text, doc.slug


def test_withheld_titles_and_numbers_never_reach_a_scan(withheld, scan_pages):
    everything = "".join(p for pages in scan_pages.values() for p in pages)
    for doc in withheld:
        assert squash(doc.title) not in everything
        assert squash(doc.doc_number) not in everything
        assert normalise_doc_number(doc.doc_number) not in normalise_doc_number(everything)


def test_scans_are_reproducible_from_the_content(tmp_path, archive):
    """Rerunning the scan script gives byte-identical PDFs, so committed scans match the content."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    latest = max(archive.issues, key=lambda i: i.date).key
    result = subprocess.run([sys.executable, SCRIPT, "--content", str(copy), "--only", "2021-01", "--only", latest],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for key in ("2021-01", latest):
        rel = os.path.join("scans", f"{key}.pdf")
        with open(os.path.join(CONTENT, rel), "rb") as a, open(copy / rel, "rb") as b:
            assert a.read() == b.read(), f"{rel} is out of date: run scripts/make_sample_scans.py"


# -- static pages --------------------------------------------------------------------------------

@pytest.mark.parametrize("slug, title", [("about", "关于本公报"), ("request", "依申请公开指南")])
def test_static_pages_exist(slug, title):
    path = os.path.join(CONTENT, "pages", f"{slug}.md")
    header = split_header(open(path, encoding="utf-8").read(), path)
    assert header.fields["slug"][0] == slug
    assert header.fields["title"][0] == title
    assert len(header.body) > 300


# -- the scan script -----------------------------------------------------------------------------

def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True)


def test_scan_script_reports_page_ranges_that_do_not_match_the_text(tmp_path):
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy, ignore=shutil.ignore_patterns("*.pdf"))
    latest = max(load_archive(CONTENT).issues, key=lambda i: i.date).key
    doc = copy / "documents" / "2026" / "llsjg-2026-01.md"
    text = doc.read_text(encoding="utf-8")
    m = re.search(r"^pages: (\d+)$", text, re.M)
    assert m, "llsjg-2026-01 is the one-page last document of its issue"
    doc.write_text(text.replace(m.group(0), f"pages: {m.group(1)}-{int(m.group(1)) + 1}"), encoding="utf-8")
    result = run_script("--content", str(copy), "--only", latest)
    assert result.returncode == 1
    assert "documents/2026/llsjg-2026-01.md" in result.stderr and "需要 1 页" in result.stderr
    assert (copy / "scans" / f"{latest}.pdf").exists()  # still written, with the page left blank


def test_scan_script_stops_with_a_clear_message_without_the_font(tmp_path, monkeypatch, capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_sample_scans", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "make_sample_scans", module)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "FONT_PATH", str(tmp_path / "missing.ttc"))
    module._font_cache.clear()
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy, ignore=shutil.ignore_patterns("*.pdf"))
    assert module.main(["--content", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "missing.ttc" in err and "fonts-noto-cjk" in err
    assert not list((copy / "scans").glob("*.pdf"))
