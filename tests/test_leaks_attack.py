"""Leaks found by attacking main merged with the first round of issue 12's fixes: inputs and
workflows the earlier tests had not tried. Each test reproduces one finding (it failed before its
fix) and runs the leak scanner (tests/leakscan.py) over the output and the caches.

ATTACK_INPUTS counts the hostile inputs tried here.
"""

from __future__ import annotations

import os

from leakscan import find_leaks
from test_leaks_inputs import build, doc_text, write

ATTACK_INPUTS: list[str] = []


def secret(n: int) -> dict:
    """A withheld document's fields; its markers are title, number and body."""
    return {"title": f"关于第{n}号内部储备事项的不予公开决定", "doc_number": f"临密〔2024〕{n}号",
            "body": f"第一条　编号{n}的储备库点位置属于内部事项，不得出现在网站的任何地方。"}


def markers(*docs: dict) -> list[str]:
    return [v for d in docs for v in (d["title"], d["doc_number"], d["body"][4:])]


def withheld_text(fields: dict, **extra) -> str:
    return doc_text(title=fields["title"], date="2024-03-01", doc_number=fields["doc_number"],
                    disclosure="不予公开", body=fields["body"], **extra)


def small_archive(root):
    """One issue with one public document and one static page."""
    content = root / "content"
    write(content / "issues" / "2024-01.md", "title: 2024年第1期\nyear: 2024\nnumber: 1\ndate: 2024-01-10\n\n")
    write(content / "documents" / "ok.md", doc_text(title="正常公开的通知", date="2024-01-10", gazette="2024-01",
                                                    doc_number="临政〔2024〕1号"))
    write(content / "pages" / "about.md", "title: 关于本站\n\n本站发布临澜市政府公报。\n")
    return content


def leaks(root, site, docs) -> list:
    return find_leaks(str(site), markers(*docs), roots_extra=[str(root / "cache")])


# -- Pelican reads only what the archive read ---------------------------------------------------

def test_files_the_archive_does_not_read_are_never_rendered(tmp_path):
    """Pelican's own Markdown reader took `.mkd`/`.mdown` files under documents/ (never read by
    the archive, so never checked for disclosure) and published them whole as articles; Pelican
    follows symlinked and hidden folders under pages/ that the archive does not walk, so a
    symlink to documents/ (or to a folder outside content/) published every file in it as a page."""
    content = small_archive(tmp_path)
    docs = [secret(n) for n in range(1, 7)]
    d, p = content / "documents", content / "pages"
    write(d / "2024" / "a.mkd", withheld_text(docs[0]))
    write(d / "2024" / "b.mdown", withheld_text(docs[1]))
    write(d / "2024" / "c.md", withheld_text(docs[2]))
    write(p / ".old" / "d.md", withheld_text(docs[3]))
    outside = tmp_path / "elsewhere"
    write(outside / "e.md", withheld_text(docs[4]))
    write(outside / "deeper" / "f.md", withheld_text(docs[5]))
    os.symlink(d, p / "linked")          # a folder of documents, withheld ones included
    os.symlink(outside, p / "outside")   # a folder outside content/
    os.symlink(outside, d / "outside")
    ATTACK_INPUTS.extend(["documents/*.mkd", "documents/*.mdown", "pages/.hidden/", "pages/symlink->documents",
                          "pages/symlink->outside", "documents/symlink->outside"])
    site = tmp_path / "site"
    result = build(content, site, tmp_path / "cache")
    assert (site / "documents" / "ok.html").exists() and (site / "pages" / "about.html").exists()
    assert leaks(tmp_path, site, docs) == []
    written = {str(f.relative_to(site)) for f in site.rglob("*.html")}
    assert not {w for w in written if w.startswith("pages/") and w != "pages/about.html"}, written
    assert result.documents == 1


# -- headers that hide their disclosure ----------------------------------------------------------

