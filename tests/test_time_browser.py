"""Versions and endings in a real browser: a page built before a newer version took effect (or
before a repeal took effect), opened with the reader's clock after it, says so and links it; and
versions.js / validity.js give the same answers as gazette/history.py / gazette/validity.py."""

from __future__ import annotations

import datetime as dt
import pytest

from conftest import AS_OF, serve_small_archive
from gazette.history import Version, Work, version_notice
from gazette.labels import all_labels
from gazette.model import Document
from gazette.validity import ValiditySettings, end_status, evaluate

pytestmark = pytest.mark.browser

D = dt.date.fromisoformat
EARLY = dt.date(2026, 3, 1)  # the early build's as-of date

DOCS = {
    "park-2025": "title: 临澜市停车场管理办法\ndate: 2025-01-10\ndoc_number: 临政规〔2025〕1号\n"
                 "doc_type: 规范性文件\neffective: 2025-02-01\nwork: tingche\n\n正文。\n",
    # the new version, published before the build, in force only after it
    "park-2026": "title: 临澜市停车场管理办法（2026年修订）\ndate: 2026-02-20\ndoc_number: 临政规〔2026〕3号\n"
                 "doc_type: 规范性文件\neffective: 2026-05-01\nwork: tingche\n\n正文。\n",
    # repealed by a decision that takes effect after the build
    "old-rule": "title: 临澜市占道经营管理暂行办法\ndate: 2020-05-01\ndoc_number: 临政规〔2020〕2号\n"
                "doc_type: 规范性文件\nvalidity: repealed\nrepealed_by: 临政发〔2026〕4号\n\n正文。\n",
    "decision": "title: 临澜市人民政府关于废止部分规范性文件的决定\ndate: 2026-02-10\ndoc_number: 临政发〔2026〕4号\n"
                "doc_type: 决定\neffective: 2026-06-01\n\n正文。\n",
}


@pytest.fixture(scope="module")
def early_url(tmp_path_factory):
    """A small archive built at an early as-of date, served over HTTP."""
    yield from serve_small_archive(tmp_path_factory.mktemp("early-versions"), DOCS, EARLY, "works/tingche.html")


def open_at(page, url: str, day: dt.date):
    page.clock.set_fixed_time(dt.datetime(day.year, day.month, day.day, 12, 0))
    page.goto(url)
    page.wait_for_load_state("load")
    return page


def notice(page) -> str:
    return page.locator("[data-version-text]").text_content()


def test_page_built_before_the_new_version_shows_it_applies_once_in_force(early_url, page):
    # the build's view, the day before the new version applies
    open_at(page, early_url + "documents/park-2025.html", dt.date(2026, 4, 30))
    assert notice(page) == "此版本自2025年2月1日起至2026年4月30日止有效（现行版本）"
    assert page.locator("[data-version-link]").count() == 0
    # the day it applies: the page says a newer version applies, and links it
    open_at(page, early_url + "documents/park-2025.html", dt.date(2026, 5, 1))
    assert notice(page) == ("此版本自2025年2月1日起至2026年4月30日止有效 · "
                            "现行版本：临澜市停车场管理办法（2026年修订）")
    link = page.locator("[data-version-notice] [data-version-link]")
    assert link.text_content() == "阅读现行版本"
    assert link.get_attribute("href").endswith("documents/park-2026.html")
    assert page.locator('li[data-version="park-2026"] [data-current-mark]').count() == 1
    assert page.locator('li[data-version="park-2025"] [data-current-mark]').count() == 0
    # its badge follows: an earlier version is 已修改 once the next applies
    assert page.locator("article.doc [data-validity-badge]").text_content() == "已修改"


def test_new_versions_page_and_the_work_page_follow_the_readers_date(early_url, page):
    open_at(page, early_url + "documents/park-2026.html", dt.date(2026, 6, 1))
    assert notice(page) == "此版本自2026年5月1日起有效（现行版本）"
    assert page.locator("article.doc [data-validity-badge]").text_content() == "有效"
    open_at(page, early_url + "works/tingche.html", EARLY)
    assert notice(page) == "现行版本：临澜市停车场管理办法"
    assert page.locator("[data-version-link]").get_attribute("href").endswith("documents/park-2025.html")
    open_at(page, early_url + "works/tingche.html", dt.date(2026, 5, 2))
    assert notice(page) == "现行版本：临澜市停车场管理办法（2026年修订）"
    assert page.locator("[data-version-link]").get_attribute("href").endswith("documents/park-2026.html")


def test_repeal_that_takes_effect_after_the_build_shows_its_date(early_url, page):
    open_at(page, early_url + "documents/old-rule.html", dt.date(2026, 5, 31))
    assert page.locator("article.doc [data-validity-badge]").text_content() == "有效"
    open_at(page, early_url + "documents/old-rule.html", dt.date(2026, 6, 1))
    assert page.locator("article.doc [data-validity-badge]").text_content() == "已废止"
    assert page.locator(".banner-repealed").text_content() == "本文件自2026年6月1日起废止，仅供查阅。"


