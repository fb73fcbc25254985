"""Incremental rebuilds: same bytes as a full build, unchanged files untouched, withdrawn pages removed."""

from __future__ import annotations

import filecmp
import os
import shutil

from conftest import AS_OF, CONTENT
from gazette.build import build_site


def tree(folder: str) -> dict[str, bytes]:
    out = {}
    for dirpath, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = f.read()
    return out


def mtimes(folder: str) -> dict[str, int]:
    return {rel: os.stat(os.path.join(folder, rel)).st_mtime_ns for rel in tree(folder)}


def edit_archive(content: str) -> tuple[str, str, str]:
    docs = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(os.path.join(content, "documents")) for f in fs)
    edited, withdrawn = docs[5], docs[9]
    with open(edited, "a", encoding="utf-8") as f:
        f.write("\n本文件勘误一处。\n")
    text = open(withdrawn, encoding="utf-8").read()
    header, body = text.split("\n\n", 1)
    lines = [l for l in header.splitlines() if not l.lower().startswith(("disclosure", "公开属性", "公開屬性"))]
    with open(withdrawn, "w", encoding="utf-8") as f:
        f.write("\n".join(lines + ["disclosure: withheld"]) + "\n\n" + body)
    added = os.path.join(content, "documents", "2026", "llzf-2026-99.md")
    with open(added, "w", encoding="utf-8") as f:
        f.write("title: 临澜市人民政府关于增补测试文件的通知\ndate: 2026-11-21\ndoc_number: 临政发〔2026〕99号\n"
                "issuer: 临澜市人民政府\ndoc_type: 通知\ncategory: 城乡建设\n\n各区人民政府：\n\n现予通知。\n")
    return edited, withdrawn, added


