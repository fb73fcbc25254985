"""Nothing withheld leaks, whatever the input (issue 12, inputs and outputs): scans named in
metadata stay inside content/, issue scans are published without the pages of withheld and
on-request documents, typo'd keys are errors, output stays inert, bad files give located errors.

Each test builds or publishes a small archive of hostile inputs and runs the leak scanner
(tests/leakscan.py) over everything written. HOSTILE_INPUTS counts the inputs tried here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading

import pypdfium2
import pytest
from leakscan import find_leaks
from test_import_pdf import text_pdf as issue_pdf

from gazette.archive import load_archive
from gazette.site import SiteModel
from gazette.validity import ValiditySettings

AS_OF = dt.date(2026, 11, 22)

WITHHELD = {"title": "关于调整特别储备事项的内部决定", "doc_number": "临政密〔2024〕7号",
            "body": "第一条　本决定所列储备库点的位置和数量属于内部事项不予公开。"}
ON_REQUEST_BODY = "第一条　申请人可以向市财政局书面申请获取本办法附件所列补助名单。"
OUTSIDE_SECRET = "这是内容目录之外的服务器文件绝不应当发布"
HIDDEN_PAGELESS = "第一条　本通知未注明页码但印在第二期公报之中。"


def text_pdf(path, pages):
    """A PDF with a text layer, one list of lines per page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    issue_pdf(path, pages)


def page_texts(path) -> list[str]:
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        return ["".join(p.get_textpage().get_text_range().split()) for p in pdf]
    finally:
        pdf.close()


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def doc_text(**fields) -> str:
    body = fields.pop("body", "第一条　为规范管理，制定本办法。")
    return "".join(f"{k}: {v}\n" for k, v in fields.items()) + "\n" + body + "\n"


def build(content, output, cache, mode: dict | None = None, **settings):
    """`gazette build --lenient` in a thread of its own (the search index build runs asyncio);
    `mode`: build_site's partition= or assemble=."""
    from gazette.build import build_site

    box = {}

    def run():
        try:
            box["result"] = build_site(str(content), str(output), as_of=AS_OF, lenient=True,
                                       extra_settings={"GAZETTE_CACHE_DIR": str(cache), **settings}, **(mode or {}))
        except Exception as e:  # noqa: BLE001 - surfaced by the caller
            box["error"] = e

    t = threading.Thread(target=run)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


# -- scans ------------------------------------------------------------------------------------

