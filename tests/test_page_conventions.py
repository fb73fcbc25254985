"""Conventions of the built sample site that a citizen reads: clean-up standings that say what they
mean, the overdue advice, and (further down) links, addresses, dates and scripts."""

from __future__ import annotations

import os

import lxml.html
import pytest

from conftest import AS_OF, CONTENT
from gazette.archive import load_archive
from gazette.chinese import fold
from gazette.project import load_project
from gazette.validity import ValiditySettings, evaluate
from gazette.views import banners_for


def page(sample_site, rel: str):
    return lxml.html.parse(os.path.join(sample_site.output, rel)).getroot()


def text(el) -> str:
    return el.text_content().strip()


@pytest.fixture(scope="module")
def archive():
    return load_archive(CONTENT)


# -- clean-up standings -------------------------------------------------------------------------

def test_report_says_not_yet_due_for_documents_never_reviewed(sample_site, archive):
    report = page(sample_site, "validity/index.html")
    groups = {g.get("id"): g for g in report.xpath('//section[@class="validity-group"]')}
    not_due, reviewed = groups.get("in_force-not_due"), groups.get("in_force-current")
    assert not_due is not None and "未到清理期" in text(not_due.find(".//h2"))
    rows = not_due.xpath(".//tbody/tr")
    assert rows and all(text(r.xpath('td[@data-label="清理日期"]')[0]) == "尚未清理" for r in rows)
    if reviewed is not None:  # 已按期清理: only documents with a review date
        assert all(text(r.xpath('td[@data-label="清理日期"]')[0]) != "尚未清理" for r in reviewed.xpath(".//tbody/tr"))
    # every document under review, in force, not due and never reviewed is in that group
    settings = ValiditySettings()
    expected = {d.slug for d in archive.documents if d.is_public and not d.reviewed
                and evaluate(d, AS_OF, settings).flag == "current"}
    assert {r.get("data-slug") for r in rows} == expected


def test_overdue_page_says_what_a_citizen_may_rely_on_and_whom_to_ask(sample_site, archive):
    settings = ValiditySettings()
    overdue = [d for d in archive.documents if d.is_public and evaluate(d, AS_OF, settings).flag == "overdue"]
    assert overdue
    for doc in overdue:
        root = page(sample_site, doc.url)
        banner = text(root.xpath('//p[contains(@class, "banner-overdue")]')[0])
        assert "未被宣布废止或失效" in banner and "是否仍然适用" in banner
        for issuer in doc.issuer:
            assert fold(issuer) in banner  # the issuer to ask, by name (in the site's script, as the banner)
        assert root.xpath('//article[@class="doc"]')[0].get("data-overdue-advice") in banner  # validity.js adds the same


def test_the_sites_contact_follows_the_issuer(tmp_path, archive):
    settings = tmp_path / "pelicanconf.py"
    settings.write_text('GAZETTE_VALIDITY_CONTACT = "市司法局法规处，电话 0571-12345678"\n', encoding="utf-8")
    project = load_project(CONTENT, settings_file=str(settings))
    model = project.site_model(project.load_archive(), AS_OF)
    doc = next(d for d in model.public_documents if model.evaluation(d).flag == "overdue")
    [banner] = [b for b in banners_for(model, doc, "zh-Hans") if b.kind == "overdue"]
    assert f"请向发布机关{'、'.join(map(fold, doc.issuer))}确认本文件是否仍然适用（市司法局法规处，电话 0571-12345678）。" in banner.text


# -- the 现行有效目录 ------------------------------------------------------------------------------

def catalogue_model(tmp_path, settings_text: str = ""):
    settings = tmp_path / "pelicanconf.py"
    settings.write_text(settings_text, encoding="utf-8")
    project = load_project(CONTENT, settings_file=str(settings))
    return project.site_model(project.load_archive(), AS_OF)


def test_catalogue_lists_rules_and_normative_documents_and_links_its_data(sample_site, archive):
    root = page(sample_site, "catalogue.html")
    headings = [text(h) for h in root.xpath("//section[@class='catalogue-group']/h2")]
    assert [h.split("（")[0] for h in headings] == ["规章", "规范性文件"]
    # every one of them in force, Traditional 規範性文件 among them; no 通知, 批复 or 公告
    listed = {a.get("href").rsplit("/", 1)[-1][:-5] for a in root.xpath("//section[@class='catalogue-group']//td[1]/a")}
    settings = ValiditySettings()
    by_slug = {d.slug: d for d in archive.documents}
    assert listed and all(fold(by_slug[s].doc_type) in ("规章", "规范性文件") for s in listed)
    assert any(by_slug[s].doc_type == "規範性文件" for s in listed)
    assert all(evaluate(by_slug[s], AS_OF, settings).in_force for s in listed)
    downloads = root.xpath("//p[@class='catalogue-downloads']")[0]
    for name in ("catalogue.csv", "catalogue.json"):
        [link] = [a for a in downloads.xpath(".//a") if a.get("href").endswith(name)]
        assert os.path.isfile(os.path.normpath(os.path.join(sample_site.output, link.get("href"))))
    assert "不含正文" in text(downloads)