def _hidden_disclosures(n_first: int) -> dict[str, tuple[dict, str]]:
    """A withheld document whose disclosure line the header no longer holds, by way of: name ->
    (fields, file text). Each was read as public (published whole, or its issue-scan page kept)."""
    head = lambda s: f"title: {s['title']}\ndate: 2024-01-10\ndoc_number: {s['doc_number']}\n"  # noqa: E731
    tail = lambda n: f"gazette: 2024-01\npages: {n}\n"  # noqa: E731
    cases = {
        # A blank line inside the header: the rest is body.
        "blank line": lambda s, n: head(s) + tail(n) + "\ndisclosure: 不予公开\n\n" + s["body"] + "\n",
        # A line of no-break or ideographic spaces looks like text but counts as blank.
        "nbsp line": lambda s, n: head(s) + tail(n) + "\u00a0\u00a0\n公开属性: 不予公开\n\n" + s["body"] + "\n",
        "ideographic space line": lambda s, n: head(s) + tail(n) + "\u3000\n公开属性：不予公开\n\n" + s["body"] + "\n",
        # After the closing fence of a fenced header.
        "after the fence": lambda s, n: "---\n" + head(s) + tail(n) + "---\ndisclosure: withheld\n\n" + s["body"] + "\n",
        # A draft's review line after a blank line: published though never reviewed.
        "draft after blank": lambda s, n: head(s) + tail(n) + "disclosure: 不予公开\n\nreview: 待审核\n\n" + s["body"] + "\n",
        # U+2028 / NEL: editors show a line break; the header reads one title.
        "line separator": lambda s, n: f"title: {s['title']}\u2028disclosure: withheld\ndate: 2024-01-10\n" + tail(n)
                                       + "\n" + s["body"] + "\n",
        "NEL": lambda s, n: f"title: {s['title']}\x85disclosure: withheld\ndate: 2024-01-10\n" + tail(n) + "\n" + s["body"] + "\n",
        # The key twice (a merge gone wrong): the last one won.
        "key twice": lambda s, n: head(s) + tail(n) + "disclosure: 不予公开\ndisclosure: public\n\n" + s["body"] + "\n",
    }
    return {name: (secret(n_first + i), fn) for i, (name, fn) in enumerate(cases.items())}


def test_disclosure_lost_from_the_header_never_publishes(tmp_path):
    from test_leaks_inputs import text_pdf

    content = small_archive(tmp_path)
    cases = _hidden_disclosures(10)
    pages = [["2024年第1期"]] + [[s["title"], s["body"]] for s, _ in cases.values()]
    text_pdf(content / "scans" / "2024-01.pdf", pages)
    write(content / "issues" / "2024-01.md",
          "title: 2024年第1期\nyear: 2024\nnumber: 1\ndate: 2024-01-10\nscan: scans/2024-01.pdf\n\n")
    for n, (name, (fields, text)) in enumerate(cases.items(), 2):
        write(content / "documents" / f"case{n}.md", text(fields, n))
        ATTACK_INPUTS.append(f"header: {name}")
    site = tmp_path / "site"
    result = build(content, site, tmp_path / "cache")
    assert result.documents == 1 and not list((site / "documents").glob("case*"))
    flagged = {e.path.rsplit("/", 1)[-1] for e in result.errors}
    assert flagged == {f"case{n}.md" for n in range(2, 2 + len(cases))}, [str(e) for e in result.errors]
    blank = next(str(e) for e in result.errors if e.path.endswith("case2.md"))
    assert blank == (f"{content}/documents/case2.md:7: disclosure: “disclosure: 不予公开”在正文中：元数据中间的空行"
                     "使它成了正文，文件会被当作公开发布（应为元数据各行之间不空行，这一行移到空行之前）")
    assert leaks(tmp_path, site, [s for s, _ in cases.values()]) == []


# -- one scan under several names ----------------------------------------------------------------

def _issue_with_a_withheld_page(root, withheld: dict):
    from test_leaks_inputs import text_pdf

    content = root / "content"
    text_pdf(content / "scans" / "2024-01.pdf", [["公开的通知", "第一条　公开内容。"],
                                                 [withheld["title"], withheld["doc_number"], withheld["body"]]])
    write(content / "issues" / "2024-01.md",
          "title: 2024年第1期\nyear: 2024\nnumber: 1\ndate: 2024-01-10\nscan: scans/2024-01.pdf\n\n")
    d = content / "documents"
    write(d / "pub.md", doc_text(title="公开的通知", date="2024-01-10", gazette="2024-01", pages="1"))
    write(d / "secret.md", withheld_text(withheld, gazette="2024-01", pages="2"))
    return content


