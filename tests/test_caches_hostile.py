"""The build's caches under hostile conditions (review 14 of the header cache, gazette/header_cache.py):

1. A headers.sqlite or html.sqlite damaged past its first page is made again, not a failure of
   every later build (which would also keep what it holds for ever).
2. A public document whose relation field names a document the site does not list (an import
   draft by its number; a withheld document whose header has an error, so the archive never learns
   its number; a withheld document by its title) is not kept in the header cache: the site never
   shows that name, so no cache may hold it."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from conftest import CONTENT
from leakscan import find_leaks

from gazette.build import MetadataCheckFailed, build_site

AS_OF = dt.date(2026, 11, 22)
PUBLIC = ("title: 临澜市公共自行车管理办法\ndate: 2026-03-02\ndoc_type: 规章\ngazette: 2026-01\npages: 2\n\n"
          "第一条　公共自行车租赁服务点位公示。\n")
ISSUE = "title: 2026年第1期\nyear: 2026\nnumber: 1\ndate: 2026-03-05\n\n"
DRAFT_NUMBER = "临政办发〔2026〕77号"
DRAFT = ("review: pending\nreview_reason: 整期未能拆分为文件，请核对\ntitle: 关于试行汛期堤坝巡查轮值制度的通知\n"
         f"date: 2026-03-05\ndoc_number: {DRAFT_NUMBER}\ngazette: 2026-01\npages: 3-4\n\n"
         "各区人民政府：堤坝巡查轮值表附后，请认真遵照执行。\n")
# A public document amending the draft: the site never shows that reference (it resolves to nothing).
CITES_DRAFT = ("title: 临澜市关于公共自行车停放的补充通知\ndate: 2026-03-06\ndoc_type: 通知\n"
               f"amends: {DRAFT_NUMBER}\n\n公共自行车停放点位另行公布。\n")
WITHHELD = "documents/2024/llzn-2024-11.md"  # disclosure: withheld in the sample archive
WITHHELD_NUMBER = "临政内〔2024〕11号"


def small_archive(root) -> str:
    content = root / "content"
    (content / "documents" / "2026").mkdir(parents=True)
    (content / "issues").mkdir()
    (content / "documents" / "2026" / "bikes.md").write_text(PUBLIC, encoding="utf-8")
    (content / "issues" / "2026-01.md").write_text(ISSUE, encoding="utf-8")
    return str(content)


def cache_files(cache) -> list[str]:
    return sorted(os.path.relpath(os.path.join(dp, f), cache) for dp, _, fs in os.walk(cache) for f in fs)


def headers_file(cache) -> str:
    return next(os.path.join(dp, f) for dp, _, fs in os.walk(cache) for f in fs if f == "headers.sqlite")


def test_a_damaged_header_cache_is_made_again_not_a_failure_of_every_build(tmp_path):
    """cache_db.connect only checks that sqlite_master can be read: a headers.sqlite whose other
    pages are damaged (a disk fault, a copy cut short) raises `sqlite3.DatabaseError: database disk
    image is malformed` in HeaderCache.read_document, the first document read, in every later
    build. Review 13's rule is that a damaged cache is made again ("a cache is disposable")."""
    content = small_archive(tmp_path)
    cache = tmp_path / "cache"
    settings = {"GAZETTE_CACHE_DIR": str(cache)}
    build_site(content, str(tmp_path / "out"), as_of=AS_OF, extra_settings=settings)
    path = headers_file(cache)
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        page = int.from_bytes(data[16:18], "big") or 65536
        assert len(data) > page, "more than the first page"
        data[page:] = b"\x5a" * (len(data) - page)  # every page but the first (the schema) damaged
        f.seek(0)
        f.write(data)
    # An edit, so the no-change short cut does not skip reading the archive.
    with open(os.path.join(content, "documents", "2026", "bikes.md"), "a", encoding="utf-8") as f:
        f.write("\n第二条　另行公布。\n")
    for _ in range(2):  # the second too: the damaged file is not replaced by the failing build
        result = build_site(content, str(tmp_path / "out"), as_of=AS_OF, extra_settings=settings)
        assert result.documents == 1


def test_a_public_document_naming_a_draft_does_not_put_the_drafts_number_in_the_header_cache(tmp_path):
    """archive.unnamed: a draft's title and number are 'never written anywhere', and
    tests/test_import_drafts.py searches the cache for them. HeaderCache.retain leaves out a public
    document naming a *withheld* document (archive.names_withheld), but not one naming a draft: its
    header, `amends: <the draft's number>`, is pickled into headers.sqlite."""
    content = small_archive(tmp_path)
    (tmp_path / "content" / "documents" / "2026" / "draft-flood.md").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "content" / "documents" / "2026" / "parking.md").write_text(CITES_DRAFT, encoding="utf-8")
    cache, out = tmp_path / "cache", tmp_path / "out"
    result = build_site(content, str(out), as_of=AS_OF, extra_settings={"GAZETTE_CACHE_DIR": str(cache)})
    assert result.documents == 2 and result.drafts == 1
    assert find_leaks(str(out), [DRAFT_NUMBER]) == [], "the site itself never shows the reference"
    assert find_leaks(str(cache), [DRAFT_NUMBER]) == []