def scan_archive(root):
    """An issue whose scan prints a withheld and an on-request document between public ones, an
    issue whose withheld document does not say its pages, and documents naming hostile scans."""
    content = root / "content"
    outside = root / "outside" / "secret.pdf"
    text_pdf(outside, [[OUTSIDE_SECRET]])
    text_pdf(content / "scans" / "2024-01.pdf", [
        ["临澜市人民政府公报", "2024年第1期"],
        ["临澜市公共停车场管理办法", "第一条　为加强公共停车场管理，制定本办法。"],
        ["第二条　本办法自发布之日起施行。"],
        [WITHHELD["title"], WITHHELD["doc_number"], WITHHELD["body"]],
        ["临澜市困难群众补助办法", ON_REQUEST_BODY],
        ["关于做好春季植树工作的通知", "第一条　各区做好春季植树工作。"],
    ])
    text_pdf(content / "scans" / "2024-02.pdf", [["2024年第2期"], ["关于开展消防检查的通知"], [HIDDEN_PAGELESS]])
    issue = "title: 2024年第{n}期\nyear: 2024\nnumber: {n}\ndate: 2024-0{n}-10\nscan: scans/2024-0{n}.pdf\n\n"
    write(content / "issues" / "2024-01.md", issue.format(n=1))
    write(content / "issues" / "2024-02.md", issue.format(n=2))
    d = content / "documents"
    write(d / "parking.md", doc_text(title="临澜市公共停车场管理办法", date="2024-01-10", gazette="2024-01", pages="2-3",
                                     body="第一条　为加强公共停车场管理，制定本办法。\n\n第二条　本办法自发布之日起施行。"))
    write(d / "secret.md", doc_text(title=WITHHELD["title"], date="2024-01-10", doc_number=WITHHELD["doc_number"],
                                    disclosure="不予公开", gazette="2024-01", pages="4", body=WITHHELD["body"]))
    write(d / "aid.md", doc_text(title="临澜市困难群众补助办法", date="2024-01-10", disclosure="依申请公开",
                                 gazette="2024-01", pages="5", body=ON_REQUEST_BODY))
    # Older imports named the whole issue scan as each document's own scan.
    write(d / "trees.md", doc_text(title="关于做好春季植树工作的通知", date="2024-01-10", gazette="2024-01", pages="6",
                                   scan="scans/2024-01.pdf", body="第一条　各区做好春季植树工作。"))
    write(d / "fire.md", doc_text(title="关于开展消防检查的通知", date="2024-02-10", gazette="2024-02", pages="2",
                                  body="第一条　开展消防检查。"))
    write(d / "pageless.md", doc_text(title="未注明页码的不予公开通知", date="2024-02-10", gazette="2024-02",
                                      disclosure="withheld", body=HIDDEN_PAGELESS))
    # Hostile scans: absolute, escaping, a symlink out of content/, not under scans/, not a PDF.
    os.symlink(outside, content / "scans" / "link.pdf")
    os.symlink(outside, content / "scans" / "evil-issue.pdf")
    hostile = {"abs": str(outside), "dotdot": "scans/../../outside/secret.pdf", "link": "scans/link.pdf",
               "elsewhere": "documents/secret.md", "notpdf": "scans/2024-01.md", "home": "~/secret.pdf",
               "backslash": "scans\\..\\..\\outside\\secret.pdf"}
    for n, (slug, scan) in enumerate(sorted(hostile.items()), 1):
        write(d / f"{slug}.md", doc_text(title=f"扫描件路径异常的文件{n}", date="2024-03-01", scan=scan))
    write(content / "issues" / "2024-03.md", "year: 2024\nnumber: 3\ndate: 2024-03-10\nscan: scans/evil-issue.pdf\n\n")
    return content, outside, hostile


@pytest.fixture(scope="module")
def scan_site(tmp_path_factory):
    root = tmp_path_factory.mktemp("scans")
    content, outside, hostile = scan_archive(root)
    result = build(content, root / "site", root / "cache")
    return root / "site", result, content, hostile


def test_scan_outside_content_is_a_located_error_and_never_copied(scan_site):
    site, result, content, hostile = scan_site
    errors = [str(e) for e in result.errors if e.key == "scan"]
    for slug in hostile:
        line = next(e for e in errors if e.startswith(f"{content}/documents/{slug}.md:"))
        assert line.startswith(f"{content}/documents/{slug}.md:3: scan: "), line
        assert any(w in line for w in ("绝对路径", "之外", "不在 scans/", "不是 PDF")), line
    assert any(e.startswith(f"{content}/issues/2024-03.md:4: scan: 'scans/evil-issue.pdf' 是指向 content/ 之外的符号链接")
               for e in errors), errors
    assert not (site / "scans" / "link.pdf").exists() and not (site / "scans" / "evil-issue.pdf").exists()
    assert find_leaks(str(site), [OUTSIDE_SECRET]) == []
    catalogue = json.loads((site / "catalogue.json").read_text(encoding="utf-8"))
    for record in catalogue["documents"]:
        assert not os.path.isabs(record["scan_url"]) and ".." not in record["scan_url"], record


def test_issue_scan_is_published_without_withheld_and_on_request_pages(scan_site):
    site, _, content, _ = scan_site
    original, published = page_texts(content / "scans" / "2024-01.pdf"), page_texts(site / "scans" / "2024-01.pdf")
    assert len(published) == len(original) == 6  # same page numbers: #page=N links still land right
    for n in (2, 3, 6):
        assert published[n - 1] == original[n - 1]
    # The cover belongs to no listed document and may name the withheld one: it goes too.
    assert published[0].startswith("第1页未公开") and "封面、目录" in published[0]
    assert published[3].startswith("第4页未公开") and "不予公开" in published[3]
    assert published[4].startswith("第5页未公开") and "依申请公开" in published[4]
    assert "删去了第1、4-5页" in published[3]
    markers = [WITHHELD["title"], WITHHELD["doc_number"], WITHHELD["body"][4:], ON_REQUEST_BODY[4:], HIDDEN_PAGELESS[4:]]
    assert find_leaks(str(site), markers) == []
    issue_page = (site / "issues" / "2024-01.html").read_text(encoding="utf-8")
    assert "../scans/2024-01.pdf" in issue_page and "第 1、4、5 页已删去" in issue_page


