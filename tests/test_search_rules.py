"""theme/static/js/search-rules.js repeats gazette/search/ranking.py (terms of a query, words in any
order, tiers, standing, order): the browser's copy gives the same answers as Python's, checked
in Chromium on generated cases, as the validity rules are."""

from __future__ import annotations

import random

import pytest

from gazette.search import ranking
from gazette.search.browser_index import ordered
from gazette.search.normalise import fold_text, is_number_query, number_word
from gazette.search.records import SearchRecord

pytestmark = pytest.mark.browser

QUERIES = ["养犬规定", "電梯加裝", "临政规[2023]3号", "臨政規〔2023〕3號", "2024年第1期", "总第7期", "粮",
           "住房公積金貸款管理辦法", "abc 规定 2019", "国务院令第1号", "规范性文件", "财政局 资金 补助",
           "11339900MB0246801K/2023-00002", "城市 绿化", "食品安全法实施条例", "x"]
STATUSES = ["in_force", "amended", "repealed", "expired", "not_yet_effective"]


@pytest.fixture
def rules_page(page, site_url):
    page.goto(site_url + "search.html")
    page.wait_for_function("() => window.gazetteSearchRules")
    return page


def test_query_terms_and_coverage_match_python(rules_page):
    rng = random.Random(16)
    cases = []
    for q in QUERIES:
        terms = ranking.query_terms(q).terms
        for _ in range(25):
            cases.append([fold_text(q), [t for t in terms if rng.random() < 0.6]])
    got = rules_page.evaluate("""cases => cases.map(([q, present]) => {
        const R = window.gazetteSearchRules, plan = R.queryPlan(q);
        let bits = 0;
        plan.terms.forEach((t, i) => { if (present.includes(t)) bits |= 1 << i; });
        const c = R.coverage(plan, bits >>> 0);
        return [plan.terms, c.full, Math.round(c.fraction * 1e9)];
    })""", cases)
    for (q, present), (terms, full, fraction) in zip(cases, got):
        qt = ranking.query_terms(q)
        assert sorted(terms) == sorted(qt.terms), q
        want_full, want_fraction = ranking.coverage(qt, set(present))
        assert (full, fraction) == (want_full, round(want_fraction * 1e9)), (q, present)


VALUES = ["临澜市人民政府", "臨瀾市人民政府", "全国人民代表大会", "全國人民代表大會 ", "规范性文件", "規範性文件",
          "2024年第1期", "11339900MB0246801K/2023-00002", "11339900mb0246801k-2023-00002", "民政", "—", "",
          "临澜市 人民政府", "ABC规定", "abc 规定", "总第7期"]


def test_value_terms_match_python(rules_page):
    """A query is a record's value when both give the same value term, in either script and spelling."""
    got = rules_page.evaluate("vs => vs.map(v => window.gazetteSearchRules.valueTerm(v))",
                              [fold_text(v) for v in VALUES])
    assert got == [ranking.value_term(v) for v in VALUES]
    assert ranking.value_term("臨瀾市人民政府") == ranking.value_term("临澜市 人民政府") == ranking.value_term("临澜市人民政府")
    assert ranking.value_term("—") == ranking.value_term("") == ""


NUMBERS = ["临政规〔2023〕3号", "临政规2023年3号", "临政规（2023）第3号", "臨政規〔2023〕第３號", "临政规 〔2023〕 3号",
           "临政规〔2023〕03号", "临政规〔2023〕三号", "临澜市人民政府令第10号", "临澜市人民政府令第十号", "主席令第七十三号",
           "国家税务总局公告2018年第31号", "府交路字第1100012345號", "第一号", "二〇二三年第一百零五号", "令第0号",
           "临政规〔2023〕" + "9" * 30 + "号", "中华人民共和国主席令 第 三十 号 ", "abc号", "号", "", "2023年3号\n",
           "国发〔2016〕8号之一", "十十号", "令第千千号"]


def test_number_words_match_python(rules_page):
    """One number word for a number however its serial is written: in the browser as in Python."""
    got = rules_page.evaluate("ns => ns.map(n => { const R = window.gazetteSearchRules; "
                              "return [R.numberWord(n), R.isNumberQuery(n)]; })", [fold_text(n) for n in NUMBERS])
    assert got == [[number_word(n), is_number_query(n)] for n in NUMBERS]
    assert len({number_word(n) for n in NUMBERS[:7]}) == 1
    assert number_word("临澜市人民政府令第十号") == number_word("临澜市人民政府令第10号") == "临澜市人民政府令10号"


def test_tiers_standing_and_order_match_python(rules_page):
    rng = random.Random(18)
    feats = []
    for n in range(600):
        feats.append(dict(number_exact=rng.random() < 0.05, head_phrase=rng.random() < 0.2,
                          head_full=rng.random() < 0.3, body_phrase=rng.random() < 0.3, full=rng.random() < 0.5,
                          phrase_seen=rng.random() < 0.3, value_exact=rng.random() < 0.15,
                          fraction=rng.choice([0, 0.25, 0.5, 2 / 3, 1]), title_full=rng.random() < 0.4,
                          status=rng.choice(STATUSES),
                          is_current_version=rng.random() < 0.8, title_len=rng.randint(4, 40),
                          date=f"20{rng.randint(10, 26)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                          slug=f"doc-{rng.randint(0, 60):03d}-{n}", kind=rng.choice(["document", "issue"])))
    records = [SearchRecord(slug=f["slug"], url="", title="", date=f["date"]) for f in feats]
    ids = {r.slug: i for i, r in enumerate(ordered(records))}
    got = rules_page.evaluate("""feats => {
        const R = window.gazetteSearchRules;
        const rows = feats.map(f => ({ tier: R.tier({ numberExact: f.number_exact, headPhrase: f.head_phrase,
            headFull: f.head_full, bodyPhrase: f.body_phrase, full: f.full, fraction: f.fraction }),
            titleFull: f.title_full, phraseSeen: f.phrase_seen, valueExact: f.value_exact,
            standing: R.standing(f.status, f.is_current_version), fraction: f.fraction, titleLen: f.title_len,
            id: f.id, slug: f.slug }));
        return { tiers: rows.map(r => r.tier), standing: rows.map(r => r.standing),
                 inForce: feats.map(f => R.inForceNow(f.status, f.is_current_version, f.kind)),
                 order: rows.slice().sort(R.compare).map(r => r.slug) };
    }""", [dict(f, id=ids[f["slug"]]) for f in feats])
    assert got["tiers"] == [ranking.tier(f) for f in feats]
    assert got["standing"] == [ranking.standing(f["status"], f["is_current_version"]) for f in feats]
    assert got["order"] == [f["slug"] for f in sorted(feats, key=ranking.sort_key)]
    assert got["inForce"] == [ranking.in_force_now(f["status"], f["is_current_version"], f["kind"]) for f in feats]
    assert any(got["inForce"]) and not all(got["inForce"])
    assert got["tiers"].count(1) and got["tiers"].count(6)  # the cases reach every tier