def test_a_copied_or_hard_linked_scan_is_the_same_scan(tmp_path):
    """The check that a document's own `scan:` is not the whole issue (or a withheld document's
    original) compared paths only: a hard link or a byte copy of the issue scan, or of the withheld
    document's own scan, was published whole as a public document's original and cut into its PDF."""
    import shutil

    from test_leaks_inputs import _publish_model, text_pdf

    s = secret(30)
    content = _issue_with_a_withheld_page(tmp_path, s)
    scans, d = content / "scans", content / "documents"
    text_pdf(scans / "secret-own.pdf", [[s["title"], s["body"]]])
    write(d / "secret.md", withheld_text(s, gazette="2024-01", pages="2", scan="scans/secret-own.pdf"))
    os.link(scans / "2024-01.pdf", scans / "hard.pdf")
    shutil.copy(scans / "2024-01.pdf", scans / "copy.pdf")
    shutil.copy(scans / "secret-own.pdf", scans / "secret-copy.pdf")
    for slug, scan in (("hard", "hard.pdf"), ("copy", "copy.pdf"), ("own-copy", "secret-copy.pdf")):
        write(d / f"{slug}.md", doc_text(title=f"另有原件的公开文件{slug}", date="2024-01-11", scan=f"scans/{scan}"))
    ATTACK_INPUTS.extend(["scan: hard link of the issue scan", "scan: copy of the issue scan",
                          "scan: copy of a withheld document's scan"])
    model, out = _publish_model(content, tmp_path)
    assert find_leaks(str(out), markers(s)) == []
    warned = {w.path.rsplit("/", 1)[-1] for w in model.warnings() if w.key == "scan"}
    assert warned == {"hard.md", "copy.md", "own-copy.md"}
    assert (out / "documents" / "pub.pdf").exists()


def test_issues_sharing_one_scan_redact_it_alike(tmp_path):
    """Two issue files naming one scan (a combined issue 合刊, or a `scan:` line copied into the next
    issue's file): the scan is planned once per issue and the last plan won, so the copy planned for
    an issue without withheld documents replaced the redacted one: the withheld page was published."""
    import shutil

    from test_leaks_inputs import _publish_model, page_texts

    s = secret(31)
    content = _issue_with_a_withheld_page(tmp_path, s)
    shutil.copy(content / "scans" / "2024-01.pdf", content / "scans" / "2024-02.pdf")
    for key, scan in (("2024-02", "2024-02.pdf"), ("2024-03", "2024-01.pdf"), ("2023-12", "2024-01.pdf")):
        write(content / "issues" / f"{key}.md", f"year: {key[:4]}\nnumber: {int(key[5:])}\ndate: {key}-10\n"
                                                 f"scan: scans/{scan}\n\n")
    ATTACK_INPUTS.extend(["two issues name one scan", "an issue names a copy of another's scan"])
    _, out = _publish_model(content, tmp_path)
    assert find_leaks(str(out), markers(s)) == []
    for name in ("2024-01.pdf", "2024-02.pdf"):
        texts = page_texts(out / "scans" / name)
        assert texts[0].startswith("公开的通知") and texts[1].startswith("第2页未公开"), texts


def test_older_redactions_of_an_issue_scan_leave_the_cache(tmp_path):
    """Redacted copies of issue scans are cached by what they remove and were never pruned: once a
    second document of an issue was withheld, the copy made before (its page still in) stayed in
    .cache/gazette/…/scans/."""
    from test_leaks_inputs import _publish_model, text_pdf

    first, second = secret(32), secret(33)
    content = tmp_path / "content"
    text_pdf(content / "scans" / "2024-01.pdf", [["公开的通知"], [first["title"], first["body"]],
                                                 [second["title"], second["doc_number"], second["body"]]])
    write(content / "issues" / "2024-01.md", "year: 2024\nnumber: 1\ndate: 2024-01-10\nscan: scans/2024-01.pdf\n\n")
    d = content / "documents"
    write(d / "pub.md", doc_text(title="公开的通知", date="2024-01-10", gazette="2024-01", pages="1"))
    write(d / "first.md", withheld_text(first, gazette="2024-01", pages="2"))
    write(d / "second.md", doc_text(title=second["title"], date="2024-01-10", doc_number=second["doc_number"],
                                    gazette="2024-01", pages="3", body=second["body"]))
    _publish_model(content, tmp_path)
    write(d / "second.md", withheld_text(second, gazette="2024-01", pages="3"))
    ATTACK_INPUTS.append("a second document of a redacted issue withheld")
    _, out = _publish_model(content, tmp_path)
    assert find_leaks(str(out), markers(second), roots_extra=[str(tmp_path / "cache")]) == []


