"""The Pagefind bundle written by Pagefind's Python API: what goes in, and what never does."""

import gzip
import json
import os

import pytest

from gazette.search.browser import FOLD_FILE, build_browser_index
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
    return [json.loads(t[len("pagefind_dcd"):]) for p, t in texts.items() if p.startswith("fragment")]


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
    assert asked["meta"]["text"] == "" and "军分" not in asked["content"]


def test_record_keeps_original_characters_for_display(bundle):
    _, texts = bundle
    trad = next(f for f in fragments(texts) if f["url"].endswith("trad-notice.html"))
    assert trad["meta"]["title"] == "臨海市人民政府關於公布現行有效規範性文件目錄的通知"
    assert "現行有效的規範性文件目錄" in trad["meta"]["text"]
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
    assert "pagefind.js" in texts and not any(p.startswith("pagefind-ui") for p in texts)
