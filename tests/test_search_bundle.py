"""The browser's static index (gazette/search/browser_index.py): what goes in, and what never does."""

import gzip
import os

import pytest

from gazette.search.browser_index import (BODY, INDEX_DIR, META, NUMBER, TITLE, IndexReader, build_browser_index,
                                          filter_term, number_term)
from gazette.search.normalise import fold_text
from gazette.search.records import records_from_site
from search_archive import site_model, write_archive


def index_texts(index_dir):
    """Every file of the index, decompressed."""
    out = {}
    for dirpath, _, names in os.walk(index_dir):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                data = f.read()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            out[os.path.relpath(path, index_dir)] = data.decode("utf-8", "replace")
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundle")
    content = write_archive(str(root))
    stats = build_browser_index(records_from_site(site_model(content)), str(root / "output"))
    return stats, index_texts(stats.bundle_dir), IndexReader(stats.bundle_dir)


def by_url(reader):
    return {e[0]: rid for rid, e in enumerate(reader.entries())}


def test_index_holds_one_record_per_listed_document_and_issue(bundle):
    stats, _, reader = bundle
    urls = sorted(by_url(reader))
    assert [u for u in urls if u.startswith("documents/")] == sorted(
        f"documents/{s}.html" for s in ("trad-notice", "simp-rules", "old-notice", "asked"))
    assert stats.records == len(urls) == reader.total


def test_withheld_document_never_in_search_index(bundle):
    _, texts, _ = bundle
    for path, text in texts.items():
        for needle in ("储备粮", "滨江新库点", "临政内", "secret", fold_text("轮换底价")):
            assert needle not in text, (path, needle)


def test_on_request_document_carries_catalogue_data_only(bundle):
    _, texts, reader = bundle
    asked = reader.entry(by_url(reader)["documents/asked.html"])
    assert asked[1].startswith("临海市人民政府办公室") and asked[2] == "临政办发〔2020〕11号"
    assert asked[9] == "on_request" and asked[12] == "" and asked[13] == 0  # no text blocks
    assert not any("军分" in t for t in texts.values())


def test_record_keeps_original_characters_for_display_and_is_found_folded(bundle):
    _, texts, reader = bundle
    rid = by_url(reader)["documents/trad-notice.html"]
    assert reader.entry(rid)[1] == "臨海市人民政府關於公布現行有效規範性文件目錄的通知"
    head, body = reader.posting("现行")
    assert head[rid] & TITLE and rid in body
    assert any("經清理，現將現行有效" in t for p, t in texts.items() if p.startswith("x/"))  # excerpt text as written


def test_number_word_and_fields_are_marked(bundle):
    _, _, reader = bundle
    urls = by_url(reader)
    head, _ = reader.posting(number_term("临政规〔2019〕3号"))
    assert head == {urls["documents/simp-rules.html"]: NUMBER}
    head, _ = reader.posting("园林")
    assert head[urls["documents/simp-rules.html"]] & META  # an issuer is metadata


def test_filters_use_display_labels_with_scripts_merged(bundle):
    _, _, reader = bundle
    filters = reader.manifest["filters"]
    assert {"2017", "2019", "2015", "2020"} <= set(filters["year"])
    assert set(filters["doc_type"]) >= {"规范性文件", "决定", "通知"}  # 規範性文件 and 规范性文件 are one value
    assert filters["doc_type"]["规范性文件"] == 2
    assert set(filters["status"]) == {"有效", "已废止"}
    assert "有效性待确认" in filters["flag"] and "临海市园林局" in filters["issuer"]
    head, _ = reader.posting(filter_term("doc_type", "规范性文件"))
    assert len(head) == 2


def test_fold_table_for_the_browser_matches_python_folding(bundle):
    _, _, reader = bundle
    pairs = reader.fold_table()
    assert len(pairs) > 2000
    for ch in "臨關於現規範錄報創號乾":
        assert pairs[ch] == fold_text(ch)