def test_issue_scan_with_a_pageless_withheld_document_is_not_published(scan_site):
    site, result, content, _ = scan_site
    assert not (site / "scans" / "2024-02.pdf").exists()
    assert "scans/2024-02.pdf" not in (site / "issues" / "2024-02.html").read_text(encoding="utf-8")
    assert any(str(w).startswith(f"{content}/issues/2024-02.md:5: scan: 警告：") for w in result.warnings)
    # The public document of that issue is not cut from it either (its page might be shared).
    assert page_texts(site / "documents" / "fire.pdf")[0].startswith("关于开展消防检查的通知2024年2月10日")
    issues = json.loads((site / "issues.json").read_text(encoding="utf-8"))["issues"]
    assert {i["key"]: i["scan_url"] for i in issues} == {"2024-01": "scans/2024-01.pdf", "2024-02": ""}


def test_document_pdf_is_cut_from_its_own_pages_only(scan_site):
    site, result, content, _ = scan_site
    assert page_texts(site / "documents" / "parking.pdf") == page_texts(content / "scans" / "2024-01.pdf")[1:3]
    # The issue scan named as a document's own scan is reported, and only its page is cut.
    assert page_texts(site / "documents" / "trees.pdf") == page_texts(content / "scans" / "2024-01.pdf")[5:6]
    assert any(str(w).startswith(f"{content}/documents/trees.md:5: scan: 'scans/2024-01.pdf' 是第 2024-01 期整期公报的扫描件")
               for w in result.warnings)
    assert not (site / "documents" / "aid.pdf").exists()


def test_on_request_document_page_does_not_link_into_the_issue_scan(scan_site):
    site = scan_site[0]
    aid = (site / "documents" / "aid.html").read_text(encoding="utf-8")
    assert "scans/2024-01.pdf" not in aid
    parking = (site / "documents" / "parking.html").read_text(encoding="utf-8")
    assert "../scans/2024-01.pdf#page=2" in parking


def _publish_model(content, tmp_path, **settings):
    """Publish without Pelican: the model and every publishing output (scans included)."""
    from gazette.project import load_project
    from gazette.publishing import publish

    out = tmp_path / "out"
    project = load_project(str(content), str(out), find_settings=False,
                           extra={"SITENAME": "测试公报", "GAZETTE_CACHE_DIR": str(tmp_path / "cache"), **settings})
    model = project.site_model(load_archive(str(content)), AS_OF)
    publish(model, project)
    return model, out


def test_omit_setting_publishes_no_scan_holding_unpublished_pages(tmp_path):
    content, _, _ = scan_archive(tmp_path)
    model, out = _publish_model(content, tmp_path, GAZETTE_REDACTED_SCANS="omit")
    assert not (out / "scans" / "2024-01.pdf").exists()
    assert model.issue_scan_link(next(d for d in model.documents if d.slug == "parking")) is None
    assert any("GAZETTE_REDACTED_SCANS = 'omit'" in str(w) for w in model.warnings())
    # Public documents are still cut from their own pages.
    assert page_texts(out / "documents" / "parking.pdf")[0].startswith("临澜市公共停车场管理办法")


def test_bad_redaction_setting_is_refused_with_a_clear_message():
    from gazette.scans import ScanSettingError, scan_mode

    assert scan_mode({}) == "redact" and scan_mode({"GAZETTE_REDACTED_SCANS": "OMIT"}) == "omit"
    with pytest.raises(ScanSettingError, match="应为 'redact'"):
        scan_mode({"GAZETTE_REDACTED_SCANS": "blank"})


