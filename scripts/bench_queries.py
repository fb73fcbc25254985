"""Queries made from an archive's own documents, and how to score an engine's answers to them.

Kinds (each asked in the document's script, "same", and converted with OpenCC, "cross"):
  words   two words of a title typed together, skipping what lies between (养犬规定 for
          临澜市养犬管理规定): the first word of two or more characters after the place or issuer,
          and the title's last word (规定, 办法, 条例…)
  title   a span of a title; body: 8-12 characters of the body
  number  the 文号 respelled: [ ], （ ）, 〔 〕, full-width digits
  issue   2024年第1期 / 总第N期 → the issue page
  meta    a 文种, 主题分类 or 发文机关 value → the documents carrying it
Every query has a set of relevant URLs; recall@10 = |relevant ∩ top 10| / min(|relevant|, 10)
(for meta this is precision@10), MRR = 1 / rank of the first relevant result.
Validity: a query violates "in force first" when a repealed or expired document (or a superseded
version) ranks above an in-force one that matches it the same way (number / title / title with the
metadata / body / otherwise): a document of the housing bureau titled …办法 matches 住房办法 in its
head and may rank above an in-force one that merely mentions 住房 in its text.
Folding here is independent of gazette/search (Traditional → Simplified, NFKC, lower case).
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections import defaultdict

CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}")
MAX_DOCS = 5  # a phrase query is kept when at most this many documents (times copies()) hold it
STOP = {"关于", "印发", "转发", "发布", "公布", "批转", "修改", "废止", "做好", "进一步", "加强", "有关", "若干",
        "年度", "问题", "实施"}
NATIONAL = ["中华人民共和国", "全国人民代表大会常务委员会", "全国人民代表大会", "最高人民法院", "最高人民检察院",
            "国务院办公厅", "国务院"]
OUT_OF_FORCE = {"repealed", "expired"}
KINDS = ("words", "title", "body", "number", "issue", "meta")


def fold(text: str) -> str:
    from gazette.chinese import fold as t2s_fold

    return unicodedata.normalize("NFKC", t2s_fold(text)).lower()


def number_key(number: str) -> str:
    return re.sub(r"[\s\[\]()〔〕【】（）{}]", "", fold(number))


def load_docs(content: str, as_of):
    """(documents, issues) of an archive as the site lists them, with folded text and validity."""
    from gazette.archive import load_archive
    from gazette.search.records import records_from_site
    from gazette.site import SiteModel
    from gazette.validity import ValiditySettings

    model = SiteModel.build(load_archive(content), as_of, ValiditySettings())
    docs = []
    for r in records_from_site(model):
        if getattr(r, "kind", "document") != "document":
            continue
        docs.append({"slug": r.slug, "url": r.url, "title": r.title, "number": r.doc_number,
                     "nkey": number_key(r.doc_number) if r.doc_number else "", "issuer": list(r.issuer),
                     "doc_type": r.doc_type, "category": r.category, "status": r.status,
                     "current": r.is_current_version, "script": r.script, "body": r.body,
                     "ftitle": fold(r.title), "fbody": fold(r.body),
                     "fhead": fold(" ".join([r.title, r.doc_number or "", *r.issuer, r.doc_type or "", r.category or ""]))})
    issues = [{"url": i.url, "year": i.year, "number": i.number, "serial": i.serial, "ftitle": fold(i.display_title)}
              for i in model.issues]
    return docs, issues


def words_apart(title: str, issuers: list[str]) -> tuple[str, str] | None:
    import jieba

    from gazette.chinese import t2s

    t = t2s(title)
    m = re.search(r"《([^》]+)》", t)
    t = m.group(1) if m else t
    t = re.sub(r"[（(][^）)]*[）)]$", "", t)
    prefixes = sorted(NATIONAL + [t2s(i) for i in issuers] +
                      [m.group(0) for i in issuers if (m := re.match(r".{1,6}?[省市县区]", t2s(i)))], key=len, reverse=True)
    changed = True
    while changed:
        changed = False
        for p in prefixes:
            if p and t.startswith(p):
                t, changed = t[len(p):], True
    words = [(w, s, e) for w, s, e in jieba.tokenize(t) if CJK_WORD.fullmatch(w) and w not in STOP]
    if len(words) < 2:
        return None
    (w1, _, e1), (w2, s2, _) = words[0], words[-1]
    if s2 <= e1:
        return None
    return w1, w2


def copies(docs) -> int:
    """How many times the archive holds each text, on average: 1 for a real archive, 7 for the 10,000
    documents scripts/bench_archive.py makes from the 1,512 laws of the corpus."""
    return max(1, round(len(docs) / max(1, len({d["fbody"] for d in docs}))))


def derive_queries(docs, issues, sample: int, seed: int, kinds=KINDS) -> list[dict]:
    """Queries of every kind from `sample` documents (and at most `sample` issues). In an archive that
    holds each text several times (copies()), a phrase may be held by that many more documents: a
    copy of the same law is as good an answer (recall@10 counts min(relevant, 10)), and without that
    no phrase of a synthetic archive would qualify."""
    from gazette.chinese import t2s, to_traditional
    from gazette.textrules import chinese_digits, chinese_numeral

    rng = random.Random(seed)
    texts = [(d["ftitle"], d["ftitle"] + "\n" + d["fbody"]) for d in docs]
    queries: list[dict] = []
    max_docs = MAX_DOCS * copies(docs)

    def containing(phrase: str, title_only: bool = False) -> list[str]:
        """Documents holding the phrase, and issues whose title does (临澜市人民政府公报 holds 市人民政府公)."""
        f = fold(phrase)
        return ([d["url"] for d, (t, tb) in zip(docs, texts) if f in (t if title_only else tb)] +
                [i["url"] for i in issues if f in i["ftitle"]])

    def both(kind, d, simp, relevant, words, variant=""):
        for script, q in (("zh-Hans", simp), ("zh-Hant", to_traditional(simp))):
            queries.append({"kind": kind, "variant": variant, "q": q, "cross": script != d["script"],
                            "relevant": relevant, "words": words})

    def pick(text: str, lo: int, hi: int, tries: int = 30):
        runs = [r for r in CJK_RUN.findall(text) if len(r) >= lo]
        for _ in range(tries if runs else 0):
            run = rng.choice(runs)
            n = min(len(run), rng.randint(lo, hi))
            start = rng.randrange(0, len(run) - n + 1)
            phrase = run[start:start + n]
            rel = containing(phrase)
            if len(rel) <= max_docs:
                return phrase, rel
        return None

    sampled = rng.sample(docs, min(sample, len(docs)))
    for i, d in enumerate(sampled):
        if "words" in kinds and (w := words_apart(d["title"], d["issuer"])):
            f1, f2 = fold(w[0]), fold(w[1])
            rel = [x["url"] for x in docs if f1 in x["ftitle"] and f2 in x["ftitle"]]
            if len(rel) <= max_docs and fold(w[0] + w[1]) not in d["ftitle"]:
                both("words", d, w[0] + w[1], rel, [f1, f2])
        if "title" in kinds:
            longest = max((len(r) for r in CJK_RUN.findall(d["title"])), default=0)
            if longest >= 2 and (got := pick(d["title"], min(6, longest), min(6, longest))):
                both("title", d, t2s(got[0]), got[1], [fold(got[0])])
        if "body" in kinds and (got := pick(d["body"], 8, 12)):
            both("body", d, t2s(got[0]), got[1], [fold(got[0])])
        if "number" in kinds and d["nkey"] and re.search(r"\d", d["number"]):
            plain = d["number"].translate(str.maketrans("[(（〔]）)〕", "〔〔〔〔〕〕〕〕"))
            spellings = {"[]": plain.replace("〔", "[").replace("〕", "]"),
                         "（）": plain.replace("〔", "（").replace("〕", "）"), "〔〕": plain,
                         "全角数字": plain.translate(str.maketrans("0123456789", "０１２３４５６７８９"))}
            if re.search(r"〔\d{4}〕\d+号$", plain):  # 临政规〔2023〕3号 as typed: 〔2023〕第3号, 2023年3号
                spellings["〕第N号"] = re.sub(r"〕(\d+号)$", r"〕第\1", plain)
                spellings["N年N号"] = re.sub(r"〔(\d{4})〕(\d+号)$", r"\1年\2", plain)
            if m := re.search(r"第(\d{1,4})号$", plain):  # 国务院令第656号 in Chinese numerals
                spellings["汉字序号"] = plain[:m.start()] + f"第{chinese_numeral(int(m.group(1)))}号"
            variant = list(spellings)[i % len(spellings)]
            rel = [x["url"] for x in docs if x["nkey"] == d["nkey"]]
            both("number", d, t2s(spellings[variant]), rel, [d["nkey"]], variant)
    if "issue" in kinds:
        # every issue of a small archive; `sample` of them in a large one (1,600 queries at 10,000 documents)
        for i, iss in enumerate(issues if len(issues) <= sample else rng.sample(issues, sample)):
            # as mastheads write them: 2024年第1期, 二〇二四年第一期, 总第7期, 总第七期 (one numeral form per issue)
            cn = i % 2 == 1
            year = chinese_digits(iss["year"]) if cn else iss["year"]
            names = [(f"{year}年第{chinese_numeral(iss['number']) if cn else iss['number']}期", "年第N期")]
            if iss["serial"]:
                names.append((f"总第{chinese_numeral(iss['serial']) if cn else iss['serial']}期", "总第N期"))
            for name, variant in names:
                both("issue", {"script": "zh-Hans"}, name, [iss["url"]], [], variant + ("（汉字）" if cn else ""))
    if "meta" in kinds:
        for field, label in (("doc_type", "文种"), ("category", "主题分类"), ("issuer", "发文机关")):
            values = defaultdict(list)
            for d in docs:
                for v in (d[field] if isinstance(d[field], list) else [d[field]]):
                    if v:
                        values[fold(v)].append(d["url"])
            for v in rng.sample(sorted(values), min(8, len(values))):
                both("meta", {"script": "zh-Hans"}, t2s(v), values[v], [], label)
    return queries


def match_class(q: dict, d: dict) -> str:
    if q["kind"] == "number" and d["nkey"] == q["words"][0]:
        return "number"
    words = q["words"] or [fold(q["q"])]
    if all(w in d["ftitle"] for w in words):
        return "title"
    if all(w in d["fhead"] for w in words):
        return "head"  # the title with the number and the metadata (发文机关, 文种, 主题分类)
    if all(w in d["fbody"] for w in words):
        return "body"
    return "other"


def violates(q: dict, urls: list[str], by_url: dict) -> bool:
    """A document out of force ranked above an in-force one with the same kind of match."""
    seen_out = set()
    for u in urls:
        d = by_url.get(u)
        if not d:
            continue
        cls = match_class(q, d)
        if d["status"] in OUT_OF_FORCE or not d["current"]:
            seen_out.add(cls)
        elif cls in seen_out:
            return True
    return False


def score_one(q: dict, urls: list[str]) -> tuple[float, float]:
    rel = set(q["relevant"])
    top = urls[:10]
    hit = sum(1 for u in top if u in rel)
    first = next((n for n, u in enumerate(top, 1) if u in rel), None)
    return hit / min(len(rel), 10), (1 / first if first else 0.0)


def summarise(queries: list[dict], answers: list[list[str]], docs) -> dict:
    """{(kind, 'same'|'cross'|'all'): {recall, mrr, n, violations}} plus ('all', 'all')."""
    by_url = {d["url"]: d for d in docs}
    cells = defaultdict(lambda: {"recall": 0.0, "mrr": 0.0, "n": 0, "violations": 0})
    for q, urls in zip(queries, answers):
        rec, rr = score_one(q, urls)
        bad = violates(q, urls, by_url)
        for key in ((q["kind"], "cross" if q["cross"] else "same"), (q["kind"], "all"), ("all", "all")):
            c = cells[key]
            c["recall"] += rec
            c["mrr"] += rr
            c["n"] += 1
            c["violations"] += bad
    return {f"{k}/{s}": {"recall": c["recall"] / c["n"], "mrr": c["mrr"] / c["n"], "n": c["n"],
                         "violations": c["violations"]} for (k, s), c in cells.items()}


def print_table(results: dict) -> None:
    """results: {engine: summarise(...)}."""
    engines = list(results)
    print("\nrecall@10 / MRR (n queries, in-force-first violations); same script | cross script")
    print(f"{'kind':<8}" + "".join(f"{e:>38}" for e in engines))
    for kind in KINDS + ("all",):
        line = f"{kind:<8}"
        present = False
        for e in engines:
            parts = []
            for s in (("same", "cross") if kind != "all" else ("all",)):
                c = results[e].get(f"{kind}/{s}")
                if c:
                    present = True
                    parts.append(f"{c['recall']:.2f}/{c['mrr']:.2f} ({c['n']},{c['violations']})")
            line += f"{' | '.join(parts):>38}"
        if present:
            print(line)
