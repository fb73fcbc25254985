"""The header cache (gazette/header_cache.py): a rebuild parses only the headers of files whose
bytes changed, a cached document is the document its file makes, and the cache never holds a
document that is not public."""

from __future__ import annotations

import os
import shutil

from conftest import AS_OF, CONTENT
from leakscan import find_leaks

import gazette.header_cache as header_cache
from gazette.archive import load_archive
from gazette.build import build_site
from gazette.header_cache import HeaderCache

WITHHELD = "documents/2024/llzn-2024-11.md"  # disclosure: withheld in the sample archive


def _picture(doc) -> dict:
    state = dict(doc.__dict__)
    state.pop("source_digest", None)  # what the header cache adds: digests of the file and of its header
    state.pop("header_digest", None)
    state["warnings"] = [str(w) for w in doc.warnings]
    return state


def _archive_picture(archive) -> dict:
    return {"documents": [_picture(d) for d in archive.documents], "drafts": [_picture(d) for d in archive.drafts],
            "errors": [str(e) for e in archive.errors], "warnings": [str(w) for w in archive.warnings],
            "withheld": sorted(archive.withheld_paths), "unpublished": repr(sorted(archive.unpublished.items()))}


def _parsed(monkeypatch) -> list[str]:
    """The documents parsed from their headers from now on (not taken from the cache)."""
    seen: list[str] = []
    real = header_cache.document_from_header

    def counted(header, *args, **kwargs):
        seen.append(header.path)
        return real(header, *args, **kwargs)

    monkeypatch.setattr(header_cache, "document_from_header", counted)
    return seen


