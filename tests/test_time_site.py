"""Time and relations in the built sample site: versions and relations in the open data and the
JSON-LD, endings in the report and the feed, 解读 lists, the annual tables, coverage, corrections."""

from __future__ import annotations

import csv
import io
import json
import os
import re

import pytest

from conftest import AS_OF, CONTENT, without_line_spans
from gazette.archive import load_archive
from gazette.search.records import records_from_site
from gazette.site import SiteModel
from gazette.validity import ValiditySettings


def read(site, path: str) -> str:
    with open(os.path.join(site.output, path), encoding="utf-8") as f:
        return f.read()


def jsonld(site, slug: str) -> dict:
    m = re.search(r'<script type="application/ld\+json">(.*?)</script>', read(site, f"documents/{slug}.html"), re.S)
    return json.loads(m.group(1).replace("<\\/", "</"))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", without_line_spans(html)))


def test_versions_and_relations_are_in_the_json_ld(sample_site):
    data = jsonld(sample_site, "llzl-001-r2023")
    assert data["legislationDateVersion"] == "2023-05-01"
    assert data["exampleOfWork"]["identifier"] == "chengshi-lvhua"
    assert [d["legislationIdentifier"] for d in data["isBasedOn"]] == ["臨瀾市人民政府令第1號"]
    assert [d["legislationIdentifier"] for d in data["legislationConsolidates"]] == ["临澜市人民政府令第6号"]
    newest = jsonld(sample_site, "llzl-001-r2026")
    assert [d["legislationIdentifier"] for d in newest["legislationConsolidates"]] == [
        "临澜市人民政府令第6号", "临澜市人民政府令第11号"]
    repeals = jsonld(sample_site, "llzf-2024-20")["legislationRepeals"]  # the clean-up decision
    assert sorted(d["legislationIdentifier"] for d in repeals) == ["臨政規〔2022〕5號", "臨政辦規〔2022〕1號"]
    assert [d["name"] for d in jsonld(sample_site, "lljd-2024-01")["isBasedOn"]] == ["临澜市住房公积金贷款管理办法"]


def test_versions_endings_and_interpretations_are_in_the_open_data(sample_site):
    record = json.loads(read(sample_site, "documents/llzl-001.json"))
    assert record["work"] == "chengshi-lvhua" and record["work_url"] == "works/chengshi-lvhua.html"
    assert record["versions"] == ["llzl-001", "llzl-001-r2023", "llzl-001-r2026"]
    assert (record["version_start"], record["version_end"]) == ("2021-05-01", "2023-05-01")
    assert (record["current_version"], record["is_current_version"]) == ("llzl-001-r2023", False)
    repealed = json.loads(read(sample_site, "documents/llzg-2022-05.json"))
    assert (repealed["ended_on"], repealed["end_verb"], repealed["ended_by"]) == ("2024-12-26", "废止", "llzf-2024-20")
    assert repealed["review_note"].startswith("2024年清理決定廢止") and repealed["checked_to"] == "2024-12-26"
    assert json.loads(read(sample_site, "documents/llzg-2024-02.json"))["interpreted_by"] == ["lljd-2024-01"]
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(read(sample_site, "catalogue.csv")))}
    assert rows["llzl-001"]["versions"] == "llzl-001;llzl-001-r2023;llzl-001-r2026"
    assert rows["llzbg-2022-01"]["end_verb"] == "宣布失效" and rows["llzbg-2022-01"]["ended_on"] == "2024-12-26"
    assert rows["llwjg-2024-01"]["corrections"].startswith("2024-03-04 第三条中")
    assert rows["lljd-2025-01"]["interprets"] == "llzg-2025-01"
    catalogue = json.loads(read(sample_site, "catalogue.json"))
    assert {"work", "ended_on", "interpreted_by", "corrections"} <= set(catalogue["fields"])