# -- builds killed while a document is being withheld ------------------------------------------

def test_build_killed_between_deleting_and_forgetting_a_withheld_document(tmp_path):
    """The kill points tried before stop a build that *adds* a document. Killed instead while it
    withholds one, once Whoosh committed the deletion (a new TOC) and before the segment is
    rewritten: the next build found nothing to change, so the deleted-but-stored record (title,
    number, issuer, URL) stayed in the index `gazette search` reads, for good."""
    import test_faults as tf

    lab = {k: str(tmp_path / k) for k in ("content", "output", "cache")}
    tf.small_archive(lab["content"])
    tf.write_marked(lab["content"], "public")
    tf.build(lab["content"], lab["output"], lab["cache"])
    whoosh = os.path.join(tf._archive_cache(lab), "whoosh")
    tocs = {n for n in os.listdir(whoosh) if n.endswith(".toc")}
    tf.write_marked(lab["content"], "withheld")
    committed = lambda: any(n.endswith(".toc") and n not in tocs for n in tf._listdir(whoosh))  # noqa: E731
    tf.kill_when(tf.build_cmd(lab["content"], lab["output"]), tf.env_for(lab["cache"]), committed,
                 "build (deletion committed)")
    ATTACK_INPUTS.append("kill: withholding build, Whoosh deletion committed")
    tf.build(lab["content"], lab["output"], lab["cache"])
    assert tf.leaks(lab["output"], lab["cache"]) == []


# -- partition builds and the assembly ---------------------------------------------------------

def test_partition_and_assembly_over_an_earlier_full_build(tmp_path):
    """A document withheld, then the site rebuilt as a partition and an assembly over the folder a
    full build had made (docs/scaling.md's commands run locally, or a CI cache): the partition kept
    the document's page, JSON and PDF (its output 'holds only its own files'); the assembly kept
    the browse pages and feeds of the issuer and subject only that document had (they were the
    full build's, not in the assembly's manifest), and the PDF cache (only a full build pruned it)."""
    import test_faults as tf

    content, output, cache = tmp_path / "content", tmp_path / "output", tmp_path / "cache"
    tf.small_archive(str(content))
    tf.write_marked(str(content), "public")
    build(content, output, cache)
    assert (output / "documents" / f"{tf.SLUG}.pdf").exists()
    tf.write_marked(str(content), "withheld")
    ATTACK_INPUTS.extend(["withheld, then partition build over a full build's output", "then assembly"])
    text = [tf.TITLE, tf.NUMBER, tf.ISSUER, tf.SENTENCE]
    build(content, output, cache, mode={"partition": (2020, 2029)})
    assert find_leaks(str(output / "documents"), text + [tf.SLUG]) == []
    build(content, output, cache, mode={"assemble": True})
    # The cache's build manifests still name the slug (they say which files to remove); no text.
    assert find_leaks(str(output), text + [tf.SLUG]) == [] and find_leaks(str(cache), text) == []


# -- hostile scans ---------------------------------------------------------------------------

def test_a_scan_that_is_no_pdf_is_never_published(tmp_path):
    """Only the name was checked: an HTML or SVG page saved as scans/x.pdf was copied to the site
    as it is (a document's own scan, an issue's scan), script and all."""
    from test_leaks_inputs import _publish_model

    content = small_archive(tmp_path)
    page = "<html><body><script>alert('scan')</script></body></html>"
    svg = "<svg xmlns='http://www.w3.org/2000/svg'><script>alert('svg')</script></svg>"
    write(content / "scans" / "html.pdf", page)
    write(content / "scans" / "svg.pdf", svg)
    write(content / "documents" / "own.md", doc_text(title="原件是网页的文件", date="2024-01-11", scan="scans/html.pdf"))
    write(content / "issues" / "2024-02.md", "year: 2024\nnumber: 2\ndate: 2024-02-10\nscan: scans/svg.pdf\n\n")
    ATTACK_INPUTS.extend(["scan: HTML named .pdf", "issue scan: SVG named .pdf"])
    from gazette import metadata as md
    from gazette.archive import load_archive

    archive = load_archive(str(content))
    errors = sorted(str(e) for e in archive.errors)
    assert errors == [f"{content}/documents/own.md:3: scan: 'scans/html.pdf' 的内容不是 PDF（文件开头没有 %PDF-）"
                      "（应为 content/ 下 scans/ 中的 PDF 文件，如 scans/2023-02.pdf）",
                      f"{content}/issues/2024-02.md:4: scan: 'scans/svg.pdf' 的内容不是 PDF（文件开头没有 %PDF-）"
                      "（应为 content/ 下 scans/ 中的 PDF 文件，如 scans/2023-02.pdf）"], errors
    assert isinstance(archive.errors[0], md.MetadataError)
    _, out = _publish_model(content, tmp_path)
    assert not (out / "scans").exists() or not list((out / "scans").iterdir())


