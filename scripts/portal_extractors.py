"""Compare main-content extractors on saved government pages: where does each put the text?

For every HTML page with a truth row (the real pages in `../shared/samples/portal-pages`, our
own in `tests/fixtures/portals`), each extractor's text (whitespace deleted) is searched for the
first and last 30 characters of the document's own text. Reported per extractor: pages where
both were found and in order, pages where the text starts / ends exactly there, and the
characters of page furniture before the start and after the end (title and catalogue table
included: what would still have to be cut). `gazette` is our importer, which uses trafilatura
to locate the region and then its own rules (docs/import.md).

    .venv/bin/pip install -e '.[bench-html]'
    .venv/bin/python scripts/portal_extractors.py [-v]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import warnings

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from gazette.importer.html_page import _prepare  # noqa: E402
from gazette.importer.legacy import read_legacy  # noqa: E402
from gazette.importer.sources import Source, read_text  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SETS = [(os.path.join(HERE, "..", "..", "shared", "samples", "portal-pages"), "truth.json"),
        (os.path.join(HERE, "..", "tests", "fixtures", "portals"), "truth.json")]


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s or "")


def trafilatura_text(html: str) -> str:
    import trafilatura
    from lxml import etree
    xml = trafilatura.extract(html, output_format="xml", include_tables=True, favor_precision=True)
    return "".join(etree.fromstring(xml.encode()).itertext()) if xml else ""


def readability_text(html: str) -> str:
    from lxml import html as lh
    from readability import Document
    return lh.fromstring(Document(html).summary()).text_content()


def justext_text(html: str) -> str:
    import justext
    # jusText has no Chinese stop list: without one it classifies by length and link density only.
    paras = justext.justext(html.encode("utf-8"), frozenset(), stopwords_low=0, stopwords_high=0,
                            length_low=10, length_high=30, max_link_density=0.4)
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


def gazette_text(path: str) -> str:
    draft = read_legacy(Source(path, os.path.basename(path)), "html")
    return re.sub(r"\\(.)", r"\1", draft.body)


EXTRACTORS = {"trafilatura": trafilatura_text, "readability-lxml": readability_text, "jusText": justext_text}


def pages():
    for folder, truth in SETS:
        tpath = os.path.join(folder, truth)
        if not os.path.exists(tpath):
            continue
        with open(tpath, encoding="utf-8") as f:
            for row in json.load(f):
                path = os.path.join(folder, row["file"])
                if row["file"].endswith((".html", ".htm")) and os.path.exists(path):
                    yield path, row


def score(text: str, row: dict) -> dict:
    x = _squash(text)
    first, last = _squash(row["body_first_chars"]), _squash(row["body_last_chars"])
    a, b = x.find(first), x.rfind(last)
    found = a >= 0 and b >= 0 and a <= b
    return {"found": found, "start": a == 0, "end": b >= 0 and b + len(last) == len(x),
            "before": a if a >= 0 else None, "after": len(x) - b - len(last) if b >= 0 else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    rows = list(pages())
    table = {}
    for name in list(EXTRACTORS) + ["gazette"]:
        results = []
        for path, row in rows:
            try:
                if name == "gazette":
                    text = gazette_text(path)
                else:
                    # Every extractor gets the page as we give it to ours: stray `</html>` removed.
                    text = EXTRACTORS[name](_prepare(read_text(path)))
            except Exception as e:  # an extractor failing on a page counts as not finding the text
                text = ""
                if args.verbose:
                    print(f"  {name} {os.path.basename(path)}: {type(e).__name__}: {e}")
            r = score(text, row)
            results.append(r)
            if args.verbose:
                print(f"  {name:17s} {os.path.basename(path):34s} {r}")
        table[name] = results
    n = len(rows)
    print(f"{n} HTML pages with truth")
    print(f"| extractor | text found in order | starts exactly | ends exactly | furniture chars before / after (median) |")
    print("|---|---:|---:|---:|---:|")
    for name, results in table.items():
        before = sorted(r["before"] for r in results if r["before"] is not None)
        after = sorted(r["after"] for r in results if r["after"] is not None)
        med = lambda v: v[len(v) // 2] if v else "–"  # noqa: E731
        print(f"| {name} | {sum(r['found'] for r in results)}/{n} | {sum(r['start'] for r in results)}/{n} | "
              f"{sum(r['end'] for r in results)}/{n} | {med(before)} / {med(after)} |")


if __name__ == "__main__":
    main()
