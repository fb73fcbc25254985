"""A public document that cites a withheld one (不予公开): by its number in the text, the title or a
correction, or in a relation (supersedes, amends, repealed_by, interprets…). The public text is
published as written; nothing of the withheld document is (no link, title, relation or validity),
anywhere; the build and `gazette check` warn the publisher, naming the public file, the line, the
field and the number as the public file writes it, never the withheld document's title."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from leakscan import find_leaks
from test_leaks_inputs import build, doc_text, write

from gazette.cli import cli

SECRET = {"title": "关于第9号内部储备事项的不予公开决定", "doc_number": "临密〔2024〕9号", "slug": "secret-reserve",
          "body": "第一条　编号九的储备库点位置属于内部事项，不得出现在网站上。"}
NUMBER = SECRET["doc_number"]


def archive(root):
    content = root / "content"
    write(content / "issues" / "2024-01.md", "title: 2024年第1期\nyear: 2024\nnumber: 1\ndate: 2024-01-10\n\n")
    write(content / "documents" / f"{SECRET['slug']}.md", doc_text(
        title=SECRET["title"], date="2024-01-05", doc_number=NUMBER, doc_type="规范性文件", disclosure="不予公开",
        effective="2024-01-05", body=SECRET["body"]))
    # Cites it in the text (twice on one line, once in Traditional full-width spelling), in a
    # correction and in two relations, one by number and one by file name.
    write(content / "documents" / "cites.md", doc_text(
        title="临澜市储备管理实施办法", date="2024-01-10", doc_number="临政规〔2024〕2号", doc_type="规范性文件",
        gazette="2024-01", pages="1-2", supersedes=NUMBER, amends=SECRET["slug"],
        correction="2024-02-01 第二条“临密〔2024〕9号”应为“临密〔2024〕9号第三条”",
        body=f"第一条　根据{NUMBER}文件，制定本办法。{NUMBER}另有规定的，从其规定。\n\n"
             "第二条　臨密［２０２４］９號所列事項，依照本辦法辦理。\n\n第三条　本办法自发布之日起施行。"))
    write(content / "documents" / "old.md", doc_text(
        title="临澜市储备管理旧办法", date="2023-01-10", doc_number="临政规〔2023〕5号", doc_type="规范性文件",
        validity="repealed", repealed_by=NUMBER, superseded_by=SECRET["slug"]))
    write(content / "documents" / "jd.md", doc_text(title="临澜市储备事项政策解读", date="2024-01-06",
                                                    doc_type="政策解读", interprets=NUMBER))
    # Names a number no file bears: the ordinary warning, not the withheld one.
    write(content / "documents" / "other.md", doc_text(title="临澜市另一件通知", date="2024-01-07",
                                                       supersedes="临政〔2020〕99号", body=f"参照{NUMBER[:2]}其他规定。"))
    return content


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("withheld-citations")
    content = archive(root)
    result = build(content, root / "out", root / "cache")
    return root, content, root / "out", result


def test_nothing_of_the_withheld_document_reaches_any_output(site):
    root, _, out, _ = site
    markers = [SECRET["title"], SECRET["body"][4:], SECRET["slug"]]
    assert find_leaks(str(out), markers, roots_extra=[str(root / "cache")]) == []


def test_the_public_text_stays_as_written_and_links_nothing(site):
    _, _, out, _ = site
    page = (out / "documents" / "cites.html").read_text(encoding="utf-8")
    assert f"根据{NUMBER}文件" in page and "臨密［２０２４］９號所列事項" in page
    assert 'class="doc-ref"' not in page
    # The number is in the public text only: no relation, banner or link carries it.
    for name in ("old", "jd"):
        assert NUMBER not in (out / "documents" / f"{name}.html").read_text(encoding="utf-8")


def test_no_relation_or_validity_of_the_withheld_document_in_open_data_and_the_report(site):
    _, _, out, _ = site
    cites = json.loads((out / "documents" / "cites.json").read_text(encoding="utf-8"))
    old = json.loads((out / "documents" / "old.json").read_text(encoding="utf-8"))
    jd = json.loads((out / "documents" / "jd.json").read_text(encoding="utf-8"))
    assert cites["supersedes"] == cites["amends"] == [] and old["superseded_by"] == [] and jd["interprets"] == []
    assert old["ended_by"] == "" and old["status"] == "repealed"  # its own declared status, nobody's instrument
    report = json.loads((out / "validity" / "report.json").read_text(encoding="utf-8"))
    rows = {r["slug"]: r for r in report["documents"]}
    assert SECRET["slug"] not in rows and rows["old"]["superseded_by"] == ""
    # Wherever the number is, it is the public document's own words (its text, its corrections),
    # never a field that would say something of the withheld document.
    carriers = set()
    for path in out.rglob("*"):
        if path.suffix == ".json":
            carriers |= {f"{path.name}:{key}" for key in _keys_holding(json.loads(path.read_text(encoding="utf-8")))}
        elif path.suffix == ".csv":
            rows = list(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
            carriers |= {f"{path.name}:{k}" for row in rows for k, v in row.items() if v and NUMBER in v}
        elif path.suffix == ".html" and path.name != "cites.html":
            assert NUMBER not in path.read_text(encoding="utf-8"), path
    assert {c.split(":")[1] for c in carriers} <= {"text", "corrections"}, carriers


def _keys_holding(value, key=""):
    if isinstance(value, dict):
        return {k for name, v in value.items() for k in _keys_holding(v, name)}
    if isinstance(value, list):
        return {k for v in value for k in _keys_holding(v, key)}
    return {key} if isinstance(value, str) and NUMBER in value else set()

def _withheld_warnings(warnings) -> list[tuple[str, int, str]]:
    return [(w.path.rsplit("/", 1)[-1], w.line, w.key) for w in warnings if "不予公开" in w.problem]


def test_build_warns_of_each_citation_with_file_line_field_and_number(site):
    _, content, _, result = site
    got = _withheld_warnings(result.warnings)
    assert got == [("cites.md", 7, "supersedes"), ("cites.md", 8, "amends"), ("cites.md", 9, "correction"),
                   ("cites.md", 11, "正文"), ("cites.md", 13, "正文"),
                   ("jd.md", 4, "interprets"),
                   ("old.md", 6, "repealed_by"), ("old.md", 7, "superseded_by")]
    text = "\n".join(str(w) for w in result.warnings)
    assert f"cites.md:11: 正文: 引用的“{NUMBER}”是不予公开文件的文号" in text
    assert "cites.md:13: 正文: 引用的“臨密［２０２４］９號”" in text  # as the public file writes it
    assert f"old.md:7: superseded_by: “{SECRET['slug']}”指向不予公开的文件" in text
    assert SECRET["title"] not in text and f"{SECRET['slug']}.md" not in text
    assert "other.md" not in text


def test_check_warns_once_per_citation_and_still_passes(site):
    _, content, _, _ = site
    result = CliRunner().invoke(cli, ["check", "--content", str(content), "--as-of", "2026-11-22"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert sum("不予公开" in line for line in lines) == 8
    assert not any("不匹配" in line and NUMBER in line for line in lines)  # not also the ordinary warning
    assert any("other.md" in line and "“临政〔2020〕99号”与档案中的任何公开文件都不匹配" in line for line in lines)
    assert SECRET["title"] not in result.stderr


def test_a_number_a_listed_document_also_bears_is_linked_not_warned(tmp_path):
    import datetime as dt

    from gazette.archive import load_archive
    from gazette.citations import citations
    from gazette.site import SiteModel
    from gazette.validity import ValiditySettings

    content = archive(tmp_path)
    write(content / "documents" / "twin.md", doc_text(title="临澜市同号的公开文件", date="2024-01-04", doc_number=NUMBER))
    model = SiteModel.build(load_archive(str(content)), dt.date(2026, 11, 22), ValiditySettings())
    # The number now names a listed document; the file name still names the withheld one.
    assert _withheld_warnings(model.warnings()) == [("cites.md", 8, "amends"), ("old.md", 7, "superseded_by")]
    assert [d.slug for _, d in citations(model, next(d for d in model.documents if d.slug == "cites"))] == ["twin"]


def test_a_withheld_document_replacing_a_public_one_is_warned_at_the_withheld_file(tmp_path):
    """The public document it supersedes or amends is shown as before (nothing of the withheld one
    reaches its page); the publisher is told, at the withheld file, to say it in the public one."""
    content = tmp_path / "content"
    write(content / "documents" / "public.md", doc_text(title="临澜市储备管理公开办法", date="2023-01-10",
                                                        doc_number="临政规〔2023〕5号", doc_type="规范性文件"))
    write(content / "documents" / "secret.md", doc_text(
        title=SECRET["title"], date="2024-01-05", doc_number=NUMBER, disclosure="withheld",
        supersedes="临政规〔2023〕5号", amends="public", body=SECRET["body"]))
    result = build(content, tmp_path / "out", tmp_path / "cache")
    got = [(w.path.rsplit("/", 1)[-1], w.line, w.key, w.problem) for w in result.warnings if "不予公开" in w.problem]
    assert got == [("secret.md", 5, "supersedes", "本文件不予公开，网站上“临政规〔2023〕5号”不会因被本文件替代而显示为已被替代"
                                                  "（警告：如需要，请在“临政规〔2023〕5号”自己的元数据中写明其有效性）"),
                   ("secret.md", 6, "amends", "本文件不予公开，网站上“public”不会因被本文件修改而显示为已被修改"
                                              "（警告：如需要，请在“public”自己的元数据中写明其有效性）")]
    shown = json.loads((tmp_path / "out" / "documents" / "public.json").read_text(encoding="utf-8"))
    assert shown["status"] == "in_force" and shown["superseded_by"] == shown["amended_by"] == []
    assert find_leaks(str(tmp_path / "out"), [SECRET["title"], SECRET["body"][4:], NUMBER],
                      roots_extra=[str(tmp_path / "cache")]) == []


def test_an_unchanged_rebuild_warns_again(site):
    root, content, out, first = site
    again = build(content, out, root / "cache")
    assert again.unchanged and _withheld_warnings(again.warnings) == _withheld_warnings(first.warnings)