def test_a_later_issue_naming_a_withheld_document_is_redacted_there_too(tmp_path):
    """Pages are removed from the issue that holds a withheld document; but the year's last issue
    prints an annual index (年度总目录) naming every document of the year, and an issue lists the
    next one's contents (下期要目): those issues hold no withheld document, so their scans were
    published whole, the withheld title and number in their text layer."""
    from test_leaks_inputs import _publish_model, page_texts, text_pdf

    s = secret(34)
    content = _issue_with_a_withheld_page(tmp_path, s)
    text_pdf(content / "scans" / "2024-12.pdf", [["关于做好冬季供暖工作的通知", "第一条　做好供暖。"],
                                                 ["2024年总目录", "公开的通知……第1期第1页", s["title"] + "……第1期第2页"],
                                                 ["下期要目", s["doc_number"]]])
    write(content / "issues" / "2024-12.md", "year: 2024\nnumber: 12\ndate: 2024-12-10\nscan: scans/2024-12.pdf\n\n")
    write(content / "documents" / "heat.md", doc_text(title="关于做好冬季供暖工作的通知", date="2024-12-10",
                                                      gazette="2024-12", pages="1-2"))
    ATTACK_INPUTS.extend(["annual index in a later issue names a withheld title", "下期要目 names its number"])
    model, out = _publish_model(content, tmp_path)
    assert find_leaks(str(out), markers(s)) == []
    texts = page_texts(out / "scans" / "2024-12.pdf")
    assert texts[0].startswith("关于做好冬季供暖工作的通知") and texts[1].startswith("第2页未公开"), texts
    # Its document's PDF is not cut from a page that names the withheld document.
    assert find_leaks(str(out / "documents"), markers(s)) == []


def test_an_output_that_would_write_into_the_archive_is_refused(tmp_path):
    """output/scans as a symlink to content/scans (to save space): the build replaced the issue's
    original scan by its redacted copy and deleted the withheld document's own original (a scan
    the site does not carry), in the archive. An output folder inside content/ is as bad."""
    import pytest

    from gazette.project import GazetteError
    from test_leaks_inputs import text_pdf

    s = secret(35)
    content = _issue_with_a_withheld_page(tmp_path, s)
    text_pdf(content / "scans" / "secret-own.pdf", [[s["title"], s["body"]]])
    write(content / "documents" / "secret.md", withheld_text(s, gazette="2024-01", pages="2", scan="scans/secret-own.pdf"))
    before = {p.name: p.read_bytes() for p in (content / "scans").iterdir()}
    site = tmp_path / "site"
    site.mkdir()
    os.symlink(content / "scans", site / "scans")
    ATTACK_INPUTS.extend(["output/scans symlinked to content/scans", "output inside content/"])
    with pytest.raises(GazetteError, match="输出目录中的 scans 是指向 .* 的符号链接"):
        build(content, site, tmp_path / "cache")
    with pytest.raises(GazetteError, match="在档案目录 .* 之中"):
        build(content, content / "site", tmp_path / "cache")
    assert {p.name: p.read_bytes() for p in (content / "scans").iterdir()} == before


def test_a_header_with_a_blank_line_after_every_line_keeps_its_scan_page_out(tmp_path):
    """CR CR LF line ends (a CRLF file converted twice) put a blank line after every line: the
    header is the title alone, the file is skipped (no date), and its disclosure, issue and pages
    were not read at all, so its page stayed in the issue scan (nothing else withheld there)."""
    from test_leaks_inputs import _publish_model

    s = secret(36)
    content = _issue_with_a_withheld_page(tmp_path, s)
    lines = [f"title: {s['title']}", "date: 2024-01-10", f"doc_number: {s['doc_number']}", "disclosure: 不予公开",
             "gazette: 2024-01", "pages: 2", "", s["body"], ""]
    (content / "documents" / "secret.md").write_bytes("\r\r\n".join(lines).encode("utf-8"))
    ATTACK_INPUTS.append("header: CR CR LF line ends")
    model, out = _publish_model(content, tmp_path)
    assert find_leaks(str(out), markers(s)) == []