def test_dense_terms_are_bitmaps_and_sparse_ones_carry_their_text_block(tmp_path):
    from gazette.search.browser_index import BLOCK_CHARS, index_files, read_chunk, fnv1a, decode_posting
    from gazette.search.records import SearchRecord
    import json

    body = "甲" * BLOCK_CHARS + "乙丙"  # 乙丙 first occurs in block 1
    records = [SearchRecord(slug=f"d{i}", url=f"documents/d{i}.html", title=f"文件{i}", date=f"2020-01-{i + 1:02d}",
                            body=body if i == 3 else "甲乙") for i in range(20)]
    files = index_files(records, "zh-Hans")
    chunks = json.loads(files["manifest.json"])["chunks"]
    def posting(term):
        return decode_posting(read_chunk(files[f"t/{fnv1a(term) % chunks}.bin"])[term], 20)
    assert posting("乙丙")[1] == {3: 1}
    assert posting("甲乙")[1] == {i: None for i in range(20)}  # in every record: a bitmap, no blocks


def test_a_word_first_met_past_the_last_block_a_posting_can_name_keeps_the_record_it_is_in():
    """A posting keeps a term's first text block in one byte: a Latin word or number first met after
    block 255 (a text of more than 765,000 characters) is entered at block 255, as CJK terms are; it
    once overflowed into the record's id, and the posting named another record."""
    from gazette.search.browser_index import BLOCK_CHARS, body_terms, decode_posting, fnv1a, index_files, read_chunk
    from gazette.search.records import SearchRecord
    import json

    long = "甲乙" * (BLOCK_CHARS * 150) + " late2024 " + "丙丁" * 10
    assert body_terms(long)["late2024"] == 255 and body_terms(long)["丙丁"] == 255
    records = [SearchRecord(slug=f"d{i}", url=f"documents/d{i}.html", title=f"文件{i}", date=f"2020-01-{i + 1:02d}",
                            body=long if i == 0 else "甲乙") for i in range(20)]
    files = index_files(records, "zh-Hans")
    chunks = json.loads(files["manifest.json"])["chunks"]
    assert decode_posting(read_chunk(files[f"t/{fnv1a('late2024') % chunks}.bin"])["late2024"], 20)[1] == {0: 255}


def test_unchanged_index_is_not_rewritten_and_a_changed_document_rewrites_only_its_terms(tmp_path, monkeypatch):
    import gazette.search.browser_index as bi

    monkeypatch.setattr(bi, "CHUNK_BYTES", 64)  # several chunks for this small archive
    content = write_archive(str(tmp_path))
    out = str(tmp_path / "output")
    first = build_browser_index(records_from_site(site_model(content)), out)
    def stamp():
        return {os.path.join(d, n): os.stat(os.path.join(d, n)).st_mtime_ns for d, _, ns in os.walk(out) for n in ns}
    before = stamp()
    again = build_browser_index(records_from_site(site_model(content)), out)
    assert not again.written and stamp() == before
    with open(os.path.join(content, "documents", "simp-rules.md"), "a", encoding="utf-8") as f:
        f.write("\n补充说明。\n")
    assert build_browser_index(records_from_site(site_model(content)), out).written
    after = stamp()
    changed = {p for p, t in after.items() if before.get(p) != t}
    terms = [p for p in changed if f"{os.sep}t{os.sep}" in p]
    assert terms and len(terms) < len([p for p in after if f"{os.sep}t{os.sep}" in p])
    assert first.written


