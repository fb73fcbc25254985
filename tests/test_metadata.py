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


# -- unknown keys and look-alikes (issue 12) --------------------------------------------------

DOC_HEAD = "title: 关于某事项的决定\ndate: 2024-01-02\n"


@pytest.mark.parametrize("line, key", [
    ("disclosue: withheld", "disclosue"),
    ("公开: 不予公开", "公开"),
    ("discolsure: 不予公开", "discolsure"),
    ("disclosure_: withheld", "disclosure_"),
    ("公开属姓: 不予公开", "公开属姓"),
])
def test_unknown_key_is_a_located_error_naming_the_likely_key(tmp_path, line, key):
    path = write(tmp_path, "x.md", DOC_HEAD + line + "\n\n正文。\n")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    assert [str(err) for err in e.value.errors] == [f"{path}:3: {key}: 未知的键（是否想写 disclosure？）"]


def test_unknown_key_far_from_any_points_to_the_key_table(tmp_path):
    path = write(tmp_path, "x.md", DOC_HEAD + "颜色: 红\n\n正文。\n")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    assert str(e.value) == f"{path}:3: 颜色: 未知的键（可用的键见 README 的元数据表）"


def test_issue_key_in_a_document_says_where_it_belongs(tmp_path):
    path = write(tmp_path, "x.md", DOC_HEAD + "serial: 12\n\n正文。\n")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    assert str(e.value) == f"{path}:3: serial: 此处不用这个键（serial 只用于公报期次文件（issues/））"


@pytest.mark.parametrize("line", [
    "disclosure\u200b: withheld",          # zero-width space in the key
    "\u200bdisclosure: withheld",
    "dis\u00adclosure: withheld",            # soft hyphen
    "ｄｉｓｃｌｏｓｕｒｅ: withheld",            # full-width letters
    "disclosure：withheld",                 # full-width colon
    "ＤＩＳＣＬＯＳＵＲＥ：ｗｉｔｈｈｅｌｄ",        # full-width, upper case, both sides
    "公開屬性: 不予公開",                     # Traditional alias
    "公开属性：不予公开\u200b",                # Simplified alias, invisible character in the value
    "Disclosure: WITHHELD",
])
def test_look_alikes_of_the_disclosure_key_and_value_read_as_withheld(tmp_path, line):
    doc = read_document(write(tmp_path, "x.md", DOC_HEAD + line + "\n\n正文。\n"))
    assert doc.disclosure == "withheld"


@pytest.mark.parametrize("line, expected", [
    ("disclosure: 不公开", "unreadable"),
    ("disclosure: secret", "unreadable"),
    ("disclosue: withheld", "unreadable"),
    ("公开: 不予公开", "unreadable"),
    ("公开属性: 依申请公开", "on_request"),
    ("disclosure: public", "public"),
    ("", "public"),
])
def test_disclosure_that_cannot_be_read_is_never_public(line, expected):
    from gazette.model import disclosure_of

    header = md.split_header(DOC_HEAD + line + "\n\n正文。\n", "x.md", collect=True)
    assert disclosure_of(header) == expected


def test_unreadable_disclosure_value_makes_the_document_withheld_in_the_model(tmp_path):
    """The field reader falls back to withheld (the file is also reported and skipped)."""
    from gazette.model import DISCLOSURE_ALLOWED, document_from_header

    header = md.split_header(DOC_HEAD + "disclosure: 不公开\n\n正文。\n", "x.md", collect=True)
    r = md.FieldReader(header)
    assert r.choice("disclosure", md.parse_disclosure, DISCLOSURE_ALLOWED, "withheld") == "withheld"
    with pytest.raises(md.MetadataErrors) as e:
        document_from_header(header)
    assert str(e.value).startswith("x.md:3: disclosure: '不公开' 不是可用的值（应为以下之一：public 主动公开")