def test_a_withheld_document_with_a_header_error_leaves_its_number_out_of_the_header_cache(tmp_path):
    """The withheld document's file has a typing error (a date that is no date): it cannot be read,
    so its number is not in archive.withheld_numbers, and `names_withheld` says no to the public
    document that amends it. That document is cached with `amends: 临政内〔2024〕11号`. The build is
    refused for the error, but load_archive has already kept it (retain runs inside load_archive).
    The site never shows an unresolved reference, so the cache is the only place the number is."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    withheld = content / WITHHELD
    withheld.write_text(withheld.read_text(encoding="utf-8").replace("date: 2024-07-09", "date: 2024-07-32"),
                        encoding="utf-8")
    (content / "documents" / "2025" / "cites-2025-01.md").write_text(
        "title: 临澜市关于粮食储备管理的补充通知\ndate: 2025-03-01\ndoc_type: 通知\n"
        f"amends: {WITHHELD_NUMBER}\n\n粮食储备管理另行通知。\n", encoding="utf-8")
    cache = tmp_path / "cache"
    with pytest.raises(MetadataCheckFailed):
        build_site(str(content), str(tmp_path / "out"), as_of=AS_OF, extra_settings={"GAZETTE_CACHE_DIR": str(cache)})
    assert find_leaks(str(cache), [WITHHELD_NUMBER]) == [], cache_files(cache)


WITHHELD_TITLE = "临澜市人民政府关于市级储备粮轮换底价和承储库点调整的内部通知"


def test_a_public_document_naming_a_withheld_document_by_its_title_is_not_kept_in_the_header_cache(tmp_path):
    """A relation written as the title of what it amends (as 修改《…》 is written in the text) resolves
    to nothing: the site never shows an unresolved reference (archive.link_documents: "never echo
    the reference itself"). `names_withheld` looks only at slugs and numbers, so the public document
    is kept in headers.sqlite with the withheld document's title in its `amends:`."""
    from gazette.archive import load_archive
    from gazette.header_cache import FILE, HeaderCache

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "documents" / "2025" / "cites-2025-02.md").write_text(
        "title: 临澜市关于粮食储备库点管理的补充通知\ndate: 2025-03-01\ndoc_type: 通知\n"
        f"amends: 《{WITHHELD_TITLE}》\n\n粮食储备库点管理另行通知。\n", encoding="utf-8")
    cache = tmp_path / "cache"
    headers = HeaderCache(str(cache / FILE), "code")
    archive = load_archive(str(content), headers)
    headers.close()
    assert archive.errors == [] and WITHHELD in archive.withheld_paths
    assert find_leaks(str(cache), [WITHHELD_TITLE]) == []


def test_a_render_cache_damaged_beyond_its_first_page_is_made_again(tmp_path):
    """The same for html.sqlite: every page but the schema damaged, an edit, two builds."""
    content = small_archive(tmp_path)
    cache = tmp_path / "cache"
    settings = {"GAZETTE_CACHE_DIR": str(cache)}
    build_site(content, str(tmp_path / "out"), as_of=AS_OF, extra_settings=settings)
    path = next(os.path.join(dp, f) for dp, _, fs in os.walk(cache) for f in fs if f == "html.sqlite")
    with open(path, "r+b") as f:
        data = bytearray(f.read())
        page = int.from_bytes(data[16:18], "big") or 65536
        assert len(data) > page, "more than the first page"
        data[page:] = b"\x5a" * (len(data) - page)
        f.seek(0)
        f.write(data)
    with open(os.path.join(content, "documents", "2026", "bikes.md"), "a", encoding="utf-8") as f:
        f.write("\n第二条　另行公布。\n")
    for _ in range(2):
        result = build_site(content, str(tmp_path / "out"), as_of=AS_OF, extra_settings=settings)
        assert result.documents == 1
    page_html = open(os.path.join(tmp_path / "out", "documents", "bikes.html"), encoding="utf-8").read()
    assert "另行公布" in page_html


