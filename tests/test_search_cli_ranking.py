"""`gazette search` answers what citizens type with the browser's rules (issue #16), on the sample
archive: words apart, the rule in force first, a document above those citing its number, issues and
metadata, partial matches; and it gives the search page's order."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from gazette.cli import cli
from gazette.search.normalise import fold_text
from gazette.search.whoosh_index import search

from conftest import AS_OF, CONTENT

QUERIES = ["养犬规定", "電梯加裝", "公积金贷款办法", "住房公積金", "财政局", "临政规〔2023〕3", "临政规[2023]3号",
           "2024年第1期", "总第7期", "规范性文件", "老旧小区改造资金", "既有住宅加裝電梯", "临澜市", "办法 补助",
           "养犬火箭发射", "临澜市人民政府", "民政", "規章", "批复", "臨瀾市財政局"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("cli-ranking") / "whoosh")
    result = CliRunner().invoke(cli, ["index", "--content", CONTENT, "--index", path, "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    return path


def slugs(index_dir, query, **kw):
    return [h.slug for h in search(index_dir, query, **kw).hits]


def test_words_typed_apart_or_in_another_order(index_dir):
    assert slugs(index_dir, "养犬规定")[0] == "llzl-012"
    assert slugs(index_dir, "電梯加裝")[0] == "llzjg-2024-03"


def test_in_force_first_and_the_document_above_those_citing_it(index_dir):
    found = slugs(index_dir, "住房公積金")
    assert found.index("llzg-2024-02") < found.index("llzg-2021-02")
    top = search(index_dir, "临政规[2023]3号").hits
    assert top[0].doc_number == "临政规〔2023〕3号" and top[0].match == "number" and len(top) > 1


def test_issues_and_metadata(index_dir):
    for name in ("2024年第1期", "二〇二四年第一期", "总第七期"):
        hit = search(index_dir, name).hits[0]
        assert (hit.kind, hit.url) == ("issue", "issues/2024-01.html"), name
    assert len([h for h in search(index_dir, "规范性文件", limit=100).hits if h.kind == "document"]) >= 29


def test_a_query_that_is_a_value_lists_what_carries_it_first(index_dir):
    """民政 lies in 人民政府, which every issue's title holds; the three documents of 主题分类 民政 lead."""
    hits = search(index_dir, "民政").hits
    assert {h.slug for h in hits[:3]} == {"llmg-2021-01", "llmg-2025-02", "llzf-2025-04"}
    assert [h.why.get("value") for h in hits[:4]] == [True, True, True, None]
    hits = search(index_dir, "臨瀾市人民政府").hits
    assert len(hits) == 10 and all(h.kind == "document" and "临澜市人民政府" in fold_text(h.issuer) for h in hits)
    assert "llzh-2022-08" in slugs(index_dir, "批复")  # written 批覆


def test_partial_matches_are_said_to_be_partial(index_dir):
    result = search(index_dir, "养犬火箭发射")
    assert result.partial and result.hits and {h.match for h in result.hits} == {"partial"}
    out = CliRunner().invoke(cli, ["search", "--index", index_dir, "养犬火箭发射"]).output
    assert "只包含其中一部分" in out and "去掉一个词" in out and "部分匹配" in out
    assert search(index_dir, "臨政辦內〔2022〕4號").hits == []  # a number is the document's or nothing


def test_in_force_switch_and_fielded_filters(index_dir):
    everything = search(index_dir, "办法", limit=200).hits
    current = search(index_dir, "办法", limit=200, in_force=True).hits
    assert {h.status for h in everything} - {"in_force", "amended"}
    assert current and {h.status for h in current} <= {"in_force", "amended"}
    repealed = search(index_dir, "办法 status:repealed", limit=200).hits
    assert repealed and {h.status for h in repealed} == {"repealed"}
    out = CliRunner().invoke(cli, ["search", "--index", index_dir, "--json", "--in-force", "住房公积金"])
    data = json.loads(out.output)
    assert all(r["status"] in ("in_force", "amended") for r in data["results"])
    assert data["results"][0]["why"]["title"]


@pytest.mark.browser
def test_the_command_line_gives_the_search_pages_order(index_dir, page, site_url):
    page.goto(site_url + "search.html")
    page.wait_for_function("() => window.gazetteSearchReady !== undefined")
    for query in QUERIES:
        browser = page.evaluate("q => window.gazetteSearch(q, {limit: 5})", query)
        cli_hits = search(index_dir, query, limit=5).hits
        assert [r["url"].split("/sub/site/", 1)[1] for r in browser] == [h.url for h in cli_hits], query
        assert [r["match"] for r in browser] == [h.match for h in cli_hits], query