def test_endings_are_in_the_validity_report_and_the_feed(sample_site):
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(read(sample_site, "validity/report.csv")))}
    assert (rows["llzg-2021-02"]["ended_on"], rows["llzg-2021-02"]["ended_by"]) == ("2024-05-01", "llzg-2024-02")
    assert rows["llzjg-2021-01"]["end_verb"] == "失效" and rows["llzjg-2021-01"]["ended_on"] == "2024-01-01"
    feed = read(sample_site, "feeds/validity.atom.xml")
    assert "2024年12月26日起废止，依据《临澜市人民政府关于公布2024年规章和规范性文件清理结果的决定》（临政发〔2024〕20号）" in feed
    assert "清理说明：2024年清理決定廢止" in feed


def test_document_pages_show_ending_as_at_timeline_interpretations_and_corrections(sample_site):
    page = text_of(read(sample_site, "documents/llzg-2022-05.html"))
    assert "本文件自2024年12月26日起废止，仅供查阅。" in page
    assert "本页有效性信息核对至2024年12月26日（临澜市人民政府关于公布2024年规章和规范性文件清理结果的决定）。" in page
    assert "废止或失效 2024年12月26日起废止，依据临澜市人民政府关于公布2024年规章和规范性文件清理结果的决定（临政发〔2024〕20号）" in page
    page = read(sample_site, "documents/llzg-2024-02.html")
    assert 'href="../documents/lljd-2024-01.html"' in page and "政策解读" in page
    assert "本页有效性信息核对至2024年12月26日（该日清理确认）。" in text_of(page)
    page = read(sample_site, "documents/llwjg-2024-01.html")
    aside = page.index('class="corrections"')
    assert aside < page.index('class="doc-body"')  # beside the text, before it
    assert "不超过二千人。" in page[page.index('class="doc-body"'):]  # the text as published
    page = text_of(read(sample_site, "documents/llzl-001.html"))
    assert "此版本自2021年5月1日起至2023年4月30日止有效 · 现行版本：临澜市城市绿化管理办法（2023年修正本）" in page
    assert "2026年12月1日 新版本施行 临澜市城市绿化管理办法（2026年修正本）" in page


def test_work_page_points_to_the_current_version(sample_site):
    page = read(sample_site, "works/chengshi-lvhua.html")
    assert "现行版本：临澜市城市绿化管理办法（2023年修正本）" in page
    assert re.search(r'<a href="../documents/llzl-001-r2023.html"[^>]*data-version-link', page)
    assert 'src="../theme/js/versions.js"' in page


def test_annual_pages_and_coverage_on_the_issues_page(sample_site):
    page = read(sample_site, "validity/annual-2024.html")
    row = re.search(r'<tr data-doc-type="规范性文件">(.*?)</tr>', page, re.S).group(1)
    assert re.findall(r'<td data-column="\w+">(\d+)</td>', row) == ["3", "2", "2", "0", "13"]
    assert 'href="../validity/annual-2024.html"' in read(sample_site, "validity/annual.html")
    data = json.loads(read(sample_site, "validity/annual-2024.json"))
    assert data["rows"][0]["in_force"] == 3
    issues = re.sub(r"<[^>]+>", "", read(sample_site, "issues/index.html"))
    assert "本年已收录第1、3期；缺第2期（总第12期），尚未收录。" in issues
    assert "本年已收录第1、2期。" in issues


@pytest.fixture(scope="module")
def records():
    return {r.slug: r for r in records_from_site(SiteModel.build(load_archive(CONTENT), AS_OF, ValiditySettings()))}


def test_search_records_say_which_version_is_current(records):
    assert (records["llzl-001"].work, records["llzl-001"].is_current_version) == ("chengshi-lvhua", False)
    assert records["llzl-001"].current_version == "llzl-001-r2023"
    assert records["llzl-001-r2023"].is_current_version and not records["llzl-001-r2026"].is_current_version
    assert records["llzf-2024-20"].work == "" and records["llzf-2024-20"].is_current_version