def test_partition_builds_write_no_index_and_old_pagefind_files_go(tmp_path):
    content = write_archive(str(tmp_path))
    records = records_from_site(site_model(content))
    out, cache = str(tmp_path / "output"), str(tmp_path / "cache")
    for planted in (os.path.join(out, "pagefind", "2010s", "fragment", "x.pf_fragment"),
                    os.path.join(cache, "pagefind-shards", "2010s-abc", "pagefind-entry.json")):
        os.makedirs(os.path.dirname(planted))
        open(planted, "w").close()
    part = build_browser_index(records, out, site_wide=False, cache_dir=cache)
    assert not part.written and not os.path.exists(os.path.join(out, INDEX_DIR))
    assert not os.path.exists(os.path.join(out, "pagefind")) and not os.path.exists(os.path.join(cache, "pagefind-shards"))
    assert build_browser_index(records, out, cache_dir=cache).written
    # Files no longer part of the index are removed; the compression stage's copies of live ones stay.
    index_dir = os.path.join(out, INDEX_DIR)
    for name in ("t/99999.bin", "manifest.json.gz"):
        open(os.path.join(index_dir, name), "w").close()
    os.remove(os.path.join(index_dir, "index.sha256"))
    build_browser_index(records, out, cache_dir=cache)
    assert not os.path.exists(os.path.join(index_dir, "t", "99999.bin"))
    assert os.path.exists(os.path.join(index_dir, "manifest.json.gz"))


def test_no_term_comes_from_a_withheld_document(bundle):
    """The leak scanners look for whole strings; a term chunk holds bigrams. Every term of the index
    is one some listed record has, so nothing of the withheld document's own words is there."""
    from gazette.search.browser_index import body_terms, read_chunk
    from search_archive import DOCS

    stats, _, reader = bundle
    terms = set()
    for name in os.listdir(os.path.join(stats.bundle_dir, "t")):
        with open(os.path.join(stats.bundle_dir, "t", name), "rb") as f:
            terms |= set(read_chunk(f.read()))
    withheld = next(text for text in DOCS.values() if "withheld" in text)
    own = set(body_terms(withheld)) - terms
    assert own and "储备" in body_terms(withheld) and "储备" not in terms


def test_a_change_of_facts_alone_rewrites_no_term_chunk_and_equals_a_full_build(tmp_path):
    """A document expiring or a review recorded changes its status or flag: docs.bin and the entries
    are written again, the term chunks and text blocks stay, and the index is the one a build from
    nothing writes."""
    import dataclasses

    content = write_archive(str(tmp_path))
    records = records_from_site(site_model(content))
    out = str(tmp_path / "output")
    build_browser_index(records, out)
    index_dir = os.path.join(out, INDEX_DIR)
    def times():
        return {os.path.join(d, n): os.stat(os.path.join(d, n)).st_mtime_ns for d, _, ns in os.walk(index_dir) for n in ns}
    before = times()
    changed = [dataclasses.replace(r, status="expired", flag="") if r.slug == "simp-rules" else r for r in records]
    assert build_browser_index(changed, out).written
    after = times()
    rewritten = {os.path.relpath(p, index_dir).split(os.sep)[0] for p, t in after.items() if before.get(p) != t}
    assert "t" not in rewritten and "x" not in rewritten and "docs.bin" in rewritten
    fresh = str(tmp_path / "fresh")
    build_browser_index(changed, fresh)
    assert index_texts(os.path.join(fresh, INDEX_DIR)) == index_texts(index_dir)


def _synthetic(n=40):
    from gazette.search.browser_index import BLOCK_CHARS
    from gazette.search.records import SearchRecord

    common = "本规定所称公共场所是指依法向公众开放的场所。"
    out = []
    for i in range(n):
        body = common + f"第{i}条　其他事项由市人民政府规定。"
        if i in (1, 2, 3):  # 鹤鸣 and 鹤 alone in three records: bitmaps at 40 records (3 × 2 ≥ 5 bytes)
            body = ("甲" * BLOCK_CHARS if i == 2 else "") + body + "鹤鸣于九皋。鹤。"
        out.append(SearchRecord(slug=f"d{i:02d}", url=f"documents/d{i:02d}.html", title=f"临澜市管理规定{i}",
                                date=f"2020-01-{i % 28 + 1:02d}", body=body, issuer=["临澜市人民政府"]))
    return out


