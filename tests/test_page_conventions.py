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
