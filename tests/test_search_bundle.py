"""The Pagefind bundle written by Pagefind's Python API: what goes in, and what never does."""

import gzip
import json
import os

import pytest

from gazette.search.pagefind_index import FOLD_FILE, build_browser_index
from gazette.search.normalise import fold_text
from gazette.search.records import records_from_site
from search_archive import site_model, write_archive


def bundle_texts(bundle_dir):
    """Every file of the bundle, decompressed where Pagefind compressed it."""
    out = {}
    for dirpath, _, names in os.walk(bundle_dir):
        for name in names:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                data = f.read()
            try:
                data = gzip.decompress(data)
            except OSError:
                pass
            out[os.path.relpath(path, bundle_dir)] = data.decode("utf-8", "replace")
    return out


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundle")
    content = write_archive(str(root))
    stats = build_browser_index(records_from_site(site_model(content)), str(root / "output"))
    return stats, bundle_texts(stats.bundle_dir)


def fragments(texts):
    return [json.loads(t[len("pagefind_dcd"):]) for p, t in texts.items() if "/fragment/" in p]


def test_bundle_holds_one_record_per_listed_document(bundle):
    stats, texts = bundle
    assert stats.records == 4
    assert sorted(f["url"].lstrip("/") for f in fragments(texts)) == sorted(
        f"documents/{s}.html" for s in ("trad-notice", "simp-rules", "old-notice", "asked"))


def test_withheld_document_never_in_search_index(bundle):
    _, texts = bundle
    for path, text in texts.items():
        for needle in ("储备粮", "滨江新库点", "临政内", "secret", fold_text("轮换底价")):
            assert needle not in text, (path, needle)


def test_on_request_document_carries_catalogue_data_only(bundle):
    _, texts = bundle
    asked = next(f for f in fragments(texts) if f["url"].endswith("asked.html"))
    assert asked["meta"]["title"].startswith("临海市人民政府办公室")
    assert asked["meta"]["number"] == "临政办发〔2020〕11号"
    assert "text" not in asked["meta"] and "军分" not in asked["content"]


def test_record_keeps_original_characters_for_display(bundle):
    _, texts = bundle
    trad = next(f for f in fragments(texts) if f["url"].endswith("trad-notice.html"))
    assert trad["meta"]["title"] == "臨海市人民政府關於公布現行有效規範性文件目錄的通知"
    # The text itself is read from the document's open-data JSON by the page, not kept in the index.
    assert trad["meta"]["json"] == "documents/trad-notice.json" and "text" not in trad["meta"]
    assert "现行 行有 有效" in trad["content"]  # indexed folded, as bigrams


def test_filters_use_display_labels_with_scripts_merged(bundle):
    _, texts = bundle
    filters = {}
    for f in fragments(texts):
        for key, values in f["filters"].items():
            filters.setdefault(key, set()).update(values)
    assert {"2017", "2019", "2015", "2020"} <= filters["year"]
    assert filters["doc_type"] == {"规范性文件", "决定", "通知"}  # 規範性文件 and 规范性文件 are one value
    assert filters["status"] == {"有效", "已废止"}
    assert "有效性待确认" in filters["flag"]
    assert "临海市园林局" in filters["issuer"]


def test_fold_table_for_the_browser_matches_python_folding(bundle):
    stats, _ = bundle
    with open(os.path.join(stats.bundle_dir, FOLD_FILE), encoding="utf-8") as f:
        table = json.load(f)
    assert len(table["from"]) == len(table["to"]) > 2000
    pairs = dict(zip(table["from"], table["to"]))
    for ch in "臨關於現規範錄報創號乾":
        assert pairs[ch] == fold_text(ch)


def test_bundle_drops_pagefind_default_ui(bundle):
    _, texts = bundle
    assert "2010s/pagefind.js" in texts and not any("pagefind-ui" in p for p in texts)