def test_scan_of_a_document_withheld_since_is_removed_from_the_output(tmp_path):
    content = tmp_path / "content"
    text_pdf(content / "scans" / "own.pdf", [["本文件原件扫描件中的独有句子用于检测"]])
    path = write(content / "documents" / "own.md", doc_text(title="有原件的文件", date="2024-01-01", scan="scans/own.pdf"))
    _, out = _publish_model(content, tmp_path)
    assert (out / "scans" / "own.pdf").exists()
    path.write_text(path.read_text(encoding="utf-8").replace("scan:", "disclosure: withheld\nscan:"), encoding="utf-8")
    (out / "scans" / "stray.pdf").write_bytes(b"%PDF-1.4 stray")
    _, out = _publish_model(content, tmp_path)
    assert not (out / "scans" / "own.pdf").exists() and not (out / "scans" / "stray.pdf").exists()
    assert find_leaks(str(out), ["本文件原件扫描件中的独有句子用于检测", "有原件的文件"]) == []


def test_redacted_scan_follows_a_document_that_becomes_on_request(tmp_path):
    content, _, _ = scan_archive(tmp_path)
    fire = content / "documents" / "fire.md"
    _, out = _publish_model(content, tmp_path)
    assert not (out / "scans" / "2024-02.pdf").exists()
    (content / "documents" / "pageless.md").write_text(doc_text(
        title="未注明页码的不予公开通知", date="2024-02-10", gazette="2024-02", pages="3", disclosure="withheld",
        body=HIDDEN_PAGELESS), encoding="utf-8")
    _, out = _publish_model(content, tmp_path)
    assert page_texts(out / "scans" / "2024-02.pdf")[2].startswith("第3页未公开")
    fire.write_text(fire.read_text(encoding="utf-8").replace("gazette:", "disclosure: on_request\ngazette:"),
                    encoding="utf-8")
    _, out = _publish_model(content, tmp_path)
    assert page_texts(out / "scans" / "2024-02.pdf")[1].startswith("第2页未公开")


def test_unreadable_document_keeps_its_pages_out_of_the_issue_scan(tmp_path):
    content, _, _ = scan_archive(tmp_path)
    # A typo in the key and a bad value: the file is skipped (lenient) and its page removed.
    write(content / "documents" / "parking.md", doc_text(title="临澜市公共停车场管理办法", date="2024-01-10",
                                                         gazette="2024-01", pages="2-3", disclosue="withheld"))
    write(content / "documents" / "trees.md", doc_text(title="关于做好春季植树工作的通知", date="2024-01-10",
                                                       gazette="2024-01", pages="6", disclosure="不公开"))
    model, out = _publish_model(content, tmp_path)
    assert [p for p, _ in model.scans.of("2024-01").removed] == [1, 2, 3, 4, 5, 6]
    texts = page_texts(out / "scans" / "2024-01.pdf")
    assert all(t.startswith(f"第{n}页未公开") for n, t in zip(range(1, 7), texts))
    assert find_leaks(str(out), ["为加强公共停车场管理", "各区做好春季植树工作"]) == []


def test_import_manifest_gives_documents_pages_never_the_issue_scan(tmp_path):
    """The docs/import.md example, imported and built: the withheld decision's page never ships."""
    from gazette.importer.batch import run_import

    src = tmp_path / "in" / "gb2020-18.pdf"
    decision = ["关于修改部分行政法规的决定", "中华人民共和国国务院令第732号",
                "为了依法推动简政放权、放管结合、优化服务改革措施落地，国务院决定对部分行政法规的部分条款予以修改。"]
    text_pdf(src, [["中华人民共和国国务院公报", "2020年第18期（总第1701期）", "2020年6月30日出版"],
                   ["关于印发政务公开工作要点的通知", "国办发〔2020〕17号", "一、加强政策解读，及时回应社会关切。"],
                   ["二、推进决策公开，扩大公众参与。", "国务院办公厅", "2020年6月3日"], decision])
    manifest = write(tmp_path / "manifest.csv",
                     "source,issue,issue_date,title,pages,doc_type,disclosure\n"
                     "gb2020-18.pdf,2020-18,2020-06-30,关于印发政务公开工作要点的通知,2-3,通知,主动公开\n"
                     "gb2020-18.pdf,2020-18,2020-06-30,关于修改部分行政法规的决定,4,决定,不予公开\n")
    content = tmp_path / "content"
    report = run_import([str(src.parent)], str(content), manifest=str(manifest), jobs=1)
    assert report.results[0].status == "imported", report.to_text()
    for path in (content / "documents").rglob("*.md"):
        assert "\nscan:" not in path.read_text(encoding="utf-8"), path
    model, out = _publish_model(content, tmp_path)
    assert find_leaks(str(out), decision) == []
    notice = next(d for d in model.documents)
    assert len(page_texts(out / "documents" / f"{notice.slug}.pdf")) == 2
    assert page_texts(out / "scans" / "2020-18.pdf")[3].startswith("第4页未公开")


