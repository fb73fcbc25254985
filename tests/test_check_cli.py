"""`gazette check`: metadata validation and the validity report on the command line."""

import csv
import io
import json
import textwrap

import pytest
from click.testing import CliRunner

from gazette.cli import cli
from gazette.cleanup_report import FIELDS


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


@pytest.fixture
def archive(tmp_path, monkeypatch):
    """A small archive: one overdue, one due soon, one current, one expired, a notice, a withheld file."""
    monkeypatch.chdir(tmp_path)  # no pelicanconf.py here: default settings
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    c = tmp_path / "content"
    write(c, "documents/overdue.md", """
        title: 临澜市停车场管理办法
        date: 2020-03-01
        doc_number: 临政规〔2020〕1号
        issuer: 临澜市人民政府
        doc_type: 规范性文件

        正文。
        """)
    write(c, "documents/soon.md", """
        標題: 臨瀾市供水管理辦法
        發布日期: 2021-01-05
        文號: 臨政規〔2021〕2號
        文種: 規範性文件
        清理日期: 2024-12-31

        正文。
        """)
    write(c, "documents/current.md", """
        title: 临澜市绿化管理办法
        date: 2019-05-01
        doc_type: 规章
        reviewed: 2026-01-15
        supersedes: 临政规〔2018〕9号

        正文。
        """)
    write(c, "documents/old.md", """
        title: 临澜市绿化管理暂行办法
        date: 2018-02-01
        doc_number: 临政规〔2018〕9号
        doc_type: 规范性文件
        validity: repealed

        正文。
        """)
    write(c, "documents/lapsed.md", """
        title: 临澜市2021年为民办实事项目
        date: 2021-03-12
        doc_type: 通知
        expires: 2021-12-31

        正文。
        """)
    write(c, "documents/secret.md", """
        title: 不予公开的内部文件
        date: 2020-01-01
        doc_type: 规范性文件
        disclosure: withheld

        正文。
        """)
    return c


def run(*args):
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)


