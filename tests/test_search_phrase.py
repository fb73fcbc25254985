"""A phrase of the text, typed by a citizen, finds the document that holds it, not the many that
merely hold its words (issue #16): the index keeps no positions, so the first body-phrase candidates
are checked against their text (ranking.PHRASE_CHECKS), in `gazette search` and in the browser,
with the same order."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from click.testing import CliRunner

from conftest import serve_small_archive
from gazette.cli import cli
from gazette.search import ranking
from gazette.search.normalise import fold_text
from gazette.search.whoosh_index import search

AS_OF = dt.date(2026, 6, 1)
PHRASE = "加装电梯改造"
FILLER = "本市各区人民政府应当加强组织协调，落实工作责任，做好相关保障。"


def _doc(title: str, number: str, body: str, **meta: str) -> str:
    head = "".join(f"{k}: {v}\n" for k, v in meta.items())
    return (f"title: {title}\ndate: 2024-03-01\ndoc_number: {number}\nissuer: 临澜市人民政府\n"
            f"doc_type: 规范性文件\n{head}\n{body}\n")


def _docs() -> dict[str, str]:
    docs = {}
    # Sixteen documents in force holding every word of the phrase, never the phrase itself.
    for i in range(16):
        body = (f"第一条　为加装扶手、装电表，保障电梯安全，推进楼梯改造，制定本办法。\n{FILLER * 3}\n"
                f"第二条　本办法自发布之日起施行。（{i}）\n")
        docs[f"decoy-{i:02d}"] = _doc(f"临澜市住宅设施管理办法（{i}）", f"临政规〔2024〕{i + 1}号", body)
    # The one that holds it, repealed, with a long title, in its third text block (one of its words
    # first occurs earlier): it ranks last of them by every feature but the phrase.
    body = "第一条　电梯安全按照有关规定执行。\n" + FILLER * 200 + f"\n第九条　既有住宅{PHRASE}的资金，按照本办法执行。\n"
    # Two titles with the words of 电梯改造: the shorter has them apart, the longer as the phrase.
    docs["title-apart"] = _doc("楼梯改造电梯办法", "临政规〔2023〕7号", "正文。")
    docs["title-phrase"] = _doc("关于推进老旧电梯改造的通知", "临政规〔2023〕8号", "正文。")
    docs["target"] = _doc("临澜市关于既有住宅设施维护管理若干事项的实施办法", "临政规〔2020〕9号", body,
                          validity="repealed", repealed_by="临政规〔2024〕1号")
    return docs


def _served_with_index(root, docs: dict[str, str], check: str):
    """The archive served over HTTP and its Whoosh index: yields (site URL, index folder)."""
    served = serve_small_archive(root, docs, AS_OF, check)
    url = next(served)
    index = str(root / "whoosh")
    result = CliRunner().invoke(cli, ["index", "--content", str(root / "content"), "--index", index,
                                      "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    yield url, index
    next(served, None)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    yield from _served_with_index(tmp_path_factory.mktemp("phrase"), _docs(), "documents/target.html")


def test_the_text_is_long_enough_to_need_the_right_block():
    body = _docs()["target"].split("\n\n", 1)[1]
    assert body.index(PHRASE) // 3000 >= 2  # browser_index.BLOCK_CHARS


def test_the_command_line_puts_the_document_holding_the_phrase_first(archive):
    _, index = archive
    hits = search(index, PHRASE, limit=20).hits
    assert hits[0].slug == "target" and hits[0].why.get("phrase") is True
    assert all(h.match == "body_phrase" and "phrase" not in h.why for h in hits[1:])
    assert len(hits) == 17
    # titles are not checked: the shorter comes first, with the words apart
    titles = search(index, "电梯改造", limit=5).hits
    assert [h.slug for h in titles[:2]] == ["title-apart", "title-phrase"]
    assert {h.match for h in titles[:2]} == {"head_phrase"} and not any("phrase" in h.why for h in titles[:2])
    # words typed apart ask for the words, not a phrase: no check reorders them
    apart = search(index, "电梯 改造", limit=20).hits
    assert apart[-1].slug == "target" and not any("phrase" in h.why for h in apart)


@pytest.mark.browser
def test_the_search_page_gives_the_same_order_and_shows_the_phrase(archive, page):
    url, index = archive
    page.goto(url + "search.html")
    page.wait_for_function("() => window.gazetteSearchReady !== undefined")
    for query in (PHRASE, "既有住宅加裝電梯", "电梯 改造", "电梯改造", "電梯改造"):
        got = page.evaluate("q => window.gazetteSearch(q, {limit: 10})", query)
        want = search(index, query, limit=10).hits
        assert [r["url"] for r in got] == [url + h.url for h in want] or \
            [r["url"].rsplit("/", 2)[-2:] for r in got] == [h.url.rsplit("/", 2)[-2:] for h in want], query
    top = page.evaluate("q => window.gazetteSearch(q, {limit: 10})", PHRASE)[0]
    assert top["url"].endswith("documents/target.html")
    assert PHRASE in re.sub(r"<[^>]+>", "", top["excerpt"])  # the excerpt comes from the block that holds it


@pytest.mark.browser
def test_phrase_rules_match_python(page, site_url):
    page.goto(site_url + "search.html")
    page.wait_for_function("() => window.gazetteSearchRules")
    rng = random.Random(7)
    texts = ["第一条　人民法院依法审理", "临政规〔2023〕3号文件", "临政规〔2023〕31号", "既有住宅加装电梯改造",
             "加装扶手、装电表", "abc 规定 2019年", "第 一 条", "電梯加裝"]
    queries = ["第一条人民法院", "临政规[2023]3号", "加装电梯", "电梯加装", "abc规定", "规定 2019", "一条",
               "3号", "電梯", "x", "电梯 改造", "第一条　人民法院"]
    cases = [[fold_text(q), fold_text(rng.choice(texts) + rng.choice(texts))] for q in queries for _ in range(8)]
    got = page.evaluate("""cases => cases.map(([q, t]) => {
        const R = window.gazetteSearchRules;
        return [R.phraseSeen(q, t), R.needsPhraseCheck(R.queryPlan(q), q), R.queryPhrase(q)];
    })""", cases)
    for (q, t), (seen, needs, key) in zip(cases, got):
        query = ranking.query_terms(q)
        assert seen == ranking.phrase_seen(query, t), (q, t)
        assert needs == ranking.needs_phrase_check(query), q
        assert key == query.phrase, q
    assert any(s for s, _, _ in got) and not all(s for s, _, _ in got)
    assert page.evaluate("() => window.gazetteSearchRules.PHRASE_CHECKS") == ranking.PHRASE_CHECKS
    assert page.evaluate("() => window.gazetteSearchRules.PHRASE_ROUNDS") == ranking.PHRASE_ROUNDS
    assert page.evaluate("() => window.gazetteSearchRules.PHRASE_BLOCKS") == ranking.PHRASE_BLOCKS
    assert page.evaluate("() => window.gazetteSearchRules.PHRASE_BUDGET") == ranking.PHRASE_BUDGET



def test_the_fast_phrase_check_is_the_phrase_key_rule():
    """ranking.phrase_seen finds a CJK run with a pattern over the unfolded text; it must say what
    the phrase key of the folded text says."""
    from gazette.chinese import to_traditional

    rng = random.Random(11)
    pieces = ["加装电梯", "電梯", "改造", "　", " ", "\n", "，", "第一条", "人民法院", "ＡＢ", "2024", "發展"]
    for _ in range(400):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 12)))
        if rng.random() < 0.5:
            text = to_traditional(text)
        start = rng.randrange(len(text))
        query = ranking.query_terms(text[start:start + rng.randint(1, 8)] if rng.random() < 0.7 else rng.choice(pieces))
        assert ranking.phrase_seen(query, text) == ranking.is_phrase(query, ranking.phrase_key(text)), (query.text, text)


# A law's penalties cite an article its first articles cite too: every trigram of 违反本法第十三条规定
# is in the first block (违反本法第十条规定, 依照第十三条规定), the phrase itself only in the fourth.
LATE = "违反本法第十三条规定"
# A phrase across the end of the first block (browser_index.BLOCK_CHARS).
ACROSS = "既有住宅电梯维修基金"


def _late_docs() -> dict[str, str]:
    docs = {}
    early = "第一条　违反本法第十条规定的，予以警告。\n第二条　依照第十三条规定执行。\n"
    for i in range(6):
        body = (early + FILLER * 3 + f"\n第三条　既有住宅，宅电费用；电梯维修，修基础设施，基金另行管理。（{i}）\n")
        docs[f"cites-{i}"] = _doc(f"临澜市设施管理规定（{i}）", f"临政规〔2024〕{i + 1}号", body)
    docs["late"] = _doc("临澜市关于设施维护管理的若干规定", "临政规〔2019〕3号",
                        early + FILLER * 300 + f"\n第九条　{LATE}的，处以罚款。\n",
                        validity="repealed", repealed_by="临政规〔2024〕1号")
    lead = (FILLER * 100)[:3000 - 4]
    docs["across"] = _doc("临澜市关于住宅设施资金的若干规定", "临政规〔2019〕4号",
                          lead + ACROSS + "的使用，按照本规定执行。\n" + FILLER * 20,
                          validity="repealed", repealed_by="临政规〔2024〕2号")
    return docs


@pytest.fixture(scope="module")
def late_archive(tmp_path_factory):
    yield from _served_with_index(tmp_path_factory.mktemp("phrase-late"), _late_docs(), "documents/late.html")


def test_the_late_and_the_crossing_phrase_are_where_the_test_needs_them():
    docs = _late_docs()
    late, across = (docs[k].split("\n\n", 1)[1] for k in ("late", "across"))
    assert late.index(LATE) // 3000 >= 3 and all(late.index(LATE[i:i + 3]) < 3000 for i in range(len(LATE) - 2))
    assert across.index(ACROSS) < 3000 < across.index(ACROSS) + len(ACROSS)


@pytest.mark.browser
def test_the_search_page_finds_a_phrase_far_from_where_its_words_first_meet_and_across_blocks(late_archive, page):
    """The junction trigrams' block masks lead the check to the block that holds the phrase; a
    phrase across a block's end is read on the end of the block before it."""
    url, index = late_archive
    page.goto(url + "search.html")
    page.wait_for_function("() => window.gazetteSearchReady !== undefined")
    for query, slug in ((LATE, "late"), ("違反本法第十三條規定", "late"), (ACROSS, "across")):
        want = search(index, query, limit=10).hits
        assert want[0].slug == slug and want[0].why.get("phrase") is True, query
        got = page.evaluate("q => window.gazetteSearch(q, {limit: 10})", query)
        assert [r["url"].rsplit("/", 1)[-1] for r in got] == [h.url.rsplit("/", 1)[-1] for h in want], query
        excerpt = fold_text(re.sub(r"<[^>]+>", "", got[0]["excerpt"]))
        assert fold_text(query)[-4:] in excerpt, query  # the excerpt is the block the phrase was seen in