def test_manifest_row_with_pages_cannot_name_a_scan(tmp_path):
    from gazette.importer.manifest import load_manifest

    manifest = write(tmp_path / "m.csv", "source,issue,title,pages,scan\n"
                                         "gb.pdf,2020-18,通知,2,scans/2020-18.pdf\n")
    errors = [str(e) for e in load_manifest(str(manifest)).errors]
    assert errors == [f"{manifest}:2: scan: 有 pages 的行是一期公报中的文件，不能另给 scan"
                      "（应为只写 pages：文件的页从该期的扫描件中截取）"]


def test_cover_and_contents_pages_naming_a_withheld_document_are_not_published(tmp_path):
    """An issue's own pages (cover, 目录) list every document in it, the withheld one too: when an
    issue holds a document whose title may not appear, only its listed documents' pages ship."""
    content = tmp_path / "content"
    text_pdf(content / "scans" / "2024-03.pdf", [
        ["临澜市人民政府公报", "2024年第3期", "目录", "临澜市公共停车场管理办法……2", WITHHELD["title"] + "……3"],
        ["临澜市公共停车场管理办法", "第一条　为加强公共停车场管理，制定本办法。"],
        [WITHHELD["title"], WITHHELD["doc_number"], WITHHELD["body"]],
        ["本期责任编辑", "下期要目：" + WITHHELD["doc_number"]],
    ])
    write(content / "issues" / "2024-03.md",
          "title: 2024年第3期\nyear: 2024\nnumber: 3\ndate: 2024-03-10\nscan: scans/2024-03.pdf\n\n")
    d = content / "documents"
    write(d / "parking.md", doc_text(title="临澜市公共停车场管理办法", date="2024-03-10", gazette="2024-03",
                                     pages="2", body="第一条　为加强公共停车场管理，制定本办法。"))
    write(d / "secret.md", doc_text(title=WITHHELD["title"], date="2024-03-10", doc_number=WITHHELD["doc_number"],
                                    disclosure="不予公开", gazette="2024-03", pages="3", body=WITHHELD["body"]))
    _, out = _publish_model(content, tmp_path)
    texts = page_texts(out / "scans" / "2024-03.pdf")
    assert len(texts) == 4 and "为加强公共停车场管理" in texts[1]
    assert all(texts[i].startswith(f"第{i + 1}页未公开") for i in (0, 2, 3)), texts
    assert "封面、目录" in texts[0]
    assert find_leaks(str(out), [WITHHELD["title"], WITHHELD["doc_number"], WITHHELD["body"]]) == []
    # Nothing withheld in the issue: the cover and contents stay.
    (d / "secret.md").unlink()
    _, out = _publish_model(content, tmp_path)
    assert "目录" in page_texts(out / "scans" / "2024-03.pdf")[0]


# -- hostile files: located errors, and `check` and `build --lenient` agree ------------------------

LONG_PREFIX = "临澜市人民政府办公室关于进一步加强和改进" * 5  # 100 characters: 300 bytes as a folder name
UNKNOWN_KEY_BODIES = {  # a typo'd or unknown disclosure key: never published, whatever it says
    "typo": ("disclosue", "withheld", "第一条　键名拼错的不予公开文件正文句子甲。"),
    "chinese": ("公开", "不予公开", "第一条　键名不全的不予公开文件正文句子乙。"),
}
LOOKALIKE_BODIES = {  # look-alikes of the real key are read as it: withheld, so never published
    "zero-width": ("disclosure\u200b", "withheld", "第一条　键名含零宽字符的不予公开文件正文丙。"),
    "full-width": ("ｄｉｓｃｌｏｓｕｒｅ", "ｗｉｔｈｈｅｌｄ", "第一条　键名为全角字母的不予公开文件正文丁。"),
}
UNREADABLE_DISCLOSURE = "第一条　公开属性写错的文件正文戊。"