def test_damaged_compiled_templates_and_derived_facts_are_made_again_and_name_no_document(tmp_path):
    """The caches of installed code (compiled templates in `templates/`, the folding table and the
    Whoosh check in `derived/`) hold nothing of the archive, and a damaged entry is made again: the
    next build writes the same pages as a build from an empty cache."""
    import marshal

    from gazette import chinese
    from gazette.search import normalise, whoosh_adapter

    content = small_archive(tmp_path)
    cache = tmp_path / "cache"
    settings = {"GAZETTE_CACHE_DIR": str(cache)}
    normalise.fold_table.cache_clear()  # derived in this build's children, not taken from this process
    whoosh_adapter.missing_internals.cache_clear()
    chinese._script_marks.cache_clear()  # derived in this process's header pass
    build_site(content, str(tmp_path / "out"), as_of=AS_OF, extra_settings=settings)
    kept = [os.path.join(dp, f) for dp, _, fs in os.walk(cache) for f in fs
            if os.path.basename(dp) in ("templates", "derived")]
    assert any(f.endswith(".cache") for f in kept) and any(f.endswith("fold-table.marshal") for f in kept)
    assert any(f.endswith("script-marks.marshal") for f in kept)
    for path in kept:
        data = open(path, "rb").read()
        assert "公共自行车".encode() not in data and "bikes".encode() not in data
        with open(path, "wb") as f:
            f.write(data[: len(data) // 3])  # cut short
    with open(os.path.join(content, "documents", "2026", "bikes.md"), "a", encoding="utf-8") as f:
        f.write("\n第二条　另行公布。\n")
    chinese._script_marks.cache_clear()
    build_site(content, str(tmp_path / "out"), as_of=AS_OF, extra_settings=settings)
    build_site(content, str(tmp_path / "fresh"), as_of=AS_OF, extra_settings={"GAZETTE_CACHE_DIR": str(tmp_path / "c2")})
    page = os.path.join("documents", "bikes.html")
    assert open(tmp_path / "out" / page, "rb").read() == open(tmp_path / "fresh" / page, "rb").read()
    assert "另行公布" in open(tmp_path / "out" / page, encoding="utf-8").read()
    for path in kept:  # made again whole
        assert os.path.getsize(path) > 0
    with open(next(f for f in kept if f.endswith("script-marks.marshal")), "rb") as f:
        assert marshal.load(f)[1] == chinese._script_chars()


def test_a_template_compiled_under_other_options_is_not_reused(tmp_path):
    """Jinja checks an entry against the template's source only; the key adds the options the
    compiled code depends on (here autoescape), so a site that changes them is not served old code."""
    import jinja2

    from gazette.pelican_site import TemplateCode

    loader = jinja2.DictLoader({"t.html": "{{ x }}"})
    outputs = []
    for escape in (True, False, True):
        env = jinja2.Environment(loader=loader, autoescape=escape)
        env.bytecode_cache = TemplateCode(str(tmp_path / "templates"), env)
        outputs.append(env.get_template("t.html").render(x="<b>"))
    assert outputs == ["&lt;b&gt;", "<b>", "&lt;b&gt;"]
    assert len(os.listdir(tmp_path / "templates")) == 2
    # How a filter is called is compiled in: new code registering it otherwise is another key (review 20).
    loader = jinja2.DictLoader({"f.html": "{{ x | mark }}"})
    plain = jinja2.Environment(loader=loader)
    plain.filters["mark"] = lambda s: s + "-1"
    plain.bytecode_cache = TemplateCode(str(tmp_path / "templates"), plain, "code-1")
    assert plain.get_template("f.html").render(x="a") == "a-1"
    context = jinja2.Environment(loader=loader)
    context.filters["mark"] = jinja2.pass_context(lambda ctx, s: s + "-2")
    context.bytecode_cache = TemplateCode(str(tmp_path / "templates"), context, "code-2")
    assert context.get_template("f.html").render(x="a") == "a-2"
    # an entry that is not code (another writer, damage that still unpickles) is compiled again
    import marshal
    import pickle
    from jinja2.bccache import bc_magic
    for name in os.listdir(tmp_path / "templates"):
        with open(tmp_path / "templates" / name, "rb") as f:
            f.read(len(bc_magic))
            checksum = pickle.load(f)
        with open(tmp_path / "templates" / name, "wb") as f:
            f.write(bc_magic + pickle.dumps(checksum, 2) + marshal.dumps(42))
    context = jinja2.Environment(loader=loader)
    context.filters["mark"] = jinja2.pass_context(lambda ctx, s: s + "-2")
    context.bytecode_cache = TemplateCode(str(tmp_path / "templates"), context, "code-2")
    assert context.get_template("f.html").render(x="a") == "a-2"


def test_derived_facts_follow_the_files_they_come_from(tmp_path):
    from gazette import derived

    source = tmp_path / "table.txt"
    source.write_text("一", encoding="utf-8")
    calls = []

    def make():
        calls.append(1)
        return {"from": source.read_text(encoding="utf-8")}

    derived.keep_in(str(tmp_path / "derived"))
    try:
        first = derived.remembered("t", derived.files_key(str(source)), make, dict)
        again = derived.remembered("t", derived.files_key(str(source)), make, dict)
        assert first == again == {"from": "一"} and len(calls) == 1
        source.write_text("二二", encoding="utf-8")  # another size: another key
        assert derived.remembered("t", derived.files_key(str(source)), make, dict) == {"from": "二二"}
        (tmp_path / "derived" / "t.marshal").write_bytes(b"\xff\x00garbage")
        assert derived.remembered("t", derived.files_key(str(source)), make, dict) == {"from": "二二"}
        assert derived.remembered("t", derived.files_key(str(source)), make, tuple) == {"from": "二二"}  # another kind
        assert len(calls) == 4
    finally:
        derived.keep_in(None)
