"""Browser search in headless Chromium: the sample site served over HTTP from a sub-path."""

from __future__ import annotations

import time
import urllib.parse

import pytest

from gazette.archive import load_archive
from gazette.search.normalise import fold_text

from conftest import CONTENT

pytestmark = pytest.mark.browser

TRAD_DOC = "llzjg-2021-01"  # 臨瀾市老舊小區改造資金補助暫行辦法, 臨住建規〔2021〕1號 (Traditional)
SIMP_DOC = "llzjg-2024-03"  # 临澜市既有住宅加装电梯实施办法 (Simplified)


def wait_until(page, js: str, timeout: float = 15.0):
    """Poll a JS expression (page.wait_for_function would need 'unsafe-eval', which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({js})"):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {js}")
        time.sleep(0.05)


@pytest.fixture
def search_page(page, site_url):
    """The search page, loaded and ready; external requests are recorded."""
    outside = []
    page.on("request", lambda r: None if r.url.startswith(site_url) else outside.append(r.url))
    page.goto(site_url + "search.html")
    wait_until(page, "window.gazetteSearchReady !== undefined")
    page.evaluate("window.gazetteSearchReady")
    page.outside_requests = outside
    return page


def run(page, query, **filters):
    return page.evaluate("([q, f]) => window.gazetteSearch(q, f)", [query, filters])


def slugs(results):
    return [r["url"].rsplit("/", 1)[-1].removesuffix(".html") for r in results]


def test_simplified_query_finds_traditional_document(search_page):
    results = run(search_page, "老旧小区改造资金")
    assert slugs(results)[0] == TRAD_DOC
    assert results[0]["title"] == "臨瀾市老舊小區改造資金補助暫行辦法"


def test_traditional_query_finds_simplified_document(search_page):
    assert slugs(run(search_page, "既有住宅加裝電梯"))[0] == SIMP_DOC


@pytest.mark.parametrize("spelling", ["臨住建規〔2021〕1號", "临住建规[2021]1号", "临住建规（２０２１）１号",
                                      "临住建规〔2021〕第1号", "临住建规2021年1号", "临住建规〔2021〕01号", "临住建规〔2021〕一号"])
def test_document_number_in_any_spelling_finds_its_document(search_page, spelling):
    results = run(search_page, spelling)
    assert slugs(results)[0] == TRAD_DOC and results[0]["match"] == "number"


def test_an_order_number_in_chinese_numerals_finds_its_document(search_page):
    top = run(search_page, "临澜市人民政府令第十号")[0]
    assert top["number"] == "临澜市人民政府令第10号" and top["match"] == "number"


def test_excerpt_shows_original_characters_with_matches_marked(search_page, site_url):
    results = run(search_page, "老旧小区")
    top = results[0]
    assert "老舊小區" in top["excerpt"] and "老旧小区" not in top["excerpt"]
    # The page shows the same result, the match marked where it stands in the original.
    search_page.goto(site_url + "search.html?q=" + urllib.parse.quote("老旧小区"))
    search_page.wait_for_selector("#search-results li")
    marks = search_page.locator("#search-results li").first.locator(".search-excerpt mark").all_inner_texts()
    assert marks and set(marks) == {"老舊小區"}


def test_results_show_title_number_issuer_date_and_status_badge(search_page, site_url):
    search_page.goto(site_url + "search.html?q=" + urllib.parse.quote("临住建规〔2021〕1号"))
    first = search_page.locator("#search-results li").first
    first.wait_for()
    assert first.locator("h2 a").inner_text() == "臨瀾市老舊小區改造資金補助暫行辦法"
    meta = first.locator(".doc-meta").inner_text()
    assert "臨住建規〔2021〕1號" in meta and "臨瀾市住房和城鄉建設局" in meta and "2021年3月16日" in meta  # dates for people (gazette.labels.people_date)
    assert first.locator("time").get_attribute("datetime") == "2021-03-16"
    badge = first.locator(".badge")
    assert badge.get_attribute("class").startswith("badge status-")
    href = first.locator("h2 a").get_attribute("href")
    assert href == site_url + f"documents/{TRAD_DOC}.html"
    assert search_page.request.get(href).ok


def test_status_filter_keeps_only_documents_with_that_status(search_page):
    everything = run(search_page, "管理办法", limit=100)
    repealed = run(search_page, "管理办法", status="repealed", limit=100)
    assert repealed and len(repealed) < len(everything)
    assert {r["status"] for r in repealed} == {"repealed"}
    assert slugs(run(search_page, "管理办法", status="已废止", limit=100)) == slugs(repealed)


def test_year_type_and_issuer_filters_narrow_results(search_page):
    docs = {d.slug: d for d in load_archive(CONTENT).documents}
    for key, value, check in (
        ("year", "2022", lambda d: d.year == 2022),
        ("doc_type", "规范性文件", lambda d: fold_text(d.doc_type or "") == "规范性文件"),
        ("issuer", "临澜市财政局", lambda d: "临澜市财政局" in [fold_text(i) for i in d.issuer]),
    ):
        results = slugs(r for r in run(search_page, "临澜市", limit=100, **{key: value}) if r["kind"] == "document")
        assert results, key
        assert all(check(docs[s]) for s in results), key
        assert len(results) < len(run(search_page, "临澜市", limit=100)), key


def test_flag_filter_lists_documents_awaiting_confirmation(search_page):
    index_chunks = []
    search_page.on("request", lambda r: index_chunks.append(r.url) if "/search-index/t/" in r.url else None)
    results = run(search_page, "", flag="overdue", limit=100)
    assert results and all(r["flag"] == "overdue" for r in results)
    dates = [r["date"] for r in results]
    assert dates == sorted(dates, reverse=True)
    assert len(index_chunks) <= 1  # a listing by filters alone reads the filter's own list, nothing more


def test_sort_by_date_orders_newest_first_and_differs_from_relevance(search_page):
    by_relevance = run(search_page, "管理办法", limit=100)
    by_date = run(search_page, "管理办法", sort="date", limit=100)
    dates = [r["date"] for r in by_date]
    assert dates == sorted(dates, reverse=True)
    assert set(slugs(by_date)) == set(slugs(by_relevance))
    assert slugs(by_date) != slugs(by_relevance)


def test_withheld_and_on_request_documents(search_page):
    assert run(search_page, "储备粮轮换底价") == []            # withheld: nowhere
    assert run(search_page, "臨政辦內〔2022〕4號") == []
    withheld = ("llzn-2024-11", "llzbn-2022-04", "llxln-2025-02")
    assert not set(slugs(run(search_page, "储备粮", limit=100))) & set(withheld)
    assert not set(slugs(run(search_page, "内部", limit=100))) & set(withheld)
    asked = run(search_page, "议事协调机构组成人员")           # on request: by its title
    assert slugs(asked)[0] == "llzbf-2022-11" and asked[0]["excerpt"] == ""
    assert "llzbf-2022-11" not in slugs(run(search_page, "軍分區副司令員"))  # not by its text


def test_query_lives_in_the_url_and_back_button_restores_it(search_page, site_url):
    page = search_page
    page.fill("#search-q", "老旧小区")
    page.keyboard.press("Enter")
    wait_until(page, "document.querySelectorAll('#search-results li').length > 0")
    assert "q=" + urllib.parse.quote("老旧小区") in page.url
    page.select_option("select[name=sort]", "date")
    wait_until(page, "location.search.includes('sort=date')")
    page.fill("#search-q", "既有住宅")
    page.keyboard.press("Enter")
    wait_until(page, "decodeURIComponent(location.search).includes('既有住宅')")
    page.go_back()
    wait_until(page, "document.getElementById('search-q').value === '老旧小区'")
    wait_until(page, "Array.from(document.querySelectorAll('#search-results h2 a'))"
                     f".some(a => a.href.endsWith('{TRAD_DOC}.html'))")
    # A shared link opens with the same query, filter and results.
    page.goto(page.url)
    page.wait_for_selector("#search-results li")
    assert page.input_value("#search-q") == "老旧小区"
    assert page.input_value("select[name=sort]") == "date"


def test_search_is_keyboard_accessible(search_page):
    page = search_page
    page.focus("#search-q")
    page.keyboard.type("电梯")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results li")
    assert "条结果" in page.inner_text("#search-status")
    for _ in range(12):  # the first result link is reachable by Tab
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#search-results') !== null"):
            break
    assert page.evaluate("document.activeElement.tagName") == "A"


def test_home_page_search_box_leads_to_results(page, site_url):
    page.goto(site_url + "index.html")
    page.fill("input[name=q]", "電梯")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results li")
    assert page.url.startswith(site_url + "search.html?q=")
    assert slugs(page.evaluate("window.gazetteSearch('電梯', {})"))[0] == SIMP_DOC


def test_search_makes_no_external_requests_and_no_errors(search_page):
    errors = []
    search_page.on("pageerror", lambda e: errors.append(str(e)))
    run(search_page, "临澜市")
    run(search_page, "", status="in_force")
    assert search_page.outside_requests == [] and errors == []


# -- what citizens type (issue #16) ------------------------------------------------------------

def test_words_typed_apart_or_in_another_order_find_the_document(search_page):
    assert slugs(run(search_page, "养犬规定"))[0] == "llzl-012"          # 临澜市养犬管理规定
    assert slugs(run(search_page, "電梯加裝"))[0] == SIMP_DOC           # its text says 加装电梯
    assert slugs(run(search_page, "公积金贷款办法"))[0] == "llzg-2024-02"


def test_the_rule_in_force_ranks_above_the_one_it_replaced(search_page):
    for query in ("住房公積金", "公积金贷款管理办法"):
        found = slugs(run(search_page, query))
        repealed = next(s for s in found if s.startswith("llzg-2021"))
        assert found.index("llzg-2024-02") < found.index(repealed), query
    leading = run(search_page, "财政局")[:3]
    assert all(r["status"] in ("in_force", "amended") for r in leading)


def test_a_document_ranks_above_those_citing_its_number(search_page):
    for query in ("临政规〔2023〕3", "临政规[2023]3号"):
        results = run(search_page, query)
        assert results[0]["number"] == "临政规〔2023〕3号", query
        assert any(r["number"] != "临政规〔2023〕3号" for r in results[1:])  # the decision citing it is found too


def test_excerpt_marks_the_number_not_a_year_elsewhere(search_page):
    page = search_page
    page.fill("#search-q", "临政规[2023]3号")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results li mark")
    marks = page.eval_on_selector_all("#search-results li:first-child mark", "ms => ms.map(m => m.textContent)")
    assert marks and "2023" not in marks and all(m == "临政规〔2023〕3号" for m in marks)


def test_issues_are_found_by_their_name(search_page):
    for query in ("2024年第1期", "2024年1期", "总第7期", "總第7期", "2024年第一期", "二〇二四年第一期", "總第七期"):
        top = run(search_page, query)[0]
        assert top["url"].endswith("issues/2024-01.html") and top["kind"] == "issue", query


def test_metadata_is_searchable(search_page):
    found = run(search_page, "规范性文件", limit=100)
    assert len([r for r in found if r["kind"] == "document"]) >= 29  # every one of that 文种
    assert slugs(run(search_page, "11339900MB0246801K/2023-00002"))[0]  # 索引号
    assert run(search_page, "臨瀾市財政局")[0]["issuer"]


def _carrying(field, value):
    """Slugs of the sample's public documents whose `field` folds to `value`'s folding."""
    out = set()
    for doc in load_archive(CONTENT).documents:
        values = getattr(doc, field) or []
        values = values if isinstance(values, list) else [values]
        if doc.disclosure != "withheld" and any(fold_text(v) == fold_text(value) for v in values):
            out.add(doc.slug)
    return out


@pytest.mark.parametrize("field, value", [("issuer", "临澜市人民政府"), ("issuer", "臨瀾市人民政府"),
                                          ("category", "民政"), ("issuer", "臨瀾市財政局"), ("doc_type", "规章"),
                                          ("doc_type", "規範性文件")])
def test_a_query_that_is_a_value_lists_what_carries_it_first(search_page, field, value):
    """民政 is in 人民政府, so every issue of 临澜市人民政府公报 holds it in its title; 规章 is in the
    titles of the clean-up notices: the records carrying the value come first all the same."""
    carrying = _carrying(field, value)
    assert len(carrying) >= 3
    top = slugs(run(search_page, value, limit=10))
    assert top[:min(10, len(carrying))] and set(top[:min(10, len(carrying))]) <= carrying, (value, top)


def test_simplified_query_finds_the_taiwan_forms_of_its_words(search_page):
    """批复 is written 批覆 and 随着 隨著 in Traditional texts (OpenCC's phrases, Taiwan variants)."""
    assert "llzh-2022-08" in slugs(run(search_page, "批复", limit=10))
    assert slugs(run(search_page, "同意设立临澜滨江生态公园的批复"))[0] == "llzh-2022-08"


def test_partial_matches_are_labelled_and_suggest_removing_a_word(search_page):
    results = run(search_page, "养犬火箭发射")
    assert results and {r["match"] for r in results} == {"partial"}
    page = search_page
    page.fill("#search-q", "养犬火箭发射")
    page.keyboard.press("Enter")
    page.wait_for_selector("#search-results li .search-partial")
    assert "去掉一个词" in page.inner_text("#search-status")


def test_only_in_force_switch(search_page):
    everything = run(search_page, "办法", limit=100)
    current = run(search_page, "办法", limit=100, standing="current")
    assert {r["status"] for r in everything} - {"in_force", "amended"}  # the sample has others
    assert current and {r["status"] for r in current} <= {"in_force", "amended"}
    page = search_page
    page.fill("#search-q", "办法")
    page.check("input[name=standing]")
    wait_until(page, "location.search.includes('standing=current')")
    page.wait_for_selector("#search-results li")
    statuses = page.eval_on_selector_all("#search-results .badge[class*=status-]", "bs => bs.map(b => b.className)")
    assert statuses and all("status-in_force" in c or "status-amended" in c for c in statuses)


def test_never_reviewed_documents_not_yet_due_are_not_listed_as_reviewed(search_page):
    docs = {d.slug: d for d in load_archive(CONTENT).documents}
    reviewed = [r for r in run(search_page, "", flag="current", limit=100) if r["kind"] == "document"]
    not_due = [r for r in run(search_page, "", flag="not_due", limit=100) if r["kind"] == "document"]
    assert not_due and all(docs[s].reviewed is None for s in slugs(not_due))
    assert all(docs[s].reviewed is not None for s in slugs(reviewed))


# -- the filters on a phone ---------------------------------------------------------------------

PHONE = {"width": 375, "height": 812}
FINGER = 44  # px: the least height of a control a finger taps (WCAG 2.5.5)


@pytest.fixture
def phone_search(browser, site_url):
    """The search page at phone width, opened with a query and one filter in its address."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(site_url + "search.html?q=%E5%8A%9E%E6%B3%95&year=2023")  # 办法, 2023
    wait_until(page, "window.gazetteSearchReady !== undefined")
    page.evaluate("window.gazetteSearchReady")
    yield page
    context.close()


def _overflowing(page) -> list[str]:
    return page.evaluate("""w => [...document.querySelectorAll('#search-form *')]
        .filter(e => e.getClientRects().length && (e.getBoundingClientRect().right > w + 0.5 || e.getBoundingClientRect().left < -0.5))
        .map(e => e.tagName + ' ' + (e.name || e.textContent.trim().slice(0, 8)))""", PHONE["width"])


def test_filters_on_a_phone_fold_away_so_the_results_come_first(phone_search):
    page = phone_search
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _overflowing(page) == []
    assert page.evaluate("document.getElementById('search-filters').open") is False
    assert page.inner_text("#search-filters summary") == "筛选与排序（已选 1 项）"  # the year from the address
    page.wait_for_selector("#search-results li")
    first = page.evaluate("document.querySelector('#search-results li').getBoundingClientRect().top")
    assert first < PHONE["height"], "the first result is on the first screen"
    assert page.is_visible("input[name=standing]"), "只看现行有效 stays in sight while the filters are folded"


def test_filters_on_a_phone_open_fit_the_width_and_a_finger(phone_search):
    page = phone_search
    page.tap("#search-filters summary")
    assert page.evaluate("document.getElementById('search-filters').open") is True
    assert page.input_value("select[name=year]") == "2023"
    controls = page.evaluate("""() => [...document.querySelectorAll(
            '#search-filters summary, #search-filters select, .search-switch, #search-form button, #search-q')]
        .map(e => ({what: e.name || e.textContent.trim().slice(0, 8), height: e.getBoundingClientRect().height}))""")
    assert len(controls) == 11
    small = [c for c in controls if c["height"] < FINGER]
    assert small == [], f"controls under {FINGER} px tall on a phone: {small}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _overflowing(page) == []
    page.select_option("select[name=sort]", "date")
    wait_until(page, "location.search.includes('sort=date')")
    assert page.inner_text("#search-filters summary") == "筛选与排序（已选 2 项）"
    page.tap(".search-switch")  # the whole line is the switch's target, not only its box
    wait_until(page, "location.search.includes('standing=current')")
    page.tap("#search-filters summary")
    assert page.evaluate("document.getElementById('search-filters').open") is False


def test_filters_stay_open_on_a_desktop(search_page):
    assert search_page.evaluate("document.getElementById('search-filters').open") is True
    assert search_page.inner_text("#search-filters summary") == "筛选与排序"