def hostile_files_archive(root):
    """One good issue and document, then one file per hostile input. Returns (content, inputs):
    inputs maps each input's name to its file (relative to content/) and whether check flags it."""
    content = root / "content"
    text_pdf(content / "scans" / "2024-01.pdf", [["2024年第1期"], ["正常文件"], ["第三页"], ["第四页"]])
    write(content / "issues" / "2024-01.md", "title: 2024年第1期\nyear: 2024\nnumber: 1\ndate: 2024-01-10\n"
                                             "scan: scans/2024-01.pdf\n\n")
    d = content / "documents"
    write(d / "ok.md", doc_text(title="正常文件", date="2024-01-10", doc_number="临政〔2024〕1号", gazette="2024-01", pages="2"))
    inputs: dict[str, tuple[str, bool]] = {}

    def add(name, rel, text, flagged):
        write(content / rel, text)
        inputs[name] = (rel, flagged)

    (d / "x.md").symlink_to(content / "nowhere.md")
    inputs["dangling symlink"] = ("documents/x.md", True)
    (d / "loop.md").symlink_to(d / "loop.md")
    inputs["symlink loop"] = ("documents/loop.md", True)
    outside = root / "elsewhere" / "other-archive-secret.md"
    write(outside, doc_text(title="另一档案的内部文件", date="2024-01-11", body=OUTSIDE_SECRET))
    (d / "outside.md").symlink_to(outside)
    inputs["symlink out of content/"] = ("documents/outside.md", True)
    (d / "inside.md").symlink_to(os.path.relpath(content / "originals" / "kept.md", d))
    write(content / "originals" / "kept.md", doc_text(title="链接到内容目录中的文件", date="2024-01-11"))
    inputs["symlink inside content/"] = ("documents/inside.md", False)
    (d / "folder.md").mkdir()
    (d / "folder.md" / "inner.md").write_text(doc_text(title="文件夹中的文件", date="2024-01-11"), encoding="utf-8")
    inputs["folder named .md"] = ("documents/folder.md/inner.md", False)
    add("long 文号 prefix", "documents/long-prefix.md",
        doc_text(title="文号前缀很长的文件", date="2024-01-11", doc_number=LONG_PREFIX + "〔2024〕1号"), False)
    add("NUL in doc_number", "documents/nul.md", doc_text(title="文号含空字符", date="2024-01-11", doc_number="临政\x00〔2024〕2号"), True)
    add("issue slug escaping", "issues/evil.md", "year: 2024\nnumber: 2\ndate: 2024-02-10\nslug: ../../../x\n\n", True)
    add("issue key a dot", "issues/dot.md", "year: 2024\nnumber: 3\ndate: 2024-03-10\nslug: ..\n\n", True)
    add("5,000-digit number", "documents/big-number.md",
        doc_text(title="文号数字极长", date="2024-01-11", doc_number="临政〔2024〕" + "9" * 5000 + "号"), False)
    add("5,000-digit order number", "documents/big-order.md",
        doc_text(title="令号数字极长", date="2024-01-11", doc_number="临澜市人民政府令第" + "9" * 5000 + "号",
                 body="根据国务院令第" + "9" * 5000 + "号和临政〔2024〕" + "8" * 5000 + "号制定。"), False)
    add("5,000-digit page", "documents/big-page.md",
        doc_text(title="页码数字极长", date="2024-01-11", gazette="2024-01", pages="3-" + "9" * 5000), True)
    add("pages 1-999999999 (withheld)", "documents/huge-range.md",
        doc_text(title="页码范围极大的不予公开文件", date="2024-01-10", gazette="2024-01", pages="1-999999999",
                 disclosure="withheld", body="第一条　页码范围极大的不予公开文件正文己。"), True)
    add("long ASCII issuer/category/type", "documents/long-groups.md",
        doc_text(title="机关名称很长的文件", date="2024-01-11", issuer="A" * 300, category="B" * 300, doc_type="C" * 300),
        False)
    add("U+FFFE in title", "documents/nonchar.md", doc_text(title="关于\ufffe的通知", date="2024-01-11"), True)
    add("DEL in issuer", "documents/del.md", doc_text(title="机关含控制字符", date="2024-01-11", issuer="临澜\x7f市"), True)
    add("CR-only line ends", "documents/old-mac.md",
        doc_text(title="旧式换行的文件", date="2024-01-11").replace("\n", "\r"), False)
    for name, (key, value, body) in UNKNOWN_KEY_BODIES.items():
        add(f"unknown key ({name})", f"documents/unknown-{name}.md",
            doc_text(title=f"未知键文件{name}", date="2024-01-10", gazette="2024-01", pages="3", **{key: value},
                     body=body), True)
    for name, (key, value, body) in LOOKALIKE_BODIES.items():
        add(f"look-alike key ({name})", f"documents/lookalike-{name}.md",
            f"title: 形近键文件{name}\ndate: 2024-01-10\n{key}：{value}\n\n{body}\n", False)
    add("unreadable disclosure", "documents/unreadable.md",
        doc_text(title="公开属性写错", date="2024-01-10", gazette="2024-01", pages="4", disclosure="不公开",
                 body=UNREADABLE_DISCLOSURE), True)
    add("colliding old slug", "documents/renamed.md",
        doc_text(title="改名的文件", date="2024-01-12", old_slugs="ok"), True)
    add("lists nested 1,000 deep", "documents/deep-lists.md",
        doc_text(title="列表嵌套极深", date="2024-01-11", body="".join("  " * i + "- 项\n" for i in range(1000))), False)
    add("50,000 nested brackets", "documents/brackets.md",
        doc_text(title="方括号嵌套极深", date="2024-01-11", body="[" * 50000 + "链接" + "]" * 50000), False)
    add("page slug escaping", "pages/evil.md", "title: 页面\nslug: ../../../escaped\n\n正文。\n", True)
    add("control character in a page title", "pages/ctl.md", "title: 控制\x01字符\n\n正文。\n", True)
    (content / "documents" / "latin1.md").write_bytes("title: 编码\ndate: 2024-01-11\n\n正文".encode("gb18030"))
    inputs["not UTF-8"] = ("documents/latin1.md", True)
    return content, inputs