def test_sample_version_page_links_the_newer_version_after_it_takes_effect(site_url, page):
    url = site_url + "documents/llzl-001-r2023.html"
    open_at(page, url, AS_OF)
    assert notice(page) == "此版本自2023年5月1日起至2026年11月30日止有效（现行版本）"
    open_at(page, url, dt.date(2026, 12, 1))
    assert notice(page) == ("此版本自2023年5月1日起至2026年11月30日止有效 · "
                            "现行版本：临澜市城市绿化管理办法（2026年修正本）")
    assert page.locator("[data-version-link]").get_attribute("href") == "../documents/llzl-001-r2026.html"


# -- parity: the browser repeats the Python rules -------------------------------------------------

def _doc(slug, start):
    return Document(source_path="x.md", slug=slug, title=f"标题{slug}", date=start, effective=start)


def test_browser_version_rules_match_the_python_rules(early_url, page):
    docs = [_doc("a", D("2020-03-01")), _doc("b", D("2022-07-01")), _doc("c", D("2024-10-01"))]
    shapes = {
        "open": [Version(docs[0], docs[0].date, docs[1].date), Version(docs[1], docs[1].date, docs[2].date),
                 Version(docs[2], docs[2].date, None)],
        "ended": [Version(docs[0], docs[0].date, docs[1].date), Version(docs[1], docs[1].date, docs[2].date),
                  Version(docs[2], docs[2].date, D("2026-01-01"))],
        "gap": [Version(docs[0], docs[0].date, D("2021-01-01")), Version(docs[1], docs[1].date, None)],
    }
    days = ["2020-02-29", "2020-03-01", "2020-12-31", "2021-01-01", "2022-06-30", "2022-07-01", "2024-09-30",
            "2024-10-01", "2025-12-31", "2026-01-01", "2026-01-02"]
    labels = all_labels()["version"]
    cases, expected = [], []
    for name, versions in shapes.items():
        work = Work("w", versions, None)
        rows = [{"slug": v.doc.slug, "title": v.doc.title, "start": v.start.isoformat(),
                 "end": v.end.isoformat() if v.end else ""} for v in versions]
        for this in [None] + [v.doc for v in versions]:
            for day in days:
                cases.append([rows, this.slug if this else "", day])
                slug, text = version_notice(work, this, D(day))
                found = work.version_on(D(day))
                expected.append({"current": slug, "text": text, "on": found.doc.slug if found else None})
    page.goto(early_url + "index.html")
    page.add_script_tag(url=early_url + "theme/js/versions.js")
    got = page.evaluate("""([cases, L]) => cases.map(([rows, me, day]) => {
        const n = window.gazetteVersions.notice(rows, me, day, L, "废止");
        const on = window.gazetteVersions.versionOn(rows, day);
        return {current: n.current, text: n.text, on: on ? on.slug : null};
    })""", [cases, labels])
    assert got == expected
    assert len(cases) == 121  # 3 shapes × (work page + each version) × 11 days


def test_browser_validity_rules_with_endings_match_the_python_rules(early_url, page):
    """validity.js repeats effective_status with a repeal day, an implied end and a newer version."""
    variants = []
    for validity in (None, "in_force", "amended", "repealed", "expired"):
        for repealed_on, verb in ((None, None), ("2026-06-01", None), ("2026-06-01", "宣布失效"),
                                  ("2026-06-01", "修改")):
            for ended_on in (None, "2026-06-01", "2026-09-01"):
                for replaced_on in (None, "2026-07-01"):
                    for expires in (None, "2026-08-31"):
                        doc = Document(source_path="x.md", slug="x", title="t", date=D("2025-01-10"),
                                       doc_type="通知", validity=validity or "in_force",
                                       validity_declared=validity is not None, expires=expires and D(expires),
                                       repealed_on=repealed_on and D(repealed_on), repeal_verb=verb)
                        variants.append((doc, ended_on and D(ended_on), replaced_on and D(replaced_on)))
    days = ["2026-05-31", "2026-06-01", "2026-06-30", "2026-07-01", "2026-08-31", "2026-09-01", "2026-12-31"]
    settings = ValiditySettings()
    cases, expected = [], []
    for doc, ended_on, replaced_on in variants:
        end = ended_on or doc.repealed_on
        data = {"declaredValidity": doc.validity, "effective": "", "expires": str(doc.expires or ""),
                "reviewDue": "", "underReview": "", "dueSoonDays": "90", "endedOn": str(end or ""),
                "endStatus": end_status(doc), "replacedOn": str(replaced_on or "")}
        for day in days:
            ev = evaluate(doc, D(day), settings, ended_on, replaced_on)
            cases.append([data, day])
            expected.append(ev.status)
    page.goto(early_url + "index.html")
    got = page.evaluate("cases => cases.map(([d, t]) => window.gazetteValidity.evaluate(d, t).status)", cases)
    assert got == expected
    assert len(set(expected)) == 4  # in force, amended, repealed, expired all occur