def test_catalogue_types_are_a_setting(tmp_path):
    default = catalogue_model(tmp_path)
    more = catalogue_model(tmp_path, 'GAZETTE_CATALOGUE_DOC_TYPES = ["规范性文件", "规章", "通知"]\n')
    every = catalogue_model(tmp_path, "GAZETTE_CATALOGUE_DOC_TYPES = []\n")
    assert [t for t, _ in default.in_force_catalogue()] == ["规章", "规范性文件"]
    assert [t for t, _ in more.in_force_catalogue()] == ["规范性文件", "规章", "通知"]
    kinds = [t for t, _ in every.in_force_catalogue()]
    assert kinds[:2] == ["规章", "规范性文件"] and {"通知", "批复"} <= set(kinds)


# -- short permanent addresses of 规章 --------------------------------------------------------------

def test_government_orders_have_a_short_permanent_address(sample_site, archive):
    import urllib.parse

    orders = [d for d in archive.documents if d.is_public and d.doc_number and "令第" in d.doc_number]
    assert len(orders) >= 5
    for doc in orders:
        number = fold(doc.doc_number).split("第")[1].rstrip("号")
        eli = f"eli/{fold(doc.doc_number).split('第')[0]}/{doc.date.year}/{number}/index.html"
        redirect = open(os.path.join(sample_site.output, eli), encoding="utf-8").read()
        assert f"url=../../../../{doc.url}" in redirect, eli
        [link] = page(sample_site, doc.url).xpath("//a[@rel='bookmark']")
        assert urllib.parse.unquote(link.get("href")).endswith(eli)


# -- cited numbers linked -----------------------------------------------------------------------

CITING = {
    "decision": ("title: 测试市人民政府关于公布规章和规范性文件清理结果的决定\ndate: 2025-12-01\n"
                 "doc_number: 测政发〔2025〕9号\ndoc_type: 决定\n\n"
                 "## 依据测政规〔2021〕1号\n\n"
                 "一、继续有效：《测试市甲办法》（测政规〔2021〕1号）、《测试市乙规定》（测试市人民政府令第3号，"
                 "经测试市人民政府令第4号修改）、[测政规〔2021〕1号](https://example.org/x)。\n\n"
                 "二、废止：测政内〔2022〕2号、外省〔2020〕1号。本决定即测政发〔2025〕9号。\n\n"
                 "`测政规〔2021〕1号`\n"),
    "rule-a": "title: 测试市甲办法\ndate: 2021-03-01\ndoc_number: 測政規〔２０２１〕１號\ndoc_type: 规范性文件\n\n正文。\n",
    "order-3": "title: 测试市乙规定\ndate: 2022-03-01\ndoc_number: 测试市人民政府令第3号\ndoc_type: 规章\n\n正文。\n",
    "internal": "title: 测试市内部事项\ndate: 2022-04-01\ndoc_number: 测政内〔2022〕2号\ndoc_type: 通知\n"
                "disclosure: withheld\n\n不公开。\n",
}


def test_numbers_cited_in_a_text_link_to_listed_documents_only(tmp_path):
    from gazette.citations import citations, link_citations
    from gazette.render import to_html
    from gazette.site import SiteModel

    for slug, body in CITING.items():
        (tmp_path / "documents").mkdir(exist_ok=True)
        (tmp_path / "documents" / f"{slug}.md").write_text(body, encoding="utf-8")
    model = SiteModel.build(load_archive(str(tmp_path)), AS_OF, ValiditySettings())
    decision = next(d for d in model.documents if d.slug == "decision")
    cited = citations(model, decision)
    # the Traditional full-width spelling in the archive answers the Simplified one in the text; the
    # withheld 测政内〔2022〕2号, the absent 令第4号 and 外省〔2020〕1号 and the decision itself are not linked
    assert [(d.slug) for _, d in cited] == ["rule-a", "order-3"]
    body = lxml.html.fromstring(f"<div>{link_citations(to_html(decision.body), decision, cited)}</div>")
    refs = [(a.text, a.get("href")) for a in body.xpath("//a[@class='doc-ref']")]
    assert refs == [("测政规〔2021〕1号", "rule-a.html"), ("测试市人民政府令第3号", "order-3.html")]
    assert not body.xpath("//h2//a") and not body.xpath("//code//a") and not body.xpath("//a//a")
    assert "测政内〔2022〕2号" in body.text_content()  # left as text