def test_a_cached_archive_is_the_archive_its_files_make(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    with open(content / "documents" / "2025" / "crlf-2025-01.md", "wb") as f:  # old Windows line breaks, a BOM
        f.write("\ufefftitle: 临澜市关于换行测试的通知\r\ndate: 2025-03-01\r\n\r\n第一条\r\n第二条\r\n".encode())
    fresh = _archive_picture(load_archive(str(content)))
    path = str(tmp_path / "headers.sqlite")
    for _ in range(2):  # the first fills the cache, the second reads every public document from it
        cache = HeaderCache(path, "code")
        parsed = _parsed(monkeypatch)
        archive = load_archive(str(content), cache)
        cache.close()
        assert _archive_picture(archive) == fresh
    public = {os.path.join(str(content), d.source_path) for d in archive.documents if d.is_public}
    assert parsed and not public & set(parsed), "the second reading parsed only what is not public"
    assert any(d.body.startswith("第一条\n第二条") for d in archive.documents)


def test_a_rebuild_parses_only_the_header_that_changed(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(tmp_path / "cache"))
    build_site(str(content), str(tmp_path / "out"), as_of=AS_OF)
    edited = content / "documents" / "2023" / sorted(os.listdir(content / "documents" / "2023"))[0]
    with open(edited, "a", encoding="utf-8") as f:
        f.write("\n本文件勘误一处。\n")
    parsed = _parsed(monkeypatch)
    build_site(str(content), str(tmp_path / "out"), as_of=AS_OF)
    archive = load_archive(str(content))
    not_public = {os.path.join(str(content), d.source_path) for d in archive.drafts} | \
        {os.path.join(str(content), rel) for rel in archive.withheld_paths} | \
        {os.path.join(str(content), d.source_path) for d in archive.documents if not d.is_public}
    assert set(parsed) == {str(edited)} | not_public


def test_the_header_cache_never_holds_a_document_that_is_not_public(tmp_path, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("GAZETTE_CACHE_DIR", str(cache_dir))
    build_site(str(content), str(tmp_path / "out"), as_of=AS_OF)
    headers = next(os.path.join(dp, f) for dp, _, fs in os.walk(cache_dir) for f in fs if f == header_cache.FILE)
    only = tmp_path / "only"
    os.makedirs(only)

    def leaks(markers):
        shutil.copy(headers, only / header_cache.FILE)
        return find_leaks(str(only), markers)

    assert leaks(["市级储备粮轮换底价", "临政内〔2024〕11号"]) == []
    # A public document withheld since: gone from the cache as soon as the archive is read again
    # (a build killed right after the header pass leaves nothing of it), and after a whole build.
    target = content / "documents" / "2023" / sorted(os.listdir(content / "documents" / "2023"))[0]
    title = next(line for line in target.read_text(encoding="utf-8").splitlines() if line.startswith("title:"))[6:].strip()
    assert leaks([title]), "the public document is cached"
    head, body = target.read_text(encoding="utf-8").split("\n\n", 1)
    lines = [line for line in head.splitlines() if not line.startswith("disclosure")]
    target.write_text("\n".join(lines + ["disclosure: withheld"]) + "\n\n" + body, encoding="utf-8")
    cache = HeaderCache(headers, header_cache_code(content))
    load_archive(str(content), cache)
    cache.close()
    assert leaks([title]) == []
    build_site(str(content), str(tmp_path / "out"), as_of=AS_OF)
    assert leaks([title]) == []


def header_cache_code(content) -> str:
    from gazette.build import code_digest
    from gazette.project import load_project

    return code_digest(load_project(str(content)).settings)


def test_a_cached_document_follows_its_scan_appearing_and_a_code_change_empties_the_cache(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    doc = content / "documents" / "2025" / "scan-2025-01.md"
    doc.write_text("title: 临澜市关于扫描件测试的通知\ndate: 2025-03-01\nscan: scans/scan-2025-01.pdf\n\n正文。\n",
                   encoding="utf-8")
    path = str(tmp_path / "headers.sqlite")

    def read(code="code"):
        cache = HeaderCache(path, code)
        archive = load_archive(str(content), cache)
        cache.close()
        return next(d for d in archive.documents if d.slug == "scan-2025-01"), archive

    got, archive = read()
    assert got.scan is None and any("scan-2025-01.pdf" in str(w) for w in got.warnings)
    (content / "scans").mkdir(exist_ok=True)
    (content / "scans" / "scan-2025-01.pdf").write_bytes(b"%PDF-1.4\n% this document's own scan\n%%EOF\n")
    got, _ = read()
    assert got.scan == "scans/scan-2025-01.pdf" and not any("scan-2025-01.pdf" in str(w) for w in got.warnings)
    import sqlite3

    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM docs").fetchone()[0] > 0
    cache = HeaderCache(path, "other code")
    cache.close()
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM docs").fetchone()[0] == 0


def test_a_misspelt_disclosure_key_keeps_the_document_out_of_the_header_cache(tmp_path):
    """`disclosur: withheld` or `公开: 不予公开` is an error (a key that looks like the gate), so the
    document is never published and never cached; the document beside it is."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    for n, key in enumerate(("disclosur: withheld", "公开: 不予公开")):
        (content / "documents" / "2025" / f"typo-{n}.md").write_text(
            f"title: 临澜市关于拼错公开属性第{n}号的内部通知\ndate: 2025-03-0{n + 1}\n{key}\n\n内部事项{n}。\n",
            encoding="utf-8")
    path = str(tmp_path / "headers.sqlite")
    for _ in range(2):
        cache = HeaderCache(path, "code")
        archive = load_archive(str(content), cache)
        cache.close()
    assert not any(d.slug.startswith("typo-") for d in archive.documents)
    only = tmp_path / "only"
    os.makedirs(only)
    shutil.copy(path, only / "headers.sqlite")
    assert find_leaks(str(only), ["拼错公开属性第0号", "拼错公开属性第1号"]) == []
    assert find_leaks(str(only), [archive.documents[0].title]), "public documents are cached"


def test_a_header_digest_is_the_same_for_the_same_header_read_or_remembered(tmp_path):
    """header_digest: everything a document file says but its body, the same whether the file was
    parsed or taken from the header cache, whatever else the process parsed before; another body
    keeps it, another header value changes it."""
    docs = tmp_path / "documents"
    docs.mkdir()
    texts = {f"d{i}.md": f"title: 临澜市人民政府关于第{i}项工作的通知\ndate: 2024-0{1 + i % 9}-01\n"
                         f"issuer: 临澜市人民政府\ndoc_type: 通知\ncategory: 城乡建设\n\n正文{i}。\n" for i in range(30)}
    for name, text in texts.items():
        (docs / name).write_text(text, encoding="utf-8")

    def digests(db) -> dict:
        cache = HeaderCache(db, "code")
        got = {name: cache.read_document(str(docs / name), str(docs / name), str(tmp_path)).header_digest
               for name in sorted(texts)}
        cache.retain([cache.read_document(str(docs / n), str(docs / n), str(tmp_path)) for n in sorted(texts)])
        cache.close()
        return got

    db = str(tmp_path / "headers.sqlite")
    parsed = digests(db)
    assert digests(db) == parsed == digests(None)  # remembered, parsed again, no cache at all
    assert len(set(parsed.values())) == len(parsed)
    (docs / "d3.md").write_text(texts["d3.md"] + "\n另有一段。\n", encoding="utf-8")
    (docs / "d4.md").write_text(texts["d4.md"].replace("城乡建设", "应急管理"), encoding="utf-8")
    after = digests(db)
    assert after["d3.md"] == parsed["d3.md"] and after["d4.md"] != parsed["d4.md"]
    assert {k: v for k, v in after.items() if k != "d4.md"} == {k: v for k, v in parsed.items() if k != "d4.md"}