def test_json_report_has_as_of_and_one_row_per_public_document(archive):
    result = run("--as-of", "2026-11-22", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2026-11-22"
    rows = {r["slug"]: r for r in data["documents"]}
    assert set(rows) == {"overdue", "soon", "current", "old", "lapsed"}  # never the withheld one
    assert all(tuple(r) == FIELDS for r in data["documents"])
    assert rows["overdue"] == {
        "slug": "overdue", "url": "documents/overdue.html", "title": "临澜市停车场管理办法",
        "doc_number": "临政规〔2020〕1号", "issuer": "临澜市人民政府", "doc_type": "规范性文件",
        "date": "2020-03-01", "declared_validity": "", "status": "in_force", "flag": "overdue",
        "review_due": "2022-03-01", "reviewed": "", "effective": "", "expires": "", "superseded_by": "",
        "ended_on": "", "end_verb": "", "ended_by": "", "review_note": ""}
    assert (rows["soon"]["flag"], rows["soon"]["review_due"]) == ("due_soon", "2026-12-31")
    assert rows["current"]["flag"] == "current"
    assert (rows["old"]["status"], rows["old"]["declared_validity"], rows["old"]["flag"]) == ("repealed", "repealed", "")
    assert rows["old"]["superseded_by"] == "current"
    # how it ended: replaced by `current`, from the day that one was published (it has no effective date)
    assert (rows["old"]["end_verb"], rows["old"]["ended_by"], rows["old"]["ended_on"]) == ("废止", "current", "2019-05-01")
    assert (rows["lapsed"]["end_verb"], rows["lapsed"]["ended_on"]) == ("失效", "2022-01-01")
    assert (rows["lapsed"]["status"], rows["lapsed"]["flag"]) == ("expired", "")


def test_csv_report_matches_json(archive):
    as_json = json.loads(run("--as-of", "2026-11-22", "--format", "json").stdout)["documents"]
    result = run("--as-of", "2026-11-22", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows == as_json
    assert result.stdout.splitlines()[0] == ",".join(FIELDS)


def test_text_report_groups_by_status_and_flag(archive):
    out = run("--as-of", "2026-11-22").stdout
    assert "有效性报告（截至 2026年11月22日）" in out
    headings = [line for line in out.splitlines() if line and not line.startswith(" ")][2:]
    assert headings == ["有效 · 有效性待确认（1）", "有效 · 即将到期清理（1）", "有效 · 已按期清理（1）",
                        "已失效（1）", "已废止（1）"]
    assert "应清理 2022年3月1日；尚未清理" in out


def test_as_of_changes_the_evaluation(archive):
    rows = {r["slug"]: r for r in json.loads(run("--as-of", "2021-06-01", "--format", "json").stdout)["documents"]}
    assert rows["overdue"]["flag"] == "current" and rows["lapsed"]["status"] == "in_force"


def test_source_date_epoch_is_the_default_as_of(archive, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795305600")  # 2026-11-22 UTC
    assert json.loads(run("--format", "json").stdout)["as_of"] == "2026-11-22"


def test_strict_fails_when_a_document_is_overdue(archive):
    result = run("--as-of", "2026-11-22", "--strict")
    assert result.exit_code == 1
    assert "有 1 件文件逾期未清理" in result.stderr


def test_strict_passes_on_a_fully_reviewed_archive(archive):
    (archive / "documents/overdue.md").write_text(
        (archive / "documents/overdue.md").read_text(encoding="utf-8").replace(
            "doc_type: 规范性文件\n", "doc_type: 规范性文件\nreviewed: 2025-06-30\n"), encoding="utf-8")
    result = run("--as-of", "2026-11-22", "--strict")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""


def test_metadata_error_exits_1_with_path_line_key(archive):
    write(archive, "documents/bad.md", """
        title: 日期写错的文件
        date: 2021-02-30
        doc_type: 规范性文件

        正文。
        """)
    result = run("--as-of", "2026-11-22", "--format", "json")
    assert result.exit_code == 1
    assert "content/documents/bad.md:2: date: '2021-02-30' 不是日期（应为 YYYY-MM-DD 或 2017年1月6日）" \
        in result.stderr.splitlines()
    assert result.stdout == ""


def test_lenient_lists_bad_files_and_reports_the_rest(archive):
    write(archive, "documents/bad.md", """
        title: 有效性写错的文件
        date: 2021-02-01
        validity: 作废

        正文。
        """)
    result = run("--as-of", "2026-11-22", "--format", "json", "--lenient")
    assert result.exit_code == 0
    assert "content/documents/bad.md:3: validity: '作废' 不是可用的值（应为以下之一：" in result.stderr
    assert "已跳过：content/documents/bad.md" in result.stderr
    assert len(json.loads(result.stdout)["documents"]) == 5


def test_review_settings_come_from_pelicanconf(archive, tmp_path):
    (tmp_path / "pelicanconf.py").write_text(
        "GAZETTE_REVIEW_CYCLE_YEARS = 10\nGAZETTE_REVIEW_DUE_SOON_DAYS = 30\n"
        "GAZETTE_REVIEW_DOC_TYPES = ['通知']\n", encoding="utf-8")
    rows = {r["slug"]: r for r in json.loads(run("--as-of", "2026-11-22", "--format", "json").stdout)["documents"]}
    assert rows["overdue"]["flag"] == ""  # 规范性文件 is no longer under review
    assert rows["lapsed"]["flag"] == ""   # under review, but expired


def test_bad_as_of_is_a_usage_error(archive):
    result = run("--as-of", "22.11.2026")
    assert result.exit_code == 2 and "“22.11.2026”不是日期（应为 YYYY-MM-DD）" in result.stderr


def test_text_report_follows_the_sites_script(archive, tmp_path):
    (tmp_path / "pelicanconf.py").write_text('SITE_SCRIPT = "zh-Hant"\n', encoding="utf-8")
    out = run("--as-of", "2026-11-22").stdout
    assert out.startswith("有效性報告（截至 2026年11月22日）")
    assert "有效 · 有效性待確認（1）" in out and "已廢止（1）" in out


def test_report_has_public_documents_only(archive):
    write(archive, "documents/ask.md", """
        title: 依申请公开的文件
        date: 2020-01-01
        doc_type: 规范性文件
        disclosure: 依申请公开

        正文。
        """)
    result = run("--as-of", "2026-11-22", "--format", "json")
    slugs = {r["slug"] for r in json.loads(result.stdout)["documents"]}
    assert "overdue" in slugs and "ask" not in slugs and "secret" not in slugs
    assert "不予公开" not in result.stdout and "依申请公开的文件" not in result.stdout