def test_an_edit_patches_only_its_terms_chunks_and_equals_a_full_build(tmp_path, monkeypatch):
    """With the cache folder: an edit rewrites the chunks of the terms whose postings changed (a
    bitmap posting that becomes a list takes the other records' blocks from the term cache), an
    addition and a removal compute the chunks from the cached terms; each time the index is the one
    a build from nothing writes, and the term cache holds the current records' terms only."""
    import dataclasses
    import sqlite3

    import gazette.search.browser_index as bi
    from gazette.search.terms import TERMS_FILE, record_key

    monkeypatch.setattr(bi, "CHUNK_BYTES", 64)
    patched = []
    real_patch = bi._patch
    monkeypatch.setattr(bi, "_patch", lambda *a: patched.append(real_patch(*a)) or patched[-1])
    records = _synthetic()
    out, cache = str(tmp_path / "output"), str(tmp_path / "cache")
    index_dir = os.path.join(out, INDEX_DIR)
    build_browser_index(records, out, cache_dir=cache)

    def times():
        return {os.path.join(d, n): os.stat(os.path.join(d, n)).st_mtime_ns for d, _, ns in os.walk(index_dir) for n in ns}

    def same_as_fresh(rs, name):
        fresh = str(tmp_path / name)
        build_browser_index(rs, fresh)
        assert index_texts(os.path.join(fresh, INDEX_DIR)) == index_texts(index_dir)

    def cached_keys():  # records' terms (their junction terms are kept beside them, keyed by the common bigrams)
        with sqlite3.connect(os.path.join(cache, TERMS_FILE)) as db:
            return {k for (k,) in db.execute("SELECT key FROM terms") if not k.startswith("j:")}

    before = times()
    # 鹤 alone leaves d01: its bitmap becomes a list (the other records' blocks from the term cache)
    edited = [dataclasses.replace(r, body=r.body.replace("鹤。", "") + "补充说明。") if r.slug == "d01" else r
              for r in records]
    assert build_browser_index(edited, out, cache_dir=cache).written
    assert patched[-1] is not None
    after = times()
    chunks = [p for p in after if f"{os.sep}t{os.sep}" in p]
    rewritten = [p for p in chunks if before.get(p) != after[p]]
    assert rewritten and len(rewritten) < len(chunks) / 2
    same_as_fresh(edited, "fresh-edit")
    assert cached_keys() == {record_key(r, "zh-Hans") for r in edited}
    # 鹤鸣 leaves it too: the common bigrams change, and with them the junction terms of any record:
    # computed whole again, from the cached terms
    edited = [dataclasses.replace(r, body=r.body.replace("鹤鸣于九皋。", "")) if r.slug == "d01" else r for r in edited]
    assert build_browser_index(edited, out, cache_dir=cache).written
    assert patched[-1] is None
    same_as_fresh(edited, "fresh-edit-common")

    added = edited[:5] + edited[6:] + [dataclasses.replace(edited[0], slug="new", url="documents/new.html",
                                                            date="2021-05-01", body="新增文件的正文。")]
    assert build_browser_index(added, out, cache_dir=cache).written
    assert patched[-1] is None  # ids moved: computed from the cached terms
    same_as_fresh(added, "fresh-add")
    assert cached_keys() == {record_key(r, "zh-Hans") for r in added}
    assert not build_browser_index(added, out, cache_dir=cache).written