def test_a_public_documents_own_scan_naming_a_withheld_document_is_not_published(tmp_path):
    """A document's own original that is an excerpt of an issue (its last page also prints the
    start of the withheld document that follows) was published whole and became its PDF."""
    from test_leaks_inputs import _publish_model, text_pdf

    s = secret(37)
    content = _issue_with_a_withheld_page(tmp_path, s)
    text_pdf(content / "scans" / "excerpt.pdf", [["另有原件的公开文件", "第一条　公开内容。"],
                                                 ["第二条　本办法自发布之日起施行。", s["title"], s["doc_number"]]])
    write(content / "documents" / "excerpt.md", doc_text(title="另有原件的公开文件", date="2024-01-11",
                                                         scan="scans/excerpt.pdf"))
    ATTACK_INPUTS.append("own scan whose last page prints a withheld title")
    model, out = _publish_model(content, tmp_path)
    assert find_leaks(str(out), markers(s)) == []
    assert any(w.key == "scan" and w.path.endswith("excerpt.md") for w in model.warnings())
    assert (out / "documents" / "excerpt.pdf").exists()  # made from its text instead


# -- the importer ------------------------------------------------------------------------------

def test_reimport_with_force_keeps_an_archivists_disclosure(tmp_path):
    """`gazette import --force` (to take a better OCR, say) rewrote a file an archivist had marked
    不予公开 from its source, which says nothing of disclosure: the next build published it."""
    from gazette.importer.batch import run_import
    from gazette.model import read_document

    s = secret(38)
    write(tmp_path / "src" / "notice.md", f"# {s['title']}\n\n{s['doc_number']}\n\n{s['body']}\n\n临澜市人民政府\n")
    manifest = write(tmp_path / "m.csv", f"source,title,date\nnotice.md,{s['title']},2024-03-01\n")
    content = tmp_path / "content"
    run_import([str(tmp_path / "src")], str(content), manifest=str(manifest), jobs=1)
    (path,) = (content / "documents").rglob("*.md")
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "公开属性: 不予公开\ntitle:", 1), encoding="utf-8")
    ATTACK_INPUTS.append("import --force over an archivist's 不予公开")
    report = run_import([str(tmp_path / "src")], str(content), manifest=str(manifest), jobs=1, force=True)
    out = report.results[0].outputs[0]
    assert out.action == "updated" and out.reason == "保留了人工标注的公开属性（disclosure: 不予公开）", out
    assert read_document(str(path)).disclosure == "withheld"
    site = tmp_path / "site"
    build(content, site, tmp_path / "cache")
    assert leaks(tmp_path, site, [s]) == []


def test_a_withheld_documents_issue_written_loosely_still_redacts_its_pages(tmp_path):
    """A public document whose `gazette:` names no issue is an error; a withheld one is never
    checked, so `gazette: 2024-1` (or 2024年第1期, full-width digits, a trailing space) matched no
    issue and its pages stayed in a scan without a text layer to catch them."""
    from test_leaks_inputs import _publish_model, page_texts, text_pdf

    s = secret(39)
    for n, written in enumerate(("2024-1", "２０２４-01", "2024年第1期", "2024-01\u200b", " 2024-01 ")):
        root = tmp_path / str(n)
        content = root / "content"
        text_pdf(content / "scans" / "2024-01.pdf", [["公开的通知"], [s["body"]]])  # no title: nothing to find
        write(content / "issues" / "2024-01.md", "year: 2024\nnumber: 1\ndate: 2024-01-10\nscan: scans/2024-01.pdf\n\n")
        write(content / "documents" / "pub.md", doc_text(title="公开的通知", date="2024-01-10", gazette="2024-01", pages="1"))
        (content / "documents" / "secret.md").write_text(withheld_text(s, gazette=written, pages="2"), encoding="utf-8")
        if n == 0:  # an on-request one: an error, skipped by a lenient build, its page kept
            write(content / "documents" / "secret.md", doc_text(title=s["title"], date="2024-01-10", disclosure="依申请公开",
                                                                gazette=written, pages="2", body=s["body"]))
        ATTACK_INPUTS.append(f"withheld document's gazette: {written!r}")
        _, out = _publish_model(content, root)
        assert find_leaks(str(out), [s["body"][4:]]) == [], written
        assert page_texts(out / "scans" / "2024-01.pdf")[1].startswith("第2页未公开"), written