HOSTILE_FILE_INPUTS = 28  # the inputs hostile_files_archive adds; checked below


def _located(lines: list[str], content, warnings: bool = False) -> set[str]:
    """The `path:line: key: problem` lines about files under `content`: errors, or the warnings."""
    return {line for line in lines if line.startswith(f"{content}/") and ("警告" in line) == warnings}


def _cli_in_thread(args):
    """A `gazette` command in a thread of its own (the build runs asyncio), exceptions kept."""
    from click.testing import CliRunner

    from gazette.cli import cli

    box = {}

    def run():
        box["result"] = CliRunner().invoke(cli, args, catch_exceptions=True)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    return box["result"]


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile-files")
    content, inputs = hostile_files_archive(root)
    common = ["--content", str(content), "--as-of", AS_OF.isoformat()]
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)  # no pelicanconf.py here: default settings
        mp.setenv("GAZETTE_CACHE_DIR", str(root / "cache"))
        check = _cli_in_thread(["check", *common])
        check_lenient = _cli_in_thread(["check", "--lenient", *common])
        strict = _cli_in_thread(["build", *common, "--output", str(root / "strict")])
        lenient = _cli_in_thread(["build", "--lenient", *common, "--output", str(root / "site")])
    return root, content, inputs, check, check_lenient, strict, lenient


def test_every_hostile_file_is_tried(hostile_files):
    assert len(hostile_files[2]) == HOSTILE_FILE_INPUTS