def slug(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def test_incremental_build_equals_full_build_and_skips_unchanged_files(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "incremental"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache-a"))
    first = build_site(str(content), str(out), as_of=AS_OF)
    assert first.pages_rendered > 50
    before = mtimes(str(out))

    again = build_site(str(content), str(out), as_of=AS_OF)
    assert again.pages_rendered == 0 and again.files_written == 0, "a rebuild with no change must write nothing"
    assert mtimes(str(out)) == before

    edited, withdrawn, added = edit_archive(str(content))
    second = build_site(str(content), str(out), as_of=AS_OF)
    assert 0 < second.pages_rendered < first.pages_rendered // 2

    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache-b"))
    full = tmp_path / "full"
    build_site(str(content), str(full), as_of=AS_OF)

    # Every file, byte for byte, the search index's too.
    a, b = tree(str(out)), tree(str(full))
    assert sorted(a) == sorted(b), f"only in incremental: {sorted(set(a) - set(b))[:5]}, only in full: {sorted(set(b) - set(a))[:5]}"
    different = [rel for rel in a if a[rel] != b[rel]]
    assert not different, f"incremental output differs from a full build in {different[:10]}"

    after = mtimes(str(out))
    assert f"documents/{slug(withdrawn)}.html" not in after, "a withdrawn document's page must be removed"
    assert after[f"documents/{slug(edited)}.html"] != before[f"documents/{slug(edited)}.html"]
    assert f"documents/{slug(added)}.html" in after
    untouched = [rel for rel in before if rel.startswith("documents/") and rel.endswith(".html")
                 and rel in after and after[rel] == before[rel]]
    assert len(untouched) > 30, "unchanged document pages must not be rewritten"


def test_no_change_rebuild_does_nothing_and_any_change_or_damage_takes_the_full_path(tmp_path, monkeypatch):
    """The no-change short cut (gazette/build_shortcut.py) holds only while inputs and output are untouched."""
    import pelican

    from leakscan import document_markers, find_leaks

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "out"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    first = build_site(str(content), str(out), as_of=AS_OF)
    assert not first.unchanged
    reference = tree(str(out))
    again = build_site(str(content), str(out), as_of=AS_OF)
    assert again.unchanged and again.pages_rendered == 0 and again.files_written == 0

    # Damage to the output: a page deleted, a page altered with its size kept — repaired.
    page = sorted(rel for rel in reference if rel.startswith("documents/") and rel.endswith(".html"))[3]
    os.remove(out / page)
    repaired = build_site(str(content), str(out), as_of=AS_OF)
    assert not repaired.unchanged and tree(str(out)) == reference
    with open(out / "index.html", "r+b") as f:
        data = f.read()
        f.seek(0)
        f.write(data.replace("临澜".encode(), "临川".encode(), 1))
    assert not build_site(str(content), str(out), as_of=AS_OF).unchanged
    assert tree(str(out)) == reference

    # Another day, another setting: the ordinary path.
    assert not build_site(str(content), str(out), as_of="2027-01-05").unchanged
    assert not build_site(str(content), str(out), as_of=AS_OF).unchanged
    assert build_site(str(content), str(out), as_of=AS_OF).unchanged
    assert not build_site(str(content), str(out), as_of=AS_OF, extra_settings={"SITENAME": "临澜市公报"}).unchanged

    # A build that stops part-way leaves no record vouching for its output, even when the inputs
    # are back to those of the last completed build.
    build_site(str(content), str(out), as_of=AS_OF)
    assert build_site(str(content), str(out), as_of=AS_OF).unchanged
    some = content / "documents" / sorted(os.listdir(content / "documents"))[0]
    some = some / sorted(os.listdir(some))[0]
    original = some.read_bytes()
    some.write_bytes(original + "\n补记一句。\n".encode())
    real_run = pelican.Pelican.run

    def killed(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(pelican.Pelican, "run", killed)
    try:
        build_site(str(content), str(out), as_of=AS_OF)
    except KeyboardInterrupt:
        pass
    monkeypatch.setattr(pelican.Pelican, "run", real_run)
    some.write_bytes(original)
    assert not build_site(str(content), str(out), as_of=AS_OF).unchanged

    # The command-line index rewritten behind the build's back (gazette index): not vouched for.
    whoosh = [os.path.join(dp, f) for dp, _, fs in os.walk(tmp_path / "cache") for f in fs if "whoosh" in dp]
    os.utime(whoosh[0], ns=(1, 1))
    assert not build_site(str(content), str(out), as_of=AS_OF).unchanged

    # One content file withheld: the ordinary path, and the document is gone everywhere.
    _, withdrawn, _ = edit_archive(str(content))
    markers = document_markers(withdrawn)
    assert not build_site(str(content), str(out), as_of=AS_OF).unchanged
    assert find_leaks(str(out), markers) == []
    assert build_site(str(content), str(out), as_of=AS_OF).unchanged


def test_no_change_build_reads_no_header_unless_the_last_build_met_a_problem(tmp_path, monkeypatch):
    """The no-change short cut answers from the recorded counts without reading the archive; after a
    build with warnings it reads the archive again to report them, and the record keeps no message
    (a warning may name a withheld document's file)."""
    from gazette.project import Project

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(cache))
    first = build_site(str(content), str(out), as_of=AS_OF)
    assert not first.warnings and not first.unchanged
    real_load = Project.load_archive
    reads = []

    def counted(self, *args):
        reads.append(self.content_dir)
        return real_load(self, *args)

    monkeypatch.setattr(Project, "load_archive", counted)
    again = build_site(str(content), str(out), as_of=AS_OF)
    assert again.unchanged and reads == []
    assert (again.documents, again.issues, again.withheld, again.drafts) == \
        (first.documents, first.issues, first.withheld, first.drafts)
    assert again.pages_kept >= first.pages_rendered > 0

    # A public document citing a withheld one's number: a warning, so every later build reads the archive.
    public = content / "documents" / "2024" / "llzf-2024-18.md"
    public.write_text(public.read_text(encoding="utf-8") + "\n根据临政内〔2024〕11号办理。\n", encoding="utf-8")
    warned = build_site(str(content), str(out), as_of=AS_OF)
    assert warned.warnings and not warned.unchanged and reads == [str(content)]
    repeated = build_site(str(content), str(out), as_of=AS_OF)
    assert repeated.unchanged and len(reads) == 2
    assert [str(w) for w in repeated.warnings] == [str(w) for w in warned.warnings]
    records = [p for p in cache.rglob("completed-*.json")]
    assert records and all("llzn-2024-11" not in p.read_text(encoding="utf-8") and "临政内" not in
                           p.read_text(encoding="utf-8") for p in records)

    # The same inputs, now required to hold a document: the counts say so without a read.
    assert build_site(str(content), str(out), as_of=AS_OF, require_documents=True).unchanged


def test_long_lists_of_strings_are_pictured_by_digest_and_still_told_apart():
    """A report's cells and an annual page's titles list thousands of slugs: their picture is a digest,
    which must change with any element, its order (a list) or a title, and not with a set's order."""
    from gazette.incremental import fingerprint

    slugs = [f"d2020-{i:06d}" for i in range(5000)]
    titles = {s: f"关于{s}的通知" for s in slugs}
    base = fingerprint("annual.html", False, {"cells": slugs, "titles": titles})
    assert fingerprint("annual.html", False, {"cells": list(slugs), "titles": dict(titles)}) == base
    changed_slug = slugs[:2500] + ["d2020-999999"] + slugs[2501:]
    assert fingerprint("annual.html", False, {"cells": changed_slug, "titles": titles}) != base
    assert fingerprint("annual.html", False, {"cells": slugs[::-1], "titles": titles}) != base
    retitled = dict(titles, **{slugs[4999]: "关于另一件事的通知"})
    assert fingerprint("annual.html", False, {"cells": slugs, "titles": retitled}) != base
    assert fingerprint("annual.html", False, {"cells": slugs[:-1], "titles": titles}) != base
    # A set of slugs: the same set in any order is the same picture.
    assert (fingerprint("x.html", False, {"s": set(slugs)}) == fingerprint("x.html", False, {"s": set(slugs[::-1])}))
    # Strings that hold the separators of a naive join are told apart too.
    a = [f"a{i}" for i in range(40)] + ['x", "y']
    b = [f"a{i}" for i in range(40)] + ["x", "y"]
    assert fingerprint("x.html", False, {"s": a}) != fingerprint("x.html", False, {"s": b})


def test_an_annual_page_is_given_the_titles_its_table_names(tmp_path):
    """Each year's page gets the titles of the documents its table lists, not the whole archive's."""
    from gazette.pages import plan_pages
    from gazette.project import load_project

    project = load_project(CONTENT, str(tmp_path / "out"))
    archive = project.load_archive()
    model = project.site_model(archive, AS_OF)
    titles = {d.slug: d.title for d in model.public_documents}
    annual = [s for s in plan_pages(model) if s.template == "annual"]
    assert annual
    for spec in annual:
        named = {slug for row in spec.context["report"].rows for cell in row.documents.values() for slug in cell}
        assert spec.context["doc_titles"] == {s: titles[s] for s in named if s in titles}
    assert any(len(s.context["doc_titles"]) < len(titles) for s in annual)


def test_the_build_s_children_read_each_body_s_text_from_the_render_cache(tmp_path, monkeypatch):
    """The plain text of every public body is derived once, with its HTML, and kept beside it: the
    forked children (both indexes, publishing) read it through their own read-only connection and
    never derive it again or write to the file; `retain` forgets it with the rendering."""
    from gazette import render
    from gazette.background import ForkedCall

    bodies = [f"# 第{i}条\n\n**本办法**自发布之日起施行。[附件](a{i}.pdf)\n" for i in range(60)]
    path = str(tmp_path / "cache" / "html.sqlite")
    cache = render.HtmlCache(path)
    assert cache.fill(bodies, workers=2) == 60
    assert cache.fill(bodies) == 0
    expected = [render.to_text(b) for b in bodies]

    def derived_again(body):
        raise AssertionError("text derived again in the child")

    monkeypatch.setattr(render, "to_text", derived_again)
    assert ForkedCall(lambda: [cache.text(b) for b in bodies]).wait() == expected
    # read ahead in batches, in the order fill had them; asked in any other order just the same
    monkeypatch.setattr(render, "READ_AHEAD", 7)
    mixed = bodies[::-1] + bodies[::7] + bodies[3:20] + bodies[:2]
    assert ForkedCall(lambda: [cache.text(b) for b in mixed]).wait() == [expected[bodies.index(b)] for b in mixed]

    def held_after(*picks):  # texts read ahead and still held after each read, in a fresh child
        return [(cache.text(bodies[i]), len(cache._ahead))[1] for i in picks]
    # off the order (the feeds' latest documents) one text a read; along it, READ_AHEAD at a time
    assert ForkedCall(lambda: held_after(30, 12, 13, 14, 40)).wait() == [0, 0, 6, 5, 0]
    # read back as the browser index does (oldest day first): the READ_AHEAD below the lowest read
    assert ForkedCall(lambda: held_after(40, 39, 38, 37, 34, 33, 32)).wait() == [0, 6, 5, 4, 3, 2, 8]
    # days of any size read back, each in fill's order: about one query per READ_AHEAD texts
    for day in (1, 3, 6, 7, 8, 20, 59):
        days = [list(range(lo, min(lo + day, 60))) for lo in range(0, 60, day)][::-1]
        order = [i for d in days for i in d]

        def read_back():
            queries: list[str] = []
            cache._child_reader().set_trace_callback(queries.append)
            texts = [cache.text(bodies[i]) for i in order]
            return texts, len(queries)

        texts, queries = ForkedCall(read_back).wait()
        assert texts == [expected[i] for i in order]
        assert queries <= 60 // 7 + 4 if day <= 7 else queries <= 60 // day + 60 // 7 + 4, (day, queries)
    monkeypatch.undo()
    new = "一份未缓存的正文。"
    assert ForkedCall(lambda: cache.text(new)).wait() == new
    count = lambda: cache.db.execute("SELECT COUNT(*) FROM text").fetchone()[0]  # noqa: E731
    assert count() == 60  # the child wrote nothing
    assert cache.text(new) == new and count() == 61  # the parent keeps what it derives
    cache.retain(bodies[:1])
    assert count() == 1
    cache.close()
    with open(path, "rb") as f:
        assert "本办法自发布之日起施行".encode() in f.read()  # the one kept
    cache = render.HtmlCache(path)
    cache.retain([])
    cache.close()
    with open(path, "rb") as f:
        data = f.read()
    assert "本办法".encode() not in data and new.encode() not in data


def test_the_page_plan_is_made_once_per_model(tmp_path):
    """The page writer and the publishing child's sitemap share one plan (the child inherits it)."""
    from gazette.pages import plan_pages
    from gazette.project import load_project

    project = load_project(CONTENT, str(tmp_path / "out"))
    model = project.site_model(project.load_archive(), AS_OF)
    assert plan_pages(model) is plan_pages(model)
    assert plan_pages(model, 3) is not plan_pages(model)


def test_a_body_withheld_after_many_edits_leaves_no_stale_copy_in_the_render_cache(tmp_path):
    """What each build does to the render cache (fill the public bodies, retain them), 45 builds
    of edits and then bodies withheld (found by review 13): secure_delete zeroes a row only where it
    is now, and a B-tree balancing earlier may have copied its cell to another page and left the old
    bytes in the free gap of a live page, so `retain` compacts whenever it deleted anything."""
    import random

    from gazette import render

    rng = random.Random(1)
    path = str(tmp_path / "html.sqlite")

    def body(i, v):
        n = rng.choice([1, 2, 3, 8, 20, 60])
        return f"TOK{i:04d}x{v:03d}Z\n\n" + "".join(
            f"第{j}条　本办法所称的公共文件，是指第{i}号通知附件所列的文件。\n\n" for j in range(n))

    def one_build(bodies):
        cache = render.HtmlCache(path)
        cache.fill(bodies, workers=1)
        cache.retain(bodies)
        cache.close()

    bodies = [body(i, 0) for i in range(300)]
    for rnd in range(1, 45):
        for _ in range(rng.choice([1, 5, 20])):
            i = rng.randrange(len(bodies))
            bodies[i] = body(i, rnd)
        one_build(bodies)
    tokens = {b.split("\n", 1)[0].encode(): b for b in bodies}
    withheld = list(tokens.values())
    with open(path, "rb") as f:
        data = f.read()
    # every public body whose token the file holds more often than its html row and text row do:
    # each of those, withheld, must leave nothing
    moved = [b for t, b in tokens.items() if data.count(t) > 2]
    withheld = moved or withheld[:1]
    for b in withheld:
        bodies.remove(b)
    one_build(bodies)
    with open(path, "rb") as f:
        data = f.read()
    left = [b.split("\n", 1)[0] for b in withheld if b.split("\n", 1)[0].encode() in data]
    assert left == [], f"text of withheld bodies still in html.sqlite: {left}"


def test_document_json_is_made_only_when_its_fields_body_or_file_change(tmp_path, monkeypatch):
    """publishing.KeyedFiles: a rebuild makes a document's JSON again only when what it is made of
    changed (its record, its body, the build-wide fingerprint) or the file is not the one the last
    build left; the manifest names no withheld document."""
    import json

    from gazette.publishing import opendata

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(cache))
    made = tmp_path / "made.txt"
    real = opendata.document_json

    def counted(fields, text):  # the publishing child appends to the file (a fork shares no memory)
        with open(made, "a", encoding="utf-8") as f:
            f.write(fields["slug"] + "\n")
        return real(fields, text)

    monkeypatch.setattr(opendata, "document_json", counted)

    def made_now() -> list[str]:
        names = made.read_text(encoding="utf-8").split() if made.exists() else []
        made.unlink(missing_ok=True)
        return names

    build_site(str(content), str(out), as_of=AS_OF)
    everyone = made_now()
    assert len(everyone) > 30
    edited, withdrawn, added = edit_archive(str(content))
    build_site(str(content), str(out), as_of=AS_OF)
    again = made_now()
    assert slug(edited) in again and slug(added) in again and slug(withdrawn) not in again
    assert len(again) < len(everyone) // 2, "an edit must not make every document's JSON again"
    data = json.loads((out / "documents" / f"{slug(edited)}.json").read_text(encoding="utf-8"))
    assert "本文件勘误一处" in data["text"]
    assert not (out / "documents" / f"{slug(withdrawn)}.json").exists()
    manifests = [os.path.join(dp, f) for dp, _, fs in os.walk(cache) for f in fs if os.path.basename(dp) == "files"]
    assert manifests and all(slug(withdrawn) not in open(m, encoding="utf-8").read() for m in manifests)

    # A JSON file altered behind the build's back, the no-change record gone (a killed build): made again.
    victim = out / "documents" / f"{everyone[3]}.json"
    original = victim.read_bytes()
    victim.write_bytes(original.replace(b'"as_of"', b'"as_on"'))
    for dp, _, fs in os.walk(cache):
        for f in fs:
            if f.startswith("completed-"):
                os.remove(os.path.join(dp, f))
    build_site(str(content), str(out), as_of=AS_OF)
    assert made_now() == [everyone[3]]
    assert victim.read_bytes() == original

    # Another day: every JSON carries the as-of date, so every one is made again.
    build_site(str(content), str(out), as_of="2027-01-05")
    assert sorted(made_now()) == sorted(set(everyone) - {slug(withdrawn)} | {slug(added)})


def test_renderings_made_by_other_code_are_forgotten(tmp_path):
    """The render cache is keyed by the body alone, so renderings (and the plain text the PDFs, open
    data, feeds and indexes take from it) made by other code are forgotten, as the header cache's are."""
    from gazette import render

    path = str(tmp_path / "html.sqlite")
    cache = render.HtmlCache(path, "code-1")
    assert cache.fill(["第一条　本办法自发布之日起施行。\n"]) == 1
    cache.close()
    cache = render.HtmlCache(path, "code-1")
    assert cache.fill(["第一条　本办法自发布之日起施行。\n"]) == 0
    cache.close()
    cache = render.HtmlCache(path, "code-2")
    assert cache.db.execute("SELECT COUNT(*) FROM text").fetchone()[0] == 0
    assert cache.fill(["第一条　本办法自发布之日起施行。\n"]) == 1
    cache.close()
    with open(path, "rb") as f:
        assert f.read().count("本办法自发布之日起施行".encode()) <= 2  # one HTML, one text: the old rows compacted away


def _equals_a_full_build(tmp_path, content, out, name: str) -> None:
    """`out` (an incremental build of `content`) byte for byte what a fresh build makes."""
    full = tmp_path / f"full-{name}"
    previous = os.environ["GAZETTE_CACHE_DIR"]
    os.environ["GAZETTE_CACHE_DIR"] = str(tmp_path / f"cache-{name}")
    try:
        build_site(str(content), str(full), as_of=AS_OF)
    finally:
        os.environ["GAZETTE_CACHE_DIR"] = previous
    a, b = tree(str(out)), tree(str(full))
    assert sorted(a) == sorted(b), f"{name}: only in incremental {sorted(set(a) - set(b))[:5]}, only in full {sorted(set(b) - set(a))[:5]}"
    assert not [rel for rel in a if a[rel] != b[rel]], f"{name}: {[rel for rel in a if a[rel] != b[rel]][:8]}"


def test_an_edit_of_a_body_renders_only_its_page_and_an_edit_of_a_header_what_shows_it(tmp_path, monkeypatch):
    """The model's inputs are every file but the documents' bodies (incremental.model_key): with the
    same model, a document page's fingerprint is the last build's unless its file changed, and a
    listing pictures its documents without their bodies (document_row_fingerprint). So an edited body
    renders its own page alone, a cited number added to it too; an edited header, issue file or
    withheld document takes every page that shows it. Each step is a full build's bytes."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "out"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    assert build_site(str(content), str(out), as_of=AS_OF).pages_rendered > 50
    docs = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(content / "documents") for f in fs)
    cited = next(open(p, encoding="utf-8").read().split("doc_number: ", 1)[1].split("\n", 1)[0]
                 for p in docs[10:] if "doc_number: " in open(p, encoding="utf-8").read())

    with open(docs[3], "a", encoding="utf-8") as f:  # the body only: a sentence citing another document
        f.write(f"\n参照{cited}执行。\n")
    body_edit = build_site(str(content), str(out), as_of=AS_OF)
    assert body_edit.pages_rendered == 1, "a body edit renders its own page, no listing"
    page = (out / "documents" / f"{slug(docs[3])}.html").read_text(encoding="utf-8")
    assert cited in page and page.count('href="') > 0
    _equals_a_full_build(tmp_path, content, out, "body")

    text = open(docs[3], encoding="utf-8").read()
    title = text.split("title: ", 1)[1].split("\n", 1)[0]
    with open(docs[3], "w", encoding="utf-8") as f:  # its header: the title every listing shows
        f.write(text.replace(f"title: {title}", f"title: {title}（修订）", 1))
    header_edit = build_site(str(content), str(out), as_of=AS_OF)
    assert header_edit.pages_rendered > 3, "a title shown in listings renders them again"
    _equals_a_full_build(tmp_path, content, out, "header")

    issue = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(content / "issues") for f in fs if f.endswith(".md"))[0]
    with open(issue, "a", encoding="utf-8") as f:  # a file that is not a document: read whole
        f.write("\n本期另附勘误表一份。\n")
    assert build_site(str(content), str(out), as_of=AS_OF).pages_rendered >= 1
    _equals_a_full_build(tmp_path, content, out, "issue")

    from gazette.chinese import fold

    texts = [fold(open(p, encoding="utf-8").read()) for p in docs]
    titles = [t.split("title: ", 1)[1].split("\n", 1)[0] for t in texts]
    # a title no other file says, in either script (versions of one work share theirs)
    hidden = next(p for p, t in zip(docs[7:], titles[7:]) if sum(t in other for other in texts) == 1)
    text = open(hidden, encoding="utf-8").read()  # withheld: gone from every page that listed it
    title = text.split("title: ", 1)[1].split("\n", 1)[0]
    with open(hidden, "w", encoding="utf-8") as f:
        f.write(text.replace("disclosure: public", "disclosure: withheld") if "disclosure: public" in text
                else text.replace("\n\n", "\ndisclosure: withheld\n\n", 1))
    build_site(str(content), str(out), as_of=AS_OF)
    assert not [rel for rel, data in tree(str(out)).items() if title.encode() in data]
    from leakscan import find_leaks

    assert find_leaks(str(tmp_path / "cache"), [title, f"{slug(hidden)}.html"]) == []
    _equals_a_full_build(tmp_path, content, out, "withheld")



def test_the_clean_up_walk_is_skipped_only_over_an_output_the_last_build_left_as_it_is(tmp_path, monkeypatch):
    """incremental.nothing_stale: with the model's inputs those of the last completed build and the
    output file for file what it left (its record, compared at the start), no file can be stale, so
    the publishing clean-up does not walk the output and keyed files are not looked at again. Files
    planted in the output since (a stale page, JSON, short address, feed, sitemap, an old backup
    copied over) are another output: the walk runs and removes them. Each step is a full build's bytes."""
    from gazette import publishing

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    out = tmp_path / "out"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    walked = tmp_path / "walked.txt"
    real = publishing.remove_stale

    def counted(*args, **kwargs):  # in the publishing child: a file tells the parent
        with open(walked, "a", encoding="utf-8") as f:
            f.write("walk\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(publishing, "remove_stale", counted)

    def walks() -> int:
        n = len(walked.read_text(encoding="utf-8").split()) if walked.exists() else 0
        walked.unlink(missing_ok=True)
        return n

    build_site(str(content), str(out), as_of=AS_OF)
    assert walks() == 1
    docs = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(content / "documents") for f in fs)
    with open(docs[4], "a", encoding="utf-8") as f:  # a body: the model is the same
        f.write("\n本文件勘误一处。\n")
    assert build_site(str(content), str(out), as_of=AS_OF).pages_rendered == 1
    assert walks() == 0, "same model, output as the last build left it: nothing to clean up"
    _equals_a_full_build(tmp_path, content, out, "as-left")
    walks()  # the fresh build's

    planted = ["documents/d1999-000001.json", "documents/d1999-000001.html", "documents/d1999-000001.pdf",
               "eli/临政发/1999/1/index.html", "feeds/issuer/旧机关.atom.xml", "sitemaps/sitemap-9.xml"]
    for rel in planted:
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text("<p>旧网站留下的文件</p>" * 20, encoding="utf-8")
    with open(docs[4], "a", encoding="utf-8") as f:
        f.write("\n再勘误一处。\n")
    build_site(str(content), str(out), as_of=AS_OF)
    assert walks() == 1, "an output that is not the one the last build left is walked"
    assert not [rel for rel in planted if (out / rel).exists()]
    _equals_a_full_build(tmp_path, content, out, "planted")


def test_compressed_copies_put_back_from_an_old_backup_are_made_again(tmp_path, monkeypatch):
    """Review 19: copies of a listing saved while it still named a document since withheld, put back
    beside the page (dates restored, as cp -p or rsync -t do), were kept: trusted by their date or by
    the page's hash. Copies are trusted unread only over an output the last completed build left as
    it is (the record's snapshot pictures change times too); otherwise they are decompressed and
    compared. With the record and without it (a killed build), the copies are the page's."""
    import gzip

    import brotli
    from leakscan import find_leaks

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    marker = "临澜市旧档备份标记文件"
    doc = content / "documents" / "2025" / "llzf-2025-98.md"
    doc.write_text(f"title: 临澜市人民政府关于{marker}的通知\ndate: 2025-06-02\ndoc_number: 临政发〔2025〕98号\n"
                   "issuer: 临澜市人民政府\ndoc_type: 通知\ncategory: 城乡建设\n\n各区人民政府：\n\n现予通知。\n",
                   encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(cache))
    build_site(str(content), str(out), as_of=AS_OF)
    listings = [rel for rel, data in tree(str(out)).items() if rel.endswith(".html") and marker.encode() in data
                and os.path.exists(out / (rel + ".gz")) and not rel.startswith("documents/")]
    assert listings
    saved = {rel + suffix: ((out / (rel + suffix)).read_bytes(), os.stat(out / (rel + suffix)))
             for rel in listings for suffix in (".gz", ".br")}
    doc.write_text(doc.read_text(encoding="utf-8").replace("\n\n", "\ndisclosure: withheld\n\n", 1), encoding="utf-8")
    build_site(str(content), str(out), as_of=AS_OF)
    assert find_leaks(str(out), [marker]) == []
    listings = [rel for rel in listings if (out / rel).exists()]  # listings, not the document's own files
    saved = {rel: kept for rel, kept in saved.items() if rel[:-3] in listings}
    assert listings

    for forget_record in (False, True):
        for rel, (data, st) in saved.items():  # the backup put back, its dates with it
            (out / rel).write_bytes(data)
            os.utime(out / rel, ns=(st.st_atime_ns, st.st_mtime_ns))
        if forget_record:
            for dp, _, fs in os.walk(cache):
                for f in fs:
                    if f.startswith("completed-"):
                        os.remove(os.path.join(dp, f))
        build_site(str(content), str(out), as_of=AS_OF)
        assert find_leaks(str(out), [marker]) == [], f"record forgotten: {forget_record}"
        for rel in listings:
            page = (out / rel).read_bytes()
            assert gzip.decompress((out / (rel + ".gz")).read_bytes()) == page
            assert brotli.decompress((out / (rel + ".br")).read_bytes()) == page


def test_an_edit_of_the_site_s_own_template_overrides_is_a_change(tmp_path, monkeypatch):
    """Pelican's THEME_TEMPLATES_OVERRIDES: a template there is part of the code every page is made
    by; editing it must not leave the build saying the site is up to date."""
    content, out, overrides = tmp_path / "content", tmp_path / "out", tmp_path / "overrides"
    shutil.copytree(CONTENT, content)
    overrides.mkdir()
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    template = os.path.join(os.path.dirname(CONTENT), "theme", "templates", "page.html")
    source = open(template, encoding="utf-8").read()
    settings = {"THEME_TEMPLATES_OVERRIDES": [str(overrides)]}

    def page_with(marker: str) -> str:
        (overrides / "page.html").write_text(source.replace("{% block content %}", "{% block content %}" + marker),
                                             encoding="utf-8")
        result = build_site(str(content), str(out), as_of=AS_OF, extra_settings=settings)
        assert not result.unchanged
        pages = [p for p in tree(str(out)) if p.startswith("pages" + os.sep) and p.endswith(".html")]
        return "".join((out / p).read_text(encoding="utf-8") for p in pages)

    assert "<!--本站说明甲-->" in page_with("<!--本站说明甲-->")
    assert build_site(str(content), str(out), as_of=AS_OF, extra_settings=settings).unchanged
    shown = page_with("<!--本站说明乙-->")
    assert "<!--本站说明乙-->" in shown and "本站说明甲" not in shown


def test_the_header_pass_parses_the_bytes_the_inputs_key_hashed(tmp_path, monkeypatch):
    """Every content file is read and hashed for the inputs key; the header pass takes those bytes
    (and their digest) instead of reading each file again, within build_shortcut.KEEP_LIMIT, and the
    site is the same either way."""
    from gazette import build_shortcut, header_cache

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    real_read = header_cache.read_bytes
    reads: list[str] = []
    monkeypatch.setattr(header_cache, "read_bytes", lambda path, shown=None: reads.append(path) or real_read(path, shown))
    build_site(str(content), str(tmp_path / "out"), as_of=AS_OF)
    assert reads == []
    edited, _, _ = edit_archive(str(content))
    build_site(str(content), str(tmp_path / "out"), as_of=AS_OF)
    assert reads == []
    # Nothing handed on: every file read by the header pass, the same site.
    monkeypatch.setattr(build_shortcut, "KEEP_LIMIT", 0)
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache2"))
    build_site(str(content), str(tmp_path / "fresh"), as_of=AS_OF)
    assert edited in reads and len(reads) == len([p for p in tree(str(content / "documents")) if p.endswith(".md")])
    assert tree(str(tmp_path / "out")) == tree(str(tmp_path / "fresh"))


def test_a_feed_s_texts_come_in_one_read_in_a_child(tmp_path):
    """A feed's newest documents lie off the order the bodies were rendered in: their texts are read
    in one query (one each was a fifth of the publishing child's edit-one rebuild), and are the texts."""
    from gazette import render
    from gazette.background import ForkedCall

    bodies = [f"第{i}条　本办法自发布之日起施行。\n" for i in range(40)]
    cache = render.HtmlCache(str(tmp_path / "html.sqlite"))
    cache.fill(bodies)
    picked = bodies[30:] + bodies[3:9:2]
    queries: list[str] = []

    def in_child():
        cache._child_reader().set_trace_callback(queries.append)
        cache.prefetch(picked)
        texts = [cache.text(b) for b in picked]
        return texts, len(queries)

    texts, count = ForkedCall(in_child).wait()
    assert texts == [render.to_text(b) for b in picked] and count == 1
    cache.close()