def test_the_clean_up_decision_links_the_documents_it_cites(sample_site, archive):
    decision = next(d for d in archive.documents if d.title.endswith("2024年规章和规范性文件清理结果的决定"))
    root = page(sample_site, decision.url)
    refs = root.xpath("//section[@class='doc-body']//a[@class='doc-ref']")
    assert len(refs) > 10
    for a in refs:
        target = os.path.normpath(os.path.join(sample_site.output, os.path.dirname(decision.url), a.get("href")))
        assert os.path.isfile(target)
        listed = lxml.html.parse(target).getroot()
        assert fold(text(listed.xpath("//table[@class='meta-table']//tr[th='文号']/td")[0])) == fold(a.text)


def test_a_rebuild_unlinks_a_cited_document_withheld_since(tmp_path):
    from click.testing import CliRunner

    from gazette.cli import cli

    content = tmp_path / "content"
    (content / "documents").mkdir(parents=True)
    for slug in ("decision", "rule-a", "order-3"):
        (content / "documents" / f"{slug}.md").write_text(CITING[slug], encoding="utf-8")

    def build():
        result = CliRunner().invoke(cli, ["build", "--content", str(content), "--output", str(tmp_path / "out"),
                                          "--as-of", AS_OF.isoformat()])
        assert result.exit_code == 0, result.output
        root = lxml.html.parse(str(tmp_path / "out" / "documents" / "decision.html")).getroot()
        return [a.get("href") for a in root.xpath("//a[@class='doc-ref']")]

    assert build() == ["rule-a.html", "order-3.html"]
    rule = content / "documents" / "rule-a.md"
    rule.write_text(CITING["rule-a"].replace("\n\n", "\ndisclosure: withheld\n\n", 1), encoding="utf-8")
    assert build() == ["order-3.html"]  # the decision's own file did not change: its page was rendered again


# -- one format for dates people read --------------------------------------------------------------

def test_no_page_shows_an_iso_date_to_people(sample_site):
    """2024年2月26日 on every page (the report included); ISO dates only in attributes and data files."""
    import glob
    import re

    iso = re.compile(r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)")
    pages = glob.glob(os.path.join(sample_site.output, "**", "*.html"), recursive=True)
    assert len(pages) > 100
    shown = {}
    for path in pages:
        root = lxml.html.parse(path).getroot()
        for el in root.xpath("//script|//style"):
            el.drop_tree()
        found = iso.findall(root.text_content())
        if found:
            shown[os.path.relpath(path, sample_site.output)] = found[:3]
    assert shown == {}
    report = page(sample_site, "validity/index.html")
    assert text(report.xpath("//td[@data-label='发布日期']")[0]).endswith("日")
    assert report.xpath("//time")[0].get("datetime") == AS_OF.isoformat()


# -- scripts: <html> in the site's, the document's own words in theirs ---------------------------

def lang_of(el) -> str | None:
    """The language an element is read in: its own lang, else its nearest ancestor's."""
    while el is not None:
        if el.get("lang"):
            return el.get("lang")
        el = el.getparent()
    return None


def test_a_traditional_documents_page_tags_its_own_words_not_the_whole_page(sample_site, archive):
    traditional = [d for d in archive.documents if d.is_public and d.script == "zh-Hant"]
    assert len(traditional) >= 10
    for doc in traditional:
        root = page(sample_site, doc.url)
        assert root.get("lang") == "zh-Hans", doc.slug                  # the site's script
        for xp in ("//header[1]", "//footer", "//nav[@class='breadcrumb']", "//p[@class='doc-status']",
                   "//table[@class='meta-table']/caption"):
            for el in root.xpath(xp):
                assert lang_of(el) == "zh-Hans", (doc.slug, xp)
        assert lang_of(root.xpath("//article//h1")[0]) == "zh-Hant"
        assert lang_of(root.xpath("//section[@class='doc-body']")[0]) == "zh-Hant"
        cells = {text(tr.find("th")): tr.find("td") for tr in root.xpath("//table[@class='meta-table']//tr")}
        for own in ("标题", "文号", "发文机关", "文种"):
            if own in cells and text(cells[own]):
                assert lang_of(cells[own]) == "zh-Hant", (doc.slug, own)
        for label in ("公开属性", "有效性", "发布日期"):
            assert lang_of(cells[label]) == "zh-Hans", (doc.slug, label)
        assert text(cells["公开属性"]) == "主动公开"


def test_site_labels_are_never_tagged_traditional_and_listed_traditional_words_are(sample_site, archive):
    import glob

    issuers = {fold(i) for d in archive.documents if d.script == "zh-Hant" for i in d.issuer}
    for path in glob.glob(os.path.join(sample_site.output, "**", "*.html"), recursive=True):
        root = lxml.html.parse(path).getroot()
        for el in root.xpath("//span[contains(@class, 'badge') or contains(@class, 'flag') or @class='disclosure']"):
            assert lang_of(el) == "zh-Hans", (path, text(el))
        for el in root.xpath("//span[@class='doc-issuer']"):
            if fold(text(el)) != text(el):                               # written in Traditional
                assert lang_of(el) == "zh-Hant", (path, text(el))
    assert issuers