def test_check_flags_hostile_files_with_located_errors_never_a_traceback(hostile_files):
    root, content, inputs, check, check_lenient, strict, lenient = hostile_files
    for result in (check, check_lenient, strict, lenient):
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
        assert "Traceback" not in result.output
    assert check.exit_code == 1 and check_lenient.exit_code == 0
    errors = _located(check.stderr.splitlines(), content)
    for name, (rel, flagged) in inputs.items():
        hits = [e for e in errors if e.startswith(f"{content}/{rel}:")]
        assert bool(hits) == flagged, (name, hits)
        for e in hits:  # path:line: key: problem, in Chinese
            assert re.match(rf"^{re.escape(str(content))}/{re.escape(rel)}:\d+: [^:]+: .*[\u4e00-\u9fff]", e), e
    unknown = [e for e in errors if "unknown-" in e]
    assert all("未知的键（是否想写 disclosure？）" in e for e in unknown) and len(unknown) == 2, unknown
    assert any(e.startswith(f"{content}/documents/big-page.md:4: pages: '3-99") and e.endswith("（应为一页或一段页码，"
               "如 12-15，页码 1 至 9999）") and len(e) < 300 for e in errors), errors
    assert any(e.startswith(f"{content}/issues/evil.md:4: slug: '../../../x' 不能用作期次") for e in errors)
    assert f"{content}/documents/loop.md:1: file: 无法读取：符号链接循环（应为 UTF-8 文本文件）" in errors
    assert any(e.startswith(f"{content}/documents/outside.md:1: file: 是指向 content/ 之外的符号链接") for e in errors)


def test_build_refuses_and_lenient_build_skips_exactly_what_check_flags(hostile_files):
    root, content, inputs, check, check_lenient, strict, lenient = hostile_files
    assert strict.exit_code == 1 and "构建中止" in strict.stderr
    assert not (root / "strict" / "index.html").exists()
    assert lenient.exit_code == 0, lenient.output
    flagged = _located(check.stderr.splitlines(), content)
    assert _located(lenient.stderr.splitlines(), content) == flagged
    assert _located(strict.stderr.splitlines(), content) == flagged
    warned = _located(check_lenient.stderr.splitlines(), content, warnings=True)
    assert warned and _located(lenient.stderr.splitlines(), content, warnings=True) == warned
    skipped_by_check = {line.split("：", 1)[1] for line in check_lenient.stderr.splitlines() if line.startswith("已跳过：")}
    skipped_by_build = {f"{content}/{line.strip()}" for line in lenient.stderr.splitlines() if line.startswith("  ")}
    assert skipped_by_check == skipped_by_build == {f"{content}/{rel}" for rel, bad in inputs.values() if bad}


def test_what_check_passes_is_published(hostile_files):
    root, content, inputs, *_ = hostile_files
    site = root / "site"
    for name, (rel, flagged) in inputs.items():
        if rel.startswith("documents/") and not flagged and not name.startswith("look-alike"):
            slug = os.path.splitext(os.path.basename(rel))[0]
            assert (site / "documents" / f"{slug}.html").exists(), name
    page = (site / "documents" / "old-mac.html").read_text(encoding="utf-8")
    assert "旧式换行的文件" in page
    # No short address for the 文号 whose prefix is no file name; the page is there all the same.
    eli = [str(p) for p in (site / "eli").rglob("*")]
    assert any(p.endswith("/eli/临政/2024/1/index.html") for p in eli), eli
    assert not any(LONG_PREFIX[:20] in p for p in eli), eli
    assert "/eli/" not in (site / "documents" / "long-prefix.html").read_text(encoding="utf-8")
    listing = [p for p in os.listdir(site / "browse" / "issuer")]
    assert all(len(p.encode()) < 100 for p in listing), listing


def test_hostile_files_leak_nothing(hostile_files):
    root, content, *_ = hostile_files
    markers = [body[4:] for _, _, body in (*UNKNOWN_KEY_BODIES.values(), *LOOKALIKE_BODIES.values())]
    markers += [UNREADABLE_DISCLOSURE[4:], "页码范围极大的不予公开文件", OUTSIDE_SECRET, "另一档案的内部文件", "未知键文件typo", "形近键文件zero-width"]
    assert find_leaks(str(root / "site"), markers, [str(root / "cache")]) == []
    assert not list(root.rglob("escaped*"))
    # Their pages (3: unknown key, 4: unreadable disclosure) are removed from the issue scan, and the
    # withheld document of unbounded pages leaves the scan unpublished.
    assert not (root / "site" / "scans" / "2024-01.pdf").exists()
    assert (root / "site" / "documents" / "ok.html").exists()
