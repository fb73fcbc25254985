"""Import safety: idempotent, never overwrites an archivist's edit, atomic, contained, and reported."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from gazette.archive import load_archive
from gazette.importer.batch import run_import
from gazette.importer.command import import_cmd
from gazette.importer.writer import STATE_FILE, UnsafePath, safe_target

LAW = """# 中华人民共和国测试条例

2001年6月15日 中华人民共和国国务院令第306号公布
2011年1月8日 《国务院关于废止和修改部分行政法规的决定》修订
2011年3月1日 施行

<!-- INFO END -->

第一条 为了测试导入，制定本条例。

第二条 本条例自公布之日起施行。<script>alert(1)</script>
"""

NOTICE = """发布日期：2018-05-10
关于开展测试工作的通知
某政发〔2018〕7号

各区人民政府：

现将有关事项通知如下。

某某市人民政府
2018年5月4日
"""


@pytest.fixture
def sources(tmp_path):
    root = tmp_path / "collection"
    (root / "行政法规").mkdir(parents=True)
    (root / "行政法规" / "测试条例(2011-01-08).md").write_text(LAW, encoding="utf-8")
    (root / "notice.txt").write_text(NOTICE, encoding="utf-8")
    return root


def files_of(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)


def test_collection_file_becomes_a_document_with_recognised_metadata(tmp_path, sources):
    into = tmp_path / "content"
    report = run_import([str(sources)], str(into), jobs=1)
    assert report.counts()["imported"] == 2 and not report.failed
    archive = load_archive(str(into))
    assert archive.errors == []
    law = next(d for d in archive.documents if d.title == "中华人民共和国测试条例")
    assert law.date.isoformat() == "2011-01-08" and law.effective.isoformat() == "2011-03-01"
    assert law.doc_number == "中华人民共和国国务院令第306号" and law.issuer == ["国务院"]
    assert "<script" not in law.body and "第一条 为了测试导入" in law.body
    assert law.source_path.startswith("documents/2011/") and law.slug.isascii()


def test_same_source_imported_twice_gives_same_files_and_no_duplicates(tmp_path, sources):
    into = tmp_path / "content"
    run_import([str(sources)], str(into), jobs=1)
    first = {f: (into / f).read_bytes() for f in files_of(into) if f != STATE_FILE}
    report = run_import([str(sources)], str(into), jobs=2)
    assert report.counts() == {"unchanged": 2}
    assert {f: (into / f).read_bytes() for f in files_of(into) if f != STATE_FILE} == first
    # The same collection given by another path maps to the same files too.
    report = run_import([os.path.relpath(sources)], str(into), jobs=1)
    assert report.counts() == {"unchanged": 2}
    assert len(load_archive(str(into)).documents) == 2


def test_archivist_edit_is_not_overwritten_without_force(tmp_path, sources):
    into = tmp_path / "content"
    report = run_import([str(sources)], str(into), jobs=1)
    rel = next(o.path for r in report.results for o in r.outputs if "notice" in r.source)
    edited = (into / rel).read_text(encoding="utf-8").replace("title: 关于开展测试工作的通知",
                                                               "title: 关于开展测试工作的通知\nvalidity: repealed")
    (into / rel).write_text(edited, encoding="utf-8")
    (sources / "notice.txt").write_text(NOTICE.replace("现将", "现将如下"), encoding="utf-8")
    report = run_import([str(sources)], str(into), jobs=1)
    notice = next(r for r in report.results if "notice" in r.source)
    assert notice.status == "skipped" and "--force" in notice.reasons[0]
    assert (into / rel).read_text(encoding="utf-8") == edited
    report = run_import([str(sources)], str(into), force=True, jobs=1)
    assert next(r for r in report.results if "notice" in r.source).status == "updated"
    assert "validity: repealed" not in (into / rel).read_text(encoding="utf-8")


def test_changed_source_updates_its_own_unedited_file(tmp_path, sources):
    into = tmp_path / "content"
    run_import([str(sources)], str(into), jobs=1)
    (sources / "notice.txt").write_text(NOTICE.replace("现将", "现将如下"), encoding="utf-8")
    report = run_import([str(sources)], str(into), jobs=1)
    assert next(r for r in report.results if "notice" in r.source).status == "updated"
    assert len(load_archive(str(into)).documents) == 2


def test_dry_run_writes_nothing(tmp_path, sources):
    into = tmp_path / "content"
    report = run_import([str(sources)], str(into), dry_run=True, jobs=1)
    assert report.counts()["imported"] == 2
    assert not into.exists()


def test_writes_are_atomic_no_temporary_files_left(tmp_path, sources):
    into = tmp_path / "content"
    run_import([str(sources)], str(into), jobs=1)
    assert not [f for f in files_of(into) if ".tmp" in f or ".import-" in f]


def test_bad_sources_are_reported_and_the_batch_goes_on(tmp_path, sources):
    (sources / "scan.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    (sources / "garbled.txt").write_bytes(b"\xff\xfe\xfa\xfb" * 50 + b"\x81")
    into = tmp_path / "content"
    report = run_import([str(sources), str(tmp_path / "missing")], str(into), jobs=1)
    status = {os.path.basename(r.source): r.status for r in report.results}
    assert status["scan.png"] == "skipped" and status["missing"] == "failed"
    assert status["notice.txt"] == "imported" and status["测试条例(2011-01-08).md"] == "imported"
    assert status["garbled.txt"] in ("failed", "skipped")
    assert report.failed


def test_paths_cannot_escape_the_target(tmp_path):
    into = tmp_path / "content"
    into.mkdir()
    for bad in ("../x.md", "/etc/passwd", "documents/../../x.md", "documents/.hidden.md", "a\\b.md"):
        with pytest.raises(UnsafePath):
            safe_target(str(into), bad)
    os.symlink(tmp_path, into / "documents")   # a symlink inside the archive pointing out of it
    with pytest.raises(UnsafePath):
        safe_target(str(into), "documents/2020/x.md")


def test_manifest_values_win_and_disclosure_is_carried_through(tmp_path, sources):
    manifest = tmp_path / "m.csv"
    manifest.write_text("source,公開屬性,doc_type,category\nnotice.txt,不予公開,通知,测试\n", encoding="utf-8")
    into = tmp_path / "content"
    report = run_import([str(sources)], str(into), manifest=str(manifest), jobs=1)
    assert not report.failed
    rel = next(o.path for r in report.results for o in r.outputs if "notice" in r.source)
    assert "disclosure: withheld" in (into / rel).read_text(encoding="utf-8")
    archive = load_archive(str(into))
    assert archive.withheld_count == 1 and all(d.title != "关于开展测试工作的通知" for d in archive.documents)


def test_bad_manifest_cells_are_reported_with_line_and_column(tmp_path, sources):
    manifest = tmp_path / "m.csv"
    manifest.write_text("source,date,disclosure\nnotice.txt,2018-13-45,secret\n", encoding="utf-8")
    report = run_import([str(sources)], str(tmp_path / "content"), manifest=str(manifest), jobs=1)
    assert report.failed
    assert any(e.startswith(f"{manifest}:2: date: '2018-13-45' 不是日期（应为 YYYY-MM-DD") for e in report.manifest_errors)
    assert any(":2: disclosure: 'secret' 不是可用的值（应为以下之一：public 主动公开" in e for e in report.manifest_errors)


def test_cli_reports_in_text_and_json_and_exits_nonzero_on_failure(tmp_path, sources):
    into = tmp_path / "content"
    runner = CliRunner()
    result = runner.invoke(import_cmd, [str(sources), "--into", str(into)])
    assert result.exit_code == 0, result.output
    assert "新导入 2" in result.output
    (sources / "empty.md").write_text("no title, no date\n", encoding="utf-8")
    (sources / "broken.pdf").write_bytes(b"%PDF-1.4\n not really a PDF")
    report_file = tmp_path / "report.json"
    result = runner.invoke(import_cmd, [str(sources), "--into", str(into), "--report", str(report_file)])
    assert result.exit_code == 1
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert data["counts"]["unchanged"] == 2 and data["counts"]["failed"] == 1 and data["counts"]["imported"] == 1
    failed = next(s for s in data["sources"] if s["status"] == "failed")
    assert failed["source"].endswith("broken.pdf") and "PDF" in failed["reasons"][0]
    # A text without title or date is not failed but kept as a draft, with the reason.
    empty = next(s for s in data["sources"] if s["source"].endswith("empty.md"))
    assert "发布日期" in empty["outputs"][0]["draft"]


def test_import_is_registered_as_a_gazette_subcommand():
    from gazette.cli import cli
    from gazette.importer.command import import_cmd as cmd
    assert cli.get_command(None, "import") is cmd


def test_the_archive_itself_is_never_imported_as_a_source(tmp_path, sources):
    into = sources / "content"
    run_import([str(sources)], str(into), jobs=1)
    report = run_import([str(sources)], str(into), jobs=1)
    assert report.counts() == {"unchanged": 2}      # its own output under the source folder is not walked
    report = run_import([str(into / "documents")], str(into), jobs=1)
    assert report.failed and "目标目录" in report.results[0].reasons[0]


def test_manifest_row_naming_no_source_is_reported(tmp_path, sources):
    manifest = tmp_path / "m.csv"
    manifest.write_text("source,doc_type\nnotice.txt,通知\nnotcie.txt,通知\n", encoding="utf-8")
    report = run_import([str(sources)], str(tmp_path / "content"), manifest=str(manifest), jobs=1)
    assert report.failed
    assert report.manifest_errors == [f"{manifest}:3: source: 'notcie.txt' 与所给的来源都不匹配"
                                      "（应为所导入文件的文件名或路径结尾）"]


def test_long_runs_show_a_progress_bar_on_stderr_not_in_the_report(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(25):
        (folder / f"n{i}.txt").write_text(NOTICE.replace("7号", f"{i + 10}号"), encoding="utf-8")
    result = CliRunner().invoke(import_cmd, [str(folder), "--into", str(tmp_path / "content")])
    assert result.exit_code == 0, result.output
    assert "读取" in result.stderr and "写入" in result.stderr
    assert "读取" not in result.stdout and "新导入 25" in result.stdout
