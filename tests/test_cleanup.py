"""`gazette cleanup apply`: recording clean-up results changes exactly the metadata lines it must."""

import os

import pytest
from click.testing import CliRunner

from gazette.archive import load_archive
from gazette.cleanup_apply import parse_result
from gazette.cli import cli

PLAIN = (
    "title: 临澜市停车场管理办法\n"
    "date: 2020-03-01\n"
    "doc_number: 临政规〔2020〕1号\n"
    "doc_type: 规范性文件\n"
    "\n"
    "第一条　正文。\n"
    "reviewed: 这一行在正文里，不能改。\n"
)
# Traditional keys, CRLF line endings, a BOM, full-width colons, an existing review line.
TRADITIONAL = (
    "\ufeff標題：臨瀾市供水管理辦法\r\n"
    "發布日期：2021-01-05\r\n"
    "文號：臨政規〔2021〕2號\r\n"
    "文種：規範性文件\r\n"
    "有效性：有效\r\n"
    "清理日期：2022年12月31日\r\n"
    "\r\n"
    "正文。\r\n"
)
FENCED = (
    "---\n"
    "title: 临澜市绿化管理办法\n"
    "date: 2019-05-01\n"
    "doc_number: 临政规〔2019〕3号\n"
    "doc_type: 规章\n"
    "validity: amended\n"
    "review_note: 旧说明\n"
    "---\n"
    "正文。"
)