def test_unknown_keys_fail_check_and_build_and_lenient_build_publishes_nothing_of_them(tmp_path, monkeypatch):
    import threading

    from click.testing import CliRunner
    from leakscan import find_leaks

    from gazette.cli import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    content = tmp_path / "content"
    write(content, "documents/ok.md", "title: 公开的通知\ndate: 2024-01-01\n\n正文。\n")
    bodies = {}
    for n, line in enumerate(["disclosue: withheld", "公开: 不予公开", "Disclosure-: 不予公开"]):
        bodies[n] = f"第一条　未知键{n}号文件独有的正文句子。"
        write(content, f"documents/u{n}.md", f"title: 未知键{n}号文件标题\ndate: 2024-01-02\n{line}\n\n{bodies[n]}\n")
    results = {}

    def run(name, *args):
        results[name] = CliRunner().invoke(cli, [*args, "--content", str(content), "--as-of", "2026-11-22"])

    run("check", "check")
    assert results["check"].exit_code == 1
    assert results["check"].stderr.count("未知的键（是否想写 disclosure？）") == 3
    for name, args in (("build", ("build", "--output", str(tmp_path / "strict"))),
                       ("lenient", ("build", "--lenient", "--output", str(tmp_path / "site")))):
        t = threading.Thread(target=run, args=(name, *args))  # the build runs asyncio: a thread of its own
        t.start()
        t.join()
    assert results["build"].exit_code == 1 and "构建中止：3 处元数据错误" in results["build"].stderr
    assert results["lenient"].exit_code == 0, results["lenient"].output
    assert "已跳过 3 个出错文件" in results["lenient"].stderr
    assert (tmp_path / "site" / "documents" / "ok.html").exists()
    markers = [f"未知键{n}号文件标题" for n in bodies] + [b[4:] for b in bodies.values()]
    assert find_leaks(str(tmp_path / "site"), markers, [str(tmp_path / "cache")]) == []


# -- hostile values: dates out of any calendar a gazette has, values of a hundred thousand characters

@pytest.mark.parametrize("key, value", [("date", "9999-12-31"), ("date", "0001-01-01"), ("reviewed", "9999年6月1日"),
                                        ("expires", "２９９９９-01-01")])
def test_a_date_outside_the_years_a_gazette_has_is_a_located_error(tmp_path, key, value):
    text = f"title: 通知\ndate: 2023-01-01\n{key}: {value}\n\n正文\n" if key != "date" else f"title: 通知\ndate: {value}\n\n正文\n"
    path = write(tmp_path, "y.md", text)
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    line = 2 if key == "date" else 3
    problem = "不是日期" if value.startswith("２") else "的年份不在 1000 至 2999 年之间"
    assert str(e.value) == f"{path}:{line}: {key}: '{value}' {problem}（应为 YYYY-MM-DD 或 2017年1月6日）"


@pytest.mark.parametrize("key, value", [("title", "长" * 200_000), ("issuer", ";".join(["临澜市人民政府"] * 2000)),
                                        ("correction", "2024-01-02 " + "误" * 20_000)])
def test_a_value_of_thousands_of_characters_is_a_located_error(tmp_path, key, value):
    head = "" if key == "title" else "title: 通知\n"
    path = write(tmp_path, "z.md", f"{head}{key}: {value}\ndate: 2023-01-01\n\n正文\n")
    with pytest.raises(md.MetadataErrors) as e:
        read_document(path)
    line = 1 if key == "title" else 2
    assert str(e.value) == f"{path}:{line}: {key}: 过长：{len(value)} 个字符（应为不超过 10000 个字符的值）"


def test_hostile_dates_and_sizes_stop_check_with_located_errors_and_publish_nothing_withheld(tmp_path, monkeypatch):
    """A normative document dated 9999-12-31 stopped check and build with a traceback (its review due
    date fell outside the calendar); a 200,000-character title made an 8 MB page. A withheld file
    with such values stays off the site whatever they are."""
    from click.testing import CliRunner
    from leakscan import find_leaks
    from test_leaks_inputs import build

    from gazette.cli import cli

    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    content = tmp_path / "content"
    write(content, "documents/ok.md", "title: 公开的通知\ndate: 2024-01-01\n\n正文。\n")
    write(content, "documents/future.md", "title: 未来的办法\ndate: 9999-12-31\ndoc_type: 规范性文件\n\n正文。\n")
    write(content, "documents/huge.md", f"title: {'长' * 200_000}\ndate: 2024-01-02\n\n正文。\n")
    secret = "第一条　这句只属于不予公开文件的正文。"
    write(content, "documents/secret.md", f"title: {'密' * 50_000}\ndate: 9999-01-01\ndisclosure: withheld\n\n{secret}\n")
    result = CliRunner().invoke(cli, ["check", "--content", str(content), "--as-of", "2026-11-22"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert f"{content}/documents/future.md:2: date: '9999-12-31' 的年份不在 1000 至 2999 年之间（应为 YYYY-MM-DD 或 2017年1月6日）" in lines
    assert f"{content}/documents/huge.md:1: title: 过长：200000 个字符（应为不超过 10000 个字符的值）" in lines
    assert "密" * 61 not in result.stderr  # errors quote a value cut short, and no title at all
    built = build(content, tmp_path / "out", tmp_path / "cache")
    assert sorted(built.skipped_files) == ["documents/future.md", "documents/huge.md", "documents/secret.md"]
    assert find_leaks(str(tmp_path / "out"), [secret[4:], "密" * 20], roots_extra=[str(tmp_path / "cache")]) == []
    assert (tmp_path / "out" / "documents" / "ok.html").exists()
