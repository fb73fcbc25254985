"""Synthetic archives of any size made from the real corpus (../shared/corpus/lawrefbook), for benchmarks.

Each generated document is a real law text under varied metadata: title, number, date, issuer, type,
script (every other one converted to Traditional), grouped into gazette issues of ~25 documents.
Read in place; nothing from the corpus is committed.
"""

from __future__ import annotations

import os
import random
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.normpath(os.path.join(ROOT, "..", "shared", "corpus", "lawrefbook"))
ISSUERS = ["临澜市人民政府", "临澜市人民政府办公室", "临澜市财政局", "临澜市教育局", "临澜市生态环境局",
           "临澜市住房和城乡建设局", "临澜市交通运输局", "临澜市卫生健康委员会", "临澜市市场监督管理局",
           "临澜市民政局", "临澜市自然资源和规划局", "临澜市人力资源和社会保障局", "临澜市公安局",
           "临澜市农业农村局", "临澜市文化广电旅游局", "临澜市应急管理局", "临澜市司法局", "临澜市商务局"]
TYPES = ["规范性文件", "规章", "通知", "公告", "决定", "意见", "批复"]
CATEGORIES = ["城乡建设", "环境保护", "公共卫生", "教育", "交通运输", "财政金融", "民政", "市场监管", "劳动就业", "农业农村"]
PER_ISSUE = 25


def corpus_files(corpus: str = CORPUS) -> list[str]:
    if not os.path.isdir(corpus):
        sys.exit(f"corpus not found at {corpus}: this benchmark needs ../shared/corpus/lawrefbook")
    out = []
    for dirpath, dirnames, files in os.walk(corpus):
        dirnames.sort()
        out += [os.path.join(dirpath, f) for f in sorted(files) if f.endswith(".md")]
    return out


def read_law(path: str) -> tuple[str, str]:
    """(title, body) of a corpus file: the `# title` line and the text after `<!-- INFO END -->`."""
    text = open(path, encoding="utf-8").read()
    m = re.match(r"#\s*(.+)", text)
    title = m.group(1).strip() if m else os.path.splitext(os.path.basename(path))[0]
    body = text.split("<!-- INFO END -->", 1)[-1].strip()
    return title, body


def make_archive(n: int, dest: str, seed: int = 7, corpus: str = CORPUS) -> dict:
    """Write n documents and their issues under dest/ (documents/, issues/). Returns counts."""
    from opencc import OpenCC

    s2t = OpenCC("s2t")
    rnd = random.Random(seed)
    files = corpus_files(corpus)
    laws = [read_law(p) for p in files]
    os.makedirs(os.path.join(dest, "issues"), exist_ok=True)
    # Spread documents over years, oldest first, so issue numbering is chronological.
    years = list(range(1954, 2027))
    dates = sorted((rnd.choice(years), rnd.randint(1, 12), rnd.randint(1, 28)) for _ in range(n))
    issue_of: list[str] = []
    issues: dict[str, tuple] = {}
    count_in_year: dict[int, int] = {}
    for i, (y, m, d) in enumerate(dates):
        if i % PER_ISSUE == 0:
            count_in_year[y] = count_in_year.get(y, 0) + 1
            key = f"{y}-{count_in_year[y]:02d}"
            issues[key] = (y, count_in_year[y], len(issues) + 1, (y, m, d))
        issue_of.append(key)
    for key, (y, num, serial, (iy, im, idd)) in issues.items():
        with open(os.path.join(dest, "issues", f"{key}.md"), "w", encoding="utf-8") as f:
            f.write(f"title: 临澜市人民政府公报 {y}年第{num}期\nyear: {y}\nnumber: {num}\nserial: {serial}\n"
                    f"date: {iy:04d}-{im:02d}-{idd:02d}\n\n")
    page_in_issue: dict[str, int] = {}
    for i, (y, m, d) in enumerate(dates):
        title, body = laws[i % len(laws)]
        round_ = i // len(laws)
        if round_:
            title = f"{title}（临澜市实施细则之{round_}）"
        issuer = ISSUERS[rnd.randrange(len(ISSUERS))]
        doc_type = TYPES[rnd.randrange(len(TYPES))]
        number = f"临{rnd.choice(['政', '政办', '财', '教', '环', '建', '交'])}{'规' if doc_type in TYPES[:2] else '发'}〔{y}〕{i % 97 + 1}号"
        key = issue_of[i]
        first = page_in_issue.get(key, 1)
        pages = max(1, len(body) // 1500)
        page_in_issue[key] = first + pages
        meta = [f"title: {title}", f"date: {y:04d}-{m:02d}-{d:02d}", f"doc_number: {number}",
                f"issuer: {issuer}", f"doc_type: {doc_type}", f"category: {CATEGORIES[i % len(CATEGORIES)]}",
                f"index_no: 11339900MB0246801K/{y}-{i:06d}", f"gazette: {key}", f"pages: {first}-{first + pages - 1}"]
        r = rnd.random()
        if r < 0.05:
            meta.append("validity: repealed")
        elif r < 0.10:
            meta.append(f"expires: {y + 5:04d}-12-31")
        elif r < 0.5 and doc_type in TYPES[:2]:
            meta.append(f"reviewed: {min(2026, y + rnd.randint(0, 40)):04d}-06-30")
        if i % 2:
            title_t, body_t = s2t.convert(title), s2t.convert(body)
            meta[0] = f"title: {title_t}"
            body = body_t
        slug = f"d{y}-{i:06d}"
        folder = os.path.join(dest, "documents", str(y))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{slug}.md"), "w", encoding="utf-8") as f:
            f.write("\n".join(meta) + "\n\n" + body + "\n")
    return {"documents": n, "issues": len(issues)}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    dest = sys.argv[2] if len(sys.argv) > 2 else f"/tmp/gazette-bench-{n}"
    print(make_archive(n, dest))