def write_bytes(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


@pytest.fixture
def content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    c = tmp_path / "content"
    write_bytes(c / "documents/plain.md", PLAIN)
    write_bytes(c / "documents/trad.md", TRADITIONAL)
    write_bytes(c / "documents/fenced.md", FENCED)
    write_bytes(c / "documents/twin-a.md", "title: 甲\ndate: 2020-01-01\ndoc_number: 临政发〔2020〕7号\n\n正文。\n")
    write_bytes(c / "documents/twin-b.md", "title: 乙\ndate: 2020-01-02\ndoc_number: 临政发[2020]7号\n\n正文。\n")
    write_bytes(c / "documents/secret.md",
                "title: 内部文件\ndate: 2020-01-01\ndoc_number: 临政密〔2020〕1号\ndisclosure: withheld\n\n正文。\n")
    return c


def results(tmp_path, text):
    path = tmp_path / "results.csv"
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def apply(*args):
    return CliRunner().invoke(cli, ["cleanup", "apply", *args], catch_exceptions=False)


def snapshot(c):
    return {p: p.read_bytes() for p in sorted(c.rglob("*.md"))}


@pytest.mark.parametrize("word, code", [("继续有效", "keep"), ("繼續有效", "keep"), ("keep", "keep"),
                                        ("修改", "amend"), ("amend", "amend"), ("废止", "repeal"),
                                        ("廢止", "repeal"), ("Repeal", "repeal"), ("失效", "expire"),
                                        ("expire", "expire")])
def test_results_in_either_script_or_english(word, code):
    assert parse_result(word) == code


def test_repeal_inserts_lines_at_end_of_header_and_nothing_else_changes(content, tmp_path):
    before = snapshot(content)
    csv_path = results(tmp_path, "doc_number,result,note\n临政规[2020]1号,废止,已被新办法替代\n")
    result = apply(csv_path, "--date", "2026-11-20")
    assert result.exit_code == 0, result.output + result.stderr
    expected = PLAIN.replace("doc_type: 规范性文件\n", "doc_type: 规范性文件\nreviewed: 2026-11-20\n"
                             "validity: repealed\nreview_note: 已被新办法替代\n", 1)
    after = snapshot(content)
    assert after[content / "documents/plain.md"] == expected.encode("utf-8")
    assert {p: b for p, b in after.items() if p.name != "plain.md"} == \
        {p: b for p, b in before.items() if p.name != "plain.md"}
    doc = {d.slug: d for d in load_archive(str(content)).documents}["plain"]
    assert (doc.validity, str(doc.reviewed), doc.review_note) == ("repealed", "2026-11-20", "已被新办法替代")
    assert "+ validity: repealed" in result.output and "已更新 1 件文件" in result.output


def test_existing_lines_are_replaced_keeping_key_spelling_line_endings_and_bom(content, tmp_path):
    csv_path = results(tmp_path, "slug,result,note\ntrad,失效,\n")
    assert apply(csv_path, "--date", "2026-11-20").exit_code == 0
    expected = (TRADITIONAL.replace("有效性：有效\r\n", "有效性：已失效\r\n")
                .replace("清理日期：2022年12月31日\r\n", "清理日期：2026年11月20日\r\n"))
    assert (content / "documents/trad.md").read_bytes() == expected.encode("utf-8")


def test_note_on_a_chinese_header_gets_the_chinese_key(content, tmp_path):
    csv_path = results(tmp_path, "slug,result,note\ntrad,继续有效,经评估继续有效\n")
    assert apply(csv_path, "--date", "2026-11-20").exit_code == 0
    expected = (TRADITIONAL.replace("清理日期：2022年12月31日\r\n",
                                    "清理日期：2026年11月20日\r\n清理說明：经评估继续有效\r\n"))
    # keep: a declared 有效 stays as written
    assert (content / "documents/trad.md").read_bytes() == expected.encode("utf-8")


def test_keep_leaves_amended_alone_and_replaces_note_in_a_fenced_header(content, tmp_path):
    csv_path = results(tmp_path, "doc_number,result,note\n临政规〔2019〕3号,keep,新说明\n")
    assert apply(csv_path, "--date", "2026-11-20").exit_code == 0
    expected = FENCED.replace("review_note: 旧说明\n", "review_note: 新说明\nreviewed: 2026-11-20\n")
    assert (content / "documents/fenced.md").read_bytes() == expected.encode("utf-8")


def test_keep_on_a_repealed_document_declares_it_in_force(content, tmp_path):
    write_bytes(content / "documents/back.md", "title: 丙\ndate: 2020-01-01\nvalidity: repealed\n\n正文。\n")
    assert apply(results(tmp_path, "slug,result\nback,keep\n"), "--date", "2026-11-20").exit_code == 0
    assert (content / "documents/back.md").read_text(encoding="utf-8") == \
        "title: 丙\ndate: 2020-01-01\nvalidity: in_force\nreviewed: 2026-11-20\n\n正文。\n"


def test_header_without_body_or_final_newline(content, tmp_path):
    write_bytes(content / "documents/bare.md", "title: 丁\r\ndate: 2020-01-01")
    assert apply(results(tmp_path, "slug,result\nbare,amend\n"), "--date", "2026-11-20").exit_code == 0
    assert (content / "documents/bare.md").read_bytes() == \
        "title: 丁\r\ndate: 2020-01-01\r\nreviewed: 2026-11-20\r\nvalidity: amended".encode("utf-8")


def test_dry_run_prints_changes_and_writes_nothing(content, tmp_path):
    before = snapshot(content)
    result = apply(results(tmp_path, "doc_number,result\n临政规〔2020〕1号,repeal\n"), "--date", "2026-11-20",
                   "--dry-run")
    assert result.exit_code == 0
    assert "+ reviewed: 2026-11-20" in result.output and "+ validity: repealed" in result.output
    assert "将更新 1 件文件" in result.output
    assert snapshot(content) == before
    assert not [n for n in os.listdir(content / "documents") if n.startswith(".")]


def test_unknown_ambiguous_and_withheld_are_reported_not_guessed(content, tmp_path):
    before = snapshot(content)
    csv_path = results(tmp_path, "doc_number,result\n"
                                 "临政规〔2099〕1号,废止\n"
                                 "临政发（2020）7号,废止\n"
                                 "临政密〔2020〕1号,废止\n"
                                 "临政规〔2020〕1号,作废\n")
    result = apply(csv_path, "--date", "2026-11-20")
    assert result.exit_code == 1
    err = result.stderr
    assert f"{csv_path}:2: doc_number: “临政规〔2099〕1号”不在 content" in err
    assert f"{csv_path}:3: doc_number “临政发（2020）7号”不唯一，以下文件都用它：twin-b、twin-a" in err \
        or f"{csv_path}:3: doc_number “临政发（2020）7号”不唯一，以下文件都用它：twin-a、twin-b" in err
    assert f"{csv_path}:4: doc_number: “临政密〔2020〕1号”指向不予公开的文件" in err
    assert f"{csv_path}:5: result: “作废”不是清理结果" in err
    assert "4 行未应用。" in err
    assert snapshot(content) == before


def test_good_rows_still_apply_when_another_fails(content, tmp_path):
    result = apply(results(tmp_path, "slug,result\nplain,修改\nnobody,修改\n"), "--date", "2026-11-20")
    assert result.exit_code == 1
    assert "validity: amended" in (content / "documents/plain.md").read_text(encoding="utf-8")


def test_same_document_twice_is_reported(content, tmp_path):
    result = apply(results(tmp_path, "doc_number,slug,result\n,plain,keep\n临政规〔2020〕1号,,废止\n"),
                   "--date", "2026-11-20")
    assert result.exit_code == 1
    assert "第 2 行已给出它的结果" in result.stderr
    assert "validity" not in (content / "documents/plain.md").read_text(encoding="utf-8").split("\n\n")[0]


def test_csv_without_result_column_is_rejected(content, tmp_path):
    result = apply(results(tmp_path, "doc_number,outcome\n临政规〔2020〕1号,废止\n"))
    assert result.exit_code == 1
    assert "header: 缺少 result 列" in result.stderr


def test_date_defaults_to_today(content, tmp_path):
    import datetime as dt
    assert apply(results(tmp_path, "slug,result\nplain,keep\n")).exit_code == 0
    assert f"reviewed: {dt.date.today().isoformat()}\n" in (content / "documents/plain.md").read_text(encoding="utf-8")


def test_cleanup_of_sample_documents_changes_exactly_their_metadata_lines(tmp_path, monkeypatch):
    import difflib
    import shutil

    from conftest import AS_OF, CONTENT
    from gazette.validity import evaluate

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.chdir(tmp_path)
    archive = load_archive(str(content))
    overdue = [d for d in archive.documents if evaluate(d, AS_OF).flag == "overdue"]
    assert len(overdue) >= 2, "the sample archive has overdue documents to clean up"
    keep, repeal = overdue[0], overdue[1]
    before = snapshot(content)
    csv_path = results(tmp_path, f"doc_number,slug,result,note\n{keep.doc_number},,继续有效,\n"
                                 f",{repeal.slug},废止,清理后废止\n")
    result = apply(csv_path, "--date", "2026-11-22")
    assert result.exit_code == 0, result.stderr
    after = snapshot(content)
    changed = {p.name for p in after if after[p] != before[p]}
    assert changed == {os.path.basename(keep.source_path), os.path.basename(repeal.source_path)}
    from gazette.metadata import canonical_key
    for doc in (keep, repeal):
        path = content / doc.source_path
        old = before[path].decode("utf-8").splitlines()
        new = after[path].decode("utf-8").splitlines()
        diff = [l for l in difflib.ndiff(old, new) if l[:2] in ("+ ", "- ")]
        touched = {canonical_key(l[2:].replace("：", ":").split(":", 1)[0]) for l in diff}
        assert touched <= {"reviewed", "validity", "review_note"} and "reviewed" in touched, diff
        # the body and every other header line are where they were
        assert [l for l in old if l not in new] == [l[2:] for l in diff if l.startswith("- ")]
    # the archive now reads the new values, and the two are no longer overdue
    docs = {d.slug: d for d in load_archive(str(content)).documents}
    assert evaluate(docs[keep.slug], AS_OF).flag == "current"
    assert evaluate(docs[repeal.slug], AS_OF).status == "repealed"
    assert (str(docs[repeal.slug].reviewed), docs[repeal.slug].review_note) == ("2026-11-22", "清理后废止")


def test_validity_value_keeps_the_archivists_language(content, tmp_path):
    write_bytes(content / "documents/mixed.md", "title: 戊\ndate: 2020-01-01\nvalidity: 有效\n\n正文。\n")
    assert apply(results(tmp_path, "slug,result\nmixed,废止\n"), "--date", "2026-11-20").exit_code == 0
    assert (content / "documents/mixed.md").read_text(encoding="utf-8") == \
        "title: 戊\ndate: 2020-01-01\nvalidity: 已废止\nreviewed: 2026-11-20\n\n正文。\n"


def test_symlinked_document_is_updated_through_its_link(content, tmp_path):
    """The link stays a link; the file it points to (inside content/) gets the new lines."""
    target = content / "originals" / "real.md"
    write_bytes(target, "title: 链接的文件\ndate: 2020-05-01\ndoc_number: 临政规〔2020〕5号\n\n正文。\n")
    link = content / "documents" / "linked.md"
    link.symlink_to(os.path.relpath(target, link.parent))
    csv_path = results(tmp_path, "doc_number,result,note\n临政规〔2020〕5号,废止,\n")
    result = apply(csv_path, "--date", "2026-11-20")
    assert result.exit_code == 0, result.output + result.stderr
    assert link.is_symlink() and os.readlink(link) == os.path.relpath(target, link.parent)
    assert target.read_text(encoding="utf-8") == ("title: 链接的文件\ndate: 2020-05-01\ndoc_number: 临政规〔2020〕5号\n"
                                                  "reviewed: 2026-11-20\nvalidity: repealed\n\n正文。\n")
    assert not [p for p in (content / "documents").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("eol", ["\r", "\r\n", "\n"])
def test_every_line_ending_is_read_and_kept(content, tmp_path, eol):
    """Old Mac files (CR only) are read like any other: no misleading `date: 缺少此项`."""
    text = eol.join(["title: 旧式换行", "date: 2019-03-01", "doc_number: 临政规〔2019〕77号", "", "正文第一段。", "",
                     "正文第二段。", ""])
    write_bytes(content / "documents" / "oldmac.md", text)
    csv_path = results(tmp_path, "doc_number,result,note\n临政规〔2019〕77号,失效,到期\n")
    result = apply(csv_path, "--date", "2026-11-20")
    assert result.exit_code == 0, result.output + result.stderr
    expected = eol.join(["title: 旧式换行", "date: 2019-03-01", "doc_number: 临政规〔2019〕77号", "reviewed: 2026-11-20",
                         "validity: expired", "review_note: 到期", "", "正文第一段。", "", "正文第二段。", ""])
    assert (content / "documents" / "oldmac.md").read_bytes() == expected.encode("utf-8")
    doc = {d.slug: d for d in load_archive(str(content)).documents}["oldmac"]
    assert (doc.validity, doc.title, doc.body) == ("expired", "旧式换行", "正文第一段。\n\n正文第二段。\n")


def test_header_lines_split_on_any_line_break():
    from gazette.metadata import split_header, split_lines

    for eol in ("\r", "\r\n", "\n"):
        header = split_header(eol.join(["title: 甲", "date: 2020-01-01", "", "正文"]), "x.md")
        assert header.fields["date"] == ("2020-01-01", 2) and header.body == "正文"
    mixed = "a\r\nb\rc\nd"
    lines, breaks = split_lines(mixed)
    assert lines == ["a", "b", "c", "d"] and "".join(l + b for l, b in zip(lines, breaks + [""])) == mixed
