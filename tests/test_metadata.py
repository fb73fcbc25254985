"""The content model: keys and aliases, dates, enumerations, and located error messages."""

import datetime as dt

import pytest

from gazette import metadata as md
from gazette.archive import load_archive, normalise_doc_number
from gazette.model import read_document

GOOD = """title: 关于加强城市道路管理的通知
date: 2023-05-04
doc_number: 临政办发〔2023〕7号
issuer: 临澜市人民政府办公室; 临澜市交通运输局
doc_type: 通知

正文第一段。
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_canonical_keys_are_read(tmp_path):
    doc = read_document(write(tmp_path, "a.md", GOOD))
    assert doc.title == "关于加强城市道路管理的通知"
    assert doc.date == dt.date(2023, 5, 4)
    assert doc.issuer == ["临澜市人民政府办公室", "临澜市交通运输局"]
    assert doc.validity == "in_force" and doc.disclosure == "public"
    assert doc.slug == "a" and doc.url == "documents/a.html"
    assert doc.body.strip() == "正文第一段。"


def test_chinese_aliases_in_either_script_and_chinese_dates(tmp_path):
    text = ("標題: 臨瀾市公報管理辦法\n发布日期: 2017年1月6日\n文號: 臨政規〔2017〕1號\n有效性: 已废止\n"
            "公開屬性: 依申请公开\n成文日期: ２０１７年１月２日\n\n本辦法自發布之日起施行。\n")
    doc = read_document(write(tmp_path, "b.md", text))
    assert doc.date == dt.date(2017, 1, 6)
    assert doc.signed == dt.date(2017, 1, 2)
    assert doc.doc_number == "臨政規〔2017〕1號"
    assert doc.validity == "repealed"
    assert doc.disclosure == "on_request"
    assert doc.script == "zh-Hant"


def test_bad_date_reports_path_line_key_and_expectation(tmp_path):
    path = write(tmp_path, "c.md", "title: 通知\ndate: 2023-13-45\n\n正文\n")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    assert str(e.value) == f"{path}:2: date: '2023-13-45' 不是日期（应为 YYYY-MM-DD 或 2017年1月6日）"


def test_every_error_in_a_file_is_reported_at_once(tmp_path):
    path = write(tmp_path, "d.md", "date: 2023-01-01\nvalidity: maybe\ndisclosure: secret\n\n正文\n")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    messages = [str(x) for x in e.value.errors]
    assert f"{path}:1: title: 缺少此项（应为非空的值）" in messages
    assert any(m.startswith(f"{path}:2: validity: 'maybe' 不是可用的值（应为以下之一：in_force") for m in messages)
    assert any(m.startswith(f"{path}:3: disclosure: 'secret' 不是可用的值（应为以下之一：public") for m in messages)


def test_key_given_twice_is_an_error(tmp_path):
    path = write(tmp_path, "e.md", "title: 一\ntitle: 二\ndate: 2023-01-01\n\n正文\n")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    assert str(e.value) == f"{path}:2: title: 重复出现（应为每个键只写一次）"


def test_expiry_before_effective_date_is_rejected(tmp_path):
    path = write(tmp_path, "f.md", "title: 一\ndate: 2023-01-01\neffective: 2023-03-01\nexpires: 2023-02-01\n\n正文\n")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    assert f"{path}:4: expires: 早于施行日期" in str(e.value)


def test_non_utf8_file_is_reported_not_crashed(tmp_path):
    path = tmp_path / "g.md"
    path.write_bytes("title: 通知\ndate: 2023-01-01\n\n正文".encode("gb18030"))
    with pytest.raises(md.MetadataErrors) as e:
        read_document(str(path))
    assert f"{path}:1: encoding: 不是 UTF-8 编码" in str(e.value)


def test_archive_drops_withheld_documents_at_load(tmp_path):
    write(tmp_path, "documents/2023/pub.md", GOOD)
    write(tmp_path, "documents/2023/secret.md", GOOD.replace("doc_type: 通知", "disclosure: 不予公开"))
    archive = load_archive(str(tmp_path))
    assert [d.slug for d in archive.documents] == ["pub"]
    assert archive.withheld_count == 1


def test_document_numbers_fold_to_one_spelling():
    spellings = ["临政规〔2023〕3号", "临政规[2023]3号", "臨政規［２０２３］3號", "临政规(2023)3号", "临政规 （2023） 3号"]
    assert len({normalise_doc_number(s) for s in spellings}) == 1