def test_index_is_sharded_by_decade_newest_first(bundle):
    _, texts = bundle
    assert json.loads(texts["gazette-shards.json"]) == ["2020s", "2010s"]
    urls = {p.split("/")[0]: [] for p in texts if "/fragment/" in p}
    for p, t in texts.items():
        if "/fragment/" in p:
            urls[p.split("/")[0]].append(json.loads(t[len("pagefind_dcd"):])["url"].lstrip("/"))
    assert sorted(urls["2020s"]) == ["documents/asked.html"]
    assert len(urls["2010s"]) == 3


def test_unchanged_shard_is_not_rewritten_and_changed_one_is(tmp_path):
    import os as _os

    content = write_archive(str(tmp_path))
    out = str(tmp_path / "output")
    build_browser_index(records_from_site(site_model(content)), out)
    def stamp():
        return {(d, n): _os.stat(_os.path.join(d, n)).st_mtime_ns for d, _, ns in _os.walk(out) for n in ns}
    before = stamp()
    build_browser_index(records_from_site(site_model(content)), out)
    assert stamp() == before  # nothing rewritten
    with open(_os.path.join(content, "documents", "simp-rules.md"), "a", encoding="utf-8") as f:
        f.write("\n补充说明。\n")
    build_browser_index(records_from_site(site_model(content)), out)
    after = stamp()
    changed = {_os.path.relpath(d, out).split(_os.sep)[1] for (d, n), t in after.items()
               if before.get((d, n)) != t and _os.path.relpath(d, out) != "pagefind"}
    assert changed == {"2010s"}  # only the decade of the changed document


def test_catalogue_for_filter_listing_holds_no_text(bundle):
    _, texts = bundle
    catalogue = json.loads(texts["gazette-catalogue.json"])
    assert [e["url"] for e in catalogue] == ["documents/asked.html", "documents/simp-rules.html",
                                             "documents/trad-notice.html", "documents/old-notice.html"]
    assert all("text" not in e["meta"] for e in catalogue)
    assert "军分区" not in texts["gazette-catalogue.json"] and "储备粮" not in texts["gazette-catalogue.json"]


def test_large_decade_is_split_into_stable_parts():
    from gazette.search.pagefind_index import plan_shards
    from gazette.search.records import SearchRecord

    def rec(slug, year):
        return SearchRecord(slug=slug, url=f"documents/{slug}.html", title=slug, date=f"{year}-01-01")

    records = [rec(f"a{i}", 2011 + i % 9) for i in range(60)] + [rec("b", 2021)]
    shards = plan_shards(records, limit=20)
    assert set(shards) == {"2010s-1", "2010s-2", "2010s-3", "2020s"}
    assert sorted(r.slug for rs in shards.values() for r in rs) == sorted(r.slug for r in records)
    assert all(10 <= len(rs) <= 30 for name, rs in shards.items() if name != "2020s")  # hash-balanced
    # A document keeps its part while the decade's part count holds (an edit rebuilds one part).
    again = plan_shards(list(reversed(records[:-2])) + [rec("new", 2012)], limit=20)
    where = {r.slug: name for name, rs in shards.items() for r in rs}
    assert all(where[r.slug] == name for name, rs in again.items() for r in rs if r.slug in where)
    assert set(plan_shards(records, limit=60)) == {"2010s", "2020s"}


def test_split_shards_are_listed_and_partitions_find_their_decade(tmp_path):
    content = write_archive(str(tmp_path))
    records = records_from_site(site_model(content))
    out = str(tmp_path / "output")
    build_browser_index(records, out, shard_records=2)
    with open(os.path.join(out, "pagefind", "gazette-shards.json"), encoding="utf-8") as f:
        names = json.load(f)
    assert names[0] == "2020s" and all(n.startswith("2010s-") for n in names[1:]) and len(names) == 3
    assert all(os.path.isfile(os.path.join(out, "pagefind", n, "pagefind-entry.json")) for n in names)
    # A partition build of the 2010s writes that decade's parts and nothing else.
    part = str(tmp_path / "partition")
    build_browser_index(records, part, decades=(2010, 2019), site_wide=False, shard_records=2)
    assert sorted(os.listdir(os.path.join(part, "pagefind"))) == sorted(names[1:])