def test_the_day_s_newest_document_is_patched_in_and_equals_a_full_build(tmp_path, monkeypatch):
    """A document dated after every other takes the next id and moves none: its terms are patched
    into their chunks (a publisher adds today's document), unless a bitmap would grow by a byte (one
    addition in eight) or a term becomes common; each time the index is the one a build from
    nothing writes."""
    import dataclasses

    import gazette.search.browser_index as bi

    monkeypatch.setattr(bi, "CHUNK_BYTES", 64)
    patched = []
    real_patch = bi._patch
    monkeypatch.setattr(bi, "_patch", lambda *a: patched.append(real_patch(*a)) or patched[-1])
    records = _synthetic(47)  # 47 → 48 records: bitmaps stay six bytes
    out, cache = str(tmp_path / "output"), str(tmp_path / "cache")
    build_browser_index(records, out, cache_dir=cache)

    def newest(n, body):
        return dataclasses.replace(records[0], slug=f"new{n}", url=f"documents/new{n}.html", date=f"2021-0{n}-01",
                                   title=f"临澜市新增规定{n}", body=body)

    def same_as_fresh(rs, name):
        fresh = str(tmp_path / name)
        build_browser_index(rs, fresh)
        assert index_texts(os.path.join(fresh, INDEX_DIR)) == index_texts(os.path.join(out, INDEX_DIR))

    grown = records + [newest(1, "本规定所称公共场所另有规定。鹤鸣。新设条款。")]
    assert build_browser_index(grown, out, cache_dir=cache).written
    assert patched[-1] is not None, "appended: patched"
    assert len(patched[-1][2]) == 1
    same_as_fresh(grown, "fresh-1")
    # 48 → 49 records: every bitmap grows a byte, so the chunks are computed whole again
    crossed = grown + [newest(2, "又一新设条款。")]
    assert build_browser_index(crossed, out, cache_dir=cache).written
    assert patched[-1] is None
    same_as_fresh(crossed, "fresh-2")
    # not the newest: every later id moves
    back = crossed + [dataclasses.replace(newest(3, "补录的旧文件。"), date="2019-12-31")]
    assert build_browser_index(back, out, cache_dir=cache).written
    assert patched[-1] is None
    same_as_fresh(back, "fresh-3")


def test_the_forked_helper_writes_the_same_index_as_one_process(tmp_path, monkeypatch):
    """From PARALLEL_RECORDS records a forked helper computes the second half's junction terms and
    encodes half the postings: the index is byte for byte the one a single process writes, with the
    term cache cold (the helper's junction terms are kept there) and warm (taken from it)."""
    from gazette.search import browser_index as bi

    records = _synthetic(40)
    monkeypatch.setattr(bi, "PARALLEL_RECORDS", 10**9)
    build_browser_index(records, str(tmp_path / "one"))
    want = index_texts(str(tmp_path / "one" / INDEX_DIR))
    monkeypatch.setattr(bi, "PARALLEL_RECORDS", 2)
    for name, cache in (("no-cache", None), ("cold", str(tmp_path / "cache")), ("warm", str(tmp_path / "cache"))):
        build_browser_index(records, str(tmp_path / name), cache_dir=cache)
        assert index_texts(str(tmp_path / name / INDEX_DIR)) == want, name
    # Partly warm: every third record's junction terms gone from the cache, so that the helper's half
    # has ids it computes between ids the cache gave (the postings still list ids in order).
    import sqlite3

    from gazette.search.terms import TERMS_FILE

    db = sqlite3.connect(str(tmp_path / "cache" / TERMS_FILE))
    junction_keys = sorted(k for (k,) in db.execute("SELECT key FROM terms WHERE key LIKE 'j:%'"))
    assert len(junction_keys) == len(records)
    with db:
        db.executemany("DELETE FROM terms WHERE key = ?", [(k,) for k in junction_keys[::3]])
    db.close()
    build_browser_index(records, str(tmp_path / "partly"), cache_dir=str(tmp_path / "cache"))
    assert index_texts(str(tmp_path / "partly" / INDEX_DIR)) == want
    called = []
    monkeypatch.setattr(bi, "junction_terms", lambda *a: called.append(a) or {})
    build_browser_index(records, str(tmp_path / "from-cache"), cache_dir=str(tmp_path / "cache"))
    assert called == [] and index_texts(str(tmp_path / "from-cache" / INDEX_DIR)) == want