def test_withheld_pages_beyond_the_scan_do_not_publish_it(tmp_path):
    """`pages:` as printed in the gazette (the cover and contents unnumbered) runs past the PDF's
    pages: nothing was removed for the withheld document, wherever its pages really are."""
    from test_leaks_inputs import _publish_model, text_pdf

    s = secret(40)
    content = tmp_path / "content"
    text_pdf(content / "scans" / "2024-01.pdf", [["公开的通知"], [s["body"]]])
    write(content / "issues" / "2024-01.md", "year: 2024\nnumber: 1\ndate: 2024-01-10\nscan: scans/2024-01.pdf\n\n")
    write(content / "documents" / "pub.md", doc_text(title="公开的通知", date="2024-01-10", gazette="2024-01", pages="1"))
    write(content / "documents" / "secret.md", withheld_text(s, gazette="2024-01", pages="3"))
    ATTACK_INPUTS.append("withheld pages past the scan's last page")
    model, out = _publish_model(content, tmp_path)
    assert find_leaks(str(out), [s["body"][4:]]) == []
    assert not (out / "scans" / "2024-01.pdf").exists()
    assert any("超出扫描件的页数（2 页）" in str(w) for w in model.warnings())


def _archive_with_page(tmp_path, how: str):
    import test_faults as tf

    content, output, cache = (str(tmp_path / k) for k in ("content", "output", "cache"))
    tf.small_archive(content)
    tf.write_marked(content, "withheld")
    src = os.path.join(content, "documents", "2026", f"{tf.SLUG}.md")
    page = os.path.join(content, "pages", "notice.md")
    if how == "symlink":  # a link inside content/ to the withheld document
        os.symlink(os.path.relpath(src, os.path.dirname(page)), page)
    else:  # the withheld file itself, put among the static pages
        os.rename(src, page)
    return content, output, cache


def test_a_static_page_whose_header_says_withheld_is_not_published(tmp_path, monkeypatch):
    """A withheld document's file moved among the static pages (found by review 13): refused with a
    located error, never published."""
    content, output, cache = _archive_with_page(tmp_path, "move")
    _build_lenient_and_scan(content, output, cache, monkeypatch)


def test_a_static_page_symlinked_to_a_withheld_document_is_not_published(tmp_path, monkeypatch):
    content, output, cache = _archive_with_page(tmp_path, "symlink")
    _build_lenient_and_scan(content, output, cache, monkeypatch)


def test_a_damaged_render_cache_does_not_stop_a_document_being_withheld(tmp_path):
    """html.sqlite overwritten with garbage (disk fault, a killed copy): every later build dies in
    HtmlCache with a traceback before writing anything, so the site keeps the document the
    publisher has since withheld. The render cache is disposable: it should be rebuilt."""
    import test_faults as tf

    content, output, cache = (str(tmp_path / k) for k in ("content", "output", "cache"))
    tf.small_archive(content)
    tf.write_marked(content, "public")
    tf.build(content, output, cache)
    db = next(os.path.join(cache, d, "html.sqlite") for d in os.listdir(cache)
              if os.path.isfile(os.path.join(cache, d, "html.sqlite")))
    with open(db, "wb") as f:
        f.write(b"\xa5" * 8192)
    tf.write_marked(content, "withheld")
    tf.build(content, output, cache)
    assert tf.leaks(output, cache) == []


def _build_lenient_and_scan(content, output, cache, monkeypatch):
    """The strict build refuses the page, naming its file and the disclosure field; the lenient one
    skips it; neither leaves any of the withheld text."""
    import pytest

    import test_faults as tf
    from gazette.build import MetadataCheckFailed, build_site

    monkeypatch.setenv("GAZETTE_CACHE_DIR", cache)
    with pytest.raises(MetadataCheckFailed) as refused:
        build_site(content, output, as_of="2026-11-22")
    assert any(err.key == "disclosure" and "notice.md" in err.path for err in refused.value.errors)
    build_site(content, output, as_of="2026-11-22", lenient=True)
    assert not os.path.exists(os.path.join(output, "pages", "notice.html"))
    assert tf.leaks(output, cache) == []
