"""Import drafts (`review: pending`): written so nothing read is lost, never published, listed by `gazette check`."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import threading
import zlib

import brotli
import pytest
from click.testing import CliRunner

from gazette.archive import load_archive
from gazette.cli import cli
from gazette.importer.batch import run_import
from gazette.metadata import MetadataErrors
from gazette.model import read_document

AS_OF = dt.date(2026, 11, 22)
PUBLIC = "title: 临澜市公共自行车管理办法\ndate: 2026-03-02\ndoc_type: 规章\ngazette: 2026-01\npages: 2\n\n第一条　公共自行车租赁服务点位公示。\n"
# A draft with a title, a date, a number and text that must appear nowhere in the built site.
DRAFT = ("review: pending\nreview_reason: 整期未能拆分为文件，请核对\ntitle: 关于试行汛期堤坝巡查轮值制度的通知\n"
         "date: 2026-03-05\ndoc_number: 临政办发〔2026〕77号\ngazette: 2026-01\npages: 3-4\n\n"
         "各区人民政府：堤坝巡查轮值表附后，请认真遵照执行。\n")
# A draft the importer could not date: no title, no date, only text.
UNDATED = "审核状态: 待审核\n待审原因: 未能识别标题、发布日期\n\n蓄滞洪区群众转移安置预案演练记录。\n"
ISSUE = "title: 2026年第1期\nyear: 2026\nnumber: 1\ndate: 2026-03-05\n\n"
NEEDLES = ["汛期堤坝巡查轮值", "堤坝巡查轮值表", "临政办发〔2026〕77号", "2026〕77", "draft-flood",
           "蓄滞洪区群众转移", "undated-plan"]


def write_content(root) -> str:
    content = root / "content"
    (content / "documents" / "2026").mkdir(parents=True)
    (content / "documents" / "undated").mkdir(parents=True)
    (content / "issues").mkdir()
    (content / "documents" / "2026" / "bikes.md").write_text(PUBLIC, encoding="utf-8")
    (content / "documents" / "2026" / "draft-flood.md").write_text(DRAFT, encoding="utf-8")
    (content / "documents" / "undated" / "undated-plan.md").write_text(UNDATED, encoding="utf-8")
    (content / "issues" / "2026-01.md").write_text(ISSUE, encoding="utf-8")
    return str(content)


def readable(path: str) -> bytes:
    """A file's bytes as a reader would get them (compressed copies and the search index's gzip unpacked)."""
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return data
    if path.endswith(".br"):
        return brotli.decompress(data)
    return data


@pytest.fixture(scope="module")
def draft_site(tmp_path_factory):
    from gazette.build import build_site

    root = tmp_path_factory.mktemp("drafts")
    content = write_content(root)
    output, cache = root / "site", root / "cache"
    errors = []

    def run():
        try:
            errors.append(build_site(content, str(output), as_of=AS_OF,
                                     extra_settings={"GAZETTE_CACHE_DIR": str(cache)}))
        except Exception as e:  # surfaced below; the build runs in its own thread (asyncio)
            errors.append(e)

    builder = threading.Thread(target=run)
    builder.start()
    builder.join()
    assert not isinstance(errors[0], Exception), errors
    return root, errors[0]


def test_draft_loads_without_title_or_date_but_is_not_in_the_archive(tmp_path):
    content = write_content(tmp_path)
    archive = load_archive(content)
    assert archive.errors == []
    assert sorted(d.slug for d in archive.drafts) == ["draft-flood", "undated-plan"]
    assert [d.slug for d in archive.documents] == ["bikes"]
    undated = next(d for d in archive.drafts if d.slug == "undated-plan")
    assert undated.date is None and undated.review == "pending" and "发布日期" in undated.review_reason


def test_cleared_draft_needs_title_and_date_and_is_published(tmp_path):
    content = write_content(tmp_path)
    path = os.path.join(content, "documents", "undated", "undated-plan.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write(UNDATED.replace("待审核", "已审核"))
    with pytest.raises(MetadataErrors) as e:
        read_document(path)
    assert {err.key for err in e.value.errors} == {"title", "date"}
    with open(path, "w", encoding="utf-8") as f:
        f.write("title: 蓄滞洪区群众转移安置预案\ndate: 2026-04-01\n\n" + UNDATED.split("\n\n", 1)[1])
    assert "undated-plan" in [d.slug for d in load_archive(content).documents]


def test_review_value_is_validated(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("review: maybe\ntitle: 标题\ndate: 2026-01-01\n\n正文。\n", encoding="utf-8")
    with pytest.raises(MetadataErrors) as e:
        read_document(str(path))
    assert "x.md:1: review: 'maybe' 不是可用的值" in str(e.value)


def test_gazette_check_lists_drafts_with_their_reasons(tmp_path, monkeypatch):
    content = write_content(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--content", content, "--as-of", "2026-11-22"])
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "draft-flood.md:1: review: 待审核草稿" in err and "整期未能拆分为文件" in err
    assert "undated-plan.md:1: review:" in err and "未能识别标题、发布日期" in err
    assert "共 2 件导入草稿待审核" in err
    assert "汛期堤坝" not in result.stdout   # not in the validity report


def test_draft_never_appears_in_any_output_or_index(draft_site):
    root, result = draft_site
    assert result.documents == 1 and result.drafts == 2
    site, seen = root / "site", 0
    assert (site / "documents" / "bikes.html").exists()
    for top in (site, root / "cache"):
        for dirpath, _, files in os.walk(top):
            for name in files:
                path = os.path.join(dirpath, name)
                data = readable(path)
                seen += 1
                for needle in NEEDLES:
                    assert needle.encode() not in data, f"draft text {needle!r} in {path}"
    assert seen > 30
    from gazette.search.whoosh_index import search
    index = next(os.path.join(d, "") for d, _, fs in os.walk(root / "cache") if any(f.endswith(".toc") for f in fs))
    assert [h.slug for h in search(index, "公共自行车").hits] == ["bikes"]   # the index works
    assert search(index, "堤坝巡查").hits == [] and search(index, "蓄滞洪区").hits == []


def test_unsettled_source_is_written_as_a_draft_not_failed(tmp_path):
    src = tmp_path / "in" / "notes.txt"
    src.parent.mkdir()
    src.write_text("堤防巡查工作情况\n\n今年入汛以来，各巡查组按照轮值表开展巡查，发现并处置险情三处。\n", encoding="utf-8")
    into = tmp_path / "content"
    report = run_import([str(src.parent)], str(into), jobs=1)
    assert not report.failed, report.to_text()
    out = report.results[0].outputs[0]
    assert out.draft and "发布日期" in out.draft and out.path.startswith("documents/undated/")
    text = (into / out.path).read_text(encoding="utf-8")
    assert text.startswith("review: pending\nreview_reason: ") and "发现并处置险情三处" in text
    assert "[草稿]" in report.to_text()
    archive = load_archive(str(into))
    assert archive.errors == [] and archive.documents == [] and len(archive.drafts) == 1
    again = run_import([str(src.parent)], str(into), jobs=1)
    assert again.results[0].status == "unchanged"
