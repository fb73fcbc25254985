"""Validity in a real browser: pages re-evaluated at the reader's date, and the published report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import urllib.request

import pytest

from conftest import AS_OF, CONTENT, serve_small_archive
from gazette.archive import load_archive
from gazette.validity import ValiditySettings, add_years, evaluate

pytestmark = pytest.mark.browser

EARLY = dt.date(2026, 3, 1)  # the early build's as-of date

DOCS = {
    # a notice valid until 30 June 2026
    "lapsing": "title: 临澜市2026年春季植树活动安排的通知\ndate: 2026-01-05\ndoc_number: 临政办发〔2026〕1号\n"
               "doc_type: 通知\nexpires: 2026-06-30\n\n正文。\n",
    # a normative document due for review on 10 January 2027
    "review": "title: 临澜市停车场管理办法\ndate: 2025-01-10\ndoc_number: 临政规〔2025〕1号\n"
              "doc_type: 规范性文件\n\n正文。\n",
    # in force from 1 May 2026
    "later": "title: 临澜市电动自行车管理办法\ndate: 2026-02-20\ndoc_number: 临政规〔2026〕2号\n"
             "doc_type: 规范性文件\neffective: 2026-05-01\n\n正文。\n",
}


@pytest.fixture(scope="module")
def early_url(tmp_path_factory):
    """A small archive built at an early as-of date, served over HTTP."""
    yield from serve_small_archive(tmp_path_factory.mktemp("early"), DOCS, EARLY, "documents/lapsing.html")


def open_at(page, url: str, day: dt.date):
    """Open `url` with the browser's clock fixed at noon on `day` (the reader's date)."""
    page.clock.set_fixed_time(dt.datetime(day.year, day.month, day.day, 12, 0))
    page.goto(url)
    page.wait_for_selector("article.doc[data-reader-date], article.doc[data-as-of]")
    return page


def banner_kinds(page) -> list[str]:
    return page.eval_on_selector_all("[data-validity-banners] .banner", "els => els.map(e => e.className)")


def test_expired_document_gets_banner_after_its_expiry_without_rebuild(early_url, page):
    open_at(page, early_url + "documents/lapsing.html", dt.date(2026, 11, 22))
    banner = page.locator("[data-validity-banners] .banner-expired")
    assert banner.text_content() == "本文件有效期至2026年6月30日，已失效，仅供查阅。"
    assert banner.get_attribute("role") == "status"
    badge = page.locator("article.doc [data-validity-badge]")
    assert badge.text_content() == "已失效"
    assert badge.get_attribute("class") == "badge status-expired"
    assert page.get_attribute("article.doc", "data-reader-date") == "2026-11-22"


def test_page_read_before_expiry_keeps_the_builds_evaluation(early_url, page):
    open_at(page, early_url + "documents/lapsing.html", dt.date(2026, 6, 30))  # last valid day
    assert banner_kinds(page) == []
    assert page.locator("article.doc [data-validity-badge]").text_content() == "有效"


def test_review_becomes_overdue_the_day_after_its_due_date(early_url, page):
    open_at(page, early_url + "documents/review.html", dt.date(2027, 1, 10))
    assert banner_kinds(page) == ["banner banner-due_soon"]
    open_at(page, early_url + "documents/review.html", dt.date(2027, 1, 11))
    assert banner_kinds(page) == ["banner banner-overdue"]
    assert page.locator(".banner-overdue").text_content() == \
        ("有效性待确认：本文件应于2027年1月10日前完成清理，发布以来尚未经过清理。"
         "本文件未被宣布废止或失效，本站仍列为有效，但已超过清理期限；办理具体事项前，请向发布机关确认本文件是否仍然适用。")
    assert page.locator("article.doc .flag").text_content() == "有效性待确认"
    assert page.locator("article.doc [data-validity-badge]").text_content() == "有效"


def test_not_yet_effective_banner_goes_once_in_force(early_url, page):
    open_at(page, early_url + "documents/later.html", EARLY)
    assert banner_kinds(page) == ["banner banner-not_yet_effective"]
    assert page.locator("article.doc [data-validity-badge]").text_content() == "尚未生效"
    open_at(page, early_url + "documents/later.html", dt.date(2026, 5, 1))
    assert banner_kinds(page) == []
    assert page.locator("article.doc [data-validity-badge]").get_attribute("class") == "badge status-in_force"


def test_listing_badges_are_re_evaluated_too(early_url, page):
    page.clock.set_fixed_time(dt.datetime(2026, 11, 22, 12, 0))
    page.goto(early_url + "index.html")
    row = page.locator("li", has=page.locator('a[href$="documents/lapsing.html"]')).first
    page.wait_for_function("() => document.querySelector('[data-validity-badge][data-reader-date]')")
    assert row.locator("[data-validity-badge]").text_content() == "已失效"
    assert row.locator("[data-validity-badge]").get_attribute("class") == "badge status-expired"


# -- the published report of the sample archive -------------------------------------------------

def expected_flags() -> dict[str, str]:
    """Flagged public sample documents at AS_OF, by slug."""
    archive = load_archive(CONTENT)
    settings = ValiditySettings()
    out = {}
    for doc in archive.documents:
        ev = evaluate(doc, AS_OF, settings)
        if doc.is_public and ev.flag:
            # Spell the due-date rule out again, so the report is not only checked against itself.
            assert ev.review_due == add_years(doc.reviewed or doc.date, 2)
            assert (ev.flag == "overdue") == (AS_OF > ev.review_due)
            out[doc.slug] = ev.flag
    return out


def test_report_page_lists_every_flagged_sample_document(site_url, page):
    flags = expected_flags()
    assert "overdue" in flags.values() and "due_soon" in flags.values()  # the sample covers both
    page.goto(site_url + "validity/index.html")
    assert "2026年11月22日" in page.locator(".report-as-of").text_content()
    shown = page.eval_on_selector_all(
        "section.validity-group tr[data-slug]",
        "rows => rows.map(r => [r.dataset.slug, r.closest('section').dataset.flag])")
    shown_flags = {slug: flag for slug, flag in shown if flag}
    assert shown_flags == flags
    # each listed row links to its document page, and that page exists
    href = page.locator(f'tr[data-slug="{next(iter(flags))}"] a').get_attribute("href")
    assert href == f"../documents/{next(iter(flags))}.html"
    with urllib.request.urlopen(site_url + "validity/" + href) as r:
        assert r.status == 200


def test_report_json_and_csv_are_published_with_every_public_document(site_url):
    archive = load_archive(CONTENT)
    public = {d.slug for d in archive.documents if d.is_public}
    with urllib.request.urlopen(site_url + "validity/report.json") as r:
        data = json.loads(r.read().decode("utf-8"))
    assert data["as_of"] == AS_OF.isoformat()
    assert {row["slug"] for row in data["documents"]} == public
    assert {row["slug"]: row["flag"] for row in data["documents"] if row["flag"]} \
        == expected_flags()
    with urllib.request.urlopen(site_url + "validity/report.csv") as r:
        rows = list(csv.DictReader(io.StringIO(r.read().decode("utf-8"))))
    assert rows == data["documents"]
    for path in archive.withheld_paths:  # withheld documents never reach the report
        slug = path.rsplit("/", 1)[-1].removesuffix(".md")
        assert slug not in json.dumps(data)


def test_browser_rules_match_the_python_rules(early_url, page):
    """validity.js re-implements gazette/validity.py: the two agree on every case here."""
    from gazette.model import Document
    from gazette.validity import review_due

    D = dt.date.fromisoformat
    variants = []
    for validity in (None, "in_force", "amended", "repealed", "expired", "not_yet_effective"):
        for effective in (None, "2026-05-01"):
            for expires in (None, "2026-06-30"):
                for doc_type, reviewed in (("通知", None), ("规范性文件", None), ("規章", "2024-12-31"),
                                           ("规范性文件", "2024-02-29")):
                    variants.append(Document(
                        source_path="x.md", slug="x", title="t", date=D("2025-01-10"), doc_type=doc_type,
                        validity=validity or "in_force", validity_declared=validity is not None,
                        effective=effective and D(effective), expires=expires and D(expires),
                        reviewed=reviewed and D(reviewed)))
    days = ["2026-04-30", "2026-05-01", "2026-06-30", "2026-07-01", "2026-10-02", "2026-10-03",
            "2026-12-31", "2027-01-01", "2027-01-10", "2027-01-11"]
    settings = ValiditySettings()
    cases, expected = [], []
    for doc in variants:
        due = review_due(doc, settings)
        data = {"declaredValidity": doc.validity, "effective": str(doc.effective or ""),
                "expires": str(doc.expires or ""), "reviewDue": str(due or ""),
                "underReview": "1" if due else "", "dueSoonDays": "90"}
        for day in days:
            ev = evaluate(doc, D(day), settings)
            cases.append([data, day])
            expected.append({"status": ev.status, "flag": ev.flag or ""})
    page.goto(early_url + "index.html")
    got = page.evaluate("cases => cases.map(([d, t]) => window.gazetteValidity.evaluate(d, t))", cases)
    mismatches = [(c, g, e) for c, g, e in zip(cases, got, expected) if g != e]
    assert not mismatches, mismatches[:5]
    assert len(cases) == 960
